//! Remembers which server the user last signed in to, so the next launch can restore that
//! session from the keyring. Only the URL is stored (in the XDG config directory); tokens live
//! in the keyring and never in a file.

use std::path::PathBuf;

fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("plexichat-desktop").join("last-server"))
}

/// The server URL of the last successful sign-in, if any.
#[must_use]
pub fn load() -> Option<String> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let url = text.trim();
    (url.starts_with("http://") || url.starts_with("https://")).then(|| url.to_owned())
}

/// Records the server of a successful sign-in; failures are logged, never fatal.
pub fn save(url: &str) {
    let Some(path) = path() else { return };
    let result = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, format!("{url}\n")));
    if let Err(e) = result {
        tracing::warn!(error = %e, path = %path.display(), "could not remember the last server");
    }
}

/// Forgets the last server (after signing out).
pub fn clear() {
    if let Some(path) = path() {
        let _ = std::fs::remove_file(path);
    }
}
