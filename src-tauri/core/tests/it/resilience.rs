//! Rate limits, server errors, blind-repeat safety and version enforcement end to end.

use std::time::{Duration, Instant};

use plexichat_core::api::types::HistoryQuery;
use plexichat_core::ui_state::{Entity, UiState};
use plexichat_core::{clock::now_ms, Client, ClientConfig, MemoryStore};
use tokio::sync::broadcast::Receiver;

use crate::support::{assert_state, drain, text_message, timed, wait_for, Target};

async fn chat(target: &Target) -> (Client, String) {
    let (client, name) = target
        .signed_in("chat")
        .await
        .expect("the devserver creates accounts");
    let channel = target.server(&name, "Test").await.general_channel_id;
    (client, channel)
}

/// A devserver with faults and a signed-in client whose published states `rx` receives;
/// `None` (skip) on a real server.
async fn watched_client(prefix: &str) -> Option<(Target, Client, Receiver<UiState>)> {
    let target = Target::with_faults().await?;
    let (client, _) = target.signed_in(prefix).await?;
    let (_, rx) = client.subscribe();
    Some((target, client, rx))
}

#[tokio::test]
async fn a_429_counts_down_then_the_request_completes_by_itself() {
    let Some((target, client, mut rx)) = watched_client("rl").await else {
        return;
    };
    target.dev().faults().rate_limit(0.6, false, 1);
    let started = Instant::now();
    let asked_at = now_ms();
    let servers = timed(client.servers())
        .await
        .expect("completes after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "waited {:?}",
        started.elapsed()
    );
    assert!(servers.is_empty());
    let states = drain(&mut rx);
    let countdown = states
        .iter()
        .find_map(|s| match s {
            UiState::RateLimited {
                retry_at,
                global: false,
                ..
            } => Some(*retry_at),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no countdown in {states:?}"));
    assert!(
        countdown >= asked_at + 500,
        "retry_at {countdown} is in the future"
    );
    assert!(
        matches!(states.last(), Some(UiState::Ready { .. })),
        "ends on the screen: {states:?}"
    );
}

#[tokio::test]
async fn a_global_429_pauses_every_request_then_both_complete() {
    let Some((target, client, mut rx)) = watched_client("grl").await else {
        return;
    };
    target.dev().faults().rate_limit(0.5, true, 1);
    let (a, b) = timed(async { tokio::join!(client.servers(), client.sessions()) }).await;
    a.expect("servers after the pause");
    b.expect("sessions after the pause");
    let states = drain(&mut rx);
    assert!(
        states
            .iter()
            .any(|s| matches!(s, UiState::RateLimited { global: true, .. })),
        "{states:?}"
    );
}

#[tokio::test]
async fn a_burst_of_503_is_retried_and_succeeds() {
    let Some((target, client, mut rx)) = watched_client("svc").await else {
        return;
    };
    target.dev().faults().http_status(503, 2);
    timed(client.servers())
        .await
        .expect("succeeds on the third attempt");
    let states = drain(&mut rx);
    let retries = states
        .iter()
        .filter(|s| {
            matches!(
                s,
                UiState::ServiceUnavailable {
                    retry_at: Some(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(retries, 2, "{states:?}");
}

#[tokio::test]
async fn a_500_on_a_read_shows_attempts_and_next_retry() {
    let Some((target, client, mut rx)) = watched_client("srv").await else {
        return;
    };
    target.dev().faults().http_status(500, 1);
    timed(client.sessions()).await.expect("retried");
    let states = drain(&mut rx);
    assert!(
        states.iter().any(|s| matches!(
            s,
            UiState::ServerError {
                status: 500,
                attempt: 1,
                next_retry_at: Some(_),
                ..
            }
        )),
        "{states:?}"
    );
}

#[tokio::test]
async fn a_failed_post_is_not_repeated() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, channel) = chat(&target).await;
    let before = target.dev().channel_message_ids(&channel).len();
    let msg = text_message("hello");

    // One failure only: a retry would succeed and leave a message behind.
    target.dev().faults().http_status(503, 1);
    let err = timed(client.send_message(&channel, &msg))
        .await
        .expect_err("not repeated");
    assert_state!(
        err.state,
        UiState::ServiceUnavailable { retry_at: None, .. }
    );
    assert_eq!(target.dev().channel_message_ids(&channel).len(), before);

    target.dev().faults().http_status(500, 1);
    let err = timed(client.send_message(&channel, &msg))
        .await
        .expect_err("not repeated");
    assert_state!(err.state, UiState::ContentRejected { .. });
    assert_eq!(target.dev().channel_message_ids(&channel).len(), before);

    // The user's own retry goes through exactly once.
    let sent = timed(client.send_message(&channel, &msg))
        .await
        .expect("sent");
    let ids = target.dev().channel_message_ids(&channel);
    assert_eq!(ids.len(), before + 1);
    assert!(ids.contains(&sent.id));
}

#[tokio::test]
async fn a_rate_limited_post_is_sent_once_after_the_wait() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, channel) = chat(&target).await;
    let before = target.dev().channel_message_ids(&channel).len();
    target.dev().faults().rate_limit(0.3, false, 1);
    let msg = text_message("after the wait");
    timed(client.send_message(&channel, &msg))
        .await
        .expect("sent after the countdown");
    assert_eq!(target.dev().channel_message_ids(&channel).len(), before + 1);
}

#[tokio::test]
async fn chat_round_trip_and_content_filter() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, channel) = chat(&target).await;
    let servers = timed(client.servers()).await.expect("servers");
    assert_eq!(servers.len(), 1);
    let channels = timed(client.channels(&servers[0].id))
        .await
        .expect("channels");
    assert!(channels.iter().any(|c| c.id == channel));
    let text = r#"look <b>bold</b> & "quotes""#;
    let sent = timed(client.send_message(&channel, &text_message(text)))
        .await
        .expect("sent");
    let page = timed(client.history(
        &channel,
        &HistoryQuery {
            limit: Some(5),
            ..HistoryQuery::default()
        },
    ))
    .await
    .expect("history");
    assert_eq!(page[0].id, sent.id);
    assert_eq!(page[0].content, text, "content comes back exactly as sent");

    let err = timed(client.send_message(&channel, &text_message("a -- b")))
        .await
        .expect_err("filtered");
    assert_state!(err.state, UiState::ContentRejected { .. });
    let err = timed(client.send_message(&channel, &text_message("   ")))
        .await
        .expect_err("checked locally");
    assert_state!(err.state, UiState::InvalidInput { .. });

    let err = timed(client.history("999999999999999999", &HistoryQuery::default()))
        .await
        .expect_err("gone");
    assert_state!(
        err.state,
        UiState::NotFound {
            entity: Entity::Channel,
            ..
        }
    );
}

#[tokio::test]
async fn a_426_mid_session_switches_the_whole_client_to_update_required() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, _) = target
        .signed_in("upd")
        .await
        .expect("the devserver creates accounts");
    timed(client.negotiate())
        .await
        .expect("compatible at first");
    let (_, mut rx) = client.subscribe();
    target.dev().faults().min_version("a.9.0-1");
    let err = timed(client.servers()).await.expect_err("426");
    let UiState::UpdateRequired {
        client_version,
        min_version,
        ..
    } = &err.state
    else {
        panic!("{:?}", err.state)
    };
    assert_eq!(client_version, plexichat_core::version::CLIENT_VERSION);
    assert_eq!(min_version, "a.9.0-1");
    wait_for(&mut rx, "update dialog", |s| {
        matches!(s, UiState::UpdateRequired { .. })
    })
    .await;
    // Nothing brings the client back, and nothing more is sent.
    target.dev().faults().reset();
    let err = timed(client.sessions()).await.expect_err("still too old");
    assert!(matches!(err.state, UiState::UpdateRequired { .. }));
    assert!(matches!(client.state(), UiState::UpdateRequired { .. }));
}

