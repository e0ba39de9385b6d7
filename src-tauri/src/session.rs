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
use plexichat_core::model::User;
use plexichat_core::outbox::{Outbox, OutboxUpdate};
use plexichat_core::store::Store;
use plexichat_core::unread::UnreadTracker;
use plexichat_core::{Client, UiState};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Mutex;

use crate::ipc::{IpcError, CHAT_EVENT, OUTBOX_EVENT, UI_STATE_EVENT, UNREAD_EVENT};
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
    local: LocalSlot,
    forwarder: JoinHandle<()>,
}

/// What a session keeps on this machine: the account's database and the outbox built on it.
/// Opened once the account is known (`ready`).
#[derive(Clone)]
struct Local {
    store: Store,
    outbox: Outbox,
    unread: UnreadTracker,
}

type LocalSlot = Arc<Mutex<Option<Local>>>;

/// Where a session keeps its cache and outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// The account's SQLite file in the XDG data directory: pending sends survive a restart.
    Disk,
    /// In memory only (the demo: its server does not outlive the app either).
    Memory,
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

    /// The signed-in session's outbox.
    ///
    /// # Errors
    /// [`IpcError::not_signed_in`] before the session is ready.
    pub async fn outbox(&self) -> Result<Outbox, IpcError> {
        Ok(self.local().await?.outbox)
    }

    /// The signed-in account's local database (cache, drafts).
    ///
    /// # Errors
    /// [`IpcError::not_signed_in`] before the session is ready.
    pub async fn store(&self) -> Result<Store, IpcError> {
        Ok(self.local().await?.store)
    }

    /// The signed-in account's unread state.
    ///
    /// # Errors
    /// [`IpcError::not_signed_in`] before the session is ready.
    pub async fn unread(&self) -> Result<UnreadTracker, IpcError> {
        Ok(self.local().await?.unread)
    }

    async fn local(&self) -> Result<Local, IpcError> {
        let live = self.live.lock().await;
        let live = live.as_ref().ok_or_else(IpcError::not_signed_in)?;
        let local = live.local.lock().await.clone();
        local.ok_or_else(IpcError::not_signed_in)
    }

    /// Makes `client` the current one unless a session exists already; returns whether it
    /// did. The startup restore uses this, so that a user who signed in while it was still
    /// running is never switched back to the restored (signed-out) client.
    pub async fn install_if_none<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        client: Client,
        persistence: Persistence,
    ) -> bool {
        let mut live = self.live.lock().await;
        if live.is_some() {
            return false;
        }
        *live = Some(Live::start(app, client, persistence));
        true
    }

    /// Makes `client` the current one, tearing down the previous client and gateway.
    pub async fn install<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        client: Client,
        persistence: Persistence,
    ) {
        let mut live = self.live.lock().await;
        if let Some(old) = live.take() {
            old.stop().await;
        }
        *live = Some(Live::start(app, client, persistence));
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
    /// Starts the state forwarder of a new session.
    fn start<R: Runtime>(app: &AppHandle<R>, client: Client, persistence: Persistence) -> Self {
        let gateway = Arc::new(Mutex::new(None));
        let local = Arc::new(Mutex::new(None));
        let forwarder = tauri::async_runtime::spawn(forward_client_states(
            app.clone(),
            client.clone(),
            Slots {
                gateway: gateway.clone(),
                local: local.clone(),
                persistence,
            },
        ));
        Self {
            client,
            gateway,
            local,
            forwarder,
        }
    }

    async fn stop(self) {
        self.forwarder.abort();
        // Dropping the last handle stops the outbox's workers; its rows stay on disk.
        self.local.lock().await.take();
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
        tracing::debug!("no server to restore a session for");
        return;
    };
    tracing::info!(%url, "restoring the last session");
    let client = match Client::new(plexichat_core::ClientConfig::new(url)) {
        Ok(c) => c,
        Err(e) => {
            publish(app, &e.state);
            return;
        }
    };
    if !app
        .state::<Sessions>()
        .install_if_none(app, client.clone(), Persistence::Disk)
        .await
    {
        tracing::info!("a session was started meanwhile; not restoring");
        return;
    }
    match client.start().await {
        Ok(Some(user)) => tracing::info!(user = %user.username, "session restored"),
        Ok(None) => tracing::info!("no saved session for this server"),
        Err(e) => tracing::info!(state = ?e.state, "no session restored at startup"),
    }
}

/// Emits a state to the window and remembers it for `get_ui_state`.
fn publish<R: Runtime>(app: &AppHandle<R>, state: &UiState) {
    app.state::<AppState>().set_ui_state(state.clone());
    if let Err(e) = app.emit(UI_STATE_EVENT, state) {
        tracing::warn!(error = %e, "could not emit a state to the window");
    }
}

/// What the state forwarder starts and stops for its session.
struct Slots {
    gateway: Arc<Mutex<Option<GatewayHandle>>>,
    local: LocalSlot,
    persistence: Persistence,
}

