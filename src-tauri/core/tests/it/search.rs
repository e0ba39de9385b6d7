//! Message search: the device's index answers even though the server's search is broken
//! (the reference answers 500 to every query), and merges the server's results when it works.

use std::time::{Duration, Instant};

use plexichat_core::client::search::{HitSource, SearchQuery, ServerSearchStatus};
use plexichat_core::store::Store;
use plexichat_core::{Client, UiState};
use plexichat_devserver::DevServerConfig;

use crate::support::{drain, text_message as text, timed, Target};

fn words(t: &str) -> SearchQuery {
    SearchQuery {
        text: t.into(),
        ..SearchQuery::default()
    }
}

/// alice in a new server with two messages, both cached in a fresh local store.
async fn cached_chat(target: &Target) -> (Client, String, String, Store) {
    let (alice, name) = target
        .signed_in("search")
        .await
        .expect("the devserver creates accounts");
    let channel = target.server(&name, "Search").await.general_channel_id;
    for t in ["banana smoothie recipe", "apple pie tonight"] {
        timed(alice.send_message(&channel, &text(t)))
            .await
            .expect("sent");
    }
    let store = Store::in_memory().unwrap();
    let page = timed(alice.history(&channel, &Default::default()))
        .await
        .expect("history");
    store.refresh_span(&channel, &page, true).unwrap();
    (alice, name, channel, store)
}

#[tokio::test]
async fn a_search_answers_from_the_device_at_once_when_the_servers_search_fails() {
    // Creating the server needs the devserver; the reference answers the same 500.
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, _, channel, store) = cached_chat(&target).await;
    let (_, mut states) = alice.subscribe();
    let started = Instant::now();
    let r = timed(alice.search_messages(Some(&store), &words("BANAN")))
        .await
        .expect("search answers");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "tried once, no backoff: {:?}",
        started.elapsed()
    );
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].message.content, "banana smoothie recipe");
    assert_eq!(r.hits[0].channel_id, channel);
    assert_eq!(r.hits[0].source, HitSource::Device);
    assert_eq!(
        r.server,
        ServerSearchStatus::Unavailable {
            reason: "Internal search error".into()
        }
    );
    let seen = drain(&mut states);
    assert!(
        !seen
            .iter()
            .any(|s| matches!(s, UiState::ServerError { .. })),
        "no app-wide server error for a search: {seen:?}"
    );
}

#[tokio::test]
async fn a_search_merges_the_servers_results_when_its_search_works() {
    let Some(target) = Target::with_faults_config(DevServerConfig {
        as_documented: true,
        ..DevServerConfig::for_tests()
    })
    .await
    else {
        return;
    };
    let (alice, _, channel, store) = cached_chat(&target).await;
    // Not cached here: only the server can find it.
    timed(alice.send_message(&channel, &text("banana bread later")))
        .await
        .unwrap();
    let r = timed(alice.search_messages(Some(&store), &words("banana")))
        .await
        .unwrap();
    assert_eq!(r.server, ServerSearchStatus::Answered);
    let got: Vec<_> = r
        .hits
        .iter()
        .map(|h| (h.message.content.as_str(), h.source))
        .collect();
    assert_eq!(
        got,
        [
            ("banana bread later", HitSource::Server),
            ("banana smoothie recipe", HitSource::Both)
        ]
    );
}

#[tokio::test]
async fn a_search_with_the_server_gone_still_finds_cached_messages() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (alice, name, _, store) = cached_chat(&target).await;
    target.dev().stop_listening().await;
    let r = timed(alice.search_messages(Some(&store), &words("apple")))
        .await
        .expect("answers offline");
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].message.content, "apple pie tonight");
    assert!(
        matches!(r.server, ServerSearchStatus::Unavailable { .. }),
        "{:?}",
        r.server
    );
    // Filters only: the server is not asked at all.
    let mine = SearchQuery {
        author: Some(name),
        ..SearchQuery::default()
    };
    let r = timed(alice.search_messages(Some(&store), &mine))
        .await
        .unwrap();
    assert_eq!(r.hits.len(), 2);
    assert_eq!(r.server, ServerSearchStatus::NotAsked);
}
