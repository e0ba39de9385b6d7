//! Gateway connection against `plexichat-devserver` over real sockets.
//!
//! Every wait has a timeout ([`support::WAIT`]); intervals are shrunk through the devserver's
//! test config (1 s heartbeat) and the client's [`GatewayConfig`].

#[path = "gateway/support.rs"]
mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use plexichat_core::event::Event;
use plexichat_core::gateway::{Gateway, Presence, Token, TokenStatus};
use plexichat_core::model::cmp_ids;
use plexichat_core::ui_state::{LoginReason, UiState};
use rand::{rngs::StdRng, Rng, SeedableRng};
use support::{is_ready, is_reconnecting, FixedVerifier, World, WAIT};

#[tokio::test]
async fn connects_identifies_and_streams_messages() {
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    let ready = rec.state("ready", is_ready).await;
    assert!(matches!(ready, UiState::Ready { user } if user.username == "alice"));
    assert_eq!(rec.states.first(), Some(&UiState::Connecting));
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    let id = w.post("hello alice").await;
    rec.until("the message", |r| r.message_ids().contains(&id))
        .await;
    let Some(Event::MessageCreate(m)) = rec
        .events
        .iter()
        .find(|e| matches!(e, Event::MessageCreate(_)))
    else {
        panic!()
    };
    assert_eq!(
        (m.content.as_str(), m.author_id.as_str()),
        ("hello alice", w.bob.id.as_str())
    );
    assert!(matches!(&rec.events[0], Event::Ready(r) if r.servers.len() == 1));
    gw.shutdown().await;
    assert!(!gw.is_running());
}

