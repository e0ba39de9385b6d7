//! plexichat-devserver: a local server that answers like the reference Plexichat backend
//! (shared/recorded/, PROTOCOL.md), quirks included, and can be told to misbehave.
//!
//! Layout: [`DevServer::start`] builds one [`state`] (a single locked `World`: data, gateway
//! hub, faults, rate limits) and serves `http` (REST under `/api/v1`, layered through faults
//! and rate limits), the `gateway` (`/gateway`) and the fault routes (`/__devserver/fault`).
//! It has its own wire types in `wire` and never depends on plexichat-core.
//!
//! ```
//! use plexichat_devserver::{DevServer, DevServerConfig};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let server = DevServer::start(DevServerConfig::for_tests()).await.unwrap();
//! let alice = server.create_user("alice", "Correct-Horse-9battery").await.unwrap();
//! let hq = server.create_server(&alice.id, "HQ").await.unwrap();
//! let id = server.post_message(&alice.id, &hq.general_channel_id, "hello").await.unwrap();
//! assert_eq!(server.channel_message_ids(&hq.general_channel_id), vec![id]);
//! server.faults().http_status(503, 1); // the next REST call fails
//! server.shutdown().await;
//! # });
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod error;
mod faults;
mod gateway;
mod handle;
mod http;
mod ids;
mod routes;
mod seed;
mod state;
mod store;
mod totp;
mod version;
mod wire;

pub use config::{DevServerConfig, Seed, FAST_LIMIT_SCALE};
pub use faults::Faults;
pub use handle::{DevServer, DevServerHandle, TestServer, TestUser, TotpInfo};

/// Password of the demo users (meets the password rules: 12+ chars, upper, lower, digit, special).
pub const DEMO_PASSWORD: &str = "Plexichat-Demo-2024!";

/// The demo users created by [`Seed::Demo`].
pub const DEMO_USERS: [&str; 3] = ["alice", "bob", "carol"];
