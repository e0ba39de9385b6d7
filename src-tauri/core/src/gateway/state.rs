//! The protocol state machine of one gateway connection, without any I/O.
//!
//! [`Shard`] is fed decoded frames and socket ends and answers with [`Step`]s that the
//! connection task carries out (send a frame, emit an event, publish a [`UiState`], start a
//! catch-up, …). Keeping it free of sockets and clocks lets unit tests drive every transition
//! with plain frames.
//!
//! ```text
//! Disconnected{attempt} ─dial─▶ Connecting ─HELLO─▶ Identifying ─READY───▶ Active
//!        ▲                                  └─HELLO (session in window)─▶ Resuming ─RESUMED─▶ Active
//!        │                                            Resuming ─op 9─▶ Identifying (same socket)
//!        └──────── close / zombie / time jump / op 7 (CloseCode::action) ◀──────── any
//! any ─4013 / SECURITY_LOGOUT / token confirmed invalid─▶ Fatal
//! ```
//!
//! Invariants: the session (id + seq) outlives sockets only inside the resume window;
//! commands that need an identified socket (presence) are sent only in `Active`.

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::close_code::CloseAction;
use super::frame::Inbound;
use crate::event::{Event, ReadyEvent};
use crate::model::User;
use crate::ui_state::UiState;

/// Where the connection is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayState {
    /// No socket; `attempt` consecutive reconnects so far.
    Disconnected {
        /// Reconnect attempts since the last stable connection.
        attempt: u32,
    },
    /// Dialing, waiting for HELLO.
    Connecting,
    /// IDENTIFY sent, waiting for READY.
    Identifying,
    /// RESUME sent, waiting for RESUMED or op 9.
    Resuming,
    /// Identified: events flow.
    Active,
    /// Stopped for good (bad intents, signed out).
    Fatal,
}

/// A session that may be resumed until `expires`.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    expires: Option<Instant>,
}

/// What the connection task must do next.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Send IDENTIFY.
    Identify,
    /// Send RESUME.
    Resume {
        /// Session to resume.
        session_id: String,
        /// Last sequence number seen.
        seq: Option<u64>,
    },
    /// Start heartbeating at this interval (HELLO).
    StartHeartbeat {
        /// Interval in ms.
        interval_ms: u64,
    },
    /// The server asked for a heartbeat now.
    HeartbeatNow,
    /// op 11.
    HeartbeatAck,
    /// Publish a connection state.
    Publish(UiState),
    /// Deliver an event (`MESSAGE_CREATE` still goes through dedupe).
    Emit(Event),
    /// The socket is identified: send presence and catch up over REST.
    Activated,
    /// Events may have been missed (sequence gap, undecodable dispatch): catch up.
    CatchUp,
    /// Close this socket and reconnect.
    Reconnect(CloseAction, String),
    /// A security alert: confirm the token over REST.
    VerifyToken,
    /// The server signed us out.
    SignedOut(String),
}

#[derive(Deserialize)]
struct WireReady {
    user: User,
    #[serde(default, alias = "servers")]
    guilds: Vec<crate::event::ReadyServer>,
    session_id: String,
}

/// Protocol state of one logical connection (it outlives its sockets).
#[derive(Debug)]
pub(crate) struct Shard {
    state: GatewayState,
    session: Option<Session>,
    seq: Option<u64>,
    user: Option<User>,
}

impl Shard {
    pub(crate) fn new() -> Self {
        Self {
            state: GatewayState::Disconnected { attempt: 0 },
            session: None,
            seq: None,
            user: None,
        }
    }

    pub(crate) fn state(&self) -> &GatewayState {
        &self.state
    }

    pub(crate) fn seq(&self) -> Option<u64> {
        self.seq
    }

    pub(crate) fn is_active(&self) -> bool {
        self.state == GatewayState::Active
    }

    /// A new socket is being dialed.
    pub(crate) fn on_dial(&mut self) {
        self.state = GatewayState::Connecting;
    }

