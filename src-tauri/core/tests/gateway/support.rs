//! Shared scaffolding for the gateway tests: a devserver with two users in one channel, REST
//! implementations of the gateway's traits, and a recorder that keeps what the client saw.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use plexichat_core::event::Event;
use plexichat_core::gateway::{
    Gateway, GatewayConfig, GatewayHandle, GatewayUpdate, HistoryError, HistorySource, Token,
    TokenStatus, TokenVerifier,
};
use plexichat_core::model::Message;
use plexichat_core::ui_state::UiState;
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestUser};
use tokio::sync::mpsc::UnboundedReceiver;

/// Generous: the machine is a loaded 2-core box.
pub const WAIT: Duration = Duration::from_secs(30);

/// A devserver with alice (the client under test) and bob (who posts) in one channel.
pub struct World {
    pub server: DevServerHandle,
    pub alice: TestUser,
    pub bob: TestUser,
    pub channel: String,
}

impl World {
    /// Starts a devserver; `tweak` adjusts its config. Events are not replayed on RESUME,
    /// like the reference server (PROTOCOL.md §7): the client must repair gaps itself.
    pub async fn start(tweak: impl FnOnce(&mut DevServerConfig)) -> Self {
        let mut cfg = DevServerConfig::for_tests();
        cfg.replay_on_resume = false;
        tweak(&mut cfg);
        let server = DevServer::start(cfg).await.expect("devserver starts");
        let alice = server
            .create_user("alice", "Correct-Horse-9!")
            .await
            .unwrap();
        let bob = server
            .create_user("bob", "Battery-Staple-9!")
            .await
            .unwrap();
        let s = server.create_server(&alice.id, "Test").await.unwrap();
        server.add_member(&s.id, &bob.id).await.unwrap();
        let channel = server.create_channel(&s.id, "chat").await.unwrap();
        Self {
            server,
            alice,
            bob,
            channel,
        }
    }

    pub fn api(&self) -> String {
        format!("{}/api/v1", self.server.base_url())
    }

    /// Client config scaled down for tests.
    pub fn config(&self) -> GatewayConfig {
        let mut c = GatewayConfig::from_base_url(&self.server.base_url()).unwrap();
        c.backoff_base = Duration::from_millis(50);
        c.backoff_cap = Duration::from_millis(800);
        c.stable_after = Duration::from_secs(2);
        c.connect_timeout = Duration::from_secs(5);
        c.resume_window = Duration::from_secs(8);
        c.offline_after_attempts = 1000;
        c.seed = Some(7);
        c
    }

    pub fn history(&self, token: &str) -> Arc<RestHistory> {
        Arc::new(RestHistory {
            http: reqwest::Client::new(),
            api: self.api(),
            token: token.to_owned(),
        })
    }

    pub fn verifier(&self, token: &str) -> Arc<RestVerifier> {
        Arc::new(RestVerifier {
            http: reqwest::Client::new(),
            api: self.api(),
            token: token.to_owned(),
        })
    }

    /// Connects alice with REST-backed catch-up and token checks.
    pub fn connect_alice(&self, config: GatewayConfig) -> (GatewayHandle, Recorder) {
        self.connect(config, &self.alice.token.clone())
    }

    pub fn connect(&self, config: GatewayConfig, token: &str) -> (GatewayHandle, Recorder) {
        let (handle, rx) = Gateway::connect(
            config,
            Token::new(token),
            self.history(&self.alice.token),
            self.verifier(token),
        );
        (handle, Recorder::new(rx))
    }

    /// Bob posts over REST like a real client, waiting out 429s (bounded).
    pub async fn post_over_rest(&self, http: &reqwest::Client, content: &str) -> String {
        let url = format!("{}/channels/{}/messages", self.api(), self.channel);
        for _ in 0..50 {
            let resp = http
                .post(&url)
                .bearer_auth(&self.bob.token)
                .json(&serde_json::json!({ "content": content }))
                .send()
                .await
                .expect("REST reachable");
            if resp.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                let body: serde_json::Value = resp.json().await.unwrap_or_default();
                let wait = body["retry_after"].as_f64().unwrap_or(0.1).clamp(0.01, 5.0);
                tokio::time::sleep(Duration::from_secs_f64(wait)).await;
                continue;
            }
            assert!(resp.status().is_success(), "post failed: {}", resp.status());
            let body: serde_json::Value = resp.json().await.unwrap();
            return body["id"].as_str().expect("message id").to_owned();
        }
        panic!("still rate limited after 50 tries");
    }

    /// Bob changes a message over REST (`PATCH` content, `DELETE`, or a pin `PUT`), waiting
    /// out 429s (bounded).
    pub async fn change_over_rest(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) {
        let url = format!("{}{path}", self.api());
        for _ in 0..50 {
            let mut req = http
                .request(method.clone(), &url)
                .bearer_auth(&self.bob.token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = req.send().await.expect("REST reachable");
            if resp.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                let body: serde_json::Value = resp.json().await.unwrap_or_default();
                let wait = body["retry_after"].as_f64().unwrap_or(0.1).clamp(0.01, 5.0);
                tokio::time::sleep(Duration::from_secs_f64(wait)).await;
                continue;
            }
            assert!(
                resp.status().is_success(),
                "{method} {path} failed: {}",
                resp.status()
            );
            return;
        }
        panic!("still rate limited after 50 tries");
    }

    pub async fn post(&self, content: &str) -> String {
        self.server
            .post_message(&self.bob.id, &self.channel, content)
            .await
            .expect("post")
    }
}

/// The gateway's catch-up source over plain reqwest (the test stays independent of core's
/// REST client).
pub struct RestHistory {
    http: reqwest::Client,
    api: String,
    token: String,
}

