//! One gateway socket: the read/drain/timeout loop and the op handlers.

use super::frame::{self, DecodeError, ZlibStream};
use super::hub::Outbound;
use super::{INTENTS_MASK, MAX_FRAME};
use crate::state::AppState;
use crate::wire;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What the loop should do after handling a client frame.
enum Next {
    Continue,
    Close(u16, &'static str),
}

struct Conn {
    id: u64,
    state: Arc<AppState>,
    identified: bool,
}

/// Runs a socket until it closes.
pub(crate) async fn run(socket: WebSocket, state: Arc<AppState>) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = state.lock().hub.register(tx);
    let _registration = Registration {
        state: state.clone(),
        id,
    };
    let mut conn = Conn {
        id,
        state: state.clone(),
        identified: false,
    };
    let interval = state.config.heartbeat_interval_ms;
    let timeout = Duration::from_millis(interval.saturating_mul(2).max(1));
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}}).to_string();
    let mut zlib: Option<ZlibStream> = None;
    let mut deadline = Instant::now() + timeout;
    let mut ok = sink.send(Message::Text(hello.into())).await.is_ok();
    while ok {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    Message::Text(t) => Ok(t.to_string()),
                    Message::Binary(b) => frame::inflate(&b, MAX_FRAME),
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                let next = match text.and_then(|t| frame::parse(&t)) {
                    Ok((op, d)) => {
                        let (next, is_heartbeat) = conn.handle(op, &d, &mut zlib);
                        if is_heartbeat || conn.identified {
                            deadline = Instant::now() + timeout;
                        }
                        next
                    }
                    Err(DecodeError::TooLarge) => Next::Close(4002, "Payload too large"),
                    Err(DecodeError::Malformed) => Next::Close(4002, "Decode error"),
                };
                if let Next::Close(code, reason) = next {
                    tracing::debug!(conn = id, code, reason, "closing gateway socket");
                    let _ = send_close(&mut sink, code, reason).await;
                    break;
                }
            }
            out = rx.recv() => {
                match out {
                    Some(Outbound::Text(t)) => {
                        let msg = match zlib.as_mut() {
                            Some(z) => Message::Binary(z.encode(&t).into()),
                            None => Message::Text(t.into()),
                        };
                        ok = sink.send(msg).await.is_ok();
                    }
                    Some(Outbound::Malformed) => {
                        ok = sink.send(Message::Text("{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":".into())).await.is_ok();
                    }
                    Some(Outbound::Close(code, reason)) => {
                        let _ = send_close(&mut sink, code, &reason).await;
                        break;
                    }
                    Some(Outbound::Drop) | None => break,
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                let _ = send_close(&mut sink, 4009, "Session timed out").await;
                break;
            }
        }
    }
}

/// Forgets the socket however the task ends, a panic included, so the hub never keeps a dead
/// connection and the user's presence follows.
struct Registration {
    state: Arc<AppState>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut world = self.state.lock();
        let user = world.hub.conn_user(self.id);
        world.hub.unregister(self.id);
        if let Some((user_id, _)) = user {
            if !world.hub.is_user_connected(user_id) {
                set_presence(&mut world, user_id, "offline");
            }
        }
    }
}

/// Updates a user's status and tells friends and co-members. Connecting makes an offline user
/// online and losing the last socket makes them offline; invisible users stay invisible.
fn set_presence(world: &mut crate::store::World, user_id: u64, status: &str) {
    let Some(user) = world.users.get_mut(&user_id) else {
        return;
    };
    if user.presence.status == "invisible" || user.presence.status == status {
        return;
    }
    user.presence.status = status.to_owned();
    user.presence.last_seen = crate::ids::now_ms();
    let event = wire::presence(user, false);
    let audience = world.presence_audience(user_id);
    world.dispatch("PRESENCE_UPDATE", &event, &audience);
}

async fn send_close(
    sink: &mut futures_util::stream::SplitSink<WebSocket, Message>,
    code: u16,
    reason: &str,
) -> Result<(), axum::Error> {
    sink.send(Message::Close(Some(CloseFrame {
        code,
        reason: reason.to_owned().into(),
    })))
    .await
}

impl Conn {
    /// Handles one decoded op; the flag says whether it was a heartbeat.
    fn handle(&mut self, op: i64, d: &Value, zlib: &mut Option<ZlibStream>) -> (Next, bool) {
        match op {
            1 => {
                let world = self.state.lock();
                if !world.hub.is_zombie {
                    world
                        .hub
                        .send(self.id, Outbound::Text("{\"op\":11}".into()));
                }
                (Next::Continue, true)
            }
            2 => (self.identify(d, zlib), false),
            6 => (self.resume(d), false),
            3 | 40 if !self.identified => (Next::Close(4003, "Not authenticated"), false),
            3 => {
                self.presence(d);
                (Next::Continue, false)
            }
            40 => {
                self.typing(d);
                (Next::Continue, false)
            }
            _ => (Next::Close(4001, "Unknown opcode"), false),
        }
    }

