//! Community actions: create a server, preview and join invites, make, list and revoke them,
//! and read one's permissions.
//!
//! The reference caches GETs per caller for 30–300 s and writes do not invalidate them, so a
//! server list read right after a join or a create often lacks the new server. Our own writes
//! are therefore remembered for [`RECENT_WRITES_TTL`] and laid over later server lists.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::Client;
use crate::clock::now_ms;
use crate::community::{
    AuditEntry, Ban, ChannelEdit, Invite, InviteCheck, InviteLink, InviteRefusal, JoinOutcome,
    NewInvite, Permissions, Role, RoleEdit, ServerEdit,
};
use crate::error::ClientError;
use crate::model::{Channel, Member, Server};
use crate::UiState;

/// How long our own server writes outrank the server's cached lists (its longest cache is
/// 300 s).
pub const RECENT_WRITES_TTL: Duration = Duration::from_secs(300);

/// How long the reference caches a caller's server list (communities.txt): a join is laid
/// over lists this young at most, so a later kick (which sends no event) still shows.
pub const SERVER_LIST_CACHE: Duration = Duration::from_secs(35);

/// What we last did to a server.
#[derive(Debug, Clone)]
enum ServerWrite {
    /// Joined or created: listed until a server list shows it (after that the list knows).
    Added(Server),
    /// Renamed or described: this copy wins over older cached ones while it is recent.
    Edited(Server),
    /// Left, deleted, kicked or banned: never listed again while recent.
    Removed,
}

/// What this client changed recently, to correct the server's stale cached reads.
#[derive(Debug, Default)]
pub(super) struct RecentWrites {
    /// Server id → what we last did to it.
    servers: HashMap<String, (ServerWrite, Instant)>,
    /// Channel id → (its server, the channel as last written or announced; `None`: deleted).
    channels: HashMap<String, (String, Option<Channel>, Instant)>,
    /// Invite codes that previewed fine in this session (a later 404 means revoked).
    seen_invites: HashSet<String>,
    /// Role id → (its server, the role as last written or announced; `None`: deleted). The
    /// reference caches role lists for 300 s per caller.
    roles: HashMap<String, (String, Option<Role>, Instant)>,
    /// (server, user, role) → assigned or removed by us. No event is sent for either and
    /// member lists are cached for 30 s.
    member_roles: HashMap<(String, String, String), (bool, Instant)>,
}

impl RecentWrites {
    fn note_server(&mut self, id: &str, write: ServerWrite) {
        self.servers.insert(id.to_owned(), (write, Instant::now()));
    }

    fn note_channel(&mut self, server_id: &str, id: &str, channel: Option<Channel>) {
        self.channels.insert(
            id.to_owned(),
            (server_id.to_owned(), channel, Instant::now()),
        );
    }

    /// A server's channel `list` with recent writes and events laid over it.
    fn overlay_channels(&mut self, server_id: &str, mut list: Vec<Channel>) -> Vec<Channel> {
        self.channels
            .retain(|_, (_, _, at)| at.elapsed() < RECENT_WRITES_TTL);
        for (id, (sid, channel, _)) in &self.channels {
            if sid != server_id {
                continue;
            }
            match channel {
                Some(c) => match list.iter_mut().find(|x| &x.id == id) {
                    Some(x) => *x = c.clone(),
                    None => list.push(c.clone()),
                },
                None => list.retain(|x| &x.id != id),
            }
        }
        list
    }

    fn note_role(&mut self, server_id: &str, id: &str, role: Option<Role>) {
        self.roles
            .insert(id.to_owned(), (server_id.to_owned(), role, Instant::now()));
    }

