//! The shell's managed state: launch options and the latest app-wide [`UiState`].
//!
//! The core owns sessions, requests and connections; this struct only holds what the window
//! needs to ask for again (the current state after a reload) and the handles the commands
//! call into.

use std::sync::Mutex;

use plexichat_core::UiState;

use crate::commands::app::AppInfo;
use crate::launch::LaunchOptions;

/// State shared by every command.
pub struct AppState {
    launch: LaunchOptions,
    ui_state: Mutex<UiState>,
}

impl AppState {
    /// Creates the state for this launch.
    #[must_use]
    pub fn new(launch: LaunchOptions) -> Self {
        Self {
            launch,
            ui_state: Mutex::new(UiState::SignedOut),
        }
    }

    /// The launch options.
    #[must_use]
    pub fn launch(&self) -> &LaunchOptions {
        &self.launch
    }

    /// What the login screen needs to know.
    #[must_use]
    pub fn app_info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            client_version: plexichat_core::version::CLIENT_VERSION.to_owned(),
            default_server_url: self.launch.server_url_or_default(),
            demo_available: true,
            demo_autostart: self.launch.demo,
            log_dir: crate::logging::log_dir().display().to_string(),
        }
    }

    /// The latest app-wide state.
    #[must_use]
    pub fn ui_state(&self) -> UiState {
        self.ui_state
            .lock()
            .map(|s| s.clone())
            .unwrap_or(UiState::SignedOut)
    }

    /// Records a new app-wide state; the forwarder emits it to the window.
    pub fn set_ui_state(&self, state: UiState) {
        if let Ok(mut s) = self.ui_state.lock() {
            *s = state;
        }
    }
}
