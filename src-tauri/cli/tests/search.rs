//! `plexi search` against a devserver: the account's local database (as the app leaves it)
//! answers while the server's search fails, and the server's results join when it works.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use plexichat_core::model::Message;
use plexichat_core::store::Store;
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

const PASSWORD: &str = "Correct-Horse-9battery";

/// Runs `plexi --as cli_sam search …` with its data directory at `data`.
async fn search(server: &DevServerHandle, data: &Path, args: &[&str]) -> (bool, Vec<Value>) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plexi"))
        .env("XDG_DATA_HOME", data)
        .arg("--server")
        .arg(server.base_url())
        .args(["--no-keyring", "--as", "cli_sam", "search"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("plexi runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .await
        .unwrap();
    drop(input);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("plexi finishes")
        .expect("output");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    (out.status.success(), lines)
}

/// sam with three messages, two of them cached in the database the app would keep.
async fn world(as_documented: bool) -> (DevServerHandle, tempfile::TempDir, String) {
    let server = DevServer::start(DevServerConfig {
        as_documented,
        ..DevServerConfig::for_tests()
    })
    .await
    .unwrap();
    let sam = server.create_user("cli_sam", PASSWORD).await.unwrap();
    let chat = server.create_server(&sam.id, "Lunch").await.unwrap();
    let channel = chat.general_channel_id;
    let mut cached = Vec::new();
    for text in ["lunch at noon?", "lunch moved to 1pm", "dinner plans"] {
        let id = server.post_message(&sam.id, &channel, text).await.unwrap();
        let m: Message = serde_json::from_value(serde_json::json!({
            "id": id, "channel_id": channel, "author_id": sam.id, "author_username": "cli_sam",
            "content": text, "created_at": 1
        }))
        .unwrap();
        cached.push(m);
    }
    let data = tempfile::tempdir().unwrap();
    let store = Store::open_account(
        &data.path().join("plexichat"),
        // The app keys the database by the client's API root.
        &format!("{}/api/v1", server.base_url()),
        &sam.id,
        "cli_sam",
    )
    .unwrap();
    // "lunch moved" never reached this device.
    store
        .save_messages(&channel, &[cached[0].clone(), cached[2].clone()])
        .unwrap();
    (server, data, channel)
}

fn contents(result: &Value) -> Vec<(String, String)> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["message"]["content"].as_str().unwrap().to_owned(),
                h["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn search_answers_from_the_local_index_while_the_servers_search_fails() {
    let (server, data, channel) = world(false).await;
    let (ok, lines) = search(&server, data.path(), &["lunch", "--channel", &channel]).await;
    assert!(ok, "{lines:?}");
    let result = &lines.last().unwrap()["result"];
    assert_eq!(
        contents(result),
        [("lunch at noon?".to_owned(), "device".to_owned())]
    );
    assert_eq!(result["server"]["state"], "unavailable");
    assert_eq!(result["server"]["reason"], "Internal search error");
}

#[tokio::test]
async fn search_merges_the_servers_results_when_it_answers() {
    let (server, data, _) = world(true).await;
    let (ok, lines) = search(&server, data.path(), &["LUNCH", "--from", "cli_sam"]).await;
    assert!(ok, "{lines:?}");
    let result = &lines.last().unwrap()["result"];
    assert_eq!(result["server"]["state"], "answered");
    assert_eq!(
        contents(result),
        [
            ("lunch moved to 1pm".to_owned(), "server".to_owned()),
            ("lunch at noon?".to_owned(), "both".to_owned())
        ]
    );
    let (ok, lines) = search(&server, data.path(), &["lunch", "--before", "yesterday"]).await;
    assert!(!ok, "a date that is not a date is refused: {lines:?}");
}
