//! The real-time gateway connection (PROTOCOL.md §7).
//!
//! # Using it
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use plexichat_core::gateway::*;
//! # async fn demo(history: Arc<dyn HistorySource>, verifier: Arc<dyn TokenVerifier>) -> Result<(), Error> {
//! let config = GatewayConfig::from_base_url("https://api.plexichat.com/api/v1")?;
//! let (handle, mut updates) = Gateway::connect(config, Token::new("…"), history, verifier);
//! handle.track_channel("384004134547886080", Some("1575174512457027584".into()));
//! while let Some(update) = updates.recv().await {
//!     match update {
//!         GatewayUpdate::State(state) => { /* render the connection banner */ }
//!         GatewayUpdate::Event(event) => { /* apply to chat state */ }
//!     }
//! }
//! handle.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! [`Gateway::connect`] spawns one task that owns the connection (twilight-style: one state
//! enum, one loop, see [`GatewayState`]) and returns a [`GatewayHandle`] plus a receiver of
//! [`GatewayUpdate`]s: connection states as [`UiState`] (`connecting`, `ready`,
//! `reconnecting{attempt,next_at}`, `offline{reason}`, `bug_report` for close 4013,
//! `login_required` for `SECURITY_LOGOUT` or a token REST confirms invalid) and chat
//! [`Event`]s. The receiver ends when the task stops.
//!
//! # What it guarantees
//!
//! - HELLO → IDENTIFY (raw token, intents 1900543, optional zlib-stream compression with one
//!   inflater per socket) or RESUME when the session is inside its window; op 9 → IDENTIFY on
//!   the same socket; presence re-sent after READY and RESUMED.
//! - First heartbeat at a random fraction of the interval; a beat due while the previous one
//!   is unacknowledged, or a wall-clock jump (suspend/resume), replaces the socket.
//! - Every close code has a policy ([`CloseCode::action`]); reconnects use full-jitter
//!   exponential backoff whose attempt count resets after a stable connection.
//! - After every READY/RESUMED, a sequence gap, an unreadable frame, or
//!   [`GatewayHandle::catch_up_now`], the messages after the last delivered one in every
//!   tracked channel are fetched from the [`HistorySource`] (paging until done) and merged
//!   with live events: each message id is delivered once, in id order per channel.
//! - Outbound frames stay under 64 KiB.

mod backoff;
mod catch_up;
mod close_code;
mod connection;
mod frame;
mod heartbeat;
mod inflate;
mod rest;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use ts_rs::TS;
use url::Url;

/// The session token IDENTIFY and RESUME send raw (no `Bearer`); it never prints.
pub use crate::session::Token;
pub use catch_up::{HistoryError, HistorySource, TokenStatus, TokenVerifier};
pub use close_code::{CloseAction, CloseCode};
pub use frame::{FrameTooLarge, DEFAULT_INTENTS, MAX_OUTBOUND_FRAME};
pub use inflate::InflateError;
pub use state::GatewayState;

use crate::event::Event;
use crate::ui_state::UiState;

/// Fuzzing and benchmark entry points; not a stable API.
#[doc(hidden)]
pub mod testing {
    /// Inflates a sequence of binary frames with one fresh inflater (one socket's stream);
    /// returns the messages completed so far, or the first error. Never panics.
    ///
    /// # Errors
    /// The stream is corrupt or a message is too large.
    pub fn inflate_frames(frames: &[&[u8]]) -> Result<Vec<Vec<u8>>, super::InflateError> {
        let mut inflater = super::inflate::Inflater::new();
        let mut out = Vec::new();
        for frame in frames {
            if let Some(message) = inflater.push(frame)? {
                out.push(message);
            }
        }
        Ok(out)
    }

    /// Decodes a frame and, for a dispatch, its typed event; never panics.
    ///
    /// # Errors
    /// The frame or payload is malformed.
    pub fn decode_event(text: &str) -> Result<Option<crate::event::Event>, String> {
        match super::frame::decode(text).map_err(|e| e.to_string())? {
            super::frame::Inbound::Dispatch {
                name,
                data: Some(d),
                ..
            } => crate::event::Event::from_dispatch(&name, d).map_err(|e| e.to_string()),
            _ => Ok(None),
        }
    }
    /// The gateway's per-channel dedupe, for benchmarks.
    #[derive(Default)]
    pub struct Dedupe(super::catch_up::Timeline);

    impl Dedupe {
        /// `true` when the message is new and would be delivered.
        pub fn accept(&mut self, m: &crate::model::Message) -> bool {
            self.0.accept(&m.channel_id, &m.id)
        }
    }
}

