//! The "message search" section of messaging.txt, replayed like `conformance` (status, error
//! code and message, key sets), plus the same searches with `as_documented` on, where they
//! find messages as the openapi describes.

use crate::common::{start, Api};
use crate::conformance::{compare_keys, fixtures_dir, parse, Replay};
use plexichat_devserver::{DevServerConfig, DevServerHandle};
use serde_json::Value;
use std::collections::HashMap;

const ALICE: &str = "386896041988984832";
const BOB: &str = "386896043331162112";
const CAROL: &str = "386896044618813440";
const SERVER: &str = "386900662237138944";

/// alice (owner) and bob in rec2-community, carol outside, as the recording had them.
async fn recorded_world(as_documented: bool) -> Replay {
    let config = DevServerConfig {
        min_version: "a.1.0-132".into(),
        rate_limits: false,
        as_documented,
        ..DevServerConfig::for_tests()
    };
    let server: DevServerHandle = start(config).await;
    let mut tokens = HashMap::new();
    let mut ids = HashMap::new();
    for (name, recorded) in [("alice_rec", ALICE), ("bob_rec", BOB), ("carol_rec", CAROL)] {
        let u = server
            .create_user(name, "Correct-Horse-9battery")
            .await
            .unwrap();
        tokens.insert(name.to_owned(), u.token);
        ids.insert(recorded.to_owned(), u.id);
    }
    let community = server
        .create_server("alice_rec", "rec2-community")
        .await
        .unwrap();
    server.add_member(&community.id, "bob_rec").await.unwrap();
    ids.insert(SERVER.to_owned(), community.id);
    Replay {
        api: Api::new(&server),
        server,
        tokens,
        ids,
    }
}

/// The section's exchanges: from the file's start to the next `# --- ` section.
fn search_section() -> String {
    let text =
        std::fs::read_to_string(fixtures_dir().join("messaging.txt")).expect("fixture readable");
    let start = text.find("# --- message search ---").expect("section");
    let rest = &text[start + 10..];
    let end = rest.find("\n# --- ").map_or(rest.len(), |i| i + 1);
    rest[..end].to_owned()
}

#[tokio::test]
async fn the_recorded_message_search_exchanges_are_reproduced() {
    let mut replay = recorded_world(false).await;
    let exchanges = parse(&search_section());
    assert!(exchanges.len() >= 12, "parsed {}", exchanges.len());
    let mut failures = Vec::new();
    for ex in &exchanges {
        let (status, _, actual, text) = replay.send(ex).await;
        let mut diffs = Vec::new();
        if status != ex.status {
            diffs.push(format!("status {status} != recorded {}", ex.status));
        }
        if let Some(recorded) = ex
            .resp_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
        {
            if let Some(err) = recorded.get("error") {
                if err != &actual["error"] {
                    diffs.push(format!("error {} != recorded {err}", actual["error"]));
                }
            }
            // The broken searches answer exactly this, not merely the same keys.
            if (recorded == Value::Array(Vec::new()) || recorded.get("results").is_some())
                && recorded != actual
            {
                diffs.push(format!("body {actual} != recorded {recorded}"));
            }
            compare_keys("$", &recorded, &actual, &mut diffs);
            replay.learn("", &recorded, &actual);
        }
        if !diffs.is_empty() {
            failures.push(format!(
                "{}: {}\n    body: {text}",
                ex.title,
                diffs.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn as_documented_the_same_searches_find_the_messages_members_can_see() {
    let mut replay = recorded_world(true).await;
    // The setup exchanges (channel, four posts) give the ids.
    for ex in parse(&search_section())
        .iter()
        .filter(|e| e.method == "POST")
    {
        let (status, _, actual, _) = replay.send(ex).await;
        assert_eq!(status, 200, "{}", ex.title);
        let recorded: Value = serde_json::from_str(ex.resp_body.as_deref().unwrap()).unwrap();
        replay.learn("", &recorded, &actual);
    }
    let channel = replay.map_text("386901094594383872");
    // The recording folds these two posts into "# also" lines.
    for (who, text) in [
        ("alice_rec", "apple pie tonight"),
        ("bob_rec", "Banana? BANANA!"),
    ] {
        replay
            .server
            .post_message(who, &channel, text)
            .await
            .unwrap();
    }
    let get = |who: &str, path: String| {
        let token = replay.tokens[who].clone();
        let url = format!("{}/api/v1{path}", replay.api.base);
        let http = replay.api.http.clone();
        async move {
            let resp = http.get(url).bearer_auth(token).send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get("alice_rec", "/search/messages?query=banana".into()).await;
    assert_eq!(status, 200);
    let contents: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "Banana? BANANA!",
            "I like banana bread",
            "banana smoothie recipe"
        ],
        "newest first, case ignored"
    );
    assert_eq!(body["next_cursor"], Value::Null);
    let bob = replay.map_text(BOB);
    let (_, by_bob) = get(
        "alice_rec",
        format!("/search/messages?query=banana&author_id={bob}&limit=1"),
    )
    .await;
    assert_eq!(by_bob["results"][0]["content"], "Banana? BANANA!");
    assert_eq!(by_bob["results"].as_array().unwrap().len(), 1);
    let (_, outsider) = get("carol_rec", "/search/messages?query=banana".into()).await;
    assert_eq!(
        outsider["results"],
        Value::Array(Vec::new()),
        "non-members see nothing"
    );
    let (status, in_channel) = get(
        "alice_rec",
        format!("/channels/{channel}/messages/search?content=APPLE"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(in_channel[0]["content"], "apple pie tonight");
    let (status, _) = get(
        "carol_rec",
        format!("/channels/{channel}/messages/search?content=apple"),
    )
    .await;
    assert_eq!(
        status, 404,
        "a non-member's channel search is refused when documented"
    );
}
