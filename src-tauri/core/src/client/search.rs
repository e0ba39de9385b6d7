//! Message search that always answers: this device's full-text index first, merged with the
//! server's search whenever that answers.
//!
//! The reference server's `GET /search/messages` answers 500 to every query (messaging.txt),
//! so the local index ([`crate::store::search`]) is the search; the server is asked once, in
//! parallel, without retries, and its results join the list when it does answer. When it
//! fails, [`ServerSearchStatus::Unavailable`] lets the UI say so quietly. The index is read on
//! a blocking thread, never on the async runtime's.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Client;
use crate::api::{SearchPage, ServerSearch};
use crate::error::ClientError;
use crate::model::{cmp_ids, Message};
use crate::store::{LocalHit, LocalSearch, Store, SEARCH_LIMIT};
use crate::UiState;

/// Results one search returns when the caller does not say.
pub const DEFAULT_SEARCH_LIMIT: u32 = 50;

/// A message search: words plus filters. Every field but `text` is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchQuery {
    /// The words (all must occur; each matches as a prefix). May be empty when a filter is set.
    #[serde(default)]
    pub text: String,
    /// Only this channel.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// Only this server's channels.
    #[serde(default)]
    pub server_id: Option<String>,
    /// Only messages from this user (id or user name).
    #[serde(default)]
    pub author: Option<String>,
    /// Only messages with a file.
    #[serde(default)]
    pub has_file: bool,
    /// Only messages sent before this time (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<i64>,
    /// Only messages sent after this time (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub after: Option<i64>,
    /// At most this many results (default 50, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl SearchQuery {
    /// Whether there is anything to search for (words or a filter).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.channel_id.is_none()
            && self.server_id.is_none()
            && self.author.as_deref().is_none_or(|a| a.trim().is_empty())
            && !self.has_file
            && self.before.is_none()
            && self.after.is_none()
    }

    fn limit(&self) -> u32 {
        self.limit
            .unwrap_or(DEFAULT_SEARCH_LIMIT)
            .clamp(1, SEARCH_LIMIT)
    }

    /// Whether a message from the server passes the filters the server does not apply.
    fn keeps(&self, m: &Message) -> bool {
        let author_ok = match self
            .author
            .as_deref()
            .map(|a| a.trim().trim_start_matches('@'))
        {
            Some(a) if !a.is_empty() => {
                m.author_id == a
                    || m.author_username
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case(a))
            }
            _ => true,
        };
        author_ok
            && (!self.has_file || !m.attachments.is_empty())
            && self.before.is_none_or(|b| m.created_at < b)
            && self.after.is_none_or(|a| m.created_at > a)
    }
}

/// Where a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HitSource {
    /// This device's index only.
    Device,
    /// The server only (not cached here).
    Server,
    /// Both.
    Both,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchHit {
    /// The channel to open for it.
    pub channel_id: String,
    /// The message.
    pub message: Message,
    /// Where it was found.
    pub source: HitSource,
}

/// What the server's search did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum ServerSearchStatus {
    /// It answered; its results are merged in.
    Answered,
    /// It failed (the reference server's 500 "Internal search error", offline, …): the
    /// results are this device's alone.
    Unavailable {
        /// Why, for the quiet note.
        reason: String,
    },
    /// Not asked: the search has filters only, which the server cannot take.
    NotAsked,
}

/// The merged results, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchResults {
    /// The results, newest first, each message once.
    pub hits: Vec<SearchHit>,
    /// What the server did.
    pub server: ServerSearchStatus,
}

impl Client {
    /// Searches `store`'s index (when there is one) and the server at once; merges both.
    /// Never fails because the server's search does: only a broken local database and a
    /// failed server search together are an error.
    ///
    /// # Errors
    /// The server's classified failure when there is no local index to answer instead.
    pub async fn search_messages(
        &self,
        store: Option<&Store>,
        q: &SearchQuery,
    ) -> Result<SearchResults, ClientError> {
        if q.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                server: ServerSearchStatus::NotAsked,
            });
        }
        let local = search_local(store.cloned(), local_query(q));
        let remote = async {
            if q.text.trim().is_empty() {
                None
            } else {
                Some(self.inner.api.search_messages(&server_query(q)).await)
            }
        };
        let (local, remote) = tokio::join!(local, remote);
        let server = match &remote {
            None => ServerSearchStatus::NotAsked,
            Some(Ok(_)) => ServerSearchStatus::Answered,
            Some(Err(e)) => {
                tracing::debug!(error = %e, "the server's search failed; results from this device");
                ServerSearchStatus::Unavailable {
                    reason: match &e.state {
                        UiState::ServerError { message, .. } => message.clone(),
                        UiState::Offline { .. } => "offline".to_owned(),
                        _ => e.to_string(),
                    },
                }
            }
        };
        let local = match (local, remote) {
            (Some(hits), Some(Ok(page))) => return Ok(merge(q, hits, page)),
            (Some(hits), _) => hits,
            (None, Some(Ok(page))) => return Ok(merge(q, Vec::new(), page)),
            (None, Some(Err(e))) => return Err(e),
            (None, None) => Vec::new(),
        };
        Ok(SearchResults {
            hits: local
                .into_iter()
                .map(|h| SearchHit {
                    channel_id: h.channel_id,
                    message: h.message,
                    source: HitSource::Device,
                })
                .collect(),
            server,
        })
    }
}

