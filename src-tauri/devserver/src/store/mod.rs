//! The server's whole state, in memory, behind one mutex (`AppState::world`).
//!
//! One lock for data, gateway sessions, faults and rate limits keeps event order equal to write
//! order: a handler mutates, then dispatches, before anyone else can write. Handlers never hold
//! the lock across an `.await`.

pub(crate) mod auth;
pub(crate) mod chat;
pub(crate) mod communities;
pub(crate) mod polls;

pub(crate) use auth::LoginOutcome;

use crate::config::DevServerConfig;
use crate::error::ApiError;
use crate::faults::FaultState;
use crate::gateway::hub::Hub;
use crate::http::ratelimit::RateLimiter;
use crate::ids::IdGen;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// A registered account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) password_hash: String,
    pub(crate) created_at: u64,
    pub(crate) is_bot: bool,
    pub(crate) totp: Option<Totp>,
    pub(crate) presence: Presence,
    pub(crate) settings: BTreeMap<String, Setting>,
    pub(crate) failed_logins: u32,
    pub(crate) locked_until: Option<Instant>,
}

/// A stored user setting.
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub(crate) value: Value,
    pub(crate) created_at: u64,
    pub(crate) updated_at: u64,
}

/// TOTP state; `is_confirmed` is false between `/2fa/enable` and `/2fa/confirm`.
#[derive(Debug, Clone)]
pub(crate) struct Totp {
    pub(crate) secret: String,
    pub(crate) backup_codes: Vec<String>,
    pub(crate) is_confirmed: bool,
}

/// What others see of a user's status.
#[derive(Debug, Clone)]
pub(crate) struct Presence {
    pub(crate) status: String,
    pub(crate) custom_status: Option<String>,
    pub(crate) custom_emoji: Option<String>,
    pub(crate) last_seen: u64,
}

impl Default for Presence {
    fn default() -> Self {
        Self {
            status: "offline".into(),
            custom_status: None,
            custom_emoji: None,
            last_seen: 0,
        }
    }
}

/// A login session; the token is `<id>.<secret>`.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) secret: String,
    pub(crate) created_at: u64,
    pub(crate) expires_at: u64,
    pub(crate) last_activity: u64,
    pub(crate) ip: String,
    pub(crate) user_agent: Option<String>,
    pub(crate) is_revoked: bool,
}

impl Session {
    /// The bearer token of this session.
    pub(crate) fn token(&self) -> String {
        format!("{}.{}", self.id, self.secret)
    }
}

/// A pending 2FA login.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    pub(crate) user_id: u64,
    pub(crate) expires_at: Instant,
    pub(crate) is_used: bool,
}

/// A community ("guild").
#[derive(Debug, Clone)]
pub(crate) struct Server {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) icon_url: Option<String>,
    pub(crate) owner_id: u64,
    pub(crate) created_at: u64,
    pub(crate) members: Vec<Member>,
    pub(crate) roles: Vec<Role>,
}

/// A user's membership in a server.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) member_id: u64,
    pub(crate) user_id: u64,
    pub(crate) nickname: Option<String>,
    pub(crate) joined_at: u64,
    pub(crate) roles: Vec<u64>,
}

/// A role with string permission keys (`messages.send`).
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) color: Option<String>,
    pub(crate) position: i64,
    pub(crate) permissions: Vec<String>,
    pub(crate) is_default: bool,
    pub(crate) hoist: bool,
    pub(crate) mentionable: bool,
}

/// Permission keys every member gets through the default role (communities.txt, `@everyone`).
pub(crate) const DEFAULT_PERMISSIONS: &[&str] = &[
    "channels.view",
    "messages.send",
    "messages.read",
    "messages.embed_links",
    "messages.attach_files",
    "messages.add_reactions",
    "voice.connect",
    "voice.speak",
    "invites.create",
    "messages.export_transcript",
    "events.view",
];

/// Every permission key the reference knows, in its order; the owner holds all of them.
pub(crate) const ALL_PERMISSIONS: &[&str] = &[
    "server.manage",
    "server.view_audit_log",
    "channels.manage",
    "channels.view",
    "roles.manage",
    "members.kick",
    "members.ban",
    "members.manage_nicknames",
    "members.manage_roles",
    "invites.create",
    "invites.manage",
    "emojis.manage",
    "messages.send",
    "messages.read",
    "messages.manage",
    "messages.embed_links",
    "messages.attach_files",
    "messages.mention_everyone",
    "messages.add_reactions",
    "messages.use_external_emojis",
    "messages.bypass_slowmode",
    "voice.connect",
    "voice.speak",
    "voice.mute_members",
    "voice.deafen_members",
    "voice.move_members",
    "events.manage",
    "events.view",
    "templates.manage",
    "onboarding.manage",
    "server.automod",
    "messages.export_transcript",
    "administrator",
];

