//! Send later (server side), forward and custom emojis against the devserver or, with
//! `PLEXICHAT_TEST_SERVER`, the real server (messaging.txt): the server keeps scheduled
//! messages without delivering them, refuses times under a minute ahead and a second cancel;
//! a forward is a quoted copy with a link back.

use plexichat_core::clock::now_ms;
use plexichat_core::ui_state::UiState;

use crate::support::{text_message, timed, Target};

#[tokio::test]
async fn server_held_scheduled_messages_list_and_cancel_with_the_servers_refusals() {
    let target = Target::start().await;
    let Some((alice, _)) = target.signed_in("sched").await else {
        return;
    };
    let server = timed(alice.create_server("Scheduled", None))
        .await
        .expect("server");
    let channel = timed(alice.channels(&server.id)).await.expect("channels")[0]
        .id
        .clone();

    // Under a minute ahead is refused before any request.
    let soon = alice
        .schedule_on_server(&channel, "too soon", now_ms() + 5_000)
        .await
        .expect_err("too soon");
    assert!(
        matches!(&soon.state, UiState::InvalidInput { field: Some(f), .. } if f == "scheduled_at"),
        "{soon:?}"
    );

    let at = now_ms() + 3_600_000;
    let held = timed(alice.schedule_on_server(&channel, "in an hour", at))
        .await
        .expect("scheduled");
    assert_eq!(held.conversation_id, channel);
    assert_eq!(held.status, "pending");
    let list = timed(alice.server_scheduled()).await.expect("list");
    let row = list.iter().find(|s| s.id == held.id).expect("listed");
    assert_eq!(row.scheduled_at, at);

    timed(alice.cancel_server_scheduled(&held.id))
        .await
        .expect("cancelled");
    let again = timed(alice.cancel_server_scheduled(&held.id))
        .await
        .expect_err("cancelled twice");
    assert!(
        matches!(&again.state, UiState::InvalidInput { message, .. } if message.contains("pending")),
        "{again:?}"
    );
    let list = timed(alice.server_scheduled()).await.expect("list");
    assert_eq!(
        list.iter()
            .find(|s| s.id == held.id)
            .map(|s| s.status.as_str()),
        Some("cancelled")
    );
    // Never delivered by the server.
    let history = timed(alice.history(&channel, &Default::default()))
        .await
        .expect("history");
    assert!(history.iter().all(|m| m.content != "in an hour"));
}

#[tokio::test]
async fn a_forward_is_a_quoted_copy_with_a_link_back_and_emojis_list() {
    let target = Target::start().await;
    let Some((alice, _)) = target.signed_in("fwd").await else {
        return;
    };
    let server = timed(alice.create_server("Forwarding", None))
        .await
        .expect("server");
    let from = timed(alice.channels(&server.id)).await.expect("channels")[0]
        .id
        .clone();
    let edit = plexichat_core::community::ChannelEdit {
        name: Some("elsewhere".into()),
        ..Default::default()
    };
    let to = timed(alice.create_channel(&server.id, &edit))
        .await
        .expect("channel")
        .id;
    let original = timed(alice.send_message(&from, &text_message("line one\nline two")))
        .await
        .expect("sent");
    let copy = timed(alice.forward_message(&from, &original.id, &to, "look"))
        .await
        .expect("forwarded");
    assert_eq!(
        copy.content,
        format!(
            "look\n\n↪ Forwarded from @{} in #general\n> line one\n> line two\n\nplexichat://message/{from}/{}",
            original.author_username.clone().unwrap_or_default(),
            original.id
        )
    );
    let history = timed(alice.history(&to, &Default::default()))
        .await
        .expect("history");
    assert_eq!(
        history[0].id, copy.id,
        "the copy landed in the target channel"
    );

    let gone = timed(alice.forward_message(&from, "999999999999999999", &to, ""))
        .await
        .expect_err("unknown message");
    assert!(matches!(gone.state, UiState::NotFound { .. }), "{gone:?}");

    let emojis = timed(alice.server_emojis(&server.id))
        .await
        .expect("emojis");
    assert!(emojis.emojis.is_empty() && emojis.sticker_packs.is_empty());
}