    /// A server's role `list` with recent writes and events laid over it, highest first
    /// (as the reference sorts it).
    fn overlay_roles(&mut self, server_id: &str, mut list: Vec<Role>) -> Vec<Role> {
        self.roles
            .retain(|_, (_, _, at)| at.elapsed() < RECENT_WRITES_TTL);
        for (id, (sid, role, _)) in &self.roles {
            if sid != server_id {
                continue;
            }
            match role {
                Some(r) => match list.iter_mut().find(|x| &x.id == id) {
                    Some(x) => *x = r.clone(),
                    None => list.push(r.clone()),
                },
                None => list.retain(|x| &x.id != id),
            }
        }
        list.sort_by_key(|r| std::cmp::Reverse(r.position));
        list
    }

    /// A server's member `list` with our recent role assignments (and role deletions) laid
    /// over it.
    fn overlay_members(&mut self, server_id: &str, mut list: Vec<Member>) -> Vec<Member> {
        self.member_roles
            .retain(|_, (_, at)| at.elapsed() < RECENT_WRITES_TTL);
        let deleted: Vec<&String> = self
            .roles
            .iter()
            .filter(|(_, (sid, r, _))| sid == server_id && r.is_none())
            .map(|(id, _)| id)
            .collect();
        for m in &mut list {
            m.roles.retain(|r| !deleted.contains(&r));
            for ((sid, uid, rid), (assigned, _)) in &self.member_roles {
                if sid != server_id || uid != &m.user_id || deleted.contains(&rid) {
                    continue;
                }
                let has = m.roles.contains(rid);
                if *assigned && !has {
                    m.roles.push(rid.clone());
                } else if !*assigned && has {
                    m.roles.retain(|r| r != rid);
                }
            }
        }
        list
    }

    /// `list` with our recent writes laid over it.
    fn overlay(&mut self, mut list: Vec<Server>) -> Vec<Server> {
        self.servers.retain(|_, (write, at)| match write {
            ServerWrite::Added(_) => at.elapsed() < SERVER_LIST_CACHE,
            _ => at.elapsed() < RECENT_WRITES_TTL,
        });
        // A join the list shows is confirmed: from now on, its absence means we were removed.
        self.servers.retain(|id, (write, _)| {
            !matches!(write, ServerWrite::Added(_)) || !list.iter().any(|x| &x.id == id)
        });
        for (id, (write, _)) in &self.servers {
            match write {
                ServerWrite::Added(s) => list.push(s.clone()),
                ServerWrite::Edited(s) => {
                    if let Some(x) = list.iter_mut().find(|x| &x.id == id) {
                        *x = s.clone();
                    }
                }
                ServerWrite::Removed => list.retain(|x| &x.id != id),
            }
        }
        list
    }
}

fn not_an_invite() -> ClientError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some("invite".into()),
            message: "That is not an invite code or link.".into(),
        },
        "no invite code in the input",
    )
}

impl Client {
    /// The user's servers with this client's recent joins, creates and leaves applied (the
    /// server's list may be a cached copy from before them).
    pub(super) fn overlay_servers(&self, list: Vec<Server>) -> Vec<Server> {
        self.recent().overlay(list)
    }

    /// A server's channels with recent creates, edits and deletes applied (the server's list
    /// is cached for 30 s).
    pub(super) fn overlay_channels(&self, server_id: &str, list: Vec<Channel>) -> Vec<Channel> {
        self.recent().overlay_channels(server_id, list)
    }

    /// A server's members with this client's recent role assignments applied (the server's
    /// list is cached for 30 s and an assignment sends no event).
    pub(super) fn overlay_members(&self, server_id: &str, list: Vec<Member>) -> Vec<Member> {
        self.recent().overlay_members(server_id, list)
    }

