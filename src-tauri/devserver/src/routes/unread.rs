//! Read state: unread counts, acks, the last-read pointer, mark-unread and read-all
//! (messaging.txt, "unread state").
//!
//! The reference keeps read state per *conversation*: every server channel has a second id
//! (history lists messages under it) and only that id works. Reproduced here, unless
//! [`crate::DevServerConfig::as_documented`] is on:
//! - `GET /users/@me/unread` is keyed by conversation ids (only entries above 0);
//! - an ack moves the pointer only when sent with the conversation id, though either id
//!   marks the messages read (`messages_marked`, and the counts);
//! - `GET …/messages/unread` with a channel id always answers 0, with the conversation id the
//!   real count; `last-read` resolves both once the pointer is set;
//! - `mark-unread`, `read-all` and the bulk ack answer success and change nothing.
//!
//! A DM's channel id is its conversation id. A server channel's conversation id here is its
//! channel id plus [`CONVERSATION_OFFSET`]: like the reference's, above 2^53 and unlike any
//! channel id.
//!
//! Not reproduced: the reference leaves channels created after a member joined out of that
//! member's map entirely; here every channel the user can read is counted.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{query_pairs, Auth, ChannelId, JsonBody, ServerId};
use crate::ids::now_ms;
use crate::store::World;
use axum::extract::RawQuery;
use axum::routing::{get, post};
use axum::Json;
use serde_json::{json, Value};

/// Added to a server channel's id to make its conversation id.
pub(crate) const CONVERSATION_OFFSET: u64 = 1 << 60;

/// Read-state routes.
pub(crate) fn routes() -> R {
    R::new()
        .route("/users/@me/unread", get(unread_map))
        .route("/channels/ack/bulk", post(bulk_ack))
        .route("/channels/{channel_id}/messages/ack", post(ack))
        .route("/channels/{channel_id}/messages/unread", get(unread_one))
        .route("/channels/{channel_id}/messages/last-read", get(last_read))
        .route(
            "/channels/{channel_id}/messages/mark-unread",
            post(mark_unread),
        )
        .route("/servers/{server_id}/messages/read-all", post(read_all))
}

/// The conversation id of a channel (a DM's is its own id).
pub(crate) fn conversation_of(world: &World, channel_id: u64) -> u64 {
    match world.channels.get(&channel_id) {
        Some(c) if c.server_id.is_some() => channel_id.saturating_add(CONVERSATION_OFFSET),
        _ => channel_id,
    }
}

/// `(channel id, whether the path named the conversation)` for a path id.
fn resolve(world: &World, id: u64) -> (u64, bool) {
    if let Some(channel) = id.checked_sub(CONVERSATION_OFFSET) {
        if world
            .channels
            .get(&channel)
            .is_some_and(|c| c.server_id.is_some())
        {
            return (channel, true);
        }
    }
    let is_dm = world
        .channels
        .get(&id)
        .is_some_and(|c| c.server_id.is_none());
    (id, is_dm)
}

/// Messages of others not yet marked read in `channel`: after the pointer and after the
/// newest message any ack marked (a channel-id ack marks messages without moving the pointer:
/// chat.txt's map is empty after one).
fn count_unread(world: &World, user: u64, channel: u64) -> usize {
    let pointer = world.read_markers.get(&(user, channel)).copied();
    let marked = world.ack_marks.get(&(user, channel)).copied();
    let mark = pointer.max(marked).unwrap_or(0);
    world.messages.get(&channel).map_or(0, |m| {
        m.range(mark.saturating_add(1)..)
            .filter(|(_, m)| m.author_id != user)
            .count()
    })
}

async fn unread_map(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let mut counts = serde_json::Map::new();
    for &channel in world.messages.keys() {
        if !world.channel_audience(channel).contains(&auth.user_id) {
            continue;
        }
        let n = count_unread(&world, auth.user_id, channel);
        if n > 0 {
            let key = if world.config.as_documented {
                channel
            } else {
                conversation_of(&world, channel)
            };
            counts.insert(key.to_string(), n.into());
        }
    }
    Ok(Json(json!({ "unread_counts": counts })))
}

async fn ack(st: St, auth: Auth, ChannelId(id): ChannelId, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let target = match pairs.iter().find(|(k, _)| k == "message_id") {
        None => None,
        Some((_, v)) => Some(
            v.parse::<u64>()
                .map_err(|_| ApiError::new(400, "Invalid message ID"))?,
        ),
    };
    let mut world = st.lock();
    let (channel, by_conversation) = resolve(&world, id);
    world.visible_channel(channel, auth.user_id)?;
    let newest = world
        .messages
        .get(&channel)
        .and_then(|m| m.keys().next_back().copied())
        .unwrap_or(0);
    let target = target.unwrap_or(newest);
    let key = (auth.user_id, channel);
    let marked_before = world.ack_marks.get(&key).copied().unwrap_or(0);
    // Acking an older message than the current mark marks nothing (and must not build an
    // inverted range, which would panic).
    let marked = match world.messages.get(&channel) {
        Some(m) if target > marked_before => m
            .range(marked_before.saturating_add(1)..=target)
            .filter(|(_, m)| m.author_id != auth.user_id)
            .count(),
        _ => 0,
    };
    if target > marked_before {
        world.ack_marks.insert(key, target);
    }
    let moves = by_conversation || world.config.as_documented;
    if moves && world.read_markers.get(&key).is_none_or(|&old| target > old) {
        world.read_markers.insert(key, target);
        world.read_at.insert(key, now_ms());
    }
    Ok(Json(json!({"success": true, "messages_marked": marked})))
}

