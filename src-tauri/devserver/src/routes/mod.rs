//! REST handlers, one module per area of the API (paths are below `/api/v1`).

pub(crate) mod account;
pub(crate) mod attachments;
pub(crate) mod auth;
pub(crate) mod avatars;
pub(crate) mod bookmarks;
pub(crate) mod channels;
pub(crate) mod communities;
pub(crate) mod devtools;
pub(crate) mod messages;
pub(crate) mod polls;
pub(crate) mod relationships;
pub(crate) mod rich;
pub(crate) mod search;
pub(crate) mod servers;
pub(crate) mod startup;
pub(crate) mod unread;
pub(crate) mod users;

use crate::state::AppState;
use std::sync::Arc;

/// Shorthand for the shared state extractor.
pub(crate) type St = axum::extract::State<Arc<AppState>>;

/// A router over the shared state.
pub(crate) type R = axum::Router<Arc<AppState>>;
