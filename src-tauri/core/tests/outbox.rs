//! The outbox against `plexichat-devserver`: nothing lost, nothing doubled, order kept.
//!
//! Server truth comes from `channel_message_ids` and history read with a fault-free client.
//! Every wait has a timeout ([`support::WAIT`]).

#[path = "outbox/support.rs"]
mod support;

use std::collections::HashMap;
use std::time::Duration;

use plexichat_core::outbox::{Outbox, OutboxItem, OutboxState, OutboxUpdate};
use plexichat_core::UiState;
use rand::{rngs::StdRng, Rng, SeedableRng};
use support::{eventually, Recorder, World};

fn text(s: &str) -> OutboxItem {
    OutboxItem::Text {
        content: s.to_owned(),
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends "before" and waits for it: a first send sets the channel's cursor.
async fn send_first(w: &World, outbox: &Outbox, rec: &mut Recorder) {
    let warm = outbox.enqueue(&w.channel, text("before")).unwrap();
    rec.until("the first send", |r| r.sent().contains_key(&warm))
        .await;
}

/// Waits until the send `id` has been told to wait (its attempt timed out or failed).
async fn until_waiting(rec: &mut Recorder, id: i64) {
    rec.until("the timeout", |r| {
        r.count(|u| matches!(u, OutboxUpdate::Waiting { local_id, .. } if *local_id == id)) > 0
    })
    .await;
}

/// Sends `content` while the proxy swallows answers: the server stores it (holding `stored`
/// messages then), the client times out, then answers flow again until the send resolves.
async fn send_with_lost_answer(
    w: &World,
    outbox: &Outbox,
    rec: &mut Recorder,
    content: &str,
    stored: usize,
) -> i64 {
    w.proxy.swallow(true);
    let id = outbox.enqueue(&w.channel, text(content)).unwrap();
    eventually("the server to store it", || {
        w.server.channel_message_ids(&w.channel).len() == stored
    })
    .await;
    until_waiting(rec, id).await;
    w.proxy.swallow(false);
    rec.until("the send to resolve", |r| r.sent().contains_key(&id))
        .await;
    id
}

#[tokio::test]
async fn sends_queued_while_the_server_is_away_arrive_once_and_in_order() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    w.server.stop_listening().await;
    let contents: Vec<String> = (0..8).map(|i| format!("offline {i}")).collect();
    let ids: Vec<i64> = contents
        .iter()
        .map(|c| outbox.enqueue(&w.channel, text(c)).unwrap())
        .collect();
    // Written before any attempt: another reader of the file sees every row at once.
    let on_disk = plexichat_core::store::Store::open(&w.db_path())
        .unwrap()
        .outbox_rows()
        .unwrap();
    assert_eq!(on_disk.len(), 8);
    rec.until("a wait while offline", |r| {
        r.count(|u| {
            matches!(
                u,
                OutboxUpdate::Waiting {
                    state: UiState::Offline { .. },
                    ..
                }
            )
        }) > 0
    })
    .await;
    assert!(rec.sent().is_empty());
    assert_eq!(outbox.entries().unwrap().len(), 8, "all still pending");

    w.server.resume_listening().await.unwrap();
    outbox.wake_all();
    rec.until("every send", |r| r.sent().len() == ids.len())
        .await;
    assert_eq!(w.server_contents(&w.channel).await, contents);
    assert!(outbox.entries().unwrap().is_empty());
    // Sent order is enqueue order.
    let sent_order: Vec<i64> = rec
        .updates
        .iter()
        .filter_map(|u| match u {
            OutboxUpdate::Sent { local_id, .. } => Some(*local_id),
            _ => None,
        })
        .collect();
    assert_eq!(sent_order, ids);
    // Each entry was announced (local echo) before its first attempt.
    for id in &ids {
        let queued = rec
            .updates
            .iter()
            .position(|u| matches!(u, OutboxUpdate::Queued { entry } if entry.local_id == *id));
        let sending = rec
            .updates
            .iter()
            .position(|u| matches!(u, OutboxUpdate::Sending { local_id } if local_id == id));
        assert!(queued.is_some() && queued < sending, "entry {id}");
    }
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_queue_loses_nothing() {
    let w = World::start().await;
    let contents: Vec<String> = (0..20).map(|i| format!("restart {i}")).collect();
    {
        let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
        w.server.faults().delay_ms(30);
        for c in &contents {
            outbox.enqueue(&w.channel, text(c)).unwrap();
        }
        rec.until("a few sends", |r| r.sent().len() >= 5).await;
        // Dropped here: the worker is cut wherever it is, maybe mid-request.
    }
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    assert!(!rec.snapshot.is_empty(), "the rest is still on disk");
    let remaining = rec.snapshot.len();
    rec.until("the rest", |r| r.sent().len() == remaining).await;
    assert!(outbox.entries().unwrap().is_empty());
    assert_eq!(w.server_contents(&w.channel).await, contents);
}

#[tokio::test]
async fn a_rate_limit_holds_the_queue_until_its_retry_at() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    send_first(&w, &outbox, &mut rec).await;
    // More 429s than the client waits out by itself: the outbox has to hold the queue.
    w.server.faults().rate_limit(0.4, false, 6);
    let first = outbox.enqueue(&w.channel, text("limited 1")).unwrap();
    let second = outbox.enqueue(&w.channel, text("limited 2")).unwrap();
    rec.until("both sends", |r| {
        r.sent().contains_key(&first) && r.sent().contains_key(&second)
    })
    .await;
    let held: Vec<_> = rec
        .updates
        .iter()
        .filter_map(|u| match u {
            OutboxUpdate::Waiting {
                local_id,
                state: UiState::RateLimited { retry_at, .. },
                retry_at: due,
            } => Some((*local_id, *retry_at, *due)),
            _ => None,
        })
        .collect();
    assert!(!held.is_empty(), "the queue was held: {:?}", rec.updates);
    assert!(
        held.iter().all(|(id, _, _)| *id == first),
        "the head waits, not the next"
    );
    // The server's delay (0.4 s) is what the queue waits, not a short backoff.
    let (_, server_at, due) = held[0];
    assert!(
        due >= server_at - 50,
        "due {due} vs server retry_at {server_at}"
    );
    assert_eq!(
        w.server_contents(&w.channel).await,
        ["before", "limited 1", "limited 2"]
    );
}

#[tokio::test]
async fn a_content_rejected_send_stays_failed_with_its_text_and_the_queue_goes_on() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    let bad = outbox.enqueue(&w.channel, text("a -- b")).unwrap();
    let good = outbox
        .enqueue(&w.channel, text("after the bad one"))
        .unwrap();
    rec.until("the good one", |r| r.sent().contains_key(&good))
        .await;
    assert!(rec.updates.iter().any(|u| matches!(
        u,
        OutboxUpdate::Failed { local_id, state: UiState::ContentRejected { .. } } if *local_id == bad
    )));
    drop(outbox);

    // The failure survives a restart, text included.
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    let [entry] = rec.snapshot.as_slice() else {
        panic!("one failed entry: {:?}", rec.snapshot)
    };
    assert_eq!(entry.local_id, bad);
    assert_eq!(entry.item, text("a -- b"));
    assert!(matches!(
        entry.state,
        OutboxState::Failed {
            reason: UiState::ContentRejected { .. }
        }
    ));
    assert!(outbox.retry(good).is_err(), "sent entries are gone");

    // Retry fails the same way; an edit then goes through.
    outbox.retry(bad).unwrap();
    rec.until("the retry to fail", |r| {
        r.count(|u| matches!(u, OutboxUpdate::Failed { .. })) == 1
    })
    .await;
    outbox.edit(bad, text("a - b")).unwrap();
    rec.until("the edited send", |r| r.sent().contains_key(&bad))
        .await;
    assert_eq!(
        w.server_contents(&w.channel).await,
        ["after the bad one", "a - b"]
    );
}

