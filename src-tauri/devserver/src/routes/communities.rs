//! Bans, role edits and assignment, the audit log and slowmode (communities.txt), with the
//! reference's quirks: a duplicate ban answers 500, role assignment and bans of members send
//! no member event, slowmode has no permission check and is not enforced.

use super::servers::{permission_keys, remove_member, role_json};
use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{
    opt_str, query_pairs, Auth, ChannelId, JsonBody, RoleId, ServerId, UserId,
};
use crate::store::{AuditEntry, Ban};
use crate::wire;
use axum::extract::RawQuery;
use axum::routing::{get, put};
use axum::Json;
use serde_json::{json, Map, Value};

/// Routes below `/api/v1/servers/{id}` and `/api/v1/features`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/servers/{server_id}/bans", get(bans))
        .route(
            "/servers/{server_id}/bans/{user_id}",
            put(ban).delete(unban),
        )
        .route(
            "/servers/{server_id}/roles/{role_id}",
            axum::routing::patch(update_role).delete(delete_role),
        )
        .route(
            "/servers/{server_id}/members/{user_id}/roles/{role_id}",
            put(assign_role).delete(unassign_role),
        )
        .route("/servers/{server_id}/audit-logs", get(audit_logs))
        .route(
            "/features/channels/{channel_id}/slowmode",
            get(get_slowmode).put(set_slowmode),
        )
        .route(
            "/servers/{server_id}/icon",
            axum::routing::post(upload_icon),
        )
        .route("/avatars/servers/{server_id}", get(icon))
}

/// Multipart field `file`; answers the whole server. A missing `server.manage` and a wrong
/// content type both answer the reference's 500 `Upload failed`.
async fn upload_icon(
    st: St,
    auth: Auth,
    segments: axum::extract::RawPathParams,
    mut multipart: axum::extract::Multipart,
) -> ApiResult {
    use crate::http::extract::PathIds;
    let ServerId(id) = ServerId::parse(Some(&segments))?;
    {
        let world = st.lock();
        world.member_server(id, auth.user_id)?;
        if !world.has_permission(id, auth.user_id, "server.manage") {
            return Err(ApiError::new(500, "Upload failed"));
        }
    }
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let ct = field.content_type().unwrap_or_default().to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|_| ApiError::new(400, "Invalid request"))?;
        file = Some((ct, data));
    }
    let (ct, data) = file.ok_or_else(|| ApiError::invalid("file", "Field required"))?;
    if !["image/jpeg", "image/png", "image/gif", "image/webp"].contains(&ct.as_str()) {
        return Err(ApiError::new(500, "Upload failed"));
    }
    let mut world = st.lock();
    world.server_icons.insert(id, (ct, data));
    if let Some(s) = world.servers.get_mut(&id) {
        s.icon_url = Some(format!("/api/v1/avatars/servers/{id}"));
    }
    Ok(Json(wire::server(&world, id)))
}

/// Public: no token needed, cacheable for a day.
async fn icon(st: St, ServerId(id): ServerId) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let world = st.lock();
    let (ct, data) = world
        .server_icons
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Icon"))?;
    let etag = format!("\"{:016x}{:016x}\"", data.len(), id);
    Ok((
        [
            ("content-type", ct),
            ("cache-control", "public, max-age=86400".to_owned()),
            ("etag", etag),
            ("access-control-allow-origin", "*".to_owned()),
            ("access-control-allow-methods", "GET, OPTIONS".to_owned()),
            ("cross-origin-resource-policy", "cross-origin".to_owned()),
        ],
        data,
    )
        .into_response())
}

fn success() -> Value {
    json!({"success": true, "message": null})
}

