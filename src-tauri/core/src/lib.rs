//! Plexichat client core.
//!
//! Everything that can fail lives here: the REST client with its rate limiter and retries,
//! error classification into [`UiState`], sessions and the keyring, the gateway connection,
//! the outbox and the local cache. The crate has no Tauri dependency so that every behaviour
//! can be tested headless against `plexichat-devserver`; the desktop shell and the `plexi`
//! CLI are thin layers over it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod model;
pub mod redact;
pub mod ui_state;

pub use ui_state::UiState;
