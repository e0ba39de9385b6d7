//! The gateway as gateway.txt and PROTOCOL.md §7 describe it.

use crate::common::{quiet_config, shared_server, start, user, Api, Frame, Gw, PASSWORD, WAIT};
use plexichat_devserver::{DevServerConfig, DevServerHandle, TestUser};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn setup() -> (DevServerHandle, TestUser) {
    let server = start(quiet_config()).await;
    let alice = user(&server, "alice").await;
    (server, alice)
}

#[tokio::test]
async fn hello_identify_ready_and_heartbeat_ack() {
    let (server, alice) = setup().await;
    let (mut gw, hello) = Gw::connect(&server).await;
    assert_eq!(hello["d"]["heartbeat_interval"], 5000);
    gw.send(json!({"op": 1, "d": null})).await;
    assert_eq!(
        gw.json().await,
        json!({"op": 11}),
        "heartbeat before IDENTIFY is allowed"
    );
    gw.send(json!({"op": 2, "d": {"token": alice.token, "intents": 0}}))
        .await;
    let ready = gw.json().await;
    assert_eq!(ready["t"], "READY");
    assert_eq!(ready["s"], 1);
    let d = &ready["d"];
    for key in ["v", "user", "guilds", "session_id", "resume_gateway_url"] {
        assert!(d.get(key).is_some(), "READY lacks {key}");
    }
    assert_eq!(d["user"]["id"], alice.id.as_str());
}

#[tokio::test]
async fn compress_true_sends_one_zlib_stream_of_binary_frames() {
    let (server, alice) = setup().await;
    let (mut gw, _) = Gw::connect(&server).await;
    gw.send(json!({"op": 2, "d": {"token": alice.token, "compress": true}}))
        .await;
    // `Gw` inflates binary frames with ONE decompressor; a per-frame stream would fail here.
    assert_eq!(gw.json().await["t"], "READY");
    gw.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(gw.json().await, json!({"op": 11}));
    gw.send(json!({"op": 1, "d": 1})).await;
    assert_eq!(gw.json().await, json!({"op": 11}));
}

async fn closes_with(server: &DevServerHandle, frames: Vec<Message>) -> Option<u16> {
    let (mut gw, _) = Gw::connect(server).await;
    for f in frames {
        gw.send_raw(f).await;
    }
    gw.close_code().await
}

fn text(v: serde_json::Value) -> Message {
    Message::Text(v.to_string().into())
}

#[tokio::test]
async fn every_close_code_of_the_protocol() {
    let (server, alice) = setup().await;
    let identify = || text(json!({"op": 2, "d": {"token": alice.token}}));
    let big = format!("{{\"op\":1,\"d\":\"{}\"}}", "x".repeat(70 * 1024));
    let cases = [
        ("unknown op", vec![text(json!({"op": 99, "d": {}}))], 4001),
        ("not json", vec![Message::Text("{not json".into())], 4002),
        ("no op", vec![text(json!({"d": {}}))], 4002),
        ("oversized frame", vec![Message::Text(big.into())], 4002),
        (
            "binary that is not zlib",
            vec![Message::Binary(vec![0xde, 0xad, 0xbe, 0xef].into())],
            4002,
        ),
        (
            "presence before identify",
            vec![text(json!({"op": 3, "d": {"status": "idle"}}))],
            4003,
        ),
        (
            "bad token",
            vec![text(json!({"op": 2, "d": {"token": "garbage-token"}}))],
            4004,
        ),
        ("identify twice", vec![identify(), identify()], 4005),
    ];
    for (what, frames, code) in cases {
        assert_eq!(closes_with(&server, frames).await, Some(code), "{what}");
    }
    for intents in [json!(-1), json!(1_099_511_627_776_u64), json!(1_900_544)] {
        let f = text(json!({"op": 2, "d": {"token": alice.token, "intents": intents}}));
        assert_eq!(closes_with(&server, vec![f]).await, Some(4013), "{intents}");
    }
}

#[tokio::test]
async fn silence_for_two_heartbeat_intervals_closes_with_4009() {
    let server = start(DevServerConfig::for_tests()).await;
    let alice = user(&server, "alice").await;
    // Never identified, and identified but never beating: both time out after 2 × 1 s.
    assert_eq!(closes_with(&server, vec![]).await, Some(4009));
    let identify = text(json!({"op": 2, "d": {"token": alice.token}}));
    assert_eq!(closes_with(&server, vec![identify]).await, Some(4009));
}

