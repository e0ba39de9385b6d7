//! Long rate-limit waits (hourly and daily windows): listed per server for the login and
//! register forms, and recorded when a sign-in or registration runs into one, so the wait
//! survives a restart (`$XDG_STATE_HOME/plexichat-desktop/waits.json`).

use plexichat_core::clock::now_ms;
use plexichat_core::wait::{LongWait, WaitAction, WaitBook};
use plexichat_core::ClientError;

use super::session::ServerUrlArgs;
use crate::ipc::IpcResult;

/// The book of long waits in the app's state directory.
fn book() -> WaitBook {
    let dir = crate::logging::log_dir();
    let base = dir
        .parent()
        .map_or(dir.clone(), std::path::Path::to_path_buf);
    WaitBook::new(base.join("waits.json"))
}

/// Remembers the long wait `error` means for `action` on `server_url`, if it is one.
pub fn record_if_long(action: WaitAction, server_url: &str, error: &ClientError) {
    if let Some(wait) = LongWait::from_error(action, server_url, error, now_ms()) {
        tracing::info!(
            ?action,
            retry_at = wait.retry_at,
            "a long rate-limit wait began"
        );
        book().record(&wait, now_ms());
    }
}

/// Forgets the wait of `action` on `server_url` once the action went through.
pub fn clear(action: WaitAction, server_url: &str) {
    book().clear(server_url, action);
}

/// The long waits still running on a server (an empty list when there are none).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn list_waits(args: ServerUrlArgs) -> IpcResult<Vec<LongWait>> {
    Ok(book().active(&args.server_url, now_ms()))
}
