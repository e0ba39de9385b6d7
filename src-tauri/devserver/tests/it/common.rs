//! Shared helpers: a small REST client and a gateway client that understands zlib-stream
//! frames. Every wait has a timeout.

use flate2::{Decompress, FlushDecompress};
use futures_util::{SinkExt, StreamExt};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestServer, TestUser};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Generous per-wait limit for a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(10);

/// `for_tests()` with a 5 s heartbeat: tests that do not send heartbeats must not hit the
/// 4009 timeout on a loaded machine; timeout tests set the interval themselves.
pub fn quiet_config() -> DevServerConfig {
    DevServerConfig {
        heartbeat_interval_ms: 5_000,
        ..DevServerConfig::for_tests()
    }
}

/// Starts a server for tests.
pub async fn start(config: DevServerConfig) -> DevServerHandle {
    DevServer::start(config).await.expect("devserver starts")
}

/// A password that meets the server's rules.
pub const PASSWORD: &str = "Correct-Horse-9battery";

/// A new account `name` with [`PASSWORD`].
pub async fn user(server: &DevServerHandle, name: &str) -> TestUser {
    server
        .create_user(name, PASSWORD)
        .await
        .expect("user created")
}

/// A server `name` owned by `owner`, which every one of `members` has joined.
pub async fn shared_server(
    server: &DevServerHandle,
    owner: &TestUser,
    name: &str,
    members: &[&TestUser],
) -> TestServer {
    let s = server
        .create_server(&owner.id, name)
        .await
        .expect("server created");
    for m in members {
        server.add_member(&s.id, &m.id).await.expect("member added");
    }
    s
}

/// One REST answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// `error.message`, or "" when the body has no envelope.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

/// A REST client bound to one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(server: &DevServerHandle) -> Self {
        Self {
            base: server.base_url(),
            http: reqwest::Client::builder()
                .timeout(WAIT)
                .build()
                .expect("client"),
        }
    }

    /// Sends a request to `/api/v1{path}` (or `path` itself when it does not start with `/api`
    /// and `raw` is set).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let url =
            if path.starts_with("/api") || path.starts_with("/__") || path.starts_with("/health") {
                format!("{}{path}", self.base)
            } else {
                format!("{}/api/v1{path}", self.base)
            };
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::finish(req).await
    }

    /// Sends a prepared request.
    pub async fn finish(req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// `POST /auth/login` with a user name and password.
    pub async fn login(&self, username: &str, password: &str) -> Reply {
        let body = serde_json::json!({"username": username, "password": password});
        self.post("/auth/login", None, body).await
    }
}

/// What came off a gateway socket.
#[derive(Debug)]
pub enum Frame {
    Json(Value),
    /// A text frame that is not JSON.
    Garbage(String),
    Closed(Option<u16>),
    /// The connection ended without a close frame.
    Dropped,
}

/// A gateway client.
pub struct Gw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    inflater: Decompress,
}

impl Gw {
    /// Connects and reads HELLO.
    pub async fn connect(server: &DevServerHandle) -> (Self, Value) {
        let url = format!("ws://{}/gateway", server.addr());
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("connect");
        let mut gw = Self {
            ws,
            inflater: Decompress::new(true),
        };
        let hello = gw.json().await;
        assert_eq!(hello["op"], 10, "first frame is HELLO: {hello}");
        (gw, hello)
    }

    /// Wraps a socket that is already connected (HELLO not yet read).
    pub fn from_stream(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self {
            ws,
            inflater: Decompress::new(true),
        }
    }

    /// Connects, IDENTIFYs and returns READY's `d`.
    pub async fn identify(server: &DevServerHandle, token: &str) -> (Self, Value) {
        let (mut gw, _) = Self::connect(server).await;
        gw.send(serde_json::json!({"op": 2, "d": {"token": token, "intents": 1_900_543, "compress": false}})).await;
        let ready = gw.json().await;
        assert_eq!(ready["t"], "READY", "{ready}");
        (gw, ready["d"].clone())
    }

    /// Connects and asks to RESUME `session_id` from `seq`; the answer is left unread.
    pub async fn resume(server: &DevServerHandle, token: &str, session_id: &str, seq: u64) -> Self {
        let (mut gw, _) = Self::connect(server).await;
        gw.send(serde_json::json!({"op": 6, "d": {"token": token, "session_id": session_id, "seq": seq}}))
            .await;
        gw
    }

    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    /// The underlying socket.
    pub fn raw(&mut self) -> &mut WebSocketStream<MaybeTlsStream<TcpStream>> {
        &mut self.ws
    }

    pub async fn send_raw(&mut self, m: Message) {
        self.ws.send(m).await.expect("send");
    }

    /// The next frame, or `None` when nothing arrives within `within`.
    pub async fn next_within(&mut self, within: Duration) -> Option<Frame> {
        loop {
            let item = tokio::time::timeout(within, self.ws.next()).await.ok()?;
            return Some(match item {
                None | Some(Err(_)) => Frame::Dropped,
                Some(Ok(Message::Text(t))) => match serde_json::from_str(&t) {
                    Ok(v) => Frame::Json(v),
                    Err(_) => Frame::Garbage(t.to_string()),
                },
                Some(Ok(Message::Binary(b))) => {
                    let mut out = Vec::with_capacity(b.len() * 8 + 1024);
                    self.inflater
                        .decompress_vec(&b, &mut out, FlushDecompress::Sync)
                        .expect("valid zlib stream chunk");
                    Frame::Json(serde_json::from_slice(&out).expect("json inside zlib"))
                }
                Some(Ok(Message::Close(c))) => Frame::Closed(c.map(|c| u16::from(c.code))),
                Some(Ok(_)) => continue,
            });
        }
    }

    /// The next JSON frame; panics on anything else.
    pub async fn json(&mut self) -> Value {
        match self.next_within(WAIT).await {
            Some(Frame::Json(v)) => v,
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// Skips frames until a dispatch of type `t`.
    pub async fn event(&mut self, t: &str) -> Value {
        loop {
            let v = self.json().await;
            if v["t"] == t {
                return v;
            }
        }
    }

    /// Reads until the socket closes; returns the close code (`None` if dropped).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next_within(WAIT).await {
                Some(Frame::Closed(code)) => return code,
                Some(Frame::Dropped) => return None,
                None => panic!("socket did not close in time"),
                Some(_) => {}
            }
        }
    }
}