#[async_trait]
impl HistorySource for RestHistory {
    async fn messages_after(
        &self,
        channel_id: &str,
        after_id: &str,
        limit: u8,
    ) -> Result<Vec<Message>, HistoryError> {
        let resp = self
            .http
            .get(format!("{}/channels/{channel_id}/messages", self.api))
            .query(&[("after", after_id), ("limit", &limit.to_string())])
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| HistoryError::new(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
                .map(|s| Duration::from_secs_f64(s.clamp(0.0, 60.0)));
            return Err(HistoryError {
                message: format!("status {status}"),
                retry_after,
            });
        }
        resp.json()
            .await
            .map_err(|e| HistoryError::new(e.to_string()))
    }

    async fn messages_before(
        &self,
        channel_id: &str,
        before: Option<&str>,
        limit: u8,
    ) -> Result<Option<Vec<Message>>, HistoryError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(b) = before {
            query.push(("before", b.to_owned()));
        }
        let resp = self
            .http
            .get(format!("{}/channels/{channel_id}/messages", self.api))
            .query(&query)
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| HistoryError::new(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(HistoryError::new(format!("status {status}")));
        }
        resp.json()
            .await
            .map(Some)
            .map_err(|e| HistoryError::new(e.to_string()))
    }
}

/// Token check over `GET /users/@me`.
pub struct RestVerifier {
    http: reqwest::Client,
    api: String,
    token: String,
}

#[async_trait]
impl TokenVerifier for RestVerifier {
    async fn verify_token(&self) -> TokenStatus {
        match self
            .http
            .get(format!("{}/users/@me", self.api))
            .bearer_auth(&self.token)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => TokenStatus::Valid,
            Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED => {
                let body = r.text().await.unwrap_or_default();
                if body.contains("rate limit") {
                    TokenStatus::Unknown
                } else {
                    TokenStatus::Invalid
                }
            }
            _ => TokenStatus::Unknown,
        }
    }
}

/// A verifier with a fixed answer.
pub struct FixedVerifier(pub TokenStatus);

#[async_trait]
impl TokenVerifier for FixedVerifier {
    async fn verify_token(&self) -> TokenStatus {
        self.0
    }
}

/// Counts token checks and remembers the last answer.
pub struct CountingVerifier<V> {
    inner: Arc<V>,
    answers: std::sync::Mutex<Vec<TokenStatus>>,
}

impl<V: TokenVerifier> CountingVerifier<V> {
    pub fn new(inner: Arc<V>) -> Self {
        Self {
            inner,
            answers: std::sync::Mutex::default(),
        }
    }

    pub fn calls(&self) -> usize {
        self.answers.lock().unwrap().len()
    }

    pub fn last(&self) -> Option<TokenStatus> {
        self.answers.lock().unwrap().last().copied()
    }
}

#[async_trait]
impl<V: TokenVerifier> TokenVerifier for CountingVerifier<V> {
    async fn verify_token(&self) -> TokenStatus {
        let status = self.inner.verify_token().await;
        self.answers.lock().unwrap().push(status);
        status
    }
}

/// Keeps every update the client produced, in order.
pub struct Recorder {
    rx: UnboundedReceiver<GatewayUpdate>,
    pub states: Vec<UiState>,
    pub events: Vec<Event>,
    pub closed: bool,
}

impl Recorder {
    pub fn new(rx: UnboundedReceiver<GatewayUpdate>) -> Self {
        Self {
            rx,
            states: Vec::new(),
            events: Vec::new(),
            closed: false,
        }
    }

    fn record(&mut self, update: GatewayUpdate) {
        match update {
            GatewayUpdate::State(s) => self.states.push(s),
            GatewayUpdate::Event(e) => self.events.push(e),
        }
    }

    /// Receives until `done` holds for what was recorded; panics after [`WAIT`].
    pub async fn until(&mut self, what: &str, mut done: impl FnMut(&Self) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(update)) => self.record(update),
                Ok(None) => {
                    self.closed = true;
                    assert!(
                        done(self),
                        "updates ended before {what}; states: {:?}",
                        self.states
                    );
                    return;
                }
                Err(_) => panic!("timed out waiting for {what}; states: {:?}", self.states),
            }
        }
    }

    /// Waits for the next state matching `pred` (states already seen count).
    pub async fn state(&mut self, what: &str, pred: impl Fn(&UiState) -> bool) -> UiState {
        self.until(what, |r| r.states.iter().any(&pred)).await;
        self.states.iter().find(|s| pred(s)).cloned().unwrap()
    }

    /// Waits for a new state matching `pred`, ignoring those already recorded.
    pub async fn next_state(&mut self, what: &str, pred: impl Fn(&UiState) -> bool) -> UiState {
        let seen = self.states.len();
        self.until(what, |r| r.states[seen..].iter().any(&pred))
            .await;
        self.states[seen..]
            .iter()
            .find(|s| pred(s))
            .cloned()
            .unwrap()
    }

    /// Records whatever is already queued, without waiting.
    pub fn pump(&mut self) {
        while let Ok(update) = self.rx.try_recv() {
            self.record(update);
        }
    }

    /// Drains everything left after the task stopped.
    pub async fn drain(&mut self) {
        while let Ok(Some(update)) = tokio::time::timeout(WAIT, self.rx.recv()).await {
            self.record(update);
        }
        self.closed = true;
    }

    /// Ids of delivered new messages, in delivery order.
    pub fn message_ids(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::MessageCreate(m) => Some(m.id.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn count_events(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|e| pred(e)).count()
    }
}

pub fn is_ready(s: &UiState) -> bool {
    matches!(s, UiState::Ready { .. })
}

pub fn is_reconnecting(s: &UiState) -> bool {
    matches!(s, UiState::Reconnecting { .. })
}
