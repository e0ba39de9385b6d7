//! The live session: one core [`Client`], its gateway connection, and the forwarders that
//! carry their states and events to the window.
//!
//! Flow: a sign-in (or the demo) creates a `Client` for the chosen server and a forwarder task
//! that emits every `UiState` the client publishes. When the client reaches `ready`, the
//! gateway is connected with the client's REST engine as its history source (catch-up) and
//! token verifier (4004), and a second forwarder emits its connection states and chat events. A
//! `signed_out` / `login_required` state stops the gateway. Replacing the client (signing in
//! somewhere else) tears all of it down first, so nothing outlives the session it belonged to.

use std::sync::Arc;

use plexichat_core::gateway::{Gateway, GatewayConfig, GatewayHandle, GatewayUpdate};
use plexichat_core::{Client, UiState};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Mutex;

use crate::ipc::{IpcError, CHAT_EVENT, UI_STATE_EVENT};
use crate::state::AppState;

/// The current client, its gateway and the demo server, if any.
#[derive(Default)]
pub struct Sessions {
    live: Mutex<Option<Live>>,
    demo: Mutex<Option<DevServerHandle>>,
}

struct Live {
    client: Client,
    gateway: Arc<Mutex<Option<GatewayHandle>>>,
    forwarder: JoinHandle<()>,
}

impl Sessions {
    /// The signed-in (or signing-in) client.
    ///
    /// # Errors
    /// [`IpcError::not_signed_in`] when there is none.
    pub async fn client(&self) -> Result<Client, IpcError> {
        self.live
            .lock()
            .await
            .as_ref()
            .map(|l| l.client.clone())
            .ok_or_else(IpcError::not_signed_in)
    }

    /// Makes `client` the current one, tearing down the previous client and gateway.
    pub async fn install<R: Runtime>(&self, app: &AppHandle<R>, client: Client) {
        let mut live = self.live.lock().await;
        if let Some(old) = live.take() {
            old.stop().await;
        }
        let gateway = Arc::new(Mutex::new(None));
        let forwarder = tauri::async_runtime::spawn(forward_client_states(
            app.clone(),
            client.clone(),
            gateway.clone(),
        ));
        *live = Some(Live {
            client,
            gateway,
            forwarder,
        });
    }

    /// Asks the gateway to reconnect now instead of waiting for its backoff.
    pub async fn reconnect_now(&self) {
        if let Some(live) = self.live.lock().await.as_ref() {
            if let Some(gw) = live.gateway.lock().await.as_ref() {
                let _ = gw.reconnect_now();
            }
        }
    }

    /// Tells the gateway which channel the user looks at, so catch-up covers it.
    pub async fn track_channel(&self, channel_id: &str, last_seen: Option<String>) {
        if let Some(live) = self.live.lock().await.as_ref() {
            if let Some(gw) = live.gateway.lock().await.as_ref() {
                let _ = gw.track_channel(channel_id.to_owned(), last_seen);
            }
        }
    }

    /// Fetches what the gateway may have missed in tracked channels (the window regained
    /// focus: the machine may have slept).
    pub async fn catch_up_now(&self) {
        if let Some(live) = self.live.lock().await.as_ref() {
            if let Some(gw) = live.gateway.lock().await.as_ref() {
                let _ = gw.catch_up_now();
            }
        }
    }

    /// Starts the embedded demo server once and returns its base URL.
    ///
    /// # Errors
    /// [`IpcError::internal`] when it cannot bind a port on 127.0.0.1.
    pub async fn demo_server_url(&self) -> Result<String, IpcError> {
        let mut demo = self.demo.lock().await;
        if let Some(handle) = demo.as_ref() {
            return Ok(handle.base_url());
        }
        let handle = DevServer::start(DevServerConfig::demo())
            .await
            .map_err(|e| IpcError::internal(format!("could not start the demo server: {e}")))?;
        let url = handle.base_url();
        tracing::info!(%url, "demo server started");
        *demo = Some(handle);
        Ok(url)
    }

