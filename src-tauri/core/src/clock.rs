//! Wall-clock helpers.
//!
//! [`crate::UiState`] carries absolute times (ms since the Unix epoch) so a countdown stays
//! right however late the UI renders it; waiting itself uses `tokio::time` so tests can run
//! on paused time. This module converts between the two.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::ui_state::TimestampMs;

/// Milliseconds since the Unix epoch, now.
#[must_use]
pub fn now_ms() -> TimestampMs {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The absolute time `after` from `now`, saturating instead of overflowing.
#[must_use]
pub fn ms_after(now: TimestampMs, after: Duration) -> TimestampMs {
    now.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX))
}
