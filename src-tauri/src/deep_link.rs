//! Invite links handed to the app (`plexichat://invite/CODE`) through the Tauri deep-link
//! plugin: at launch (`get_current`), or by a second launch that the single-instance plugin
//! forwards to it (`on_open_url`). The `plexichat` scheme is declared in `tauri.conf.json`
//! (`plugins.deep-link`), and the .deb/.rpm desktop entry registers
//! `x-scheme-handler/plexichat`. The link is kept here until a signed-in window takes it, so
//! one opened while signed out survives sign-in (and 2FA). The launch options' own argv scan
//! backs the plugin for launches it ignores (a link after other arguments).

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

/// Keeps `link` for the next signed-in window, brings the window up and tells it one waits.
pub fn hand_over<R: Runtime>(app: &AppHandle<R>, link: String) {
    app.state::<PendingLink>().set(link);
    crate::desktop::focus_main_window(app);
    let _ = app.emit(crate::desktop::DEEP_LINK_EVENT, ());
}

/// The first `plexichat://` URL of `urls`.
fn first_link(urls: impl IntoIterator<Item = url::Url>) -> Option<String> {
    urls.into_iter()
        .find(|u| u.scheme() == plexichat_core::community::INVITE_SCHEME)
        .map(String::from)
}

/// Takes the link the app was started with from the deep-link plugin and listens for the
/// links later launches hand over. Called once from the app's setup.
pub fn install<R: Runtime>(app: &AppHandle<R>) {
    let deep_link = app.deep_link();
    if let Some(link) = deep_link.get_current().ok().flatten().and_then(first_link) {
        app.state::<PendingLink>().set(link);
    }
    let handle = app.clone();
    deep_link.on_open_url(move |event| {
        if let Some(link) = first_link(event.urls()) {
            tracing::info!("an invite link was opened");
            hand_over(&handle, link);
        }
    });
}

/// The newest link not yet taken by a signed-in window.
#[derive(Debug, Default)]
pub struct PendingLink(Mutex<Option<String>>);

impl PendingLink {
    /// A store holding `link` (from the launch arguments), if any.
    #[must_use]
    pub fn new(link: Option<String>) -> Self {
        Self(Mutex::new(link))
    }

    /// Keeps `link`, replacing an older one not yet taken.
    pub fn set(&self, link: String) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(link);
    }

    /// Takes the pending link, leaving none.
    pub fn take(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    use super::{first_link, PendingLink};

    #[test]
    fn only_plexichat_links_are_taken_and_they_keep_their_server() {
        let urls = [
            "https://example.org/invite/abcd1234",
            "plexichat://invite/XSnatA5JPyu5?server=http%3A%2F%2F127.0.0.1%3A8001",
        ]
        .map(|u| url::Url::parse(u).unwrap());
        let link = first_link(urls).unwrap();
        let parsed = plexichat_core::community::InviteLink::parse(&link).unwrap();
        assert_eq!(parsed.code, "XSnatA5JPyu5");
        assert_eq!(parsed.server_url.as_deref(), Some("http://127.0.0.1:8001"));
        assert_eq!(first_link([url::Url::parse("file:///x").unwrap()]), None);
    }

    #[test]
    fn a_link_waits_until_taken_once_and_a_newer_one_wins() {
        let p = PendingLink::new(Some("plexichat://invite/aaaa1111".into()));
        p.set("plexichat://invite/bbbb2222".into());
        assert_eq!(p.take().as_deref(), Some("plexichat://invite/bbbb2222"));
        assert_eq!(p.take(), None);
    }
}
