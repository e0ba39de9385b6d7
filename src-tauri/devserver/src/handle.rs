//! Starting, stopping and driving a devserver from Rust (tests, demo mode, the binary).
//!
//! `stop_listening` closes every gateway socket with 1012, stops accepting connections and
//! closes idle HTTP keep-alive connections, but keeps all state; `resume_listening` binds the
//! same port again. That is "the server went away and came back".

use crate::config::{DevServerConfig, Seed};
use crate::error::ApiError;
use crate::faults::Faults;
use crate::gateway::hub::Outbound;
use crate::http;
use crate::ids::{now_ms, parse_id};
use crate::seed;
use crate::state::AppState;
use crate::store::chat::{content_is_filtered, NewMessage};
use crate::totp;
use anyhow::{anyhow, bail, Context};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Mutex};
use tokio::task::JoinHandle;

/// Entry point.
pub struct DevServer;

/// A user made by [`DevServerHandle::create_user`], already signed in.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Snowflake id as a string.
    pub id: String,
    /// Username.
    pub username: String,
    /// Bearer token (`<session>.<secret>`).
    pub token: String,
}

/// TOTP enrolment of a test user.
#[derive(Debug, Clone)]
pub struct TotpInfo {
    /// Base32 secret.
    pub secret: String,
    /// Backup codes shaped `XXXX-XXXX` (send them without the dash).
    pub backup_codes: Vec<String>,
}

/// A server made by [`DevServerHandle::create_server`].
#[derive(Debug, Clone)]
pub struct TestServer {
    /// Server id.
    pub id: String,
    /// Its #general channel.
    pub general_channel_id: String,
}

struct Listening {
    shutdown: oneshot::Sender<()>,
    join: JoinHandle<()>,
}

/// A running devserver; dropping it without [`Self::shutdown`] leaves the tasks to the runtime.
pub struct DevServerHandle {
    state: Arc<AppState>,
    addr: SocketAddr,
    listening: Mutex<Option<Listening>>,
    bot: Option<JoinHandle<()>>,
}

impl DevServer {
    /// Seeds, binds and serves.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(config: DevServerConfig) -> anyhow::Result<DevServerHandle> {
        let state = Arc::new(AppState::new(config.clone()));
        let demo = (config.seed == Seed::Demo).then(|| seed::seed_demo(&mut state.lock()));
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr()?;
        let listening = serve(listener, state.clone());
        let bot = match demo {
            Some(ids) if config.bot => Some(tokio::spawn(run_bot(state.clone(), ids))),
            _ => None,
        };
        Ok(DevServerHandle {
            state,
            addr,
            listening: Mutex::new(Some(listening)),
            bot,
        })
    }
}

fn serve(listener: TcpListener, state: Arc<AppState>) -> Listening {
    let (tx, rx) = oneshot::channel();
    let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let join = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Listening { shutdown: tx, join }
}

async fn run_bot(state: Arc<AppState>, ids: seed::DemoIds) {
    let mut n = 0usize;
    let period = Duration::from_millis(state.config.bot_interval_ms.max(100));
    loop {
        tokio::time::sleep(period).await;
        let new = NewMessage {
            content: seed::bot_line(n).to_owned(),
            ..NewMessage::default()
        };
        let mut world = state.lock();
        if world.channels.contains_key(&ids.general) {
            world.post_message(ids.general, ids.bot_user, new);
        }
        n += 1;
    }
}

impl DevServerHandle {
    /// The bound address (the real port when started on port 0).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`; clients append `/api/v1` and `/gateway`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fault switches.
    #[must_use]
    pub fn faults(&self) -> Faults {
        Faults {
            state: self.state.clone(),
        }
    }

    /// Registers a user and signs them in, bypassing rate limits and password rules.
    ///
    /// # Errors
    /// When the username is taken.
    pub async fn create_user(&self, username: &str, password: &str) -> anyhow::Result<TestUser> {
        let mut world = self.state.lock();
        let id = world
            .create_user(username, &format!("{username}@example.com"), password)
            .map_err(api_err)?;
        let session = world.open_session(id, "127.0.0.1", Some("devserver-test".into()));
        Ok(TestUser {
            id: id.to_string(),
            username: username.to_owned(),
            token: session.token(),
        })
    }

