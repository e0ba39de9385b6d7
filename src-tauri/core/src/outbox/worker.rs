//! One channel's delivery loop: take the head, deliver it, record the outcome, repeat.
//!
//! The head is the oldest row of the channel that is not failed; it is retried until it is
//! sent or fails for good, so order is storage order. Outcomes:
//! - sent: delete the row, move the channel's cursor, cache the message, emit `sent`;
//! - permanent: mark `failed{reason}` (text kept), emit `failed`, go on with the next row;
//! - recoverable: back to `queued` (with `needs_check` when the request may have reached the
//!   server), emit `waiting{retry_at}`, sleep (a server-given delay wins over backoff).
//!
//! Before a row that creates a message is resent after an ambiguous attempt, the history
//! after the channel's cursor is searched for our own message with the same text: found
//! means sent (PROTOCOL.md §6 has no nonce, so this is the only dedupe there is).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use super::{entry_of, OutboxItem, OutboxUpdate, Shared, Wakers};
use crate::api::types::{AttachmentRef, HistoryQuery, NewMessage};
use crate::clock::{ms_after, now_ms};
use crate::error::{ApiError, ClientError, RetryKind};
use crate::model::{cmp_ids, Message};
use crate::store::outbox::{FAILED, QUEUED, SENDING};
use crate::store::OutboxRow;
use crate::ui_state::{Entity, UiState};

/// How one attempt ended.
#[derive(Debug)]
enum Outcome {
    Sent(Option<Message>),
    /// The user cancelled the upload while it was going up.
    Cancelled,
    Failed(UiState),
    Wait {
        state: UiState,
        after: Option<Duration>,
        needs_check: bool,
    },
}

pub(super) async fn run(shared: Arc<Shared>, channel: String, wakers: Arc<Wakers>) {
    let mut failures = 0u32;
    loop {
        let row = match begin(&shared, &channel) {
            Ok(Some(row)) => row,
            Ok(None) => {
                tokio::select! {
                    () = wakers.work.notified() => {}
                    () = wakers.kick.notified() => {}
                }
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox: cannot read the queue");
                failures = failures.saturating_add(1);
                wait(&wakers, backoff(&shared, failures)).await;
                continue;
            }
        };
        let outcome = deliver(&shared, &channel, &row).await;
        match finish(&shared, &channel, &row, outcome, failures.saturating_add(1)) {
            Some(delay) => {
                failures = failures.saturating_add(1);
                wait(&wakers, delay).await;
            }
            None => failures = 0,
        }
    }
}

fn backoff(shared: &Shared, failures: u32) -> Duration {
    shared
        .config
        .backoff
        .delay(failures.max(1), &mut rand::rng())
}

/// Sleeps `delay`, or less when kicked (user retry, connection back).
async fn wait(wakers: &Wakers, delay: Duration) {
    tokio::select! {
        () = tokio::time::sleep(delay) => {}
        () = wakers.kick.notified() => {}
    }
}

/// Takes the head of the channel and marks it in flight (and `sending` on disk).
fn begin(shared: &Shared, channel: &str) -> Result<Option<OutboxRow>, crate::store::Error> {
    let mut gate = shared.gate();
    let Some(row) = shared.store.outbox_head(channel)? else {
        return Ok(None);
    };
    shared
        .store
        .set_outbox_state(row.local_id, SENDING, None, row.needs_check)?;
    gate.in_flight.insert(row.local_id);
    shared.emit(OutboxUpdate::Sending {
        local_id: row.local_id,
    });
    Ok(Some(row))
}

/// The stop switch of one upload: set once, read after the upload as well as raced against
/// it, so a cancel that lands as the last byte goes out still wins.
#[derive(Debug, Default)]
pub(super) struct UploadCancel {
    is_set: AtomicBool,
    wake: tokio::sync::Notify,
}

impl UploadCancel {
    pub(super) fn cancel(&self) {
        self.is_set.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }
}