/// What the user shows to others (op 3). Not exported to TypeScript: the UI sets presence
/// through its own command arguments, and `api::types::Presence` owns the name there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// `online`, `idle`, `dnd` or `invisible`.
    pub status: String,
    /// Custom status text.
    #[serde(default)]
    pub custom_status: Option<String>,
}

/// One item on the updates receiver. Serialises untagged: a [`UiState`] (`{"state": …}`) or
/// an [`Event`] (`{"type": …}`), which is what `plexi tail` prints, one per line.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum GatewayUpdate {
    /// The connection state changed.
    State(UiState),
    /// Chat data changed.
    Event(Event),
}

/// Gateway errors surfaced to callers of [`GatewayHandle`] and [`GatewayConfig`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The frame would be closed by the server with 4002.
    #[error(transparent)]
    FrameTooLarge(#[from] FrameTooLarge),
    /// The base URL cannot be turned into a gateway URL.
    #[error("invalid server URL: {0}")]
    InvalidUrl(String),
    /// The connection task has stopped (shutdown or a fatal state).
    #[error("the gateway connection has stopped")]
    Stopped,
}

/// Tunables; the defaults follow the reference server (PROTOCOL.md §7).
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// `ws(s)://host/gateway`; always re-dialed (READY's `resume_gateway_url` is a placeholder).
    pub url: Url,
    /// Intent bits for IDENTIFY.
    pub intents: u64,
    /// Ask for zlib-stream compression.
    pub compress: bool,
    /// Presence sent after every READY/RESUMED.
    pub presence: Option<Presence>,
    /// First backoff ceiling.
    pub backoff_base: Duration,
    /// Largest backoff ceiling.
    pub backoff_cap: Duration,
    /// A connection active this long resets the backoff.
    pub stable_after: Duration,
    /// After this many consecutive failed attempts the state is `Offline` instead of
    /// `Reconnecting` (retries go on).
    pub offline_after_attempts: u32,
    /// How long after a loss RESUME is tried (the server keeps sessions ~60 s).
    pub resume_window: Duration,
    /// Limit for dialing, HELLO, sends and REST token checks.
    pub connect_timeout: Duration,
    /// A wall-clock vs monotonic-clock disagreement above this means the machine slept.
    pub time_jump_threshold: Duration,
    /// How often the clocks are compared.
    pub time_check_every: Duration,
    /// Catch-up page size (1..=100).
    pub catch_up_page_size: u8,
    /// Catch-up stops after this many pages per channel.
    pub catch_up_max_pages: u32,
    /// How many of a channel's newest pages catch-up lists again to recover edits, deletes,
    /// reactions and pins missed in a gap (0: new messages only).
    pub catch_up_refresh_pages: u32,
    /// Seeds the jitter (tests); `None` uses the OS RNG.
    pub seed: Option<u64>,
}

impl GatewayConfig {
    /// Defaults for a gateway URL.
    #[must_use]
    pub fn new(url: Url) -> Self {
        Self {
            url,
            intents: DEFAULT_INTENTS,
            compress: false,
            presence: None,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            stable_after: Duration::from_secs(60),
            offline_after_attempts: 5,
            resume_window: Duration::from_secs(55),
            connect_timeout: Duration::from_secs(15),
            time_jump_threshold: Duration::from_secs(10),
            time_check_every: Duration::from_secs(2),
            catch_up_page_size: 100,
            catch_up_max_pages: 50,
            catch_up_refresh_pages: 2,
            seed: None,
        }
    }

    /// Derives `ws(s)://host[:port]/gateway` from a server or REST base URL such as
    /// `https://api.plexichat.com/api/v1` or `http://127.0.0.1:8000`.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for anything that is not an absolute http(s) or ws(s) URL.
    pub fn from_base_url(base: &str) -> Result<Self, Error> {
        let mut url = Url::parse(base).map_err(|e| Error::InvalidUrl(e.to_string()))?;
        let scheme = match url.scheme() {
            "http" | "ws" => "ws",
            "https" | "wss" => "wss",
            other => return Err(Error::InvalidUrl(format!("unsupported scheme {other}"))),
        };
        url.set_scheme(scheme)
            .map_err(|()| Error::InvalidUrl("cannot set scheme".into()))?;
        url.set_path("/gateway");
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self::new(url))
    }
}

/// Commands from handles to the connection task.
#[derive(Debug)]
pub(crate) enum Command {
    ReconnectNow,
    SetPresence(Presence),
    Track {
        channel_id: String,
        last_seen: Option<String>,
    },
    Untrack {
        channel_id: String,
    },
    CatchUpNow,
    Shutdown,
}