#[tokio::test]
async fn a_cancelled_send_is_never_delivered() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    w.server.stop_listening().await;
    let first = outbox.enqueue(&w.channel, text("kept")).unwrap();
    let second = outbox.enqueue(&w.channel, text("cancelled")).unwrap();
    outbox.cancel(second).unwrap();
    assert!(outbox.cancel(second).is_err());
    w.server.resume_listening().await.unwrap();
    outbox.wake_all();
    rec.until("the kept one", |r| r.sent().contains_key(&first))
        .await;
    assert!(rec
        .updates
        .contains(&OutboxUpdate::Cancelled { local_id: second }));
    assert_eq!(w.server_contents(&w.channel).await, ["kept"]);
}

#[tokio::test]
async fn an_answer_lost_after_the_server_acted_does_not_duplicate() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.proxied_client(Duration::from_millis(800))).await;
    // A first send sets the channel's cursor.
    send_first(&w, &outbox, &mut rec).await;

    let id = send_with_lost_answer(&w, &outbox, &mut rec, "only once", 2).await;
    let server = w.server_messages(&w.channel).await;
    let contents: Vec<_> = server.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["before", "only once"]);
    let sent = rec.sent()[&id].clone().expect("a message");
    assert_eq!(
        sent.id, server[1].id,
        "resolved to the message already posted"
    );
}