/// Records an outcome; returns how long the channel must wait before its next try, if it
/// must (`failures` counts this attempt).
fn finish(
    shared: &Shared,
    channel: &str,
    row: &OutboxRow,
    outcome: Outcome,
    failures: u32,
) -> Option<Duration> {
    let local_id = row.local_id;
    let mut gate = shared.gate();
    gate.in_flight.remove(&local_id);
    let written = match outcome {
        Outcome::Cancelled => {
            gate.uploading.remove(&local_id);
            let written = shared.store.delete_outbox(local_id);
            shared.emit(OutboxUpdate::Cancelled { local_id });
            written.map(|_| None)
        }
        Outcome::Sent(message) => {
            let written = shared.store.delete_outbox(local_id).map(|_| ());
            if let Some(m) = &message {
                remember_sent(shared, channel, m);
            }
            shared.emit(OutboxUpdate::Sent { local_id, message });
            return written.err().map(|e| {
                tracing::error!(error = %e, "outbox: cannot delete a sent row");
                backoff(shared, failures)
            });
        }
        Outcome::Failed(state) => {
            let reason = serde_json::to_string(&state).ok();
            let written = shared
                .store
                .set_outbox_state(local_id, FAILED, reason.as_deref(), false);
            shared.emit(OutboxUpdate::Failed { local_id, state });
            written.map(|_| None)
        }
        Outcome::Wait {
            state,
            after,
            needs_check,
        } => {
            let written = shared
                .store
                .set_outbox_state(local_id, QUEUED, None, needs_check);
            let delay = after.unwrap_or_else(|| backoff(shared, failures));
            shared.emit(OutboxUpdate::Waiting {
                local_id,
                state,
                retry_at: ms_after(now_ms(), delay),
            });
            written.map(|_| Some(delay))
        }
    };
    match written {
        Ok(wait) => wait,
        Err(e) => {
            // The row keeps its last state on disk; retrying it later is the safe side.
            tracing::error!(error = %e, "outbox: cannot record an outcome");
            Some(backoff(shared, failures))
        }
    }
}

/// Moves the cursor past our message and caches it. A cache failure is logged, never fatal.
fn remember_sent(shared: &Shared, channel: &str, message: &Message) {
    let is_newer = match shared.store.outbox_cursor(channel) {
        Ok(Some(cur)) => cmp_ids(&message.id, &cur).is_gt(),
        Ok(None) => true,
        Err(_) => false,
    };
    if is_newer {
        if let Err(e) = shared.store.set_outbox_cursor(channel, &message.id) {
            tracing::warn!(error = %e, "outbox: cannot move the cursor");
        }
    }
    if let Err(e) = shared
        .store
        .save_messages(channel, std::slice::from_ref(message))
    {
        tracing::warn!(error = %e, "outbox: cannot cache a sent message");
    }
}

fn forget_deleted(shared: &Shared, channel: &str, message_id: &str) {
    if let Err(e) = shared.store.remove_message(channel, message_id) {
        tracing::warn!(error = %e, "outbox: cannot drop a deleted message from the cache");
    }
}

async fn deliver(shared: &Shared, channel: &str, row: &OutboxRow) -> Outcome {
    let Some(entry) = entry_of(row) else {
        return Outcome::Failed(UiState::BugReport {
            message: "this pending send could not be read back".into(),
        });
    };
    let mut item = entry.item;
    if shared.client.token().is_none() {
        // Not signed in (yet): a request would only earn a 401, and the client answers a 401
        // by forgetting the session. Hold the queue until a sign-in and a wake-up.
        return Outcome::Wait {
            state: UiState::SignedOut,
            after: None,
            needs_check: row.needs_check,
        };
    }
    if item.creates_message() {
        match prepare(shared, channel, row, &item).await {
            Ok(Some(found)) => return Outcome::Sent(Some(found)),
            Ok(None) => {}
            Err(e) => return classify(&e, &item, row.needs_check),
        }
    }
    if let OutboxItem::Attachment {
        uploaded: uploaded @ None,
        filename,
        mime,
        data_base64,
        ..
    } = &mut item
    {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data_base64.as_bytes())
        else {
            return Outcome::Failed(UiState::InvalidInput {
                field: Some("file".into()),
                message: "The file could not be read back".into(),
            });
        };
        match upload(shared, channel, row.local_id, filename, mime, bytes).await {
            Ok(Some(file)) => *uploaded = Some(file),
            Ok(None) => return Outcome::Cancelled,
            Err(e) => return classify(&e, &item, false),
        }
        // Written back before the post: a retry from here on posts this file, never a second
        // upload of it.
        match serde_json::to_string(&item) {
            Ok(json) => {
                let _gate = shared.gate();
                if let Err(e) = shared.store.set_outbox_item(row.local_id, &json) {
                    tracing::warn!(error = %e, "outbox: cannot remember a finished upload");
                }
            }
            Err(e) => tracing::warn!(error = %e, "outbox: cannot encode a finished upload"),
        }
    }
    match send(shared, channel, &item).await {
        Ok(message) => {
            if let OutboxItem::Delete { message_id } = &item {
                forget_deleted(shared, channel, message_id);
            }
            Outcome::Sent(message)
        }
        Err(e) => classify(&e, &item, false),
    }
}

