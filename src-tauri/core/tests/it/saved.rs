//! Saved messages on the server's bookmarks (messaging.txt "bookmarks") and the Mentions view
//! (recorded locally, merged with the always-empty notification list). Runs against a real
//! server too: bookmarks need no shared server (the reference validates nothing).

use plexichat_core::model::Message;
use plexichat_core::saved::MentionKind;
use plexichat_core::store::Store;

use crate::support::{timed, Target};

fn message(channel: &str, id: &str, author: &str, content: &str) -> Message {
    serde_json::from_value(serde_json::json!({
        "id": id, "channel_id": channel, "author_id": author, "author_username": "bob",
        "content": content, "created_at": 1_796_311_703_114_i64,
    }))
    .expect("message")
}

#[tokio::test]
async fn save_list_and_unsave_a_message() {
    let target = Target::start().await;
    let Some((client, _)) = target.signed_in("saver").await else {
        return;
    };
    let store = Store::in_memory().expect("store");
    let cached = message(
        "386901094594383872",
        "1578070009001807872",
        "2",
        "I like banana bread",
    );
    store
        .save_messages("386901094594383872", std::slice::from_ref(&cached))
        .expect("cached");

    let saved = timed(client.save_message(
        "386901094594383872",
        "1578070009001807872",
        Some(" bob's bread "),
    ))
    .await
    .expect("saved");
    assert_eq!(saved.message_id, "1578070009001807872");
    assert_eq!(saved.label.as_deref(), Some("bob's bread"));
    // Saving again is an upsert: the same bookmark.
    let again = timed(client.save_message("386901094594383872", "1578070009001807872", None))
        .await
        .expect("saved again");
    assert_eq!(again.id, saved.id);
    // A message this device never saw is still listed, without text.
    timed(client.save_message("386901094594383872", "999999999999999999", None))
        .await
        .expect("unknown id saved");

    let list = timed(client.saved_messages(Some(&store)))
        .await
        .expect("list");
    let mine = list
        .iter()
        .find(|s| s.bookmark.message_id == "1578070009001807872")
        .expect("listed");
    assert_eq!(mine.message.as_ref(), Some(&cached));
    assert!(list
        .iter()
        .any(|s| s.bookmark.message_id == "999999999999999999" && s.message.is_none()));

    timed(client.unsave_message("1578070009001807872"))
        .await
        .expect("removed");
    timed(client.unsave_message("1578070009001807872"))
        .await
        .expect("removing twice is fine");
    // The reference caches GETs per caller: only the devserver's list is fresh at once.
    if target.dev.is_some() {
        let list = timed(client.saved_messages(Some(&store)))
            .await
            .expect("list");
        assert!(list
            .iter()
            .all(|s| s.bookmark.message_id != "1578070009001807872"));
    }
}

#[tokio::test]
async fn mentions_come_from_what_this_device_cached() {
    let target = Target::start().await;
    let Some((client, _)) = target.signed_in("mentioned").await else {
        return;
    };
    let me = timed(client.whoami()).await.expect("whoami").id;
    let store = Store::in_memory().expect("store");
    store.set_me(&me).expect("me");
    let mine = message("c1", "100", &me, "my question");
    let mut reply = message("c1", "101", "2", "an answer");
    reply.reply_to_id = Some("100".into());
    let ping = message("c1", "102", "2", &format!("hey <@{me}> look at this"));
    store
        .save_messages(
            "c1",
            &[mine, reply, ping, message("c1", "103", "2", "plain")],
        )
        .expect("cached");
    let list = timed(client.mentions(Some(&store)))
        .await
        .expect("mentions");
    let got: Vec<(&str, MentionKind)> = list
        .iter()
        .map(|e| (e.message.id.as_str(), e.kind))
        .collect();
    assert_eq!(
        got,
        vec![("102", MentionKind::Mention), ("101", MentionKind::Reply)]
    );
    assert_eq!(store.unseen_mention_counts().expect("counts")["c1"], 2);
    store.mark_mentions_seen("c1").expect("seen");
    assert!(store.unseen_mention_counts().expect("counts").is_empty());
}
