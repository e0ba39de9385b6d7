//! Communities: invites, server creation and the permission map (communities.txt).
//!
//! The reference server is rough here and these types absorb it: an invite preview names the
//! server only for members (`server_name: null` otherwise), an expired or used-up invite still
//! previews with 200 (we check expiry and uses ourselves), a used-up invite's join answers 500,
//! and a revoked invite looks exactly like an unknown one. [`InviteRefusal`] is the one list of
//! refusals the UI designs a state for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{id_from_str_or_int, opt_id_from_str_or_int, Server};
use crate::ui_state::{TimestampMs, UiState};

/// The URL scheme of invite links (`plexichat://invite/CODE`).
pub const INVITE_SCHEME: &str = "plexichat";

/// `GET /channels/invites/{code}`: what anyone may see of an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InvitePreview {
    /// The invite code.
    pub code: String,
    /// The server it joins.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The server's name; the reference sends `null` to non-members.
    #[serde(default)]
    pub server_name: Option<String>,
    /// The channel it was made for.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub channel_id: Option<String>,
    /// Who made it.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub inviter_id: Option<String>,
    /// Joins so far.
    #[serde(default)]
    pub uses: u64,
    /// Allowed joins; 0 means unlimited.
    #[serde(default)]
    pub max_uses: u64,
    /// When it stops working (ms); `None` never.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub expires_at: Option<TimestampMs>,
}

/// An invite as its server lists it (`GET /servers/{id}/invites`) or as it was just created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Invite {
    /// The invite code.
    pub code: String,
    /// The server it joins.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The channel it was made for.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub channel_id: Option<String>,
    /// Who made it (the create answer omits it).
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub inviter_id: Option<String>,
    /// Joins so far.
    #[serde(default)]
    pub uses: u64,
    /// Allowed joins; 0 means unlimited.
    #[serde(default)]
    pub max_uses: u64,
    /// Lifetime in seconds; 0 means forever.
    #[serde(default)]
    pub max_age: u64,
    /// When it was made (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub created_at: Option<TimestampMs>,
    /// When it stops working (ms); filled from `created_at + max_age` when the server omits it.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub expires_at: Option<TimestampMs>,
}

impl Invite {
    /// Fills `expires_at` from `created_at` and `max_age` (the create answer has no expiry).
    #[must_use]
    pub fn with_expiry(mut self) -> Self {
        if self.expires_at.is_none() && self.max_age > 0 {
            let age_ms = i64::try_from(self.max_age.saturating_mul(1000)).unwrap_or(i64::MAX);
            self.expires_at = self.created_at.map(|c| c.saturating_add(age_ms));
        }
        self
    }
}

/// Why an invite cannot be used: each has its own designed state in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InviteRefusal {
    /// No such code (or revoked before we ever saw it: the server cannot tell them apart).
    Unknown,
    /// It was revoked since we previewed it.
    Revoked,
    /// Its time ran out.
    Expired,
    /// Every allowed use is taken (the reference answers the join with 500).
    UsedUp,
    /// We already belong to its server.
    AlreadyMember,
    /// We are banned from its server.
    Banned,
}

impl InviteRefusal {
    /// The refusal an invite's own numbers show, checked on our side at `now_ms`.
    #[must_use]
    pub fn from_preview(p: &InvitePreview, now_ms: TimestampMs) -> Option<Self> {
        if p.expires_at.is_some_and(|e| e <= now_ms) {
            Some(Self::Expired)
        } else if p.max_uses > 0 && p.uses >= p.max_uses {
            Some(Self::UsedUp)
        } else {
            None
        }
    }