#[tokio::test]
async fn a_crash_with_a_send_in_flight_is_resolved_from_history_after_restart() {
    let w = World::start().await;
    let id = {
        let (outbox, mut rec) = w.open(w.proxied_client(TIMEOUT)).await;
        send_first(&w, &outbox, &mut rec).await;
        w.proxy.swallow(true);
        let id = outbox
            .enqueue(&w.channel, text("in flight at the crash"))
            .unwrap();
        eventually("the server to store it", || {
            w.server.channel_message_ids(&w.channel).len() == 2
        })
        .await;
        id
        // The app dies here, its request still waiting for an answer.
    };
    w.proxy.swallow(false);
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    assert_eq!(rec.snapshot.len(), 1);
    assert_eq!(rec.snapshot[0].state, OutboxState::Sending, "left mid-send");
    rec.until("the send to resolve", |r| r.sent().contains_key(&id))
        .await;
    let server = w.server_messages(&w.channel).await;
    assert_eq!(
        server
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["before", "in flight at the crash"]
    );
    assert_eq!(
        rec.sent()[&id].as_ref().map(|m| m.id.clone()),
        Some(server[1].id.clone())
    );
    assert!(outbox.entries().unwrap().is_empty());
}

#[tokio::test]
async fn a_reset_connection_mid_send_does_not_duplicate() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.proxied_client(TIMEOUT)).await;
    send_first(&w, &outbox, &mut rec).await;
    w.proxy.reset_next(1);
    let id = outbox.enqueue(&w.channel, text("reset once")).unwrap();
    rec.until("the send to resolve", |r| r.sent().contains_key(&id))
        .await;
    assert!(
        rec.count(|u| matches!(u, OutboxUpdate::Waiting { .. })) >= 1,
        "the reset was seen"
    );
    assert_eq!(
        w.server_contents(&w.channel).await,
        ["before", "reset once"]
    );
}

#[tokio::test]
async fn a_slow_answer_past_the_client_timeout_does_not_duplicate() {
    let w = World::start().await;
    // The grace outlasts the server's delay: whether or not the server finishes the request
    // after the client gave up, the history check sees the final state.
    let config = plexichat_core::outbox::OutboxConfig {
        ambiguity_grace: Duration::from_millis(1_500),
        ..support::fast_config()
    };
    let (outbox, mut rec) = w
        .open_with(w.client(Duration::from_millis(500)), config)
        .await;
    send_first(&w, &outbox, &mut rec).await;
    w.server.faults().delay_ms(1_000);
    let id = outbox.enqueue(&w.channel, text("slow")).unwrap();
    until_waiting(&mut rec, id).await;
    w.server.faults().delay_ms(0);
    rec.until("the send to resolve", |r| r.sent().contains_key(&id))
        .await;
    assert_eq!(w.server_contents(&w.channel).await, ["before", "slow"]);
}

