//! Channels, invites, typing and pins (chat.txt).

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{opt_str, Auth, ChannelId, JsonBody, MessageRef};
use crate::ids::now_ms;
use crate::store::Invite;
use crate::wire;
use axum::extract::Path;
use axum::routing::{get, post, put};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/channels` (messages live in `messages`).
pub(crate) fn routes() -> R {
    R::new()
        .route(
            "/channels/{channel_id}",
            get(get_one).patch(update).delete(remove),
        )
        .route("/channels/{channel_id}/invites", post(create_invite))
        .route(
            "/channels/invites/{code}",
            get(preview_invite).post(join).delete(delete_invite),
        )
        .route("/channels/{channel_id}/typing", post(typing))
        .route("/channels/{channel_id}/pins", get(pins))
        .route(
            "/channels/{channel_id}/pins/{message_id}",
            put(pin).delete(unpin),
        )
}

async fn get_one(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let world = st.lock();
    if let Some((server_id, last)) = world.deleted_channels.get(&id) {
        world.member_server(*server_id, auth.user_id)?;
        return Ok(Json(last.clone()));
    }
    let ch = world.visible_channel(id, auth.user_id)?;
    if ch.dm_users.is_some() {
        let mut v = wire::channel(ch, &world);
        let dm = wire::dm_channel(&world, id, auth.user_id);
        v["recipient_id"] = dm["recipient_id"].clone();
        v["recipient"] = dm["recipient"].clone();
        return Ok(Json(v));
    }
    Ok(Json(wire::channel(ch, &world)))
}

/// Name, topic, nsfw and slowmode; `position` is in the schema but the reference's handler
/// answers it with a 500 that leaks its Python error (communities.txt).
async fn update(
    st: St,
    auth: Auth,
    JsonBody(ChannelId(id), body): JsonBody<ChannelId>,
) -> ApiResult {
    let name = opt_str(&body, "name")?.map(str::to_owned);
    let topic = opt_str(&body, "topic")?.map(str::to_owned);
    let nsfw = body.get("nsfw").and_then(Value::as_bool);
    let slowmode = body.get("slowmode_seconds").and_then(Value::as_u64);
    let mut world = st.lock();
    world.visible_channel(id, auth.user_id)?;
    world.require_permission(id, auth.user_id, "channels.manage")?;
    if body.contains_key("position") {
        return Err(ApiError::new(
            500,
            "update_channel() got an unexpected keyword argument 'position'",
        ));
    }
    if let Some(ch) = world.channels.get_mut(&id) {
        if let Some(n) = name {
            ch.name = n;
        }
        if body.contains_key("topic") {
            ch.topic = topic;
        }
        if let Some(v) = nsfw {
            ch.nsfw = v;
        }
        if let Some(v) = slowmode {
            ch.slowmode_seconds = v;
        }
    }
    let payload = wire::channel(&world.channels[&id], &world);
    let audience = world.channel_audience(id);
    world.dispatch("CHANNEL_UPDATE", &payload, &audience);
    Ok(Json(payload))
}

/// CHANNEL_DELETE carries only `{id, server_id}`; deleting a deleted channel answers 200 again
/// (the reference's cached lookup still finds it), so a member's repeat is a success.
async fn remove(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let mut world = st.lock();
    if let Some((server_id, _)) = world.deleted_channels.get(&id).cloned() {
        world.member_server(server_id, auth.user_id)?;
        return Ok(Json(json!({"success": true})));
    }
    let ch = world.visible_channel(id, auth.user_id)?;
    if ch.dm_users.is_some() {
        return Err(ApiError::new(403, "Permission denied"));
    }
    let server_id = ch.server_id;
    world.require_permission(id, auth.user_id, "channels.manage")?;
    let payload = json!({
        "id": id.to_string(),
        "server_id": server_id.map(|s| s.to_string()),
    });
    let last = wire::channel(&world.channels[&id], &world);
    let audience = world.channel_audience(id);
    world.channels.remove(&id);
    world.messages.remove(&id);
    if let Some(sid) = server_id {
        world.deleted_channels.insert(id, (sid, last));
    }
    world.dispatch("CHANNEL_DELETE", &payload, &audience);
    Ok(Json(json!({"success": true})))
}

/// `max_age` defaults to a day, `max_uses` to unlimited; sends INVITE_CREATE.
async fn create_invite(
    st: St,
    auth: Auth,
    JsonBody(ChannelId(id), body): JsonBody<ChannelId>,
) -> ApiResult {
    let max_age = body
        .get("max_age")
        .and_then(Value::as_u64)
        .unwrap_or(86_400);
    let max_uses = body.get("max_uses").and_then(Value::as_u64).unwrap_or(0);
    let mut world = st.lock();
    let ch = world.visible_channel(id, auth.user_id)?;
    let server_id = ch
        .server_id
        .ok_or_else(|| ApiError::new(400, "Cannot create invites for DM channels"))?;
    world.require_permission(id, auth.user_id, "invites.create")?;
    let invite = world.create_invite(server_id, id, auth.user_id, max_age, max_uses);
    Ok(Json(json!({
        "code": invite.code,
        "channel_id": id.to_string(),
        "server_id": server_id.to_string(),
        "max_age": max_age,
        "max_uses": max_uses,
        "temporary": false,
        "uses": 0,
        "created_at": invite.created_at,
    })))
}

/// The invite behind `code`, whatever its state (the reference previews expired and used-up
/// invites with 200); 404 only when there is none.
fn find_invite(world: &crate::store::World, code: &str) -> Result<Invite, ApiError> {
    world
        .invites
        .get(code)
        .cloned()
        .ok_or_else(|| ApiError::new(404, "Invite not found or expired"))
}

/// Names the server only to its members (a non-member sees `server_name: null`).
async fn preview_invite(st: St, auth: Auth, Path(code): Path<String>) -> ApiResult {
    let world = st.lock();
    let i = find_invite(&world, &code)?;
    let server_name = world
        .servers
        .get(&i.server_id)
        .filter(|s| s.members.iter().any(|m| m.user_id == auth.user_id))
        .map(|s| s.name.clone());
    Ok(Json(json!({
        "code": i.code,
        "server_id": i.server_id.to_string(),
        "server_name": server_name,
        "channel_id": i.channel_id.to_string(),
        "inviter_id": i.inviter_id.to_string(),
        "uses": i.uses,
        "max_uses": i.max_uses,
        "expires_at": i.expires_at(),
    })))
}

/// Refusals in the reference's order: unknown or expired 404, banned 403, already a member
/// 409, used up 500 (its bug: not a 4xx).
async fn join(st: St, auth: Auth, Path(code): Path<String>) -> ApiResult {
    let mut world = st.lock();
    let i = find_invite(&world, &code)?;
    if i.expires_at().is_some_and(|e| e <= now_ms()) {
        return Err(ApiError::new(404, "Invite not found or expired"));
    }
    if world.bans.contains_key(&(i.server_id, auth.user_id)) {
        return Err(ApiError::new(403, "You are banned from this server"));
    }
    let is_member = world
        .servers
        .get(&i.server_id)
        .is_some_and(|s| s.members.iter().any(|m| m.user_id == auth.user_id));
    if is_member {
        return Err(ApiError::new(409, "Already a member of this server"));
    }
    if i.max_uses > 0 && i.uses >= i.max_uses {
        return Err(ApiError::new(500, "Invite has reached maximum uses"));
    }
    world.add_member(i.server_id, auth.user_id);
    if let Some(inv) = world.invites.get_mut(&code) {
        inv.uses += 1;
    }
    Ok(Json(
        json!({"success": true, "server_id": i.server_id.to_string()}),
    ))
}

/// Needs `invites.manage` (the inviter alone is not enough); sends no INVITE_DELETE (the
/// reference emits it for guild 0, so nobody receives it).
async fn delete_invite(st: St, auth: Auth, Path(code): Path<String>) -> ApiResult {
    let mut world = st.lock();
    let i = world
        .invites
        .get(&code)
        .cloned()
        .ok_or_else(|| ApiError::new(404, "Invite not found"))?;
    world.permitted_server(i.server_id, auth.user_id, "invites.manage")?;
    world.invites.remove(&code);
    Ok(Json(json!({"success": true})))
}

async fn typing(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let mut world = st.lock();
    world.visible_channel(id, auth.user_id)?;
    let username = world.users.get(&auth.user_id).map(|u| u.username.clone());
    let payload = json!({"channel_id": id.to_string(), "user_id": auth.user_id.to_string(), "username": username});
    let mut audience = world.channel_audience(id);
    audience.retain(|&u| u != auth.user_id);
    world.dispatch("TYPING_START", &payload, &audience);
    Ok(Json(wire::ok()))
}

async fn pins(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let world = st.lock();
    let ch = world.visible_channel(id, auth.user_id)?;
    let out: Vec<Value> = ch
        .pins
        .iter()
        .filter_map(|m| world.messages.get(&id).and_then(|msgs| msgs.get(m)))
        .map(|m| wire::message(&world, m, Some(auth.user_id)))
        .collect();
    Ok(Json(Value::Array(out)))
}

/// Plain members may pin (chat.txt).
async fn pin(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    set_pin(&st, auth, id, m, true)
}

async fn unpin(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    set_pin(&st, auth, id, m, false)
}

fn set_pin(st: &St, auth: Auth, id: u64, m: u64, pinned: bool) -> ApiResult {
    let mut world = st.lock();
    world.visible_channel(id, auth.user_id)?;
    if !world
        .messages
        .get(&id)
        .is_some_and(|msgs| msgs.contains_key(&m))
    {
        return Err(ApiError::not_found("Message"));
    }
    let Some(ch) = world.channels.get_mut(&id) else {
        return Err(ApiError::not_found("Channel"));
    };
    ch.pins.retain(|&p| p != m);
    if pinned {
        ch.pins.push(m);
    }
    let payload =
        json!({"channel_id": id.to_string(), "message_id": m.to_string(), "pinned": pinned});
    let audience = world.channel_audience(id);
    world.dispatch("CHANNEL_PINS_UPDATE", &payload, &audience);
    Ok(Json(wire::ok()))
}
