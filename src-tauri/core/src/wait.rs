//! Long waits: rate limits that outlast the inline countdown (the server's hourly and daily
//! windows, PROTOCOL.md §3), remembered per server and action so a restart still shows them.
//!
//! A wait up to [`crate::retry::MAX_AUTO_WAIT`] is sat through by the request itself while a
//! countdown shows. A longer one comes back as an error whose state is `rate_limited`; the
//! caller turns it into a [`LongWait`] with [`LongWait::from_error`] and records it in a
//! [`WaitBook`], a small JSON file. The UI renders the wait ("Try again at 16:10") and retries
//! by itself at the end only when the user has changed nothing; after a restart the book still
//! knows the time, because the server still refuses until then.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ClientError;
use crate::retry::MAX_AUTO_WAIT;
use crate::ui_state::TimestampMs;
use crate::UiState;

/// The action a long wait holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WaitAction {
    /// Signing in (login 5/min + 20/h per address).
    SignIn,
    /// Creating an account (register 3/min + 10/h + 20/day per address).
    Register,
    /// Sending a message.
    Send,
    /// Uploading a file.
    Upload,
}

/// A rate limit that lasts longer than the inline countdown: what is limited and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LongWait {
    /// What is held back.
    pub action: WaitAction,
    /// The server root the limit belongs to (limits are per server and address).
    pub server_url: String,
    /// When the server accepts the action again (ms since the epoch).
    #[ts(type = "number")]
    pub retry_at: TimestampMs,
    /// The limiter's scope (`ip`, `route`, `resource`, `global`) when known.
    pub scope: Option<String>,
    /// A global limit holds back every request, not only this action.
    pub global: bool,
}

impl LongWait {
    /// The long wait an action's failure means, if it is one: a `rate_limited` state whose
    /// end is further away than the inline countdown goes.
    #[must_use]
    pub fn from_error(
        action: WaitAction,
        server_url: &str,
        error: &ClientError,
        now: TimestampMs,
    ) -> Option<Self> {
        let UiState::RateLimited {
            retry_at,
            scope,
            global,
        } = &error.state
        else {
            return None;
        };
        let inline_ms = i64::try_from(MAX_AUTO_WAIT.as_millis()).unwrap_or(i64::MAX);
        (*retry_at - now > inline_ms).then(|| Self {
            action,
            server_url: server_root(server_url).to_owned(),
            retry_at: *retry_at,
            scope: scope.clone(),
            global: *global,
        })
    }
}

/// The root of a server URL as the user typed it, without a trailing slash or `/api/v1`, so
/// the same server is one key however it was written.
#[must_use]
pub fn server_root(url: &str) -> &str {
    let url = url.trim().trim_end_matches('/');
    url.strip_suffix("/api/v1").unwrap_or(url)
}

/// The long waits still running, kept in one JSON file. Every method reads and writes the
/// file afresh (there are a handful of entries at most); a missing or garbled file is an
/// empty book, logged, never an error the user sees.
#[derive(Debug, Clone)]
pub struct WaitBook {
    path: PathBuf,
}

