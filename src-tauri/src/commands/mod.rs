//! Tauri commands: each takes managed state, calls the core once and returns
//! `IpcResult<T>`. Any branching, retry or error meaning belongs in `plexichat-core`.

pub mod app;

use std::collections::BTreeSet;

use ts_rs::{Config, ExportError};

crate::ipc_commands! {
    app::get_app_info(()) -> app::AppInfo;
    app::get_ui_state(()) -> plexichat_core::UiState;
}

/// Exports the payload types of events that are not command results.
///
/// # Errors
/// Fails when a binding file cannot be written.
pub fn export_event_types(cfg: &Config, imports: &mut BTreeSet<String>) -> Result<(), ExportError> {
    let _ = (cfg, imports);
    Ok(())
}
