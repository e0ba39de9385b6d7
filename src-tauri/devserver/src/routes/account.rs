//! Account routes beyond sign-in (account.txt): password reset, profiles, messaging settings,
//! data export.
//!
//! The reference never mails the reset token (no SMTP); the devserver keeps it for tests,
//! which read it with [`crate::DevServerHandle::password_reset_token`].

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{char_count, opt_str, req_str, Auth, JsonBody, UserId};
use crate::ids::{now_ms, random_hex};
use crate::store::auth::{hash_password, password_problems};
use crate::store::World;
use crate::wire;
use axum::routing::{get, post};
use axum::Json;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The reference caches `GET /users/@me/messaging-settings` per user for this long.
const MESSAGING_CACHE: Duration = Duration::from_secs(60);

/// Routes of this area.
pub(crate) fn routes() -> R {
    R::new()
        .route("/auth/password-reset/request", post(reset_request))
        .route("/auth/password-reset/confirm", post(reset_confirm))
        .route("/features/users/{user_id}/profile", get(profile))
        .route(
            "/features/users/@me/profile",
            get(own_profile_by_me).patch(update_profile),
        )
        .route(
            "/users/@me/messaging-settings",
            get(messaging_settings).patch(update_messaging_settings),
        )
        .route(
            "/users/@me/data-export",
            get(list_exports).post(request_export),
        )
        .route("/users/@me/data-export/{request_id}", get(export_status))
        .route(
            "/users/@me/data-export/{request_id}/download",
            get(download_export),
        )
}

fn is_email(value: &str) -> bool {
    value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    })
}

/// Same 200 for unknown addresses: no account enumeration.
async fn reset_request(st: St, JsonBody(_, body): JsonBody) -> ApiResult {
    let email = req_str(&body, "email")?;
    if !is_email(email) {
        return Err(ApiError::invalid(
            "email",
            "value is not a valid email address: An email address must have an @-sign.",
        ));
    }
    let mut world = st.lock();
    let user = world
        .users
        .values()
        .find(|u| u.email.eq_ignore_ascii_case(email))
        .map(|u| u.id);
    if let Some(id) = user {
        world.reset_tokens.retain(|_, uid| *uid != id);
        world.reset_tokens.insert(random_hex(16), id);
    }
    Ok(Json(wire::ok()))
}

/// The token is checked before the password's strength (account.txt).
async fn reset_confirm(st: St, JsonBody(_, body): JsonBody) -> ApiResult {
    let token = req_str(&body, "token")?;
    let password = req_str(&body, "new_password")?;
    let mut world = st.lock();
    let Some(&user_id) = world.reset_tokens.get(token) else {
        return Err(ApiError::new(401, "Invalid token"));
    };
    let problems = password_problems(password);
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::new(400, format!("Weak: [{list}]")));
    }
    world.reset_tokens.remove(token);
    world.user_mut(user_id)?.password_hash = hash_password(password);
    Ok(Json(wire::ok()))
}

/// The profile row of `user_id`, created on first use like the reference does (even for an
/// id that names no user).
fn profile_row(world: &mut World, user_id: u64) -> &mut Value {
    if !world.profiles.contains_key(&user_id) {
        let id = world.ids.next();
        let now = now_ms();
        world.profiles.insert(
            user_id,
            json!({
                "id": id, "user_id": user_id, "bio": null, "banner_url": null, "social_links": [],
                "custom_status_text": null, "custom_status_emoji": null,
                "custom_status_expires_at": null, "pronouns": null, "location": null,
                "timezone": null, "created_at": now, "updated_at": now,
            }),
        );
    }
    world.profiles.get_mut(&user_id).expect("inserted above")
}

/// Any user's profile; ids are JSON numbers here, and `@me` is refused (account.txt).
async fn profile(st: St, _auth: Auth, UserId(user_id): UserId) -> ApiResult {
    let mut world = st.lock();
    let row = profile_row(&mut world, user_id).clone();
    Ok(Json(json!({ "profile": row })))
}

/// There is no GET for `@me`: the id segment is refused like any non-numeric one.
async fn own_profile_by_me(_auth: Auth) -> ApiResult {
    Err(ApiError::new(400, "Invalid user ID"))
}