    fn identify(&mut self, d: &Value, zlib: &mut Option<ZlibStream>) -> Next {
        if self.identified {
            return Next::Close(4005, "Already authenticated");
        }
        let Some(token) = d.get("token").and_then(Value::as_str) else {
            return Next::Close(4004, "Authentication failed");
        };
        let mut world = self.state.lock();
        if crate::faults::take_token_check_limit(&mut world) {
            return Next::Close(4004, "Authentication failed");
        }
        let Ok((user_id, auth_session)) = world.verify_token(token) else {
            return Next::Close(4004, "Authentication failed");
        };
        match d.get("intents") {
            None | Some(Value::Null) => {}
            Some(v) => {
                if v.as_u64().is_none_or(|i| i > INTENTS_MASK) {
                    return Next::Close(4013, "Invalid intents");
                }
            }
        }
        if d.get("compress").and_then(Value::as_bool) == Some(true) {
            *zlib = Some(ZlibStream::new());
        }
        let user = world.users.get(&user_id).map_or(Value::Null, |u| {
            json!({"id": u.id.to_string(), "username": u.username, "discriminator": "0", "avatar": null, "bot": u.is_bot})
        });
        let guilds: Vec<Value> = world
            .servers
            .values()
            .filter(|s| s.members.iter().any(|m| m.user_id == user_id))
            .map(|s| json!({"id": s.id.to_string(), "name": s.name, "unavailable": false}))
            .collect();
        world
            .hub
            .identify(self.id, user_id, auth_session, |session_id| {
                json!({
                    "v": 10,
                    "user": user,
                    "guilds": guilds,
                    "session_id": session_id,
                    // A placeholder like the reference's: clients must reconnect to the URL they used.
                    "resume_gateway_url": "wss://gateway.example.com",
                    "application": {"id": user_id.to_string(), "flags": 0},
                })
            });
        self.identified = true;
        if world
            .users
            .get(&user_id)
            .is_some_and(|u| u.presence.status == "offline")
        {
            set_presence(&mut world, user_id, "online");
        }
        Next::Continue
    }

    /// RESUME never re-enables compression (PROTOCOL.md §7).
    fn resume(&mut self, d: &Value) -> Next {
        if self.identified {
            return Next::Close(4005, "Already authenticated");
        }
        let token = d.get("token").and_then(Value::as_str).unwrap_or("");
        let session_id = d.get("session_id").and_then(Value::as_str).unwrap_or("");
        let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
        let replay = self.state.config.replay_on_resume;
        let mut world = self.state.lock();
        if crate::faults::take_token_check_limit(&mut world) {
            return Next::Close(4004, "Authentication failed");
        }
        let resumed = match world.verify_token(token) {
            Ok((user_id, _)) => world.hub.resume(self.id, session_id, user_id, seq, replay),
            Err(_) => false,
        };
        if resumed {
            self.identified = true;
        } else {
            // Socket stays open: the client may IDENTIFY again on it.
            world.hub.send(
                self.id,
                Outbound::Text(json!({"op": 9, "d": false}).to_string()),
            );
        }
        Next::Continue
    }

    fn presence(&self, d: &Value) {
        let Some(status) = d.get("status").and_then(Value::as_str) else {
            return;
        };
        if !["online", "idle", "dnd", "invisible", "offline"].contains(&status) {
            return;
        }
        let mut world = self.state.lock();
        let Some((user_id, _)) = world.hub.conn_user(self.id) else {
            return;
        };
        if let Some(user) = world.users.get_mut(&user_id) {
            // Explicit op 3 may go to or from invisible, unlike the automatic changes.
            user.presence.status = String::new();
        }
        set_presence(&mut world, user_id, status);
    }

    fn typing(&self, d: &Value) {
        let Some(channel_id) = d.get("channel_id").and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        }) else {
            return;
        };
        let mut world = self.state.lock();
        let Some((user_id, _)) = world.hub.conn_user(self.id) else {
            return;
        };
        if world.visible_channel(channel_id, user_id).is_err() {
            return;
        }
        let username = world.users.get(&user_id).map(|u| u.username.clone());
        let payload = json!({"channel_id": channel_id.to_string(), "user_id": user_id.to_string(), "username": username});
        let mut audience = world.channel_audience(channel_id);
        audience.retain(|&u| u != user_id);
        world.dispatch("TYPING_START", &payload, &audience);
    }
}
