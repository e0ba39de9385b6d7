//! Scheduled messages, custom emoji and sticker listings against shared/recorded/messaging.txt:
//! the recorded flow is replayed (schedule, refusals, list, cancel by another user, cancel,
//! cancel again, list with the cancelled row) and every answer must have the recorded status,
//! error message and JSON key set. The server never delivers a scheduled message.

use crate::common::{shared_server, start, user, Api, Reply};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const RECORDING: &str = include_str!("../../../../tests/fixtures/recorded/messaging.txt");

/// The JSON response body recorded under `### {title}`.
fn recorded_body(title: &str) -> Value {
    let mut lines = RECORDING
        .lines()
        .skip_while(|l| *l != format!("### {title}"));
    assert!(
        lines.next().is_some(),
        "no exchange titled {title:?} in messaging.txt"
    );
    let body = lines
        .take_while(|l| !l.starts_with("### "))
        .filter_map(|l| l.strip_prefix("< "))
        .find(|l| l.starts_with('{') || l.starts_with('['))
        .unwrap_or_else(|| panic!("no body under {title:?}"));
    serde_json::from_str(body).expect("recorded body is JSON")
}

/// Every key path of `v` (array items merged), e.g. `poll.options[].vote_count`.
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{prefix}.{k}");
                out.insert(p.clone());
                key_paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                key_paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn assert_shape(reply: &Reply, title: &str) {
    let recorded = recorded_body(title);
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    key_paths(&recorded, "", &mut want);
    key_paths(&reply.body, "", &mut got);
    assert_eq!(got, want, "key set of {title:?}");
    if let Some(message) = recorded["error"]["message"].as_str() {
        assert_eq!(reply.message(), message, "{title}");
    }
}

fn now_ms() -> u64 {
    u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms fit")
}

#[tokio::test]
async fn the_recorded_scheduled_message_flow_is_reproduced() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice_rec").await;
    let bob = user(&server, "bob_rec").await;
    let carol = user(&server, "carol_rec").await;
    let s = shared_server(&server, &alice, "rec2-community", &[&bob]).await;
    let channel = &s.general_channel_id;
    let (a, b, c) = (
        Some(alice.token.as_str()),
        Some(bob.token.as_str()),
        Some(carol.token.as_str()),
    );
    let body = |content: &str, at: u64| json!({"conversation_id": channel, "content": content, "scheduled_at": at});

    let hour = api
        .post(
            "/features/scheduled-messages",
            a,
            body("scheduled for +1h", now_ms() + 3_600_000),
        )
        .await;
    assert_eq!(hour.status, StatusCode::OK);
    assert_shape(&hour, "schedule a message 1 h ahead (scheduled_at ms)");
    assert!(
        hour.body["scheduled_message"]["id"].is_u64(),
        "ids are JSON numbers"
    );
    let id = hour.body["scheduled_message"]["id"].as_u64().expect("id");

    for (title, at) in [
        ("schedule a message 5 s ahead", now_ms() + 5_000),
        (
            "schedule with scheduled_at in seconds",
            now_ms() / 1000 + 3_600,
        ),
    ] {
        let r = api
            .post("/features/scheduled-messages", a, body("x", at))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{title}");
        assert_shape(&r, title);
    }
    // No membership check.
    let outsider = api
        .post(
            "/features/scheduled-messages",
            c,
            body("outsider", now_ms() + 3_600_000),
        )
        .await;
    assert_eq!(outsider.status, StatusCode::OK);
    assert_shape(&outsider, "schedule as non-member (carol)");

    let list = api.get("/features/scheduled-messages", a).await;
    assert_shape(&list, "list scheduled messages (alice)");
    assert_eq!(
        list.body["scheduled_messages"].as_array().map(Vec::len),
        Some(1)
    );

    let path = format!("/features/scheduled-messages/{id}");
    let by_bob = api.call(Method::DELETE, &path, b, None).await;
    assert_eq!(by_bob.status, StatusCode::FORBIDDEN);
    assert_shape(&by_bob, "cancel alice's +1 h scheduled message as bob");
    let cancel = api.call(Method::DELETE, &path, a, None).await;
    assert_eq!(cancel.status, StatusCode::OK);
    assert_shape(&cancel, "cancel the +1 h scheduled message (alice)");
    let again = api.call(Method::DELETE, &path, a, None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_shape(&again, "cancel it again");

    let list = api.get("/features/scheduled-messages", a).await;
    let rows = list.body["scheduled_messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "cancelled", "cancelled rows stay listed");
    let history = api.get(&format!("/channels/{channel}/messages"), a).await;
    assert!(
        history
            .body
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["content"] != "scheduled for +1h")),
        "never delivered"
    );
}

#[tokio::test]
async fn emoji_and_sticker_listings_answer_like_the_reference() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice_rec").await;
    let carol = user(&server, "carol_rec").await;
    let s = shared_server(&server, &alice, "rec2-community", &[]).await;
    let a = Some(alice.token.as_str());
    let emojis = api.get(&format!("/servers/{}/emojis", s.id), a).await;
    assert_eq!(emojis.status, StatusCode::OK);
    assert_eq!(emojis.body, json!([]));
    let stickers = api.get(&format!("/servers/{}/stickers", s.id), a).await;
    assert_eq!(stickers.body, json!([]));
    let outsider = api
        .get(
            &format!("/servers/{}/emojis", s.id),
            Some(carol.token.as_str()),
        )
        .await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
}
