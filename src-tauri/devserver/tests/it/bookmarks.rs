//! Bookmarks and the notification list against shared/recorded/messaging.txt ("bookmarks",
//! "notifications"): the recorded flow is replayed, and every answer must have the recorded
//! status, error message and JSON key set (bookmark ids are JSON numbers).

use crate::common::{shared_server, start, user, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const RECORDING: &str = include_str!("../../../../tests/fixtures/recorded/messaging.txt");

/// The JSON response body recorded under `### {title}`.
fn recorded_body(title: &str) -> Value {
    let mut lines = RECORDING
        .lines()
        .skip_while(|l| *l != format!("### {title}"));
    assert!(lines.next().is_some(), "no exchange titled {title:?}");
    let body = lines
        .take_while(|l| !l.starts_with("### "))
        .filter_map(|l| l.strip_prefix("< "))
        .find(|l| l.starts_with('{') || l.starts_with('['))
        .unwrap_or_else(|| panic!("no body under {title:?}"));
    serde_json::from_str(body).expect("recorded body is JSON")
}

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

fn assert_shape(body: &Value, title: &str) {
    let (mut want, mut got) = (BTreeSet::new(), BTreeSet::new());
    let recorded = recorded_body(title);
    key_paths(&recorded, "", &mut want);
    key_paths(body, "", &mut got);
    assert_eq!(got, want, "key set of {title:?}");
    if let Some(message) = recorded["error"]["message"].as_str() {
        assert_eq!(body["error"]["message"], message, "{title}");
    }
}

#[tokio::test]
async fn the_recorded_bookmark_flow_is_reproduced() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice_rec").await;
    let bob = user(&server, "bob_rec").await;
    let carol = user(&server, "carol_rec").await;
    let s = shared_server(&server, &alice, "rec2-community", &[&bob]).await;
    let channel = s.general_channel_id.clone();
    let (a, b, c) = (
        Some(alice.token.as_str()),
        Some(bob.token.as_str()),
        Some(carol.token.as_str()),
    );
    let posted = api
        .post(
            &format!("/channels/{channel}/messages"),
            b,
            json!({"content":"I like banana bread"}),
        )
        .await;
    let message: u64 = posted.body["id"].as_str().unwrap().parse().unwrap();

    let empty = api.get("/features/bookmarks", a).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_shape(&empty.body, "list bookmarks (alice, empty)");
    assert_eq!(empty.body, json!({"bookmarks": []}));

    let saved = api
        .post(
            "/features/bookmarks",
            a,
            json!({"message_id": message.to_string(), "conversation_id": channel, "label": "bob's bread"}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert_shape(
        &saved.body,
        "bookmark a message (conversation_id = channel id)",
    );
    // Ids are JSON numbers here, unlike the rest of the API.
    assert_eq!(saved.body["bookmark"]["message_id"], json!(message));
    assert!(saved.body["bookmark"]["id"].is_u64());

    let again = api
        .post(
            "/features/bookmarks",
            a,
            json!({"message_id": message.to_string(), "conversation_id": channel, "label": "again"}),
        )
        .await;
    assert_shape(&again.body, "bookmark the same message again");
    assert_eq!(again.body["bookmark"]["id"], saved.body["bookmark"]["id"]);
    assert_eq!(again.body["bookmark"]["label"], "again");

    let unknown = api
        .post(
            "/features/bookmarks",
            a,
            json!({"message_id":"999999999999999999","conversation_id": channel}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_shape(&unknown.body, "bookmark unknown message id");
    let outsider = api
        .post(
            "/features/bookmarks",
            c,
            json!({"message_id": message.to_string(), "conversation_id": channel}),
        )
        .await;
    assert_eq!(outsider.status, StatusCode::OK);
    assert_shape(&outsider.body, "bookmark as non-member (carol)");

    let listed = api.get("/features/bookmarks", a).await;
    assert_shape(&listed.body, "list bookmarks (alice)");
    let ids: Vec<u64> = listed.body["bookmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["message_id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![999_999_999_999_999_999, message],
        "newest first, own only"
    );

    let removed = api
        .call(
            Method::DELETE,
            &format!("/features/bookmarks/{message}"),
            a,
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_shape(&removed.body, "remove bookmark (by message id)");
    let twice = api
        .call(
            Method::DELETE,
            &format!("/features/bookmarks/{message}"),
            a,
            None,
        )
        .await;
    assert_eq!(twice.body, json!({"success": true}));
    let left = api.get("/features/bookmarks", a).await;
    assert_eq!(left.body["bookmarks"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn mentions_create_no_notification_as_recorded() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = user(&server, "alice_rec").await;
    let bob = user(&server, "bob_rec").await;
    let s = shared_server(&server, &alice, "rec2-community", &[&bob]).await;
    let (a, b) = (Some(alice.token.as_str()), Some(bob.token.as_str()));
    api.post(
        &format!("/channels/{}/messages", s.general_channel_id),
        b,
        json!({"content": format!("hey <@{}> look at this", alice.id)}),
    )
    .await;
    let list = api.get("/users/@me/notifications", a).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_shape(&list.body, "GET notifications (alice, after two mentions)");
    let one = api
        .call(
            Method::PUT,
            "/users/@me/notifications/999999999999999999/read",
            a,
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::NOT_FOUND);
    assert_shape(&one.body, "mark unknown notification read");
    let all = api
        .call(Method::PUT, "/users/@me/notifications/read-all", a, None)
        .await;
    assert_shape(&all.body, "mark all notifications read (alice)");
    let post = api
        .call(Method::POST, "/users/@me/notifications/read-all", a, None)
        .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_shape(&post.body, "read-all with POST instead of PUT");
}
