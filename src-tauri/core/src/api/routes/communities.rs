//! Invites, server creation and permissions (communities.txt). Every request here is tagged
//! [`Action::Community`]: the reference answers some refusals with 500 and those must not be
//! retried or shown as an outage.

use reqwest::Method;
use serde_json::{json, Value};

use super::seg;
use crate::api::types::Ack;
use crate::api::{Api, Request};
use crate::community::{
    AuditEntry, Ban, ChannelEdit, Invite, InvitePreview, Joined, NewInvite, Permissions, Role,
    RoleEdit, ServerEdit,
};
use crate::error::{Action, ClientError};
use crate::model::{Channel, Server};

fn community(method: Method, path: String) -> Request {
    Request::new(method, path).action(Action::Community)
}

impl Api {
    /// `POST /servers/ {name, description}`.
    ///
    /// # Errors
    /// `invalid_input{name}` (2 to 100 characters), …
    pub async fn create_server(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<Server, ClientError> {
        let mut body = json!({ "name": name });
        if let Some(d) = description {
            body["description"] = Value::from(d);
        }
        self.call(community(Method::POST, "/servers/".into()).json(body))
            .await
    }

    /// `GET /servers/{id}` (cached by the reference for 60 s per caller: may be stale).
    ///
    /// # Errors
    /// `not_found{server}` for non-members, …
    pub async fn server(&self, server_id: &str) -> Result<Server, ClientError> {
        self.call(community(
            Method::GET,
            format!("/servers/{}", seg(server_id)),
        ))
        .await
    }

    /// `GET /servers/{id}/permissions`: what the caller may do there (never cached).
    ///
    /// # Errors
    /// Any classified failure; a non-member gets an empty map, not an error.
    pub async fn permissions(&self, server_id: &str) -> Result<Permissions, ClientError> {
        let raw: serde_json::Map<String, Value> = self
            .call(community(
                Method::GET,
                format!("/servers/{}/permissions", seg(server_id)),
            ))
            .await?;
        // Values other than booleans are ignored rather than failing the whole map.
        Ok(raw
            .into_iter()
            .filter_map(|(k, v)| v.as_bool().map(|b| (k, b)))
            .collect())
    }

    /// `GET /channels/invites/{code}`: the preview (200 even when expired or used up).
    ///
    /// # Errors
    /// `not_found` (unknown, revoked), …
    pub async fn invite_preview(&self, code: &str) -> Result<InvitePreview, ClientError> {
        self.call(community(
            Method::GET,
            format!("/channels/invites/{}", seg(code)),
        ))
        .await
    }

    /// `POST /channels/invites/{code}`: joins the invite's server.
    ///
    /// # Errors
    /// `not_found` (unknown, revoked, expired), `conflict` (already a member), `forbidden`
    /// (banned), `invalid_input` (used up: the reference's 500).
    pub async fn join_invite(&self, code: &str) -> Result<Joined, ClientError> {
        self.call(community(
            Method::POST,
            format!("/channels/invites/{}", seg(code)),
        ))
        .await
    }

    /// `POST /channels/{id}/invites {max_age, max_uses}`.
    ///
    /// # Errors
    /// `forbidden` (no `invites.create`), `not_found{channel}`, …
    pub async fn create_invite(
        &self,
        channel_id: &str,
        settings: NewInvite,
    ) -> Result<Invite, ClientError> {
        let inv: Invite = self
            .call(
                community(
                    Method::POST,
                    format!("/channels/{}/invites", seg(channel_id)),
                )
                .json(json!({ "max_age": settings.max_age, "max_uses": settings.max_uses })),
            )
            .await?;
        Ok(inv.with_expiry())
    }

    /// `GET /servers/{id}/invites` (newest first).
    ///
    /// # Errors
    /// `forbidden` (no `invites.manage`), …
    pub async fn server_invites(&self, server_id: &str) -> Result<Vec<Invite>, ClientError> {
        let list: Vec<Invite> = self
            .call(community(
                Method::GET,
                format!("/servers/{}/invites", seg(server_id)),
            ))
            .await?;
        Ok(list.into_iter().map(Invite::with_expiry).collect())
    }

    /// `DELETE /channels/invites/{code}`.
    ///
    /// # Errors
    /// `forbidden` (no `invites.manage`), `not_found` (already gone), …
    pub async fn revoke_invite(&self, code: &str) -> Result<Ack, ClientError> {
        self.call(
            community(Method::DELETE, format!("/channels/invites/{}", seg(code))).idempotent(),
        )
        .await
    }

    /// `PATCH /servers/{id}` (answers the server as changed; its GET stays stale a while).
    ///
    /// # Errors
    /// `forbidden` (no `server.manage`), `invalid_input{name}`, …
    pub async fn update_server(
        &self,
        server_id: &str,
        edit: &ServerEdit,
    ) -> Result<Server, ClientError> {
        let body = serde_json::to_value(edit).unwrap_or_default();
        self.call(community(Method::PATCH, format!("/servers/{}", seg(server_id))).json(body))
            .await
    }

    /// `DELETE /servers/{id}` (owner only; anyone else gets the reference's 500).
    ///
    /// # Errors
    /// `invalid_input` (the 500 of a non-owner), `not_found{server}`, …
    pub async fn delete_server(&self, server_id: &str) -> Result<Ack, ClientError> {
        self.call(community(
            Method::DELETE,
            format!("/servers/{}", seg(server_id)),
        ))
        .await
    }

    /// `POST /servers/{id}/leave`.
    ///
    /// # Errors
    /// `forbidden` (the owner cannot leave), `not_found{server}` (not a member), …
    pub async fn leave_server(&self, server_id: &str) -> Result<Ack, ClientError> {
        self.call(community(
            Method::POST,
            format!("/servers/{}/leave", seg(server_id)),
        ))
        .await
    }

    /// `POST /servers/{id}/channels {name, topic}`.
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), `invalid_input{name}`, …
    pub async fn create_channel(
        &self,
        server_id: &str,
        edit: &ChannelEdit,
    ) -> Result<Channel, ClientError> {
        let body = serde_json::to_value(edit).unwrap_or_default();
        self.call(
            community(
                Method::POST,
                format!("/servers/{}/channels", seg(server_id)),
            )
            .json(body),
        )
        .await
    }