impl WaitBook {
    /// A book kept at `path` (created on the first record).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where the book is kept.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Vec<LongWait> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the long-wait file is unreadable; starting afresh");
                Vec::new()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the long-wait file");
                Vec::new()
            }
        }
    }

    fn write(&self, waits: &[LongWait]) {
        let result = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                let json = serde_json::to_vec(waits).map_err(std::io::Error::other)?;
                let tmp = self.path.with_extension("tmp");
                std::fs::write(&tmp, json)?;
                std::fs::rename(&tmp, &self.path)
            });
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot write the long-wait file");
        }
    }

    /// The waits of `server_url` that have not ended by `now`.
    #[must_use]
    pub fn active(&self, server_url: &str, now: TimestampMs) -> Vec<LongWait> {
        let root = server_root(server_url);
        self.read()
            .into_iter()
            .filter(|w| w.server_url == root && w.retry_at > now)
            .collect()
    }

    /// Records `wait`, replacing an earlier one for the same server and action, and drops
    /// every wait that has ended.
    pub fn record(&self, wait: &LongWait, now: TimestampMs) {
        let mut waits: Vec<LongWait> = self
            .read()
            .into_iter()
            .filter(|w| {
                w.retry_at > now && !(w.server_url == wait.server_url && w.action == wait.action)
            })
            .collect();
        waits.push(wait.clone());
        self.write(&waits);
    }

    /// Forgets the wait of `action` on `server_url` (the action went through).
    pub fn clear(&self, server_url: &str, action: WaitAction) {
        let root = server_root(server_url);
        let waits = self.read();
        let kept: Vec<LongWait> = waits
            .iter()
            .filter(|w| !(w.server_url == root && w.action == action))
            .cloned()
            .collect();
        if kept.len() != waits.len() {
            self.write(&kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const NOW: TimestampMs = 1_000_000;

    fn limited(after_ms: i64) -> ClientError {
        ClientError::rejected(
            UiState::RateLimited {
                retry_at: NOW + after_ms,
                scope: Some("route".into()),
                global: false,
            },
            "rate limited",
        )
    }

    #[test]
    fn a_wait_past_the_inline_countdown_is_a_long_wait() {
        let wait = LongWait::from_error(
            WaitAction::SignIn,
            "http://h:1/api/v1/",
            &limited(25 * 60_000),
            NOW,
        )
        .expect("a 25 min wait is long");
        assert_eq!(wait.server_url, "http://h:1");
        assert_eq!(wait.retry_at, NOW + 25 * 60_000);
        assert_eq!(wait.scope.as_deref(), Some("route"));
    }

    #[test]
    fn a_short_wait_or_another_failure_is_not() {
        assert!(
            LongWait::from_error(WaitAction::SignIn, "http://h", &limited(34_000), NOW).is_none()
        );
        let other = ClientError::rejected(UiState::Connecting, "x");
        assert!(LongWait::from_error(WaitAction::SignIn, "http://h", &other, NOW).is_none());
        assert_eq!(MAX_AUTO_WAIT, Duration::from_secs(60));
    }

    #[test]
    fn the_book_keeps_waits_per_server_and_action_across_instances() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/waits.json");
        let book = WaitBook::new(&path);
        let wait = |action, server: &str, retry_at| LongWait {
            action,
            server_url: server.into(),
            retry_at,
            scope: None,
            global: false,
        };
        book.record(&wait(WaitAction::SignIn, "http://a", NOW + 10), NOW);
        book.record(&wait(WaitAction::Register, "http://a", NOW + 20), NOW);
        book.record(&wait(WaitAction::SignIn, "http://b", NOW + 30), NOW);
        // A later answer replaces the earlier wait of the same action.
        book.record(&wait(WaitAction::SignIn, "http://a", NOW + 40), NOW);
        let again = WaitBook::new(&path);
        let mut a = again.active("http://a/", NOW);
        a.sort_by_key(|w| w.retry_at);
        assert_eq!(
            a.iter().map(|w| (w.action, w.retry_at)).collect::<Vec<_>>(),
            vec![
                (WaitAction::Register, NOW + 20),
                (WaitAction::SignIn, NOW + 40)
            ]
        );
        assert!(
            again.active("http://a", NOW + 40).is_empty(),
            "ended waits are gone"
        );
        again.clear("http://b", WaitAction::SignIn);
        assert!(again.active("http://b", NOW).is_empty());
    }

    #[test]
    fn a_garbled_file_is_an_empty_book() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("waits.json");
        std::fs::write(&path, b"{not json").unwrap();
        let book = WaitBook::new(&path);
        assert!(book.active("http://a", NOW).is_empty());
        book.record(
            &LongWait {
                action: WaitAction::Send,
                server_url: "http://a".into(),
                retry_at: NOW + 5,
                scope: None,
                global: false,
            },
            NOW,
        );
        assert_eq!(book.active("http://a", NOW).len(), 1);
    }
}
