//! Unread state that follows the account (issue 15): read state on the server is keyed by
//! conversation ids (messaging.txt), acks only stick when sent with them, counts persist in the
//! account's database and agree with what another device set.

use plexichat_core::model::{Channel, Message};
use plexichat_core::store::Store;
use plexichat_core::unread::UnreadTracker;
use plexichat_core::{event::Event, Client};

use crate::support::{member, text_message as text, timed, Target};

/// Caches a server's channels the way the app does when it lists them.
async fn cache_channels(client: &Client, store: &Store, server_id: &str) -> Vec<Channel> {
    let channels = timed(client.channels(server_id)).await.expect("channels");
    store.save_channels(server_id, &channels).unwrap();
    channels
}

#[tokio::test]
async fn acks_reach_the_server_under_the_conversation_id() {
    // Valid on a real server too: one account, its own server and message.
    let target = Target::start().await;
    let Some((alice, _)) = target.signed_in("unread").await else {
        return;
    };
    let server = timed(alice.create_server("Unread test", None))
        .await
        .expect("server created");
    let store = Store::in_memory().unwrap();
    let channels = cache_channels(&alice, &store, &server.id).await;
    let channel = channels
        .iter()
        .find(|c| c.channel_type == "text")
        .expect("a text channel")
        .id
        .clone();
    let sent = timed(alice.send_message(&channel, &text("read me")))
        .await
        .expect("sent");
    let me = timed(alice.whoami()).await.expect("whoami").id;
    let tracker = UnreadTracker::start(store.clone(), alice.clone(), &me);
    let conversation = timed(tracker.conversation_of(&channel))
        .await
        .expect("probe")
        .expect("the channel has a message");
    assert_ne!(
        conversation, channel,
        "history lists a server channel under its conversation id"
    );
    tracker.mark_read(&channel, &sent.id).unwrap();
    assert_eq!(timed(tracker.flush_acks()).await, 1);
    let pointer = timed(alice.last_read(&conversation))
        .await
        .expect("last-read");
    assert_eq!(
        pointer.last_read_message_id.as_deref(),
        Some(sent.id.as_str())
    );
    // Persisted with its conversation id.
    assert_eq!(store.conversation_of(&channel).unwrap(), Some(conversation));
    assert_eq!(
        store
            .unread_entry(&channel)
            .unwrap()
            .last_read_id
            .as_deref(),
        Some(sent.id.as_str())
    );
}

/// alice's server with bob as a member who posted `n` messages in #general.
async fn chat_with_unread(target: &Target, n: usize) -> (Client, String, Client, String, String) {
    let (alice, alice_id) = member(target, "ua").await;
    let (bob, bob_id) = member(target, "ub").await;
    let server = target.server(&alice_id, "Unread").await;
    target
        .dev()
        .add_member(&server.id, &bob_id)
        .await
        .expect("bob joins");
    for i in 0..n {
        timed(bob.send_message(&server.general_channel_id, &text(&format!("unread {i}"))))
            .await
            .expect("bob posts");
    }
    (alice, alice_id, bob, server.id, server.general_channel_id)
}

#[tokio::test]
async fn counts_come_from_the_server_and_survive_a_restart() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id, _bob, server_id, channel) = chat_with_unread(&target, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.sqlite3");
    {
        let store = Store::open(&path).unwrap();
        cache_channels(&alice, &store, &server_id).await;
        let tracker = UnreadTracker::start(store, alice.clone(), &alice_id);
        let list = timed(tracker.sync()).await.expect("sync");
        let e = list
            .iter()
            .find(|e| e.channel_id == channel)
            .expect("entry");
        assert_eq!(
            e.unread, 3,
            "keyed by the channel, mapped from the conversation id"
        );
    }
    // A restart: the count is there before the network answers.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.unread_entry(&channel).unwrap().unread, 3);
}

#[tokio::test]
async fn another_device_reading_wins_and_manual_marks_stay() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id, bob, server_id, channel) = chat_with_unread(&target, 2).await;
    let here = Store::in_memory().unwrap();
    cache_channels(&alice, &here, &server_id).await;
    let tracker = UnreadTracker::start(here.clone(), alice.clone(), &alice_id);
    timed(tracker.sync()).await.expect("sync");
    assert_eq!(here.unread_entry(&channel).unwrap().unread, 2);

    // Another device of alice's reads the channel.
    let other_client = target.client();
    let name = timed(alice.whoami()).await.unwrap().username;
    timed(other_client.login(&name, &crate::support::PASSWORD.into()))
        .await
        .expect("second device signs in");
    let newest = timed(other_client.history(&channel, &Default::default()))
        .await
        .expect("history")[0]
        .id
        .clone();
    let there = Store::in_memory().unwrap();
    let other = UnreadTracker::start(there, other_client, &alice_id);
    other.mark_read(&channel, &newest).unwrap();
    assert_eq!(timed(other.flush_acks()).await, 1);

    timed(tracker.sync()).await.expect("sync again");
    assert_eq!(
        here.unread_entry(&channel).unwrap().unread,
        0,
        "the other device's read wins"
    );

    // Mark as unread here: the server ignores it, so it must survive the next sync.
    tracker.mark_unread(&channel, &newest).unwrap();
    timed(tracker.sync()).await.expect("sync");
    let e = here.unread_entry(&channel).unwrap();
    assert!(e.is_manual && e.unread >= 1, "{e:?}");

    // New messages count while nobody looks; looking reads them.
    let m = timed(bob.send_message(&channel, &text("another")))
        .await
        .expect("bob posts");
    tracker
        .on_event(&Event::MessageCreate(Message {
            channel_id: channel.clone(),
            ..m.clone()
        }))
        .unwrap();
    assert_eq!(here.unread_entry(&channel).unwrap().unread, e.unread + 1);
    tracker.set_viewing(Some(channel.clone()));
    tracker.mark_read(&channel, &m.id).unwrap();
    assert_eq!(here.unread_entry(&channel).unwrap().unread, 0);

    // Mark server as read: every channel of it, persisted.
    tracker.mark_unread(&channel, &m.id).unwrap();
    tracker.mark_server_read(&server_id).unwrap();
    let e = here.unread_entry(&channel).unwrap();
    assert_eq!((e.unread, e.is_manual), (0, false));
}
