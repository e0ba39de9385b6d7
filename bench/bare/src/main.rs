//! A bare Tauri 2 window: the baseline bench/run compares the app against.
//!
//! Its only additions are the same opt-in start-up timeline as the app (one environment
//! lookup when off), so bench/run can put both timelines side by side.

use std::time::{SystemTime, UNIX_EPOCH};

fn tracing_on() -> bool {
    std::env::var_os("PLEXICHAT_STARTUP_TRACE").is_some_and(|v| v == "1")
}

fn mark_at(phase: &str, unix_ms: f64) {
    let valid = phase.len() <= 32
        && phase
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if tracing_on() && valid && unix_ms.is_finite() {
        eprintln!("startup-trace {phase} {unix_ms:.1}");
    }
}

fn mark(phase: &str) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    mark_at(phase, now);
}

/// The page's phases (script parsed, first paint), as the app's `startup_marks` takes them.
#[tauri::command]
fn startup_marks(marks: Vec<(String, f64)>) {
    for (phase, unix_ms) in marks {
        mark_at(&phase, unix_ms);
    }
}

fn main() {
    mark("rust-main");
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![startup_marks])
        .setup(|_| {
            mark("webview-created");
            Ok(())
        })
        .on_page_load(|_, payload| {
            mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page-load-started",
                tauri::webview::PageLoadEvent::Finished => "page-loaded",
            });
        })
        .run(tauri::generate_context!())
        .expect("bare tauri window failed to run");
}