/// Reads the index on a blocking thread; `None` without a store or when the database fails
/// (logged).
async fn search_local(store: Option<Store>, q: LocalSearch) -> Option<Vec<LocalHit>> {
    let store = store?;
    match tokio::task::spawn_blocking(move || store.search_messages(&q)).await {
        Ok(Ok(hits)) => Some(hits),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "the local search index failed");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the local search stopped");
            None
        }
    }
}

fn local_query(q: &SearchQuery) -> LocalSearch {
    LocalSearch {
        text: q.text.clone(),
        channel_id: q.channel_id.clone(),
        server_id: q.server_id.clone(),
        author: q.author.clone(),
        has_file: q.has_file,
        before: q.before,
        after: q.after,
        limit: q.limit(),
    }
}

fn server_query(q: &SearchQuery) -> ServerSearch {
    // The server filters by author id only; a name is applied to its answer afterwards.
    let author_id = q
        .author
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned);
    ServerSearch {
        query: q.text.trim().to_owned(),
        channel_id: q.channel_id.clone(),
        server_id: q.server_id.clone(),
        author_id,
        limit: q.limit(),
    }
}

/// Local and server results as one list: newest first, each message once (the server's copy
/// wins, it is the fresher), cut to the limit.
fn merge(q: &SearchQuery, local: Vec<LocalHit>, page: SearchPage) -> SearchResults {
    let mut by_id: HashMap<String, SearchHit> = local
        .into_iter()
        .map(|h| {
            (
                h.message.id.clone(),
                SearchHit {
                    channel_id: h.channel_id,
                    message: h.message,
                    source: HitSource::Device,
                },
            )
        })
        .collect();
    for m in page.results.into_iter().filter(|m| q.keeps(m)) {
        match by_id.get_mut(&m.id) {
            Some(hit) => {
                hit.message = m;
                hit.source = HitSource::Both;
            }
            None => {
                by_id.insert(
                    m.id.clone(),
                    SearchHit {
                        channel_id: m.channel_id.clone(),
                        message: m,
                        source: HitSource::Server,
                    },
                );
            }
        }
    }
    let mut hits: Vec<SearchHit> = by_id.into_values().collect();
    hits.sort_by(|a, b| cmp_ids(&b.message.id, &a.message.id));
    hits.truncate(usize::try_from(q.limit()).unwrap_or(usize::MAX));
    SearchResults {
        hits,
        server: ServerSearchStatus::Answered,
    }
}

/// Parses `YYYY-MM-DD` (a UTC day) or a millisecond timestamp, for `plexi search --before`.
#[must_use]
pub fn parse_day_or_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    let mut parts = s.split('-');
    let (y, m, d) = (
        parts.next()?.parse::<i64>().ok()?,
        parts.next()?.parse::<i64>().ok()?,
        parts.next()?.parse::<i64>().ok()?,
    );
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, content: &str) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": id, "channel_id": "c", "author_id": "7", "author_username": "bob",
            "content": content, "created_at": id.parse::<i64>().unwrap()
        }))
        .unwrap()
    }

    #[test]
    fn server_and_device_results_merge_newest_first_each_once() {
        let q = SearchQuery {
            text: "banana".into(),
            limit: Some(3),
            ..SearchQuery::default()
        };
        let local = vec![
            LocalHit {
                channel_id: "c".into(),
                message: msg("10", "banana"),
            },
            LocalHit {
                channel_id: "c".into(),
                message: msg("30", "banana old text"),
            },
        ];
        let page = SearchPage {
            results: vec![
                msg("30", "banana edited"),
                msg("20", "banana"),
                msg("5", "x"),
            ],
            next_cursor: None,
        };
        let r = merge(&q, local, page);
        let got: Vec<_> = r
            .hits
            .iter()
            .map(|h| (h.message.id.as_str(), h.source))
            .collect();
        assert_eq!(
            got,
            [
                ("30", HitSource::Both),
                ("20", HitSource::Server),
                ("10", HitSource::Device)
            ]
        );
        assert_eq!(r.hits[0].message.content, "banana edited");
    }

    #[test]
    fn filters_the_server_cannot_apply_are_applied_to_its_answer() {
        let q = SearchQuery {
            text: "x".into(),
            author: Some("BOB".into()),
            before: Some(20),
            ..SearchQuery::default()
        };
        assert!(q.keeps(&msg("10", "x")));
        assert!(!q.keeps(&msg("25", "x")));
        let files = SearchQuery {
            has_file: true,
            ..q.clone()
        };
        assert!(!files.keeps(&msg("10", "x")));
        assert_eq!(server_query(&q).author_id, None, "a name is not an id");
    }

    #[test]
    fn days_parse_as_utc_midnight() {
        assert_eq!(parse_day_or_ms("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_day_or_ms("2026-12-03"), Some(1_796_256_000_000));
        assert_eq!(parse_day_or_ms("1796311609246"), Some(1_796_311_609_246));
        assert_eq!(parse_day_or_ms("2026-13-01"), None);
        assert_eq!(parse_day_or_ms("yesterday"), None);
    }
}