/// Entry point.
pub struct Gateway;

impl Gateway {
    /// Starts the connection task (on the current tokio runtime) and returns its handle and
    /// the receiver of states and events.
    ///
    /// # Panics
    /// When called outside a tokio runtime.
    #[must_use]
    pub fn connect(
        config: GatewayConfig,
        token: Token,
        history: Arc<dyn HistorySource>,
        verifier: Arc<dyn TokenVerifier>,
    ) -> (GatewayHandle, UnboundedReceiver<GatewayUpdate>) {
        // Unbounded on purpose: a slow consumer must never stall heartbeats into a zombie.
        let (updates_tx, updates_rx) = mpsc::unbounded_channel();
        let (commands_tx, commands_rx) = mpsc::unbounded_channel();
        let connection =
            connection::Connection::new(config, token, history, verifier, updates_tx, commands_rx);
        let task = tokio::spawn(connection.run());
        let handle = GatewayHandle {
            commands: commands_tx,
            task: Arc::new(Mutex::new(Some(task))),
        };
        (handle, updates_rx)
    }
}

/// Controls a running connection; cheap to clone.
#[derive(Debug, Clone)]
pub struct GatewayHandle {
    commands: UnboundedSender<Command>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl GatewayHandle {
    fn command(&self, cmd: Command) -> Result<(), Error> {
        self.commands.send(cmd).map_err(|_| Error::Stopped)
    }

    /// The "reconnect now" action of the offline banner: drops any wait and dials at once
    /// (resuming when possible).
    ///
    /// # Errors
    /// [`Error::Stopped`] when the task has ended.
    pub fn reconnect_now(&self) -> Result<(), Error> {
        self.command(Command::ReconnectNow)
    }

    /// Sets the presence; sent now when identified, and again after every READY/RESUMED.
    ///
    /// # Errors
    /// [`Error::FrameTooLarge`] when the frame would reach 64 KiB; [`Error::Stopped`].
    pub fn set_presence(&self, presence: Presence) -> Result<(), Error> {
        frame::Outbound::Presence(&presence).encode()?;
        self.command(Command::SetPresence(presence))
    }

    /// Keeps `channel_id` repaired by catch-up. `last_seen` is the newest message id the UI
    /// already has (`"0"` for an empty channel); with `None`, repairs start after the first
    /// message the gateway delivers in it.
    ///
    /// # Errors
    /// [`Error::Stopped`].
    pub fn track_channel(
        &self,
        channel_id: impl Into<String>,
        last_seen: Option<String>,
    ) -> Result<(), Error> {
        self.command(Command::Track {
            channel_id: channel_id.into(),
            last_seen,
        })
    }

    /// Stops repairing `channel_id`.
    ///
    /// # Errors
    /// [`Error::Stopped`].
    pub fn untrack_channel(&self, channel_id: impl Into<String>) -> Result<(), Error> {
        self.command(Command::Untrack {
            channel_id: channel_id.into(),
        })
    }

    /// Fetches missed messages now (e.g. when the window regains focus): the server drops
    /// events silently, so an idle connection can hide a gap.
    ///
    /// # Errors
    /// [`Error::Stopped`].
    pub fn catch_up_now(&self) -> Result<(), Error> {
        self.command(Command::CatchUpNow)
    }

    /// Closes the socket (code 1000) and waits for the task to end.
    pub async fn shutdown(&self) {
        let _ = self.command(Command::Shutdown);
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Whether the connection task is still running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `now` plus `after`, saturating.
pub(crate) fn ms_after(now: i64, after: Duration) -> i64 {
    now.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_url_from_base_urls() {
        let c = GatewayConfig::from_base_url("https://api.plexichat.com/api/v1").unwrap();
        assert_eq!(c.url.as_str(), "wss://api.plexichat.com/gateway");
        let c = GatewayConfig::from_base_url("http://127.0.0.1:8000").unwrap();
        assert_eq!(c.url.as_str(), "ws://127.0.0.1:8000/gateway");
        assert!(GatewayConfig::from_base_url("ftp://x").is_err());
        assert!(GatewayConfig::from_base_url("not a url").is_err());
    }

    #[test]
    fn updates_serialise_as_plain_states_and_events() {
        let s = serde_json::to_string(&GatewayUpdate::State(UiState::Connecting)).unwrap();
        assert_eq!(s, r#"{"state":"connecting"}"#);
        let s = serde_json::to_string(&GatewayUpdate::Event(Event::Resumed)).unwrap();
        assert_eq!(s, r#"{"type":"resumed"}"#);
    }
}
