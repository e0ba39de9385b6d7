//! Friends, requests and blocks (chat.txt, errors.txt, gateway.txt RELATIONSHIP_* events).
//!
//! Each side keeps its own entry `(owner, other)`. The reference keeps listing an accepted
//! request as `pending_outgoing` for the sender; the devserver lists `friend` (the intended
//! state, which its own 409 "already friends" agrees with).

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{id_field, Auth, JsonBody, UserId};
use crate::ids::now_ms;
use crate::store::{RelStatus, Relationship, World};
use crate::wire;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/relationships`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/relationships", post(request))
        .route("/relationships/@me", get(list))
        .route("/relationships/block", post(block))
        .route("/relationships/{user_id}", delete(remove))
        .route("/relationships/{user_id}/accept", put(accept))
}

fn target(body: &serde_json::Map<String, Value>) -> Result<u64, ApiError> {
    id_field(body, "user_id")?.ok_or_else(|| ApiError::invalid("user_id", "Field required"))
}

fn set(world: &mut World, owner: u64, other: u64, status: RelStatus, at: u64) {
    world.relationships.insert(
        (owner, other),
        Relationship {
            status,
            created_at: at,
        },
    );
}

fn event(world: &World, other: u64, status: RelStatus, at: u64) -> Value {
    let username = world.users.get(&other).map(|u| u.username.clone());
    let mut v = json!({"user_id": other.to_string(), "status": status.as_str(), "created_at": at});
    match status {
        RelStatus::PendingIncoming | RelStatus::PendingOutgoing => {
            v["username"] = json!(username);
            v["message"] = Value::Null;
        }
        RelStatus::Friend => {
            v["username"] = json!(username);
            v["presence"] = world
                .users
                .get(&other)
                .map_or(json!({"status": "offline"}), wire::short_presence);
        }
        RelStatus::Blocked => {}
    }
    v
}

async fn request(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let other = target(&body)?;
    let me = auth.user_id;
    if other == me {
        return Err(ApiError::new(400, "Cannot send friend request to yourself"));
    }
    let mut world = st.lock();
    if !world.users.contains_key(&other) {
        return Err(ApiError::not_found("User"));
    }
    if world.has_blocked(other, me) {
        return Err(ApiError::new(
            403,
            "Cannot send friend request - you are blocked by this user",
        ));
    }
    let now = now_ms();
    match world.relationships.get(&(me, other)).map(|r| r.status) {
        Some(RelStatus::Friend) => {
            return Err(ApiError::new(409, "You are already friends with this user"))
        }
        Some(RelStatus::PendingOutgoing) => {
            return Err(ApiError::new(409, "Friend request already sent"))
        }
        Some(RelStatus::PendingIncoming) => {
            befriend(&mut world, me, other, now);
            return Ok(Json(
                json!({"user_id": other.to_string(), "status": "friend", "created_at": now}),
            ));
        }
        Some(RelStatus::Blocked) | None => {}
    }
    set(&mut world, me, other, RelStatus::PendingOutgoing, now);
    set(&mut world, other, me, RelStatus::PendingIncoming, now);
    let to_them = event(&world, me, RelStatus::PendingIncoming, now);
    let to_me = event(&world, other, RelStatus::PendingOutgoing, now);
    world.dispatch("RELATIONSHIP_ADD", &to_them, &[other]);
    world.dispatch("RELATIONSHIP_ADD", &to_me, &[me]);
    Ok(Json(
        json!({"user_id": other.to_string(), "status": "pending_outgoing", "created_at": now}),
    ))
}

fn befriend(world: &mut World, a: u64, b: u64, now: u64) {
    set(world, a, b, RelStatus::Friend, now);
    set(world, b, a, RelStatus::Friend, now);
    let to_a = event(world, b, RelStatus::Friend, now);
    let to_b = event(world, a, RelStatus::Friend, now);
    world.dispatch("RELATIONSHIP_ADD", &to_a, &[a]);
    world.dispatch("RELATIONSHIP_ADD", &to_b, &[b]);
}

async fn accept(st: St, auth: Auth, UserId(other): UserId) -> ApiResult {
    let mut world = st.lock();
    let pending = world
        .relationships
        .get(&(auth.user_id, other))
        .is_some_and(|r| r.status == RelStatus::PendingIncoming);
    if !pending {
        return Err(ApiError::not_found("Friend request"));
    }
    befriend(&mut world, auth.user_id, other, now_ms());
    Ok(Json(wire::ok()))
}

/// Unfriend, cancel, decline or unblock.
async fn remove(st: St, auth: Auth, UserId(other): UserId) -> ApiResult {
    let me = auth.user_id;
    let mut world = st.lock();
    let Some(mine) = world.relationships.remove(&(me, other)) else {
        return Err(ApiError::not_found("Relationship"));
    };
    world.dispatch(
        "RELATIONSHIP_REMOVE",
        &json!({"user_id": other.to_string()}),
        &[me],
    );
    if mine.status != RelStatus::Blocked {
        let theirs = world.relationships.get(&(other, me)).map(|r| r.status);
        if theirs.is_some_and(|s| s != RelStatus::Blocked) {
            world.relationships.remove(&(other, me));
            world.dispatch(
                "RELATIONSHIP_REMOVE",
                &json!({"user_id": me.to_string()}),
                &[other],
            );
        }
    }
    Ok(Json(wire::ok()))
}

async fn block(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let other = target(&body)?;
    let me = auth.user_id;
    if other == me {
        return Err(ApiError::new(400, "Cannot block yourself"));
    }
    let mut world = st.lock();
    if !world.users.contains_key(&other) {
        return Err(ApiError::not_found("User"));
    }
    let now = now_ms();
    set(&mut world, me, other, RelStatus::Blocked, now);
    if world
        .relationships
        .get(&(other, me))
        .is_some_and(|r| r.status != RelStatus::Blocked)
    {
        world.relationships.remove(&(other, me));
        world.dispatch(
            "RELATIONSHIP_REMOVE",
            &json!({"user_id": me.to_string()}),
            &[other],
        );
    }
    let to_me = event(&world, other, RelStatus::Blocked, now);
    world.dispatch("RELATIONSHIP_ADD", &to_me, &[me]);
    Ok(Json(
        json!({"user_id": other.to_string(), "status": "blocked", "created_at": now}),
    ))
}

async fn list(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let mut entries: Vec<(&(u64, u64), &Relationship)> = world
        .relationships
        .iter()
        .filter(|((owner, _), _)| *owner == auth.user_id)
        .collect();
    entries.sort_by_key(|((_, other), r)| (r.created_at, *other));
    let out: Vec<Value> = entries
        .into_iter()
        .map(|((_, other), r)| {
            let u = world.users.get(other);
            json!({
                "user_id": other.to_string(),
                "username": u.map(|u| u.username.clone()),
                "avatar_url": wire::avatar_url(*other),
                "status": r.status.as_str(),
                "presence": u.map_or(json!({"status": "offline"}), wire::short_presence),
                "message": null,
                "created_at": r.created_at,
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}
