//! Send later: the outbox keeps scheduled messages and sends them at their time.
//!
//! The real server accepts scheduled messages but never delivers them
//! (shared/recorded/messaging.txt, "scheduled messages"), so:
//! - a message scheduled in the app is a `scheduled` row of the account store; at its time the
//!   scheduler moves it into the outbox in one transaction
//!   ([`crate::store::Store::dispatch_scheduled`]) and the outbox delivers it like any send.
//!   If the app was closed at that time, it goes out on the next start and is marked
//!   "sent late";
//! - a message the server holds (scheduled elsewhere, e.g. `plexi schedule`) is adopted when
//!   it is due: written as a row first, cancelled on the server (only the device whose cancel
//!   succeeds sends it, so two devices never both do), then dispatched the same way.
//!
//! The scheduler sleeps until the next row is due, a change wakes it, and it looks at the
//! server's list every [`OutboxConfig::adopt_every`](super::OutboxConfig).

use std::sync::{Arc, Weak};
use std::time::Duration;

use super::{Error, Inner, OutboxEntry, OutboxItem, OutboxState, OutboxUpdate};
use crate::clock::now_ms;
use crate::error::RetryKind;
use crate::rich::{
    ScheduledHolder, ScheduledList, ScheduledMessage, ScheduledStatus, LATE_AFTER_MS, MAX_CONTENT,
};
use crate::store::scheduled::{ScheduledRow, SENT};
use crate::ui_state::UiState;
use crate::ClientError;

/// Sent rows stay listed ("sent late") this long.
const KEEP_SENT_MS: i64 = 24 * 60 * 60 * 1000;
/// Longest sleep: a clock change (suspend, NTP) is noticed within this.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// The list row of a store row.
#[must_use]
pub(crate) fn message_of(row: &ScheduledRow) -> ScheduledMessage {
    ScheduledMessage {
        id: format!("device:{}", row.id),
        channel_id: row.channel_id.clone(),
        content: row.content.clone(),
        scheduled_at: row.scheduled_at,
        held_by: ScheduledHolder::Device,
        status: match (row.state.as_str(), row.late) {
            (SENT, true) => ScheduledStatus::SentLate,
            (SENT, false) => ScheduledStatus::Sent,
            _ => ScheduledStatus::Pending,
        },
        sent_at: row.sent_at,
    }
}

/// This device's scheduled messages as stored in `store` (for `plexi`, which reads the
/// app's database without running its outbox).
///
/// # Errors
/// [`crate::store::Error`].
pub fn device_scheduled(
    store: &crate::store::Store,
) -> Result<Vec<ScheduledMessage>, crate::store::Error> {
    Ok(store
        .scheduled_rows()?
        .iter()
        .filter(|r| r.server_id.is_none())
        .map(message_of)
        .collect())
}

/// Checks a scheduled message before it is stored.
///
/// # Errors
/// `invalid_input{content|scheduled_at}`.
pub fn check_scheduled(content: &str, scheduled_at: i64, now: i64) -> Result<(), ClientError> {
    let invalid = |field: &str, message: &str| {
        ClientError::rejected(
            UiState::InvalidInput {
                field: Some(field.into()),
                message: message.into(),
            },
            "scheduled message rejected locally",
        )
    };
    if content.trim().is_empty() {
        return Err(invalid("content", "Message must have content"));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(invalid("content", "Messages are at most 4000 characters"));
    }
    if scheduled_at <= now {
        return Err(invalid("scheduled_at", "Pick a time in the future"));
    }
    Ok(())
}

/// The store id of a `device:N` list id.
#[must_use]
pub fn device_id(id: &str) -> Option<i64> {
    id.strip_prefix("device:")?.parse().ok()
}

impl super::Outbox {
    /// Keeps `content` to be sent to `channel_id` at `scheduled_at` (ms); the row is on disk
    /// before this returns.
    ///
    /// # Errors
    /// [`Error::Invalid`] (empty, too long, not in the future), [`Error::Store`].
    pub fn schedule(
        &self,
        channel_id: &str,
        content: &str,
        scheduled_at: i64,
    ) -> Result<ScheduledMessage, Error> {
        check_scheduled(content, scheduled_at, now_ms()).map_err(Error::Invalid)?;
        let shared = &self.inner.shared;
        let row = shared
            .store
            .insert_scheduled(channel_id, content, scheduled_at, None)?;
        shared.emit(OutboxUpdate::ScheduledChanged);
        shared.scheduler.notify_one();
        Ok(message_of(&row))
    }