/// Uploads one entry's file, reporting progress and stopping when the user cancels;
/// `Ok(None)` means cancelled.
async fn upload(
    shared: &Shared,
    channel: &str,
    local_id: i64,
    filename: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> Result<Option<AttachmentRef>, ClientError> {
    let stop = Arc::new(UploadCancel::default());
    shared.gate().uploading.insert(local_id, stop.clone());
    let updates = shared.updates.clone();
    let last_percent = AtomicU64::new(u64::MAX);
    let progress = crate::api::UploadProgress(Arc::new(move |sent: u64, total: u64| {
        let percent = sent.saturating_mul(100) / total.max(1);
        if last_percent.swap(percent, Ordering::Relaxed) != percent {
            let _ = updates.send(OutboxUpdate::Progress {
                local_id,
                sent,
                total,
            });
        }
    }));
    let _ = shared.updates.send(OutboxUpdate::Progress {
        local_id,
        sent: 0,
        total: bytes.len() as u64,
    });
    let result = tokio::select! {
        r = shared.client.upload_attachment_with_progress(
            channel, filename, mime, bytes.into(), Some(progress),
        ) => Some(r),
        () = stop.wake.notified() => None,
    };
    let is_cancelled = {
        let mut gate = shared.gate();
        gate.uploading.remove(&local_id);
        stop.is_set.load(Ordering::SeqCst)
    };
    match result {
        _ if is_cancelled => Ok(None),
        None => Ok(None),
        Some(r) => r.map(|a| Some(AttachmentRef::from(&a))),
    }
}

/// Before a send that creates a message: make sure the channel has a cursor, and after an
/// ambiguous attempt look for the message it may have posted.
async fn prepare(
    shared: &Shared,
    channel: &str,
    row: &OutboxRow,
    item: &OutboxItem,
) -> Result<Option<Message>, ClientError> {
    let cursor = match shared.store.outbox_cursor(channel) {
        Ok(c) => c,
        Err(e) => return Err(store_error(&e)),
    };
    if row.needs_check {
        tokio::time::sleep(shared.config.ambiguity_grace).await;
        if let Some(found) = find_posted(shared, channel, cursor.as_deref(), row, item).await? {
            return Ok(Some(found));
        }
    }
    if let (false, Some(cur)) = (row.needs_check, cursor.as_deref()) {
        // Every earlier send of the channel is resolved and this one was never attempted, so
        // whatever the cache holds is older than it: a newer lower bound keeps a later
        // search within a page even in a busy channel.
        if let Ok(Some(newest)) = shared.store.newest_message_id(channel) {
            if cmp_ids(&newest, cur).is_gt() {
                if let Err(e) = shared.store.set_outbox_cursor(channel, &newest) {
                    return Err(store_error(&e));
                }
            }
        }
    }
    if cursor.is_none() {
        // The newest message before our first send: the lower bound of later searches.
        let newest = shared
            .client
            .history(
                channel,
                &HistoryQuery {
                    limit: Some(1),
                    ..HistoryQuery::default()
                },
            )
            .await?
            .into_iter()
            .map(|m| m.id)
            .max_by(|a, b| cmp_ids(a, b))
            .unwrap_or_else(|| "0".to_owned());
        if let Err(e) = shared.store.set_outbox_cursor(channel, &newest) {
            return Err(store_error(&e));
        }
    }
    Ok(None)
}

/// Our message for `item` posted after `cursor`. Without a cursor (the store lost it), the
/// newest page is searched for one created since shortly before the row was written.
async fn find_posted(
    shared: &Shared,
    channel: &str,
    cursor: Option<&str>,
    row: &OutboxRow,
    item: &OutboxItem,
) -> Result<Option<Message>, ClientError> {
    /// Allowance for the difference between our clock and the server's.
    const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
    /// Pages read at most (the search stops early at a short page).
    const MAX_PAGES: usize = 20;
    let me = my_id(shared).await?;
    let limit = shared.config.history_window.clamp(1, 100);
    let mut after = cursor.map(str::to_owned);
    for _ in 0..MAX_PAGES {
        let mut page = shared
            .client
            .history(
                channel,
                &HistoryQuery {
                    after: after.clone(),
                    limit: Some(limit),
                    ..HistoryQuery::default()
                },
            )
            .await?;
        page.sort_by(|a, b| cmp_ids(&a.id, &b.id));
        let is_last = page.len() < usize::try_from(limit).unwrap_or(usize::MAX) || cursor.is_none();
        let next = page.last().map(|m| m.id.clone());
        if let Some(found) = page
            .into_iter()
            .filter(|m| match cursor {
                Some(c) => cmp_ids(&m.id, c).is_gt(),
                None => m.created_at >= row.created_at - CLOCK_SKEW_MS,
            })
            .find(|m| m.author_id == me && is_same_send(m, item))
        {
            return Ok(Some(found));
        }
        match next {
            Some(n) if !is_last && after.as_deref() != Some(n.as_str()) => after = Some(n),
            _ => break,
        }
    }
    Ok(None)
}

fn is_same_send(m: &Message, item: &OutboxItem) -> bool {
    match item {
        OutboxItem::Text { content } => {
            m.content == *content && m.reply_to_id.is_none() && m.attachments.is_empty()
        }
        OutboxItem::Reply {
            content,
            reply_to_id,
        } => m.content == *content && m.reply_to_id.as_deref() == Some(reply_to_id),
        OutboxItem::Attachment {
            content, filename, ..
        } => {
            // A server may rename or drop the file entry; the text and the cursor still bound
            // the match (every earlier send of the channel is resolved before this one).
            m.content == *content
                && (m.attachments.is_empty()
                    || m.attachments.iter().any(|a| a.filename == *filename))
        }
        _ => false,
    }
}

async fn my_id(shared: &Shared) -> Result<String, ClientError> {
    if let Some(id) = shared
        .me
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
    {
        return Ok(id);
    }
    let user = shared.client.whoami().await?;
    *shared
        .me
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(user.id.clone());
    Ok(user.id)
}

async fn send(
    shared: &Shared,
    channel: &str,
    item: &OutboxItem,
) -> Result<Option<Message>, ClientError> {
    let client = &shared.client;
    match item {
        OutboxItem::Text { content } => {
            let msg = NewMessage {
                content: content.clone(),
                ..NewMessage::default()
            };
            client.send_message(channel, &msg).await.map(Some)
        }
        OutboxItem::Reply {
            content,
            reply_to_id,
        } => {
            let msg = NewMessage {
                content: content.clone(),
                reply_to_id: Some(reply_to_id.clone()),
                ..NewMessage::default()
            };
            client.send_message(channel, &msg).await.map(Some)
        }
        OutboxItem::Edit {
            message_id,
            content,
        } => client
            .edit_message(channel, message_id, content)
            .await
            .map(Some),
        OutboxItem::Delete { message_id } => client
            .delete_message(channel, message_id)
            .await
            .map(|()| None),
        OutboxItem::Reaction {
            message_id,
            emoji,
            is_add,
        } => if *is_add {
            client.add_reaction(channel, message_id, emoji).await
        } else {
            client.remove_reaction(channel, message_id, emoji).await
        }
        .map(|()| None),
        OutboxItem::Attachment {
            uploaded: Some(file),
            content,
            ..
        } => {
            let msg = NewMessage {
                content: content.clone(),
                attachments: vec![file.clone()],
                ..NewMessage::default()
            };
            client.send_message(channel, &msg).await.map(Some)
        }
        OutboxItem::Attachment {
            content,
            filename,
            mime,
            data_base64,
            uploaded: None,
        } => {
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data_base64) else {
                return Err(ClientError::rejected(
                    UiState::InvalidInput {
                        field: Some("file".into()),
                        message: "The file could not be read back".into(),
                    },
                    "undecodable attachment",
                ));
            };
            // A duplicate upload after an ambiguous failure only leaves an unused file on
            // the server; the message itself is deduplicated like any other.
            let attachment = client
                .upload_attachment(channel, filename, mime, bytes.into())
                .await?;
            let msg = NewMessage {
                content: content.clone(),
                attachments: vec![AttachmentRef::from(&attachment)],
                ..NewMessage::default()
            };
            client.send_message(channel, &msg).await.map(Some)
        }
    }
}