/// A text channel, voice channel or DM.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) id: u64,
    pub(crate) server_id: Option<u64>,
    pub(crate) name: String,
    pub(crate) channel_type: String,
    pub(crate) topic: Option<String>,
    pub(crate) position: i64,
    pub(crate) created_at: u64,
    /// The two participants of a DM.
    pub(crate) dm_users: Option<(u64, u64)>,
    pub(crate) pins: Vec<u64>,
    pub(crate) nsfw: bool,
    /// Stored, not enforced (the reference checks slowmode only with Valkey, which it runs
    /// without).
    pub(crate) slowmode_seconds: u64,
}

/// A chat message.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: u64,
    pub(crate) channel_id: u64,
    pub(crate) author_id: u64,
    pub(crate) content: String,
    pub(crate) created_at: u64,
    pub(crate) edited_at: Option<u64>,
    pub(crate) reply_to_id: Option<u64>,
    pub(crate) attachments: Vec<Value>,
    pub(crate) embeds: Vec<Value>,
    /// Per emoji, in first-use order: (user, reacted_at).
    pub(crate) reactions: Vec<(String, Vec<(u64, u64)>)>,
}

/// A server invite.
#[derive(Debug, Clone)]
pub(crate) struct Invite {
    pub(crate) code: String,
    pub(crate) channel_id: u64,
    pub(crate) server_id: u64,
    pub(crate) inviter_id: u64,
    pub(crate) max_age: u64,
    pub(crate) max_uses: u64,
    pub(crate) uses: u64,
    pub(crate) created_at: u64,
    /// Creation order, for invites made within the same millisecond.
    pub(crate) seq: u64,
}

impl Invite {
    /// Expiry in ms, or `None` for a permanent invite.
    pub(crate) fn expires_at(&self) -> Option<u64> {
        (self.max_age > 0).then(|| self.created_at + self.max_age * 1000)
    }
}

/// A server ban (kept for users who never joined too: the reference bans pre-emptively).
#[derive(Debug, Clone)]
pub(crate) struct Ban {
    pub(crate) reason: Option<String>,
    pub(crate) banned_by: u64,
}

/// One audit log entry.
#[derive(Debug, Clone)]
pub(crate) struct AuditEntry {
    pub(crate) id: u64,
    pub(crate) user_id: u64,
    pub(crate) action: String,
    pub(crate) target: Option<(String, u64)>,
    pub(crate) target_name: Option<String>,
    pub(crate) changes: Option<Value>,
    pub(crate) reason: Option<String>,
    pub(crate) created_at: u64,
}

/// One side of a relationship as its owner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelStatus {
    /// Owner asked the other.
    PendingOutgoing,
    /// The other asked the owner.
    PendingIncoming,
    /// Both accepted.
    Friend,
    /// Owner blocked the other.
    Blocked,
}

impl RelStatus {
    /// Wire spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::PendingOutgoing => "pending_outgoing",
            Self::PendingIncoming => "pending_incoming",
            Self::Friend => "friend",
            Self::Blocked => "blocked",
        }
    }
}

/// A relationship entry keyed by (owner, other).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Relationship {
    pub(crate) status: RelStatus,
    pub(crate) created_at: u64,
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) bytes: bytes::Bytes,
    pub(crate) hash: String,
    pub(crate) url: String,
}

