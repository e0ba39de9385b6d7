//! Scheduled messages, custom emoji and sticker listings (messaging.txt "scheduled messages",
//! "custom emojis", "stickers").
//!
//! Kept from the reference: scheduled rows carry JSON-number ids, need at least a minute of
//! lead time, are accepted for any conversation id without a membership check and are
//! **never delivered**; a cancelled row stays listed as `cancelled`. Custom emojis have
//! `url: ""`; stickers are grouped in packs with an attachments URL.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Auth, JsonBody};
use crate::ids::{now_ms, parse_id};
use axum::extract::Path;
use axum::routing::{delete, get};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/features/scheduled-messages` and the emoji/sticker listings.
pub(crate) fn routes() -> R {
    R::new()
        .route(
            "/features/scheduled-messages",
            get(list_scheduled).post(create_scheduled),
        )
        .route(
            "/features/scheduled-messages/{id}",
            delete(cancel_scheduled),
        )
        .route("/servers/{server_id}/emojis", get(list_emojis))
        .route("/servers/{server_id}/stickers", get(list_stickers))
}

/// An id the reference reads as an integer (string or number).
fn number_id(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::String(s) => parse_id(s),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

async fn create_scheduled(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let conversation = number_id(body.get("conversation_id"))
        .ok_or_else(|| ApiError::invalid("conversation_id", "Field required"))?;
    let content = match body.get("content") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::invalid("content", "Field required")),
    };
    let at = body
        .get("scheduled_at")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::invalid("scheduled_at", "Field required"))?;
    let now = now_ms();
    if at < now + 60_000 {
        return Err(ApiError::new(
            400,
            "Scheduled time must be at least 1 minute in the future",
        ));
    }
    let mut world = st.lock();
    let id = world.ids.next();
    let row = json!({
        "id": id,
        "conversation_id": conversation,
        "author_id": auth.user_id,
        "content": content,
        "scheduled_at": at,
        "status": "pending",
        "message_id": null,
        "created_at": now,
        "updated_at": now,
        "attachments": null,
    });
    world.scheduled.insert(id, row.clone());
    Ok(Json(json!({ "success": true, "scheduled_message": row })))
}

async fn list_scheduled(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let mut rows: Vec<Value> = world
        .scheduled
        .values()
        .filter(|r| r["author_id"].as_u64() == Some(auth.user_id))
        .cloned()
        .collect();
    // The reference lists the soonest pending first, then the rest.
    rows.sort_by_key(|r| {
        (
            r["status"].as_str() != Some("pending"),
            r["scheduled_at"].as_u64().unwrap_or(0),
        )
    });
    Ok(Json(json!({ "scheduled_messages": rows })))
}

async fn cancel_scheduled(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let id = parse_id(&id).ok_or_else(|| ApiError::not_found("Scheduled message"))?;
    let mut world = st.lock();
    let row = world
        .scheduled
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Scheduled message"))?;
    if row["author_id"].as_u64() != Some(auth.user_id) {
        return Err(ApiError::new(
            403,
            "Not the author of this scheduled message",
        ));
    }
    if row["status"].as_str() != Some("pending") {
        return Err(ApiError::new(
            400,
            "Can only cancel pending scheduled messages",
        ));
    }
    row["status"] = json!("cancelled");
    row["updated_at"] = json!(now_ms());
    Ok(Json(json!({ "success": true })))
}

fn server_id(raw: &str) -> Result<u64, ApiError> {
    parse_id(raw).ok_or_else(|| ApiError::not_found("Server"))
}

async fn list_emojis(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let id = server_id(&id)?;
    let world = st.lock();
    world.member_server(id, auth.user_id)?;
    let list = world.custom_emojis.get(&id).cloned().unwrap_or_default();
    Ok(Json(Value::Array(list)))
}

async fn list_stickers(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let id = server_id(&id)?;
    let world = st.lock();
    world.member_server(id, auth.user_id)?;
    let list = world.sticker_packs.get(&id).cloned().unwrap_or_default();
    Ok(Json(Value::Array(list)))
}
