//! Users: own profile, public profiles, presence, search, settings, unread counts and DMs.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{char_count, id_field, opt_str, query_pairs, Auth, JsonBody, UserId};
use crate::ids::now_ms;
use crate::store::auth::{hash_password, password_problems};
use crate::store::Setting;
use crate::wire;
use axum::extract::{Path, RawQuery};
use axum::routing::{get, put};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/users`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/users/@me", get(me).patch(update_me))
        .route("/users/@me/presence", put(set_presence))
        .route("/users/@me/settings", get(settings))
        .route(
            "/users/@me/settings/{key}",
            get(setting).put(put_setting).delete(delete_setting),
        )
        .route("/users/@me/channels", get(list_dms).post(open_dm))
        .route("/users/search", get(search))
        .route("/users/{user_id}", get(user))
        .route("/users/{user_id}/presence", get(presence))
}

const STATUSES: [&str; 5] = ["online", "idle", "dnd", "invisible", "offline"];

async fn me(st: St, auth: Auth) -> ApiResult {
    Ok(Json(wire::private_user(st.lock().user(auth.user_id)?)))
}

async fn update_me(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let username = opt_str(&body, "username")?.map(str::to_owned);
    let email = opt_str(&body, "email")?.map(str::to_owned);
    let password = opt_str(&body, "password")?.map(str::to_owned);
    let current = opt_str(&body, "current_password")?.map(str::to_owned);
    let mut world = st.lock();
    if let Some(name) = &username {
        char_count("username", name, 3, usize::MAX)?;
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ApiError::new(
                400,
                "Invalid: ['Username can only contain letters, numbers, and underscores']",
            ));
        }
        if world
            .users
            .values()
            .any(|u| u.id != auth.user_id && u.username.eq_ignore_ascii_case(name))
        {
            return Err(ApiError::new(409, "Username already taken"));
        }
    }
    if let Some(mail) = &email {
        if world
            .users
            .values()
            .any(|u| u.id != auth.user_id && u.email.eq_ignore_ascii_case(mail))
        {
            return Err(ApiError::new(409, "Email already taken"));
        }
    }
    let user = world.user_mut(auth.user_id)?;
    if let Some(pw) = &password {
        // The reference's answers, odd as they are (account.txt): 500 for a wrong current
        // password, 403 "Incorrect current password" for a weak new one. Other sessions stay.
        let Some(current) = current.as_deref() else {
            return Err(ApiError::new(
                400,
                "Current password required to change password",
            ));
        };
        if hash_password(current) != user.password_hash {
            return Err(ApiError::new(500, "Invalid password"));
        }
        if !password_problems(pw).is_empty() {
            return Err(ApiError::new(403, "Incorrect current password"));
        }
        user.password_hash = hash_password(pw);
    }
    if let Some(name) = username {
        user.username = name;
    }
    if let Some(mail) = email {
        user.email = mail;
    }
    Ok(Json(wire::private_user(user)))
}

async fn set_presence(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let status = opt_str(&body, "status")?.unwrap_or("online");
    if !STATUSES.contains(&status) {
        return Err(ApiError::new(
            400,
            "Invalid status. Must be one of: online, idle, dnd, invisible, offline",
        ));
    }
    let custom_status = opt_str(&body, "custom_status")?.map(str::to_owned);
    let custom_emoji = opt_str(&body, "custom_emoji")?.map(str::to_owned);
    let mut world = st.lock();
    let own = {
        let user = world.user_mut(auth.user_id)?;
        user.presence.status = status.to_owned();
        if body.contains_key("custom_status") {
            user.presence.custom_status = custom_status;
        }
        if body.contains_key("custom_emoji") {
            user.presence.custom_emoji = custom_emoji;
        }
        user.presence.last_seen = now_ms();
        user.clone()
    };
    let event = wire::presence(&own, false);
    let audience = world.presence_audience(auth.user_id);
    world.dispatch("PRESENCE_UPDATE", &event, &audience);
    Ok(Json(wire::presence(&own, true)))
}

async fn user(st: St, _auth: Auth, UserId(id): UserId) -> ApiResult {
    Ok(Json(wire::public_user(st.lock().user(id)?)))
}

async fn presence(st: St, auth: Auth, UserId(id): UserId) -> ApiResult {
    Ok(Json(wire::presence(
        st.lock().user(id)?,
        id == auth.user_id,
    )))
}

/// Exact, case-sensitive username match only (PROTOCOL.md §6).
async fn search(st: St, _auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let Some((_, name)) = pairs.iter().find(|(k, v)| k == "username" && !v.is_empty()) else {
        return Err(ApiError::new(400, "Username required"));
    };
    let world = st.lock();
    let u = world
        .user_by_name(name)
        .ok_or_else(|| ApiError::not_found("User"))?;
    Ok(Json(wire::public_user(u)))
}

fn setting_json(key: &str, s: &Setting) -> Value {
    json!({"key": key, "value": s.value, "created_at": s.created_at, "updated_at": s.updated_at})
}

async fn settings(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let user = world.user(auth.user_id)?;
    let map: serde_json::Map<String, Value> = user
        .settings
        .iter()
        .map(|(k, s)| (k.clone(), s.value.clone()))
        .collect();
    Ok(Json(
        json!({"settings": map, "count": map.len(), "limit": 100}),
    ))
}

async fn setting(st: St, auth: Auth, Path(key): Path<String>) -> ApiResult {
    let world = st.lock();
    let s = world
        .users
        .get(&auth.user_id)
        .and_then(|u| u.settings.get(&key))
        .ok_or_else(|| ApiError::not_found("Setting"))?;
    Ok(Json(setting_json(&key, s)))
}

async fn put_setting(
    st: St,
    auth: Auth,
    Path(key): Path<String>,
    JsonBody(_, body): JsonBody,
) -> ApiResult {
    let value = body
        .get("value")
        .cloned()
        .ok_or_else(|| ApiError::invalid("value", "Field required"))?;
    let mut world = st.lock();
    let user = world.user_mut(auth.user_id)?;
    let now = now_ms();
    let entry = user.settings.entry(key.clone()).or_insert(Setting {
        value: Value::Null,
        created_at: now,
        updated_at: now,
    });
    entry.value = value;
    entry.updated_at = now;
    Ok(Json(setting_json(&key, entry)))
}

async fn delete_setting(st: St, auth: Auth, Path(key): Path<String>) -> ApiResult {
    let mut world = st.lock();
    let user = world.user_mut(auth.user_id)?;
    user.settings
        .remove(&key)
        .ok_or_else(|| ApiError::not_found("Setting"))?;
    Ok(Json(wire::ok()))
}

/// Lists the caller's DMs. The reference often answers `[]` here; the devserver returns the
/// real list (clients must cope with both, PROTOCOL.md §6).
async fn list_dms(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let list: Vec<Value> = world
        .dms
        .iter()
        .filter(|((a, b), _)| *a == auth.user_id || *b == auth.user_id)
        .map(|(_, &id)| wire::dm_channel(&world, id, auth.user_id))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn open_dm(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let recipient = id_field(&body, "recipient_id")?
        .ok_or_else(|| ApiError::invalid("recipient_id", "Field required"))?;
    if recipient == auth.user_id {
        return Err(ApiError::new(500, "Cannot create DM with yourself"));
    }
    let mut world = st.lock();
    if !world.users.contains_key(&recipient) {
        return Err(ApiError::not_found("User"));
    }
    let is_new = !world
        .dms
        .contains_key(&(auth.user_id.min(recipient), auth.user_id.max(recipient)));
    let id = world.open_dm(auth.user_id, recipient);
    if is_new {
        let for_me = wire::dm_channel(&world, id, auth.user_id);
        let for_them = wire::dm_channel(&world, id, recipient);
        world.dispatch("CHANNEL_CREATE", &for_me, &[auth.user_id]);
        world.dispatch("CHANNEL_CREATE", &for_them, &[recipient]);
    }
    Ok(Json(wire::dm_channel(&world, id, auth.user_id)))
}
