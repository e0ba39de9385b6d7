//! An opt-in start-up timeline for `bench/run`: with `PLEXICHAT_STARTUP_TRACE=1` in the
//! environment, every phase from `main` to the first paint prints one line
//! `startup-trace <phase> <unix ms>` on stderr. The bench subtracts the time it started the
//! process, so the figures need no clock shared with the webview beyond the wall clock.
//!
//! Off (the default) it costs one environment lookup.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest phase name accepted from the webview: the names are ours, anything else is noise.
const MAX_PHASE_LEN: usize = 32;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PLEXICHAT_STARTUP_TRACE").is_some_and(|v| v == "1"))
}

fn now_unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Records `phase` as happening now.
pub fn mark(phase: &str) {
    mark_at(phase, now_unix_ms());
}

/// Records `phase` at `unix_ms` (the webview's own clock reading, sent over IPC).
pub fn mark_at(phase: &str, unix_ms: f64) {
    if !enabled() {
        return;
    }
    if let Some(line) = trace_line(phase, unix_ms) {
        eprintln!("{line}");
    }
}

/// The line for one phase, or `None` for a name that is not a short lowercase identifier or
/// a time that is not a finite number (the webview is untrusted; its text never reaches the
/// terminal as is).
fn trace_line(phase: &str, unix_ms: f64) -> Option<String> {
    let valid = !phase.is_empty()
        && phase.len() <= MAX_PHASE_LEN
        && phase
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (valid && unix_ms.is_finite()).then(|| format!("startup-trace {phase} {unix_ms:.1}"))
}

#[cfg(test)]
mod tests {
    use super::trace_line;

    #[test]
    fn a_phase_prints_with_its_time() {
        assert_eq!(
            trace_line("first-paint", 1_764_777_600_123.46).as_deref(),
            Some("startup-trace first-paint 1764777600123.5")
        );
    }

    #[test]
    fn names_and_times_from_the_webview_are_checked() {
        assert_eq!(trace_line("first paint\nrm -rf", 1.0), None);
        assert_eq!(trace_line("", 1.0), None);
        assert_eq!(trace_line(&"a".repeat(33), 1.0), None);
        assert_eq!(trace_line("first-paint", f64::NAN), None);
    }
}
