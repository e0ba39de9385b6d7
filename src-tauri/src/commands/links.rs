//! Links from messages: opened in the system browser through the opener plugin. The webview
//! has no opener permission of its own; this command is its only way out, and it opens
//! http(s) URLs only (never `file:`, custom schemes or anything a crafted message could abuse).

use serde::Deserialize;
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::ipc::{IpcError, IpcResult};

/// Arguments of `open_link`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OpenLinkArgs {
    /// The link as the message showed it.
    pub url: String,
}

/// `url` parsed, when it is an http(s) URL with a host; anything else is refused.
///
/// # Errors
/// `InvalidArgument` for other schemes, relative or malformed URLs.
pub fn checked_link(url: &str) -> IpcResult<reqwest::Url> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| IpcError::invalid_argument("not a valid link"))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(parsed),
        _ => Err(IpcError::invalid_argument("only http and https links open")),
    }
}

/// Opens an http(s) link in the user's default browser.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn open_link(app: tauri::AppHandle, args: OpenLinkArgs) -> IpcResult<()> {
    let url = checked_link(&args.url)?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| IpcError::internal(format!("could not start the browser: {e}")))
}

#[cfg(test)]
mod tests {
    use super::checked_link;

    #[test]
    fn opens_only_http_and_https_links() {
        assert!(checked_link("https://example.com/a?b=c").is_ok());
        assert!(checked_link(" http://example.com ").is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,x",
            "smb://host/share",
            "plexichat://invite/x",
            "/relative",
            "https://",
            "",
        ] {
            assert!(checked_link(bad).is_err(), "{bad} must not open");
        }
    }
}