    /// Remembers what a gateway event says about servers and channels, so a stale cached
    /// list read afterwards cannot undo it.
    pub fn note_event(&self, event: &crate::event::Event) {
        use crate::event::Event as E;
        let mut recent = self.recent();
        match event {
            E::ChannelCreate(c) | E::ChannelUpdate(c) => {
                if let Some(sid) = &c.server_id {
                    recent.note_channel(sid, &c.id, Some(c.clone()));
                }
            }
            E::ChannelDelete(d) => {
                if let Some(sid) = &d.server_id {
                    recent.note_channel(sid, &d.id, None);
                }
            }
            E::RoleCreate(r) | E::RoleUpdate(r) => {
                recent.note_role(&r.server_id, &r.role.id, Some(r.role.clone()));
            }
            E::RoleDelete(d) => recent.note_role(&d.server_id, &d.role_id, None),
            E::ServerUpdate(s) => recent.note_server(&s.id, ServerWrite::Edited(s.clone())),
            E::ServerDelete(d) => recent.note_server(&d.id, ServerWrite::Removed),
            _ => {}
        }
    }

    /// Forgets a server locally (kicked, banned, gone), so stale lists do not bring it back.
    pub fn forget_server(&self, server_id: &str) {
        self.recent().note_server(server_id, ServerWrite::Removed);
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, RecentWrites> {
        // A poisoned lock only means another thread panicked mid-update of a cache.
        self.inner
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a server owned by the user (checked here first: 2 to 100 characters).
    ///
    /// # Errors
    /// `invalid_input{name}`, …
    pub async fn create_server(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<Server, ClientError> {
        let name = name.trim();
        check_len(
            "name",
            name,
            2,
            100,
            "A server name has 2 to 100 characters.",
        )?;
        let description = description.map(str::trim).filter(|d| !d.is_empty());
        let server = self
            .authed(self.inner.api.create_server(name, description))
            .await?;
        self.recent()
            .note_server(&server.id, ServerWrite::Added(server.clone()));
        Ok(server)
    }

    /// Looks an invite up before joining. Expiry and uses are checked here: the reference
    /// still previews an expired or used-up invite with 200.
    ///
    /// # Errors
    /// `invalid_input{invite}` when `input` holds no code; failures unrelated to the invite
    /// (offline, rate limited, signed out).
    pub async fn check_invite(&self, input: &str) -> Result<InviteCheck, ClientError> {
        let link = InviteLink::parse(input).ok_or_else(not_an_invite)?;
        let preview = match self.authed(self.inner.api.invite_preview(&link.code)).await {
            Ok(p) => p,
            Err(e) => return self.refused_check(&link.code, e),
        };
        self.recent().seen_invites.insert(link.code.clone());
        if let Some(reason) = InviteRefusal::from_preview(&preview, now_ms()) {
            return Ok(InviteCheck::Refused {
                reason,
                preview: Some(preview),
            });
        }
        // The reference names the server only to its members.
        if preview.server_name.is_some() {
            return Ok(InviteCheck::Refused {
                reason: InviteRefusal::AlreadyMember,
                preview: Some(preview),
            });
        }
        let inviter_name = match &preview.inviter_id {
            Some(id) => self.inner.api.user(id).await.ok().map(|u| u.username),
            None => None,
        };
        Ok(InviteCheck::Open {
            preview,
            inviter_name,
        })
    }

    fn refused_check(&self, code: &str, e: ClientError) -> Result<InviteCheck, ClientError> {
        match InviteRefusal::from_state(&e.state) {
            Some(reason) => Ok(InviteCheck::Refused {
                reason: self.unknown_or_revoked(code, reason),
                preview: None,
            }),
            None => Err(e),
        }
    }

    fn unknown_or_revoked(&self, code: &str, reason: InviteRefusal) -> InviteRefusal {
        if reason == InviteRefusal::Unknown && self.recent().seen_invites.contains(code) {
            InviteRefusal::Revoked
        } else {
            reason
        }
    }

    /// Joins the server of an invite (a code or a link).
    ///
    /// # Errors
    /// `invalid_input{invite}` when `input` holds no code; failures unrelated to the invite.
    pub async fn join_invite(&self, input: &str) -> Result<JoinOutcome, ClientError> {
        let link = InviteLink::parse(input).ok_or_else(not_an_invite)?;
        let joined = match self.authed(self.inner.api.join_invite(&link.code)).await {
            Ok(j) => j,
            Err(e) => {
                let Some(reason) = InviteRefusal::from_state(&e.state) else {
                    return Err(e);
                };
                let reason = self.join_refusal(&link.code, reason).await;
                return Ok(JoinOutcome::Refused {
                    reason,
                    message: state_message(&e.state),
                });
            }
        };
        // The server's own read may be refused or stale right after joining; the preview
        // still names what we joined.
        let server = match self.inner.api.server(&joined.server_id).await {
            Ok(s) => s,
            Err(_) => Server {
                id: joined.server_id.clone(),
                name: self
                    .inner
                    .api
                    .invite_preview(&link.code)
                    .await
                    .ok()
                    .and_then(|p| p.server_name)
                    .unwrap_or_else(|| "New server".to_owned()),
                description: None,
                icon_url: None,
                owner_id: None,
                member_count: None,
            },
        };
        self.recent()
            .note_server(&server.id, ServerWrite::Added(server.clone()));
        Ok(JoinOutcome::Joined { server })
    }

    /// A join's 404 covers unknown, revoked and expired alike: tell them apart.
    async fn join_refusal(&self, code: &str, reason: InviteRefusal) -> InviteRefusal {
        if reason != InviteRefusal::Unknown {
            return reason;
        }
        match self.inner.api.invite_preview(code).await {
            Ok(p) => InviteRefusal::from_preview(&p, now_ms()).unwrap_or(InviteRefusal::Revoked),
            Err(_) => self.unknown_or_revoked(code, reason),
        }
    }

    /// Makes an invite to a channel's server.
    ///
    /// # Errors
    /// `forbidden` (no `invites.create`), `not_found{channel}`, …
    pub async fn create_invite(
        &self,
        channel_id: &str,
        settings: NewInvite,
    ) -> Result<Invite, ClientError> {
        self.authed(self.inner.api.create_invite(channel_id, settings))
            .await
    }

    /// A server's invites, newest first.
    ///
    /// # Errors
    /// `forbidden` (no `invites.manage`), …
    pub async fn server_invites(&self, server_id: &str) -> Result<Vec<Invite>, ClientError> {
        self.authed(self.inner.api.server_invites(server_id)).await
    }

    /// Revokes an invite; one already gone counts as revoked.
    ///
    /// # Errors
    /// `forbidden` (no `invites.manage`), …
    pub async fn revoke_invite(&self, code: &str) -> Result<(), ClientError> {
        match self.authed(self.inner.api.revoke_invite(code)).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.state, UiState::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// What the user may do in a server (empty for a non-member).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn permissions(&self, server_id: &str) -> Result<Permissions, ClientError> {
        self.authed(self.inner.api.permissions(server_id)).await
    }

    /// Renames a server or changes its description.
    ///
    /// # Errors
    /// `forbidden` (no `server.manage`), `invalid_input{name}`, …
    pub async fn update_server(
        &self,
        server_id: &str,
        edit: &ServerEdit,
    ) -> Result<Server, ClientError> {
        if let Some(name) = &edit.name {
            check_len(
                "name",
                name,
                2,
                100,
                "A server name has 2 to 100 characters.",
            )?;
        }
        let server = self
            .authed(self.inner.api.update_server(server_id, edit))
            .await?;
        self.recent()
            .note_server(&server.id, ServerWrite::Edited(server.clone()));
        Ok(server)
    }

    /// Deletes a server (its owner only; the UI asks to type its name first).
    ///
    /// # Errors
    /// `invalid_input` (the reference's 500 for a non-owner), …
    pub async fn delete_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.delete_server(server_id)).await?;
        self.forget_server(server_id);
        Ok(())
    }

    /// Leaves a server.
    ///
    /// # Errors
    /// `forbidden` (the owner cannot leave: the message says so), …
    pub async fn leave_server(&self, server_id: &str) -> Result<(), ClientError> {
        match self.authed(self.inner.api.leave_server(server_id)).await {
            // Not a member any more: what the user wanted.
            Ok(_) => {}
            Err(e) if matches!(e.state, UiState::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        self.forget_server(server_id);
        Ok(())
    }

    /// Creates a text channel.
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), `invalid_input{name}`, …
    pub async fn create_channel(
        &self,
        server_id: &str,
        edit: &ChannelEdit,
    ) -> Result<Channel, ClientError> {
        let name = edit.name.as_deref().unwrap_or_default();
        check_len(
            "name",
            name,
            1,
            100,
            "A channel name has 1 to 100 characters.",
        )?;
        let channel = self
            .authed(self.inner.api.create_channel(server_id, edit))
            .await?;
        self.recent()
            .note_channel(server_id, &channel.id, Some(channel.clone()));
        Ok(channel)
    }

    /// Renames a channel, changes its topic or its slowmode.
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), …
    pub async fn update_channel(
        &self,
        channel_id: &str,
        edit: &ChannelEdit,
    ) -> Result<Channel, ClientError> {
        if let Some(name) = &edit.name {
            check_len(
                "name",
                name,
                1,
                100,
                "A channel name has 1 to 100 characters.",
            )?;
        }
        let channel = self
            .authed(self.inner.api.update_channel(channel_id, edit))
            .await?;
        if let Some(sid) = &channel.server_id {
            self.recent()
                .note_channel(sid, &channel.id, Some(channel.clone()));
        }
        Ok(channel)
    }

    /// Deletes a channel.
    ///
    /// # Errors
    /// `forbidden` (no `channels.manage`), …
    pub async fn delete_channel(
        &self,
        server_id: &str,
        channel_id: &str,
    ) -> Result<(), ClientError> {
        self.authed(self.inner.api.delete_channel(channel_id))
            .await?;
        self.recent().note_channel(server_id, channel_id, None);
        Ok(())
    }

    /// Kicks a member (by user id).
    ///
    /// # Errors
    /// `forbidden` (no `members.kick`, or the owner), `not_found` (not a member), …
    pub async fn kick_member(&self, server_id: &str, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.kick_member(server_id, user_id))
            .await
            .map(drop)
    }

