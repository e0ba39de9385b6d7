//! The outbox: every send is written to SQLite before it is attempted, delivered per channel
//! in order, and deleted only after the server confirmed it.
//!
//! Flow (matrix-rust-sdk's send queue, STYLE.md §1.2):
//! 1. [`Outbox::enqueue`] writes a `queued` row ([`crate::store::outbox`]), emits
//!    [`OutboxUpdate::Queued`] and wakes the channel's worker ([`worker`]).
//! 2. The worker takes the oldest row of its channel that is not failed, marks it `sending`
//!    (a crash from here on means "maybe sent": checked before any resend), and calls the
//!    [`Client`].
//! 3. Success deletes the row and emits [`OutboxUpdate::Sent`] with the server's message.
//!    A recoverable failure (offline, 5xx, rate limit) puts it back to `queued` and the
//!    channel waits (`retry_at` respected) before trying the same row again, so nothing
//!    behind it overtakes it. A permanent one (400, 403, content rejected) marks it `failed`
//!    with the reason; it keeps its text and is skipped until [`Outbox::retry`],
//!    [`Outbox::edit`] or [`Outbox::cancel`].
//! 4. A failure that may have reached the server (timeout after the request left, a reset
//!    connection) is never resent blindly: the next attempt first looks in the channel's
//!    history after the newest message known before the send for the same author and text
//!    (PROTOCOL.md §6: there is no nonce).
//!
//! Invariants: the database is written before every update is emitted (a subscriber never
//! sees a state the disk does not have); [`Outbox::open`] respawns every queue that still has
//! rows; dropping the last [`Outbox`] handle stops the workers.
//!
//! ```no_run
//! # async fn demo(client: plexichat_core::Client) -> Result<(), plexichat_core::outbox::Error> {
//! use plexichat_core::outbox::{Outbox, OutboxItem, OutboxUpdate};
//! use plexichat_core::store::Store;
//!
//! let store = Store::open_default("https://api.plexichat.com", "384002868824379392", "alice")?;
//! let outbox = Outbox::open(store, client).await?;
//! let (pending, mut updates) = outbox.subscribe()?;
//! println!("{} sends still pending from last time", pending.len());
//! let local_id = outbox.enqueue("1234", OutboxItem::Text { content: "hi".into() })?;
//! while let Ok(update) = updates.recv().await {
//!     if let OutboxUpdate::Sent { local_id: id, message } = &update {
//!         if *id == local_id {
//!             println!("delivered as {:?}", message.as_ref().map(|m| &m.id));
//!             break;
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

mod item;
pub mod schedule;
mod worker;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};
use tokio::task::JoinHandle;

use crate::retry::Backoff;
use crate::store::{self, OutboxRow, Store};
use crate::ui_state::UiState;
use crate::Client;

pub use item::{OutboxEntry, OutboxItem, OutboxState, OutboxUpdate};

/// Why an outbox call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The local database failed; nothing was queued.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// No entry has this id (already sent or cancelled).
    #[error("no pending send {0}")]
    NotFound(i64),
    /// The entry is being sent right now and cannot be changed.
    #[error("send {0} is in flight")]
    InFlight(i64),
    /// Only a failed entry can be retried.
    #[error("send {0} has not failed")]
    NotFailed(i64),
    /// The request was refused before anything was stored (a scheduled message that is
    /// empty, too long or not in the future).
    #[error("{0}")]
    Invalid(crate::ClientError),
    /// The item could not be encoded.
    #[error("outbox item: {0}")]
    Encode(#[from] serde_json::Error),
    /// Another [`Outbox`] of this process already works on this database: two would send
    /// every entry twice.
    #[error("an outbox is already open on {0}")]
    AlreadyOpen(String),
}

/// Database files with a live [`Outbox`] in this process.
static OPEN_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Claims `store`'s file for one outbox; in-memory stores are private to their handle.
fn claim(store: &Store) -> Result<Option<PathBuf>, Error> {
    let Some(path) = store.path() else {
        return Ok(None);
    };
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mut open = OPEN_FILES.lock().unwrap_or_else(PoisonError::into_inner);
    if open.contains(&path) {
        return Err(Error::AlreadyOpen(path.display().to_string()));
    }
    open.push(path.clone());
    Ok(Some(path))
}

/// Outbox timing.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// Waits between attempts of a channel's head after recoverable failures.
    pub backoff: Backoff,
    /// Pause after an ambiguous failure before looking for the message in history, so that
    /// a request still being processed has landed.
    pub ambiguity_grace: Duration,
    /// Messages fetched when looking for an ambiguous send (the server's page limit is 100).
    pub history_window: u32,
    /// Capacity of the update channel; a receiver that falls further behind gets `Lagged`
    /// and should take a new snapshot with [`Outbox::subscribe`].
    pub update_capacity: usize,
    /// How often the scheduler looks for due messages the server holds (scheduled from
    /// another device); `None` never does (tests that count requests).
    pub adopt_every: Option<Duration>,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            backoff: Backoff {
                base: Duration::from_millis(500),
                cap: Duration::from_secs(30),
                max_attempts: u32::MAX,
            },
            ambiguity_grace: Duration::from_secs(2),
            history_window: 100,
            update_capacity: 1024,
            adopt_every: Some(Duration::from_secs(60)),
        }
    }
}

