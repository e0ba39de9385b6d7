//! Plexichat Desktop: the Tauri shell over `plexichat-core`.
//!
//! The shell is thin on purpose: [`commands`] call the core once each, a forwarder emits the
//! core's `UiState` and chat events to the window, and the rest is desktop integration
//! (logging, tray, single instance). Everything that can fail is decided in the core.

pub mod commands;
pub mod deep_link;
pub mod desktop;
pub mod ipc;
pub mod last_server;
pub mod launch;
pub mod logging;
pub mod save_dialog;
pub mod session;
pub mod startup_trace;
pub mod state;

use launch::LaunchOptions;
use state::AppState;
use tauri::Manager;

/// Starts the desktop app with the process arguments.
///
/// # Panics
/// Panics when the window system cannot be initialised (no display), as every GUI app does.
pub fn run() {
    startup_trace::mark("rust-main");
    // Before anything starts a thread or WebKit: the setting is read from the environment.
    desktop::prefer_cpu_compositing();
    let _log_guard = logging::init();
    let launch = LaunchOptions::parse(std::env::args().skip(1));
    if !launch.ignored.is_empty() {
        tracing::debug!(ignored = ?launch.ignored, "ignoring unknown command-line arguments");
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = launch.demo,
        "starting Plexichat Desktop"
    );
    let pending_link = deep_link::PendingLink::new(launch.deep_link.clone());
    desktop::plugins(tauri::Builder::default())
        .manage(pending_link)
        .manage(AppState::new(launch))
        .manage(desktop::Notifier::default())
        .manage(session::Sessions::default())
        .invoke_handler(commands::handler())
        .on_window_event(|window, event| {
            // Back to the window after sleep or a while away: repair any gap at once rather
            // than waiting for the gateway to notice.
            if let tauri::WindowEvent::Focused(true) = event {
                let handle = window.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    handle.state::<session::Sessions>().catch_up_now().await;
                });
            }
        })
        .on_page_load(|webview, payload| {
            startup_trace::mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page-load-started",
                tauri::webview::PageLoadEvent::Finished => "page-loaded",
            });
            // The tray is a D-Bus round trip on the main thread, which also answers the page's
            // first IPC calls: it is built once the UI reports its first paint
            // (`startup_marks`), or after this grace period if that report never comes.
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                let handle = webview.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(desktop::TRAY_GRACE).await;
                    desktop::install_tray_once(&handle);
                });
            }
        })
        .setup(|app| {
            // Tauri builds the configured window and its webview just before this hook.
            startup_trace::mark("webview-created");
            // Invite links from the deep-link plugin: the launch's own, and later ones.
            deep_link::install(app.handle());
            // Network start-up runs after the window exists: the login screen (or the restored
            // chat) paints at once and the session check happens behind it.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { session::restore_at_startup(&handle).await });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running the Plexichat window");
}
