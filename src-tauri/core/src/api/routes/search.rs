//! Message search on the server (messaging.txt, "message search").
//!
//! The reference server answers 500 "Internal search error" to every `GET /search/messages`
//! with a query, and `GET /channels/{id}/messages/search` always `[]`; the client searches
//! its own index first (`store::search`) and merges these answers in when they come.

use reqwest::Method;
use serde::Deserialize;

use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::model::Message;

/// What `GET /search/messages` takes (openapi: query, channel_id, server_id, author_id,
/// limit 1..=100, cursor).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerSearch {
    /// The words; the server refuses a missing one with 400 "Invalid query: Field required".
    pub query: String,
    /// Only this channel.
    pub channel_id: Option<String>,
    /// Only this server.
    pub server_id: Option<String>,
    /// Only this author (an id).
    pub author_id: Option<String>,
    /// Page size, 1..=100.
    pub limit: u32,
}

/// One page of `GET /search/messages` (openapi `MessageSearchPageResponse`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SearchPage {
    /// The matching messages.
    #[serde(default)]
    pub results: Vec<Message>,
    /// The next page's cursor.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

impl Api {
    /// `GET /search/messages`, tried once: a failure (the reference server's 500, offline)
    /// comes back at once because the device's own results are already on screen.
    ///
    /// # Errors
    /// `server_error` (the reference server, every time), `offline`, `invalid_input`, …
    pub async fn search_messages(&self, q: &ServerSearch) -> Result<SearchPage, ClientError> {
        let mut req = Request::new(Method::GET, "/search/messages")
            .query("query", &q.query)
            .query("limit", q.limit.clamp(1, 100))
            .once();
        for (key, value) in [
            ("channel_id", &q.channel_id),
            ("server_id", &q.server_id),
            ("author_id", &q.author_id),
        ] {
            if let Some(v) = value {
                req = req.query(key, v);
            }
        }
        self.call(req).await
    }
}
