//! Who can see what, permissions, and the write paths shared by REST, the seed and the handle
//! (creating servers, channels and messages, each dispatching its gateway event).

use super::DEFAULT_PERMISSIONS;
use super::{Channel, Member, Message, RelStatus, Role, Server, World, ALL_PERMISSIONS};
use crate::error::ApiError;
use crate::ids::now_ms;
use crate::wire;

/// Input of [`World::post_message`].
#[derive(Debug, Default, Clone)]
pub(crate) struct NewMessage {
    pub(crate) content: String,
    pub(crate) reply_to_id: Option<u64>,
    pub(crate) attachments: Vec<serde_json::Value>,
    pub(crate) embeds: Vec<serde_json::Value>,
    pub(crate) created_at: Option<u64>,
    /// A poll sent inline with the message.
    pub(crate) poll: Option<super::polls::PollSpec>,
}

impl World {
    /// Users who see events of a channel: server members, or the two DM participants.
    pub(crate) fn channel_audience(&self, channel_id: u64) -> Vec<u64> {
        let Some(ch) = self.channels.get(&channel_id) else {
            return Vec::new();
        };
        if let Some((a, b)) = ch.dm_users {
            return vec![a, b];
        }
        ch.server_id
            .and_then(|s| self.servers.get(&s))
            .map(|s| s.members.iter().map(|m| m.user_id).collect())
            .unwrap_or_default()
    }

    /// Users who see `user_id`'s presence: friends and co-members, not the user.
    pub(crate) fn presence_audience(&self, user_id: u64) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .relationships
            .iter()
            .filter(|((owner, other), r)| {
                *other == user_id && r.status == RelStatus::Friend && *owner != user_id
            })
            .map(|((owner, _), _)| *owner)
            .collect();
        for server in self.servers.values() {
            if server.members.iter().any(|m| m.user_id == user_id) {
                out.extend(server.members.iter().map(|m| m.user_id));
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&u| u != user_id);
        out
    }

    /// The server if `user_id` is a member; 404 otherwise (the reference hides existence).
    ///
    /// # Errors
    /// 404 `Server not found`.
    pub(crate) fn member_server(&self, server_id: u64, user_id: u64) -> Result<&Server, ApiError> {
        self.servers
            .get(&server_id)
            .filter(|s| s.members.iter().any(|m| m.user_id == user_id))
            .ok_or_else(|| ApiError::not_found("Server"))
    }

    /// The channel if `user_id` can see it.
    ///
    /// # Errors
    /// 404 `Channel not found` for unknown channels and non-members alike.
    pub(crate) fn visible_channel(
        &self,
        channel_id: u64,
        user_id: u64,
    ) -> Result<&Channel, ApiError> {
        let ch = self
            .channels
            .get(&channel_id)
            .ok_or_else(|| ApiError::not_found("Channel"))?;
        if self.channel_audience(channel_id).contains(&user_id) {
            Ok(ch)
        } else {
            Err(ApiError::not_found("Channel"))
        }
    }

    /// The server if `user_id` is a member holding `perm`.
    ///
    /// # Errors
    /// 404 `Server not found` for non-members, then 403 `Missing required permission: <perm>`.
    pub(crate) fn permitted_server(
        &self,
        server_id: u64,
        user_id: u64,
        perm: &str,
    ) -> Result<&Server, ApiError> {
        let server = self.member_server(server_id, user_id)?;
        if self.has_permission(server_id, user_id, perm) {
            Ok(server)
        } else {
            Err(missing_permission(perm))
        }
    }

    /// A message in a channel `user_id` can see.
    ///
    /// # Errors
    /// 404 `Channel not found`, then 404 `Message not found`.
    pub(crate) fn visible_message(
        &self,
        channel_id: u64,
        message_id: u64,
        user_id: u64,
    ) -> Result<&Message, ApiError> {
        self.visible_channel(channel_id, user_id)?;
        self.messages
            .get(&channel_id)
            .and_then(|m| m.get(&message_id))
            .ok_or_else(|| ApiError::not_found("Message"))
    }