    /// HELLO: resume when the session is still inside its window, else identify.
    pub(crate) fn on_hello(&mut self, interval_ms: u64, now: Instant) -> Vec<Step> {
        let mut steps = vec![Step::StartHeartbeat { interval_ms }];
        match &self.session {
            Some(s) if s.expires.is_none_or(|e| now < e) => {
                self.state = GatewayState::Resuming;
                steps.push(Step::Resume {
                    session_id: s.id.clone(),
                    seq: self.seq,
                });
            }
            _ => {
                self.session = None;
                self.state = GatewayState::Identifying;
                steps.push(Step::Identify);
            }
        }
        steps
    }

    /// Any decoded frame after HELLO.
    pub(crate) fn on_frame(&mut self, frame: Inbound<'_>, now: Instant) -> Vec<Step> {
        match frame {
            Inbound::Hello {
                heartbeat_interval_ms,
            } => {
                if self.state == GatewayState::Connecting {
                    self.on_hello(heartbeat_interval_ms, now)
                } else {
                    Vec::new()
                }
            }
            Inbound::HeartbeatAck => vec![Step::HeartbeatAck],
            Inbound::HeartbeatRequest => vec![Step::HeartbeatNow],
            Inbound::Reconnect => vec![Step::Reconnect(
                CloseAction::Resume,
                "server asked to reconnect".into(),
            )],
            Inbound::InvalidSession { resumable } => {
                // PROTOCOL.md §7: the socket stays open; IDENTIFY again on it.
                if !resumable {
                    self.session = None;
                    self.seq = None;
                }
                self.state = GatewayState::Identifying;
                vec![Step::Identify]
            }
            Inbound::Dispatch { seq, name, data } => self.on_dispatch(seq, &name, data),
            Inbound::Unknown(op) => {
                tracing::debug!(op, "ignoring unknown gateway opcode");
                Vec::new()
            }
        }
    }

