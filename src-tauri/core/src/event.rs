//! `Event`: what changed in chat data, as the UI consumes it.
//!
//! The gateway decodes every dispatch the server sends (PROTOCOL.md §7) into one of these
//! values; REST catch-up after a reconnect produces the same `MessageCreate` values, so the UI
//! has exactly one path for new messages. The serialised form is `{"type": "<snake_case
//! variant>", ...fields}` and the TypeScript type is generated from this file.
//!
//! Decoding is tolerant: ids may be strings or integers, unknown fields are ignored and
//! unknown event names yield `None` (the gateway logs them at debug). Event names that the
//! reference server documents under more than one spelling (`SERVER_*` / `GUILD_*`,
//! `MESSAGE_REACTION_*` / `REACTION_*`) are all accepted.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use crate::model::{id_from_str_or_int, opt_id_from_str_or_int, Channel, Message, Server, User};

/// One change in chat data pushed by the server (or recovered over REST after a gap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Event {
    /// The session is identified; carries the signed-in user and their servers.
    Ready(ReadyEvent),
    /// A resumed session is live again (the server replays nothing: catch-up follows).
    Resumed,
    /// A new message, live or recovered by catch-up; delivered once per id, in id order per
    /// channel as far as the gateway can tell.
    MessageCreate(Message),
    /// A message was edited.
    MessageUpdate(Message),
    /// Catch-up listed a channel's newest messages again after a gap: within the span they
    /// cover, they are the server's truth (edits, reactions, pins), and cached messages they
    /// lack were deleted meanwhile.
    MessagesRefreshed(MessagesRefreshed),
    /// A message was deleted.
    MessageDelete(MessageDeleted),
    /// Someone started typing.
    TypingStart(TypingStarted),
    /// A user's presence changed (the reference server rarely sends these: refresh over REST).
    PresenceUpdate(PresenceChanged),
    /// A reaction was added.
    ReactionAdd(ReactionChanged),
    /// A reaction was removed.
    ReactionRemove(ReactionChanged),
    /// A friend request, friendship or block appeared or changed.
    RelationshipAdd(RelationshipChanged),
    /// A relationship ended.
    RelationshipRemove(RelationshipRemoved),
    /// A channel was created.
    ChannelCreate(Channel),
    /// A channel changed.
    ChannelUpdate(Channel),
    /// A channel was deleted.
    ChannelDelete(ChannelDeleted),
    /// The user joined a server, or one was created.
    ServerCreate(Server),
    /// A server changed.
    ServerUpdate(Server),
    /// The user left a server, or it was deleted.
    ServerDelete(ServerDeleted),
    /// A member joined a server.
    MemberAdd(MemberChanged),
    /// A member changed (nickname, roles).
    MemberUpdate(MemberChanged),
    /// A member left a server.
    MemberRemove(MemberChanged),
    /// The server warns about account security (e.g. a session was revoked); the gateway
    /// re-checks the token when it sees one.
    SecurityAlert(SecurityNotice),
    /// The server signed this session out; the gateway stops and asks for a new login.
    SecurityLogout(SecurityNotice),
    /// Someone was banned from a server (us too: then the server leaves the rail).
    BanAdd(BanChanged),
    /// A ban was lifted.
    BanRemove(BanChanged),
    /// A role was created.
    RoleCreate(RoleChanged),
    /// A role changed.
    RoleUpdate(RoleChanged),
    /// A role was deleted.
    RoleDelete(RoleDeleted),
    /// An invite was made (the reference sends no event when one is revoked).
    InviteCreate(InviteCreated),
}

/// Payload of [`Event::MessagesRefreshed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MessagesRefreshed {
    /// The channel (the id the client asked for).
    pub channel_id: String,
    /// The span's messages as the server has them now, oldest first.
    pub messages: Vec<Message>,
    /// Whether the span reaches the channel's first message.
    pub reached_start: bool,
}

/// Payload of [`Event::BanAdd`] and [`Event::BanRemove`] (ids arrive as JSON numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BanChanged {
    /// The server.
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The banned user.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Why, when given.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Payload of [`Event::RoleCreate`] and [`Event::RoleUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RoleChanged {
    /// The server.
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The role as it is now.
    pub role: crate::community::Role,
}

/// Payload of [`Event::RoleDelete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RoleDeleted {
    /// The server.
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The deleted role.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub role_id: String,
}

/// Payload of [`Event::InviteCreate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InviteCreated {
    /// The server.
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The invite's code.
    pub code: String,
}