/// Sorts a failure into sent / failed / wait, by its classification only.
fn classify(err: &ClientError, item: &OutboxItem, was_ambiguous: bool) -> Outcome {
    let may_have_landed = was_ambiguous
        || err
            .api_error()
            .is_some_and(ApiError::may_have_reached_server);
    match err.retry {
        RetryKind::Permanent => {
            if matches!(item, OutboxItem::Delete { .. })
                && matches!(
                    err.state,
                    UiState::NotFound {
                        entity: Entity::Message,
                        ..
                    }
                )
            {
                // Already gone: what the user wanted.
                return Outcome::Sent(None);
            }
            if matches!(err.api_error(), Some(ApiError::Decode(_))) {
                // The server said yes but the answer was unreadable: the message exists.
                return Outcome::Wait {
                    state: err.state.clone(),
                    after: None,
                    needs_check: true,
                };
            }
            Outcome::Failed(err.state.clone())
        }
        RetryKind::At { after, .. } => Outcome::Wait {
            state: err.state.clone(),
            after: Some(after),
            needs_check: was_ambiguous,
        },
        RetryKind::Backoff | RetryKind::Reauthenticate | RetryKind::UpdateRequired => {
            Outcome::Wait {
                state: err.state.clone(),
                after: None,
                needs_check: may_have_landed && item.creates_message(),
            }
        }
    }
}

