//! Servers, their channels, members, roles, invites and permissions (chat.txt).
//! Non-members get 404, members without a permission 403 (PROTOCOL.md §6).

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{
    char_count, opt_str, query_pairs, req_str, Auth, JsonBody, ServerId, UserId,
};
use crate::store::Role;
use crate::wire;
use axum::extract::RawQuery;
use axum::routing::{delete, get, post};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1/servers`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/servers/", get(list).post(create))
        .route(
            "/servers/{server_id}",
            get(get_one).patch(update).delete(remove),
        )
        .route(
            "/servers/{server_id}/channels",
            get(channels).post(create_channel),
        )
        .route("/servers/{server_id}/invites", get(invites))
        .route("/servers/{server_id}/members", get(members))
        .route("/servers/{server_id}/members/{user_id}", delete(kick))
        .route("/servers/{server_id}/roles", get(roles).post(create_role))
        .route("/servers/{server_id}/permissions", get(permissions))
        .route("/servers/{server_id}/leave", post(leave))
        .merge(super::communities::routes())
}

async fn list(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let out: Vec<Value> = world
        .servers
        .values()
        .filter(|s| s.members.iter().any(|m| m.user_id == auth.user_id))
        .map(|s| wire::server(&world, s.id))
        .collect();
    Ok(Json(Value::Array(out)))
}

async fn create(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let name = req_str(&body, "name")?;
    char_count("name", name, 2, 100)?;
    let description = opt_str(&body, "description")?.map(str::to_owned);
    let mut world = st.lock();
    let id = world.create_server(auth.user_id, name, description);
    Ok(Json(wire::server(&world, id)))
}

async fn get_one(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    world.member_server(id, auth.user_id)?;
    Ok(Json(wire::server(&world, id)))
}

/// Sends no event: the reference tells nobody about a rename (gateway-events.txt).
/// `default_channel_id` is accepted and ignored.
async fn update(st: St, auth: Auth, JsonBody(ServerId(id), body): JsonBody<ServerId>) -> ApiResult {
    let name = opt_str(&body, "name")?.map(str::to_owned);
    let description = opt_str(&body, "description")?.map(str::to_owned);
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "server.manage")?;
    if let Some(n) = &name {
        char_count("name", n, 2, 100)?;
    }
    let mut changes = serde_json::Map::new();
    if let Some(s) = world.servers.get_mut(&id) {
        if let Some(n) = name {
            changes.insert("name".into(), json!({"old": s.name, "new": n}));
            s.name = n;
        }
        if body.contains_key("description") {
            changes.insert(
                "description".into(),
                json!({"old": s.description, "new": description}),
            );
            s.description = description;
        }
    }
    if let Some(c) = body.get("default_channel_id") {
        changes.insert("default_channel_id".into(), json!({"old": null, "new": c}));
    }
    world.audit(
        id,
        auth.user_id,
        "server_update",
        Some(("server", id)),
        Some(Value::Object(changes)),
        None,
    );
    Ok(Json(wire::server(&world, id)))
}

/// Only the owner may delete; anyone else gets the reference's 500.
async fn remove(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let mut world = st.lock();
    let server = world.member_server(id, auth.user_id)?;
    if server.owner_id != auth.user_id {
        return Err(ApiError::internal());
    }
    let audience: Vec<u64> = server.members.iter().map(|m| m.user_id).collect();
    world.servers.remove(&id);
    let channel_ids: Vec<u64> = world
        .channels
        .values()
        .filter(|c| c.server_id == Some(id))
        .map(|c| c.id)
        .collect();
    for c in channel_ids {
        world.channels.remove(&c);
        world.messages.remove(&c);
    }
    world.dispatch("SERVER_DELETE", &json!({"id": id.to_string()}), &audience);
    Ok(Json(wire::ok()))
}

/// A kicked user gets 403 `Access denied` here; other non-members 404.
async fn channels(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    if world.kicked.contains(&(id, auth.user_id)) && world.servers.contains_key(&id) {
        return Err(ApiError::new(403, "Access denied"));
    }
    world.member_server(id, auth.user_id)?;
    let out: Vec<Value> = world
        .channels
        .values()
        .filter(|c| c.server_id == Some(id))
        .map(|c| wire::channel(c, &world))
        .collect();
    Ok(Json(Value::Array(out)))
}

async fn create_channel(
    st: St,
    auth: Auth,
    JsonBody(ServerId(id), body): JsonBody<ServerId>,
) -> ApiResult {
    let name = req_str(&body, "name")?;
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "name",
            "String should have at least 1 character",
        ));
    }
    // Unknown types silently become text, as on the reference.
    let kind = opt_str(&body, "channel_type")?
        .filter(|k| ["voice", "category", "announcement"].contains(k))
        .unwrap_or("text");
    let topic = opt_str(&body, "topic")?.map(str::to_owned);
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "channels.manage")?;
    let cid = world.create_channel(id, name, kind, topic);
    Ok(Json(wire::channel(&world.channels[&cid], &world)))
}

/// Newest first; needs `invites.manage`.
async fn invites(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    world.permitted_server(id, auth.user_id, "invites.manage")?;
    let mut list: Vec<&crate::store::Invite> = world
        .invites
        .values()
        .filter(|i| i.server_id == id)
        .collect();
    list.sort_by_key(|i| std::cmp::Reverse((i.created_at, i.seq)));
    let out: Vec<Value> = list
        .into_iter()
        .map(|i| {
            json!({
                "code": i.code,
                "server_id": i.server_id.to_string(),
                "channel_id": i.channel_id.to_string(),
                "inviter_id": i.inviter_id.to_string(),
                "uses": i.uses,
                "max_uses": i.max_uses,
                "max_age": i.max_age,
                "temporary": false,
                "created_at": i.created_at,
                "expires_at": i.expires_at(),
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// At most 100 per page; `after=<user id>` pages on.
async fn members(st: St, auth: Auth, ServerId(id): ServerId, RawQuery(q): RawQuery) -> ApiResult {
    let pairs = query_pairs(q.as_deref());
    let limit = match pairs.iter().find(|(k, _)| k == "limit") {
        None => 100,
        Some((_, v)) => match v.parse::<usize>() {
            Ok(n @ 1..=100) => n,
            Ok(0) => {
                return Err(ApiError::invalid(
                    "limit",
                    "Input should be greater than or equal to 1",
                ))
            }
            Ok(_) => {
                return Err(ApiError::invalid(
                    "limit",
                    "Input should be less than or equal to 100",
                ))
            }
            Err(_) => {
                return Err(ApiError::invalid(
                    "limit",
                    "Input should be a valid integer, unable to parse string as an integer",
                ))
            }
        },
    };
    let after = pairs
        .iter()
        .find(|(k, _)| k == "after")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    let world = st.lock();
    let server = world.member_server(id, auth.user_id)?;
    let out: Vec<Value> = server
        .members
        .iter()
        .filter(|m| m.user_id > after)
        .take(limit)
        .map(|m| wire::member(&world, id, m.user_id))
        .collect();
    Ok(Json(Value::Array(out)))
}

/// The path takes the USER id. The reference sends no event for a kick (gateway-events.txt).
async fn kick(st: St, auth: Auth, ServerId(id): ServerId, UserId(user_id): UserId) -> ApiResult {
    let mut world = st.lock();
    let server = world.permitted_server(id, auth.user_id, "members.kick")?;
    if server.owner_id == user_id {
        return Err(ApiError::new(403, "Cannot kick the server owner"));
    }
    remove_member(&mut world, id, user_id)?;
    world.audit(
        id,
        auth.user_id,
        "member_kick",
        Some(("member", user_id)),
        None,
        None,
    );
    Ok(Json(json!({"success": true, "message": null})))
}

/// Takes a member out of a server; nobody is told (no dispatch on the reference).
pub(crate) fn remove_member(
    world: &mut crate::store::World,
    server_id: u64,
    user_id: u64,
) -> Result<(), ApiError> {
    let server = world
        .servers
        .get_mut(&server_id)
        .ok_or_else(|| ApiError::not_found("Server"))?;
    let before = server.members.len();
    server.members.retain(|m| m.user_id != user_id);
    if server.members.len() == before {
        return Err(ApiError::not_found("Member"));
    }
    world.kicked.insert((server_id, user_id));
    Ok(())
}

async fn leave(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let mut world = st.lock();
    let server = world.member_server(id, auth.user_id)?;
    if server.owner_id == auth.user_id {
        return Err(ApiError::new(403, "Owners cannot leave their own server"));
    }
    remove_member(&mut world, id, auth.user_id)?;
    // Leaving is not a kick: the channel list answers the plain non-member 404 afterwards.
    world.kicked.remove(&(id, auth.user_id));
    world.audit(
        id,
        auth.user_id,
        "member_leave",
        Some(("member", auth.user_id)),
        None,
        None,
    );
    Ok(Json(json!({"success": true, "message": null})))
}

/// A role as REST answers it (string ids).
pub(crate) fn role_json(server_id: u64, r: &Role) -> Value {
    json!({
        "id": r.id.to_string(),
        "server_id": server_id.to_string(),
        "name": r.name,
        "color": r.color,
        "position": r.position,
        "permissions": role_permissions(r),
        "hoist": r.hoist,
        "mentionable": r.mentionable,
        "is_default": r.is_default,
    })
}

/// A role's permission map (every stored key, unknown ones too, granted).
pub(crate) fn role_permissions(r: &Role) -> serde_json::Map<String, Value> {
    r.permissions
        .iter()
        .map(|p| (p.clone(), Value::Bool(true)))
        .collect()
}

/// Highest position first, `@everyone` last. A member without `roles.manage` gets the
/// reference's 500 naming the permission.
async fn roles(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    let server = world.member_server(id, auth.user_id)?;
    if !world.has_permission(id, auth.user_id, "roles.manage") {
        return Err(ApiError::new(
            500,
            "Missing required permission: roles.manage",
        ));
    }
    let mut list: Vec<&Role> = server.roles.iter().collect();
    list.sort_by_key(|r| std::cmp::Reverse(r.position));
    Ok(Json(Value::Array(
        list.into_iter().map(|r| role_json(id, r)).collect(),
    )))
}

/// Permission keys are stored as given (no validation, like the reference).
pub(crate) fn permission_keys(body: &serde_json::Map<String, Value>) -> Option<Vec<String>> {
    match body.get("permissions") {
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        Some(Value::Object(o)) => Some(
            o.iter()
                .filter(|(_, v)| v.as_bool() == Some(true))
                .map(|(k, _)| k.clone())
                .collect(),
        ),
        _ => None,
    }
}

async fn create_role(
    st: St,
    auth: Auth,
    JsonBody(ServerId(id), body): JsonBody<ServerId>,
) -> ApiResult {
    let name = req_str(&body, "name")?.to_owned();
    let color = opt_str(&body, "color")?.map(str::to_owned);
    let permissions = permission_keys(&body).unwrap_or_default();
    let hoist = body.get("hoist").and_then(Value::as_bool).unwrap_or(false);
    let mentionable = body
        .get("mentionable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut world = st.lock();
    world.permitted_server(id, auth.user_id, "roles.manage")?;
    let role_id = world.ids.next();
    let server = world
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Server"))?;
    let position = server.roles.iter().map(|r| r.position).max().unwrap_or(0) + 1;
    let role = Role {
        id: role_id,
        name,
        color,
        position,
        permissions,
        is_default: false,
        hoist,
        mentionable,
    };
    server.roles.push(role.clone());
    world.role_event("GUILD_ROLE_CREATE", id, &role);
    world.audit(
        id,
        auth.user_id,
        "role_create",
        Some(("role", role_id)),
        None,
        None,
    );
    Ok(Json(role_json(id, &role)))
}

/// A non-member gets 200 with `{}` (communities.txt), not a 404.
async fn permissions(st: St, auth: Auth, ServerId(id): ServerId) -> ApiResult {
    let world = st.lock();
    Ok(Json(world.permission_map(id, auth.user_id)))
}