    /// `PATCH /channels/{id}` (name, topic, slowmode; sends CHANNEL_UPDATE).
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), …
    pub async fn update_channel(
        &self,
        channel_id: &str,
        edit: &ChannelEdit,
    ) -> Result<Channel, ClientError> {
        let body = serde_json::to_value(edit).unwrap_or_default();
        self.call(community(Method::PATCH, format!("/channels/{}", seg(channel_id))).json(body))
            .await
    }

    /// `DELETE /channels/{id}` (answers 200 again for a channel already gone).
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), …
    pub async fn delete_channel(&self, channel_id: &str) -> Result<Ack, ClientError> {
        self.call(community(Method::DELETE, format!("/channels/{}", seg(channel_id))).idempotent())
            .await
    }

    /// `DELETE /servers/{id}/members/{user}`: kicks (the path takes the USER id).
    ///
    /// # Errors
    /// `forbidden` (no `members.kick`, or the owner), `not_found` (not a member), …
    pub async fn kick_member(&self, server_id: &str, user_id: &str) -> Result<Ack, ClientError> {
        self.call(community(
            Method::DELETE,
            format!("/servers/{}/members/{}", seg(server_id), seg(user_id)),
        ))
        .await
    }

    /// `PUT /servers/{id}/bans/{user} {reason}`; non-members can be banned too.
    ///
    /// # Errors
    /// `forbidden` (no `members.ban`), `conflict` (already banned: the reference's 500), …
    pub async fn ban_member(
        &self,
        server_id: &str,
        user_id: &str,
        reason: Option<&str>,
    ) -> Result<Ack, ClientError> {
        let body = json!({ "reason": reason, "delete_message_days": 0 });
        self.call(
            community(
                Method::PUT,
                format!("/servers/{}/bans/{}", seg(server_id), seg(user_id)),
            )
            .json(body),
        )
        .await
    }

    /// `DELETE /servers/{id}/bans/{user}`.
    ///
    /// # Errors
    /// `forbidden` (no `members.ban`), `not_found` (no such ban), …
    pub async fn unban_member(&self, server_id: &str, user_id: &str) -> Result<Ack, ClientError> {
        self.call(community(
            Method::DELETE,
            format!("/servers/{}/bans/{}", seg(server_id), seg(user_id)),
        ))
        .await
    }

    /// `GET /servers/{id}/bans`.
    ///
    /// # Errors
    /// `forbidden` (no `bans.view`), …
    pub async fn bans(&self, server_id: &str) -> Result<Vec<Ban>, ClientError> {
        self.call(community(
            Method::GET,
            format!("/servers/{}/bans", seg(server_id)),
        ))
        .await
    }

    /// `GET /servers/{id}/roles`, highest first (cached by the reference for 300 s per
    /// caller: a read after a write is often stale).
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`: the reference's 500), …
    pub async fn roles(&self, server_id: &str) -> Result<Vec<Role>, ClientError> {
        self.call(community(
            Method::GET,
            format!("/servers/{}/roles", seg(server_id)),
        ))
        .await
    }

    /// `POST /servers/{id}/roles {name, color, permissions, hoist, mentionable}`.
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), `invalid_input{name}`, …
    pub async fn create_role(&self, server_id: &str, edit: &RoleEdit) -> Result<Role, ClientError> {
        let body = serde_json::to_value(edit).unwrap_or_default();
        self.call(community(Method::POST, format!("/servers/{}/roles", seg(server_id))).json(body))
            .await
    }

    /// `PATCH /servers/{id}/roles/{role}` (answers the role as changed).
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), `not_found{role}`, …
    pub async fn update_role(
        &self,
        server_id: &str,
        role_id: &str,
        edit: &RoleEdit,
    ) -> Result<Role, ClientError> {
        let body = serde_json::to_value(edit).unwrap_or_default();
        self.call(
            community(
                Method::PATCH,
                format!("/servers/{}/roles/{}", seg(server_id), seg(role_id)),
            )
            .json(body),
        )
        .await
    }

    /// `DELETE /servers/{id}/roles/{role}`.
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), `not_found{role}` (already gone), …
    pub async fn delete_role(&self, server_id: &str, role_id: &str) -> Result<Ack, ClientError> {
        self.call(
            community(
                Method::DELETE,
                format!("/servers/{}/roles/{}", seg(server_id), seg(role_id)),
            )
            .idempotent(),
        )
        .await
    }

    /// `PUT` (assign) or `DELETE` (remove) `/servers/{id}/members/{user}/roles/{role}`; both
    /// idempotent, and neither sends an event.
    ///
    /// # Errors
    /// `forbidden` (no `members.manage_roles`), `not_found{member}` (not a member), …
    pub async fn set_member_role(
        &self,
        server_id: &str,
        user_id: &str,
        role_id: &str,
        assigned: bool,
    ) -> Result<Ack, ClientError> {
        let method = if assigned {
            Method::PUT
        } else {
            Method::DELETE
        };
        self.call(
            community(
                method,
                format!(
                    "/servers/{}/members/{}/roles/{}",
                    seg(server_id),
                    seg(user_id),
                    seg(role_id)
                ),
            )
            .idempotent(),
        )
        .await
    }

    /// `GET /servers/{id}/audit-logs?limit=` (newest first, at most 100).
    ///
    /// # Errors
    /// `forbidden` (no `server.view_audit_log`), …
    pub async fn audit_log(
        &self,
        server_id: &str,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, ClientError> {
        self.call(
            community(
                Method::GET,
                format!("/servers/{}/audit-logs", seg(server_id)),
            )
            .query("limit", limit.clamp(1, 100)),
        )
        .await
    }
}