/// The wire shape of INVITE_CREATE: `{guild_id, invite: {code, …}}`.
#[derive(Deserialize)]
struct RawInviteCreated {
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    server_id: String,
    invite: RawInviteCode,
}

#[derive(Deserialize)]
struct RawInviteCode {
    code: String,
}

/// Payload of [`Event::Ready`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadyEvent {
    /// The signed-in user.
    pub user: User,
    /// The user's servers (`guilds` on the wire).
    #[serde(default, alias = "guilds")]
    pub servers: Vec<ReadyServer>,
}

/// A server as listed in READY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadyServer {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// True while the server is in an outage.
    #[serde(default)]
    pub unavailable: bool,
}

/// Payload of [`Event::MessageDelete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MessageDeleted {
    /// The deleted message's id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Its channel.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub channel_id: String,
    /// Its server, when it was in one.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub server_id: Option<String>,
}

/// Payload of [`Event::TypingStart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TypingStarted {
    /// Where.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub channel_id: String,
    /// Who.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Their user name, when sent.
    #[serde(default)]
    pub username: Option<String>,
}

/// Payload of [`Event::PresenceUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PresenceChanged {
    /// Whose presence.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// `online`, `idle`, `dnd`, `offline`, … (kept as sent).
    #[serde(default)]
    pub status: Option<String>,
    /// Custom status text.
    #[serde(default)]
    pub custom_status: Option<String>,
    /// Custom status emoji.
    #[serde(default)]
    pub custom_emoji: Option<String>,
}

/// Payload of [`Event::ReactionAdd`] and [`Event::ReactionRemove`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReactionChanged {
    /// The message reacted to.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub message_id: String,
    /// Its channel.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub channel_id: String,
    /// Who reacted.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub user_id: Option<String>,
    /// The emoji (Unicode or a name).
    #[serde(default)]
    pub emoji: String,
}

/// Payload of [`Event::RelationshipAdd`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RelationshipChanged {
    /// The other user.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Their user name, when sent.
    #[serde(default)]
    pub username: Option<String>,
    /// `pending_incoming`, `pending_outgoing`, `friend`, `blocked`, … (kept as sent).
    #[serde(default)]
    pub status: String,
}

/// Payload of [`Event::RelationshipRemove`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RelationshipRemoved {
    /// The other user.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
}

/// Payload of [`Event::ChannelDelete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelDeleted {
    /// The deleted channel.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Its server.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub server_id: Option<String>,
}

/// Payload of [`Event::ServerDelete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerDeleted {
    /// The server.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
}

/// Payload of the member events. GUILD_MEMBER_ADD nests the user
/// (`{guild_id, user: {id, username, avatar_url}, roles, joined_at}`); other spellings send
/// `user_id` flat: both decode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(try_from = "RawMemberChanged")]
#[ts(export)]
pub struct MemberChanged {
    /// The server.
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    pub server_id: String,
    /// The member's user id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Their user name, when sent.
    #[serde(default)]
    pub username: Option<String>,
    /// Server nickname.
    #[serde(default)]
    pub nickname: Option<String>,
}

#[derive(Deserialize)]
struct RawMemberChanged {
    #[serde(alias = "guild_id", deserialize_with = "id_from_str_or_int")]
    server_id: String,
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    user_id: Option<String>,
    #[serde(default)]
    user: Option<crate::model::UserRef>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    nickname: Option<String>,
}

impl TryFrom<RawMemberChanged> for MemberChanged {
    type Error = String;

    fn try_from(raw: RawMemberChanged) -> Result<Self, String> {
        let user_id = raw
            .user_id
            .or_else(|| raw.user.as_ref().map(|u| u.id.clone()))
            .ok_or("a member event without a user id")?;
        let username = raw
            .username
            .or_else(|| raw.user.map(|u| u.username).filter(|n| !n.is_empty()));
        Ok(Self {
            server_id: raw.server_id,
            user_id,
            username,
            nickname: raw.nickname,
        })
    }
}

/// Payload of [`Event::SecurityAlert`] and [`Event::SecurityLogout`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SecurityNotice {
    /// What happened (`session_revoked`, `account_locked`, …), when the server says.
    #[serde(default, alias = "type", alias = "alert_type")]
    pub kind: Option<String>,
    /// Human-readable text.
    #[serde(default, alias = "reason")]
    pub message: Option<String>,
    /// The session the notice is about, when the server says.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub session_id: Option<String>,
}