    /// Stops everything (app exit).
    pub async fn shutdown(&self) {
        if let Some(live) = self.live.lock().await.take() {
            live.stop().await;
        }
        if let Some(demo) = self.demo.lock().await.take() {
            demo.shutdown().await;
        }
    }
}

impl Live {
    async fn stop(self) {
        self.forwarder.abort();
        if let Some(gw) = self.gateway.lock().await.take() {
            gw.shutdown().await;
        }
    }
}

/// Restores the last session at launch: `--server` or the last server signed in to, then the
/// core negotiates the version and checks the saved token. A first launch contacts nobody.
pub async fn restore_at_startup<R: Runtime>(app: &AppHandle<R>) {
    let launch = app.state::<AppState>().launch().clone();
    if launch.demo {
        return; // the UI starts the demo itself (it needs the window's listeners first)
    }
    let Some(url) = launch.server_url.clone().or_else(crate::last_server::load) else {
        return;
    };
    let client = match Client::new(plexichat_core::ClientConfig::new(url)) {
        Ok(c) => c,
        Err(e) => {
            publish(app, &e.state);
            return;
        }
    };
    app.state::<Sessions>().install(app, client.clone()).await;
    if let Err(e) = client.start().await {
        tracing::info!(state = ?e.state, "no session restored at startup");
    }
}

/// Emits a state to the window and remembers it for `get_ui_state`.
fn publish<R: Runtime>(app: &AppHandle<R>, state: &UiState) {
    app.state::<AppState>().set_ui_state(state.clone());
    if let Err(e) = app.emit(UI_STATE_EVENT, state) {
        tracing::warn!(error = %e, "could not emit a state to the window");
    }
}

async fn forward_client_states<R: Runtime>(
    app: AppHandle<R>,
    client: Client,
    gateway: Arc<Mutex<Option<GatewayHandle>>>,
) {
    let (current, mut rx) = client.subscribe();
    let mut state = current;
    loop {
        publish(&app, &state);
        match &state {
            UiState::Ready { user } => {
                app.state::<crate::desktop::Notifier>()
                    .set_me(&user.id, &user.username);
                ensure_gateway(&app, &client, &gateway).await;
            }
            UiState::SignedOut | UiState::LoginRequired { .. } | UiState::UpdateRequired { .. } => {
                if let Some(gw) = gateway.lock().await.take() {
                    gw.shutdown().await;
                }
            }
            _ => {}
        }
        state = match rx.recv().await {
            Ok(s) => s,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::debug!(skipped = n, "state forwarder lagged; publishing the latest");
                client.state()
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
    }
}

async fn ensure_gateway<R: Runtime>(
    app: &AppHandle<R>,
    client: &Client,
    slot: &Arc<Mutex<Option<GatewayHandle>>>,
) {
    let mut slot = slot.lock().await;
    if slot.as_ref().is_some_and(GatewayHandle::is_running) {
        return;
    }
    let Some(token) = client.token() else { return };
    let config = match GatewayConfig::from_base_url(client.base_url()) {
        Ok(c) => c,
        Err(e) => {
            publish(
                app,
                &UiState::BugReport {
                    message: format!("cannot derive the gateway URL: {e}"),
                },
            );
            return;
        }
    };
    // The REST engine serves catch-up after reconnects and the token check after a 4004.
    let api = Arc::new(client.api().clone());
    let (handle, mut updates) = Gateway::connect(config, token, api.clone(), api);
    *slot = Some(handle);
    let app = app.clone();
    let client = client.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(update) = updates.recv().await {
            match update {
                // SECURITY_LOGOUT, or a token REST confirmed dead: the client forgets the
                // session and publishes `login_required` itself (through the forwarder).
                GatewayUpdate::State(UiState::LoginRequired { message, .. }) => {
                    client.signed_out_remotely(&message).await;
                }
                GatewayUpdate::State(state) => publish(&app, &state),
                GatewayUpdate::Event(event) => {
                    app.state::<crate::desktop::Notifier>()
                        .maybe_notify(&app, &event);
                    if let Err(e) = app.emit(CHAT_EVENT, &event) {
                        tracing::warn!(error = %e, "could not emit a chat event");
                    }
                }
            }
        }
    });
}