    fn on_dispatch(&mut self, seq: Option<u64>, name: &str, data: Option<&RawValue>) -> Vec<Step> {
        let mut steps = Vec::new();
        if let Some(s) = seq {
            if name != "READY" && name != "RESUMED" && self.is_active() {
                if let Some(last) = self.seq {
                    if s > last.saturating_add(1) {
                        tracing::debug!(last, got = s, "gateway sequence gap");
                        steps.push(Step::CatchUp);
                    }
                }
            }
            if name == "READY" || self.seq.is_none_or(|last| s > last) {
                self.seq = Some(s);
            }
        }
        let empty = RawValue::NULL;
        let data = data.unwrap_or(empty);
        match name {
            "READY" => match serde_json::from_str::<WireReady>(data.get()) {
                Ok(ready) => {
                    self.session = Some(Session {
                        id: ready.session_id,
                        expires: None,
                    });
                    self.user = Some(ready.user.clone());
                    self.state = GatewayState::Active;
                    steps.push(Step::Publish(UiState::Ready {
                        user: ready.user.clone(),
                    }));
                    steps.push(Step::Emit(Event::Ready(ReadyEvent {
                        user: ready.user,
                        servers: ready.guilds,
                    })));
                    steps.push(Step::Activated);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "undecodable READY");
                    steps.push(Step::Reconnect(
                        CloseAction::Reidentify,
                        "undecodable READY".into(),
                    ));
                }
            },
            "RESUMED" => {
                self.state = GatewayState::Active;
                if let Some(s) = &mut self.session {
                    s.expires = None;
                }
                if let Some(user) = &self.user {
                    steps.push(Step::Publish(UiState::Ready { user: user.clone() }));
                }
                steps.push(Step::Emit(Event::Resumed));
                steps.push(Step::Activated);
            }
            _ => match Event::from_dispatch(name, data) {
                Ok(Some(event)) => {
                    match &event {
                        Event::SecurityLogout(n) => {
                            let why = n
                                .message
                                .clone()
                                .unwrap_or_else(|| "The server signed this session out.".into());
                            steps.push(Step::Emit(event));
                            steps.push(Step::SignedOut(why));
                            return steps;
                        }
                        Event::SecurityAlert(_) => steps.push(Step::VerifyToken),
                        _ => {}
                    }
                    steps.push(Step::Emit(event));
                }
                Ok(None) => tracing::debug!(event = name, "ignoring unknown gateway event"),
                Err(e) => {
                    tracing::warn!(event = name, error = %e, "undecodable gateway event");
                    if name.starts_with("MESSAGE_") {
                        steps.push(Step::CatchUp);
                    }
                }
            },
        }
        steps
    }

    /// The socket ended; `action` comes from the close-code table (or is `Resume` for
    /// zombies, time jumps and transport errors).
    pub(crate) fn on_disconnect(
        &mut self,
        action: CloseAction,
        attempt: u32,
        now: Instant,
        window: std::time::Duration,
    ) {
        match action {
            CloseAction::Resume => {
                if let Some(s) = &mut self.session {
                    // The window starts at the first loss, not at each failed redial.
                    s.expires.get_or_insert(now + window);
                }
            }
            CloseAction::Reidentify | CloseAction::VerifyToken => {
                self.session = None;
                self.seq = None;
            }
            CloseAction::Fatal => {}
        }
        self.state = if action == CloseAction::Fatal {
            GatewayState::Fatal
        } else {
            GatewayState::Disconnected { attempt }
        };
    }

    /// Stop for good.
    pub(crate) fn on_fatal(&mut self) {
        self.state = GatewayState::Fatal;
        self.session = None;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::frame::decode;
    use super::*;

    const READY: &str = r#"{"op":0,"t":"READY","s":1,"d":{"v":10,"user":{"id":"384002868824379392","username":"alice_rec","discriminator":"0","avatar":null,"bot":false},"guilds":[{"id":"384004132257796096","name":"Rec Server","unavailable":false}],"session_id":"b596","resume_gateway_url":"wss://gateway.example.com","application":{"id":"1","flags":0}}}"#;

    fn feed(shard: &mut Shard, text: &str) -> Vec<Step> {
        shard.on_frame(decode(text).unwrap(), Instant::now())
    }

    fn ready_shard() -> Shard {
        let mut s = Shard::new();
        s.on_dial();
        assert_eq!(s.on_hello(1000, Instant::now())[1], Step::Identify);
        let steps = feed(&mut s, READY);
        assert!(
            matches!(&steps[0], Step::Publish(UiState::Ready { user }) if user.username == "alice_rec")
        );
        assert!(matches!(&steps[1], Step::Emit(Event::Ready(r)) if r.servers.len() == 1));
        assert_eq!(steps[2], Step::Activated);
        assert!(s.is_active());
        s
    }

    #[tokio::test(start_paused = true)]
    async fn resumes_inside_the_window_and_identifies_after_it() {
        let mut s = ready_shard();
        feed(
            &mut s,
            r#"{"op":0,"t":"TYPING_START","s":2,"d":{"channel_id":"1","user_id":"2"}}"#,
        );
        let window = Duration::from_secs(60);
        s.on_disconnect(CloseAction::Resume, 1, Instant::now(), window);
        assert_eq!(s.state(), &GatewayState::Disconnected { attempt: 1 });
        s.on_dial();
        let steps = s.on_hello(1000, Instant::now());
        assert_eq!(
            steps[1],
            Step::Resume {
                session_id: "b596".into(),
                seq: Some(2)
            }
        );
        assert_eq!(s.state(), &GatewayState::Resuming);
        let steps = feed(&mut s, r#"{"op":0,"t":"RESUMED","s":2,"d":{}}"#);
        assert!(matches!(
            steps[..],
            [
                Step::Publish(UiState::Ready { .. }),
                Step::Emit(Event::Resumed),
                Step::Activated
            ]
        ));

        s.on_disconnect(CloseAction::Resume, 1, Instant::now(), window);
        tokio::time::advance(Duration::from_secs(61)).await;
        s.on_dial();
        assert_eq!(s.on_hello(1000, Instant::now())[1], Step::Identify);
    }

    #[tokio::test(start_paused = true)]
    async fn resume_window_starts_at_the_first_loss() {
        let mut s = ready_shard();
        let window = Duration::from_secs(60);
        s.on_disconnect(CloseAction::Resume, 1, Instant::now(), window);
        tokio::time::advance(Duration::from_secs(40)).await;
        s.on_disconnect(CloseAction::Resume, 2, Instant::now(), window);
        tokio::time::advance(Duration::from_secs(30)).await;
        s.on_dial();
        assert_eq!(s.on_hello(1000, Instant::now())[1], Step::Identify);
    }

    #[tokio::test]
    async fn invalid_session_identifies_again_on_the_same_socket() {
        let mut s = ready_shard();
        s.on_disconnect(
            CloseAction::Resume,
            1,
            Instant::now(),
            Duration::from_secs(60),
        );
        s.on_dial();
        s.on_hello(1000, Instant::now());
        assert_eq!(feed(&mut s, r#"{"op":9,"d":false}"#), [Step::Identify]);
        assert_eq!(s.state(), &GatewayState::Identifying);
        assert_eq!(s.seq(), None);
    }

    #[tokio::test]
    async fn reidentify_closes_forget_the_session() {
        let mut s = ready_shard();
        s.on_disconnect(
            CloseAction::Reidentify,
            1,
            Instant::now(),
            Duration::from_secs(60),
        );
        s.on_dial();
        assert_eq!(s.on_hello(1000, Instant::now())[1], Step::Identify);
    }

    #[tokio::test]
    async fn sequence_gaps_ask_for_catch_up_and_duplicates_do_not() {
        let mut s = ready_shard();
        let m = |seq: u64, id: u64| {
            format!(
                r#"{{"op":0,"t":"MESSAGE_CREATE","s":{seq},"d":{{"id":"{id}","channel_id":"1","author_id":"2","content":"x","created_at":1}}}}"#
            )
        };
        let steps = feed(&mut s, &m(2, 10));
        assert!(matches!(steps[..], [Step::Emit(Event::MessageCreate(_))]));
        let steps = feed(&mut s, &m(2, 10));
        assert!(
            matches!(steps[..], [Step::Emit(Event::MessageCreate(_))]),
            "dedupe is the timeline's job"
        );
        let steps = feed(&mut s, &m(5, 13));
        assert!(matches!(
            steps[..],
            [Step::CatchUp, Step::Emit(Event::MessageCreate(_))]
        ));
        assert_eq!(s.seq(), Some(5));
    }

    #[tokio::test]
    async fn security_events() {
        let mut s = ready_shard();
        let steps = feed(
            &mut s,
            r#"{"op":0,"t":"SECURITY_ALERT","s":2,"d":{"type":"session_revoked"}}"#,
        );
        assert!(matches!(
            steps[..],
            [Step::VerifyToken, Step::Emit(Event::SecurityAlert(_))]
        ));
        let steps = feed(
            &mut s,
            r#"{"op":0,"t":"SECURITY_LOGOUT","s":3,"d":{"reason":"bye"}}"#,
        );
        assert!(
            matches!(&steps[..], [Step::Emit(Event::SecurityLogout(_)), Step::SignedOut(why)] if why == "bye")
        );
    }

    #[tokio::test]
    async fn odd_frames_do_not_break_the_machine() {
        let mut s = ready_shard();
        assert!(feed(&mut s, r#"{"op":0,"t":"NEW_THING","s":2,"d":{"a":1}}"#).is_empty());
        assert!(feed(&mut s, r#"{"op":77}"#).is_empty());
        assert_eq!(
            feed(
                &mut s,
                r#"{"op":0,"t":"MESSAGE_CREATE","s":3,"d":{"bad":1}}"#
            ),
            [Step::CatchUp]
        );
        assert_eq!(feed(&mut s, r#"{"op":1,"d":null}"#), [Step::HeartbeatNow]);
        assert!(matches!(
            feed(&mut s, r#"{"op":7,"d":null}"#)[..],
            [Step::Reconnect(CloseAction::Resume, _)]
        ));
        assert!(s.is_active());
    }
}