    /// Bans a user (a member or not) with an optional reason.
    ///
    /// # Errors
    /// `forbidden` (no `members.ban`), `conflict` (already banned), …
    pub async fn ban_member(
        &self,
        server_id: &str,
        user_id: &str,
        reason: Option<&str>,
    ) -> Result<(), ClientError> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        self.authed(self.inner.api.ban_member(server_id, user_id, reason))
            .await
            .map(drop)
    }

    /// Lifts a ban.
    ///
    /// # Errors
    /// `forbidden` (no `members.ban`), `not_found` (no such ban), …
    pub async fn unban_member(&self, server_id: &str, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.unban_member(server_id, user_id))
            .await
            .map(drop)
    }

    /// A server's bans.
    ///
    /// # Errors
    /// `forbidden` (no `bans.view`), …
    pub async fn bans(&self, server_id: &str) -> Result<Vec<Ban>, ClientError> {
        self.authed(self.inner.api.bans(server_id)).await
    }

    /// A server's roles, highest first, with this client's recent role writes and the role
    /// events it saw applied (the reference's list is a 300 s cached copy).
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`; the reference answers it with 500), …
    pub async fn roles(&self, server_id: &str) -> Result<Vec<Role>, ClientError> {
        let list = self.authed(self.inner.api.roles(server_id)).await?;
        Ok(self.recent().overlay_roles(server_id, list))
    }

    /// Creates a role (the name is checked here first: 1 to 100 characters).
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), `invalid_input{name}`, …
    pub async fn create_role(&self, server_id: &str, edit: &RoleEdit) -> Result<Role, ClientError> {
        check_len(
            "name",
            edit.name.as_deref().unwrap_or_default(),
            1,
            100,
            "A role name has 1 to 100 characters.",
        )?;
        let mut edit = edit.clone();
        edit.name = edit.name.map(|n| n.trim().to_owned());
        let role = self
            .authed(self.inner.api.create_role(server_id, &edit))
            .await?;
        self.recent()
            .note_role(server_id, &role.id, Some(role.clone()));
        Ok(role)
    }

    /// Renames a role, changes its colour or its permissions; answers the role as changed.
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), `not_found{role}` (deleted meanwhile), …
    pub async fn update_role(
        &self,
        server_id: &str,
        role_id: &str,
        edit: &RoleEdit,
    ) -> Result<Role, ClientError> {
        if let Some(name) = &edit.name {
            check_len("name", name, 1, 100, "A role name has 1 to 100 characters.")?;
        }
        let role = match self
            .authed(self.inner.api.update_role(server_id, role_id, edit))
            .await
        {
            Ok(r) => r,
            Err(e) => {
                if matches!(e.state, UiState::NotFound { .. }) {
                    // Gone: a stale list must not bring it back.
                    self.recent().note_role(server_id, role_id, None);
                }
                return Err(e);
            }
        };
        self.recent()
            .note_role(server_id, &role.id, Some(role.clone()));
        Ok(role)
    }

    /// Deletes a role; one already gone counts as deleted.
    ///
    /// # Errors
    /// `forbidden` (no `roles.manage`), …
    pub async fn delete_role(&self, server_id: &str, role_id: &str) -> Result<(), ClientError> {
        match self
            .authed(self.inner.api.delete_role(server_id, role_id))
            .await
        {
            Ok(_) => {}
            Err(e) if matches!(e.state, UiState::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        self.recent().note_role(server_id, role_id, None);
        Ok(())
    }

    /// Gives a member a role (`assigned`) or takes it away. Both are idempotent on the
    /// server and send no event: the member lists this client reads afterwards show it.
    ///
    /// # Errors
    /// `forbidden` (no `members.manage_roles`), `not_found{member}` (no longer a member), …
    pub async fn set_member_role(
        &self,
        server_id: &str,
        user_id: &str,
        role_id: &str,
        assigned: bool,
    ) -> Result<(), ClientError> {
        self.authed(
            self.inner
                .api
                .set_member_role(server_id, user_id, role_id, assigned),
        )
        .await?;
        self.recent().member_roles.insert(
            (server_id.to_owned(), user_id.to_owned(), role_id.to_owned()),
            (assigned, Instant::now()),
        );
        Ok(())
    }

    /// The newest `limit` entries of a server's audit log (at most 100), newest first.
    ///
    /// # Errors
    /// `forbidden` (no `server.view_audit_log`), …
    pub async fn audit_log(
        &self,
        server_id: &str,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, ClientError> {
        let mut list = self
            .authed(self.inner.api.audit_log(server_id, limit))
            .await?;
        for e in &mut list {
            if let Some(c) = e.changes.as_mut() {
                ids_as_strings(c);
            }
        }
        Ok(list)
    }

    /// The shareable `plexichat://invite/CODE` link of `code` on this client's server.
    #[must_use]
    pub fn invite_link(&self, code: &str) -> String {
        InviteLink::to_link(code, &self.inner.server_key)
    }

    /// Whether `server_url` is the server this client talks to (for links naming another).
    #[must_use]
    pub fn is_same_server(&self, server_url: &str) -> bool {
        server_url.trim_end_matches('/') == self.inner.server_key
    }
}

