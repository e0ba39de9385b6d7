//! The devserver's own wire shapes, copied key-for-key from shared/recorded/. Deliberately not
//! shared with plexichat-core: the transcripts are the contract both sides must meet.

use crate::store::{Channel, Message, Session, User, World};
use serde_json::{json, Map, Value};

/// `/api/v1/avatars/users/<id>`.
pub(crate) fn avatar_url(user_id: u64) -> String {
    format!("/api/v1/avatars/users/{user_id}")
}

/// The badges the reference gives everyone on this build.
fn badges() -> Value {
    json!(["alpha_tester"])
}

/// `UserResponse`: the signed-in user's own view.
pub(crate) fn private_user(u: &User) -> Value {
    json!({
        "id": u.id.to_string(),
        "username": u.username,
        "email": u.email,
        "avatar_url": avatar_url(u.id),
        "created_at": u.created_at,
        "email_verified": true,
        "totp_enabled": u.totp.as_ref().is_some_and(|t| t.is_confirmed),
        "age_verified": false,
        "badges": badges(),
        "deletion_status": "active",
        "deletion_at": null,
    })
}

/// Another user's public profile.
pub(crate) fn public_user(u: &User) -> Value {
    json!({
        "id": u.id.to_string(),
        "username": u.username,
        "avatar_url": avatar_url(u.id),
        "created_at": u.created_at,
        "badges": badges(),
    })
}

/// `LoginResponse` for a completed sign-in.
pub(crate) fn login_success(world: &World, session: &Session) -> Value {
    let user = world.users.get(&session.user_id).map(|u| {
        let mut v = private_user(u);
        v["badges"] = json!([]);
        v
    });
    json!({
        "status": "success",
        "token": session.token(),
        "user": user,
        "challenge_token": null,
        "methods": null,
        "expires_in": null,
    })
}

/// `LoginResponse` asking for the second factor (PROTOCOL.md §5, intended behaviour).
pub(crate) fn login_challenge(challenge: &str, ttl_ms: u64) -> Value {
    json!({
        "status": "two_factor_required",
        "token": null,
        "user": null,
        "challenge_token": challenge,
        "methods": ["totp", "backup_code"],
        "expires_in": ttl_ms / 1000,
    })
}

/// `{"success":true,"message":null}`.
pub(crate) fn ok() -> Value {
    json!({"success": true, "message": null})
}

/// A server as listed.
pub(crate) fn server(world: &World, id: u64) -> Value {
    let Some(s) = world.servers.get(&id) else {
        return Value::Null;
    };
    json!({
        "id": s.id.to_string(),
        "name": s.name,
        "description": s.description,
        "icon_url": s.icon_url,
        "owner_id": s.owner_id.to_string(),
        "member_count": s.members.len(),
        "default_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 0,
        "created_at": s.created_at,
    })
}

/// SERVER_CREATE payload: the server plus its channels.
pub(crate) fn server_create_event(world: &World, id: u64) -> Value {
    let mut v = server(world, id);
    let channels: Vec<Value> = world
        .channels
        .values()
        .filter(|c| c.server_id == Some(id))
        .map(|c| channel(c, world))
        .collect();
    v["channels"] = Value::Array(channels);
    v
}

/// A channel; DMs carry the recipient as seen by the first participant.
pub(crate) fn channel(c: &Channel, world: &World) -> Value {
    let recipient = c.dm_users.map(|(_, b)| b);
    json!({
        "id": c.id.to_string(),
        "server_id": c.server_id.map(|s| s.to_string()),
        "name": c.name,
        "channel_type": c.channel_type,
        "topic": c.topic,
        "position": c.position,
        "category_id": null,
        "nsfw": c.nsfw,
        "slowmode_seconds": c.slowmode_seconds,
        "read_receipts_enabled": true,
        "created_at": c.created_at,
        "recipient_id": recipient.map(|r| r.to_string()),
        "recipient": recipient.and_then(|r| world.users.get(&r)).map(|u| json!({"id": u.id.to_string(), "username": u.username})),
    })
}

/// A DM channel as `POST /users/@me/channels` answers it, seen by `viewer`.
pub(crate) fn dm_channel(world: &World, channel_id: u64, viewer: u64) -> Value {
    let Some(c) = world.channels.get(&channel_id) else {
        return Value::Null;
    };
    let other = c
        .dm_users
        .map_or(viewer, |(a, b)| if a == viewer { b } else { a });
    let last = world
        .messages
        .get(&channel_id)
        .and_then(|m| m.keys().next_back())
        .map(ToString::to_string);
    json!({
        "id": c.id.to_string(),
        "channel_type": "dm",
        "recipient_id": other.to_string(),
        "recipient": world.users.get(&other).map(|u| json!({"id": u.id.to_string(), "username": u.username})),
        "last_message_id": last,
    })
}

