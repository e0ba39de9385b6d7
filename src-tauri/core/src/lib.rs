//! Plexichat client core.
//!
//! Everything that can fail lives here: the REST client with its rate limiter and retries,
//! error classification into [`UiState`], sessions and the keyring, the gateway connection,
//! the outbox and the local cache. The crate has no Tauri dependency so that every behaviour
//! can be tested headless against `plexichat-devserver`; the desktop shell and the `plexi`
//! CLI are thin layers over it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// `ClientError` carries its `UiState` by value so the shell and the UI match on it directly;
// failures are rare and off the hot path, so the size does not matter.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod client;
pub mod clock;
pub mod error;
pub mod event;
pub mod gateway;
pub mod model;
pub mod hub;
pub mod ratelimit;
pub mod retry;
pub mod redact;
pub mod session;
pub mod ui_state;
pub mod version;

pub use client::{Client, ClientConfig, LoginOutcome};
pub use error::{ApiError, ClientError, RetryKind};
pub use session::{KeyringStore, MemoryStore, Secret, SessionStore, Token};
pub use ui_state::UiState;
