//! Chat routes end to end, so the client's wire types agree with the server's answers.

use plexichat_core::api::types::{HistoryQuery, NewMessage};
use plexichat_core::ui_state::{Entity, ForbiddenReason, UiState};

use crate::support::{assert_state, member, text_message as text, timed, Target};

#[tokio::test]
async fn messages_reactions_pins_typing_and_read_marker() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id) = member(&target, "alice").await;
    let channel = target.server(&alice_id, "Chat").await.general_channel_id;

    let first = timed(alice.send_message(&channel, &text("first")))
        .await
        .expect("first");
    let reply = NewMessage {
        reply_to_id: Some(first.id.clone()),
        ..text("second")
    };
    let second = timed(alice.send_message(&channel, &reply))
        .await
        .expect("reply");
    assert_eq!(second.reply_to_id.as_deref(), Some(first.id.as_str()));

    let edited = timed(alice.edit_message(&channel, &first.id, "first (edited)"))
        .await
        .expect("edit");
    assert_eq!(edited.content, "first (edited)");
    assert!(edited.edited_at.is_some());

    timed(alice.add_reaction(&channel, &first.id, "👍"))
        .await
        .expect("react");
    let reactions = timed(alice.reactions(&channel, &first.id))
        .await
        .expect("reactions");
    assert!(
        reactions.iter().any(|r| r.emoji == "👍" && r.count == 1),
        "{reactions:?}"
    );
    timed(alice.remove_reaction(&channel, &first.id, "👍"))
        .await
        .expect("unreact");
    timed(alice.remove_reaction(&channel, &first.id, "👍"))
        .await
        .expect("absent reaction is fine");

    timed(alice.set_pinned(&channel, &first.id, true))
        .await
        .expect("pin");
    let pins = timed(alice.pins(&channel)).await.expect("pins");
    assert_eq!(
        pins.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        vec![first.id.as_str()]
    );
    timed(alice.set_pinned(&channel, &first.id, false))
        .await
        .expect("unpin");

    timed(alice.typing(&channel)).await.expect("typing");
    timed(alice.ack(&channel, &second.id)).await.expect("ack");

    let older = timed(alice.history(
        &channel,
        &HistoryQuery {
            before: Some(second.id.clone()),
            limit: Some(10),
            after: None,
        },
    ))
    .await
    .expect("before");
    assert_eq!(
        older.first().map(|m| m.id.as_str()),
        Some(first.id.as_str())
    );
    let newer = timed(alice.history(
        &channel,
        &HistoryQuery {
            after: Some(first.id.clone()),
            limit: Some(10),
            before: None,
        },
    ))
    .await
    .expect("after");
    assert!(newer.iter().any(|m| m.id == second.id));
    let err = timed(alice.history(
        &channel,
        &HistoryQuery {
            limit: Some(500),
            ..HistoryQuery::default()
        },
    ))
    .await
    .expect_err("limit checked locally");
    assert_state!(err.state, UiState::InvalidInput { .. });

    timed(alice.delete_message(&channel, &second.id))
        .await
        .expect("delete");
    let err = timed(alice.delete_message(&channel, &second.id))
        .await
        .expect_err("gone");
    assert_state!(
        err.state,
        UiState::NotFound {
            entity: Entity::Message,
            ..
        }
    );

    let attachment =
        timed(alice.upload_attachment(&channel, "note.txt", "text/plain", "hi".into()))
            .await
            .expect("upload");
    assert_eq!(attachment.filename, "note.txt");
}