async fn unread_one(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let world = st.lock();
    let (channel, by_conversation) = resolve(&world, id);
    // No membership check on the reference: a non-member reads 0 too.
    let readable = world.channel_audience(channel).contains(&auth.user_id);
    let count = if readable && (by_conversation || world.config.as_documented) {
        count_unread(&world, auth.user_id, channel)
    } else {
        0
    };
    Ok(Json(
        json!({"channel_id": id.to_string(), "unread_count": count}),
    ))
}

async fn last_read(st: St, auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let world = st.lock();
    let (channel, _) = resolve(&world, id);
    let key = (auth.user_id, channel);
    let pointer = world.read_markers.get(&key).map(u64::to_string);
    let at = world.read_at.get(&key).copied();
    Ok(Json(json!({
        "channel_id": id.to_string(),
        "last_read_message_id": pointer,
        "last_read_at": at,
    })))
}

/// Changes nothing on the reference (with or without a body); as documented, moves the
/// pointer to just before `message_id`.
async fn mark_unread(
    st: St,
    auth: Auth,
    ChannelId(id): ChannelId,
    body: axum::body::Bytes,
) -> ApiResult {
    let mut world = st.lock();
    let (channel, _) = resolve(&world, id);
    if world.config.as_documented {
        let from = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
            v.get("message_id").and_then(|m| match m {
                Value::String(s) => s.parse::<u64>().ok(),
                other => other.as_u64(),
            })
        });
        if let Some(from) = from {
            world
                .read_markers
                .insert((auth.user_id, channel), from.saturating_sub(1));
            world.read_at.insert((auth.user_id, channel), now_ms());
        }
        let n = count_unread(&world, auth.user_id, channel);
        return Ok(Json(json!({"success": true, "unread_count": n})));
    }
    Ok(Json(json!({"success": true, "unread_count": 0})))
}

/// `{"<channel id>": "<message id>" | null, …}`; a value that is not a string or null is a 400
/// named after its key. Changes nothing on the reference.
async fn bulk_ack(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let mut acks = Vec::new();
    for (k, v) in &body {
        match v {
            Value::String(s) => acks.push((k.clone(), Some(s.clone()))),
            Value::Null => acks.push((k.clone(), None)),
            _ => {
                return Err(ApiError::invalid(k, "Input should be a valid string"));
            }
        }
    }
    let mut world = st.lock();
    if world.config.as_documented {
        for (channel, message) in acks {
            let (Ok(channel), message) = (
                channel.parse::<u64>(),
                message.and_then(|m| m.parse::<u64>().ok()),
            ) else {
                continue;
            };
            let (channel, _) = resolve(&world, channel);
            if !world.channel_audience(channel).contains(&auth.user_id) {
                continue;
            }
            let newest = world
                .messages
                .get(&channel)
                .and_then(|m| m.keys().next_back().copied())
                .unwrap_or(0);
            let target = message.unwrap_or(newest);
            let key = (auth.user_id, channel);
            if world.read_markers.get(&key).is_none_or(|&old| target > old) {
                world.read_markers.insert(key, target);
                world.read_at.insert(key, now_ms());
            }
        }
    }
    Ok(Json(json!({"success": true, "message": null})))
}

/// `{"success":true,"channels_marked":0}` on the reference, for members and non-members alike.
async fn read_all(st: St, auth: Auth, ServerId(server): ServerId) -> ApiResult {
    let mut world = st.lock();
    let mut marked = 0;
    if world.config.as_documented {
        let channels: Vec<u64> = world
            .channels
            .values()
            .filter(|c| c.server_id == Some(server))
            .map(|c| c.id)
            .collect();
        for channel in channels {
            if !world.channel_audience(channel).contains(&auth.user_id) {
                continue;
            }
            if count_unread(&world, auth.user_id, channel) > 0 {
                marked += 1;
            }
            if let Some(newest) = world
                .messages
                .get(&channel)
                .and_then(|m| m.keys().next_back().copied())
            {
                world.read_markers.insert((auth.user_id, channel), newest);
                world.read_at.insert((auth.user_id, channel), now_ms());
            }
        }
    }
    Ok(Json(json!({"success": true, "channels_marked": marked})))
}