/// `{"status": ...}` as members and relationships show presence.
pub(crate) fn short_presence(u: &User) -> Value {
    json!({"status": visible_status(u)})
}

/// Invisible users look offline to others.
pub(crate) fn visible_status(u: &User) -> &str {
    if u.presence.status == "invisible" {
        "offline"
    } else {
        &u.presence.status
    }
}

/// Full presence of `u`; `is_self` shows invisible as such.
pub(crate) fn presence(u: &User, is_self: bool) -> Value {
    if !is_self && u.presence.status == "invisible" {
        return json!({"user_id": u.id.to_string(), "status": "offline", "custom_status": null, "custom_emoji": null, "last_seen": 0});
    }
    json!({
        "user_id": u.id.to_string(),
        "status": if is_self { u.presence.status.as_str() } else { visible_status(u) },
        "custom_status": u.presence.custom_status,
        "custom_emoji": u.presence.custom_emoji,
        "last_seen": u.presence.last_seen,
    })
}

/// A server member.
pub(crate) fn member(world: &World, server_id: u64, user_id: u64) -> Value {
    let Some(m) = world
        .servers
        .get(&server_id)
        .and_then(|s| s.members.iter().find(|m| m.user_id == user_id))
    else {
        return Value::Null;
    };
    let user = world.users.get(&user_id);
    json!({
        "member_id": m.member_id.to_string(),
        "user_id": user_id.to_string(),
        "username": user.map(|u| u.username.clone()),
        "nickname": m.nickname,
        "avatar_url": avatar_url(user_id),
        "joined_at": m.joined_at,
        "roles": m.roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "presence": user.map_or(json!({"status": "offline"}), short_presence),
        "badges": badges(),
        "timeout_until": null,
        "timeout_reason": null,
    })
}

/// Each reaction still held by someone: `emoji`, `count` and `me` (whether `viewer` reacted).
pub(crate) fn reactions(
    m: &Message,
    viewer: Option<u64>,
) -> impl Iterator<Item = Map<String, Value>> + '_ {
    m.reactions
        .iter()
        .filter(|(_, users)| !users.is_empty())
        .map(move |(emoji, users)| {
            let mut r = Map::new();
            r.insert("emoji".into(), json!(emoji));
            r.insert("count".into(), json!(users.len()));
            r.insert(
                "me".into(),
                json!(viewer.is_some_and(|v| users.iter().any(|(u, _)| *u == v))),
            );
            r
        })
}

/// A message as `viewer` sees it (`read`, `reactions[].me`); `None` for broadcast events.
pub(crate) fn message(world: &World, m: &Message, viewer: Option<u64>) -> Value {
    let author = world.users.get(&m.author_id);
    let pinned = world
        .channels
        .get(&m.channel_id)
        .is_some_and(|c| c.pins.contains(&m.id));
    let read = viewer.is_some_and(|v| {
        v == m.author_id
            || world
                .read_markers
                .get(&(v, m.channel_id))
                .is_some_and(|&mark| mark >= m.id)
    });
    let reactions: Vec<Value> = reactions(m, viewer).map(Value::Object).collect();
    let mut v = json!({
        "id": m.id.to_string(),
        "channel_id": m.channel_id.to_string(),
        "author_id": m.author_id.to_string(),
        "content": m.content,
        "created_at": m.created_at,
        "edited_at": m.edited_at,
        "reply_to_id": m.reply_to_id.map(|r| r.to_string()),
        "attachments": m.attachments,
        "embeds": m.embeds,
        "pinned": pinned,
        "status": "sent",
        "delivery_count": 0,
        "read_count": 0,
        "read": read,
        "read_by": [],
        "author_username": author.map(|u| u.username.clone()),
        "author_avatar_url": avatar_url(m.author_id),
        "author_badges": badges(),
        "reactions": reactions,
        "metadata": null,
        "poll": null,
        "poll_results": null,
    });
    // A message with a poll: metadata.poll_id is a JSON number there (messaging.txt).
    if let Some(p) = world.poll_of_message(m.id) {
        v["metadata"] = json!({ "poll_id": p.id });
        v["poll"] = p.to_json();
        v["poll_results"] = p.results_json(viewer);
    }
    v
}