    /// The refusal a classified join or preview failure stands for; `None` when the failure
    /// is not about the invite (offline, rate limited, signed out…).
    #[must_use]
    pub fn from_state(state: &UiState) -> Option<Self> {
        match state {
            UiState::NotFound { .. } => Some(Self::Unknown),
            UiState::InvalidInput { message, .. } | UiState::Conflict { message, .. }
                if message.to_ascii_lowercase().contains("maximum uses") =>
            {
                Some(Self::UsedUp)
            }
            UiState::Conflict { message, .. } if message.contains("already banned") => None,
            UiState::Conflict { .. } => Some(Self::AlreadyMember),
            UiState::Forbidden { message, .. } if message.contains("banned") => Some(Self::Banned),
            _ => None,
        }
    }
}

/// What looking an invite up found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum InviteCheck {
    /// Usable: show the server and a Join button.
    Open {
        /// What the server told us.
        preview: InvitePreview,
        /// The inviter's user name, when it could be looked up.
        inviter_name: Option<String>,
    },
    /// Not usable; `preview` is there when the server still showed it (expired, used up).
    Refused {
        /// Why.
        reason: InviteRefusal,
        /// What the server still told us.
        preview: Option<InvitePreview>,
    },
}

/// How joining by invite ended when it did not fail for an unrelated reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum JoinOutcome {
    /// Joined: the server to add to the rail and open.
    Joined {
        /// The server (from its own route, or built from the preview when that read fails).
        server: Server,
    },
    /// The server refused.
    Refused {
        /// Why.
        reason: InviteRefusal,
        /// The server's own words.
        message: String,
    },
}

/// `POST /channels/invites/{code}`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Joined {
    /// The server joined.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
}

/// `POST /channels/{id}/invites` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewInvite {
    /// Lifetime in seconds; 0 for forever.
    pub max_age: u64,
    /// Allowed joins; 0 for unlimited.
    pub max_uses: u64,
}

/// `PATCH /servers/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerEdit {
    /// New name (2 to 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description; an empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `POST /servers/{id}/channels` and `PATCH /channels/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelEdit {
    /// Name (1 to 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Topic; an empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Seconds between two messages of one member; 0 turns slowmode off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slowmode_seconds: Option<u32>,
}

/// One ban of a server (`GET /servers/{id}/bans`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Ban {
    /// The banned user.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Why, when a reason was given.
    #[serde(default)]
    pub reason: Option<String>,
    /// Who banned them.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub banned_by: Option<String>,
    /// When (the reference sends null).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub banned_at: Option<TimestampMs>,
}

/// A server role (`GET /servers/{id}/roles`, and inside the role events where its ids are
/// JSON numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Role {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Display name (`@everyone` for the default role).
    pub name: String,
    /// `#rrggbb`, when set.
    #[serde(default)]
    pub color: Option<String>,
    /// Higher is listed first.
    #[serde(default)]
    pub position: i64,
    /// Permission key → granted (unknown keys are kept as stored).
    #[serde(default)]
    pub permissions: BTreeMap<String, bool>,
    /// Listed apart in the member list.
    #[serde(default)]
    pub hoist: bool,
    /// Can be @mentioned.
    #[serde(default)]
    pub mentionable: bool,
    /// The `@everyone` role every member holds.
    #[serde(default)]
    pub is_default: bool,
}

/// `POST /servers/{id}/roles` and `PATCH /servers/{id}/roles/{role}`: only the fields given
/// change. The reference stores permission keys as given (no validation), so the map sent is
/// the whole new set, unknown keys included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RoleEdit {
    /// Name (1 to 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// The complete permission map (key → granted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
    /// Listed apart in the member list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hoist: Option<bool>,
    /// Can be @mentioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentionable: Option<bool>,
}

/// Who did something, as an audit log entry names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditUser {
    /// Their user id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Their user name.
    #[serde(default)]
    pub username: String,
}