#[tokio::test]
async fn zlib_compressed_identify_from_the_client_is_accepted() {
    use std::io::Write;
    let (server, alice) = setup().await;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(
        json!({"op": 2, "d": {"token": alice.token}})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let (mut gw, _) = Gw::connect(&server).await;
    gw.send_raw(Message::Binary(enc.finish().unwrap().into()))
        .await;
    assert_eq!(gw.json().await["t"], "READY");
}

#[tokio::test]
async fn dispatch_reaches_members_with_increasing_seq_and_not_outsiders() {
    let (server, alice) = setup().await;
    let bob = user(&server, "bob").await;
    let eve = user(&server, "eve").await;
    let s = shared_server(&server, &alice, "HQ", &[&bob]).await;
    let (mut a, _) = Gw::identify(&server, &alice.token).await;
    let (mut e, _) = Gw::identify(&server, &eve.token).await;
    let api = Api::new(&server);
    let sent = api
        .post(
            &format!("/channels/{}/messages", s.general_channel_id),
            Some(&bob.token),
            json!({"content": "hi"}),
        )
        .await;
    assert_eq!(sent.status, 200);
    let typing = api
        .post(
            &format!("/channels/{}/typing", s.general_channel_id),
            Some(&bob.token),
            json!({}),
        )
        .await;
    assert_eq!(typing.status, 200);
    let created = a.event("MESSAGE_CREATE").await;
    assert_eq!(created["d"]["id"], sent.body["id"]);
    assert_eq!(created["d"]["author_id"], bob.id.as_str());
    let t = a.event("TYPING_START").await;
    assert_eq!(t["d"]["username"], "bob");
    assert!(t["s"].as_u64() > created["s"].as_u64());
    assert!(
        e.next_within(Duration::from_millis(300)).await.is_none(),
        "outsider gets nothing"
    );
}

#[tokio::test]
async fn relationship_and_presence_events_reach_both_sides() {
    let (server, alice) = setup().await;
    let bob = user(&server, "bob").await;
    let (mut a, _) = Gw::identify(&server, &alice.token).await;
    let (mut b, _) = Gw::identify(&server, &bob.token).await;
    let api = Api::new(&server);
    api.post(
        "/relationships",
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await;
    let incoming = b.event("RELATIONSHIP_ADD").await;
    assert_eq!(incoming["d"]["status"], "pending_incoming");
    let r = api
        .call(
            reqwest::Method::PUT,
            &format!("/relationships/{}/accept", alice.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let friend = loop {
        let ev = a.event("RELATIONSHIP_ADD").await;
        if ev["d"]["status"] == "friend" {
            break ev;
        }
    };
    assert_eq!(friend["d"]["user_id"], bob.id.as_str());
    a.send(json!({"op": 3, "d": {"status": "dnd"}})).await;
    let p = b.event("PRESENCE_UPDATE").await;
    assert_eq!(p["d"]["status"], "dnd");
    assert_eq!(p["d"]["user_id"], alice.id.as_str());
}

#[tokio::test]
async fn resume_replays_missed_events_or_not_when_configured_like_the_reference() {
    for replay in [true, false] {
        let config = DevServerConfig {
            replay_on_resume: replay,
            ..quiet_config()
        };
        let server = start(config).await;
        let alice = user(&server, "alice").await;
        let s = server.create_server(&alice.id, "HQ").await.unwrap();
        let (gw, ready) = Gw::identify(&server, &alice.token).await;
        drop(gw);
        let session = ready["session_id"].as_str().unwrap().to_owned();
        let missed = server
            .post_message(&alice.id, &s.general_channel_id, "missed")
            .await
            .unwrap();
        let mut gw = Gw::resume(&server, &alice.token, &session, 1).await;
        let resumed = gw.json().await;
        assert_eq!(resumed["t"], "RESUMED");
        assert_eq!(resumed["s"], 1);
        match gw
            .next_within(Duration::from_millis(if replay { 10_000 } else { 400 }))
            .await
        {
            Some(Frame::Json(v)) if replay => assert_eq!(v["d"]["id"], missed.as_str()),
            None if !replay => {}
            other => panic!("replay={replay}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn failed_resume_sends_op9_and_keeps_the_socket_for_identify() {
    let (server, alice) = setup().await;
    let mut gw = Gw::resume(&server, &alice.token, "nonexistent-session", 1).await;
    assert_eq!(gw.json().await, json!({"op": 9, "d": false}));
    gw.send(json!({"op": 2, "d": {"token": alice.token}})).await;
    assert_eq!(gw.json().await["t"], "READY");
}

#[tokio::test]
async fn resume_after_window_fails() {
    let config = DevServerConfig {
        resume_window_ms: 200,
        ..quiet_config()
    };
    let server = start(config).await;
    let alice = user(&server, "alice").await;
    let (gw, ready) = Gw::identify(&server, &alice.token).await;
    drop(gw);
    let session = ready["session_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut gw = Gw::resume(&server, &alice.token, &session, 1).await;
    assert_eq!(gw.json().await, json!({"op": 9, "d": false}));
}

#[tokio::test]
async fn stop_listening_closes_with_1012_and_resume_listening_serves_the_same_port() {
    let (server, alice) = setup().await;
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    let addr = server.addr();
    server.stop_listening().await;
    assert_eq!(gw.close_code().await, Some(1012));
    let refused = tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(addr))
        .await
        .unwrap();
    assert!(refused.is_err(), "nothing listens while stopped");
    server.resume_listening().await.unwrap();
    assert_eq!(server.addr(), addr);
    let me = Api::new(&server)
        .get("/users/@me", Some(&alice.token))
        .await;
    assert_eq!(me.status, 200, "state and sessions survive");
    let (_gw, _) = Gw::identify(&server, &alice.token).await;
}

#[tokio::test]
async fn connecting_and_leaving_changes_presence_for_co_members() {
    let (server, alice) = setup().await;
    let bob = user(&server, "bob").await;
    shared_server(&server, &alice, "HQ", &[&bob]).await;
    let (mut b, _) = Gw::identify(&server, &bob.token).await;
    let (a, _) = Gw::identify(&server, &alice.token).await;
    let online = b.event("PRESENCE_UPDATE").await;
    assert_eq!(
        (
            online["d"]["user_id"].as_str(),
            online["d"]["status"].as_str()
        ),
        (Some(alice.id.as_str()), Some("online"))
    );
    drop(a);
    let offline = b.event("PRESENCE_UPDATE").await;
    assert_eq!(offline["d"]["status"], "offline");
}

#[tokio::test]
async fn revoking_one_session_logs_it_out_and_alerts_the_others() {
    let (server, alice) = setup().await;
    let api = Api::new(&server);
    let login = api.login("alice", PASSWORD).await;
    let second = login.body["token"].as_str().unwrap().to_owned();
    let (mut first_gw, _) = Gw::identify(&server, &alice.token).await;
    let (mut second_gw, _) = Gw::identify(&server, &second).await;
    let sessions = api.get("/auth/sessions", Some(&alice.token)).await.body;
    let victim = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap();
    let r = api
        .call(
            reqwest::Method::DELETE,
            &format!("/auth/sessions/{victim}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        second_gw.event("SECURITY_LOGOUT").await["t"],
        "SECURITY_LOGOUT"
    );
    assert_eq!(second_gw.close_code().await, Some(4004));
    assert_eq!(
        first_gw.event("SECURITY_ALERT").await["d"]["type"],
        "session_revoked"
    );
    assert_eq!(
        api.get("/users/@me", Some(&second)).await.message(),
        "Invalid/Revoked"
    );
}

#[tokio::test]
async fn outbound_cap_drops_dispatches_past_the_per_minute_budget() {
    let config = DevServerConfig {
        max_events_per_minute: Some(3),
        ..quiet_config()
    };
    let server = start(config).await;
    let alice = user(&server, "alice").await;
    let s = server.create_server(&alice.id, "HQ").await.unwrap();
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(
            server
                .post_message(&alice.id, &s.general_channel_id, &format!("m{i}"))
                .await
                .unwrap(),
        );
    }
    for id in &sent[..3] {
        assert_eq!(gw.event("MESSAGE_CREATE").await["d"]["id"], id.as_str());
    }
    assert!(
        gw.next_within(Duration::from_millis(400)).await.is_none(),
        "the rest is dropped silently"
    );
    assert_eq!(
        server.channel_message_ids(&s.general_channel_id),
        sent,
        "REST still has everything"
    );
}
