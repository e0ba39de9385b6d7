//! Desktop integration: one instance per user, remembered window geometry, and notifications
//! for DMs and mentions that arrive while the window is not focused.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use plexichat_core::event::Event;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// Event telling the window to open a `plexichat://` link (e.g. an invite).
pub const DEEP_LINK_EVENT: &str = "deep-link";

/// Adds the desktop plugins to the builder.
///
/// `PLEXICHAT_DISABLE_SINGLE_INSTANCE=1` turns the single-instance lock off: end-to-end tests
/// start several app processes on one machine.
#[must_use]
pub fn plugins(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    // The single-instance plugin goes first (its docs ask for it): with its `deep-link`
    // feature, a second launch's `plexichat://` argument reaches the deep-link plugin, whose
    // handler (`crate::deep_link::install`) keeps it and tells the window.
    let builder = if std::env::var_os("PLEXICHAT_DISABLE_SINGLE_INSTANCE").is_some() {
        builder
    } else {
        builder.plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A second launch focuses this window.
            focus_main_window(app);
            // The deep-link plugin only takes a launch whose one argument is the link (what
            // the desktop entry's `%u` gives); a hand-made `--flag plexichat://…` is kept here.
            if args.len() > 2 {
                if let Some(link) = args.iter().find(|a| a.starts_with("plexichat://")) {
                    crate::deep_link::hand_over(app, link.clone());
                }
            }
        }))
    };
    builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        // For `commands::links::open_link` only: no capability grants the webview the plugin.
        .plugin(tauri_plugin_opener::init())
}

/// Id of the tray icon.
const TRAY_ID: &str = "main";

/// Opt-in to WebKit's GPU (accelerated) compositing; see [`prefer_cpu_compositing`].
pub const GPU_COMPOSITING_ENV: &str = "PLEXICHAT_GPU_COMPOSITING";

/// Renders the page without WebKit's accelerated compositing unless the user chose otherwise.
///
/// A chat window has no WebGL, video or 3D transforms that would need it, and the compositing
/// path costs a GL context in both the app and the web process: measured with `bench/run`
/// under Xvfb (software GL) about 100 MB of PSS at the login screen alone. An explicit
/// `WEBKIT_DISABLE_COMPOSITING_MODE` is left alone, and `PLEXICHAT_GPU_COMPOSITING=1` keeps
/// WebKit's default. Must run before any thread starts (it sets an environment variable).
pub fn prefer_cpu_compositing() {
    if should_disable_compositing(
        std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some(),
        std::env::var_os(GPU_COMPOSITING_ENV).is_some_and(|v| v == "1"),
    ) {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

/// Whether to turn compositing off, given what the environment already says.
fn should_disable_compositing(is_set_by_user: bool, wants_gpu: bool) -> bool {
    !is_set_by_user && !wants_gpu
}

/// Whether the tray icon has been built (once, after the first paint).
static TRAY_INSTALLED: AtomicBool = AtomicBool::new(false);

/// How long after the page has loaded the tray is built at the latest, when the UI never
/// reports its first paint.
pub const TRAY_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Builds the tray icon the first time it is called, on the main thread (GTK needs it there).
pub fn install_tray_once<R: Runtime>(app: &AppHandle<R>) {
    if TRAY_INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || install_tray(&handle)) {
        tracing::info!(error = %e, "no tray icon");
    }
}

/// Puts the app in the system tray: clicking it or "Show Plexichat" brings the window back
/// (with whatever dialog is up, e.g. an update prompt), "Quit" exits. A desktop without a
/// tray host only logs that the icon could not be shown.
pub fn install_tray<R: Runtime>(app: &AppHandle<R>) {
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};

    let built = (|| -> tauri::Result<()> {
        let show = MenuItem::with_id(app, "show", "Show Plexichat", true, None::<&str>)?;
        let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
        let menu = Menu::with_items(app, &[&show, &quit])?;
        let mut tray = TrayIconBuilder::with_id(TRAY_ID)
            .tooltip("Plexichat")
            .menu(&menu)
            .on_menu_event(|app, event| match event.id.as_ref() {
                "show" => focus_main_window(app),
                "quit" => app.exit(0),
                _ => {}
            })
            .on_tray_icon_event(|tray, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    focus_main_window(tray.app_handle());
                }
            });
        if let Some(icon) = app.default_window_icon() {
            tray = tray.icon(icon.clone());
        }
        tray.build(app)?;
        Ok(())
    })();
    if let Err(e) = built {
        tracing::info!(error = %e, "no tray icon");
    }
}

