//! `Client`: the facade the desktop shell and `plexi` call.
//!
//! It owns the REST engine ([`Api`]), the state hub ([`StateHub`]) and the session: the token,
//! where it is stored, the pending 2FA challenge, the failed-login count and the lockout
//! estimate. Every action returns `Result<T, ClientError>`; the error carries the classified
//! [`UiState`] for that action (the UI shows it inline), while screen-level changes are
//! published through [`Client::subscribe`]:
//! - sign-in, restore → `ready{user}`; logout → `signed_out`;
//! - a 401 on any signed-in call → the token is dropped locally and `login_required{reason}`;
//! - 403 `Account suspended` → `account_locked{suspended: true}` (no logout loop);
//! - a 426 from any call → `update_required` for good;
//! - while a request waits: `rate_limited{retry_at}`, `server_error{attempt, next_retry_at}`,
//!   `offline`, then back to the screen state.
//!
//! Tokens go to the [`SessionStore`] (OS keyring in the app). When the keyring is unavailable
//! the session is kept in memory only and `keyring_unavailable` is published once; the token
//! is never written to a file.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::api::types::NegotiateResponse;
use crate::api::{Api, ApiConfig, DEFAULT_BASE_URL};
use crate::error::{ClientError, RetryKind};
use crate::hub::StateHub;
use crate::model::User;
use crate::retry::Backoff;
use crate::session::{KeyringStore, MemoryStore, Secret, SessionStore};
use crate::ui_state::TimestampMs;
use crate::UiState;

mod account;
mod auth;
mod chat;
mod communities;
pub mod embeds;
mod media;
mod persist;
pub mod search;

pub use communities::RECENT_WRITES_TTL;
pub use media::megabytes;
mod polls;
mod rich;
pub mod saved;

pub use polls::{checked_poll, poll_message_text};

/// The store entry that keeps a pending 2FA challenge.
const CHALLENGE_ENTRY: &str = "@challenge";

/// How long a 2FA challenge lives when the server does not say.
const DEFAULT_CHALLENGE_TTL: Duration = Duration::from_secs(300);

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Server root, default `https://api.plexichat.com`.
    pub base_url: String,
    /// Version string negotiated with the server, default [`crate::version::CLIENT_VERSION`].
    pub client_version: String,
    /// Where tokens are kept, default the OS keyring.
    pub store: Arc<dyn SessionStore>,
    /// Retry policy for transient failures.
    pub backoff: Backoff,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// The `X-API-Access-Token` to send when the server's capabilities require one.
    pub api_access_token: Option<Secret>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        let api = ApiConfig::default();
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            client_version: api.client_version,
            store: Arc::new(KeyringStore::new()),
            backoff: api.backoff,
            timeout: api.timeout,
            api_access_token: None,
        }
    }
}

impl ClientConfig {
    /// Defaults for `base_url`.
    #[must_use]
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            ..Self::default()
        }
    }

    /// Uses `store` instead of the OS keyring.
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = store;
        self
    }

    /// Uses `backoff` for transient failures.
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }
}

/// How a login ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum LoginOutcome {
    /// Signed in.
    SignedIn {
        /// The signed-in user.
        user: User,
    },
    /// A TOTP or backup code is needed: call [`Client::submit_two_factor`].
    TwoFactorRequired {
        /// When the challenge expires (ms).
        #[ts(type = "number")]
        expires_at: TimestampMs,
        /// Accepted methods.
        methods: Vec<String>,
    },
}

#[derive(Debug)]
struct Challenge {
    token: Secret,
    expires_at: TimestampMs,
    account: String,
}

#[derive(Debug, Default)]
struct Session {
    account: Option<String>,
    user: Option<User>,
    challenge: Option<Challenge>,
    failed_logins: u32,
    locked_until: Option<TimestampMs>,
    is_keyring_down: bool,
}

