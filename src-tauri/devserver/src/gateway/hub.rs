//! Gateway sessions and live sockets, owned by the world lock.
//!
//! A *session* (READY's `session_id`) outlives its socket for `resume_window_ms`: every event for
//! its user gets the next `seq` and goes into a bounded replay buffer whether or not a socket is
//! attached. A *connection* is one socket; its task drains an unbounded channel of
//! [`Outbound`] items in order, so the order of `dispatch` calls is the order on the wire.

use crate::config::DevServerConfig;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// Events kept per session for RESUME.
const REPLAY_CAPACITY: usize = 1_000;

/// Work for a connection task.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A JSON frame (compressed by the task when the socket asked for it).
    Text(String),
    /// Send a close frame and end.
    Close(u16, String),
    /// End without a close frame, like a dead TCP connection.
    Drop,
    /// Send bytes that are not valid JSON (the `malformed_frame` fault).
    Malformed,
}

struct ConnEntry {
    tx: UnboundedSender<Outbound>,
    session: Option<String>,
    window_start: Instant,
    sent_in_window: u32,
}

struct GwSession {
    user_id: u64,
    auth_session: u64,
    seq: u64,
    buffer: VecDeque<(u64, String)>,
    conn: Option<u64>,
    detached_at: Option<Instant>,
}

/// All gateway state.
pub(crate) struct Hub {
    conns: HashMap<u64, ConnEntry>,
    sessions: HashMap<String, GwSession>,
    next_conn: u64,
    resume_window: Duration,
    max_per_minute: Option<u32>,
    /// Heartbeats are not acknowledged while set (the `zombie` fault).
    pub(crate) is_zombie: bool,
    /// Frames still to swallow (the `drop_events` fault).
    pub(crate) drop_events: u32,
    /// Frames still to send twice (the `duplicate_events` fault).
    pub(crate) duplicate_events: u32,
}

impl Hub {
    /// An empty hub.
    pub(crate) fn new(config: &DevServerConfig) -> Self {
        Self {
            conns: HashMap::new(),
            sessions: HashMap::new(),
            next_conn: 1,
            resume_window: Duration::from_millis(config.resume_window_ms),
            max_per_minute: config.max_events_per_minute,
            is_zombie: false,
            drop_events: 0,
            duplicate_events: 0,
        }
    }

    /// Registers a new socket.
    pub(crate) fn register(&mut self, tx: UnboundedSender<Outbound>) -> u64 {
        let id = self.next_conn;
        self.next_conn += 1;
        self.conns.insert(
            id,
            ConnEntry {
                tx,
                session: None,
                window_start: Instant::now(),
                sent_in_window: 0,
            },
        );
        id
    }

    /// Forgets a socket; its session stays resumable for the window.
    pub(crate) fn unregister(&mut self, conn_id: u64) {
        if let Some(entry) = self.conns.remove(&conn_id) {
            if let Some(s) = entry.session.and_then(|sid| self.sessions.get_mut(&sid)) {
                if s.conn == Some(conn_id) {
                    s.conn = None;
                    s.detached_at = Some(Instant::now());
                }
            }
        }
    }

    /// Sends straight to one socket.
    pub(crate) fn send(&self, conn_id: u64, item: Outbound) {
        if let Some(c) = self.conns.get(&conn_id) {
            let _ = c.tx.send(item);
        }
    }

    /// Whether any open socket belongs to `user_id`.
    pub(crate) fn is_user_connected(&self, user_id: u64) -> bool {
        self.sessions
            .values()
            .any(|s| s.user_id == user_id && s.conn.is_some())
    }

    /// Number of sockets currently open.
    pub(crate) fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Opens a session on `conn_id` and queues READY (seq 1) built by `ready`.
    pub(crate) fn identify(
        &mut self,
        conn_id: u64,
        user_id: u64,
        auth_session: u64,
        ready: impl FnOnce(&str) -> Value,
    ) {
        self.expire_sessions();
        let session_id = crate::ids::random_hex(16);
        let data = ready(&session_id);
        let frame = json!({"op": 0, "t": "READY", "s": 1, "d": data}).to_string();
        self.sessions.insert(
            session_id.clone(),
            GwSession {
                user_id,
                auth_session,
                seq: 1,
                buffer: VecDeque::new(),
                conn: Some(conn_id),
                detached_at: None,
            },
        );
        if let Some(c) = self.conns.get_mut(&conn_id) {
            c.session = Some(session_id);
            let _ = c.tx.send(Outbound::Text(frame));
        }
    }