#[tokio::test]
async fn edits_deletes_and_reactions_go_through_the_queue_in_order() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    let first = outbox.enqueue(&w.channel, text("typo")).unwrap();
    rec.until("the send", |r| r.sent().contains_key(&first))
        .await;
    let msg = rec.sent()[&first].clone().unwrap();
    let ids = [
        outbox
            .enqueue(
                &w.channel,
                OutboxItem::Edit {
                    message_id: msg.id.clone(),
                    content: "fixed".into(),
                },
            )
            .unwrap(),
        outbox
            .enqueue(
                &w.channel,
                OutboxItem::Reaction {
                    message_id: msg.id.clone(),
                    emoji: "👍".into(),
                    is_add: true,
                },
            )
            .unwrap(),
        outbox
            .enqueue(
                &w.channel,
                OutboxItem::Reply {
                    content: "a reply".into(),
                    reply_to_id: msg.id.clone(),
                },
            )
            .unwrap(),
    ];
    rec.until("all three", |r| {
        ids.iter().all(|i| r.sent().contains_key(i))
    })
    .await;
    let server = w.server_messages(&w.channel).await;
    assert_eq!(server[0].content, "fixed");
    assert_eq!(server[0].reactions.len(), 1);
    assert_eq!(server[1].reply_to_id.as_deref(), Some(msg.id.as_str()));

    let del = outbox
        .enqueue(
            &w.channel,
            OutboxItem::Delete {
                message_id: msg.id.clone(),
            },
        )
        .unwrap();
    // Deleting again answers 404: already gone counts as done.
    let again = outbox
        .enqueue(&w.channel, OutboxItem::Delete { message_id: msg.id })
        .unwrap();
    rec.until("both deletes", |r| {
        r.sent().contains_key(&del) && r.sent().contains_key(&again)
    })
    .await;
    assert_eq!(w.server_contents(&w.channel).await, ["a reply"]);
    // The local cache followed: the edit replaced the message by id, the delete removed it.
    let cache = plexichat_core::store::Store::open(&w.db_path()).unwrap();
    let cached: Vec<_> = cache
        .recent_messages(&w.channel, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(cached, ["a reply"]);
}

/// Seeded and bounded: sends to two channels under random 503s, 429s, reset connections and
/// one restart; prints the tally the issue asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_loses_duplicates_and_reorders_nothing() {
    const SENDS: usize = 1_000;
    const WINDOW: usize = 8;
    let seed: u64 = std::env::var("OUTBOX_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = StdRng::seed_from_u64(seed);
    let w = World::start().await;
    let second = w
        .server
        .create_channel(&w.server_id, "second")
        .await
        .unwrap();
    let channels = [w.channel.clone(), second];
    let started = std::time::Instant::now();

    let (mut outbox, mut rec) = w.open(w.proxied_client(Duration::from_secs(2))).await;
    let mut expected: HashMap<String, Vec<String>> = HashMap::new();
    let mut pending = 0usize;
    let mut waits = 0usize;
    for i in 0..SENDS {
        match rng.random_range(0..25) {
            0 => w.server.faults().http_status(503, rng.random_range(1..4)),
            1 => w
                .server
                .faults()
                .rate_limit(0.05, false, rng.random_range(1..3)),
            2 => w.proxy.reset_next(rng.random_range(1..3)),
            _ => {}
        }
        let channel = &channels[rng.random_range(0..channels.len())];
        let content = format!("soak {i:04}");
        outbox.enqueue(channel, text(&content)).unwrap();
        expected.entry(channel.clone()).or_default().push(content);
        pending += 1;
        if i == SENDS / 2 {
            rec.until("some progress", |r| r.sent().len() >= pending / 4)
                .await;
            let done_before = rec.sent().len();
            waits += rec.count(|u| matches!(u, OutboxUpdate::Waiting { .. }));
            drop(outbox);
            let reopened = w.open(w.proxied_client(Duration::from_secs(2))).await;
            outbox = reopened.0;
            rec = reopened.1;
            pending = rec.snapshot.len();
            assert!(pending + done_before <= i + 1);
        }
        // A bounded window of sends in flight, so faults land between deliveries instead of
        // all being overwritten before the first request.
        rec.until("the window to move", |r| r.sent().len() + WINDOW >= pending)
            .await;
    }
    rec.until("the queue to drain", |r| r.sent().len() >= pending)
        .await;
    assert!(outbox.entries().unwrap().is_empty(), "nothing left pending");
    waits += rec.count(|u| matches!(u, OutboxUpdate::Waiting { .. }));

    let (mut delivered, mut lost, mut duplicated, mut out_of_order) = (0, 0, 0, 0);
    for channel in &channels {
        let got = w.server_contents(channel).await;
        let want = expected.get(channel).cloned().unwrap_or_default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for c in &got {
            *seen.entry(c.as_str()).or_default() += 1;
        }
        delivered += want
            .iter()
            .filter(|c| seen.contains_key(c.as_str()))
            .count();
        lost += want
            .iter()
            .filter(|c| !seen.contains_key(c.as_str()))
            .count();
        duplicated += seen.values().map(|n| n - 1).sum::<usize>();
        let index: HashMap<&str, usize> = want
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let order: Vec<usize> = got
            .iter()
            .filter_map(|c| index.get(c.as_str()).copied())
            .collect();
        out_of_order += order.windows(2).filter(|p| p[0] > p[1]).count();
    }
    println!(
        "soak seed={seed:#x} sent={SENDS} delivered={delivered} lost={lost} \
         duplicated={duplicated} out-of-order={out_of_order} (faulted attempts: {waits}) in {:.1?}",
        started.elapsed()
    );
    assert!(waits > 10, "the faults must have been hit");
    assert_eq!((lost, duplicated, out_of_order), (0, 0, 0));
    assert_eq!(delivered, SENDS);
}

