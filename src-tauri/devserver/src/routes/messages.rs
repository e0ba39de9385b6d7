//! Message history, send/edit/delete and reactions (chat.txt, errors.txt); read state lives in
//! [`super::unread`].
//!
//! Paging quirks kept from the reference: no cursor or `before=` answers newest first,
//! `after=` answers the messages right after the cursor oldest first, and a cursor that is not
//! a number is a 500.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{id_field, query_pairs, Auth, ChannelId, JsonBody, MessageRef};
use crate::ids::now_ms;
use crate::store::chat::{content_is_filtered, NewMessage};
use crate::store::World;
use crate::wire;
use axum::extract::{Path, RawQuery};
use axum::routing::{get, put};
use axum::Json;
use serde_json::{json, Map, Value};

/// Routes below `/api/v1/channels/{id}/messages`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/channels/{channel_id}/messages", get(history).post(send))
        .route(
            "/channels/{channel_id}/messages/{message_id}",
            get(get_one).patch(edit).delete(remove),
        )
        .route(
            "/channels/{channel_id}/messages/{message_id}/reactions",
            get(reactions).delete(clear_reactions),
        )
        .route(
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}",
            put(react).delete(unreact).get(reactors),
        )
}

const MAX_CONTENT: usize = 4000;

fn parse_limit(pairs: &[(String, String)]) -> Result<usize, ApiError> {
    match pairs.iter().find(|(k, _)| k == "limit") {
        None => Ok(50),
        Some((_, v)) => match v.parse::<i64>() {
            Ok(n) if n < 1 => Err(ApiError::invalid(
                "limit",
                "Input should be greater than or equal to 1",
            )),
            Ok(n) if n > 100 => Err(ApiError::invalid(
                "limit",
                "Input should be less than or equal to 100",
            )),
            Ok(n) => Ok(usize::try_from(n).unwrap_or(50)),
            Err(_) => Err(ApiError::invalid(
                "limit",
                "Input should be a valid integer, unable to parse string as an integer",
            )),
        },
    }
}

fn cursor(pairs: &[(String, String)], key: &str) -> Result<Option<u64>, ApiError> {
    match pairs.iter().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, v)) => v.parse::<u64>().map(Some).map_err(|_| ApiError::internal()),
    }
}

async fn history(st: St, auth: Auth, ChannelId(id): ChannelId, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let limit = parse_limit(&pairs)?;
    let before = cursor(&pairs, "before")?;
    let after = cursor(&pairs, "after")?;
    let world = st.lock();
    world.visible_channel(id, auth.user_id)?;
    let Some(msgs) = world.messages.get(&id) else {
        return Ok(Json(json!([])));
    };
    // The reference lists a server channel's messages under its conversation id
    // (messaging.txt); as documented, under the channel id.
    let listed_as = if world.config.as_documented {
        id
    } else {
        super::unread::conversation_of(&world, id)
    };
    let listed = |m: &crate::store::Message| {
        let mut v = wire::message(&world, m, Some(auth.user_id));
        v["channel_id"] = listed_as.to_string().into();
        v
    };
    let out: Vec<Value> = if let Some(a) = after {
        msgs.range(a.saturating_add(1)..)
            .take(limit)
            .map(|(_, m)| listed(m))
            .collect()
    } else {
        msgs.range(..before.unwrap_or(u64::MAX))
            .rev()
            .take(limit)
            .map(|(_, m)| listed(m))
            .collect()
    };
    Ok(Json(Value::Array(out)))
}

/// Validates content the way the reference does: type, length, emptiness, then its filter.
fn validate_content(body: &Map<String, Value>, has_other: bool) -> Result<String, ApiError> {
    let content = match body.get("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(ApiError::invalid(
                "content",
                "Input should be a valid string",
            ))
        }
    };
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::invalid(
            "content",
            "String should have at most 4000 characters",
        ));
    }
    if content.is_empty() && !has_other {
        return Err(ApiError::new(
            400,
            "Message must have content, attachments, embeds, or a poll",
        ));
    }
    if content_is_filtered(&content) {
        return Err(ApiError::internal());
    }
    Ok(content)
}

