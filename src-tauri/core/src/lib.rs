//! Plexichat client core.
//!
//! Everything that can fail lives here: the REST client with its rate limiter and retries,
//! error classification into [`UiState`], sessions and the keyring, the gateway connection,
//! the outbox and the local cache. The crate has no Tauri dependency so that every behaviour
//! can be tested headless against `plexichat-devserver`; the desktop shell and the `plexi`
//! CLI are thin layers over it.
//!
//! # Public surface
//!
//! - [`Client`] (cheap to clone): the facade the shell and `plexi` call. Built from a
//!   [`ClientConfig`] (`base_url`, default `https://api.plexichat.com`; `client_version`,
//!   default [`version::CLIENT_VERSION`]; a [`SessionStore`]). [`Client::subscribe`] returns
//!   the current [`UiState`] and a `broadcast::Receiver<UiState>` of every later one: screen
//!   states (`signed_out`, `ready`, `login_required`, `update_required`, `account_locked`) and
//!   the transient ones shown while a request waits (`rate_limited{retry_at}`,
//!   `server_error{attempt, next_retry_at}`, `service_unavailable`, `offline`); the
//!   gateway publishes its connection states into the same [`hub::StateHub`]
//!   ([`Client::hub`]) and ends a session with [`Client::signed_out_remotely`]. Actions
//!   (`start` = `negotiate` + `restore`, `register`, `login`, `submit_two_factor`, `logout`, `whoami`,
//!   `sessions`, `revoke_session`, `servers`, `channels`, `history`, `send_message`,
//!   `edit_message`, `delete_message`, reactions, pins, `typing`, `ack`,
//!   `upload_attachment`, DMs, relationships, `set_presence`) return
//!   `Result<T, `[`ClientError`]`>`; the error's `state` is what to show inline.
//! - [`error`]: [`ApiError`] (built by [`ApiError::from_response`] from status, headers and body
//!   bytes, or from a transport error) and [`ApiError::classify`] → ([`UiState`],
//!   [`RetryKind`]). The only place that interprets statuses and messages.
//! - [`api`]: the request engine ([`api::Api`]: rate limits, retries, Bearer token,
//!   `X-API-Access-Token`) and one typed method per route; wire types in [`api::types`].
//! - [`ratelimit`]: buckets from `X-RateLimit-*`, global pause, `Retry-After`.
//! - [`retry`]: full-jitter backoff; which requests may be repeated.
//! - [`version`]: `stage.major.minor-build` parsing and ordering.
//! - [`session`]: [`Secret`]/[`Token`] (never printed), [`SessionStore`] with
//!   [`KeyringStore`] and [`MemoryStore`].
//! - [`hub`]: the state broadcast behind [`Client::subscribe`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), plexichat_core::ClientError> {
//! use plexichat_core::{Client, ClientConfig, LoginOutcome, UiState};
//!
//! let client = Client::new(ClientConfig::new("http://127.0.0.1:8080"))?;
//! let (_now, mut states) = client.subscribe();
//! tokio::spawn(async move {
//!     while let Ok(state) = states.recv().await {
//!         println!("{}", serde_json::to_string(&state).unwrap_or_default());
//!     }
//! });
//! client.negotiate().await?;
//! if client.restore().await?.is_none() {
//!     match client.login("alice", &"Plexichat-Demo-2024!".into()).await {
//!         Ok(LoginOutcome::SignedIn { user }) => println!("hello {}", user.username),
//!         Ok(LoginOutcome::TwoFactorRequired { .. }) => { /* ask for a code */ }
//!         Err(e) if matches!(e.state, UiState::InvalidCredentials { .. }) => { /* form error */ }
//!         Err(e) => return Err(e),
//!     }
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// `ClientError` carries its `UiState` by value so the shell and the UI match on it directly;
// failures are rare and off the hot path, so the size does not matter.
#![allow(clippy::result_large_err)]

pub mod account;
pub mod api;
pub mod client;
pub mod clock;
pub mod community;
pub mod error;
pub mod event;
pub mod gateway;
pub mod hub;
pub mod media;
pub mod model;
pub mod outbox;
pub mod poll;
pub mod ratelimit;
pub mod redact;
pub mod retry;
pub mod rich;
pub mod saved;
pub mod session;
pub mod store;
pub mod ui_state;
pub mod unread;
pub mod version;
pub mod wait;

pub use client::{Client, ClientConfig, LoginOutcome};
pub use error::{ApiError, ClientError, RetryKind};
pub use session::{KeyringStore, MemoryStore, Secret, SessionStore, Token};
pub use ui_state::UiState;
