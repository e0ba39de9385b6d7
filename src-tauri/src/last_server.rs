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

/// The server root of a URL that may be the REST base (`…/api/v1`): sessions are keyed by
/// the root the user typed, so the restored client must be made from the same string.
#[must_use]
pub fn server_root(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    url.strip_suffix("/api/v1").unwrap_or(url)
}

/// Records the server of a successful sign-in; failures are logged, never fatal.
pub fn save(url: &str) {
    let url = server_root(url);
    let Some(path) = path() else { return };
    let result = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, format!("{url}\n")));
    match result {
        Ok(()) => tracing::debug!(path = %path.display(), "remembered the last server"),
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "could not remember the last server")
        }
    }
}

/// Forgets the last server (after signing out).
pub fn clear() {
    if let Some(path) = path() {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::server_root;

    #[test]
    fn the_rest_base_and_the_root_remember_the_same_server() {
        assert_eq!(
            server_root("http://127.0.0.1:8080/api/v1"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_root("http://127.0.0.1:8080/api/v1/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_root("https://api.plexichat.com"),
            "https://api.plexichat.com"
        );
    }
}