/// Turns numeric ids inside audit `changes` (`{"role_id": 386900784077475840}`) into strings:
/// JavaScript numbers cannot hold a snowflake exactly.
fn ids_as_strings(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if (k == "id" || k.ends_with("_id")) && (x.is_u64() || x.is_i64()) {
                    *x = Value::String(x.to_string());
                } else {
                    ids_as_strings(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(ids_as_strings),
        _ => {}
    }
}

fn check_len(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    message: &str,
) -> Result<(), ClientError> {
    let len = value.trim().chars().count();
    if (min..=max).contains(&len) {
        return Ok(());
    }
    Err(ClientError::rejected(
        UiState::InvalidInput {
            field: Some(field.to_owned()),
            message: message.to_owned(),
        },
        "length out of range",
    ))
}

fn state_message(state: &UiState) -> String {
    match state {
        UiState::NotFound { message, .. }
        | UiState::Conflict { message, .. }
        | UiState::Forbidden { message, .. }
        | UiState::InvalidInput { message, .. } => message.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(id: &str, name: &str) -> Server {
        Server {
            id: id.into(),
            name: name.into(),
            description: None,
            icon_url: None,
            owner_id: None,
            member_count: None,
        }
    }

    fn role(id: &str, name: &str, position: i64) -> Role {
        Role {
            id: id.into(),
            name: name.into(),
            color: None,
            position,
            permissions: std::collections::BTreeMap::new(),
            hoist: false,
            mentionable: false,
            is_default: position == 0,
        }
    }

    #[test]
    fn recent_role_writes_correct_stale_role_and_member_lists() {
        let mut recent = RecentWrites::default();
        recent.note_role("s", "2", Some(role("2", "mod", 1)));
        recent.note_role("s", "3", None);
        recent.note_role("other", "9", Some(role("9", "elsewhere", 5)));
        // The cached list from before: only @everyone and the since-deleted role.
        let fixed =
            recent.overlay_roles("s", vec![role("1", "@everyone", 0), role("3", "temp", 2)]);
        let names: Vec<&str> = fixed.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["mod", "@everyone"]);

        recent.member_roles.insert(
            ("s".into(), "u1".into(), "2".into()),
            (true, Instant::now()),
        );
        recent.member_roles.insert(
            ("s".into(), "u2".into(), "1".into()),
            (false, Instant::now()),
        );
        let member = |id: &str, roles: &[&str]| Member {
            user_id: id.into(),
            username: id.into(),
            nickname: None,
            avatar_url: None,
            presence_status: None,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        };
        let members =
            recent.overlay_members("s", vec![member("u1", &["1"]), member("u2", &["1", "3"])]);
        assert_eq!(members[0].roles, ["1", "2"]);
        assert!(members[1].roles.is_empty(), "{:?}", members[1].roles);
    }

    #[test]
    fn audit_changes_carry_snowflakes_as_strings() {
        let mut v = serde_json::json!({"role_id": 386_900_784_077_475_840_u64, "name": {"old": "a", "new": "b"}});
        ids_as_strings(&mut v);
        assert_eq!(v["role_id"], "386900784077475840");
        assert_eq!(v["name"]["new"], "b");
    }

    #[test]
    fn recent_writes_correct_a_stale_server_list() {
        let mut recent = RecentWrites::default();
        recent.note_server("2", ServerWrite::Added(server("2", "joined")));
        recent.note_server("3", ServerWrite::Removed);
        recent.note_server("1", ServerWrite::Edited(server("1", "renamed")));
        let stale = vec![server("1", "old name"), server("3", "left")];
        let fixed = recent.overlay(stale);
        let names: Vec<&str> = fixed.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["renamed", "joined"]);
        // Once a list showed the join, a list without it means we were removed (a kick
        // sends no event): the join no longer brings it back.
        let confirmed = recent.overlay(vec![server("1", "x"), server("2", "joined")]);
        assert_eq!(confirmed.len(), 2);
        let kicked = recent.overlay(vec![server("1", "x")]);
        assert!(!kicked.iter().any(|s| s.id == "2"));
    }
}