/// Per-channel wake-ups.
#[derive(Debug, Default)]
struct Wakers {
    /// New work: wakes an idle worker.
    work: Notify,
    /// Retry now: also cuts a backoff wait short (user "retry", network back).
    kick: Notify,
}

/// What the lock guards: which rows are in flight. Held while a row is written and its
/// update emitted, so snapshots and updates never interleave.
#[derive(Debug, Default)]
struct Gate {
    in_flight: HashSet<i64>,
    /// In-flight rows whose file is still going up: cancelling one stops the upload.
    uploading: HashMap<i64, Arc<worker::UploadCancel>>,
}

#[derive(Debug)]
struct Shared {
    store: Store,
    client: Client,
    config: OutboxConfig,
    updates: broadcast::Sender<OutboxUpdate>,
    gate: Mutex<Gate>,
    wakers: Mutex<HashMap<String, Arc<Wakers>>>,
    me: Mutex<Option<String>>,
    /// Wakes the scheduler: a scheduled message was added or changed.
    scheduler: Notify,
    /// Makes the scheduler look at the server's list now.
    adopt_now: Notify,
}

impl Shared {
    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.gate.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn emit(&self, update: OutboxUpdate) {
        // No receiver is fine: the disk has the state.
        let _ = self.updates.send(update);
    }

    fn wakers(&self, channel_id: &str) -> Arc<Wakers> {
        self.wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(channel_id.to_owned())
            .or_default()
            .clone()
    }
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    workers: Mutex<HashMap<String, JoinHandle<()>>>,
    scheduler: Mutex<Option<JoinHandle<()>>>,
    claimed: Option<PathBuf>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(path) = &self.claimed {
            OPEN_FILES
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|p| p != path);
        }
        if let Some(task) = self
            .scheduler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
        // A worker cut mid-request leaves its row `sending`: the next open checks history
        // before resending it.
        for (_, task) in self
            .workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
        {
            task.abort();
        }
    }
}

/// The persisted, per-channel ordered send queue; cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    inner: Arc<Inner>,
}

impl Outbox {
    /// Opens the outbox over `store` and resumes every channel that still has pending sends.
    /// Must be called inside a Tokio runtime (it spawns the workers).
    ///
    /// # Errors
    /// [`Error::Store`] when the pending rows cannot be read, [`Error::AlreadyOpen`] when
    /// another live outbox of this process uses the same file.
    pub async fn open(store: Store, client: Client) -> Result<Self, Error> {
        Self::open_with(store, client, OutboxConfig::default()).await
    }

    /// Like [`Outbox::open`] with explicit timing.
    ///
    /// # Errors
    /// See [`Outbox::open`].
    pub async fn open_with(
        store: Store,
        client: Client,
        config: OutboxConfig,
    ) -> Result<Self, Error> {
        let channels = store.outbox_channels()?;
        let claimed = claim(&store)?;
        let (updates, _) = broadcast::channel(config.update_capacity.max(1));
        let outbox = Self {
            inner: Arc::new(Inner {
                shared: Arc::new(Shared {
                    store,
                    client,
                    config,
                    updates,
                    gate: Mutex::new(Gate::default()),
                    wakers: Mutex::new(HashMap::new()),
                    me: Mutex::new(None),
                    scheduler: Notify::new(),
                    adopt_now: Notify::new(),
                }),
                workers: Mutex::new(HashMap::new()),
                scheduler: Mutex::new(None),
                claimed,
            }),
        };
        for channel in channels {
            outbox.ensure_worker(&channel);
        }
        // Messages due while the app was closed go out now (marked late).
        let task = tokio::spawn(schedule::run(Arc::downgrade(&outbox.inner)));
        *outbox
            .inner
            .scheduler
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(task);
        Ok(outbox)
    }

    /// Writes `item` for `channel_id` and wakes that channel's queue; returns the local id.
    /// The row is on disk before this returns and before any attempt.
    ///
    /// # Errors
    /// [`Error::Store`] (nothing was queued: keep the composer's text).
    pub fn enqueue(&self, channel_id: &str, item: OutboxItem) -> Result<i64, Error> {
        let shared = &self.inner.shared;
        let json = serde_json::to_string(&item)?;
        let local_id = {
            let _gate = shared.gate();
            let row = shared.store.insert_outbox(channel_id, &json)?;
            shared.emit(OutboxUpdate::Queued {
                entry: OutboxEntry {
                    local_id: row.local_id,
                    channel_id: row.channel_id,
                    item,
                    state: OutboxState::Queued,
                    created_at: row.created_at,
                },
            });
            row.local_id
        };
        self.ensure_worker(channel_id);
        shared.wakers(channel_id).work.notify_one();
        Ok(local_id)
    }