/// The tray's counts: unread messages and unseen mentions (kept apart, shown together).
static TRAY_UNREAD: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
static TRAY_MENTIONS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Shows the unread count on the tray icon (tooltip, and the label where the tray shows one).
pub fn set_tray_unread<R: Runtime>(app: &AppHandle<R>, count: u32) {
    TRAY_UNREAD.store(count, std::sync::atomic::Ordering::Relaxed);
    refresh_tray(app);
}

/// Shows the unseen mention count on the tray icon, apart from the unread count.
pub fn set_tray_mentions<R: Runtime>(app: &AppHandle<R>, count: u32) {
    TRAY_MENTIONS.store(count, std::sync::atomic::Ordering::Relaxed);
    refresh_tray(app);
}

/// The tray's tooltip and label for `unread` messages and `mentions`.
#[must_use]
pub fn tray_text(unread: u32, mentions: u32) -> (String, Option<String>) {
    let short = |n: u32| {
        if n > 99 {
            "99+".to_owned()
        } else {
            n.to_string()
        }
    };
    match (unread, mentions) {
        (0, 0) => ("Plexichat".to_owned(), None),
        (n, 0) => (format!("Plexichat — {n} unread"), Some(short(n))),
        // A mention is what the user most wants to see: the label leads with it.
        (n, m) => (
            format!(
                "Plexichat — {n} unread, {m} mention{}",
                if m == 1 { "" } else { "s" }
            ),
            Some(format!("@{}", short(m))),
        ),
    }
}

fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let (tooltip, title) = tray_text(
        TRAY_UNREAD.load(std::sync::atomic::Ordering::Relaxed),
        TRAY_MENTIONS.load(std::sync::atomic::Ordering::Relaxed),
    );
    let _ = tray.set_tooltip(Some(tooltip));
    let _ = tray.set_title(title);
}

/// Shows, unminimises and focuses the main window.
pub fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Which messages raise a notification: the account's `notifications` setting, synced by the
/// UI with the server's user settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NotifyLevel {
    /// Direct messages and mentions (the default).
    #[default]
    DmsAndMentions,
    /// Mentions only.
    Mentions,
    /// Nothing.
    Off,
}

/// Decides which chat events deserve a desktop notification.
#[derive(Debug, Default)]
pub struct Notifier {
    dm_channels: Mutex<HashSet<String>>,
    me: Mutex<Option<(String, String)>>,
    /// Channels the user muted (directly or through their server): no notification.
    muted: Mutex<HashSet<String>>,
    level: Mutex<NotifyLevel>,
}

impl Notifier {
    /// Sets which messages notify from now on.
    pub fn set_level(&self, level: NotifyLevel) {
        if let Ok(mut l) = self.level.lock() {
            *l = level;
        }
    }