#[derive(Debug)]
struct Inner {
    api: Api,
    hub: StateHub,
    store: Arc<dyn SessionStore>,
    memory: MemoryStore,
    server_key: String,
    session: tokio::sync::Mutex<Session>,
    recent: std::sync::Mutex<communities::RecentWrites>,
    /// The last messaging settings this client wrote, trusted over the server's 60 s cache.
    messaging: std::sync::Mutex<Option<(std::time::Instant, crate::account::MessagingSettings)>>,
    /// Channel id → conversation id, learned from history listings (whose `channel_id` is
    /// the conversation id, messaging.txt); read state is keyed by it.
    conversations: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The Plexichat client; cheap to clone (an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// A client for `config.base_url`, signed out until [`Client::restore`] or a login.
    ///
    /// # Errors
    /// A `bug_report` state when the HTTP client cannot be built.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let hub = StateHub::new(UiState::SignedOut);
        let api = Api::new(
            ApiConfig {
                base_url: config.base_url.clone(),
                client_version: config.client_version.clone(),
                timeout: config.timeout,
                backoff: config.backoff,
            },
            hub.clone(),
        )?;
        api.set_access_token(config.api_access_token.clone());
        let server_key = config.base_url.trim_end_matches('/').to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                api,
                hub,
                store: config.store,
                memory: MemoryStore::new(),
                server_key,
                session: tokio::sync::Mutex::new(Session::default()),
                recent: std::sync::Mutex::new(communities::RecentWrites::default()),
                messaging: std::sync::Mutex::new(None),
                conversations: std::sync::Mutex::default(),
            }),
        })
    }

    /// The current state and a receiver of every later one.
    #[must_use]
    pub fn subscribe(&self) -> (UiState, tokio::sync::broadcast::Receiver<UiState>) {
        self.inner.hub.subscribe()
    }

    /// The current state.
    #[must_use]
    pub fn state(&self) -> UiState {
        self.inner.hub.current()
    }

    /// The state hub, so the gateway can publish `connecting` / `reconnecting` / `offline`
    /// into the same stream the UI already follows.
    #[must_use]
    pub fn hub(&self) -> &StateHub {
        &self.inner.hub
    }

    /// The REST engine, for routes the facade does not wrap.
    #[must_use]
    pub fn api(&self) -> &Api {
        &self.inner.api
    }

    /// The session token, for the gateway's IDENTIFY (never show or log it).
    #[must_use]
    pub fn token(&self) -> Option<Secret> {
        self.inner.api.token()
    }

    /// The `…/api/v1` root (the gateway derives its URL from the same host).
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.inner.api.base()
    }

    /// Negotiates the version (`POST /version/negotiate`) and reads the capabilities.
    ///
    /// # Errors
    /// `update_required` (the whole client switches to it), `invalid_version_format`, `offline`.
    pub async fn negotiate(&self) -> Result<NegotiateResponse, ClientError> {
        let resp = self.inner.api.negotiate().await?;
        if resp.update_required || !resp.compatible {
            let state = UiState::UpdateRequired {
                client_version: self.inner.api.config().client_version.clone(),
                min_version: resp
                    .min_supported_version
                    .as_ref()
                    .map(|v| v.string.clone())
                    .unwrap_or_default(),
                server_version: resp
                    .server_version
                    .as_ref()
                    .map(|v| v.string.clone())
                    .unwrap_or_default(),
                update_url: resp.update_url.clone(),
            };
            self.inner.hub.set_base(state.clone());
            return Err(ClientError::rejected(
                state,
                "the server requires a newer client",
            ));
        }
        match self.inner.api.capabilities().await {
            Ok(caps) => {
                self.inner
                    .api
                    .set_access_token_required(caps.access_token_required);
                if caps.access_token_required && !self.inner.api.has_access_token() {
                    tracing::warn!(
                        "the server requires an API access token and none is configured"
                    );
                }
            }
            Err(e) => tracing::debug!(error = %e, "capabilities unavailable"),
        }
        Ok(resp)
    }

    /// Startup in one call: [`Client::negotiate`], then [`Client::restore`].
    ///
    /// # Errors
    /// As those two; after `update_required` nothing else is tried.
    pub async fn start(&self) -> Result<Option<User>, ClientError> {
        self.negotiate().await?;
        self.restore().await
    }

    /// Runs a signed-in call and applies its screen-level consequences.
    async fn authed<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, ClientError>>,
    ) -> Result<T, ClientError> {
        let result = fut.await;
        if let Err(e) = &result {
            match (&e.state, e.retry) {
                (UiState::LoginRequired { .. }, RetryKind::Reauthenticate) => {
                    self.forget_session().await;
                    self.inner.hub.set_base(e.state.clone());
                }
                (
                    UiState::AccountLocked {
                        suspended: true, ..
                    },
                    _,
                ) => {
                    self.inner.hub.set_base(e.state.clone());
                }
                _ => {}
            }
        }
        result
    }
}