/// Everything behind the lock.
pub(crate) struct World {
    pub(crate) ids: IdGen,
    pub(crate) users: BTreeMap<u64, User>,
    pub(crate) sessions: HashMap<u64, Session>,
    pub(crate) challenges: HashMap<String, Challenge>,
    pub(crate) servers: BTreeMap<u64, Server>,
    pub(crate) channels: BTreeMap<u64, Channel>,
    pub(crate) messages: HashMap<u64, BTreeMap<u64, Message>>,
    pub(crate) invites: BTreeMap<String, Invite>,
    /// (server, user) → ban.
    pub(crate) bans: BTreeMap<(u64, u64), Ban>,
    /// Deleted channel → its server and last JSON: the reference's cached reads still find
    /// it (GET answers the old copy, a repeated delete answers 200).
    pub(crate) deleted_channels: HashMap<u64, (u64, Value)>,
    /// (server, user) kicked and not back: their channel list answers 403 `Access denied`.
    pub(crate) kicked: std::collections::HashSet<(u64, u64)>,
    /// Audit log entries per server, oldest first.
    pub(crate) audit_log: HashMap<u64, Vec<AuditEntry>>,
    /// Server icons: content type and bytes.
    pub(crate) server_icons: HashMap<u64, (String, bytes::Bytes)>,
    pub(crate) relationships: HashMap<(u64, u64), Relationship>,
    pub(crate) dms: HashMap<(u64, u64), u64>,
    pub(crate) attachments: HashMap<String, Attachment>,
    /// (user, channel) → the last-read pointer. The reference moves it only for an ack sent
    /// with the conversation id (messaging.txt); as documented, for either id.
    pub(crate) read_markers: HashMap<(u64, u64), u64>,
    /// (user, channel) → when the pointer last moved (ms), for `last-read`.
    pub(crate) read_at: HashMap<(u64, u64), u64>,
    /// (user, channel) → the newest message any ack marked read: `messages_marked` counts
    /// from it, whichever id the ack used.
    pub(crate) ack_marks: HashMap<(u64, u64), u64>,
    pub(crate) hub: Hub,
    pub(crate) faults: FaultState,
    pub(crate) limiter: RateLimiter,
    /// REST calls seen, keyed `METHOD /path/{id}` (below `/api/v1`), for `request_count`.
    pub(crate) request_counts: HashMap<String, usize>,
    pub(crate) config: DevServerConfig,
    /// Polls by id (each attached to one message).
    pub(crate) polls: BTreeMap<u64, polls::Poll>,
    /// Password-reset tokens → user id (the reference mails them; here a test reads them).
    pub(crate) reset_tokens: HashMap<String, u64>,
    /// `/features/users/{id}/profile` rows, created on first read (also for unknown ids).
    pub(crate) profiles: HashMap<u64, serde_json::Value>,
    /// `/users/@me/messaging-settings` per user, and the copy its GET serves for 60 s.
    pub(crate) messaging: HashMap<u64, serde_json::Value>,
    pub(crate) messaging_cache: HashMap<u64, (Instant, serde_json::Value)>,
    /// Data-export requests per user, oldest first (the reference never finishes them).
    pub(crate) data_exports: HashMap<u64, Vec<serde_json::Value>>,
    /// Scheduled messages by id (the reference stores them and never delivers them).
    pub(crate) scheduled: BTreeMap<u64, serde_json::Value>,
    /// Custom emojis per server (`url` is always `""`, as on the reference).
    pub(crate) custom_emojis: HashMap<u64, Vec<serde_json::Value>>,
    /// Sticker packs per server, each `{…, stickers: […]}`.
    pub(crate) sticker_packs: HashMap<u64, Vec<serde_json::Value>>,
    /// `/features/bookmarks` rows by (user, message id), as the JSON the reference answers.
    pub(crate) bookmarks: BTreeMap<(u64, u64), serde_json::Value>,
    /// Uploaded avatars per user: (content type, bytes). No entry: the SVG placeholder.
    pub(crate) avatars: HashMap<u64, (String, bytes::Bytes)>,
}

impl World {
    /// An empty world.
    pub(crate) fn new(config: DevServerConfig) -> Self {
        Self {
            ids: IdGen::default(),
            users: BTreeMap::new(),
            sessions: HashMap::new(),
            challenges: HashMap::new(),
            servers: BTreeMap::new(),
            channels: BTreeMap::new(),
            messages: HashMap::new(),
            invites: BTreeMap::new(),
            bans: BTreeMap::new(),
            deleted_channels: HashMap::new(),
            kicked: std::collections::HashSet::new(),
            audit_log: HashMap::new(),
            server_icons: HashMap::new(),
            relationships: HashMap::new(),
            dms: HashMap::new(),
            attachments: HashMap::new(),
            read_markers: HashMap::new(),
            read_at: HashMap::new(),
            ack_marks: HashMap::new(),
            hub: Hub::new(&config),
            faults: FaultState::default(),
            limiter: RateLimiter::default(),
            request_counts: HashMap::new(),
            config,
            polls: BTreeMap::new(),
            reset_tokens: HashMap::new(),
            profiles: HashMap::new(),
            messaging: HashMap::new(),
            messaging_cache: HashMap::new(),
            data_exports: HashMap::new(),
            scheduled: BTreeMap::new(),
            custom_emojis: HashMap::new(),
            sticker_packs: HashMap::new(),
            bookmarks: BTreeMap::new(),
            avatars: HashMap::new(),
        }
    }

    /// A user by id.
    ///
    /// # Errors
    /// 404 `User not found`.
    pub(crate) fn user(&self, user_id: u64) -> Result<&User, ApiError> {
        self.users
            .get(&user_id)
            .ok_or_else(|| ApiError::not_found("User"))
    }

    /// A user by id, to change.
    ///
    /// # Errors
    /// 404 `User not found`.
    pub(crate) fn user_mut(&mut self, user_id: u64) -> Result<&mut User, ApiError> {
        self.users
            .get_mut(&user_id)
            .ok_or_else(|| ApiError::not_found("User"))
    }

    /// Looks a user up by exact username.
    pub(crate) fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.values().find(|u| u.username == username)
    }

    /// Sends a dispatch to every gateway session of `recipients`.
    pub(crate) fn dispatch(&mut self, event: &str, data: &Value, recipients: &[u64]) {
        self.hub.dispatch(event, data, recipients);
    }
}
