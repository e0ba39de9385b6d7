//! No panic on any input: random JSON and byte bodies against every route family, and random
//! frames against the gateway. A panicking handler would drop the connection (a transport
//! error here) or poison state so later requests fail; both are caught.

use crate::common::{Api, Gw, WAIT};
use futures_util::SinkExt;
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestUser};
use proptest::prelude::*;
use reqwest::Method;
use serde_json::Value;
use std::sync::OnceLock;
use tokio_tungstenite::tungstenite::Message;

struct Env {
    rt: tokio::runtime::Runtime,
    api: Api,
    server: DevServerHandle,
    alice: TestUser,
    channel: String,
    server_id: String,
    message: String,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (server, alice, s, message) = rt.block_on(async {
            let config = DevServerConfig {
                rate_limits: false,
                ..DevServerConfig::for_tests()
            };
            let server = DevServer::start(config).await.unwrap();
            let alice = server
                .create_user("alice", "Correct-Horse-9battery")
                .await
                .unwrap();
            let s = server.create_server(&alice.id, "Fuzz").await.unwrap();
            let m = server
                .post_message(&alice.id, &s.general_channel_id, "seed")
                .await
                .unwrap();
            (server, alice, s, m)
        });
        let api = Api::new(&server);
        Env {
            rt,
            api,
            server,
            alice,
            channel: s.general_channel_id,
            server_id: s.id,
            message,
        }
    })
}

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/auth/register"),
    ("POST", "/auth/login"),
    ("POST", "/auth/2fa"),
    ("POST", "/auth/2fa/enable"),
    ("POST", "/version/negotiate"),
    ("PATCH", "/users/@me"),
    ("PUT", "/users/@me/presence"),
    ("PUT", "/users/@me/settings/{x}"),
    ("POST", "/users/@me/channels"),
    ("GET", "/users/{x}"),
    ("POST", "/servers/"),
    ("PATCH", "/servers/{s}"),
    ("POST", "/servers/{s}/channels"),
    ("POST", "/servers/{s}/roles"),
    ("GET", "/servers/{s}/members?limit={x}"),
    ("POST", "/channels/{c}/messages"),
    ("GET", "/channels/{c}/messages?before={x}&limit={x}"),
    ("PATCH", "/channels/{c}/messages/{m}"),
    ("PUT", "/channels/{c}/messages/{m}/reactions/{x}"),
    ("POST", "/channels/{c}/invites"),
    ("POST", "/channels/{c}/messages/ack?message_id={x}"),
    ("POST", "/relationships"),
    ("POST", "/relationships/block"),
    ("PUT", "/relationships/{x}/accept"),
    ("GET", "/channels/{x}/pins"),
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        "[0-9]{1,25}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("content".to_owned()),
                    Just("username".to_owned()),
                    Just("password".to_owned()),
                    Just("user_id".to_owned()),
                    Just("recipient_id".to_owned()),
                    Just("name".to_owned()),
                    Just("status".to_owned()),
                    Just("code".to_owned()),
                    Just("challenge_token".to_owned()),
                    Just("client_version".to_owned()),
                    Just("reply_to_id".to_owned()),
                    Just("attachments".to_owned()),
                    Just("value".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..200),
    ]
}

fn fill(template: &str, e: &Env, x: &str) -> String {
    let x: String = url::form_urlencoded::byte_serialize(x.as_bytes()).collect();
    template
        .replace("{c}", &e.channel)
        .replace("{s}", &e.server_id)
        .replace("{m}", &e.message)
        .replace("{x}", if x.is_empty() { "0" } else { &x })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 800, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_rest_bodies_get_an_answer_never_a_dropped_connection(
        route in 0..ROUTES.len(),
        body in body(),
        x in prop_oneof![
            ".{0,30}",
            Just("0".to_owned()),
            Just("-1".to_owned()),
            Just(u64::MAX.to_string()),
            Just("99999999999999999999999".to_owned()),
            "[0-9]{1,20}",
        ],
        with_token in proptest::bool::weighted(0.85),
        json_type in any::<bool>(),
    ) {
        let e = env();
        let (method, template) = ROUTES[route];
        let api = &e.api;
        let url = format!("{}/api/v1{}", api.base, fill(template, e, &x));
        let status = e.rt.block_on(async {
            let mut req = api.http.request(Method::from_bytes(method.as_bytes()).unwrap(), url).body(body);
            if json_type {
                req = req.header("content-type", "application/json");
            }
            if with_token {
                req = req.bearer_auth(&e.alice.token);
            }
            let resp = req.send().await.expect("an answer, not a dropped connection");
            prop_assert!(!resp.headers().contains_key("x-devserver-panic"), "a handler panicked");
            let status = resp.status();
            let text = resp.text().await.unwrap();
            if status.is_client_error() || status.is_server_error() {
                let v: Value = serde_json::from_str(&text).expect("errors are JSON");
                prop_assert!(v.get("error").is_some() || v.get("retry_after").is_some(), "{}", text);
            }
            Ok(status)
        })?;
        prop_assert!(status.as_u16() < 600);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_gateway_frames_never_take_the_server_down(
        frame in prop_oneof![
            ".{0,80}".prop_map(|s| Message::Text(s.into())),
            json_value().prop_map(|v| Message::Text(v.to_string().into())),
            (0i64..50, json_value()).prop_map(|(op, d)| Message::Text(serde_json::json!({"op": op, "d": d}).to_string().into())),
            prop::collection::vec(any::<u8>(), 0..100).prop_map(|b| Message::Binary(b.into())),
        ],
        identify_first in any::<bool>(),
    ) {
        let e = env();
        e.rt.block_on(async {
            let (mut gw, _) = if identify_first {
                Gw::identify(&e.server, &e.alice.token).await
            } else {
                let (gw, hello) = Gw::connect(&e.server).await;
                (gw, hello)
            };
            gw.send_raw(frame).await;
            // Either an answer, a close, or silence: all fine. Only the server's health matters.
            let _ = gw.next_within(std::time::Duration::from_millis(50)).await;
            let api = &e.api;
            let health = tokio::time::timeout(WAIT, api.get("/health", None)).await.expect("health in time");
            assert_eq!(health.status, 200);
            let (mut fresh, _) = Gw::connect(&e.server).await;
            let _ = fresh.ws_close().await;
        });
    }
}

impl Gw {
    /// Closes politely so the server does not keep the socket until its timeout.
    async fn ws_close(&mut self) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        SinkExt::close(self.raw()).await
    }
}