#[tokio::test]
async fn heartbeat_timeout_on_a_zombie_socket_reconnects_and_catches_up() {
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();

    // ACKs stop: within two heartbeat intervals (1 s) the client must notice and redial.
    w.server.faults().zombie(true);
    let started = tokio::time::Instant::now();
    let missed = w.post("sent while the socket was a zombie").await;
    rec.next_state("reconnecting after a missed ACK", is_reconnecting)
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "zombie found in {:?}",
        started.elapsed()
    );
    w.server.faults().zombie(false);
    rec.next_state("ready again", is_ready).await;
    rec.until("the message", |r| r.message_ids().contains(&missed))
        .await;
    assert_eq!(
        rec.message_ids().iter().filter(|i| **i == missed).count(),
        1
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn resume_success_keeps_the_session_and_repairs_the_gap_over_rest() {
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    let before = w.post("before").await;
    rec.until("first message", |r| r.message_ids().contains(&before))
        .await;

    // Stop accepting, so messages land while alice is surely disconnected.
    w.server.stop_listening().await;
    rec.next_state("reconnecting", is_reconnecting).await;
    let during: Vec<String> = [w.post("gap 1").await, w.post("gap 2").await].into();
    w.server.resume_listening().await.unwrap();

    rec.until("RESUMED", |r| {
        r.count_events(|e| matches!(e, Event::Resumed)) == 1
    })
    .await;
    rec.until("the gap repaired", |r| {
        during.iter().all(|id| r.message_ids().contains(id))
    })
    .await;
    assert_eq!(
        rec.count_events(|e| matches!(e, Event::Ready(_))),
        1,
        "resumed, not re-identified"
    );
    assert_eq!(
        rec.message_ids(),
        [before, during[0].clone(), during[1].clone()]
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn resume_failure_identifies_again_on_the_same_socket() {
    // The server forgets sessions after 300 ms; the client still tries RESUME (its window is
    // longer), gets op 9 and must IDENTIFY on that socket.
    let w = World::start(|c| c.resume_window_ms = 300).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    w.server.stop_listening().await;
    let missed = w.post("while the session expired").await;
    tokio::time::sleep(Duration::from_millis(600)).await; // outlive the server's window
    w.server.resume_listening().await.unwrap();

    rec.until("a second READY", |r| {
        r.count_events(|e| matches!(e, Event::Ready(_))) == 2
    })
    .await;
    assert_eq!(rec.count_events(|e| matches!(e, Event::Resumed)), 0);
    rec.until("the missed message", |r| r.message_ids().contains(&missed))
        .await;
    assert!(is_ready(rec.states.last().unwrap()));
    gw.shutdown().await;
}

#[tokio::test]
async fn bad_token_signs_out_only_after_rest_confirms_it() {
    let w = World::start(|_| {}).await;
    let (_gw, mut rec) = w.connect(w.config(), "1234567.not-a-real-token");
    let state = rec
        .state("login required", |s| {
            matches!(s, UiState::LoginRequired { .. })
        })
        .await;
    assert!(matches!(
        state,
        UiState::LoginRequired {
            reason: LoginReason::InvalidToken,
            ..
        }
    ));
    rec.drain().await;
    assert!(
        rec.closed,
        "the connection stops after a confirmed bad token"
    );
    assert!(!rec.states.iter().any(is_ready));
}

#[tokio::test]
async fn close_4004_with_a_token_rest_still_accepts_keeps_the_user_signed_in() {
    // 4004 is also what a rate-limited token check looks like (PROTOCOL.md §7).
    let w = World::start(|_| {}).await;
    let (gw, rx) = Gateway::connect(
        w.config(),
        Token::new("1234567.rejected-by-gateway"),
        w.history(&w.alice.token),
        Arc::new(FixedVerifier(TokenStatus::Valid)),
    );
    let mut rec = support::Recorder::new(rx);
    rec.state("reconnecting", is_reconnecting).await;
    rec.until("a few attempts", |r| {
        r.states.iter().filter(|s| is_reconnecting(s)).count() >= 3
    })
    .await;
    assert!(!rec
        .states
        .iter()
        .any(|s| matches!(s, UiState::LoginRequired { .. })));
    gw.shutdown().await;
}

#[tokio::test]
async fn bad_intents_end_in_a_bug_report() {
    let w = World::start(|_| {}).await;
    let mut config = w.config();
    config.intents = 1 << 40;
    let (_gw, mut rec) = w.connect_alice(config);
    let state = rec
        .state("bug report", |s| matches!(s, UiState::BugReport { .. }))
        .await;
    assert!(matches!(state, UiState::BugReport { message } if message.contains("4013")));
    rec.drain().await;
    assert!(
        !rec.states.iter().any(is_reconnecting),
        "4013 is not retried: {:?}",
        rec.states
    );
}

#[tokio::test]
async fn compressed_stream_delivers_events_across_reconnects() {
    let w = World::start(|c| c.resume_window_ms = 300).await;
    let mut config = w.config();
    config.compress = true;
    let (gw, mut rec) = w.connect_alice(config);
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    let first = w.post("compressed 1").await;
    rec.until("first", |r| r.message_ids().contains(&first))
        .await;

    // A new socket starts a new zlib stream: the inflater must start fresh too.
    w.server.stop_listening().await;
    tokio::time::sleep(Duration::from_millis(600)).await; // outlive the server's window
    w.server.resume_listening().await.unwrap();
    rec.until("second READY", |r| {
        r.count_events(|e| matches!(e, Event::Ready(_))) == 2
    })
    .await;
    let second = w.post("compressed 2").await;
    rec.until("second", |r| r.message_ids().contains(&second))
        .await;
    assert_eq!(rec.message_ids(), [first, second]);
    gw.shutdown().await;
}

#[tokio::test]
async fn malformed_frame_is_skipped_without_losing_the_connection() {
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    w.server.faults().malformed_frame();
    let id = w.post("after the garbage").await;
    rec.until("the message", |r| r.message_ids().contains(&id))
        .await;
    assert!(!rec.states.iter().any(is_reconnecting), "{:?}", rec.states);
    gw.shutdown().await;
}

#[tokio::test]
async fn dropped_and_duplicated_events_are_repaired_live() {
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();
    w.server.faults().duplicate_events(2);
    let a = w.post("dup a").await;
    let b = w.post("dup b").await;
    w.server.faults().drop_events(2);
    let c = w.post("dropped c").await;
    let d = w.post("dropped d").await;
    // The next event shows a sequence gap: the client fetches c and d over REST.
    let e = w.post("visible e").await;
    rec.until("all five", |r| {
        [&a, &b, &c, &d, &e]
            .iter()
            .all(|id| r.message_ids().contains(id))
    })
    .await;
    gw.shutdown().await;
    rec.drain().await;
    assert_eq!(rec.message_ids(), [a, b, c, d, e]);
}

#[tokio::test]
async fn security_logout_signs_the_user_out() {
    let w = World::start(|_| {}).await;
    let (_gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    assert!(w.server.faults().revoke_sessions("alice"));
    let state = rec
        .state("login required", |s| {
            matches!(s, UiState::LoginRequired { .. })
        })
        .await;
    assert!(
        matches!(
            state,
            UiState::LoginRequired {
                reason: LoginReason::SignedOutRemotely | LoginReason::InvalidToken,
                ..
            }
        ),
        "{state:?}"
    );
    rec.drain().await;
    assert!(rec.closed);
}

#[tokio::test]
async fn presence_is_sent_again_after_resume() {
    let w = World::start(|_| {}).await;
    let mut config = w.config();
    config.presence = Some(Presence {
        status: "dnd".into(),
        custom_status: None,
    });
    let (gw, mut rec) = w.connect_alice(config);
    rec.state("ready", is_ready).await;
    let http = reqwest::Client::new();
    let presence_url = format!("{}/users/{}/presence", w.api(), w.alice.id);
    let status = || async {
        let v: serde_json::Value = http
            .get(&presence_url)
            .bearer_auth(&w.bob.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["status"].as_str().unwrap_or_default().to_owned()
    };
    wait_for(|| async { status().await == "dnd" }).await;

    // Another device changes it over REST; only a re-sent op 3 can bring "dnd" back.
    let put = http
        .put(format!("{}/users/@me/presence", w.api()))
        .bearer_auth(&w.alice.token)
        .json(&serde_json::json!({"status": "online"}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    assert_eq!(status().await, "online");
    w.server.faults().drop_gateway();
    rec.until("RESUMED", |r| {
        r.count_events(|e| matches!(e, Event::Resumed)) == 1
    })
    .await;
    wait_for(|| async { status().await == "dnd" }).await;
    gw.shutdown().await;
}

#[tokio::test]
async fn reconnect_now_skips_the_backoff_wait() {
    let w = World::start(|_| {}).await;
    let mut config = w.config();
    config.backoff_base = Duration::from_secs(60);
    config.backoff_cap = Duration::from_secs(60);
    let (gw, mut rec) = w.connect_alice(config);
    rec.state("ready", is_ready).await;
    w.server.stop_listening().await;
    rec.next_state("reconnecting", is_reconnecting).await;
    // Keep failing until the backoff is long, then come back and press "reconnect now".
    w.server.resume_listening().await.unwrap();
    gw.reconnect_now().unwrap();
    rec.next_state("ready again", is_ready).await;
    gw.shutdown().await;
}

/// Polls `check` until it holds; panics after [`WAIT`].
async fn wait_for<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The acceptance run of issues #6 and #15: 200 messages posted by bob over REST, some of them
/// edited, deleted or pinned later, while the server drops sockets, goes zombie, drops,
/// duplicates and mangles events at random (seeded, bounded). Alice's client must end with
/// exactly the server's state: every message delivered once and in order (nothing lost, nothing
/// twice), and her cache — built only from the events she got, catch-up's included — holding
/// the server's messages with their current content, edit time and pin. `PLEXI_FAULT_SEED`
/// replays another seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_ends_with_exactly_the_servers_messages() {
    let seed: u64 = std::env::var("PLEXI_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0006);
    let mut rng = StdRng::seed_from_u64(seed);
    let w = World::start(|_| {}).await;
    let (gw, mut rec) = w.connect_alice(w.config());
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();

    let faults = w.server.faults();
    let http = reqwest::Client::new();
    let (mut drops, mut zombies, mut dropped, mut duplicated, mut malformed) =
        (0, 0, 0u32, 0u32, 0);
    let (mut edits, mut pins) = (0, 0);
    let mut deleted: HashSet<String> = HashSet::new();
    let mut posted: Vec<String> = Vec::new();
    let mut zombie_until: Option<usize> = None;
    let total = 200;
    for i in 0..total {
        if zombie_until == Some(i) {
            faults.zombie(false);
            zombie_until = None;
        }
        let roll: f64 = rng.random_range(0.0..1.0);
        if roll < 0.03 {
            faults.drop_gateway();
            drops += 1;
        } else if roll < 0.045 && zombie_until.is_none() {
            faults.zombie(true);
            zombies += 1;
            zombie_until = Some(i + rng.random_range(20..40));
        } else if roll < 0.10 {
            let n = rng.random_range(1..4);
            faults.drop_events(n);
            dropped += n;
        } else if roll < 0.15 {
            let n = rng.random_range(1..4);
            faults.duplicate_events(n);
            duplicated += n;
        } else if roll < 0.17 {
            faults.malformed_frame();
            malformed += 1;
        }
        posted.push(w.post_over_rest(&http, &format!("soak {i}")).await);
        // Now and then bob changes one of his recent messages: the change's event may be
        // dropped like any other, and only catch-up's refreshed span can repair it.
        let change: f64 = rng.random_range(0.0..1.0);
        let live: Vec<&String> = posted
            .iter()
            .rev()
            .take(30)
            .filter(|id| !deleted.contains(*id))
            .collect();
        if change < 0.25 && !live.is_empty() {
            let target = live[rng.random_range(0..live.len())].clone();
            let path = format!("/channels/{}/messages/{target}", w.channel);
            let what: f64 = rng.random_range(0.0..1.0);
            if what < 0.6 {
                let body = serde_json::json!({ "content": format!("edited {i}") });
                w.change_over_rest(&http, reqwest::Method::PATCH, &path, Some(body))
                    .await;
                edits += 1;
            } else if what < 0.8 {
                w.change_over_rest(&http, reqwest::Method::DELETE, &path, None)
                    .await;
                deleted.insert(target);
            } else {
                let pin = format!("/channels/{}/pins/{target}", w.channel);
                w.change_over_rest(&http, reqwest::Method::PUT, &pin, None)
                    .await;
                pins += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..40))).await;
        rec.pump();
    }
    faults.reset();

    // Like a window regaining focus: one more catch-up covers events dropped at the very end.
    let truth = w.server.channel_message_ids(&w.channel);
    assert_eq!(truth.len() + deleted.len(), total);
    rec.state("ready", is_ready).await;
    let refreshes_before = rec.count_events(|e| matches!(e, Event::MessagesRefreshed(_)));
    gw.catch_up_now().unwrap();
    rec.until("every message and a refreshed span", |r| {
        let got: HashSet<_> = r.message_ids().into_iter().collect();
        truth.iter().all(|id| got.contains(id))
            && r.count_events(|e| matches!(e, Event::MessagesRefreshed(_))) > refreshes_before
    })
    .await;
    gw.shutdown().await;
    rec.drain().await;

    let got = rec.message_ids();
    let unique: HashSet<&String> = got.iter().collect();
    let lost = truth.iter().filter(|id| !unique.contains(id)).count();
    let dup = got.len() - unique.len();
    let out_of_order = got
        .windows(2)
        .filter(|p| cmp_ids(&p[0], &p[1]).is_ge())
        .count();
    let reconnects = rec.states.iter().filter(|s| is_reconnecting(s)).count();

    // The client's state: every event applied to a cache in delivery order, as the app does.
    let store = plexichat_core::store::Store::in_memory().unwrap();
    for e in &rec.events {
        store.apply_event(e).unwrap();
    }
    let held: Vec<(String, String, Option<i64>, bool)> = store
        .recent_messages(&w.channel, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.content, m.edited_at, m.pinned))
        .collect();
    let server: Vec<(String, String, Option<i64>, bool)> = w
        .server
        .channel_message_states(&w.channel)
        .into_iter()
        .map(|(id, content, edited, pinned)| {
            (
                id,
                content,
                edited.and_then(|t| i64::try_from(t).ok()),
                pinned,
            )
        })
        .collect();
    let differing = held.iter().zip(&server).filter(|(a, b)| a != b).count()
        + held.len().abs_diff(server.len());
    println!(
        "fault soak seed={seed:#x}: faults injected={} (socket drops={drops}, zombie spells={zombies}, \
         events dropped={dropped}, events duplicated={duplicated}, malformed frames={malformed}); \
         reconnects={reconnects}; messages={} (edited {edits}, deleted {}, pinned {pins}) received={}; \
         lost={lost} duplicated={dup} out-of-order={out_of_order}; cache differs from server in {differing}",
        drops + zombies + dropped as usize + duplicated as usize + malformed,
        total,
        deleted.len(),
        got.len(),
    );
    assert_eq!((lost, dup, out_of_order), (0, 0, 0));
    let live_got: Vec<String> = got.into_iter().filter(|id| !deleted.contains(id)).collect();
    assert_eq!(
        live_got, truth,
        "the client holds exactly the server's list"
    );
    assert!(
        edits > 0 && !deleted.is_empty(),
        "the seed must change messages"
    );
    assert_eq!(
        held, server,
        "the cache shows what the server has: content, edits, pins"
    );
    assert!(drops + zombies > 0, "the seed must exercise reconnects");
}

/// The app wires the core's own REST client in: catch-up and the token check go through
/// `Api` (rate limiter, retries, error classification) instead of the test's reqwest calls.
#[tokio::test]
async fn core_rest_client_serves_catch_up_and_token_checks() {
    let w = World::start(|_| {}).await;
    let client = plexichat_core::Client::new(
        plexichat_core::ClientConfig::new(w.server.base_url())
            .with_store(Arc::new(plexichat_core::MemoryStore::new())),
    )
    .unwrap();
    let outcome = client
        .login("alice", &plexichat_core::Secret::new("Correct-Horse-9!"))
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        plexichat_core::LoginOutcome::SignedIn { .. }
    ));
    let token = client.token().unwrap();
    let api = Arc::new(client.api().clone());
    let (gw, rx) = Gateway::connect(w.config(), token, api.clone(), api);
    let mut rec = support::Recorder::new(rx);
    rec.state("ready", is_ready).await;
    gw.track_channel(&w.channel, Some("0".into())).unwrap();

    w.server.stop_listening().await;
    rec.next_state("reconnecting", is_reconnecting).await;
    let missed = w.post("missed while offline").await;
    w.server.resume_listening().await.unwrap();
    rec.until("the missed message via Api", |r| {
        r.message_ids().contains(&missed)
    })
    .await;

    // Revoke over REST: the gateway's SECURITY_LOGOUT (or 4004 + Api check) signs out.
    assert!(w.server.faults().revoke_sessions("alice"));
    let state = rec
        .state("login required", |s| {
            matches!(s, UiState::LoginRequired { .. })
        })
        .await;
    assert!(matches!(state, UiState::LoginRequired { .. }));
}

/// A lockout alert makes the client re-check its token; REST answers 403 `Account
/// suspended`, which is not a sign-out (PROTOCOL.md §2: no logout loop).
#[tokio::test]
async fn security_alert_rechecks_the_token_without_signing_out_a_suspended_account() {
    let w = World::start(|_| {}).await;
    let checks = Arc::new(support::CountingVerifier::new(w.verifier(&w.alice.token)));
    let (gw, rx) = Gateway::connect(
        w.config(),
        Token::new(w.alice.token.clone()),
        w.history(&w.alice.token),
        checks.clone(),
    );
    let mut rec = support::Recorder::new(rx);
    rec.state("ready", is_ready).await;
    assert!(w.server.faults().lock_account("alice"));
    rec.until("SECURITY_ALERT", |r| {
        r.count_events(|e| matches!(e, Event::SecurityAlert(_))) == 1
    })
    .await;
    wait_for(|| async { checks.calls() == 1 }).await;
    assert_eq!(checks.last(), Some(TokenStatus::Unknown));
    rec.pump();
    assert!(
        !rec.states
            .iter()
            .any(|s| matches!(s, UiState::LoginRequired { .. })),
        "{:?}",
        rec.states
    );
    assert!(is_ready(rec.states.last().unwrap()));
    gw.shutdown().await;
}

/// Repeated failed dials turn "reconnecting" into "offline" (the banner with "reconnect
/// now"); retries continue in the background and the connection recovers by itself.
#[tokio::test]
async fn repeated_failures_show_offline_then_recover() {
    let w = World::start(|_| {}).await;
    let mut config = w.config();
    config.offline_after_attempts = 2;
    config.backoff_cap = Duration::from_millis(200);
    let (gw, mut rec) = w.connect_alice(config);
    rec.state("ready", is_ready).await;
    w.server.stop_listening().await;
    let attempts: Vec<u32> = {
        rec.next_state("offline", |s| matches!(s, UiState::Offline { .. }))
            .await;
        rec.states
            .iter()
            .filter_map(|s| match s {
                UiState::Reconnecting { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .collect()
    };
    assert_eq!(attempts, [1, 2], "counted attempts before going offline");
    w.server.resume_listening().await.unwrap();
    rec.next_state("ready again", is_ready).await;
    gw.shutdown().await;
}
