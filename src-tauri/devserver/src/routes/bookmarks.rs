//! Bookmarks ("saved messages") and the notification list (messaging.txt "bookmarks",
//! "notifications").
//!
//! The reference's quirks, kept: bookmark objects carry their ids as JSON *numbers* (unlike the
//! rest of the API); saving again is an upsert (same id, label replaced); nothing is validated
//! (an unknown message id or a non-member is stored as asked); a delete is by message id and
//! answers 200 even when nothing was there. Mentions create no notification, so the list is
//! always empty and marking one read is a 404.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{id_field, opt_str, query_pairs, Auth, JsonBody};
use crate::ids::{now_ms, parse_id};
use axum::extract::{Path, RawQuery};
use axum::routing::{delete, get, put};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/features/bookmarks` and `/api/v1/users/@me/notifications`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/features/bookmarks", get(list).post(save))
        .route("/features/bookmarks/{message_id}", delete(remove))
        .route("/users/@me/notifications", get(notifications))
        .route("/users/@me/notifications/read-all", put(read_all))
        .route("/users/@me/notifications/{id}/read", put(read_one))
}

async fn list(st: St, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let conversation = pairs
        .iter()
        .find(|(k, _)| k == "conversation_id")
        .and_then(|(_, v)| parse_id(v));
    let limit = pairs
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 100);
    let world = st.lock();
    let mut rows: Vec<&Value> = world
        .bookmarks
        .iter()
        .filter(|((user, _), b)| {
            *user == auth.user_id
                && conversation.is_none_or(|c| b["conversation_id"].as_u64() == Some(c))
        })
        .map(|(_, b)| b)
        .collect();
    // Newest first, as recorded.
    rows.sort_by_key(|b| std::cmp::Reverse(b["id"].as_u64().unwrap_or(0)));
    rows.truncate(limit);
    Ok(Json(json!({ "bookmarks": rows })))
}

async fn save(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let message_id = id_field(&body, "message_id")?
        .ok_or_else(|| ApiError::invalid("message_id", "Field required"))?;
    let conversation_id = id_field(&body, "conversation_id")?
        .ok_or_else(|| ApiError::invalid("conversation_id", "Field required"))?;
    let label = opt_str(&body, "label")?.map(str::to_owned);
    let mut world = st.lock();
    let key = (auth.user_id, message_id);
    let (id, created_at) = match world.bookmarks.get(&key) {
        Some(old) => (
            old["id"].as_u64().unwrap_or(0),
            old["created_at"].as_u64().unwrap_or(0),
        ),
        None => (world.ids.next(), now_ms()),
    };
    let bookmark = json!({
        "id": id,
        "user_id": auth.user_id,
        "message_id": message_id,
        "conversation_id": conversation_id,
        "label": label,
        "created_at": created_at,
    });
    world.bookmarks.insert(key, bookmark.clone());
    Ok(Json(json!({ "success": true, "bookmark": bookmark })))
}

async fn remove(st: St, auth: Auth, Path(message_id): Path<String>) -> ApiResult {
    if let Some(id) = parse_id(&message_id) {
        st.lock().bookmarks.remove(&(auth.user_id, id));
    }
    Ok(Json(json!({ "success": true })))
}

async fn notifications(_auth: Auth) -> ApiResult {
    Ok(Json(json!({ "notifications": [], "unread_count": 0 })))
}

async fn read_all(_auth: Auth) -> ApiResult {
    Ok(Json(json!({ "success": true, "message": null })))
}

async fn read_one(_auth: Auth, Path(_id): Path<String>) -> ApiResult {
    Err(ApiError::not_found("Notification"))
}