/// The body is optional; non-members can be banned pre-emptively; a repeat is the reference's
/// 500 `User is already banned`. Sends GUILD_BAN_ADD (numbers, `guild_id`) to the members.
async fn ban(
    st: St,
    auth: Auth,
    JsonBody((ServerId(id), UserId(user_id)), body): JsonBody<(ServerId, UserId)>,
) -> ApiResult {
    let reason = opt_str(&body, "reason")?.map(str::to_owned);
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "members.ban")?;
    if world.bans.contains_key(&(id, user_id)) {
        return Err(ApiError::new(500, "User is already banned"));
    }
    world.bans.insert(
        (id, user_id),
        Ban {
            reason: reason.clone(),
            banned_by: auth.user_id,
        },
    );
    let audience = world.server_audience(id);
    // A banned member loses the membership; the reference tells nobody but the ban event.
    let _ = remove_member(&mut world, id, user_id);
    world.kicked.remove(&(id, user_id));
    world.dispatch(
        "GUILD_BAN_ADD",
        &json!({"guild_id": id, "user_id": user_id, "reason": reason}),
        &audience,
    );
    world.audit(
        id,
        auth.user_id,
        "member_ban",
        Some(("member", user_id)),
        None,
        reason,
    );
    Ok(Json(success()))
}

async fn unban(st: St, auth: Auth, ServerId(id): ServerId, UserId(user_id): UserId) -> ApiResult {
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "members.ban")?;
    if world.bans.remove(&(id, user_id)).is_none() {
        return Err(ApiError::not_found("Ban"));
    }
    let audience = world.server_audience(id);
    world.dispatch(
        "GUILD_BAN_REMOVE",
        &json!({"guild_id": id, "user_id": user_id}),
        &audience,
    );
    world.audit(
        id,
        auth.user_id,
        "member_unban",
        Some(("member", user_id)),
        None,
        None,
    );
    Ok(Json(success()))
}