fn attachments_of(world: &mut World, body: &Map<String, Value>) -> Vec<Value> {
    let Some(Value::Array(items)) = body.get("attachments") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|a| {
            json!({
                "id": world.ids.next().to_string(),
                "filename": a.get("filename").cloned().unwrap_or(Value::Null),
                "content_type": a.get("content_type").cloned().unwrap_or(Value::Null),
                "size": a.get("size").cloned().unwrap_or(Value::Null),
                "url": a.get("url").cloned().unwrap_or(Value::Null),
                "hash": null,
            })
        })
        .collect()
}

async fn send(st: St, auth: Auth, JsonBody(ChannelId(id), body): JsonBody<ChannelId>) -> ApiResult {
    let has_other = ["attachments", "embeds", "poll"].iter().any(|k| {
        body.get(*k)
            .is_some_and(|v| v.as_array().map_or(!v.is_null(), |a| !a.is_empty()))
    });
    let mut world = st.lock();
    let ch = world.visible_channel(id, auth.user_id)?;
    if let Some((a, b)) = ch.dm_users {
        let other = if a == auth.user_id { b } else { a };
        if world.has_blocked(other, auth.user_id) {
            return Err(ApiError::new(403, "Cannot message this user"));
        }
    }
    world.require_permission(id, auth.user_id, "messages.send")?;
    let content = validate_content(&body, has_other)?;
    let reply_to_id = id_field(&body, "reply_to_id")?;
    let attachments = attachments_of(&mut world, &body);
    let embeds = body
        .get("embeds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let poll = match body.get("poll") {
        Some(Value::Object(p)) => Some(crate::store::polls::parse_spec(p)?),
        _ => None,
    };
    let new = NewMessage {
        content,
        reply_to_id,
        attachments,
        embeds,
        created_at: None,
        poll,
    };
    let message_id = world.post_message(id, auth.user_id, new);
    let m = &world.messages[&id][&message_id];
    let mut v = wire::message(&world, m, None);
    v["read"] = false.into();
    Ok(Json(v))
}

async fn get_one(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    let world = st.lock();
    let msg = world.visible_message(id, m, auth.user_id)?;
    let mut v = wire::message(&world, msg, Some(auth.user_id));
    v["read"] = false.into();
    Ok(Json(v))
}

/// Editing someone else's message is a 500 on the reference ("Can only edit own messages").
async fn edit(
    st: St,
    auth: Auth,
    JsonBody(MessageRef(id, m), body): JsonBody<MessageRef>,
) -> ApiResult {
    let mut world = st.lock();
    let msg = world.visible_message(id, m, auth.user_id)?;
    if msg.author_id != auth.user_id {
        return Err(ApiError::internal());
    }
    let has_other = !msg.attachments.is_empty();
    let content = validate_content(&body, has_other)?;
    let msg = world.message_mut(id, m)?;
    msg.content = content;
    msg.edited_at = Some(now_ms());
    let msg = msg.clone();
    let payload = wire::message(&world, &msg, None);
    let audience = world.channel_audience(id);
    world.dispatch("MESSAGE_UPDATE", &payload, &audience);
    let mut v = wire::message(&world, &msg, None);
    v["read"] = false.into();
    Ok(Json(v))
}

async fn remove(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    let mut world = st.lock();
    let server_id = world.visible_channel(id, auth.user_id)?.server_id;
    let msg = world.visible_message(id, m, auth.user_id)?;
    if msg.author_id != auth.user_id {
        world.require_permission(id, auth.user_id, "messages.manage")?;
    }
    if let Some(c) = world.messages.get_mut(&id) {
        c.remove(&m);
    }
    if let Some(ch) = world.channels.get_mut(&id) {
        ch.pins.retain(|&p| p != m);
    }
    let payload = json!({"id": m.to_string(), "channel_id": id.to_string(), "server_id": server_id.map(|s| s.to_string())});
    let audience = world.channel_audience(id);
    world.dispatch("MESSAGE_DELETE", &payload, &audience);
    Ok(Json(wire::ok()))
}

