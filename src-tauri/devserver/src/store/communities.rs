//! Community write paths shared by REST and the test handle: invites.

use super::{Invite, World};
use crate::ids::now_ms;
use rand::Rng;
use serde_json::json;

/// A 12-character code like the reference's.
fn invite_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

impl World {
    /// Stores a new invite to `channel_id` of `server_id` and sends INVITE_CREATE (JSON
    /// numbers and `guild_id`, as gateway-events.txt shows) to the server's members.
    pub(crate) fn create_invite(
        &mut self,
        server_id: u64,
        channel_id: u64,
        inviter_id: u64,
        max_age: u64,
        max_uses: u64,
    ) -> Invite {
        let invite = Invite {
            code: invite_code(),
            channel_id,
            server_id,
            inviter_id,
            max_age,
            max_uses,
            uses: 0,
            created_at: now_ms(),
            seq: self.ids.next(),
        };
        self.invites.insert(invite.code.clone(), invite.clone());
        let event = json!({
            "guild_id": server_id,
            "invite": {
                "code": invite.code,
                "server_id": server_id,
                "channel_id": channel_id,
                "inviter_id": inviter_id,
            },
        });
        let audience: Vec<u64> = self
            .servers
            .get(&server_id)
            .map(|s| s.members.iter().map(|m| m.user_id).collect())
            .unwrap_or_default();
        self.dispatch("INVITE_CREATE", &event, &audience);
        invite
    }
}

impl World {
    /// Appends an audit log entry; `target` is (kind, id), its name looked up now.
    pub(crate) fn audit(
        &mut self,
        server_id: u64,
        user_id: u64,
        action: &str,
        target: Option<(&str, u64)>,
        changes: Option<serde_json::Value>,
        reason: Option<String>,
    ) {
        let target_name = target.and_then(|(kind, id)| match kind {
            "member" => self.users.get(&id).map(|u| u.username.clone()),
            "channel" => self.channels.get(&id).map(|c| c.name.clone()),
            "role" => self
                .servers
                .get(&server_id)
                .and_then(|s| s.roles.iter().find(|r| r.id == id))
                .map(|r| r.name.clone()),
            _ => None,
        });
        let entry = super::AuditEntry {
            id: self.ids.next(),
            user_id,
            action: action.to_owned(),
            target: target.map(|(k, id)| (k.to_owned(), id)),
            target_name,
            changes,
            reason,
            created_at: now_ms(),
        };
        self.audit_log.entry(server_id).or_default().push(entry);
    }

    /// GUILD_ROLE_CREATE / _UPDATE: JSON numbers and `guild_id` (gateway-events.txt).
    pub(crate) fn role_event(&mut self, event: &str, server_id: u64, role: &super::Role) {
        let perms: serde_json::Map<String, serde_json::Value> = role
            .permissions
            .iter()
            .map(|p| (p.clone(), serde_json::Value::Bool(true)))
            .collect();
        let payload = json!({
            "guild_id": server_id,
            "role": {
                "id": role.id,
                "server_id": server_id,
                "name": role.name,
                "color": role.color,
                "position": role.position,
                "permissions": perms,
                "hoist": role.hoist,
                "mentionable": role.mentionable,
                "is_default": role.is_default,
            },
        });
        let audience = self.server_audience(server_id);
        self.dispatch(event, &payload, &audience);
    }

    /// Every member of a server.
    pub(crate) fn server_audience(&self, server_id: u64) -> Vec<u64> {
        self.servers
            .get(&server_id)
            .map(|s| s.members.iter().map(|m| m.user_id).collect())
            .unwrap_or_default()
    }
}