    /// Remembers DM channels (the server does not say a message is in a DM).
    pub fn remember_dm_channels<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut set) = self.dm_channels.lock() {
            set.extend(ids.into_iter().map(str::to_owned));
        }
    }

    /// Replaces the muted channels (the UI expands a muted server into its channels).
    pub fn set_muted(&self, channel_ids: impl IntoIterator<Item = String>) {
        if let Ok(mut set) = self.muted.lock() {
            *set = channel_ids.into_iter().collect();
        }
    }

    /// Sets who "me" is (id, user name), to skip our own messages and find mentions.
    pub fn set_me(&self, id: &str, username: &str) {
        if let Ok(mut me) = self.me.lock() {
            *me = Some((id.to_owned(), username.to_owned()));
        }
    }

    /// The title and body to show for `event`, if it is a DM or a mention from someone else.
    #[must_use]
    pub fn notification_for(&self, event: &Event) -> Option<(String, String)> {
        let Event::MessageCreate(m) = event else {
            return None;
        };
        let me = self.me.lock().ok()?.clone()?;
        if m.author_id == me.0 {
            return None;
        }
        if self.muted.lock().ok()?.contains(&m.channel_id) {
            return None;
        }
        let is_dm = self.dm_channels.lock().ok()?.contains(&m.channel_id);
        let is_mention = plexichat_core::saved::mentions_user(&m.content, &me.0)
            || m.content
                .to_lowercase()
                .contains(&format!("@{}", me.1.to_lowercase()));
        let level = self.level.lock().map(|l| *l).unwrap_or_default();
        let wanted = match level {
            NotifyLevel::DmsAndMentions => is_dm || is_mention,
            NotifyLevel::Mentions => is_mention,
            NotifyLevel::Off => false,
        };
        if !wanted {
            return None;
        }
        let author = m
            .author_username
            .clone()
            .unwrap_or_else(|| "Someone".to_owned());
        let title = if is_dm {
            author
        } else {
            format!("{author} mentioned you")
        };
        let body: String = m.content.chars().take(200).collect();
        Some((title, body))
    }

    /// Shows a notification for `event` when the main window is not focused.
    pub fn maybe_notify<R: Runtime>(&self, app: &AppHandle<R>, event: &Event) {
        let is_focused = app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false);
        if is_focused {
            return;
        }
        if let Some((title, body)) = self.notification_for(event) {
            // No notification daemon (a bare X session) is not an error worth more than a log.
            if let Err(e) = app.notification().builder().title(title).body(body).show() {
                tracing::debug!(error = %e, "could not show a notification");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plexichat_core::model::Message;

    fn message(author: &str, channel: &str, content: &str) -> Event {
        Event::MessageCreate(Message {
            id: "1".into(),
            channel_id: channel.into(),
            author_id: author.into(),
            author_username: Some(format!("user{author}")),
            content: content.into(),
            created_at: 0,
            edited_at: None,
            reply_to_id: None,
            attachments: vec![],
            reactions: vec![],
            pinned: false,
            poll: None,
            embeds: None,
        })
    }

    #[test]
    fn the_tray_shows_mentions_apart_from_unread() {
        assert_eq!(tray_text(0, 0).1, None);
        assert_eq!(tray_text(5, 0).1.as_deref(), Some("5"));
        let (tip, label) = tray_text(5, 2);
        assert_eq!(tip, "Plexichat — 5 unread, 2 mentions");
        assert_eq!(label.as_deref(), Some("@2"));
    }

    #[test]
    fn compositing_is_turned_off_unless_the_user_decided() {
        assert!(should_disable_compositing(false, false));
        assert!(!should_disable_compositing(true, false));
        assert!(!should_disable_compositing(false, true));
    }

    #[test]
    fn the_notification_level_narrows_what_notifies() {
        let n = Notifier::default();
        n.set_me("me", "alice");
        n.remember_dm_channels(["dm"]);
        n.set_level(NotifyLevel::Mentions);
        assert!(n.notification_for(&message("2", "dm", "hi")).is_none());
        assert!(n
            .notification_for(&message("2", "c", "hi @alice"))
            .is_some());
        n.set_level(NotifyLevel::Off);
        assert!(n
            .notification_for(&message("2", "c", "hi @alice"))
            .is_none());
    }

    #[test]
    fn dms_and_mentions_notify_but_own_and_plain_messages_do_not() {
        let n = Notifier::default();
        n.set_me("10", "alice");
        n.remember_dm_channels(["dm1"]);
        assert_eq!(
            n.notification_for(&message("20", "dm1", "hi")).unwrap().0,
            "user20"
        );
        assert_eq!(
            n.notification_for(&message("20", "c1", "hey @Alice look"))
                .unwrap()
                .0,
            "user20 mentioned you"
        );
        assert!(n.notification_for(&message("20", "c1", "plain")).is_none());
        assert!(n
            .notification_for(&message("20", "c1", "ping <@10>"))
            .is_some());
        n.set_muted(["c1".to_owned()]);
        assert!(n
            .notification_for(&message("20", "c1", "ping <@10>"))
            .is_none());
        assert!(n
            .notification_for(&message("10", "dm1", "my own"))
            .is_none());
    }
}
