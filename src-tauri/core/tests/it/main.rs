//! Integration tests of plexichat-core through real HTTP.
//!
//! Each test starts its own `plexichat-devserver` on a free port (fast rate-limit windows,
//! fault injection). With `PLEXICHAT_TEST_SERVER=http://host:port` the tests that need no
//! fault injection run against that server instead and the others are skipped.

mod account;
mod auth;
mod chat;
mod embeds;
mod polls;
mod reference;
mod resilience;
mod rich;
mod saved;
mod search;
mod session;
mod support;
mod unread;
mod waits;

mod communities;