fn store_error(e: &crate::store::Error) -> ClientError {
    ClientError {
        state: UiState::BugReport {
            message: format!("local database: {e}"),
        },
        retry: RetryKind::Backoff,
        source: crate::error::ClientErrorSource::Rejected(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui_state::ForbiddenReason;

    fn err(state: UiState, retry: RetryKind, api: ApiError) -> ClientError {
        ClientError {
            state,
            retry,
            source: api.into(),
        }
    }

    fn offline() -> UiState {
        UiState::Offline { reason: "x".into() }
    }

    fn text() -> OutboxItem {
        OutboxItem::Text {
            content: "hi".into(),
        }
    }

    #[test]
    fn refused_connections_wait_without_a_check_and_timeouts_with_one() {
        let refused = err(
            offline(),
            RetryKind::Backoff,
            ApiError::Connect("refused".into()),
        );
        assert!(matches!(
            classify(&refused, &text(), false),
            Outcome::Wait {
                needs_check: false,
                after: None,
                ..
            }
        ));
        let timeout = err(offline(), RetryKind::Backoff, ApiError::Timeout);
        assert!(matches!(
            classify(&timeout, &text(), false),
            Outcome::Wait {
                needs_check: true,
                ..
            }
        ));
        // Edits are idempotent: no history search needed.
        let edit = OutboxItem::Edit {
            message_id: "1".into(),
            content: "x".into(),
        };
        assert!(matches!(
            classify(&timeout, &edit, false),
            Outcome::Wait {
                needs_check: false,
                ..
            }
        ));
    }

    #[test]
    fn a_rate_limit_waits_the_servers_delay_and_keeps_an_earlier_doubt() {
        let limited = err(
            UiState::RateLimited {
                retry_at: 0,
                scope: None,
                global: false,
            },
            RetryKind::At {
                after: Duration::from_secs(3),
                is_global: false,
            },
            ApiError::NotSent("limited".into()),
        );
        assert!(matches!(
            classify(&limited, &text(), true),
            Outcome::Wait { needs_check: true, after: Some(d), .. } if d == Duration::from_secs(3)
        ));
    }

    #[test]
    fn permanent_refusals_fail_but_an_unreadable_success_is_checked() {
        let forbidden = ClientError::rejected(
            UiState::Forbidden {
                reason: ForbiddenReason::CannotMessageUser,
                message: "Cannot message this user".into(),
            },
            "403",
        );
        assert!(matches!(
            classify(&forbidden, &text(), false),
            Outcome::Failed(UiState::Forbidden { .. })
        ));
        let garbled = err(
            UiState::BugReport {
                message: "x".into(),
            },
            RetryKind::Permanent,
            ApiError::Decode("eof".into()),
        );
        assert!(matches!(
            classify(&garbled, &text(), false),
            Outcome::Wait {
                needs_check: true,
                ..
            }
        ));
    }

    #[test]
    fn deleting_a_message_that_is_gone_counts_as_done() {
        let gone = ClientError::rejected(
            UiState::NotFound {
                entity: Entity::Message,
                message: "Unknown message".into(),
            },
            "404",
        );
        let delete = OutboxItem::Delete {
            message_id: "1".into(),
        };
        assert!(matches!(
            classify(&gone, &delete, false),
            Outcome::Sent(None)
        ));
        assert!(matches!(
            classify(&gone, &text(), false),
            Outcome::Failed(_)
        ));
    }
}