#[tokio::test]
async fn negotiate_rejects_a_malformed_version() {
    let target = Target::start().await;
    let client = Client::new(ClientConfig {
        client_version: "banana".into(),
        ..ClientConfig::new(target.base_url.clone())
            .with_store(std::sync::Arc::new(MemoryStore::new()))
    })
    .expect("client");
    let err = timed(client.negotiate()).await.expect_err("bad version");
    assert_eq!(
        err.state,
        UiState::InvalidVersionFormat {
            client_version: "banana".into()
        }
    );
}

#[tokio::test]
async fn an_unreachable_server_is_offline() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let client = target.client();
    target.dev().stop_listening().await;
    let (_, mut rx) = client.subscribe();
    let err = timed(client.negotiate()).await.expect_err("no server");
    assert_state!(err.state, UiState::Offline { .. });
    let states = drain(&mut rx);
    assert!(
        states.iter().any(|s| matches!(s, UiState::Offline { .. })),
        "shown while retrying: {states:?}"
    );
}

#[tokio::test]
async fn an_hourly_429_is_reported_with_the_real_wait_instead_of_spinning() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, _) = target
        .signed_in("hourly")
        .await
        .expect("the devserver creates accounts");
    target.dev().faults().rate_limit(2788.2, false, 1);
    let started = Instant::now();
    let err = timed(client.servers()).await.expect_err("reported at once");
    let UiState::RateLimited { retry_at, .. } = err.state else {
        panic!("{:?}", err.state)
    };
    assert!(retry_at > now_ms() + 2_700_000, "shows ~46 min");
    assert!(started.elapsed() < Duration::from_secs(10), "did not wait");
    // The route stays blocked without another request; other routes still work.
    let err = timed(client.servers()).await.expect_err("still limited");
    assert_state!(err.state, UiState::RateLimited { .. });
    timed(client.sessions())
        .await
        .expect("other routes are not blocked");
}