    /// Turns TOTP on for a user (enrolled and confirmed).
    ///
    /// # Errors
    /// When the user does not exist.
    pub async fn enable_totp(&self, username: &str) -> anyhow::Result<TotpInfo> {
        let mut world = self.state.lock();
        let id = world
            .user_by_name(username)
            .map(|u| u.id)
            .ok_or_else(|| anyhow!("no user {username}"))?;
        let t = world
            .begin_totp(id)
            .ok_or_else(|| anyhow!("no user {username}"))?;
        if let Some(state) = world.users.get_mut(&id).and_then(|u| u.totp.as_mut()) {
            state.is_confirmed = true;
        }
        Ok(TotpInfo {
            secret: t.secret,
            backup_codes: t.backup_codes,
        })
    }

    /// The password-reset token last requested for `email` (the "e-mail" the reference
    /// never sends).
    #[must_use]
    pub fn password_reset_token(&self, email: &str) -> Option<String> {
        let world = self.state.lock();
        let id = world
            .users
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))?
            .id;
        world
            .reset_tokens
            .iter()
            .find(|(_, uid)| **uid == id)
            .map(|(t, _)| t.clone())
    }

    /// Finishes `username`'s pending data exports, which the reference never does by itself
    /// (account.txt), so that downloading can be tested.
    pub fn complete_data_exports(&self, username: &str) -> usize {
        let mut world = self.state.lock();
        let Some(id) = world.user_by_name(username).map(|u| u.id) else {
            return 0;
        };
        let now_s = now_ms() / 1000;
        let mut done = 0;
        for row in world.data_exports.get_mut(&id).into_iter().flatten() {
            if row["status"] == "pending" {
                row["status"] = serde_json::json!("completed");
                row["completed_at"] = serde_json::json!(now_s);
                row["expires_at"] = serde_json::json!(now_s + 7 * 24 * 3600);
                done += 1;
            }
        }
        done
    }

    /// Moves every pending scheduled message's time to `at_ms`: the reference refuses times
    /// under a minute ahead, so tests make a server-held message due this way. Returns how
    /// many were moved.
    pub fn set_scheduled_times(&self, at_ms: u64) -> usize {
        let mut world = self.state.lock();
        let mut moved = 0;
        for row in world.scheduled.values_mut() {
            if row["status"] == "pending" {
                row["scheduled_at"] = serde_json::json!(at_ms);
                moved += 1;
            }
        }
        moved
    }

    /// The status of every scheduled message, by id (`pending`, `cancelled`).
    #[must_use]
    pub fn scheduled_statuses(&self) -> Vec<(String, String)> {
        self.state
            .lock()
            .scheduled
            .iter()
            .map(|(id, r)| {
                (
                    id.to_string(),
                    r["status"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// The currently valid 6-digit code of a TOTP user.
    #[must_use]
    pub fn totp_code(&self, username: &str) -> Option<String> {
        let world = self.state.lock();
        let secret = world.user_by_name(username)?.totp.as_ref()?.secret.clone();
        totp::code_at(&secret, now_ms() / 1000)
    }

    /// Creates a server owned by `owner` (a user id, a username or a token).
    ///
    /// # Errors
    /// When the owner cannot be resolved.
    pub async fn create_server(&self, owner: &str, name: &str) -> anyhow::Result<TestServer> {
        let mut world = self.state.lock();
        let owner_id = resolve_user(&mut world, owner)?;
        let id = world.create_server(owner_id, name, None);
        let general = world
            .channels
            .values()
            .find(|c| c.server_id == Some(id))
            .map(|c| c.id.to_string())
            .unwrap_or_default();
        Ok(TestServer {
            id: id.to_string(),
            general_channel_id: general,
        })
    }

    /// Adds a text channel to a server; returns its id.
    ///
    /// # Errors
    /// When the server does not exist.
    pub async fn create_channel(&self, server_id: &str, name: &str) -> anyhow::Result<String> {
        let mut world = self.state.lock();
        let sid = parse_id(server_id)
            .filter(|s| world.servers.contains_key(s))
            .ok_or_else(|| anyhow!("no server {server_id}"))?;
        Ok(world.create_channel(sid, name, "text", None).to_string())
    }

    /// Makes a user (id, username or token) a member of a server, with MEMBER_ADD events.
    ///
    /// # Errors
    /// When either does not exist.
    pub async fn add_member(&self, server_id: &str, user: &str) -> anyhow::Result<()> {
        let mut world = self.state.lock();
        let uid = resolve_user(&mut world, user)?;
        let sid = parse_id(server_id)
            .filter(|s| world.servers.contains_key(s))
            .ok_or_else(|| anyhow!("no server {server_id}"))?;
        if !world.servers[&sid].members.iter().any(|m| m.user_id == uid) {
            world.add_member(sid, uid);
        }
        Ok(())
    }

    /// Makes an invite to a server's first channel as `inviter` (id, username or token);
    /// returns its code. `max_age` in seconds (0: forever), `max_uses` (0: unlimited).
    ///
    /// # Errors
    /// When the server or the user does not exist, or the server has no channel.
    pub async fn create_invite(
        &self,
        server_id: &str,
        inviter: &str,
        max_age: u64,
        max_uses: u64,
    ) -> anyhow::Result<String> {
        let mut world = self.state.lock();
        let uid = resolve_user(&mut world, inviter)?;
        let sid = parse_id(server_id)
            .filter(|s| world.servers.contains_key(s))
            .ok_or_else(|| anyhow!("no server {server_id}"))?;
        let channel = world
            .channels
            .values()
            .filter(|c| c.server_id == Some(sid))
            .min_by_key(|c| c.position)
            .map(|c| c.id)
            .ok_or_else(|| anyhow!("server {server_id} has no channel"))?;
        Ok(world
            .create_invite(sid, channel, uid, max_age, max_uses)
            .code)
    }

    /// Sets a channel's slowmode (seconds; 0 turns it off), as `PATCH /channels/{id}` does.
    ///
    /// # Errors
    /// When the channel does not exist.
    pub async fn set_slowmode(&self, channel_id: &str, seconds: u64) -> anyhow::Result<()> {
        let mut world = self.state.lock();
        let cid = parse_id(channel_id).ok_or_else(|| anyhow!("bad channel id {channel_id}"))?;
        let ch = world
            .channels
            .get_mut(&cid)
            .ok_or_else(|| anyhow!("no channel {channel_id}"))?;
        ch.slowmode_seconds = seconds;
        Ok(())
    }

    /// Opens the DM channel between two users (ids, usernames or tokens); returns its id.
    ///
    /// # Errors
    /// When a user does not exist or both are the same.
    pub async fn open_dm(&self, a: &str, b: &str) -> anyhow::Result<String> {
        let mut world = self.state.lock();
        let a = resolve_user(&mut world, a)?;
        let b = resolve_user(&mut world, b)?;
        if a == b {
            bail!("Cannot create DM with yourself");
        }
        Ok(world.open_dm(a, b).to_string())
    }

    /// Posts as `user_id` with the same checks as REST (visibility, blocks, content filter) and
    /// dispatches MESSAGE_CREATE; returns the message id.
    ///
    /// # Errors
    /// The REST error message the same send would get.
    pub async fn post_message(
        &self,
        user_id: &str,
        channel_id: &str,
        content: &str,
    ) -> anyhow::Result<String> {
        self.post_message_with_embeds(user_id, channel_id, content, Vec::new())
            .await
    }

    /// Like [`DevServerHandle::post_message`], with `embeds` stored and sent as given (the
    /// reference always sends `[]`; this shows how the client renders link previews when a
    /// server does send them).
    ///
    /// # Errors
    /// The REST error message the same send would get.
    pub async fn post_message_with_embeds(
        &self,
        user_id: &str,
        channel_id: &str,
        content: &str,
        embeds: Vec<serde_json::Value>,
    ) -> anyhow::Result<String> {
        let mut world = self.state.lock();
        let uid = resolve_user(&mut world, user_id)?;
        let cid = parse_id(channel_id).ok_or_else(|| anyhow!("Invalid channel ID"))?;
        let ch = world.visible_channel(cid, uid).map_err(api_err)?;
        if let Some((a, b)) = ch.dm_users {
            let other = if a == uid { b } else { a };
            if world.has_blocked(other, uid) {
                bail!("Cannot message this user");
            }
        }
        if (content.is_empty() && embeds.is_empty())
            || content.chars().count() > 4000
            || content_is_filtered(content)
        {
            bail!("content refused by the server's validation");
        }
        let new = NewMessage {
            content: content.to_owned(),
            embeds,
            ..NewMessage::default()
        };
        Ok(world.post_message(cid, uid, new).to_string())
    }

    /// Every message id of a channel, oldest first: the server's truth for loss/dup checks.
    #[must_use]
    pub fn channel_message_ids(&self, channel_id: &str) -> Vec<String> {
        let world = self.state.lock();
        parse_id(channel_id)
            .and_then(|c| world.messages.get(&c))
            .map(|m| m.keys().map(ToString::to_string).collect())
            .unwrap_or_default()
    }

    /// Every message of a channel, oldest first, as `(id, content, edited_at, pinned)`: the
    /// server's truth for "the client shows what the server has" checks.
    #[must_use]
    pub fn channel_message_states(
        &self,
        channel_id: &str,
    ) -> Vec<(String, String, Option<u64>, bool)> {
        let world = self.state.lock();
        let Some(c) = parse_id(channel_id) else {
            return Vec::new();
        };
        let pins = world
            .channels
            .get(&c)
            .map(|ch| ch.pins.clone())
            .unwrap_or_default();
        world
            .messages
            .get(&c)
            .map(|m| {
                m.values()
                    .map(|m| {
                        (
                            m.id.to_string(),
                            m.content.clone(),
                            m.edited_at,
                            pins.contains(&m.id),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The conversation id a server channel's read state is kept under (messaging.txt): what
    /// history lists as its messages' `channel_id`.
    #[must_use]
    pub fn conversation_id(&self, channel_id: &str) -> Option<String> {
        let world = self.state.lock();
        parse_id(channel_id).map(|c| crate::routes::unread::conversation_of(&world, c).to_string())
    }

    /// How many REST calls reached the server for `method` and a path below `/api/v1` with ids
    /// written as `{id}` (e.g. `("POST", "/channels/{id}/messages")`), faulted ones included:
    /// lets tests check retries and "sent exactly once".
    #[must_use]
    pub fn request_count(&self, method: &str, path: &str) -> usize {
        let key = format!("{} {}", method.to_ascii_uppercase(), path);
        self.state
            .lock()
            .request_counts
            .get(&key)
            .copied()
            .unwrap_or(0)
    }

    /// Number of open gateway sockets.
    #[must_use]
    pub fn gateway_connections(&self) -> usize {
        self.state.lock().hub.connection_count()
    }

    /// Stops accepting connections and closes gateway sockets with 1012; state is kept.
    pub async fn stop_listening(&self) {
        let running = self.listening.lock().await.take();
        self.state
            .lock()
            .hub
            .broadcast(|| Outbound::Close(1012, "Server restart".into()));
        if let Some(l) = running {
            let _ = l.shutdown.send(());
            let mut join = l.join;
            if tokio::time::timeout(Duration::from_secs(3), &mut join)
                .await
                .is_err()
            {
                join.abort();
            }
        }
    }

    /// Listens again on the same address.
    ///
    /// # Errors
    /// When the port cannot be bound again.
    pub async fn resume_listening(&self) -> anyhow::Result<()> {
        let mut slot = self.listening.lock().await;
        if slot.is_some() {
            return Ok(());
        }
        let mut last_err = None;
        for _ in 0..50 {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => {
                    *slot = Some(serve(listener, self.state.clone()));
                    return Ok(());
                }
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        Err(anyhow!("rebinding {}: {:?}", self.addr, last_err))
    }

    /// Stops everything.
    pub async fn shutdown(self) {
        self.stop_listening().await;
        if let Some(bot) = &self.bot {
            bot.abort();
        }
    }
}

fn api_err(e: ApiError) -> anyhow::Error {
    anyhow!(
        "{} {}",
        e.status.as_u16(),
        e.body["error"]["message"].as_str().unwrap_or("error")
    )
}

fn resolve_user(world: &mut crate::store::World, who: &str) -> anyhow::Result<u64> {
    if let Some(id) = parse_id(who).filter(|id| world.users.contains_key(id)) {
        return Ok(id);
    }
    if let Some(u) = world.user_by_name(who) {
        return Ok(u.id);
    }
    world
        .verify_token(who)
        .map(|(u, _)| u)
        .map_err(|_| anyhow!("unknown user {who}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn handles_can_be_shared_across_tasks() {
        assert_send_sync::<DevServerHandle>();
        assert_send_sync::<Faults>();
    }
}