    /// This device's scheduled messages (pending, and those sent in the last day).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn scheduled(&self) -> Result<Vec<ScheduledMessage>, Error> {
        Ok(self
            .inner
            .shared
            .store
            .scheduled_rows()?
            .iter()
            // A row being adopted from the server is shown once, from the server's list,
            // until the adoption finishes.
            .filter(|r| r.server_id.is_none())
            .map(message_of)
            .collect())
    }

    /// Changes the text and time of a pending `device:N` message.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`] (gone or already sent), [`Error::Store`].
    pub fn edit_scheduled(
        &self,
        id: &str,
        content: &str,
        scheduled_at: i64,
    ) -> Result<ScheduledMessage, Error> {
        check_scheduled(content, scheduled_at, now_ms()).map_err(Error::Invalid)?;
        let local = device_id(id).ok_or(Error::NotFound(0))?;
        let shared = &self.inner.shared;
        if !shared
            .store
            .update_scheduled(local, content, scheduled_at)?
        {
            return Err(Error::NotFound(local));
        }
        shared.emit(OutboxUpdate::ScheduledChanged);
        shared.scheduler.notify_one();
        let row = shared
            .store
            .scheduled_row(local)?
            .ok_or(Error::NotFound(local))?;
        Ok(message_of(&row))
    }

    /// Cancels a pending `device:N` message, or forgets a sent one.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Store`].
    pub fn cancel_scheduled(&self, id: &str) -> Result<(), Error> {
        let local = device_id(id).ok_or(Error::NotFound(0))?;
        let shared = &self.inner.shared;
        if !shared.store.delete_scheduled(local)? {
            return Err(Error::NotFound(local));
        }
        shared.emit(OutboxUpdate::ScheduledChanged);
        Ok(())
    }

    /// The one "Scheduled" list: this device's rows and the server's pending ones, soonest
    /// first. When the server cannot be read, the device's rows are still all there and
    /// `server_unavailable` says why.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub async fn scheduled_list(&self) -> Result<ScheduledList, Error> {
        let mut items = self.scheduled()?;
        let mut server_unavailable = None;
        match self.inner.shared.client.server_scheduled().await {
            Ok(list) => items.extend(list.into_iter().filter(|s| s.status == "pending").map(|s| {
                ScheduledMessage {
                    id: format!("server:{}", s.id),
                    channel_id: s.conversation_id,
                    content: s.content,
                    scheduled_at: s.scheduled_at,
                    held_by: ScheduledHolder::Server,
                    status: ScheduledStatus::Pending,
                    sent_at: None,
                }
            })),
            Err(e) => server_unavailable = Some(e.state),
        }
        items.sort_by_key(|m| m.scheduled_at);
        Ok(ScheduledList {
            items,
            server_unavailable,
        })
    }

    /// Edits any row of the list. A server-held one is moved to this device (cancelled on
    /// the server, then kept here), since only the device delivers it anyway.
    ///
    /// # Errors
    /// [`Error::Invalid`] (bad input, or the server refused the cancel), [`Error::NotFound`],
    /// [`Error::Store`].
    pub async fn edit_any_scheduled(
        &self,
        id: &str,
        channel_id: &str,
        content: &str,
        scheduled_at: i64,
    ) -> Result<ScheduledMessage, Error> {
        let Some(server_id) = id.strip_prefix("server:") else {
            return self.edit_scheduled(id, content, scheduled_at);
        };
        check_scheduled(content, scheduled_at, now_ms()).map_err(Error::Invalid)?;
        self.inner
            .shared
            .client
            .cancel_server_scheduled(server_id)
            .await
            .map_err(Error::Invalid)?;
        self.schedule(channel_id, content, scheduled_at)
    }

    /// Cancels any row of the list (`device:N` here, `server:ID` on the server).
    ///
    /// # Errors
    /// [`Error::Invalid`] with the server's refusal (not the author, no longer pending),
    /// [`Error::NotFound`], [`Error::Store`].
    pub async fn cancel_any_scheduled(&self, id: &str) -> Result<(), Error> {
        let Some(server_id) = id.strip_prefix("server:") else {
            return self.cancel_scheduled(id);
        };
        self.inner
            .shared
            .client
            .cancel_server_scheduled(server_id)
            .await
            .map_err(Error::Invalid)?;
        self.inner.shared.emit(OutboxUpdate::ScheduledChanged);
        Ok(())
    }

    /// Looks at the server's list now (the UI opened the "Scheduled" list).
    pub fn check_server_schedule(&self) {
        self.inner.shared.adopt_now.notify_one();
    }
}