/// One entry of a server's audit log (`GET /servers/{id}/audit-logs`, newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Who acted.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub user_id: Option<String>,
    /// Who acted, with their name (absent for deleted accounts).
    #[serde(default)]
    pub user: Option<AuditUser>,
    /// What they did: `member_ban`, `role_update`, `channel_create`, … (kept as sent: the
    /// reference adds new ones without notice).
    pub action: String,
    /// `member`, `role`, `channel`, `invite`, `server`, or none.
    #[serde(default)]
    pub target_type: Option<String>,
    /// The target's id.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub target_id: Option<String>,
    /// The target's name when the server recorded one.
    #[serde(default)]
    pub target_name: Option<String>,
    /// What changed (`{field: {old, new}}`, or `{role_id: N}` with a numeric id), as sent.
    #[serde(default)]
    #[ts(type = "unknown")]
    pub changes: Option<serde_json::Value>,
    /// The reason given, if any.
    #[serde(default)]
    pub reason: Option<String>,
    /// When (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub created_at: Option<TimestampMs>,
}

/// What `GET /servers/{id}/permissions` grants: permission key → granted. Unknown keys are
/// kept; a non-member gets an empty map.
pub type Permissions = BTreeMap<String, bool>;

/// An invite link or a bare code, as pasted or opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InviteLink {
    /// The invite code.
    pub code: String,
    /// The server URL the link names (`?server=`), when it names one.
    pub server_url: Option<String>,
}

impl InviteLink {
    /// Reads a bare code, `plexichat://invite/CODE[?server=URL]` or an `http(s)://…/invite/CODE`
    /// link. `None` when no code can be found (the UI says "that is not an invite").
    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        let text = input.trim();
        if text.is_empty() {
            return None;
        }
        if is_code(text) {
            return Some(Self {
                code: text.to_owned(),
                server_url: None,
            });
        }
        let url = url::Url::parse(text).ok()?;
        let segments: Vec<&str> = match url.scheme() {
            // `plexichat://invite/CODE`: the host is `invite`.
            INVITE_SCHEME => std::iter::once(url.host_str().unwrap_or_default())
                .chain(url.path().split('/'))
                .filter(|s| !s.is_empty())
                .collect(),
            "http" | "https" => url.path().split('/').filter(|s| !s.is_empty()).collect(),
            _ => return None,
        };
        let at = segments.iter().position(|s| *s == "invite")?;
        let code = segments.get(at + 1).filter(|c| is_code(c))?;
        let server_url = match url.scheme() {
            INVITE_SCHEME => url
                .query_pairs()
                .find(|(k, _)| k == "server")
                .map(|(_, v)| v.trim_end_matches('/').to_owned())
                .filter(|v| v.starts_with("http://") || v.starts_with("https://")),
            _ => Some(url.origin().ascii_serialization()),
        };
        Some(Self {
            code: (*code).to_owned(),
            server_url,
        })
    }

    /// The shareable link for `code`; names `server_url` unless it is the default server.
    #[must_use]
    pub fn to_link(code: &str, server_url: &str) -> String {
        let server = server_url.trim_end_matches('/');
        if server.is_empty() || server == crate::api::DEFAULT_BASE_URL.trim_end_matches('/') {
            format!("{INVITE_SCHEME}://invite/{code}")
        } else {
            let mut u = url::Url::parse(&format!("{INVITE_SCHEME}://invite/{code}"))
                .unwrap_or_else(|_| url::Url::parse("plexichat://invite/").expect("static url"));
            u.query_pairs_mut().append_pair("server", server);
            u.to_string()
        }
    }
}

