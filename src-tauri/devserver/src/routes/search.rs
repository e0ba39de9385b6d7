//! Message search (messaging.txt, "message search").
//!
//! Like the reference server by default: `GET /search/messages` answers 500 "Internal search
//! error" to every query (after the 400 for a missing one) and `GET /channels/{id}/messages/
//! search` answers `[]` to everyone, members or not. With
//! [`crate::DevServerConfig::as_documented`] both search as the openapi says: every word of the
//! query, case ignored, in channels the caller can see, newest first.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{query_pairs, Auth, ChannelId};
use crate::store::{Message, World};
use crate::wire;
use axum::extract::RawQuery;
use axum::routing::get;
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/search/messages", get(search_messages))
        .route(
            "/channels/{channel_id}/messages/search",
            get(search_channel),
        )
        .route("/search/users", get(empty_page))
        .route("/search/servers", get(empty_page))
}

/// `GET /search/users` and `/search/servers`: the reference's user index is empty and only
/// discoverable servers are indexed (none here), so both are always an empty page.
async fn empty_page(_auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    if param(&query_pairs(q.as_deref()), "query").is_none() {
        return Err(ApiError::invalid("query", "Field required"));
    }
    Ok(Json(json!({ "results": [], "next_cursor": null })))
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn id_param(pairs: &[(String, String)], key: &str) -> Result<Option<u64>, ApiError> {
    match param(pairs, key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ApiError::new(500, "Internal search error")),
    }
}

fn limit_param(pairs: &[(String, String)]) -> Result<usize, ApiError> {
    match param(pairs, "limit") {
        None => Ok(25),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            Ok(0) => Err(ApiError::invalid(
                "limit",
                "Input should be greater than or equal to 1",
            )),
            Ok(_) => Err(ApiError::invalid(
                "limit",
                "Input should be less than or equal to 100",
            )),
            Err(_) => Err(ApiError::invalid(
                "limit",
                "Input should be a valid integer, unable to parse string as an integer",
            )),
        },
    }
}

/// Whether every word of `query` occurs in `content`, case ignored.
fn matches(content: &str, query: &str) -> bool {
    let content = content.to_lowercase();
    let mut words = query.split_whitespace().peekable();
    words.peek().is_some() && words.all(|w| content.contains(&w.to_lowercase()))
}

/// Filters for the documented search.
struct Wanted<'a> {
    query: &'a str,
    channel_id: Option<u64>,
    server_id: Option<u64>,
    author_id: Option<u64>,
}

fn found<'w>(world: &'w World, viewer: u64, want: &Wanted<'_>) -> Vec<&'w Message> {
    let mut out: Vec<&Message> = world
        .messages
        .iter()
        .filter(|(cid, _)| want.channel_id.is_none_or(|c| c == **cid))
        .filter(|(cid, _)| world.channel_audience(**cid).contains(&viewer))
        .filter(|(cid, _)| {
            want.server_id
                .is_none_or(|s| world.channels.get(cid).and_then(|c| c.server_id) == Some(s))
        })
        .flat_map(|(_, msgs)| msgs.values())
        .filter(|m| want.author_id.is_none_or(|a| a == m.author_id))
        .filter(|m| matches(&m.content, want.query))
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse(m.id));
    out
}

async fn search_messages(st: St, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let Some(query) = param(&pairs, "query") else {
        return Err(ApiError::invalid("query", "Field required"));
    };
    let world = st.lock();
    if !world.config.as_documented {
        return Err(ApiError::new(500, "Internal search error"));
    }
    let limit = limit_param(&pairs)?;
    let want = Wanted {
        query,
        channel_id: id_param(&pairs, "channel_id")?,
        server_id: id_param(&pairs, "server_id")?,
        author_id: id_param(&pairs, "author_id")?,
    };
    let results: Vec<Value> = found(&world, auth.user_id, &want)
        .into_iter()
        .take(limit)
        .map(|m| wire::message(&world, m, Some(auth.user_id)))
        .collect();
    Ok(Json(json!({ "results": results, "next_cursor": null })))
}

async fn search_channel(
    st: St,
    auth: Auth,
    ChannelId(id): ChannelId,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let Some(content) = param(&pairs, "content") else {
        return Err(ApiError::invalid("content", "Field required"));
    };
    let limit = limit_param(&pairs)?;
    let world = st.lock();
    if !world.config.as_documented {
        return Ok(Json(json!([])));
    }
    world.visible_channel(id, auth.user_id)?;
    let want = Wanted {
        query: content,
        channel_id: Some(id),
        server_id: None,
        author_id: None,
    };
    let results: Vec<Value> = found(&world, auth.user_id, &want)
        .into_iter()
        .take(limit)
        .map(|m| wire::message(&world, m, Some(auth.user_id)))
        .collect();
    Ok(Json(Value::Array(results)))
}
