//! Plexichat Desktop: the Tauri shell over `plexichat-core`.

/// Starts the desktop app.
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running tauri application");
}
