//! The system's "Save as" dialog, run by the shell so that no file path is handed to the
//! page. On Linux it is GTK's file chooser (GTK is already loaded by the webview); elsewhere
//! the file goes to the suggested folder under the suggested name.

use std::path::{Path, PathBuf};

use tauri::AppHandle;

use crate::ipc::{IpcError, IpcResult};

/// Asks where to save `suggested` (starting in `dir`); `None` when the user cancelled.
///
/// # Errors
/// The dialog could not be shown.
#[cfg(target_os = "linux")]
pub async fn pick(
    app: &AppHandle,
    title: &str,
    suggested: &str,
    dir: &Path,
) -> IpcResult<Option<PathBuf>> {
    use tauri::Manager as _;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (title, name, dir) = (title.to_owned(), suggested.to_owned(), dir.to_owned());
    let window = app.get_webview_window("main");
    app.run_on_main_thread(move || {
        use gtk::prelude::*;
        let parent = window.and_then(|w| w.gtk_window().ok());
        let dialog = gtk::FileChooserDialog::with_buttons(
            Some(title.as_str()),
            parent.as_ref().map(|w| w.upcast_ref::<gtk::Window>()),
            gtk::FileChooserAction::Save,
            &[
                ("_Cancel", gtk::ResponseType::Cancel),
                ("_Save", gtk::ResponseType::Accept),
            ],
        );
        dialog.set_do_overwrite_confirmation(true);
        dialog.set_current_name(&name);
        let _ = dialog.set_current_folder(&dir);
        let path = if dialog.run() == gtk::ResponseType::Accept {
            dialog.filename()
        } else {
            None
        };
        dialog.close();
        let _ = tx.send(path);
    })
    .map_err(|e| IpcError::internal(format!("the save dialog could not open: {e}")))?;
    Ok(rx.await.ok().flatten())
}

/// Asks where to save `suggested` (starting in `dir`); `None` when the user cancelled.
///
/// # Errors
/// Never on this platform.
#[cfg(not(target_os = "linux"))]
pub async fn pick(
    _app: &AppHandle,
    _title: &str,
    suggested: &str,
    dir: &Path,
) -> IpcResult<Option<PathBuf>> {
    Ok(Some(dir.join(suggested)))
}