#[tokio::test]
async fn friends_dms_and_a_block_that_stops_messages() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id) = member(&target, "alice").await;
    let (bob, bob_id) = member(&target, "bob").await;

    let request = timed(alice.send_friend_request(&bob_id))
        .await
        .expect("request");
    assert_eq!(request.status, "pending_outgoing");
    let err = timed(alice.send_friend_request(&bob_id))
        .await
        .expect_err("already sent");
    assert_state!(err.state, UiState::Conflict { .. });
    let incoming = timed(bob.relationships()).await.expect("list");
    assert!(
        incoming.iter().any(|r| r.user_id == alice_id),
        "{incoming:?}"
    );
    timed(bob.accept_friend_request(&alice_id))
        .await
        .expect("accept");

    let dm = timed(alice.open_dm(&bob_id)).await.expect("dm");
    assert_eq!(dm.recipient_id.as_deref(), Some(bob_id.as_str()));
    timed(alice.send_message(&dm.id, &text("psst")))
        .await
        .expect("dm send");
    let page = timed(bob.history(&dm.id, &HistoryQuery::default()))
        .await
        .expect("dm history");
    assert_eq!(page[0].content, "psst");

    timed(bob.block_user(&alice_id)).await.expect("block");
    let err = timed(alice.send_message(&dm.id, &text("hello?")))
        .await
        .expect_err("blocked");
    assert_eq!(
        err.state,
        UiState::Forbidden {
            reason: ForbiddenReason::CannotMessageUser,
            message: "Cannot message this user".into()
        }
    );
    timed(bob.remove_relationship(&alice_id))
        .await
        .expect("unblock");

    let presence = timed(alice.set_presence("idle", Some("brb")))
        .await
        .expect("presence");
    assert_eq!(presence.status, "idle");
    let err = timed(alice.set_presence("sleeping", None))
        .await
        .expect_err("bad status");
    assert_state!(err.state, UiState::InvalidInput { .. });
}

#[tokio::test]
async fn members_of_a_server_and_a_user_found_by_exact_name() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id) = member(&target, "alice").await;
    let server = target.server(&alice_id, "Members").await.id;
    let members = timed(alice.members(&server, 100)).await.expect("members");
    assert!(
        members.iter().any(|m| m.user_id == alice_id),
        "the owner is a member: {members:?}"
    );
    let err = timed(alice.members("999999", 100))
        .await
        .expect_err("unknown server");
    assert_state!(
        err.state,
        UiState::NotFound {
            entity: Entity::Server,
            ..
        } | UiState::Forbidden { .. }
    );

    let bob_name = target
        .user("bob")
        .await
        .expect("the devserver creates accounts");
    // Padding typed around a name is not part of it.
    let bob = timed(alice.search_user(&format!(" {bob_name} ")))
        .await
        .expect("found");
    assert_eq!(bob.username, bob_name);
    let err = timed(alice.search_user(&format!("{bob_name}-nobody")))
        .await
        .expect_err("no such user");
    assert_state!(
        err.state,
        UiState::NotFound {
            entity: Entity::User,
            ..
        }
    );
}

#[tokio::test]
async fn an_unknown_route_is_a_bug_report_not_a_crash() {
    let target = Target::start().await;
    let client = target.client();
    let err = timed(
        client
            .api()
            .call::<serde_json::Value>(plexichat_core::api::Request::new(
                reqwest::Method::GET,
                "/does-not-exist",
            )),
    )
    .await
    .expect_err("405");
    assert_state!(err.state, UiState::BugReport { .. });
}

#[tokio::test]
async fn attachments_download_with_the_token_and_only_from_the_server() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, alice_id) = member(&target, "att").await;
    let channel = target.server(&alice_id, "Files").await.general_channel_id;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n not really a png, but bytes to round-trip";
    let att = timed(alice.upload_attachment(&channel, "pic.png", "image/png", png.to_vec().into()))
        .await
        .expect("upload");
    let bytes = timed(alice.fetch_attachment(&att.url))
        .await
        .expect("download");
    assert_eq!(&bytes[..], png, "the bytes come back as uploaded");

    // The token must never be sent to another host, whatever the URL says.
    for url in ["https://evil.example/steal", "//evil.example/x"] {
        let err = alice.fetch_attachment(url).await.expect_err(url);
        assert!(
            matches!(err.state, UiState::InvalidInput { .. }),
            "{url}: {:?}",
            err.state
        );
    }
}

#[tokio::test]
async fn a_user_name_change_is_saved_and_a_taken_name_is_a_conflict() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, _) = member(&target, "rename").await;
    let (_bob, _) = member(&target, "taken").await;
    let new_name = crate::support::unique("renamed");
    let me = timed(alice.update_profile(&new_name))
        .await
        .expect("rename");
    assert_eq!(me.username, new_name);
    assert_eq!(timed(alice.whoami()).await.expect("me").username, new_name);

    let taken = target
        .user("taken2")
        .await
        .expect("the devserver creates accounts");
    let err = alice.update_profile(&taken).await.expect_err("taken");
    assert_state!(err.state, UiState::Conflict { .. });
}