/// Invite codes are short runs of letters and digits (the reference makes 12).
fn is_code(s: &str) -> bool {
    (4..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(uses: u64, max_uses: u64, expires_at: Option<i64>) -> InvitePreview {
        InvitePreview {
            code: "LDMY41gIim8N".into(),
            server_id: "1".into(),
            server_name: None,
            channel_id: None,
            inviter_id: None,
            uses,
            max_uses,
            expires_at,
        }
    }

    #[test]
    fn pasted_codes_and_links_give_the_code_and_server() {
        let bare = InviteLink::parse("  LDMY41gIim8N \n").unwrap();
        assert_eq!(bare.code, "LDMY41gIim8N");
        assert_eq!(bare.server_url, None);
        let app = InviteLink::parse("plexichat://invite/XSnatA5JPyu5").unwrap();
        assert_eq!(app.code, "XSnatA5JPyu5");
        assert_eq!(app.server_url, None);
        let named = InviteLink::parse(
            "plexichat://invite/XSnatA5JPyu5?server=http%3A%2F%2F127.0.0.1%3A8001",
        )
        .unwrap();
        assert_eq!(named.server_url.as_deref(), Some("http://127.0.0.1:8001"));
        let web = InviteLink::parse("https://chat.example.org/invite/AKOEJFeEuKGg").unwrap();
        assert_eq!(web.code, "AKOEJFeEuKGg");
        assert_eq!(web.server_url.as_deref(), Some("https://chat.example.org"));
        for bad in [
            "",
            "hello world",
            "plexichat://settings/x",
            "file:///invite/abcd",
            "ab",
        ] {
            assert_eq!(InviteLink::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn links_round_trip_and_name_only_a_non_default_server() {
        assert_eq!(
            InviteLink::to_link("abcd1234", "https://api.plexichat.com/"),
            "plexichat://invite/abcd1234"
        );
        let link = InviteLink::to_link("abcd1234", "http://127.0.0.1:8001");
        let back = InviteLink::parse(&link).unwrap();
        assert_eq!(back.code, "abcd1234");
        assert_eq!(back.server_url.as_deref(), Some("http://127.0.0.1:8001"));
    }

    #[test]
    fn expired_and_used_up_invites_are_caught_on_our_side() {
        assert_eq!(
            InviteRefusal::from_preview(&preview(0, 10, Some(2_000)), 1_000),
            None
        );
        assert_eq!(
            InviteRefusal::from_preview(&preview(0, 0, Some(1_000)), 3_500),
            Some(InviteRefusal::Expired)
        );
        assert_eq!(
            InviteRefusal::from_preview(&preview(1, 1, None), 0),
            Some(InviteRefusal::UsedUp)
        );
        assert_eq!(InviteRefusal::from_preview(&preview(5, 0, None), 0), None);
    }

    #[test]
    fn the_servers_refusals_map_to_their_states() {
        let used_up = UiState::InvalidInput {
            field: None,
            message: "Invite has reached maximum uses".into(),
        };
        assert_eq!(
            InviteRefusal::from_state(&used_up),
            Some(InviteRefusal::UsedUp)
        );
        let banned = UiState::Forbidden {
            reason: crate::ui_state::ForbiddenReason::AccessDenied,
            message: "You are banned from this server".into(),
        };
        assert_eq!(
            InviteRefusal::from_state(&banned),
            Some(InviteRefusal::Banned)
        );
        let member = UiState::Conflict {
            field: Some("server".into()),
            message: "Already a member of this server".into(),
        };
        assert_eq!(
            InviteRefusal::from_state(&member),
            Some(InviteRefusal::AlreadyMember)
        );
        assert_eq!(
            InviteRefusal::from_state(&UiState::Offline { reason: "x".into() }),
            None
        );
    }

    #[test]
    fn a_created_invite_gets_its_expiry_from_its_age() {
        let inv: Invite = serde_json::from_str(
            r#"{"code":"LDMY41gIim8N","channel_id":"3","server_id":"2","max_age":3600,"max_uses":10,"temporary":false,"uses":0,"created_at":1796311506222}"#,
        )
        .unwrap();
        assert_eq!(inv.with_expiry().expires_at, Some(1_796_315_106_222));
        let numeric: InvitePreview = serde_json::from_str(
            r#"{"code":"x1x1","server_id":386900662237138944,"server_name":null,"channel_id":386900662459437056,"inviter_id":null,"uses":0,"max_uses":0,"expires_at":null}"#,
        )
        .unwrap();
        assert_eq!(numeric.server_id, "386900662237138944");
    }
}
