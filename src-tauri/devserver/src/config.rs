//! Configuration of one devserver instance: what it seeds, how strict it is and how fast its
//! clocks run. Every field has a default that mirrors the reference server (PROTOCOL.md), so a
//! test only sets what it is about.

use std::net::SocketAddr;

/// How much data the server starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// No users, servers or messages: tests create what they need.
    #[default]
    Empty,
    /// alice, bob and carol, two servers, ~500 messages, a DM and a pending friend request.
    Demo,
}

/// Windows are multiplied by this when [`DevServerConfig::fast_limits`] is on: a 60 s login
/// window becomes 3 s and the hourly cap 3 min, so tests reach every limit in seconds.
pub const FAST_LIMIT_SCALE: f64 = 0.05;

/// Everything a devserver instance can be told at start.
#[derive(Debug, Clone)]
pub struct DevServerConfig {
    /// Where to listen; port 0 picks a free port (see `DevServerHandle::addr`).
    pub addr: SocketAddr,
    /// Initial data.
    pub seed: Seed,
    /// Version the server reports (`GET /version`).
    pub server_version: String,
    /// Oldest client version accepted by `POST /version/negotiate`.
    pub min_version: String,
    /// Scale every rate-limit window by [`FAST_LIMIT_SCALE`].
    pub fast_limits: bool,
    /// Enforce rate limits at all (headers are sent either way).
    pub rate_limits: bool,
    /// HELLO's `heartbeat_interval`; a socket silent for twice this is closed with 4009.
    pub heartbeat_interval_ms: u64,
    /// How long a disconnected gateway session can still be resumed.
    pub resume_window_ms: u64,
    /// Replay events missed while disconnected on RESUME (the intended behaviour). `false`
    /// reproduces the reference server, which answers RESUMED but replays nothing.
    pub replay_on_resume: bool,
    /// Per-socket outbound dispatch cap per minute; events past it are dropped silently like the
    /// reference server does at ~120/min. `None` (default) never drops.
    pub max_events_per_minute: Option<u32>,
    /// Wrong passwords that lock an account.
    pub lockout_attempts: u32,
    /// How long a lockout lasts.
    pub lockout_ms: u64,
    /// Lifetime of a 2FA challenge token.
    pub challenge_ttl_ms: u64,
    /// Run the demo bot that posts in #general.
    pub bot: bool,
    /// Pause between two bot messages.
    pub bot_interval_ms: u64,
    /// Answer the routes the reference server gets wrong as its docs intend: message search
    /// finds messages (the reference answers 500 / `[]`). `false` (default) reproduces the
    /// reference server (messaging.txt).
    pub as_documented: bool,
}

impl Default for DevServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::Empty,
            server_version: "a.1.0-132".to_owned(),
            min_version: "a.1.0-1".to_owned(),
            fast_limits: false,
            rate_limits: true,
            heartbeat_interval_ms: 45_000,
            resume_window_ms: 60_000,
            replay_on_resume: true,
            max_events_per_minute: None,
            lockout_attempts: 5,
            lockout_ms: 15 * 60 * 1000,
            challenge_ttl_ms: 5 * 60 * 1000,
            bot: false,
            bot_interval_ms: 4_000,
            as_documented: false,
        }
    }
}

impl DevServerConfig {
    /// The demo mode: seeded data and a bot that keeps #general alive.
    #[must_use]
    pub fn demo() -> Self {
        Self {
            seed: Seed::Demo,
            bot: true,
            ..Self::default()
        }
    }

    /// For tests: no seed, fast rate limits and a 1 s heartbeat so timeouts happen quickly.
    #[must_use]
    pub fn for_tests() -> Self {
        Self {
            fast_limits: true,
            heartbeat_interval_ms: 1_000,
            ..Self::default()
        }
    }

    /// A window length after [`Self::fast_limits`] scaling.
    pub(crate) fn scaled_window_ms(&self, window_ms: u64) -> u64 {
        if self.fast_limits {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let scaled = (window_ms as f64 * FAST_LIMIT_SCALE) as u64;
            scaled.max(1)
        } else {
            window_ms
        }
    }
}