async fn forward_client_states<R: Runtime>(app: AppHandle<R>, client: Client, slots: Slots) {
    let Slots {
        gateway,
        local,
        persistence,
    } = slots;
    let (current, mut rx) = client.subscribe();
    let mut state = current;
    loop {
        if let UiState::Ready { user } = &state {
            // Before `ready` reaches the window: the chat it opens asks for cached messages
            // and pending sends at once.
            app.state::<crate::desktop::Notifier>()
                .set_me(&user.id, &user.username);
            ensure_local(&app, &client, user, persistence, &local).await;
        }
        publish(&app, &state);
        match &state {
            UiState::Ready { .. } => ensure_gateway(&app, &client, &gateway, &local).await,
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

/// Opens the account's database and outbox once per session and forwards the outbox's updates
/// to the window. Pending sends from a previous run resume here.
async fn ensure_local<R: Runtime>(
    app: &AppHandle<R>,
    client: &Client,
    account: &User,
    persistence: Persistence,
    slot: &LocalSlot,
) {
    let mut slot = slot.lock().await;
    if slot.is_some() {
        return;
    }
    let store = match persistence {
        Persistence::Disk => Store::open_default(client.base_url(), &account.id, &account.username),
        Persistence::Memory => Store::in_memory(),
    };
    // The mentions trigger needs to know who "me" is (see store::schema, migration 3).
    let store = store.and_then(|s| s.set_me(&account.id).map(|()| s));
    let opened = match store {
        Ok(store) => Outbox::open(store.clone(), client.clone())
            .await
            .map(|outbox| Local {
                unread: UnreadTracker::start(store.clone(), client.clone(), &account.id),
                store,
                outbox,
            }),
        Err(e) => Err(e.into()),
    };
    let local = match opened {
        Ok(l) => l,
        Err(e) => {
            // Sending still works without a local queue? It does not: say so plainly.
            tracing::error!(error = %e, "could not open the outbox");
            publish(
                app,
                &UiState::BugReport {
                    message: format!("Pending messages could not be stored: {e}"),
                },
            );
            return;
        }
    };
    match local.outbox.subscribe() {
        Ok((_, mut updates)) => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    match updates.recv().await {
                        Ok(update) => {
                            if let Err(e) = app.emit(OUTBOX_EVENT, &update) {
                                tracing::warn!(error = %e, "could not emit an outbox update");
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(
                                skipped = n,
                                "outbox updates lagged; the UI reloads the list"
                            );
                            let _ = app.emit(OUTBOX_EVENT, &OutboxUpdate::Resync);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            });
        }
        Err(e) => tracing::error!(error = %e, "could not subscribe to the outbox"),
    }
    forward_unread(app, &local.unread);
    *slot = Some(local);
}

/// Emits the unread list to the window after every change.
fn forward_unread<R: Runtime>(app: &AppHandle<R>, unread: &UnreadTracker) {
    // Holds only a receiver: the task ends when the session's tracker goes.
    let mut updates = unread.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let list = match updates.recv().await {
                Ok(list) => list,
                // Every update is the whole list: the next one is as good.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            if let Err(e) = app.emit(UNREAD_EVENT, &list) {
                tracing::warn!(error = %e, "could not emit the unread list");
            }
        }
    });
}

async fn ensure_gateway<R: Runtime>(
    app: &AppHandle<R>,
    client: &Client,
    slot: &Arc<Mutex<Option<GatewayHandle>>>,
    local: &LocalSlot,
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
    let local = local.lock().await.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(update) = updates.recv().await {
            match update {
                // SECURITY_LOGOUT, or a token REST confirmed dead: the client forgets the
                // session and publishes `login_required` itself (through the forwarder).
                GatewayUpdate::State(UiState::LoginRequired { message, .. }) => {
                    client.signed_out_remotely(&message).await;
                }
                GatewayUpdate::State(state) => {
                    if matches!(state, UiState::Ready { .. }) {
                        // Connected again: queued sends need not wait out their backoff, and
                        // the server's unread state may have moved (another device, a gap).
                        if let Some(l) = &local {
                            l.outbox.wake_all();
                            let unread = l.unread.clone();
                            tauri::async_runtime::spawn(async move {
                                if let Err(e) = unread.sync().await {
                                    tracing::info!(error = %e, "unread state not fetched");
                                }
                            });
                        }
                    }
                    publish(&app, &state);
                }
                GatewayUpdate::Event(event) => {
                    // Stale cached server lists read later must not undo what this said.
                    client.note_event(&event);
                    // The cache follows the gateway, so a channel opened later (or after a
                    // restart) paints what arrived meanwhile.
                    if let Some(l) = &local {
                        if let Err(e) = l.store.apply_event(&event) {
                            tracing::warn!(error = %e, "could not cache a gateway event");
                        }
                    }
                    app.state::<crate::desktop::Notifier>()
                        .maybe_notify(&app, &event);
                    if let Err(e) = app.emit(CHAT_EVENT, &event) {
                        tracing::warn!(error = %e, "could not emit a chat event");
                    }
                    // After the chat event: the window counts the message itself first, then
                    // the core's persisted count (this update) replaces its guess.
                    if let Some(l) = &local {
                        if let Err(e) = l.unread.on_event(&event) {
                            tracing::warn!(error = %e, "could not count an unread message");
                        }
                    }
                }
            }
        }
    });
}