    /// A message to change, once the caller's access has been checked.
    ///
    /// # Errors
    /// 404 `Message not found`.
    pub(crate) fn message_mut(
        &mut self,
        channel_id: u64,
        message_id: u64,
    ) -> Result<&mut Message, ApiError> {
        self.messages
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&message_id))
            .ok_or_else(|| ApiError::not_found("Message"))
    }

    /// Whether `user_id` holds `perm` in `server_id` (owners hold everything).
    pub(crate) fn has_permission(&self, server_id: u64, user_id: u64, perm: &str) -> bool {
        let Some(server) = self.servers.get(&server_id) else {
            return false;
        };
        if server.owner_id == user_id {
            return true;
        }
        let Some(member) = server.members.iter().find(|m| m.user_id == user_id) else {
            return false;
        };
        server
            .roles
            .iter()
            .filter(|r| r.is_default || member.roles.contains(&r.id))
            .any(|r| r.permissions.iter().any(|p| p == perm))
    }

    /// 403 `Missing required permission: <perm>` unless allowed; DMs allow everything.
    ///
    /// # Errors
    /// 403 when the permission is missing.
    pub(crate) fn require_permission(
        &self,
        channel_id: u64,
        user_id: u64,
        perm: &str,
    ) -> Result<(), ApiError> {
        let server_id = self.channels.get(&channel_id).and_then(|c| c.server_id);
        match server_id {
            Some(sid) if !self.has_permission(sid, user_id, perm) => Err(missing_permission(perm)),
            _ => Ok(()),
        }
    }

    /// The permission map of a user, as `GET /servers/{id}/permissions` shows it: every key
    /// for the owner, the granted keys of a member's roles (default role first), `{}` for a
    /// non-member (communities.txt).
    pub(crate) fn permission_map(&self, server_id: u64, user_id: u64) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        let Some(server) = self.servers.get(&server_id) else {
            return serde_json::Value::Object(map);
        };
        if server.owner_id == user_id {
            for p in ALL_PERMISSIONS {
                map.insert((*p).to_owned(), true.into());
            }
        } else if let Some(member) = server.members.iter().find(|m| m.user_id == user_id) {
            let mut roles: Vec<&Role> = server
                .roles
                .iter()
                .filter(|r| r.is_default || member.roles.contains(&r.id))
                .collect();
            roles.sort_by_key(|r| (!r.is_default, r.position));
            for p in roles.iter().flat_map(|r| &r.permissions) {
                map.insert(p.clone(), true.into());
            }
        }
        serde_json::Value::Object(map)
    }

    /// Creates a server with a default role, a #general channel and its owner as member.
    pub(crate) fn create_server(
        &mut self,
        owner_id: u64,
        name: &str,
        description: Option<String>,
    ) -> u64 {
        let id = self.ids.next();
        let role_id = self.ids.next();
        let now = now_ms();
        let member_id = self.ids.next();
        self.servers.insert(
            id,
            Server {
                id,
                name: name.to_owned(),
                description,
                icon_url: None,
                owner_id,
                created_at: now,
                members: vec![Member {
                    member_id,
                    user_id: owner_id,
                    nickname: None,
                    joined_at: now,
                    roles: vec![role_id],
                }],
                roles: vec![Role {
                    id: role_id,
                    name: "@everyone".into(),
                    color: None,
                    position: 0,
                    permissions: DEFAULT_PERMISSIONS
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                    is_default: true,
                    hoist: false,
                    mentionable: false,
                }],
            },
        );
        self.create_channel(id, "general", "text", None);
        let payload = wire::server_create_event(self, id);
        self.dispatch("SERVER_CREATE", &payload, &[owner_id]);
        id
    }

    /// Adds a channel to a server and tells its members.
    pub(crate) fn create_channel(
        &mut self,
        server_id: u64,
        name: &str,
        channel_type: &str,
        topic: Option<String>,
    ) -> u64 {
        let id = self.ids.next();
        let position = i64::try_from(
            self.channels
                .values()
                .filter(|c| c.server_id == Some(server_id))
                .count(),
        )
        .unwrap_or(0);
        self.channels.insert(
            id,
            Channel {
                id,
                server_id: Some(server_id),
                name: name.to_owned(),
                channel_type: channel_type.to_owned(),
                topic,
                position,
                created_at: now_ms(),
                dm_users: None,
                pins: Vec::new(),
                nsfw: false,
                slowmode_seconds: 0,
            },
        );
        let payload = wire::channel(&self.channels[&id], self);
        let audience = self.channel_audience(id);
        self.dispatch("CHANNEL_CREATE", &payload, &audience);
        id
    }

    /// Adds a member (invite join, seed) and tells the server.
    pub(crate) fn add_member(&mut self, server_id: u64, user_id: u64) {
        let member_id = self.ids.next();
        let Some(server) = self.servers.get_mut(&server_id) else {
            return;
        };
        let default_role = server.roles.iter().find(|r| r.is_default).map(|r| r.id);
        self.kicked.remove(&(server_id, user_id));
        server.members.push(Member {
            member_id,
            user_id,
            nickname: None,
            joined_at: now_ms(),
            roles: default_role.into_iter().collect(),
        });
        let member = wire::member(self, server_id, user_id);
        let mut payload = member;
        payload["server_id"] = server_id.to_string().into();
        let audience: Vec<u64> = self.servers[&server_id]
            .members
            .iter()
            .map(|m| m.user_id)
            .collect();
        self.dispatch("MEMBER_ADD", &payload, &audience);
        let server_payload = wire::server_create_event(self, server_id);
        self.dispatch("SERVER_CREATE", &server_payload, &[user_id]);
    }

    /// Opens (or returns) the DM channel between two users.
    pub(crate) fn open_dm(&mut self, a: u64, b: u64) -> u64 {
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.dms.get(&key) {
            return id;
        }
        let id = self.ids.next();
        self.channels.insert(
            id,
            Channel {
                id,
                server_id: None,
                name: String::new(),
                channel_type: "dm".into(),
                topic: None,
                position: 0,
                created_at: now_ms(),
                dm_users: Some(key),
                pins: Vec::new(),
                nsfw: false,
                slowmode_seconds: 0,
            },
        );
        self.dms.insert(key, id);
        id
    }

    /// Stores a message and dispatches MESSAGE_CREATE; the caller has checked access.
    pub(crate) fn post_message(&mut self, channel_id: u64, author_id: u64, new: NewMessage) -> u64 {
        let id = match new.created_at {
            Some(at) => self.ids.next_at(at),
            None => self.ids.next(),
        };
        let msg = Message {
            id,
            channel_id,
            author_id,
            content: new.content,
            created_at: new.created_at.unwrap_or_else(now_ms),
            edited_at: None,
            reply_to_id: new.reply_to_id,
            attachments: new.attachments,
            embeds: new.embeds,
            reactions: Vec::new(),
        };
        // Before the payload: MESSAGE_CREATE carries the poll (gateway-events.txt).
        if let Some(spec) = new.poll {
            self.attach_poll(id, channel_id, author_id, spec);
        }
        let payload = wire::message(self, &msg, None);
        self.messages.entry(channel_id).or_default().insert(id, msg);
        let audience = self.channel_audience(channel_id);
        self.dispatch("MESSAGE_CREATE", &payload, &audience);
        id
    }

    /// Whether `blocker` has blocked `other`.
    pub(crate) fn has_blocked(&self, blocker: u64, other: u64) -> bool {
        self.relationships
            .get(&(blocker, other))
            .is_some_and(|r| r.status == RelStatus::Blocked)
    }
}

/// 403 `Missing required permission: <perm>`.
fn missing_permission(perm: &str) -> ApiError {
    ApiError::new(403, format!("Missing required permission: {perm}"))
}

/// The reference's content-safety filter: these contents are refused with a 500
/// (PROTOCOL.md §6). Whitespace-only is refused the same way.
pub(crate) fn content_is_filtered(content: &str) -> bool {
    let lower = content.to_lowercase();
    let trimmed = content.trim();
    (!content.is_empty() && trimmed.is_empty())
        || content.contains("--")
        || trimmed.ends_with(';')
        || lower.contains("<script")
        || [
            "drop table",
            "union select",
            "insert into",
            "delete from",
            "select * from",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::content_is_filtered;

    #[test]
    fn filter_matches_recorded_rejections() {
        for bad in [
            "a -- b",
            "x;",
            "'; DROP TABLE users; --",
            "<script>alert(1)</script>",
            "   ",
        ] {
            assert!(content_is_filtered(bad), "{bad}");
        }
        for ok in [
            "hello",
            "look <b>bold</b> & \"quotes\" 'single'",
            "**bold** 👍 https://example.com",
        ] {
            assert!(!content_is_filtered(ok), "{ok}");
        }
    }
}
