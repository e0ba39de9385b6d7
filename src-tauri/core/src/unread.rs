//! Unread state that follows the account: counted here from gateway events, kept in the
//! account's database, reconciled with the server's map at start and after every reconnect,
//! and acked back the one way the reference server honours.
//!
//! The server's read state (messaging.txt) is keyed by *conversation* ids, not channel ids:
//! its map `GET /users/@me/unread` lists conversation ids, and an ack moves the last-read
//! pointer only when sent to `/channels/{conversation id}/messages/ack`. A channel's
//! conversation id is what its history listing shows as `channel_id` (a DM's is its own id),
//! so [`UnreadTracker`] learns it from history, probing one message when it must, and keeps it
//! in the store. `read-all`, `mark-unread` and the bulk ack change nothing on the reference,
//! so "mark as unread" and "mark server read" live here and persist locally.
//!
//! Reconciling ([`UnreadTracker::sync`]): the server wins unless this device is newer:
//! - a channel the user marked unread by hand keeps its state until it is read here;
//! - a channel changed here within [`FRESH_MS`] keeps its state (the server caches the map
//!   for 10 s and may not have seen our last ack yet);
//! - otherwise a listed conversation takes the server's count, and an unlisted one that is
//!   unread here is checked against the server's last-read pointer (another device read it),
//!   because the reference also leaves some conversations out of the map altogether.
//!
//! Acks ([`UnreadTracker::mark_read`]) are coalesced per channel to the newest message and
//! sent at most once per [`ACK_INTERVAL`]; a failed ack is kept for the next round.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};

use crate::api::types::HistoryQuery;
use crate::clock::now_ms;
use crate::event::Event;
use crate::model::{cmp_ids, Message};
use crate::store::unread::ChannelUnread;
use crate::store::{Error as StoreError, Store, KEEP_PER_CHANNEL};
use crate::{Client, ClientError};

/// Acks go out at most this often (each round sends the newest per channel).
pub const ACK_INTERVAL: Duration = Duration::from_millis(1_500);

/// A local change this recent wins over the server's map (which is cached 10 s per caller).
pub const FRESH_MS: i64 = 15_000;

/// At most this many channels are probed for their conversation id per sync (one history
/// request each), so a user in many servers does not spend the history budget at once.
pub const PROBES_PER_SYNC: usize = 8;

/// At most this many last-read pointers are asked for per sync.
pub const POINTER_CHECKS_PER_SYNC: usize = 8;

struct Inner {
    store: Store,
    client: Client,
    me: String,
    viewing: Mutex<Option<String>>,
    /// Channel → newest message to ack.
    pending: Mutex<HashMap<String, String>>,
    wake: Notify,
    tx: broadcast::Sender<Vec<ChannelUnread>>,
    /// The last sync met conversations it could not match to a channel yet (on a first start
    /// the channel lists arrive after the map): [`UnreadTracker::sync_if_unresolved`] retries.
    is_unresolved: std::sync::atomic::AtomicBool,
}

/// The account's unread state; cheap to clone. Dropping the last clone stops its ack worker
/// (acks still pending are lost; the next start's sync corrects the counts).
#[derive(Clone)]
pub struct UnreadTracker {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for UnreadTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnreadTracker")
            .field("me", &self.inner.me)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl UnreadTracker {
    /// A tracker for the signed-in user `me_id` over the account's `store`; starts the ack
    /// worker on the current Tokio runtime.
    #[must_use]
    pub fn start(store: Store, client: Client, me_id: &str) -> Self {
        let (tx, _) = broadcast::channel(64);
        let inner = Arc::new(Inner {
            store,
            client,
            me: me_id.to_owned(),
            viewing: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            tx,
            is_unresolved: std::sync::atomic::AtomicBool::new(false),
        });
        tokio::spawn(ack_worker(Arc::downgrade(&inner)));
        Self { inner }
    }

    /// Every change as the whole list (small: one row per channel ever seen).
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Vec<ChannelUnread>> {
        self.inner.tx.subscribe()
    }

    /// Every channel's read state.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn entries(&self) -> Result<Vec<ChannelUnread>, StoreError> {
        self.inner.store.unread_entries()
    }