/// `status`/`status_emoji` are accepted and ignored; social links come back as
/// `{platform: "other", url}` (account.txt).
async fn update_profile(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let mut changes = serde_json::Map::new();
    for field in ["bio", "pronouns", "location", "timezone"] {
        if body.contains_key(field) {
            let value = opt_str(&body, field)?;
            if let Some(v) = value {
                let max = if field == "bio" { 1000 } else { 100 };
                char_count(field, v, 0, max)?;
            }
            changes.insert(field.to_owned(), json!(value));
        }
    }
    if let Some(links) = body.get("social_links") {
        let Some(list) = links.as_array() else {
            return Err(ApiError::invalid(
                "social_links",
                "Input should be a valid list",
            ));
        };
        let stored: Vec<Value> = list
            .iter()
            .filter_map(|l| l.get("url").and_then(Value::as_str))
            .map(|url| json!({"platform": "other", "url": url}))
            .collect();
        changes.insert("social_links".into(), Value::Array(stored));
    }
    let mut world = st.lock();
    let row = profile_row(&mut world, auth.user_id);
    if let Some(obj) = row.as_object_mut() {
        obj.extend(changes);
        obj.insert("updated_at".into(), json!(now_ms()));
    }
    let row = row.clone();
    Ok(Json(json!({ "success": true, "profile": row })))
}

fn messaging_row(world: &mut World, user_id: u64) -> &mut Value {
    world.messaging.entry(user_id).or_insert_with(|| {
        json!({
            "user_id": user_id.to_string(), "read_receipts_enabled": true,
            "typing_indicators_enabled": true, "compact_messages_enabled": true,
            "allow_dms_from": "everyone", "auto_create_dms": true, "max_message_length": null,
            "max_attachment_size": null, "max_attachments_per_message": null,
        })
    })
}

/// Served from a 60 s per-user cache, so a GET right after a PATCH is stale (account.txt).
async fn messaging_settings(st: St, auth: Auth) -> ApiResult {
    let mut world = st.lock();
    if let Some((at, cached)) = world.messaging_cache.get(&auth.user_id) {
        if at.elapsed() < MESSAGING_CACHE {
            return Ok(Json(cached.clone()));
        }
    }
    let row = messaging_row(&mut world, auth.user_id).clone();
    world
        .messaging_cache
        .insert(auth.user_id, (Instant::now(), row.clone()));
    Ok(Json(row))
}

/// No validation of `allow_dms_from` or the limits: stored as given (account.txt).
async fn update_messaging_settings(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let mut world = st.lock();
    let row = messaging_row(&mut world, auth.user_id);
    if let Some(obj) = row.as_object_mut() {
        for (k, v) in body {
            if obj.contains_key(&k) && k != "user_id" {
                obj.insert(k, v);
            }
        }
    }
    Ok(Json(row.clone()))
}

async fn list_exports(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let list = world
        .data_exports
        .get(&auth.user_id)
        .cloned()
        .unwrap_or_default();
    Ok(Json(json!({ "requests": list })))
}

/// One pending request at a time; the answer carries no id (account.txt).
async fn request_export(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let password = req_str(&body, "password")?;
    let format = opt_str(&body, "format")?.unwrap_or("json").to_owned();
    let mut world = st.lock();
    if world.user(auth.user_id)?.password_hash != hash_password(password) {
        return Err(ApiError::new(403, "Incorrect password"));
    }
    let is_pending = world
        .data_exports
        .get(&auth.user_id)
        .is_some_and(|l| l.iter().any(|r| r["status"] == "pending"));
    if is_pending {
        return Err(ApiError::new(
            429,
            "Data export request limit exceeded. Please wait 24 hours between requests.",
        ));
    }
    let id = world.ids.next();
    // Request ids are JSON numbers and `requested_at` is in seconds here.
    let row = json!({
        "id": id, "status": "pending", "requested_at": now_ms() / 1000, "completed_at": null,
        "expires_at": null, "format": format, "file_size_bytes": null, "checksum": null,
    });
    world
        .data_exports
        .entry(auth.user_id)
        .or_default()
        .push(row);
    Ok(Json(
        json!({"success": true, "message": "Data export request submitted successfully"}),
    ))
}

fn export_of(world: &World, user_id: u64, raw_id: &str) -> Result<Value, ApiError> {
    let not_found = || ApiError::new(404, "Request not found");
    let id: u64 = raw_id.parse().map_err(|_| not_found())?;
    world
        .data_exports
        .get(&user_id)
        .and_then(|l| l.iter().find(|r| r["id"] == id))
        .cloned()
        .ok_or_else(not_found)
}

async fn export_status(
    st: St,
    auth: Auth,
    axum::extract::Path(request_id): axum::extract::Path<String>,
) -> ApiResult {
    Ok(Json(export_of(&st.lock(), auth.user_id, &request_id)?))
}

async fn download_export(
    st: St,
    auth: Auth,
    axum::extract::Path(request_id): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let world = st.lock();
    let row = export_of(&world, auth.user_id, &request_id)?;
    if row["status"] != "completed" {
        return Err(ApiError::new(400, "Export is not ready for download"));
    }
    let user = world.user(auth.user_id)?;
    let body = json!({"user": wire::private_user(user), "exported_at": now_ms()}).to_string();
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )))
}