#[tokio::test]
async fn a_timed_out_read_is_retried_but_a_timed_out_post_is_not() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (owner, channel) = chat(&target).await;
    let token = owner.token().expect("token");
    let client = Client::new(ClientConfig {
        timeout: Duration::from_millis(300),
        ..ClientConfig::new(target.base_url.clone())
            .with_store(std::sync::Arc::new(MemoryStore::new()))
            .with_backoff(plexichat_core::retry::Backoff {
                base: Duration::from_millis(10),
                cap: Duration::from_millis(50),
                max_attempts: 3,
            })
    })
    .expect("client");
    client.api().set_token(Some(token));
    let before = target.dev().channel_message_ids(&channel).len();
    target.dev().faults().delay_ms(1_000);
    let (_, mut rx) = client.subscribe();
    let msg = text_message("slow");
    let err = timed(client.send_message(&channel, &msg))
        .await
        .expect_err("timed out");
    assert_state!(err.state, UiState::Offline { .. });
    let offline_while_retrying = drain(&mut rx)
        .iter()
        .filter(|s| matches!(s, UiState::Offline { .. }))
        .count();
    assert_eq!(offline_while_retrying, 0, "the POST was not retried");

    let err = timed(client.history(&channel, &HistoryQuery::default()))
        .await
        .expect_err("still slow");
    assert!(matches!(err.state, UiState::Offline { .. }));
    let retries = drain(&mut rx)
        .iter()
        .filter(|s| matches!(s, UiState::Offline { .. }))
        .count();
    assert_eq!(retries, 2, "the read was tried three times");

    // However the server handled the abandoned POST, it stored the message at most once.
    target.dev().faults().delay_ms(0);
    assert!(target.dev().channel_message_ids(&channel).len() <= before + 1);
}