    /// Resumes `session_id` on `conn_id`: RESUMED, then (if `replay`) every buffered event after
    /// `client_seq`. Returns `false` when the session cannot be resumed (→ op 9).
    pub(crate) fn resume(
        &mut self,
        conn_id: u64,
        session_id: &str,
        user_id: u64,
        client_seq: u64,
        replay: bool,
    ) -> bool {
        self.expire_sessions();
        let Some(session) = self.sessions.get_mut(session_id) else {
            return false;
        };
        if session.user_id != user_id {
            return false;
        }
        let old = session.conn.replace(conn_id);
        session.detached_at = None;
        let mut frames =
            vec![json!({"op": 0, "t": "RESUMED", "s": client_seq, "d": {}}).to_string()];
        if replay {
            frames.extend(
                session
                    .buffer
                    .iter()
                    .filter(|(s, _)| *s > client_seq)
                    .map(|(_, f)| f.clone()),
            );
        }
        if let Some(old) = old.filter(|&o| o != conn_id) {
            if let Some(c) = self.conns.get_mut(&old) {
                c.session = None;
                let _ =
                    c.tx.send(Outbound::Close(4000, "Session resumed elsewhere".into()));
            }
        }
        if let Some(c) = self.conns.get_mut(&conn_id) {
            c.session = Some(session_id.to_owned());
            for f in frames {
                let _ = c.tx.send(Outbound::Text(f));
            }
        }
        true
    }

    /// The user and auth session behind a socket, once identified.
    pub(crate) fn conn_user(&self, conn_id: u64) -> Option<(u64, u64)> {
        let sid = self.conns.get(&conn_id)?.session.as_ref()?;
        self.sessions.get(sid).map(|s| (s.user_id, s.auth_session))
    }

    /// Sends `event` to every session of `recipients`, buffering it for RESUME.
    pub(crate) fn dispatch(&mut self, event: &str, data: &Value, recipients: &[u64]) {
        self.expire_sessions();
        let targets: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| recipients.contains(&s.user_id))
            .map(|(id, _)| id.clone())
            .collect();
        for sid in targets {
            self.push(&sid, event, data);
        }
    }

    fn push(&mut self, session_id: &str, event: &str, data: &Value) {
        let Some(session) = self.sessions.get_mut(session_id) else {
            return;
        };
        session.seq += 1;
        let frame = json!({"op": 0, "t": event, "s": session.seq, "d": data}).to_string();
        session.buffer.push_back((session.seq, frame.clone()));
        if session.buffer.len() > REPLAY_CAPACITY {
            session.buffer.pop_front();
        }
        let Some(conn_id) = session.conn else {
            return;
        };
        let Some(conn) = self.conns.get_mut(&conn_id) else {
            return;
        };
        if let Some(max) = self.max_per_minute {
            if conn.window_start.elapsed() >= Duration::from_secs(60) {
                conn.window_start = Instant::now();
                conn.sent_in_window = 0;
            }
            if conn.sent_in_window >= max {
                return;
            }
            conn.sent_in_window += 1;
        }
        if self.drop_events > 0 {
            self.drop_events -= 1;
            return;
        }
        let copies = if self.duplicate_events > 0 {
            self.duplicate_events -= 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let _ = conn.tx.send(Outbound::Text(frame.clone()));
        }
    }

    /// Ends every gateway session of an auth session: SECURITY_LOGOUT, then close 4004.
    pub(crate) fn logout_session(&mut self, auth_session: u64, _user_id: u64, reason: &str) {
        let ids: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.auth_session == auth_session)
            .map(|(id, _)| id.clone())
            .collect();
        for sid in ids {
            self.push(&sid, "SECURITY_LOGOUT", &json!({"reason": reason}));
            if let Some(s) = self.sessions.remove(&sid) {
                if let Some(conn) = s.conn {
                    self.send(conn, Outbound::Close(4004, "Authentication failed".into()));
                }
            }
        }
    }

    /// Sends the same item to every socket.
    pub(crate) fn broadcast(&self, make: impl Fn() -> Outbound) {
        for c in self.conns.values() {
            let _ = c.tx.send(make());
        }
    }

    fn expire_sessions(&mut self) {
        let window = self.resume_window;
        self.sessions
            .retain(|_, s| s.detached_at.is_none_or(|t| t.elapsed() < window));
    }
}
