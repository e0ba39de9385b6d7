//! The connection task: one tokio task per logical connection, owning the socket.
//!
//! Flow: dial → HELLO → IDENTIFY/RESUME → READY/RESUMED (presence, catch-up) → events …
//! → the socket ends (close code, zombie, time jump, transport error, `reconnect_now`) →
//! [`Shard::on_disconnect`] → full-jitter backoff (published as `Reconnecting`) → dial again.
//!
//! Everything a socket owns (the heartbeat schedule, the inflater, the sink) is a local of
//! [`Connection::run_socket`], so nothing can outlive the socket it belonged to. The catch-up
//! task is aborted when its socket ends; its buffered live messages are kept and merged by
//! the next catch-up.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::{SinkExt, StreamExt};
use rand::{rngs::StdRng, Rng, SeedableRng};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::{sleep_until, timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::{
    frame::coding::CloseCode as WsCloseCode, CloseFrame,
};
use tokio_tungstenite::tungstenite::Message as WsMessage;

mod repair;

use super::backoff::Backoff;
use super::catch_up::{Fetched, HistorySource, Timeline, TokenStatus, TokenVerifier};
use super::close_code::{CloseAction, CloseCode};
use super::frame::{decode, Outbound};
use super::heartbeat::{Beat, Heartbeat, TimeJump};
use super::inflate::Inflater;
use super::state::{Shard, Step};
use super::{ms_after, now_ms};
use super::{Command, GatewayConfig, GatewayUpdate, Presence};
use crate::event::Event;
use crate::session::Token;
use crate::ui_state::{LoginReason, UiState};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type Sink = futures_util::stream::SplitSink<Socket, WsMessage>;

/// How a socket ended.
enum SocketEnd {
    /// Reconnect after applying `action`.
    Reconnect {
        action: CloseAction,
        reason: String,
        was_stable: bool,
    },
    /// `reconnect_now`: dial again without waiting.
    Immediate { was_stable: bool },
    /// Stop the task; the state was already published.
    Stop,
}

/// Results of background work, sent back to the connection task.
enum Background {
    CatchUp(Vec<Fetched>),
    Token(TokenStatus),
}

/// The state of one logical connection across all of its sockets.
pub(crate) struct Connection {
    config: GatewayConfig,
    token: Token,
    history: Arc<dyn HistorySource>,
    verifier: Arc<dyn TokenVerifier>,
    updates: UnboundedSender<GatewayUpdate>,
    commands: UnboundedReceiver<Command>,
    background_tx: UnboundedSender<Background>,
    background: UnboundedReceiver<Background>,
    shard: Shard,
    backoff: Backoff,
    timeline: Timeline,
    presence: Option<Presence>,
    catch_up: repair::CatchUp,
    last_state: Option<UiState>,
    rng: StdRng,
}

impl Connection {
    pub(crate) fn new(
        config: GatewayConfig,
        token: Token,
        history: Arc<dyn HistorySource>,
        verifier: Arc<dyn TokenVerifier>,
        updates: UnboundedSender<GatewayUpdate>,
        commands: UnboundedReceiver<Command>,
    ) -> Self {
        let (background_tx, background) = tokio::sync::mpsc::unbounded_channel();
        let rng = config
            .seed
            .map_or_else(|| StdRng::from_rng(&mut rand::rng()), StdRng::seed_from_u64);
        Self {
            backoff: Backoff::new(config.backoff_base, config.backoff_cap),
            presence: config.presence.clone(),
            config,
            token,
            history,
            verifier,
            updates,
            commands,
            background_tx,
            background,
            shard: Shard::new(),
            timeline: Timeline::default(),
            catch_up: repair::CatchUp::default(),
            last_state: None,
            rng,
        }
    }

    fn publish(&mut self, state: UiState) {
        if self.last_state.as_ref() != Some(&state) {
            self.last_state = Some(state.clone());
            let _ = self.updates.send(GatewayUpdate::State(state));
        }
    }

    fn emit(&self, event: Event) {
        let _ = self.updates.send(GatewayUpdate::Event(event));
    }

    /// Runs until shutdown or a fatal state.
    pub(crate) async fn run(mut self) {
        self.publish(UiState::Connecting);
        loop {
            let end = self.run_socket().await;
            self.stop_catch_up();
            let (action, reason, was_stable) = match end {
                SocketEnd::Stop => break,
                SocketEnd::Immediate { was_stable } => {
                    self.shard.on_disconnect(
                        CloseAction::Resume,
                        0,
                        Instant::now(),
                        self.config.resume_window,
                    );
                    if was_stable {
                        self.backoff.reset();
                    }
                    continue;
                }
                SocketEnd::Reconnect {
                    action,
                    reason,
                    was_stable,
                } => (action, reason, was_stable),
            };
            if was_stable {
                self.backoff.reset();
            }
            match action {
                CloseAction::Fatal => {
                    self.shard.on_fatal();
                    self.publish(UiState::BugReport { message: reason });
                    break;
                }
                CloseAction::VerifyToken => {
                    if self.confirm_token_or_sign_out(&reason).await {
                        break;
                    }
                }
                CloseAction::Resume | CloseAction::Reidentify => {}
            }
            let delay = self.backoff.next_delay(&mut self.rng);
            let attempt = self.backoff.attempt();
            self.shard
                .on_disconnect(action, attempt, Instant::now(), self.config.resume_window);
            tracing::info!(attempt, delay_ms = delay.as_millis(), %reason, state = ?self.shard.state(), "gateway reconnecting");
            if attempt > self.config.offline_after_attempts {
                self.publish(UiState::Offline {
                    reason: format!("Can't reach the server ({reason}). Still trying."),
                });
            } else {
                self.publish(UiState::Reconnecting {
                    attempt,
                    next_at: ms_after(now_ms(), delay),
                });
            }
            if !self.wait(delay).await {
                break;
            }
        }
        self.stop_catch_up();
    }

    /// After 4004: asks REST. Returns `true` when the user was signed out.
    async fn confirm_token_or_sign_out(&mut self, reason: &str) -> bool {
        let status = timeout(self.config.connect_timeout, self.verifier.verify_token())
            .await
            .unwrap_or(TokenStatus::Unknown);
        tracing::info!(?status, "gateway rejected the token; REST says");
        if status == TokenStatus::Invalid {
            self.sign_out(
                LoginReason::InvalidToken,
                format!("The server no longer accepts this session ({reason})."),
            );
            return true;
        }
        false
    }

    fn sign_out(&mut self, reason: LoginReason, message: String) {
        self.shard.on_fatal();
        self.publish(UiState::LoginRequired { reason, message });
    }

    /// Backoff wait that still obeys commands. Returns `false` on shutdown.
    async fn wait(&mut self, delay: Duration) -> bool {
        let until = Instant::now() + delay;
        loop {
            tokio::select! {
                () = sleep_until(until) => return true,
                cmd = self.commands.recv() => match cmd {
                    None | Some(Command::Shutdown) => return false,
                    Some(Command::ReconnectNow) => {
                        self.backoff.reset();
                        return true;
                    }
                    Some(other) => self.on_idle_command(other),
                },
            }
        }
    }

    fn on_idle_command(&mut self, cmd: Command) {
        match cmd {
            Command::SetPresence(p) => self.presence = Some(p),
            Command::Track {
                channel_id,
                last_seen,
            } => self.timeline.track(&channel_id, last_seen),
            Command::Untrack { channel_id } => self.timeline.untrack(&channel_id),
            Command::CatchUpNow | Command::ReconnectNow | Command::Shutdown => {}
        }
    }

    async fn run_socket(&mut self) -> SocketEnd {
        self.shard.on_dial();
        let url = self.config.url.as_str().to_owned();
        let dialed = timeout(
            self.config.connect_timeout,
            tokio_tungstenite::connect_async(url),
        )
        .await;
        let socket = match dialed {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(e)) => {
                return reconnect(
                    CloseAction::Resume,
                    format!("connection failed: {e}"),
                    false,
                )
            }
            Err(_) => return reconnect(CloseAction::Resume, "connection timed out".into(), false),
        };
        let (mut sink, mut stream) = socket.split();
        // A fresh zlib context for every socket: the server starts a new stream per socket.
        let mut inflater = Inflater::new();
        let mut heartbeat: Option<Heartbeat> = None;
        let hello_deadline = Instant::now() + self.config.connect_timeout;
        let mut time_jump = TimeJump::new(
            self.config.time_jump_threshold,
            SystemTime::now(),
            Instant::now(),
        );
        let mut clock_check = tokio::time::interval(self.config.time_check_every);
        clock_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut active_since: Option<Instant> = None;

        loop {
            let stable = active_since.is_some_and(|t| t.elapsed() >= self.config.stable_after);
            let beat_at = heartbeat
                .as_ref()
                .map_or(hello_deadline, Heartbeat::deadline);
            let retry_at = self.catch_up.retry_at;
            let steps: Vec<Step> = tokio::select! {
                cmd = self.commands.recv() => match cmd {
                    None | Some(Command::Shutdown) => {
                        close(&mut sink, 1000).await;
                        return SocketEnd::Stop;
                    }
                    Some(Command::ReconnectNow) => {
                        close(&mut sink, 4000).await;
                        return SocketEnd::Immediate { was_stable: stable };
                    }
                    Some(Command::SetPresence(p)) => {
                        self.presence = Some(p);
                        if self.shard.is_active() && !self.send_presence(&mut sink).await {
                            return reconnect(CloseAction::Resume, "send failed".into(), stable);
                        }
                        continue;
                    }
                    Some(Command::CatchUpNow) => vec![Step::CatchUp],
                    Some(other) => {
                        self.on_idle_command(other);
                        continue;
                    }
                },
                frame = stream.next() => match frame {
                    None => return reconnect(CloseAction::Resume, "connection lost".into(), stable),
                    Some(Err(e)) => return reconnect(CloseAction::Resume, format!("connection error: {e}"), stable),
                    Some(Ok(WsMessage::Close(frame))) => {
                        let code = frame.as_ref().map_or(1005, |f| u16::from(f.code));
                        let why = frame.as_ref().map(|f| f.reason.to_string()).unwrap_or_default();
                        return Self::closed_by_server(code, &why, stable);
                    }
                    Some(Ok(WsMessage::Text(text))) => self.on_text(&text),
                    Some(Ok(WsMessage::Binary(bytes))) => match inflater.push(&bytes) {
                        Ok(Some(message)) => match std::str::from_utf8(&message) {
                            Ok(text) => self.on_text(text),
                            Err(_) => self.on_malformed("compressed frame is not UTF-8"),
                        },
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(error = %e, "gateway zlib stream broken");
                            close(&mut sink, 4000).await;
                            return reconnect(CloseAction::Resume, "corrupt compressed stream".into(), stable);
                        }
                    },
                    Some(Ok(_)) => continue,
                },
                () = sleep_until(beat_at) => match heartbeat.as_mut() {
                    None => {
                        close(&mut sink, 4000).await;
                        return reconnect(CloseAction::Resume, "no HELLO from the server".into(), stable);
                    }
                    Some(hb) => match hb.on_deadline(Instant::now()) {
                        Beat::Send => {
                            if !self.send(&mut sink, &Outbound::Heartbeat(self.shard.seq())).await {
                                return reconnect(CloseAction::Resume, "send failed".into(), stable);
                            }
                            continue;
                        }
                        Beat::Zombie => {
                            tracing::info!("gateway heartbeat not acknowledged: zombie connection");
                            close(&mut sink, 4000).await;
                            return reconnect(CloseAction::Resume, "the server stopped answering".into(), stable);
                        }
                    },
                },
                _ = clock_check.tick() => {
                    if let Some(jump) = time_jump.check(SystemTime::now(), Instant::now()) {
                        tracing::info!(jump_ms = jump.as_millis(), "clock jump (suspend/resume?): reconnecting");
                        close(&mut sink, 4000).await;
                        return reconnect(CloseAction::Resume, "the computer was asleep".into(), stable);
                    }
                    continue;
                },
                bg = self.background.recv() => match bg {
                    Some(Background::CatchUp(result)) => {
                        self.on_catch_up_done(result);
                        continue;
                    }
                    Some(Background::Token(TokenStatus::Invalid)) => {
                        close(&mut sink, 1000).await;
                        self.sign_out(LoginReason::InvalidToken, "This session was revoked.".into());
                        return SocketEnd::Stop;
                    }
                    Some(Background::Token(_)) | None => continue,
                },
                () = sleep_until(retry_at.unwrap_or(beat_at)), if retry_at.is_some() => {
                    self.catch_up.retry_at = None;
                    vec![Step::CatchUp]
                },
            };

            for step in steps {
                if let Some(end) = self
                    .apply(step, &mut sink, &mut heartbeat, &mut active_since, stable)
                    .await
                {
                    return end;
                }
            }
        }
    }

    /// Carries out one [`Step`] of the state machine on this socket; `Some` ends the socket.
    async fn apply(
        &mut self,
        step: Step,
        sink: &mut Sink,
        heartbeat: &mut Option<Heartbeat>,
        active_since: &mut Option<Instant>,
        stable: bool,
    ) -> Option<SocketEnd> {
        match step {
            Step::Identify => {
                let token = self.token.clone();
                let frame = Outbound::Identify {
                    token: &token,
                    intents: self.config.intents,
                    compress: self.config.compress,
                };
                if !self.send(sink, &frame).await {
                    return Some(reconnect(CloseAction::Resume, "send failed".into(), stable));
                }
            }
            Step::Resume { session_id, seq } => {
                let token = self.token.clone();
                let frame = Outbound::Resume {
                    token: &token,
                    session_id: &session_id,
                    seq,
                };
                if !self.send(sink, &frame).await {
                    return Some(reconnect(CloseAction::Resume, "send failed".into(), stable));
                }
            }
            Step::StartHeartbeat { interval_ms } => {
                let jitter: f64 = self.rng.random_range(0.0..1.0);
                *heartbeat = Some(Heartbeat::new(
                    Duration::from_millis(interval_ms),
                    jitter,
                    Instant::now(),
                ));
            }
            Step::HeartbeatNow => {
                if let Some(hb) = heartbeat.as_mut() {
                    hb.on_request(Instant::now());
                }
                if !self
                    .send(sink, &Outbound::Heartbeat(self.shard.seq()))
                    .await
                {
                    return Some(reconnect(CloseAction::Resume, "send failed".into(), stable));
                }
            }
            Step::HeartbeatAck => {
                if let Some(hb) = heartbeat.as_mut() {
                    hb.on_ack(Instant::now());
                    tracing::trace!(
                        rtt_ms = hb.rtt().map(|d| d.as_millis()),
                        "heartbeat acknowledged"
                    );
                }
            }
            Step::Publish(state) => self.publish(state),
            Step::Emit(event) => self.deliver(event),
            Step::Activated => {
                *active_since = Some(Instant::now());
                if !self.send_presence(sink).await {
                    return Some(reconnect(CloseAction::Resume, "send failed".into(), stable));
                }
                self.start_catch_up();
            }
            Step::CatchUp => self.start_catch_up(),
            Step::Reconnect(action, reason) => {
                close(sink, 4000).await;
                return Some(reconnect(action, reason, stable));
            }
            Step::VerifyToken => self.spawn_token_check(),
            Step::SignedOut(message) => {
                close(sink, 1000).await;
                self.sign_out(LoginReason::SignedOutRemotely, message);
                return Some(SocketEnd::Stop);
            }
        }
        None
    }

    fn on_text(&mut self, text: &str) -> Vec<Step> {
        match decode(text) {
            Ok(frame) => self.shard.on_frame(frame, Instant::now()),
            Err(e) => self.on_malformed(&e.to_string()),
        }
    }

    /// A frame we cannot read may have been a message: skip it and repair over REST.
    fn on_malformed(&self, why: &str) -> Vec<Step> {
        tracing::warn!(error = why, "ignoring malformed gateway frame");
        if self.shard.is_active() {
            vec![Step::CatchUp]
        } else {
            Vec::new()
        }
    }

    fn closed_by_server(code: u16, why: &str, stable: bool) -> SocketEnd {
        let close = CloseCode::from(code);
        let action = close.action();
        tracing::info!(code, reason = why, ?action, "gateway closed by server");
        let reason = match close {
            CloseCode::InvalidIntents => format!(
                "The server rejected this app's gateway intents (close {code}: {why}). This is a bug in Plexichat Desktop."
            ),
            _ => format!("closed by server: {code} {why}").trim_end().to_owned(),
        };
        reconnect(action, reason, stable)
    }

    async fn send(&mut self, sink: &mut Sink, frame: &Outbound<'_>) -> bool {
        let text = match frame.encode() {
            Ok(text) => text,
            Err(e) => {
                // Only presence can be big, and the handle checked it: skip rather than die.
                tracing::warn!(error = %e, "not sending oversized gateway frame");
                return true;
            }
        };
        matches!(
            timeout(
                self.config.connect_timeout,
                sink.send(WsMessage::text(text))
            )
            .await,
            Ok(Ok(()))
        )
    }

    async fn send_presence(&mut self, sink: &mut Sink) -> bool {
        match self.presence.clone() {
            Some(p) => self.send(sink, &Outbound::Presence(&p)).await,
            None => true,
        }
    }

    fn spawn_token_check(&self) {
        let verifier = Arc::clone(&self.verifier);
        let tx = self.background_tx.clone();
        let limit = self.config.connect_timeout;
        tokio::spawn(async move {
            let status = timeout(limit, verifier.verify_token())
                .await
                .unwrap_or(TokenStatus::Unknown);
            let _ = tx.send(Background::Token(status));
        });
    }
}

fn reconnect(action: CloseAction, reason: String, was_stable: bool) -> SocketEnd {
    SocketEnd::Reconnect {
        action,
        reason,
        was_stable,
    }
}

/// Best-effort close; a dead peer must not hold us up.
async fn close(sink: &mut Sink, code: u16) {
    let frame = CloseFrame {
        code: WsCloseCode::from(code),
        reason: "".into(),
    };
    let _ = timeout(
        Duration::from_secs(1),
        sink.send(WsMessage::Close(Some(frame))),
    )
    .await;
}
