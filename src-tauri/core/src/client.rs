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

use crate::api::types::{
    HistoryQuery, NegotiateResponse, NewMessage, PasswordRequirements, PasswordRule, Presence,
    Relationship, SessionInfo,
};
use crate::api::{Api, ApiConfig, DEFAULT_BASE_URL};
use crate::clock::{ms_after, now_ms};
use crate::error::{ClientError, ClientErrorSource, RetryKind, LOCKOUT_ESTIMATE};
use crate::hub::StateHub;
use crate::model::{Attachment, Channel, Message, Reaction, Server, User};
use crate::retry::Backoff;
use crate::session::{
    normalize_two_factor_code, KeyringStore, MemoryStore, Secret, SessionStore, StoreError,
};
use crate::ui_state::TimestampMs;
use crate::UiState;

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

    /// Ends the session locally after the server signed it out (gateway `SECURITY_LOGOUT`, a
    /// session revoked from another device): forgets the token and shows `login_required`
    /// with reason `signed_out_remotely`.
    pub async fn signed_out_remotely(&self, message: &str) {
        self.forget_session().await;
        self.inner.hub.set_base(UiState::LoginRequired {
            reason: crate::ui_state::LoginReason::SignedOutRemotely,
            message: message.to_owned(),
        });
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

    // ---- startup ---------------------------------------------------------------------------

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

    /// Restores the last session from the store and verifies it with `/users/@me`.
    /// `Ok(None)` means nobody was signed in (`signed_out`).
    ///
    /// # Errors
    /// `login_required` when the saved token is no longer valid (it is then forgotten),
    /// `offline` when the server cannot be reached (the token is kept).
    pub async fn restore(&self) -> Result<Option<User>, ClientError> {
        let account = match self.inner.store.last_account(&self.inner.server_key).await {
            Ok(a) => a,
            Err(e) => {
                self.keyring_down(&e).await;
                self.inner
                    .memory
                    .last_account(&self.inner.server_key)
                    .await
                    .unwrap_or_default()
            }
        };
        let Some(account) = account else {
            self.inner.hub.set_base(UiState::SignedOut);
            return Ok(None);
        };
        let token = self.load_token(&account).await;
        let Some(token) = token else {
            self.inner.hub.set_base(UiState::SignedOut);
            return Ok(None);
        };
        self.inner.api.set_token(Some(token));
        self.inner.session.lock().await.account = Some(account);
        let user = self.whoami().await?;
        Ok(Some(user))
    }

    // ---- sign-in ---------------------------------------------------------------------------

    /// `GET /auth/password-requirements`, for the register form.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn password_requirements(&self) -> Result<PasswordRequirements, ClientError> {
        self.inner.api.password_requirements().await
    }

    /// Registers and signs in. The password is checked against the server's requirements
    /// first; the error names each broken rule.
    ///
    /// # Errors
    /// `invalid_input{field: "password"}` naming the broken rules, `conflict`, `rate_limited`
    /// (waited out), …
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &Secret,
    ) -> Result<User, ClientError> {
        let req = self.inner.api.password_requirements().await?;
        let broken = req.check(password.expose());
        if !broken.is_empty() {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("password".into()),
                    message: describe_rules(&broken, &req),
                },
                "password does not meet the requirements",
            ));
        }
        let resp = self.inner.api.register(username, email, password).await?;
        match resp.token {
            Some(token) if !token.is_empty() => {
                self.finish_sign_in(username, token, resp.user).await
            }
            _ => Err(sign_in_incomplete()),
        }
    }

    /// Signs in with a user name or e-mail.
    ///
    /// # Errors
    /// `invalid_credentials{attempts_left}`, `account_locked{until}` (15 min from the first
    /// lockout answer), `sign_in_incomplete` (200 without a token), `rate_limited`, …
    pub async fn login(&self, login: &str, password: &Secret) -> Result<LoginOutcome, ClientError> {
        let failed = self.inner.session.lock().await.failed_logins;
        let result = self.inner.api.login(login, password, failed + 1).await;
        let resp = match result {
            Ok(r) => r,
            Err(mut e) => {
                let mut s = self.inner.session.lock().await;
                match &mut e.state {
                    UiState::InvalidCredentials { .. } => s.failed_logins += 1,
                    UiState::AccountLocked { until, .. } => {
                        // The server sends no unlock time: keep the first estimate.
                        let now = now_ms();
                        let first = s.locked_until.filter(|t| *t > now).unwrap_or(*until);
                        s.locked_until = Some(first);
                        *until = first;
                    }
                    _ => {}
                }
                return Err(e);
            }
        };
        {
            let mut s = self.inner.session.lock().await;
            s.failed_logins = 0;
            s.locked_until = None;
        }
        if let Some(token) = resp.token.filter(|t| !t.is_empty()) {
            let account = resp
                .user
                .as_ref()
                .map_or(login, |u| u.username.as_str())
                .to_owned();
            let user = self.finish_sign_in(&account, token, resp.user).await?;
            return Ok(LoginOutcome::SignedIn { user });
        }
        match resp.challenge_token.filter(|c| !c.is_empty()) {
            Some(challenge) => {
                let ttl = resp
                    .expires_in
                    .and_then(crate::error::secs)
                    .unwrap_or(DEFAULT_CHALLENGE_TTL);
                let expires_at = ms_after(now_ms(), ttl);
                let methods = resp
                    .methods
                    .unwrap_or_else(|| vec!["totp".into(), "backup_code".into()]);
                let challenge = Challenge {
                    token: challenge,
                    expires_at,
                    account: login.to_owned(),
                };
                self.save_challenge(Some(&challenge)).await;
                self.inner.session.lock().await.challenge = Some(challenge);
                self.inner.hub.publish(UiState::TwoFactorRequired {
                    expires_at,
                    methods: methods.clone(),
                });
                Ok(LoginOutcome::TwoFactorRequired {
                    expires_at,
                    methods,
                })
            }
            // A 200 without token or challenge: observed on the reference server for TOTP
            // accounts (PROTOCOL.md §5).
            None => Err(sign_in_incomplete()),
        }
    }

    /// Completes a 2FA sign-in with a TOTP code or a backup code (with or without its dash).
    ///
    /// # Errors
    /// `two_factor_invalid` (try again), `two_factor_expired` (back to the password step), …
    pub async fn submit_two_factor(&self, code: &Secret) -> Result<User, ClientError> {
        if self.inner.session.lock().await.challenge.is_none() {
            // A challenge from another process (`plexi login` then `plexi 2fa`).
            let loaded = self.load_challenge().await;
            self.inner.session.lock().await.challenge = loaded;
        }
        let (challenge, account) = {
            let mut s = self.inner.session.lock().await;
            match s.challenge.as_ref() {
                Some(c) if c.expires_at > now_ms() => (c.token.clone(), c.account.clone()),
                Some(_) => {
                    s.challenge = None;
                    return Err(ClientError::rejected(
                        UiState::TwoFactorExpired,
                        "challenge expired",
                    ));
                }
                None => {
                    return Err(ClientError::rejected(
                        UiState::TwoFactorExpired,
                        "no challenge",
                    ));
                }
            }
        };
        let code = Secret::new(normalize_two_factor_code(code.expose()));
        match self.inner.api.two_factor(&challenge, &code).await {
            Ok(resp) => {
                self.inner.session.lock().await.challenge = None;
                self.save_challenge(None).await;
                match resp.token.filter(|t| !t.is_empty()) {
                    Some(token) => {
                        let account = resp.user.as_ref().map_or(account, |u| u.username.clone());
                        self.finish_sign_in(&account, token, resp.user).await
                    }
                    None => Err(sign_in_incomplete()),
                }
            }
            Err(e) => {
                if matches!(e.state, UiState::TwoFactorExpired) {
                    self.inner.session.lock().await.challenge = None;
                    self.save_challenge(None).await;
                }
                Err(e)
            }
        }
    }

    /// Checks a candidate password against `req` (for live form feedback).
    #[must_use]
    pub fn check_password(req: &PasswordRequirements, password: &str) -> Vec<PasswordRule> {
        req.check(password)
    }

    /// Signs out on the server (best effort) and forgets the session locally.
    ///
    /// # Errors
    /// Only a store failure other than a missing keyring.
    pub async fn logout(&self) -> Result<(), ClientError> {
        if self.inner.api.token().is_some() {
            if let Err(e) = self.inner.api.logout().await {
                tracing::info!(error = %e, "server-side logout failed; signing out locally");
            }
        }
        self.forget_session().await;
        self.inner.hub.set_base(UiState::SignedOut);
        Ok(())
    }

    /// The signed-in user, verified with the server; publishes `ready`.
    ///
    /// # Errors
    /// `login_required` when the session is gone, `account_locked{suspended}`, `offline`, …
    pub async fn whoami(&self) -> Result<User, ClientError> {
        let user = self.authed(self.inner.api.me()).await?;
        self.inner.session.lock().await.user = Some(user.clone());
        self.inner
            .hub
            .set_base(UiState::Ready { user: user.clone() });
        Ok(user)
    }

    /// The account's sessions.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        self.authed(self.inner.api.sessions()).await
    }

    /// Revokes another session of the account.
    ///
    /// # Errors
    /// `not_found{session}`, …
    pub async fn revoke_session(&self, id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.revoke_session(id))
            .await
            .map(drop)
    }

    // ---- chat ------------------------------------------------------------------------------

    /// Servers the user belongs to.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn servers(&self) -> Result<Vec<Server>, ClientError> {
        self.authed(self.inner.api.servers()).await
    }

    /// Channels of a server.
    ///
    /// # Errors
    /// `not_found{server}`, …
    pub async fn channels(&self, server_id: &str) -> Result<Vec<Channel>, ClientError> {
        self.authed(self.inner.api.channels(server_id)).await
    }

    /// A page of history, newest first.
    ///
    /// # Errors
    /// `not_found{channel}`, `invalid_input{limit}`, …
    pub async fn history(
        &self,
        channel_id: &str,
        q: &HistoryQuery,
    ) -> Result<Vec<Message>, ClientError> {
        if let Some(limit) = q.limit {
            if !(1..=100).contains(&limit) {
                return Err(ClientError::rejected(
                    UiState::InvalidInput {
                        field: Some("limit".into()),
                        message: "limit must be 1 to 100".into(),
                    },
                    "bad limit",
                ));
            }
        }
        self.authed(self.inner.api.history(channel_id, q)).await
    }

    /// Sends a message. Checked locally first (empty, whitespace only, over 4000 characters);
    /// never repeated after it may have reached the server.
    ///
    /// # Errors
    /// `content_rejected` (the server's filter), `invalid_input{content}`, `forbidden`, …
    pub async fn send_message(
        &self,
        channel_id: &str,
        msg: &NewMessage,
    ) -> Result<Message, ClientError> {
        check_content(&msg.content, !msg.attachments.is_empty())?;
        self.authed(self.inner.api.send_message(channel_id, msg))
            .await
    }

    /// Edits one's own message.
    ///
    /// # Errors
    /// `content_rejected`, `not_found{message}`, …
    pub async fn edit_message(
        &self,
        channel_id: &str,
        message_id: &str,
        content: &str,
    ) -> Result<Message, ClientError> {
        check_content(content, false)?;
        self.authed(self.inner.api.edit_message(channel_id, message_id, content))
            .await
    }

    /// Deletes a message.
    ///
    /// # Errors
    /// `not_found{message}`, `forbidden`, …
    pub async fn delete_message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<(), ClientError> {
        self.authed(self.inner.api.delete_message(channel_id, message_id))
            .await
            .map(drop)
    }

    /// Reaction counts of a message.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn reactions(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Vec<Reaction>, ClientError> {
        self.authed(self.inner.api.reactions(channel_id, message_id))
            .await
    }

    /// Adds a reaction.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn add_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<(), ClientError> {
        self.authed(self.inner.api.add_reaction(channel_id, message_id, emoji))
            .await
            .map(drop)
    }

    /// Removes one's reaction (no error when it was not there).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn remove_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<(), ClientError> {
        self.authed(
            self.inner
                .api
                .remove_reaction(channel_id, message_id, emoji),
        )
        .await
        .map(drop)
    }

    /// Pinned messages of a channel.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn pins(&self, channel_id: &str) -> Result<Vec<Message>, ClientError> {
        self.authed(self.inner.api.pins(channel_id)).await
    }

    /// Pins or unpins a message.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn set_pinned(
        &self,
        channel_id: &str,
        message_id: &str,
        is_pinned: bool,
    ) -> Result<(), ClientError> {
        if is_pinned {
            self.authed(self.inner.api.pin(channel_id, message_id))
                .await
                .map(drop)
        } else {
            self.authed(self.inner.api.unpin(channel_id, message_id))
                .await
                .map(drop)
        }
    }

    /// Tells the channel the user is typing.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn typing(&self, channel_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.typing(channel_id))
            .await
            .map(drop)
    }

    /// Moves the read marker to `message_id`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn ack(&self, channel_id: &str, message_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.ack(channel_id, message_id))
            .await
            .map(drop)
    }

    /// Uploads a file (checked locally against the 10 MiB cap first).
    ///
    /// # Errors
    /// `invalid_input{file}`, …
    pub async fn upload_attachment(
        &self,
        channel_id: &str,
        filename: &str,
        mime: &str,
        bytes: bytes::Bytes,
    ) -> Result<Attachment, ClientError> {
        const MAX_UPLOAD: usize = 10 * 1024 * 1024;
        if bytes.len() > MAX_UPLOAD {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("file".into()),
                    message: "File too large (10 MiB at most)".into(),
                },
                "file too large",
            ));
        }
        self.authed(
            self.inner
                .api
                .upload_attachment(channel_id, filename, mime, bytes),
        )
        .await
    }

    /// Opens (or finds) the DM channel with a user.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn open_dm(&self, recipient_id: &str) -> Result<Channel, ClientError> {
        self.authed(self.inner.api.open_dm(recipient_id)).await
    }

    /// DM channels the server lists (may be empty: remember opened DMs locally).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn dm_channels(&self) -> Result<Vec<Channel>, ClientError> {
        self.authed(self.inner.api.dm_channels()).await
    }

    /// Friends, requests and blocks.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn relationships(&self) -> Result<Vec<Relationship>, ClientError> {
        self.authed(self.inner.api.relationships()).await
    }

    /// Sends a friend request.
    ///
    /// # Errors
    /// `conflict{relationship}`, `forbidden{cannot_message_user}`, …
    pub async fn send_friend_request(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.authed(self.inner.api.send_friend_request(user_id))
            .await
    }

    /// Accepts a friend request.
    ///
    /// # Errors
    /// `not_found{friend_request}`, …
    pub async fn accept_friend_request(&self, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.accept_friend_request(user_id))
            .await
            .map(drop)
    }

    /// Unfriends, cancels, declines or unblocks.
    ///
    /// # Errors
    /// `not_found{relationship}`, …
    pub async fn remove_relationship(&self, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.remove_relationship(user_id))
            .await
            .map(drop)
    }

    /// Blocks a user.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn block_user(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.authed(self.inner.api.block_user(user_id)).await
    }

    /// Sets the user's presence.
    ///
    /// # Errors
    /// `invalid_input{status}`, …
    pub async fn set_presence(
        &self,
        status: &str,
        custom_status: Option<&str>,
    ) -> Result<Presence, ClientError> {
        self.authed(self.inner.api.set_presence(status, custom_status))
            .await
    }

    // ---- internals -------------------------------------------------------------------------

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

    async fn finish_sign_in(
        &self,
        account: &str,
        token: Secret,
        user: Option<User>,
    ) -> Result<User, ClientError> {
        self.inner.api.set_token(Some(token.clone()));
        self.save_token(account, &token).await?;
        {
            let mut s = self.inner.session.lock().await;
            s.account = Some(account.to_owned());
            s.failed_logins = 0;
            s.locked_until = None;
        }
        match user {
            Some(user) => {
                self.inner.session.lock().await.user = Some(user.clone());
                self.inner
                    .hub
                    .set_base(UiState::Ready { user: user.clone() });
                Ok(user)
            }
            None => self.whoami().await,
        }
    }

    async fn save_token(&self, account: &str, token: &Secret) -> Result<(), ClientError> {
        let key = &self.inner.server_key;
        let saved = match self.inner.store.save(key, account, token).await {
            Ok(()) => self.inner.store.set_last_account(key, Some(account)).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(()) => Ok(()),
            Err(e @ StoreError::KeyringUnavailable(_)) => {
                self.keyring_down(&e).await;
                // Memory only: the session ends with the process, and no file is written.
                let _ = self.inner.memory.save(key, account, token).await;
                let _ = self.inner.memory.set_last_account(key, Some(account)).await;
                Ok(())
            }
            Err(e) => Err(ClientError {
                state: UiState::KeyringUnavailable {
                    detail: e.to_string(),
                },
                retry: RetryKind::Permanent,
                source: ClientErrorSource::Store(e),
            }),
        }
    }

    /// Keeps a pending 2FA challenge in the store (memory when there is no keyring), so that
    /// the code can be entered by another process or after a restart.
    async fn save_challenge(&self, challenge: Option<&Challenge>) {
        let key = &self.inner.server_key;
        let result = match challenge {
            Some(c) => {
                let packed = Secret::new(format!(
                    "{}\n{}\n{}",
                    c.expires_at,
                    c.account,
                    c.token.expose()
                ));
                match self.inner.store.save(key, CHALLENGE_ENTRY, &packed).await {
                    Err(StoreError::KeyringUnavailable(_)) => {
                        self.inner.memory.save(key, CHALLENGE_ENTRY, &packed).await
                    }
                    other => other,
                }
            }
            None => {
                let _ = self.inner.memory.delete(key, CHALLENGE_ENTRY).await;
                self.inner.store.delete(key, CHALLENGE_ENTRY).await
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "could not keep the 2FA challenge");
        }
    }

    async fn load_challenge(&self) -> Option<Challenge> {
        let key = &self.inner.server_key;
        let packed = match self.inner.store.load(key, CHALLENGE_ENTRY).await {
            Ok(p) => p,
            Err(_) => self
                .inner
                .memory
                .load(key, CHALLENGE_ENTRY)
                .await
                .ok()
                .flatten(),
        }?;
        let mut parts = packed.expose().splitn(3, '\n');
        let expires_at = parts.next()?.parse().ok()?;
        let account = parts.next()?.to_owned();
        let token = Secret::new(parts.next()?);
        Some(Challenge {
            token,
            expires_at,
            account,
        })
    }

    async fn load_token(&self, account: &str) -> Option<Secret> {
        let key = &self.inner.server_key;
        match self.inner.store.load(key, account).await {
            Ok(t) => t,
            Err(e) => {
                self.keyring_down(&e).await;
                self.inner.memory.load(key, account).await.ok().flatten()
            }
        }
    }

    async fn forget_session(&self) {
        let key = &self.inner.server_key;
        let account = {
            let mut s = self.inner.session.lock().await;
            s.user = None;
            s.challenge = None;
            s.account.take()
        };
        self.inner.api.set_token(None);
        if let Some(account) = account {
            let _ = self.inner.memory.delete(key, &account).await;
            if let Err(e) = self.inner.store.delete(key, &account).await {
                tracing::warn!(error = %e, "could not delete the token from the keyring");
            }
        }
        let _ = self.inner.memory.set_last_account(key, None).await;
        if let Err(e) = self.inner.store.set_last_account(key, None).await {
            tracing::debug!(error = %e, "could not clear the last account");
        }
    }

    async fn keyring_down(&self, err: &StoreError) {
        let mut s = self.inner.session.lock().await;
        if !s.is_keyring_down {
            s.is_keyring_down = true;
            tracing::warn!(error = %err, "no keyring: keeping the session in memory only");
            self.inner.hub.publish(UiState::KeyringUnavailable {
                detail: err.to_string(),
            });
        }
    }

    /// The lockout estimate from the first `Account locked` answer, if still running.
    pub async fn locked_until(&self) -> Option<TimestampMs> {
        let s = self.inner.session.lock().await;
        s.locked_until.filter(|t| *t > now_ms())
    }

    /// When a lockout that starts now would end (for a notice before any answer).
    #[must_use]
    pub fn lockout_estimate_from_now() -> TimestampMs {
        ms_after(now_ms(), LOCKOUT_ESTIMATE)
    }
}

fn sign_in_incomplete() -> ClientError {
    ClientError::rejected(
        UiState::SignInIncomplete {
            message: "The server accepted the sign-in but sent no session. If this account \
                      uses two-factor authentication, the server cannot complete it right now; \
                      try again later."
                .into(),
        },
        "login answered without a token",
    )
}

fn describe_rules(broken: &[PasswordRule], req: &PasswordRequirements) -> String {
    broken
        .iter()
        .map(|r| r.describe(req))
        .collect::<Vec<_>>()
        .join("; ")
}

fn check_content(content: &str, has_attachments: bool) -> Result<(), ClientError> {
    const MAX_CHARS: usize = 4000;
    let reject = |message: &str| {
        Err(ClientError::rejected(
            UiState::InvalidInput {
                field: Some("content".into()),
                message: message.to_owned(),
            },
            "message rejected locally",
        ))
    };
    if content.trim().is_empty() && !has_attachments {
        return reject("Message must have content");
    }
    if content.chars().count() > MAX_CHARS {
        return reject("Message is longer than 4000 characters");
    }
    Ok(())
}