impl Event {
    /// Decodes one dispatch (`op 0`) payload by its event name.
    ///
    /// Returns `Ok(None)` for event names this client does not know, and for READY/RESUMED,
    /// whose payloads carry session data the gateway handles itself.
    ///
    /// # Errors
    /// Fails when a known event's payload does not have the expected shape.
    pub fn from_dispatch(name: &str, data: &RawValue) -> Result<Option<Self>, serde_json::Error> {
        let json = data.get();
        let event = match name {
            "MESSAGE_CREATE" => Self::MessageCreate(serde_json::from_str(json)?),
            "MESSAGE_UPDATE" => Self::MessageUpdate(serde_json::from_str(json)?),
            "MESSAGE_DELETE" => Self::MessageDelete(serde_json::from_str(json)?),
            "TYPING_START" => Self::TypingStart(serde_json::from_str(json)?),
            "PRESENCE_UPDATE" => Self::PresenceUpdate(serde_json::from_str(json)?),
            "MESSAGE_REACTION_ADD" | "REACTION_ADD" => {
                Self::ReactionAdd(serde_json::from_str(json)?)
            }
            "MESSAGE_REACTION_REMOVE" | "REACTION_REMOVE" => {
                Self::ReactionRemove(serde_json::from_str(json)?)
            }
            "RELATIONSHIP_ADD" | "RELATIONSHIP_UPDATE" => {
                Self::RelationshipAdd(serde_json::from_str(json)?)
            }
            "RELATIONSHIP_REMOVE" => Self::RelationshipRemove(serde_json::from_str(json)?),
            "CHANNEL_CREATE" => Self::ChannelCreate(serde_json::from_str(json)?),
            "CHANNEL_UPDATE" => Self::ChannelUpdate(serde_json::from_str(json)?),
            "CHANNEL_DELETE" => Self::ChannelDelete(serde_json::from_str(json)?),
            "SERVER_CREATE" | "GUILD_CREATE" => Self::ServerCreate(serde_json::from_str(json)?),
            "SERVER_UPDATE" | "GUILD_UPDATE" => Self::ServerUpdate(serde_json::from_str(json)?),
            "SERVER_DELETE" | "GUILD_DELETE" => Self::ServerDelete(serde_json::from_str(json)?),
            "MEMBER_ADD" | "SERVER_MEMBER_ADD" | "GUILD_MEMBER_ADD" => {
                Self::MemberAdd(serde_json::from_str(json)?)
            }
            "MEMBER_UPDATE" | "SERVER_MEMBER_UPDATE" | "GUILD_MEMBER_UPDATE" => {
                Self::MemberUpdate(serde_json::from_str(json)?)
            }
            "MEMBER_REMOVE" | "SERVER_MEMBER_REMOVE" | "GUILD_MEMBER_REMOVE" => {
                Self::MemberRemove(serde_json::from_str(json)?)
            }
            "SECURITY_ALERT" => Self::SecurityAlert(serde_json::from_str(json)?),
            "SECURITY_LOGOUT" => Self::SecurityLogout(serde_json::from_str(json)?),
            "GUILD_BAN_ADD" => Self::BanAdd(serde_json::from_str(json)?),
            "GUILD_BAN_REMOVE" => Self::BanRemove(serde_json::from_str(json)?),
            "GUILD_ROLE_CREATE" => Self::RoleCreate(serde_json::from_str(json)?),
            "GUILD_ROLE_UPDATE" => Self::RoleUpdate(serde_json::from_str(json)?),
            "GUILD_ROLE_DELETE" => Self::RoleDelete(serde_json::from_str(json)?),
            "INVITE_CREATE" => {
                let raw: RawInviteCreated = serde_json::from_str(json)?;
                Self::InviteCreate(InviteCreated {
                    server_id: raw.server_id,
                    code: raw.invite.code,
                })
            }
            _ => return Ok(None),
        };
        Ok(Some(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_dispatches_decode_as_recorded() {
        // gateway-events.txt: numbers above 2^53 for ids, `guild_id`, a nested member user.
        let role = decode(
            "GUILD_ROLE_CREATE",
            r##"{"guild_id":386900662237138944,"role":{"id":386903246393970688,"server_id":386900662237138944,"name":"gw-role","color":"#00aa00","position":3,"permissions":{"messages.manage":true},"hoist":false,"mentionable":false,"is_default":false}}"##,
        );
        let Some(Event::RoleCreate(r)) = role else {
            panic!("{role:?}")
        };
        assert_eq!(r.server_id, "386900662237138944");
        assert_eq!(r.role.id, "386903246393970688");
        assert_eq!(r.role.permissions.get("messages.manage"), Some(&true));
        let Some(Event::RoleDelete(d)) = decode(
            "GUILD_ROLE_DELETE",
            r#"{"guild_id":386900662237138944,"role_id":386903246393970688}"#,
        ) else {
            panic!()
        };
        assert_eq!(d.role_id, "386903246393970688");
        let Some(Event::BanAdd(b)) = decode(
            "GUILD_BAN_ADD",
            r#"{"guild_id":386900662237138944,"user_id":386900648408518656,"reason":"gateway ban test"}"#,
        ) else {
            panic!()
        };
        assert_eq!(b.user_id, "386900648408518656");
        assert_eq!(b.reason.as_deref(), Some("gateway ban test"));
        let Some(Event::InviteCreate(i)) = decode(
            "INVITE_CREATE",
            r#"{"guild_id":386900662237138944,"invite":{"code":"jc4D6eAFQjME","server_id":386900662237138944,"channel_id":386900662459437056,"inviter_id":386896041988984832}}"#,
        ) else {
            panic!()
        };
        assert_eq!(i.code, "jc4D6eAFQjME");
        let Some(Event::MemberAdd(m)) = decode(
            "GUILD_MEMBER_ADD",
            r#"{"guild_id":"386900662237138944","user":{"id":"386900647292833792","username":"frank_rec2","avatar_url":"/api/v1/avatars/users/386900647292833792"},"roles":[],"joined_at":1796312131442}"#,
        ) else {
            panic!()
        };
        assert_eq!(m.user_id, "386900647292833792");
        assert_eq!(m.username.as_deref(), Some("frank_rec2"));
        let Some(Event::ChannelDelete(c)) = decode(
            "CHANNEL_DELETE",
            r#"{"id":"386903227209224192","server_id":"386900662237138944"}"#,
        ) else {
            panic!()
        };
        assert_eq!(c.server_id.as_deref(), Some("386900662237138944"));
    }

    fn decode(name: &str, json: &str) -> Option<Event> {
        let raw = RawValue::from_string(json.to_owned()).unwrap();
        Event::from_dispatch(name, &raw).unwrap()
    }

    #[test]
    fn recorded_message_create_decodes_and_ignores_unknown_fields() {
        let event = decode(
            "MESSAGE_CREATE",
            r#"{"id":"1575174512457027584","channel_id":"384004134547886080","author_id":"384002870053310464","content":"gateway test from bob","created_at":1795621269097,"edited_at":null,"reply_to_id":null,"attachments":[],"embeds":[],"pinned":false,"status":"sent","delivery_count":0,"read_count":0,"read":false,"read_by":[],"author_username":"bob_rec","author_avatar_url":"/x","author_badges":["alpha_tester"],"reactions":[],"metadata":null,"poll":null,"poll_results":null}"#,
        );
        let Some(Event::MessageCreate(m)) = event else {
            panic!("{event:?}")
        };
        assert_eq!(m.id, "1575174512457027584");
        assert_eq!(m.content, "gateway test from bob");
        assert_eq!(m.author_username.as_deref(), Some("bob_rec"));
    }

    #[test]
    fn integer_ids_are_accepted() {
        let event = decode(
            "MESSAGE_DELETE",
            r#"{"id":1575174512457027584,"channel_id":42}"#,
        );
        assert_eq!(
            event,
            Some(Event::MessageDelete(MessageDeleted {
                id: "1575174512457027584".into(),
                channel_id: "42".into(),
                server_id: None
            }))
        );
    }

    #[test]
    fn unknown_events_are_none_and_bad_payloads_are_errors() {
        assert_eq!(decode("SOMETHING_NEW", r#"{"x":1}"#), None);
        let raw = RawValue::from_string(r#"{"content":"no id"}"#.into()).unwrap();
        assert!(Event::from_dispatch("MESSAGE_CREATE", &raw).is_err());
    }

    #[test]
    fn serialises_tagged_for_the_ui() {
        let event = decode(
            "TYPING_START",
            r#"{"channel_id":"384004134547886080","user_id":"384002870053310464","username":"bob_rec"}"#,
        )
        .unwrap();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "typing_start");
        assert_eq!(json["username"], "bob_rec");
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn relationship_and_security_events_decode() {
        let e = decode(
            "RELATIONSHIP_ADD",
            r#"{"user_id":"384002505849311232","status":"blocked","created_at":1795621287335}"#,
        );
        assert!(matches!(e, Some(Event::RelationshipAdd(ref r)) if r.status == "blocked"));
        let e = decode(
            "SECURITY_LOGOUT",
            r#"{"reason":"Logged out by an administrator"}"#,
        );
        assert!(
            matches!(e, Some(Event::SecurityLogout(ref n)) if n.message.as_deref() == Some("Logged out by an administrator"))
        );
    }
}
