//! Retry policy: full-jitter exponential backoff, and which requests may be repeated.
//!
//! A failed request is repeated only when its [`crate::error::RetryKind`] allows it and
//! repeating cannot duplicate an effect: idempotent methods (GET, PUT, DELETE, HEAD) are
//! retried on 5xx and network errors; a POST only when the server certainly did not act on
//! it (connection refused, 429). A POST that may have reached the server is never repeated
//! blindly: the caller gets the error and the user (or the outbox) decides.

use std::time::Duration;

use rand::Rng;

use crate::error::{ApiError, RetryKind};

/// The longest rate-limit wait a request sits through by itself. Longer waits (the server's
/// hourly windows) are reported as `rate_limited` with the real time instead, so nothing spins
/// for an hour (PROTOCOL.md §3).
pub const MAX_AUTO_WAIT: Duration = Duration::from_secs(60);

/// Backoff settings: delays grow as `base * 2^(attempt-1)`, capped, each drawn uniformly
/// from zero to that bound ("full jitter") so that clients do not retry in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Bound of the first delay.
    pub base: Duration,
    /// Largest delay.
    pub cap: Duration,
    /// Most attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_attempts: 4,
        }
    }
}

impl Backoff {
    /// No retries at all (tests that are not about retries, scripts).
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The upper bound of the delay after failed attempt number `attempt` (from 1).
    #[must_use]
    pub fn bound(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        self.base.saturating_mul(1u32 << exp).min(self.cap)
    }

    /// A random delay in `0..=bound(attempt)`.
    #[must_use]
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let bound = self.bound(attempt);
        let millis = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.random_range(0..=millis))
    }
}

/// Whether `method` may be sent twice without a second effect.
#[must_use]
pub fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::HEAD
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
            | reqwest::Method::OPTIONS
    )
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give up and report the error.
    Stop,
    /// Wait this long, then send again.
    RetryAfter(Duration),
}

/// Decides whether attempt number `attempt` (from 1) is followed by another.
///
/// `is_idempotent` is the request's own property (its method, or the caller's knowledge that
/// e.g. a typing POST is harmless to repeat).
#[must_use]
pub fn decide(
    err: &ApiError,
    kind: RetryKind,
    is_idempotent: bool,
    attempt: u32,
    backoff: &Backoff,
    rng: &mut impl Rng,
) -> Decision {
    let is_safe = is_idempotent || !err.may_have_reached_server();
    match kind {
        // A rate limit is waited out however many attempts were made: the server asked for it.
        RetryKind::At { after, .. }
            if after <= MAX_AUTO_WAIT && attempt < backoff.max_attempts.max(1) + 2 =>
        {
            Decision::RetryAfter(after)
        }
        RetryKind::Backoff if is_safe && attempt < backoff.max_attempts => {
            Decision::RetryAfter(backoff.delay(attempt, rng))
        }
        _ => Decision::Stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use reqwest::header::HeaderMap;

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn delays_grow_exponentially_up_to_the_cap_and_stay_within_the_bound() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
            max_attempts: 10,
        };
        assert_eq!(b.bound(1), Duration::from_millis(100));
        assert_eq!(b.bound(2), Duration::from_millis(200));
        assert_eq!(b.bound(4), Duration::from_millis(800));
        assert_eq!(b.bound(6), Duration::from_secs(2));
        assert_eq!(b.bound(u32::MAX), Duration::from_secs(2));
        let mut r = rng();
        let delays: Vec<_> = (0..200).map(|_| b.delay(3, &mut r)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
        // Full jitter: spread over the whole range, not clustered at the bound.
        assert!(delays.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(300)));
    }

    fn server_error() -> ApiError {
        ApiError::from_response(503, &HeaderMap::new(), b"")
    }

    #[test]
    fn a_post_that_may_have_reached_the_server_is_not_repeated() {
        let b = Backoff::default();
        let err = server_error();
        assert_eq!(
            decide(&err, RetryKind::Backoff, false, 1, &b, &mut rng()),
            Decision::Stop
        );
        assert_eq!(
            decide(
                &ApiError::Timeout,
                RetryKind::Backoff,
                false,
                1,
                &b,
                &mut rng()
            ),
            Decision::Stop
        );
        // Refused connection: the server never saw it.
        let refused = ApiError::Connect("refused".into());
        assert!(matches!(
            decide(&refused, RetryKind::Backoff, false, 1, &b, &mut rng()),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn idempotent_requests_retry_until_the_attempt_budget_is_spent() {
        let b = Backoff {
            max_attempts: 3,
            ..Backoff::default()
        };
        let err = server_error();
        assert!(matches!(
            decide(&err, RetryKind::Backoff, true, 1, &b, &mut rng()),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            decide(&err, RetryKind::Backoff, true, 2, &b, &mut rng()),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(&err, RetryKind::Backoff, true, 3, &b, &mut rng()),
            Decision::Stop
        );
        assert_eq!(
            decide(&err, RetryKind::Permanent, true, 1, &b, &mut rng()),
            Decision::Stop
        );
        assert_eq!(
            decide(&err, RetryKind::Reauthenticate, true, 1, &b, &mut rng()),
            Decision::Stop
        );
    }

    #[test]
    fn rate_limits_are_waited_out_even_for_posts_and_without_backoff() {
        let err = ApiError::from_response(429, &HeaderMap::new(), b"{}");
        let kind = RetryKind::At {
            after: Duration::from_secs(3),
            is_global: false,
        };
        assert_eq!(
            decide(&err, kind, false, 1, &Backoff::none(), &mut rng()),
            Decision::RetryAfter(Duration::from_secs(3))
        );
    }

    #[test]
    fn an_hourly_window_is_reported_not_waited() {
        let err = ApiError::from_response(429, &HeaderMap::new(), b"{}");
        let kind = RetryKind::At {
            after: Duration::from_secs(2788),
            is_global: false,
        };
        assert_eq!(
            decide(&err, kind, true, 1, &Backoff::default(), &mut rng()),
            Decision::Stop
        );
    }

    #[test]
    fn methods() {
        assert!(is_idempotent(&reqwest::Method::PUT));
        assert!(!is_idempotent(&reqwest::Method::POST));
        assert!(!is_idempotent(&reqwest::Method::PATCH));
    }
}