    fn publish(&self) {
        if self.inner.tx.receiver_count() == 0 {
            return;
        }
        match self.entries() {
            Ok(list) => {
                let _ = self.inner.tx.send(list);
            }
            Err(e) => tracing::warn!(error = %e, "could not read the unread state"),
        }
    }

    /// The channel the user is looking at in a focused window (`None`: nothing is being
    /// read). New messages there count as read.
    pub fn set_viewing(&self, channel_id: Option<String>) {
        *lock(&self.inner.viewing) = channel_id;
    }

    /// The channel being looked at, if any.
    #[must_use]
    pub fn viewing(&self) -> Option<String> {
        lock(&self.inner.viewing).clone()
    }

    /// The user has read `channel_id` up to `message_id`: the count drops to 0, a manual
    /// "unread" ends, and an ack is queued. An older id than the last read does nothing.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn mark_read(&self, channel_id: &str, message_id: &str) -> Result<(), StoreError> {
        let mut e = self.inner.store.unread_entry(channel_id)?;
        let is_older = e
            .last_read_id
            .as_deref()
            .is_some_and(|l| cmp_ids(message_id, l).is_lt());
        if is_older && e.unread == 0 && !e.is_manual {
            return Ok(());
        }
        if !is_older {
            e.last_read_id = Some(message_id.to_owned());
        }
        e.unread = 0;
        e.is_manual = false;
        e.changed_at = now_ms();
        self.inner.store.save_unread(&e)?;
        self.queue_ack(channel_id, message_id);
        self.publish();
        Ok(())
    }

    fn queue_ack(&self, channel_id: &str, message_id: &str) {
        let mut pending = lock(&self.inner.pending);
        let slot = pending.entry(channel_id.to_owned()).or_default();
        if slot.is_empty() || cmp_ids(message_id, slot).is_gt() {
            message_id.clone_into(slot);
        }
        drop(pending);
        self.inner.wake.notify_one();
    }

    /// "Mark as unread" from `message_id`: it and everything after it from others count as
    /// unread again, here only (the server ignores mark-unread). Stays until read here.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn mark_unread(&self, channel_id: &str, message_id: &str) -> Result<(), StoreError> {
        let cached = self
            .inner
            .store
            .recent_messages(channel_id, KEEP_PER_CHANNEL)?;
        let from_others = cached
            .iter()
            .filter(|m| cmp_ids(&m.id, message_id).is_ge() && m.author_id != self.inner.me)
            .count();
        let before = cached
            .iter()
            .filter(|m| cmp_ids(&m.id, message_id).is_lt())
            .map(|m| m.id.clone())
            .next_back()
            .or_else(|| previous_id(message_id));
        let e = ChannelUnread {
            channel_id: channel_id.to_owned(),
            unread: u32::try_from(from_others.max(1)).unwrap_or(u32::MAX),
            last_read_id: before,
            is_manual: true,
            changed_at: now_ms(),
        };
        self.inner.store.save_unread(&e)?;
        lock(&self.inner.pending).remove(channel_id);
        let mut viewing = lock(&self.inner.viewing);
        if viewing.as_deref() == Some(channel_id) {
            // Otherwise the next message there would mark it read at once.
            *viewing = None;
        }
        drop(viewing);
        self.publish();
        Ok(())
    }

    /// "Mark server as read": every cached channel of `server_id` is read up to its newest
    /// cached message, here and (per conversation, the way the server honours) on the server.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn mark_server_read(&self, server_id: &str) -> Result<(), StoreError> {
        let now = now_ms();
        for channel in self.inner.store.channels(server_id)? {
            let mut e = self.inner.store.unread_entry(&channel.id)?;
            let newest = self.inner.store.newest_message_id(&channel.id)?;
            if e.unread == 0 && !e.is_manual && newest == e.last_read_id {
                continue;
            }
            e.unread = 0;
            e.is_manual = false;
            e.changed_at = now;
            if let Some(n) = &newest {
                if e.last_read_id
                    .as_deref()
                    .is_none_or(|l| cmp_ids(n, l).is_gt())
                {
                    e.last_read_id = Some(n.clone());
                }
                self.queue_ack(&channel.id, n);
            }
            self.inner.store.save_unread(&e)?;
        }
        self.publish();
        Ok(())
    }

    /// Applies a gateway event: a message from someone else counts as unread unless its
    /// channel is being looked at (then it is read); our own message reads its channel.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn on_event(&self, event: &Event) -> Result<(), StoreError> {
        match event {
            Event::MessageCreate(m) => self.on_message(m),
            Event::ChannelDelete(c) => {
                self.inner.store.forget_unread(&c.id)?;
                self.publish();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn on_message(&self, m: &Message) -> Result<(), StoreError> {
        let is_viewing = lock(&self.inner.viewing).as_deref() == Some(m.channel_id.as_str());
        if m.author_id == self.inner.me || is_viewing {
            return self.mark_read(&m.channel_id, &m.id);
        }
        let mut e = self.inner.store.unread_entry(&m.channel_id)?;
        if e.last_read_id
            .as_deref()
            .is_some_and(|l| cmp_ids(&m.id, l).is_le())
        {
            return Ok(()); // already read (a late duplicate)
        }
        e.unread = e.unread.saturating_add(1);
        e.changed_at = now_ms();
        self.inner.store.save_unread(&e)?;
        self.publish();
        Ok(())
    }

    /// The conversation id of a channel: remembered, seen in history this session, a DM's own
    /// id, or probed with a one-message history request. `None` for an empty channel.
    ///
    /// # Errors
    /// The probe's classified failure.
    pub async fn conversation_of(&self, channel_id: &str) -> Result<Option<String>, ClientError> {
        let store = &self.inner.store;
        if let Ok(Some(c)) = store.conversation_of(channel_id) {
            return Ok(Some(c));
        }
        let found = if let Some(hint) = self.inner.client.conversation_hint(channel_id) {
            Some(hint)
        } else if store.is_dm(channel_id).unwrap_or(false) {
            Some(channel_id.to_owned())
        } else {
            let q = HistoryQuery {
                limit: Some(1),
                ..HistoryQuery::default()
            };
            let page = self.inner.client.history(channel_id, &q).await?;
            page.first().map(|m| m.channel_id.clone())
        };
        if let Some(c) = &found {
            if let Err(e) = store.set_conversation(channel_id, c) {
                tracing::warn!(error = %e, "could not remember a conversation id");
            }
        }
        Ok(found)
    }

    /// Takes the server's unread state (start, every reconnect), keeping what this device
    /// knows better (see the module docs). Returns the resulting list.
    ///
    /// # Errors
    /// The map request's classified failure (local state is left as it was).
    pub async fn sync(&self) -> Result<Vec<ChannelUnread>, ClientError> {
        let started = now_ms();
        let map = self.inner.client.unread_counts().await?;
        let store = &self.inner.store;
        // Conversation ids this device already knows, then probes for the rest.
        for channel in self.known_channels() {
            if let Some(hint) = self.inner.client.conversation_hint(&channel) {
                let _ = store.set_conversation(&channel, &hint);
            }
        }
        let mut by_channel: HashMap<String, u32> = HashMap::new();
        let mut unknown: Vec<&String> = Vec::new();
        for (conv, n) in &map {
            match store.channel_of_conversation(conv).ok().flatten() {
                Some(ch) => {
                    by_channel.insert(ch, *n);
                }
                None if store.is_dm(conv).unwrap_or(false) => {
                    let _ = store.set_conversation(conv, conv);
                    by_channel.insert(conv.clone(), *n);
                }
                None => unknown.push(conv),
            }
        }
        let mut resolved = unknown.len();
        if !unknown.is_empty() {
            resolved = 0;
            let unprobed: Vec<String> = store
                .server_channel_ids()
                .unwrap_or_default()
                .into_iter()
                .filter(|c| store.conversation_of(c).ok().flatten().is_none())
                .take(PROBES_PER_SYNC)
                .collect();
            for channel in unprobed {
                match self.conversation_of(&channel).await {
                    Ok(Some(conv)) => {
                        if let Some(n) = map.get(&conv) {
                            by_channel.insert(channel, *n);
                            resolved += 1;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::debug!(error = %e, "conversation probe failed"),
                }
            }
        }
        self.inner.is_unresolved.store(
            resolved < unknown.len(),
            std::sync::atomic::Ordering::Relaxed,
        );
        let mut channels: Vec<String> = self
            .entries()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.channel_id)
            .collect();
        channels.extend(by_channel.keys().cloned());
        channels.sort();
        channels.dedup();
        let mut pointer_checks = 0;
        for channel in channels {
            let Ok(mut e) = store.unread_entry(&channel) else {
                continue;
            };
            if e.is_manual || started - e.changed_at < FRESH_MS {
                continue;
            }
            if let Some(&n) = by_channel.get(&channel) {
                if n != e.unread {
                    e.unread = n;
                    // Where the count starts is the server's to know; the divider counts back.
                    e.last_read_id = None;
                    let _ = store.save_unread(&e);
                }
            } else if e.unread > 0 && pointer_checks < POINTER_CHECKS_PER_SYNC {
                pointer_checks += 1;
                let Some(conv) = store.conversation_of(&channel).ok().flatten() else {
                    continue;
                };
                let Ok(pointer) = self.inner.client.last_read(&conv).await else {
                    continue;
                };
                let newest = store.newest_message_id(&channel).ok().flatten();
                // Unlisted and read elsewhere up to (at least) the newest message cached here.
                // Without a pointer the conversation may simply be one the reference never
                // lists: keep counting here.
                if let Some(p) = pointer.last_read_message_id {
                    if newest.as_deref().is_none_or(|n| cmp_ids(&p, n).is_ge()) {
                        e.unread = 0;
                        e.last_read_id = Some(p);
                        let _ = store.save_unread(&e);
                    }
                }
            }
        }
        self.publish();
        Ok(self.entries().unwrap_or_default())
    }

    /// Syncs again when the last sync left conversations unmatched (call it when channel
    /// lists were cached: they are what conversations are matched against).
    ///
    /// # Errors
    /// As [`UnreadTracker::sync`].
    pub async fn sync_if_unresolved(&self) -> Result<(), ClientError> {
        if self
            .inner
            .is_unresolved
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            self.sync().await?;
        }
        Ok(())
    }

    fn known_channels(&self) -> Vec<String> {
        let mut out = self.inner.store.server_channel_ids().unwrap_or_default();
        out.extend(
            self.inner
                .store
                .dm_channels()
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.id),
        );
        out
    }

    /// Sends every queued ack now (the worker does this every [`ACK_INTERVAL`]); returns how
    /// many were sent. Failed ones stay queued.
    pub async fn flush_acks(&self) -> usize {
        flush(&self.inner, self).await
    }
}

