//! Commands about the app itself: version, launch options, the current state.

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::ipc::IpcResult;
use crate::state::AppState;

/// What the login screen needs to know before anything else.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    /// The app's version (package version).
    pub version: String,
    /// The Plexichat protocol version we announce to servers.
    pub client_version: String,
    /// The server URL to pre-fill (from `--server`, else the production server).
    pub default_server_url: String,
    /// Whether "Try the demo" can start the embedded demo server.
    pub demo_available: bool,
    /// Whether the app was launched with `--demo` and is signing in to the demo by itself.
    pub demo_autostart: bool,
    /// Where the log files are, for bug reports.
    pub log_dir: String,
}

/// Returns the app's version and launch options.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn get_app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    Ok(state.app_info())
}

/// Returns the current app-wide state (the UI also receives every change as an event).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn get_ui_state(state: State<'_, AppState>) -> IpcResult<plexichat_core::UiState> {
    Ok(state.ui_state())
}

/// Arguments of `set_unread_count`.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct UnreadArgs {
    /// Unread messages across every channel and DM.
    pub count: u32,
}

/// Shows the unread total on the tray icon (the UI counts; the shell only displays).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn set_unread_count(app: tauri::AppHandle, args: UnreadArgs) -> IpcResult<()> {
    crate::desktop::set_tray_unread(&app, args.count);
    Ok(())
}

/// One phase of the start-up timeline as the webview saw it.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct StartupMark {
    /// `script-parsed`, `first-mount`, `first-ipc-answer` or `first-paint`.
    pub phase: String,
    /// `performance.timeOrigin + performance.now()` when it happened.
    pub unix_ms: f64,
}

/// Arguments of `startup_marks`.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct StartupMarksArgs {
    /// The webview's phases, in the order they happened.
    pub marks: Vec<StartupMark>,
}

/// The UI's first screen has painted: adds the webview's phases to the start-up timeline
/// (printed only when `PLEXICHAT_STARTUP_TRACE=1`; see `startup_trace`) and builds the tray,
/// whose D-Bus round trip on the main thread would otherwise hold up the page's first calls.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn startup_marks(app: tauri::AppHandle, args: StartupMarksArgs) -> IpcResult<()> {
    for m in &args.marks {
        crate::startup_trace::mark_at(&m.phase, m.unix_ms);
    }
    crate::desktop::install_tray_once(&app);
    Ok(())
}
