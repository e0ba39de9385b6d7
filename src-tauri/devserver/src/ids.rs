//! Snowflake ids (epoch 2024-01-01, PROTOCOL.md §6), opaque tokens and the wall clock.
//!
//! Ids are `u64` inside the server and JSON strings on the wire. They only grow, so sorting by
//! id is sorting by creation time, which history paging relies on.

use base64::Engine;
use rand::RngCore;
use std::time::{SystemTime, UNIX_EPOCH};

/// 2024-01-01T00:00:00Z in ms.
pub(crate) const EPOCH_MS: u64 = 1_704_067_200_000;

/// Wall clock in ms since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Hands out increasing snowflakes.
#[derive(Debug, Default)]
pub(crate) struct IdGen {
    last: u64,
    pinned_ms: Option<u64>,
}

impl IdGen {
    /// An id for something created now (or at the pinned time, see [`Self::pin`]).
    pub(crate) fn next(&mut self) -> u64 {
        self.next_at(self.pinned_ms.unwrap_or_else(now_ms))
    }

    /// Makes [`Self::next`] use a fixed past time (the demo seed), or the clock again.
    pub(crate) fn pin(&mut self, ms: Option<u64>) {
        self.pinned_ms = ms;
    }

    /// An id whose timestamp part is `ms` (used by the seed for history in the past); never
    /// smaller than one already given out.
    pub(crate) fn next_at(&mut self, ms: u64) -> u64 {
        let candidate = ms.saturating_sub(EPOCH_MS) << 22;
        self.last = candidate.max(self.last + 1);
        self.last
    }
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 43-character base64url secret half of a token.
pub(crate) fn token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Parses an id path segment the way the reference does: digits only, else `None`.
/// Out-of-range numbers are valid syntax but can never exist, so they map to `Some(0)`.
pub(crate) fn parse_id(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.starts_with('-') {
        return Some(0);
    }
    Some(s.parse().unwrap_or(0))
}

/// Whether a token has the `<digits>.<43 base64url chars>` shape.
pub(crate) fn token_is_well_formed(token: &str) -> bool {
    let Some((sid, secret)) = token.split_once('.') else {
        return false;
    };
    !sid.is_empty()
        && sid.bytes().all(|b| b.is_ascii_digit())
        && secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_even_for_past_timestamps() {
        let mut g = IdGen::default();
        let a = g.next();
        let b = g.next_at(EPOCH_MS);
        assert!(b > a);
    }

    #[test]
    fn ids_carry_their_timestamp() {
        let mut g = IdGen::default();
        let at = EPOCH_MS + 5_000;
        assert_eq!(g.next_at(at) >> 22, 5_000);
        g.pin(Some(EPOCH_MS + 9_000));
        assert_eq!(g.next() >> 22, 9_000);
    }

    #[test]
    fn parse_id_follows_reference_quirks() {
        assert_eq!(parse_id("abc"), None);
        assert_eq!(parse_id("-1"), Some(0));
        assert_eq!(parse_id("123456789012345678901234567890"), Some(0));
        assert_eq!(parse_id("42"), Some(42));
    }

    #[test]
    fn token_shape() {
        let t = format!("123.{}", token_secret());
        assert!(token_is_well_formed(&t));
        assert!(!token_is_well_formed("garbage-token"));
    }
}