/// The scheduler loop; ends when the outbox is dropped.
pub(super) async fn run(inner: Weak<Inner>) {
    let mut next_adopt = tokio::time::Instant::now();
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let shared = strong.shared.clone();
        let adopt_every = shared.config.adopt_every;
        if adopt_every.is_some() && tokio::time::Instant::now() >= next_adopt {
            adopt_due(&shared).await;
            next_adopt = tokio::time::Instant::now() + adopt_every.unwrap_or(MAX_SLEEP);
        }
        let sleep = match step(&strong).await {
            Ok(sleep) => sleep,
            Err(e) => {
                tracing::error!(error = %e, "scheduler: cannot read scheduled messages");
                MAX_SLEEP
            }
        };
        let sleep = if adopt_every.is_some() {
            sleep.min(next_adopt.saturating_duration_since(tokio::time::Instant::now()))
        } else {
            sleep
        };
        drop(strong);
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = shared.scheduler.notified() => {}
            () = shared.adopt_now.notified() => {
                next_adopt = tokio::time::Instant::now();
            }
        }
    }
}

/// Dispatches every due row; returns how long to sleep until the next one.
async fn step(inner: &Arc<Inner>) -> Result<Duration, Error> {
    let shared = &inner.shared;
    shared.store.prune_scheduled(now_ms() - KEEP_SENT_MS)?;
    loop {
        let Some(row) = shared.store.next_scheduled()? else {
            return Ok(MAX_SLEEP);
        };
        let now = now_ms();
        if row.scheduled_at > now {
            let wait = u64::try_from(row.scheduled_at - now).unwrap_or(0);
            return Ok(Duration::from_millis(wait).min(MAX_SLEEP));
        }
        if let Some(server_id) = row.server_id.clone() {
            // Adopted from the server: take it there first, so no other device sends it.
            match shared.client.cancel_server_scheduled(&server_id).await {
                Ok(()) => shared.store.clear_scheduled_server_id(row.id)?,
                Err(e) if e.retry == RetryKind::Permanent => {
                    tracing::info!("scheduler: a server-held message was taken elsewhere");
                    shared.store.delete_scheduled(row.id)?;
                    shared.emit(OutboxUpdate::ScheduledChanged);
                    continue;
                }
                Err(_) => return Ok(MAX_SLEEP),
            }
        }
        dispatch(inner, &row)?;
    }
}

/// Moves a due row into the outbox and wakes its channel.
fn dispatch(inner: &Arc<Inner>, row: &ScheduledRow) -> Result<(), Error> {
    let shared = &inner.shared;
    let item = OutboxItem::Text {
        content: row.content.clone(),
    };
    let json = serde_json::to_string(&item)?;
    let late = now_ms() - row.scheduled_at > LATE_AFTER_MS;
    let out = {
        let _gate = shared.gate();
        let Some(out) = shared.store.dispatch_scheduled(row.id, &json, late)? else {
            return Ok(());
        };
        shared.emit(OutboxUpdate::Queued {
            entry: OutboxEntry {
                local_id: out.local_id,
                channel_id: out.channel_id.clone(),
                item,
                state: OutboxState::Queued,
                created_at: out.created_at,
            },
        });
        out
    };
    if let Some(sent) = shared.store.scheduled_row(row.id)? {
        tracing::info!(late, "scheduler: a scheduled message went to the outbox");
        shared.emit(OutboxUpdate::ScheduledSent {
            scheduled: message_of(&sent),
        });
    }
    super::Outbox {
        inner: inner.clone(),
    }
    .wake_channel(&out.channel_id);
    Ok(())
}

/// Writes a row for every server-held pending message that is due and not yet adopted.
async fn adopt_due(shared: &super::Shared) {
    let list = match shared.client.server_scheduled().await {
        Ok(list) => list,
        Err(e) => {
            tracing::debug!(state = ?e.state, "scheduler: server list unavailable");
            return;
        }
    };
    let Ok(rows) = shared.store.scheduled_rows() else {
        return;
    };
    let now = now_ms();
    for s in list {
        if s.status != "pending" || s.scheduled_at > now {
            continue;
        }
        if rows
            .iter()
            .any(|r| r.server_id.as_deref() == Some(s.id.as_str()))
        {
            continue;
        }
        if let Err(e) = shared.store.insert_scheduled(
            &s.conversation_id,
            &s.content,
            s.scheduled_at,
            Some(&s.id),
        ) {
            tracing::error!(error = %e, "scheduler: cannot adopt a server-held message");
            return;
        }
        shared.scheduler.notify_one();
    }
}
