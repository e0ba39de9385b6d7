//! The "unread state" section of messaging.txt, step by step: the map is keyed by conversation
//! ids (what history lists as `channel_id`), acks and counts only work with them, and
//! mark-unread, read-all and the bulk ack answer success and change nothing. With
//! `as_documented` on, channel ids work and those routes do what the openapi says.

use crate::common::{shared_server, start, user, Api};
use plexichat_devserver::DevServerConfig;
use serde_json::{json, Value};

struct World {
    _server: plexichat_devserver::DevServerHandle,
    api: Api,
    bob: String,
    channel: String,
    conversation: String,
    server: String,
    last: String,
}

/// alice posts three messages in #general of a server bob belongs to.
async fn world(as_documented: bool) -> World {
    let server = start(DevServerConfig {
        rate_limits: false,
        as_documented,
        ..DevServerConfig::for_tests()
    })
    .await;
    let alice = user(&server, "alice_rec").await;
    let bob = user(&server, "bob_rec").await;
    let community = shared_server(&server, &alice, "rec2-community", &[&bob]).await;
    let api = Api::new(&server);
    let channel = community.general_channel_id.clone();
    let mut last = String::new();
    for i in 1..=3 {
        let r = api
            .post(
                &format!("/channels/{channel}/messages"),
                Some(&alice.token),
                json!({"content": format!("unread test {i}")}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body["channel_id"],
            channel.as_str(),
            "a send answers the channel id"
        );
        last = r.body["id"].as_str().unwrap().to_owned();
    }
    let history = api
        .get(
            &format!("/channels/{channel}/messages?limit=2"),
            Some(&bob.token),
        )
        .await;
    let conversation = history.body[0]["channel_id"].as_str().unwrap().to_owned();
    World {
        _server: server,
        api,
        bob: bob.token,
        channel,
        conversation,
        server: community.id,
        last,
    }
}

fn count(map: &Value, key: &str) -> u64 {
    map["unread_counts"][key].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn the_recorded_unread_exchanges_are_reproduced() {
    let w = world(false).await;
    let (api, bob) = (&w.api, Some(w.bob.as_str()));
    assert_ne!(
        w.conversation, w.channel,
        "history lists the conversation id"
    );
    assert!(w.conversation.parse::<u64>().unwrap() > 1 << 53);

    let map = api.get("/users/@me/unread", bob).await;
    assert_eq!(map.status, 200);
    assert_eq!(count(&map.body, &w.conversation), 3, "{}", map.text);
    assert!(map.body["unread_counts"].get(&w.channel).is_none());

    // mark-unread, the bulk ack and read-all answer success and change nothing.
    let mu = api
        .post(
            &format!("/channels/{}/messages/mark-unread", w.channel),
            bob,
            json!({"message_id": w.last}),
        )
        .await;
    assert_eq!(mu.body, json!({"success": true, "unread_count": 0}));
    let bulk = api
        .post(
            "/channels/ack/bulk",
            bob,
            json!({ w.channel.clone(): w.last, "1": null }),
        )
        .await;
    assert_eq!(bulk.body, json!({"success": true, "message": null}));
    let bad = api
        .post(
            "/channels/ack/bulk",
            bob,
            json!({"channels": [{"channel_id": w.channel}]}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.message(),
        "Invalid channels: Input should be a valid string"
    );
    let ra = api
        .post(
            &format!("/servers/{}/messages/read-all", w.server),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(ra.body, json!({"success": true, "channels_marked": 0}));
    let map = api.get("/users/@me/unread", bob).await;
    assert_eq!(
        count(&map.body, &w.conversation),
        3,
        "nothing above changed the map"
    );
    let one = api
        .get(
            &format!("/channels/{}/messages/unread", w.conversation),
            bob,
        )
        .await;
    assert_eq!(
        one.body,
        json!({"channel_id": w.conversation, "unread_count": 3})
    );

    // The channel id: count always 0; an ack marks the messages but moves no pointer.
    let one = api
        .get(&format!("/channels/{}/messages/unread", w.channel), bob)
        .await;
    assert_eq!(
        one.body,
        json!({"channel_id": w.channel, "unread_count": 0})
    );
    let ack = api
        .post(
            &format!("/channels/{}/messages/ack?message_id={}", w.channel, w.last),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(ack.body, json!({"success": true, "messages_marked": 3}));
    let lr = api
        .get(&format!("/channels/{}/messages/last-read", w.channel), bob)
        .await;
    assert_eq!(
        lr.body,
        json!({"channel_id": w.channel, "last_read_message_id": null, "last_read_at": null})
    );
    let map = api.get("/users/@me/unread", bob).await;
    assert_eq!(
        map.body,
        json!({"unread_counts": {}}),
        "as chat.txt: marked read"
    );

    // The conversation id: an ack that sets the pointer; both ids then read it.
    let ack = api
        .post(
            &format!(
                "/channels/{}/messages/ack?message_id={}",
                w.conversation, w.last
            ),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(
        ack.body,
        json!({"success": true, "messages_marked": 0}),
        "already marked"
    );
    for id in [&w.conversation, &w.channel] {
        let lr = api
            .get(&format!("/channels/{id}/messages/last-read"), bob)
            .await;
        assert_eq!(
            lr.body["last_read_message_id"],
            w.last.as_str(),
            "{id}: {}",
            lr.text
        );
        assert!(lr.body["last_read_at"].as_u64().is_some());
    }
}

#[tokio::test]
async fn as_documented_channel_ids_and_every_route_work() {
    let w = world(true).await;
    let (api, bob) = (&w.api, Some(w.bob.as_str()));
    assert_eq!(w.conversation, w.channel);
    let map = api.get("/users/@me/unread", bob).await;
    assert_eq!(count(&map.body, &w.channel), 3);
    let ra = api
        .post(
            &format!("/servers/{}/messages/read-all", w.server),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(ra.body, json!({"success": true, "channels_marked": 1}));
    let mu = api
        .post(
            &format!("/channels/{}/messages/mark-unread", w.channel),
            bob,
            json!({"message_id": w.last}),
        )
        .await;
    assert_eq!(mu.body, json!({"success": true, "unread_count": 1}));
}