    /// Queues a failed entry again, at its original place in its channel's order.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::NotFailed`], [`Error::Store`].
    pub fn retry(&self, local_id: i64) -> Result<(), Error> {
        let shared = &self.inner.shared;
        let channel = {
            let _gate = shared.gate();
            let row = shared
                .store
                .outbox_row(local_id)?
                .ok_or(Error::NotFound(local_id))?;
            if row.state != store::outbox::FAILED {
                return Err(Error::NotFailed(local_id));
            }
            shared
                .store
                .set_outbox_state(local_id, store::outbox::QUEUED, None, false)?;
            shared.emit(OutboxUpdate::Retrying { local_id });
            row.channel_id
        };
        self.ensure_worker(&channel);
        let wakers = shared.wakers(&channel);
        wakers.work.notify_one();
        wakers.kick.notify_one();
        Ok(())
    }

    /// Replaces the item of a queued or failed entry (the user edited it) and queues it.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::InFlight`], [`Error::Store`].
    pub fn edit(&self, local_id: i64, item: OutboxItem) -> Result<(), Error> {
        let shared = &self.inner.shared;
        let json = serde_json::to_string(&item)?;
        let channel = {
            let gate = shared.gate();
            if gate.in_flight.contains(&local_id) {
                return Err(Error::InFlight(local_id));
            }
            let row = shared
                .store
                .outbox_row(local_id)?
                .ok_or(Error::NotFound(local_id))?;
            shared.store.set_outbox_item(local_id, &json)?;
            shared.store.set_outbox_state(
                local_id,
                store::outbox::QUEUED,
                None,
                row.needs_check,
            )?;
            shared.emit(OutboxUpdate::Retrying { local_id });
            row.channel_id
        };
        self.ensure_worker(&channel);
        let wakers = shared.wakers(&channel);
        wakers.work.notify_one();
        wakers.kick.notify_one();
        Ok(())
    }

    /// Removes an entry that is queued or failed, or a file still uploading (the upload
    /// stops; `cancelled` follows once it has); it will not be sent.
    ///
    /// # Errors
    /// [`Error::InFlight`] while a message for it is being posted (wait for its outcome),
    /// [`Error::NotFound`], [`Error::Store`].
    pub fn cancel(&self, local_id: i64) -> Result<(), Error> {
        let shared = &self.inner.shared;
        let gate = shared.gate();
        if gate.in_flight.contains(&local_id) {
            if let Some(upload) = gate.uploading.get(&local_id) {
                upload.cancel();
                return Ok(());
            }
            return Err(Error::InFlight(local_id));
        }
        if !shared.store.delete_outbox(local_id)? {
            return Err(Error::NotFound(local_id));
        }
        shared.emit(OutboxUpdate::Cancelled { local_id });
        Ok(())
    }

    /// Every pending entry in send order, and a receiver of every later change: nothing can
    /// slip between the snapshot and the first update.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn subscribe(
        &self,
    ) -> Result<(Vec<OutboxEntry>, broadcast::Receiver<OutboxUpdate>), Error> {
        let shared = &self.inner.shared;
        let _gate = shared.gate();
        let rows = shared.store.outbox_rows()?;
        Ok((
            rows.iter().filter_map(entry_of).collect(),
            shared.updates.subscribe(),
        ))
    }

    /// Every pending entry in send order.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn entries(&self) -> Result<Vec<OutboxEntry>, Error> {
        Ok(self.subscribe()?.0)
    }

    /// Ends every channel's wait now (call when the connection is back).
    pub fn wake_all(&self) {
        let wakers: Vec<_> = self
            .inner
            .shared
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for w in wakers {
            w.kick.notify_one();
        }
    }

    /// Starts (if needed) and wakes one channel's queue.
    fn wake_channel(&self, channel_id: &str) {
        self.ensure_worker(channel_id);
        self.inner.shared.wakers(channel_id).work.notify_one();
    }

    fn ensure_worker(&self, channel_id: &str) {
        let mut workers = self
            .inner
            .workers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if workers.get(channel_id).is_some_and(|t| !t.is_finished()) {
            return;
        }
        let shared = self.inner.shared.clone();
        let wakers = shared.wakers(channel_id);
        let task = tokio::spawn(worker::run(shared, channel_id.to_owned(), wakers));
        workers.insert(channel_id.to_owned(), task);
    }
}

/// The UI's view of a row; a row whose JSON no longer decodes is left out (and logged).
fn entry_of(row: &OutboxRow) -> Option<OutboxEntry> {
    let item = match serde_json::from_str(&row.item) {
        Ok(item) => item,
        Err(e) => {
            tracing::warn!(local_id = row.local_id, error = %e, "undecodable outbox row");
            return None;
        }
    };
    let state = match row.state.as_str() {
        store::outbox::SENDING => OutboxState::Sending,
        store::outbox::FAILED => OutboxState::Failed {
            reason: row
                .reason
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or(UiState::BugReport {
                    message: "unknown send failure".into(),
                }),
        },
        _ => OutboxState::Queued,
    };
    Some(OutboxEntry {
        local_id: row.local_id,
        channel_id: row.channel_id.clone(),
        item,
        state,
        created_at: row.created_at,
    })
}
