//! Every fault, triggered over HTTP (`POST /__devserver/fault`) or from Rust, and observed over
//! the wire the way a client would see it.

use crate::common::{quiet_config, start, user, Api, Frame, Gw, PASSWORD, WAIT};
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn setup() -> (DevServerHandle, Api, TestUser) {
    let server = start(quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice").await;
    (server, api, alice)
}

async fn fault(api: &Api, body: Value) -> Value {
    let r = api.post("/__devserver/fault", None, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

#[tokio::test]
async fn http_status_fails_next_calls_with_real_body_then_recovers() {
    let (_server, api, alice) = setup().await;
    let active = fault(&api, json!({"http_status": 503, "count": 2})).await;
    assert_eq!(active["http_status"]["count"], 2);
    for _ in 0..2 {
        let r = api.get("/users/@me", Some(&alice.token)).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.body,
            json!({"error": {"code": 503, "message": "Module not available"}})
        );
    }
    let r = api.get("/users/@me", Some(&alice.token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["username"], "alice");
}

#[tokio::test]
async fn rate_limit_fault_answers_unenveloped_429_with_retry_after() {
    let (_server, api, _alice) = setup().await;
    fault(
        &api,
        json!({"rate_limit": {"retry_after": 2.5, "global": true, "count": 1}}),
    )
    .await;
    let r = api.get("/version", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.get("error").is_none(), "no envelope: {}", r.text);
    assert_eq!(r.body["retry_after"], 2.5);
    assert_eq!(r.body["global"], true);
    assert_eq!(r.headers["retry-after"], "3");
    assert_eq!(api.get("/version", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn min_version_fault_makes_negotiate_and_later_calls_answer_426() {
    let (_server, api, alice) = setup().await;
    let ok = api
        .post(
            "/version/negotiate",
            None,
            json!({"client_version": "a.1.0-49"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    fault(&api, json!({"min_version": "a.1.0-60"})).await;
    let r = api
        .post(
            "/version/negotiate",
            None,
            json!({"client_version": "a.1.0-49"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UPGRADE_REQUIRED);
    let e = &r.body["error"];
    assert_eq!(e["code"], "VERSION_OUTDATED");
    for field in [
        "client_version",
        "min_version",
        "server_version",
        "update_url",
    ] {
        assert!(e.get(field).is_some(), "missing {field}: {e}");
    }
    assert_eq!(e["min_version"], "a.1.0-60");
    let later = api.get("/users/@me", Some(&alice.token)).await;
    assert_eq!(later.status, StatusCode::UPGRADE_REQUIRED);
    assert_eq!(later.body["error"]["code"], "VERSION_OUTDATED");
}

#[tokio::test]
async fn delay_fault_slows_every_rest_answer() {
    let (server, api, _alice) = setup().await;
    server.faults().delay_ms(400);
    let t = Instant::now();
    assert_eq!(api.get("/version", None).await.status, StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    fault(&api, json!({"delay_ms": 0})).await;
    assert_eq!(
        api.get("/__devserver/fault", None).await.body["delay_ms"],
        0
    );
}

#[tokio::test]
async fn lock_account_refuses_login_suspends_sessions_and_alerts_the_socket() {
    let (server, api, alice) = setup().await;
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    fault(&api, json!({"lock_account": "alice"})).await;
    let alert = gw.event("SECURITY_ALERT").await;
    assert_eq!(alert["d"]["type"], "account_locked");
    let login = api.login("alice", PASSWORD).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert_eq!(login.message(), "Account locked");
    let me = api.get("/users/@me", Some(&alice.token)).await;
    assert_eq!(me.status, StatusCode::FORBIDDEN);
    assert_eq!(me.message(), "Account suspended");
    assert!(me.body["error"]["reason"].is_string());
}

#[tokio::test]
async fn revoke_sessions_logs_the_socket_out_and_rest_answers_401() {
    let (server, api, alice) = setup().await;
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    fault(&api, json!({"revoke_sessions": "alice"})).await;
    let logout = gw.event("SECURITY_LOGOUT").await;
    assert!(logout["d"]["reason"].is_string());
    assert_eq!(gw.close_code().await, Some(4004));
    let me = api.get("/users/@me", Some(&alice.token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.message(), "Invalid/Revoked");
}

async fn chat_setup() -> (DevServerHandle, Api, TestUser, String, Gw) {
    let (server, api, alice) = setup().await;
    let s = server.create_server(&alice.id, "Fault HQ").await.unwrap();
    let (gw, _) = Gw::identify(&server, &alice.token).await;
    (server, api, alice, s.general_channel_id, gw)
}

#[tokio::test]
async fn drop_events_leaves_a_seq_gap_and_loses_the_event() {
    let (server, api, alice, channel, mut gw) = chat_setup().await;
    fault(&api, json!({"drop_events": 1})).await;
    let lost = server
        .post_message(&alice.id, &channel, "lost")
        .await
        .unwrap();
    let kept = server
        .post_message(&alice.id, &channel, "kept")
        .await
        .unwrap();
    let ev = gw.event("MESSAGE_CREATE").await;
    assert_eq!(ev["d"]["id"], kept.as_str(), "the first event was dropped");
    assert_ne!(ev["d"]["id"], lost.as_str());
    // READY was seq 1 and the dropped event used seq 2.
    assert_eq!(ev["s"], 3);
    assert_eq!(server.channel_message_ids(&channel), vec![lost, kept]);
}

#[tokio::test]
async fn duplicate_events_sends_the_same_frame_twice() {
    let (server, api, alice, channel, mut gw) = chat_setup().await;
    fault(&api, json!({"duplicate_events": 1})).await;
    let id = server
        .post_message(&alice.id, &channel, "twice")
        .await
        .unwrap();
    let a = gw.event("MESSAGE_CREATE").await;
    let b = gw.event("MESSAGE_CREATE").await;
    assert_eq!(a, b);
    assert_eq!(a["d"]["id"], id.as_str());
}

#[tokio::test]
async fn malformed_frame_reaches_every_socket() {
    let (server, api, alice) = setup().await;
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    fault(&api, json!({"malformed_frame": true})).await;
    match gw.next_within(WAIT).await {
        Some(Frame::Garbage(text)) => assert!(serde_json::from_str::<Value>(&text).is_err()),
        other => panic!("expected a malformed frame, got {other:?}"),
    }
}

#[tokio::test]
async fn drop_gateway_cuts_sockets_without_a_close_frame_and_resume_replays() {
    let (server, api, alice) = setup().await;
    let s = server.create_server(&alice.id, "Fault HQ").await.unwrap();
    let (mut gw, ready) = Gw::identify(&server, &alice.token).await;
    let session = ready["session_id"].as_str().unwrap().to_owned();
    fault(&api, json!({"drop_gateway": true})).await;
    assert_eq!(gw.close_code().await, None, "no close frame");
    let missed = server
        .post_message(&alice.id, &s.general_channel_id, "while away")
        .await
        .unwrap();
    let mut gw = Gw::resume(&server, &alice.token, &session, 1).await;
    let resumed = gw.json().await;
    assert_eq!(resumed["t"], "RESUMED");
    let replayed = gw.event("MESSAGE_CREATE").await;
    assert_eq!(replayed["d"]["id"], missed.as_str());
}

#[tokio::test]
async fn zombie_stops_heartbeat_acks_until_turned_off() {
    let (server, api, alice) = setup().await;
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    fault(&api, json!({"zombie": true})).await;
    gw.send(json!({"op": 1, "d": 1})).await;
    // Absence can only be observed by waiting: a bounded wait shorter than the 2 s timeout.
    assert!(
        gw.next_within(Duration::from_millis(700)).await.is_none(),
        "no ACK while zombie"
    );
    fault(&api, json!({"zombie": false})).await;
    gw.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(gw.json().await, json!({"op": 11}));
}

#[tokio::test]
async fn reset_clears_every_switch_and_get_shows_state() {
    let (_server, api, alice) = setup().await;
    fault(
        &api,
        json!({"http_status": 500, "count": 5, "zombie": true, "drop_events": 3}),
    )
    .await;
    let shown = api.get("/__devserver/fault", None).await.body;
    assert_eq!(shown["http_status"]["status"], 500);
    assert_eq!(shown["zombie"], true);
    assert_eq!(shown["drop_events"], 3);
    let active = fault(&api, json!({"reset": true})).await;
    assert_eq!(active["http_status"], Value::Null);
    assert_eq!(active["zombie"], false);
    assert_eq!(
        api.get("/users/@me", Some(&alice.token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_fault_is_refused_and_nothing_applies() {
    let (_server, api, _alice) = setup().await;
    let r = api
        .post(
            "/__devserver/fault",
            None,
            json!({"zombie": true, "explode": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api.get("/__devserver/fault", None).await.body["zombie"],
        false
    );
}

#[tokio::test]
async fn http_status_also_accepts_the_nested_form_and_429_has_no_envelope() {
    let (_server, api, _alice) = setup().await;
    fault(&api, json!({"http_status": {"status": 429, "count": 1}})).await;
    let r = api.get("/version", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["message"], "You are being rate limited.");
    assert_eq!(api.get("/version", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn token_check_limit_answers_401_that_is_not_a_logout_and_closes_identify_with_4004() {
    let (server, api, alice) = setup().await;
    fault(&api, json!({"token_check_limit": 2})).await;
    let r = api.get("/users/@me", Some(&alice.token)).await;
    assert_eq!(
        (r.status, r.message()),
        (
            StatusCode::UNAUTHORIZED,
            "Token verification rate limit exceeded"
        )
    );
    let (mut gw, _) = Gw::connect(&server).await;
    gw.send(json!({"op": 2, "d": {"token": alice.token}})).await;
    assert_eq!(gw.close_code().await, Some(4004));
    // The token itself is still good once the limit passes.
    assert_eq!(
        api.get("/users/@me", Some(&alice.token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn request_count_sees_faulted_calls_too() {
    let (server, api, alice) = setup().await;
    let s = server.create_server(&alice.id, "HQ").await.unwrap();
    let path = format!("/channels/{}/messages", s.general_channel_id);
    server.faults().http_status(500, 1);
    assert_eq!(
        api.post(&path, Some(&alice.token), json!({"content": "a"}))
            .await
            .status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        api.post(&path, Some(&alice.token), json!({"content": "a"}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(server.request_count("POST", "/channels/{id}/messages"), 2);
    assert_eq!(server.channel_message_ids(&s.general_channel_id).len(), 1);
}

#[tokio::test]
async fn rate_limit_fault_can_target_one_route() {
    let server = DevServer::start(DevServerConfig::for_tests())
        .await
        .unwrap();
    let user = server
        .create_user("route_probe", "Route-Probe-123!")
        .await
        .unwrap();
    let guild = server.create_server(&user.username, "S").await.unwrap();
    server
        .faults()
        .apply(&json!({"rate_limit": {"retry_after": 1.0, "count": 1, "route": "POST /api/v1/channels/"}}))
        .unwrap();
    let http = reqwest::Client::new();
    let me = http
        .get(format!("{}/api/v1/users/@me", server.base_url()))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "a GET elsewhere is not limited");
    let url = format!(
        "{}/api/v1/channels/{}/messages",
        server.base_url(),
        guild.general_channel_id
    );
    let first = http
        .post(&url)
        .bearer_auth(&user.token)
        .json(&json!({"content": "one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 429);
    let second = http
        .post(&url)
        .bearer_auth(&user.token)
        .json(&json!({"content": "two"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    server.shutdown().await;
}