/// Needs `bans.view` (which the reference names here, not `members.ban`).
async fn bans(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    world.permitted_server(id, auth.user_id, "bans.view")?;
    let out: Vec<Value> = world
        .bans
        .range((id, 0)..=(id, u64::MAX))
        .map(|((_, user), b)| {
            json!({
                "user_id": user.to_string(),
                "reason": b.reason,
                "banned_by": b.banned_by.to_string(),
                "banned_at": null,
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

async fn update_role(
    st: St,
    auth: Auth,
    JsonBody((ServerId(id), RoleId(role_id)), body): JsonBody<(ServerId, RoleId)>,
) -> ApiResult {
    let name = opt_str(&body, "name")?.map(str::to_owned);
    let color = opt_str(&body, "color")?.map(str::to_owned);
    let permissions = permission_keys(&body);
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "roles.manage")?;
    let server = world
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Server"))?;
    let role = server
        .roles
        .iter_mut()
        .find(|r| r.id == role_id)
        .ok_or_else(|| ApiError::not_found("Role"))?;
    let mut changes = Map::new();
    if let Some(n) = name {
        changes.insert("name".into(), json!({"old": role.name, "new": n}));
        role.name = n;
    }
    if let Some(p) = permissions {
        changes.insert(
            "permissions".into(),
            json!({"old": role.permissions, "new": p}),
        );
        role.permissions = p;
    }
    if body.contains_key("color") {
        changes.insert("color".into(), json!({"old": role.color, "new": color}));
        role.color = color;
    }
    for key in ["hoist", "mentionable"] {
        if let Some(v) = body.get(key).and_then(Value::as_bool) {
            if key == "hoist" {
                role.hoist = v;
            } else {
                role.mentionable = v;
            }
        }
    }
    let role = role.clone();
    world.role_event("GUILD_ROLE_UPDATE", id, &role);
    world.audit(
        id,
        auth.user_id,
        "role_update",
        Some(("role", role_id)),
        Some(Value::Object(changes)),
        None,
    );
    Ok(Json(role_json(id, &role)))
}

async fn delete_role(
    st: St,
    auth: Auth,
    ServerId(id): ServerId,
    RoleId(role_id): RoleId,
) -> ApiResult {
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "roles.manage")?;
    let server = world
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Server"))?;
    let before = server.roles.len();
    server.roles.retain(|r| r.id != role_id || r.is_default);
    if server.roles.len() == before {
        return Err(ApiError::not_found("Role"));
    }
    for m in &mut server.members {
        m.roles.retain(|r| *r != role_id);
    }
    let audience = world.server_audience(id);
    world.dispatch(
        "GUILD_ROLE_DELETE",
        &json!({"guild_id": id, "role_id": role_id}),
        &audience,
    );
    world.audit(
        id,
        auth.user_id,
        "role_delete",
        Some(("role", role_id)),
        None,
        None,
    );
    Ok(Json(success()))
}

/// Idempotent; no member event (gateway-events.txt).
async fn assign_role(
    st: St,
    auth: Auth,
    ServerId(id): ServerId,
    UserId(user_id): UserId,
    RoleId(role_id): RoleId,
) -> ApiResult {
    set_role(&st, auth, id, user_id, role_id, true)
}

async fn unassign_role(
    st: St,
    auth: Auth,
    ServerId(id): ServerId,
    UserId(user_id): UserId,
    RoleId(role_id): RoleId,
) -> ApiResult {
    set_role(&st, auth, id, user_id, role_id, false)
}

fn set_role(st: &St, auth: Auth, id: u64, user_id: u64, role_id: u64, add: bool) -> ApiResult {
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "members.manage_roles")?;
    let server = world
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Server"))?;
    if !server.roles.iter().any(|r| r.id == role_id) {
        return Err(ApiError::not_found("Role"));
    }
    let member = server
        .members
        .iter_mut()
        .find(|m| m.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("Member"))?;
    member.roles.retain(|r| *r != role_id);
    if add {
        member.roles.push(role_id);
    }
    let action = if add {
        "member_role_add"
    } else {
        "member_role_remove"
    };
    world.audit(
        id,
        auth.user_id,
        action,
        Some(("member", user_id)),
        Some(json!({"role_id": role_id})),
        None,
    );
    Ok(Json(success()))
}

fn audit_json(world: &crate::store::World, server_id: u64, e: &AuditEntry) -> Value {
    let user = world.users.get(&e.user_id).map(|u| {
        json!({
            "id": u.id.to_string(),
            "username": u.username,
            "avatar_url": wire::avatar_url(u.id),
            "created_at": u.created_at,
            "badges": ["alpha_tester"],
        })
    });
    json!({
        "id": e.id.to_string(),
        "server_id": server_id.to_string(),
        "user_id": e.user_id.to_string(),
        "user": user,
        "action": e.action,
        "target_type": e.target.as_ref().map(|(k, _)| k.clone()),
        "target_id": e.target.as_ref().map(|(_, id)| id.to_string()),
        "target_name": e.target_name,
        "changes": e.changes,
        "reason": e.reason,
        "created_at": e.created_at,
    })
}

/// Newest first; needs `server.view_audit_log`.
async fn audit_logs(
    st: St,
    auth: Auth,
    ServerId(id): ServerId,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let limit = query_pairs(q.as_deref())
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 100);
    let world = st.lock();
    world.permitted_server(id, auth.user_id, "server.view_audit_log")?;
    let out: Vec<Value> = world
        .audit_log
        .get(&id)
        .map(|log| {
            log.iter()
                .rev()
                .take(limit)
                .map(|e| audit_json(&world, id, e))
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(Value::Array(out)))
}

/// `channel_id` is a JSON number here.
async fn get_slowmode(st: St, _auth: Auth, ChannelId(id): ChannelId) -> ApiResult {
    let world = st.lock();
    let secs = world.channels.get(&id).map_or(0, |c| c.slowmode_seconds);
    Ok(Json(json!({"channel_id": id, "slowmode_seconds": secs})))
}

/// No permission check and no existence check (the reference's bugs); `interval_ms` floored
/// to seconds; writes the row directly, so no CHANNEL_UPDATE.
async fn set_slowmode(
    st: St,
    _auth: Auth,
    JsonBody(ChannelId(id), body): JsonBody<ChannelId>,
) -> ApiResult {
    let ms = body.get("interval_ms").and_then(Value::as_u64).unwrap_or(0);
    let secs = ms / 1000;
    let mut world = st.lock();
    if let Some(c) = world.channels.get_mut(&id) {
        c.slowmode_seconds = secs;
    }
    Ok(Json(
        json!({"success": true, "channel_id": id, "slowmode_seconds": secs}),
    ))
}
