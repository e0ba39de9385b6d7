//! Heartbeat schedule, zombie detection and suspend/resume (time jump) detection.
//!
//! The first beat fires after `interval * jitter` with `jitter` in `[0, 1)` so clients that
//! reconnect together after a server restart do not beat together. Each later beat is one
//! interval after the previous one. If a beat is due while the previous one is still
//! unacknowledged, the connection is a zombie (a TCP connection that died during sleep or a
//! network change sends nothing, not even an error) and must be replaced.
//!
//! Both types take the current time as an argument so tests drive them on paused tokio time.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// What to do when the heartbeat deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beat {
    /// Send op 1 now.
    Send,
    /// The previous beat was never acknowledged: reconnect.
    Zombie,
}

/// One socket's heartbeat schedule.
#[derive(Debug, Clone)]
pub(crate) struct Heartbeat {
    interval: Duration,
    next: Instant,
    awaiting_ack: bool,
    sent_at: Option<Instant>,
    rtt: Option<Duration>,
}

impl Heartbeat {
    /// Starts the schedule at HELLO; `jitter` is drawn from `[0, 1)`.
    pub(crate) fn new(interval: Duration, jitter: f64, now: Instant) -> Self {
        Self {
            interval,
            next: now + interval.mul_f64(jitter.clamp(0.0, 1.0)),
            awaiting_ack: false,
            sent_at: None,
            rtt: None,
        }
    }

    /// When [`Self::on_deadline`] must be called next.
    pub(crate) fn deadline(&self) -> Instant {
        self.next
    }

    /// The deadline passed: beat, or report a zombie.
    pub(crate) fn on_deadline(&mut self, now: Instant) -> Beat {
        if self.awaiting_ack {
            return Beat::Zombie;
        }
        self.mark_sent(now);
        self.next = now + self.interval;
        Beat::Send
    }

    /// The server asked for a beat (op 1): send one now without moving the schedule.
    pub(crate) fn on_request(&mut self, now: Instant) {
        self.mark_sent(now);
    }

    fn mark_sent(&mut self, now: Instant) {
        self.awaiting_ack = true;
        self.sent_at = Some(now);
    }

    /// op 11 arrived.
    pub(crate) fn on_ack(&mut self, now: Instant) {
        self.awaiting_ack = false;
        self.rtt = self.sent_at.map(|sent| now.saturating_duration_since(sent));
    }

    /// Round trip of the last acknowledged beat.
    pub(crate) fn rtt(&self) -> Option<Duration> {
        self.rtt
    }
}

/// Notices that the machine slept: the wall clock moved much further than the monotonic
/// clock (which stops during suspend on Linux and macOS), so every timer is stale and the
/// socket is almost certainly dead.
#[derive(Debug, Clone)]
pub(crate) struct TimeJump {
    threshold: Duration,
    wall: SystemTime,
    mono: Instant,
}

impl TimeJump {
    pub(crate) fn new(threshold: Duration, wall: SystemTime, mono: Instant) -> Self {
        Self {
            threshold,
            wall,
            mono,
        }
    }

    /// Takes a new sample; returns the jump when the clocks disagree by more than the
    /// threshold (either direction: a wall clock set back by hand is harmless to resume on).
    pub(crate) fn check(&mut self, wall: SystemTime, mono: Instant) -> Option<Duration> {
        let wall_elapsed = match wall.duration_since(self.wall) {
            Ok(d) => d,
            Err(e) => e.duration(),
        };
        let mono_elapsed = mono.saturating_duration_since(self.mono);
        self.wall = wall;
        self.mono = mono;
        let skew = wall_elapsed.abs_diff(mono_elapsed);
        (skew > self.threshold).then_some(skew)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn first_beat_is_jittered_then_regular() {
        let start = Instant::now();
        let interval = Duration::from_millis(1000);
        let mut hb = Heartbeat::new(interval, 0.25, start);
        tokio::time::sleep_until(hb.deadline()).await;
        assert_eq!(Instant::now() - start, Duration::from_millis(250));
        assert_eq!(hb.on_deadline(Instant::now()), Beat::Send);
        tokio::time::advance(Duration::from_millis(30)).await;
        hb.on_ack(Instant::now());
        assert_eq!(hb.rtt(), Some(Duration::from_millis(30)));
        tokio::time::sleep_until(hb.deadline()).await;
        assert_eq!(Instant::now() - start, Duration::from_millis(1250));
        assert_eq!(hb.on_deadline(Instant::now()), Beat::Send);
    }

    #[tokio::test(start_paused = true)]
    async fn missing_ack_is_a_zombie_one_interval_later() {
        let start = Instant::now();
        let mut hb = Heartbeat::new(Duration::from_millis(1000), 0.0, start);
        assert_eq!(hb.on_deadline(Instant::now()), Beat::Send);
        tokio::time::sleep_until(hb.deadline()).await;
        assert_eq!(hb.on_deadline(Instant::now()), Beat::Zombie);
        assert_eq!(Instant::now() - start, Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn requested_beat_needs_an_ack_too() {
        let mut hb = Heartbeat::new(Duration::from_millis(1000), 0.5, Instant::now());
        hb.on_request(Instant::now());
        tokio::time::sleep_until(hb.deadline()).await;
        assert_eq!(hb.on_deadline(Instant::now()), Beat::Zombie);
    }

    #[tokio::test(start_paused = true)]
    async fn time_jump_is_detected_when_wall_clock_leaps() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut tj = TimeJump::new(Duration::from_secs(5), wall, Instant::now());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            tj.check(wall + Duration::from_secs(2), Instant::now()),
            None
        );
        // Suspended for ten minutes: the monotonic clock moved 1 s, the wall clock 600 s.
        tokio::time::advance(Duration::from_secs(1)).await;
        let jump = tj.check(wall + Duration::from_secs(602), Instant::now());
        assert_eq!(jump, Some(Duration::from_secs(599)));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(
            tj.check(wall + Duration::from_secs(603), Instant::now()),
            None
        );
    }
}