/// The id just before `id` (snowflakes are integers), for a divider before the first message.
fn previous_id(id: &str) -> Option<String> {
    id.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .map(|n| n.to_string())
}

async fn flush(inner: &Arc<Inner>, tracker: &UnreadTracker) -> usize {
    let batch: Vec<(String, String)> = lock(&inner.pending).drain().collect();
    let mut sent = 0;
    for (channel, message) in batch {
        let result = match tracker.conversation_of(&channel).await {
            Ok(Some(conv)) => inner
                .client
                .ack_conversation(&conv, &message)
                .await
                .map(drop),
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => sent += 1,
            Err(e)
                if matches!(
                    e.retry,
                    crate::RetryKind::Permanent | crate::RetryKind::Reauthenticate
                ) =>
            {
                tracing::debug!(error = %e, "ack refused; dropped");
            }
            Err(e) => {
                tracing::debug!(error = %e, "ack failed; kept for the next round");
                let mut pending = lock(&inner.pending);
                let slot = pending.entry(channel).or_default();
                if slot.is_empty() || cmp_ids(&message, slot).is_gt() {
                    *slot = message;
                }
            }
        }
    }
    sent
}

async fn ack_worker(weak: Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if lock(&inner.pending).is_empty() {
            // Wake on a new ack, or now and then to notice that the tracker was dropped (the
            // state stays alive at most this long after the last handle goes).
            let _ = tokio::time::timeout(Duration::from_secs(5), inner.wake.notified()).await;
        }
        drop(inner);
        tokio::time::sleep(ACK_INTERVAL).await;
        let Some(inner) = weak.upgrade() else { return };
        let tracker = UnreadTracker { inner };
        flush(&tracker.inner, &tracker).await;
    }
}