async fn reactions(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    let world = st.lock();
    let msg = world.visible_message(id, m, auth.user_id)?;
    let out: Vec<Value> = wire::reactions(msg, Some(auth.user_id))
        .map(|mut r| {
            r.insert("url".into(), Value::Null);
            r.insert("is_custom".into(), false.into());
            r.insert("custom_emoji_id".into(), Value::Null);
            Value::Object(r)
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// The `{emoji}` segment, after the ids (which the id extractors have checked).
type EmojiPath = Path<(String, String, String)>;

async fn reactors(
    st: St,
    auth: Auth,
    MessageRef(id, m): MessageRef,
    Path((_, _, emoji)): EmojiPath,
) -> ApiResult {
    let world = st.lock();
    let msg = world.visible_message(id, m, auth.user_id)?;
    let out: Vec<Value> = msg
        .reactions
        .iter()
        .filter(|(e, _)| *e == emoji)
        .flat_map(|(_, users)| users.iter())
        .map(|(u, at)| json!({"user_id": u.to_string(), "reacted_at": at}))
        .collect();
    Ok(Json(Value::Array(out)))
}

async fn react(
    st: St,
    auth: Auth,
    MessageRef(id, m): MessageRef,
    Path((_, _, emoji)): EmojiPath,
) -> ApiResult {
    set_reaction(&st, auth, id, m, emoji, true)
}

/// Removing a reaction that is not there still answers 200 (chat.txt).
async fn unreact(
    st: St,
    auth: Auth,
    MessageRef(id, m): MessageRef,
    Path((_, _, emoji)): EmojiPath,
) -> ApiResult {
    set_reaction(&st, auth, id, m, emoji, false)
}

fn set_reaction(st: &St, auth: Auth, id: u64, m: u64, emoji: String, on: bool) -> ApiResult {
    if emoji.is_empty() || emoji.chars().count() > 64 {
        return Err(ApiError::new(400, "Invalid emoji"));
    }
    let mut world = st.lock();
    let server_id = world.visible_channel(id, auth.user_id)?.server_id;
    if on {
        world.require_permission(id, auth.user_id, "messages.add_reactions")?;
    }
    let msg = world.message_mut(id, m)?;
    let now = now_ms();
    let had = msg
        .reactions
        .iter()
        .any(|(e, users)| *e == emoji && users.iter().any(|(u, _)| *u == auth.user_id));
    if on && !had {
        match msg.reactions.iter_mut().find(|(e, _)| *e == emoji) {
            Some((_, users)) => users.push((auth.user_id, now)),
            None => msg
                .reactions
                .push((emoji.clone(), vec![(auth.user_id, now)])),
        }
    } else if !on && had {
        for (e, users) in &mut msg.reactions {
            if *e == emoji {
                users.retain(|(u, _)| *u != auth.user_id);
            }
        }
        msg.reactions.retain(|(_, users)| !users.is_empty());
    }
    if on != had {
        let event = if on {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        let payload = json!({
            "user_id": auth.user_id.to_string(),
            "channel_id": id.to_string(),
            "message_id": m.to_string(),
            "server_id": server_id.map(|s| s.to_string()),
            "emoji": emoji,
        });
        let audience = world.channel_audience(id);
        world.dispatch(event, &payload, &audience);
    }
    Ok(Json(wire::ok()))
}

async fn clear_reactions(st: St, auth: Auth, MessageRef(id, m): MessageRef) -> ApiResult {
    let mut world = st.lock();
    world.visible_channel(id, auth.user_id)?;
    world.require_permission(id, auth.user_id, "messages.manage")?;
    let msg = world.message_mut(id, m)?;
    msg.reactions.clear();
    Ok(Json(wire::ok()))
}