#[tokio::test]
async fn an_attachment_is_uploaded_and_posted_once_even_after_an_outage() {
    use base64::Engine as _;
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    w.server.stop_listening().await;
    let id = outbox
        .enqueue(
            &w.channel,
            OutboxItem::Attachment {
                content: "the notes".into(),
                filename: "notes.txt".into(),
                mime: "text/plain".into(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(b"hello"),
                uploaded: None,
            },
        )
        .unwrap();
    rec.until("a wait while offline", |r| {
        r.count(|u| matches!(u, OutboxUpdate::Waiting { .. })) > 0
    })
    .await;
    w.server.resume_listening().await.unwrap();
    outbox.wake_all();
    rec.until("the send", |r| r.sent().contains_key(&id)).await;
    let server = w.server_messages(&w.channel).await;
    assert_eq!(server.len(), 1);
    assert_eq!(server[0].content, "the notes");
    let sent = rec.sent()[&id].clone().expect("a message");
    assert_eq!(sent.id, server[0].id);
    // The message carries the uploaded file (referenced as the server expects: by object).
    assert_eq!(sent.attachments.len(), 1, "{sent:?}");
    assert_eq!(server[0].attachments.len(), 1, "{:?}", server[0]);
}

#[tokio::test]
async fn nothing_is_attempted_before_sign_in() {
    let w = World::start().await;
    let client = w.client(TIMEOUT);
    client.api().set_token(None);
    let (outbox, mut rec) = w.open(client.clone()).await;
    let id = outbox.enqueue(&w.channel, text("after sign-in")).unwrap();
    rec.until("a wait for sign-in", |r| {
        r.count(|u| {
            matches!(
                u,
                OutboxUpdate::Waiting {
                    state: UiState::SignedOut,
                    ..
                }
            )
        }) > 0
    })
    .await;
    assert!(w.server.channel_message_ids(&w.channel).is_empty());
    client
        .api()
        .set_token(Some(plexichat_core::Secret::new(w.alice.token.clone())));
    outbox.wake_all();
    rec.until("the send", |r| r.sent().contains_key(&id)).await;
    assert_eq!(w.server_contents(&w.channel).await, ["after sign-in"]);
}

#[tokio::test]
async fn a_lost_answer_in_a_busy_channel_is_found_past_the_first_page() {
    let w = World::start().await;
    let bob = w
        .server
        .create_user("bob", "Correct-Horse-9battery")
        .await
        .unwrap();
    w.server.add_member(&w.server_id, &bob.id).await.unwrap();
    let (outbox, mut rec) = w.open(w.proxied_client(Duration::from_millis(800))).await;
    send_first(&w, &outbox, &mut rec).await;
    // More than a history page arrives that this client never saw.
    for i in 0..150 {
        w.server
            .post_message(&bob.id, &w.channel, &format!("bob {i}"))
            .await
            .unwrap();
    }
    send_with_lost_answer(&w, &outbox, &mut rec, "mine", 152).await;
    let contents = w.server_contents(&w.channel).await;
    assert_eq!(contents.iter().filter(|c| *c == "mine").count(), 1);
    assert_eq!(contents.len(), 152);
}

#[tokio::test]
async fn a_second_outbox_on_the_same_file_is_refused_until_the_first_is_gone() {
    let w = World::start().await;
    let store = || plexichat_core::store::Store::open(&w.db_path()).unwrap();
    let first = Outbox::open(store(), w.client(TIMEOUT)).await.unwrap();
    let second = Outbox::open(store(), w.client(TIMEOUT)).await;
    assert!(matches!(
        second,
        Err(plexichat_core::outbox::Error::AlreadyOpen(_))
    ));
    drop(first);
    assert!(Outbox::open(store(), w.client(TIMEOUT)).await.is_ok());
}

// ---- send later -----------------------------------------------------------------------------

fn scheduled_sent(rec: &Recorder) -> Vec<plexichat_core::rich::ScheduledMessage> {
    rec.updates
        .iter()
        .filter_map(|u| match u {
            OutboxUpdate::ScheduledSent { scheduled } => Some(scheduled.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_scheduled_message_is_sent_at_its_time_and_not_before() {
    use plexichat_core::rich::ScheduledStatus;
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    let at = plexichat_core::clock::now_ms() + 1_500;
    let s = outbox.schedule(&w.channel, "see you later", at).unwrap();
    assert_eq!(s.status, ScheduledStatus::Pending);
    assert_eq!(outbox.scheduled().unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        w.server.channel_message_ids(&w.channel).is_empty(),
        "not before its time"
    );
    rec.until("the scheduled send", |r| {
        !scheduled_sent(r).is_empty() && r.sent().len() == 1
    })
    .await;
    assert!(plexichat_core::clock::now_ms() >= at);
    assert_eq!(scheduled_sent(&rec)[0].status, ScheduledStatus::Sent);
    assert_eq!(w.server_contents(&w.channel).await, ["see you later"]);
    // It stays listed as sent (once), then can be dismissed.
    let listed = outbox.scheduled().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, ScheduledStatus::Sent);
    outbox.cancel_scheduled(&listed[0].id).unwrap();
    assert!(outbox.scheduled().unwrap().is_empty());
}

#[tokio::test]
async fn a_message_due_while_the_app_was_closed_goes_out_late_on_the_next_start() {
    use plexichat_core::rich::ScheduledStatus;
    let w = World::start().await;
    {
        // The app scheduled it, then was closed past its time.
        let store = plexichat_core::store::Store::open(&w.db_path()).unwrap();
        let due = plexichat_core::clock::now_ms() - 5 * 60_000;
        store
            .insert_scheduled(&w.channel, "written last night", due, None)
            .unwrap();
    }
    let (_outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    rec.until("the late send", |r| {
        !scheduled_sent(r).is_empty() && r.sent().len() == 1
    })
    .await;
    assert_eq!(scheduled_sent(&rec)[0].status, ScheduledStatus::SentLate);
    assert_eq!(w.server_contents(&w.channel).await, ["written last night"]);
}

#[tokio::test]
async fn scheduled_messages_can_be_edited_and_cancelled_and_bad_times_are_refused() {
    let w = World::start().await;
    let (outbox, _rec) = w.open(w.client(TIMEOUT)).await;
    let now = plexichat_core::clock::now_ms();
    assert!(matches!(
        outbox.schedule(&w.channel, "too late", now - 1),
        Err(plexichat_core::outbox::Error::Invalid(_))
    ));
    assert!(outbox.schedule(&w.channel, "  ", now + 60_000).is_err());
    let s = outbox
        .schedule(&w.channel, "draft", now + 3_600_000)
        .unwrap();
    let edited = outbox
        .edit_scheduled(&s.id, "final words", now + 7_200_000)
        .unwrap();
    assert_eq!(edited.content, "final words");
    assert_eq!(edited.scheduled_at, now + 7_200_000);
    outbox.cancel_scheduled(&s.id).unwrap();
    assert!(outbox.scheduled().unwrap().is_empty());
    assert!(outbox.cancel_scheduled(&s.id).is_err());
    assert!(w.server.channel_message_ids(&w.channel).is_empty());
}

#[tokio::test]
async fn a_due_server_held_message_is_adopted_and_sent_once() {
    let w = World::start().await;
    let client = w.client(TIMEOUT);
    let at = plexichat_core::clock::now_ms() + 3_600_000;
    let held = client
        .schedule_on_server(&w.channel, "from the terminal", at)
        .await
        .unwrap();
    let config = plexichat_core::outbox::OutboxConfig {
        adopt_every: Some(Duration::from_millis(200)),
        ..support::fast_config()
    };
    let (outbox, mut rec) = w.open_with(client, config).await;
    // Not due yet: listed as the server's, not sent.
    let list = outbox.scheduled_list().await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].id, format!("server:{}", held.id));
    assert!(list.server_unavailable.is_none());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(w.server.channel_message_ids(&w.channel).is_empty());
    // Now it is due.
    let due = u64::try_from(plexichat_core::clock::now_ms()).unwrap();
    assert_eq!(w.server.set_scheduled_times(due), 1);
    rec.until("the adopted send", |r| r.sent().len() == 1).await;
    assert_eq!(w.server_contents(&w.channel).await, ["from the terminal"]);
    assert_eq!(
        w.server.scheduled_statuses(),
        [(held.id.clone(), "cancelled".to_owned())],
        "taken off the server's list so no other device sends it"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        w.server.channel_message_ids(&w.channel).len(),
        1,
        "sent once"
    );
}

fn file_item(name: &str, len: usize) -> OutboxItem {
    use base64::Engine as _;
    let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
    OutboxItem::Attachment {
        content: String::new(),
        filename: name.to_owned(),
        mime: "text/plain".into(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        uploaded: None,
    }
}

#[tokio::test]
async fn an_upload_reports_progress_and_one_cut_mid_way_is_retried_and_posted_once() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.proxied_client(Duration::from_secs(2))).await;
    send_first(&w, &outbox, &mut rec).await;
    // The upload's answer is cut as it starts to arrive (the server may or may not have the
    // file): the retry uploads again and posts exactly one message.
    w.proxy.reset_next(1);
    let len = 300 * 1024;
    let id = outbox
        .enqueue(&w.channel, file_item("cut.txt", len))
        .unwrap();
    rec.until("the send", |r| r.sent().contains_key(&id)).await;
    let waited =
        rec.count(|u| matches!(u, OutboxUpdate::Waiting { local_id, .. } if *local_id == id));
    assert!(waited >= 1, "the cut attempt waited: {:?}", rec.updates);
    let progress: Vec<(u64, u64)> = rec
        .updates
        .iter()
        .filter_map(|u| match u {
            OutboxUpdate::Progress {
                local_id,
                sent,
                total,
            } if *local_id == id => Some((*sent, *total)),
            _ => None,
        })
        .collect();
    assert!(progress.len() > 3, "several steps: {progress:?}");
    assert!(progress.iter().all(|(s, t)| s <= t && *t == len as u64));
    assert_eq!(progress.last(), Some(&(len as u64, len as u64)));
    let server = w.server_messages(&w.channel).await;
    let with_file: Vec<_> = server
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .collect();
    assert_eq!(with_file.len(), 1, "posted once: {server:?}");
    assert_eq!(with_file[0].attachments[0].filename, "cut.txt");
}

#[tokio::test]
async fn an_upload_can_be_cancelled_while_it_goes_up_and_nothing_is_posted() {
    let w = World::start().await;
    let (outbox, mut rec) = w.open(w.client(TIMEOUT)).await;
    send_first(&w, &outbox, &mut rec).await;
    w.server.faults().delay_ms(3_000);
    let id = outbox
        .enqueue(&w.channel, file_item("slow.txt", 200 * 1024))
        .unwrap();
    rec.until("the upload to start", |r| {
        r.count(|u| matches!(u, OutboxUpdate::Progress { local_id, .. } if *local_id == id)) > 0
    })
    .await;
    outbox
        .cancel(id)
        .expect("an upload in flight can be cancelled");
    rec.until("the cancel", |r| {
        r.count(|u| matches!(u, OutboxUpdate::Cancelled { local_id } if *local_id == id)) > 0
    })
    .await;
    w.server.faults().delay_ms(0);
    assert!(outbox.entries().unwrap().is_empty());
    assert!(!rec.sent().contains_key(&id));
    let server = w.server_messages(&w.channel).await;
    assert!(
        server.iter().all(|m| m.attachments.is_empty()),
        "{server:?}"
    );
}
