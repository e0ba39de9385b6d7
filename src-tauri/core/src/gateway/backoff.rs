//! Full-jitter exponential backoff for reconnects.
//!
//! The delay before attempt `n` (from 0) is uniform in `[0, min(cap, base * 2^n))`, so a
//! server restart does not get every client back in the same instant. The attempt counter
//! resets only after a connection stayed up for `stable_after`; a socket that dies right after
//! READY keeps backing off instead of hammering the server.

use std::time::Duration;

use rand::Rng;

/// Backoff state: the number of consecutive failed or short-lived connections.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
        }
    }

    /// Consecutive attempts so far (1 for the first reconnect).
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The upper bound for the next delay, without jitter.
    pub(crate) fn ceiling(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.attempt.min(31));
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Draws the delay before the next attempt and counts the attempt.
    pub(crate) fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        if ceiling.is_zero() {
            return ceiling;
        }
        ceiling.mul_f64(rng.random_range(0.0..1.0))
    }

    /// Forgets past failures after a stable connection.
    pub(crate) fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    #[test]
    fn delays_stay_under_a_doubling_capped_ceiling() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            let ceiling = b.ceiling();
            let delay = b.next_delay(&mut rng);
            assert!(delay < ceiling, "{delay:?} < {ceiling:?}");
            ceilings.push(ceiling.as_secs());
        }
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]);
        assert_eq!(b.attempt(), 10);
    }

    #[test]
    fn jitter_spreads_clients_out() {
        let mut rng = StdRng::seed_from_u64(1);
        let delays: Vec<_> = (0..50)
            .map(|_| {
                Backoff::new(Duration::from_secs(8), Duration::from_secs(8)).next_delay(&mut rng)
            })
            .collect();
        let min = delays.iter().min().unwrap();
        let max = delays.iter().max().unwrap();
        assert!(*max - *min > Duration::from_secs(4), "{min:?}..{max:?}");
    }

    #[test]
    fn reset_after_a_stable_run_starts_small_again() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
        for _ in 0..8 {
            b.next_delay(&mut rng);
        }
        assert_eq!(b.ceiling(), Duration::from_secs(60));
        b.reset();
        assert_eq!(b.ceiling(), Duration::from_millis(500));
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        b.attempt = u32::MAX;
        assert_eq!(b.ceiling(), Duration::from_secs(5));
        b.next_delay(&mut rand::rng());
        assert_eq!(b.attempt(), u32::MAX);
    }
}
