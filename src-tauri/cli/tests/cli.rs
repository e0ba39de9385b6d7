//! `plexi` end to end against a devserver: JSON lines out, exit codes, keyring-less runs.

use std::process::Stdio;
use std::time::Duration;

use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

const PASSWORD: &str = "Correct-Horse-9battery";

/// Runs `plexi` with `args` and `stdin`; returns the exit success and the parsed JSON lines.
async fn plexi(server: &DevServerHandle, args: &[&str], stdin: &str) -> (bool, Vec<Value>) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plexi"))
        .arg("--server")
        .arg(server.base_url())
        .arg("--no-keyring")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("plexi runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("write stdin");
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

async fn server() -> DevServerHandle {
    DevServer::start(DevServerConfig::for_tests())
        .await
        .expect("devserver")
}

#[tokio::test]
async fn negotiate_prints_the_result_and_exits_zero() {
    let server = server().await;
    let (ok, lines) = plexi(&server, &["negotiate"], "").await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["compatible"], true);
}

#[tokio::test]
async fn a_wrong_password_prints_the_state_and_exits_non_zero() {
    let server = server().await;
    server.create_user("cli_bob", PASSWORD).await.unwrap();
    let (ok, lines) = plexi(
        &server,
        &["login", "--username", "cli_bob", "--password-stdin"],
        "nope\n",
    )
    .await;
    assert!(!ok);
    let last = lines.last().unwrap();
    assert_eq!(last["state"]["state"], "invalid_credentials");
    assert_eq!(last["state"]["attempts_left"], 4);
    let printed = lines.iter().map(Value::to_string).collect::<String>();
    assert!(!printed.contains("nope"), "the password is never printed");
}

#[tokio::test]
async fn a_keyring_less_run_signs_in_sends_and_reads_history() {
    let server = server().await;
    let user = server.create_user("cli_alice", PASSWORD).await.unwrap();
    let chat = server.create_server(&user.id, "Cli").await.unwrap();
    let stdin = format!("{PASSWORD}\n");
    let channel = chat.general_channel_id.as_str();
    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_alice", "send", channel, "hello from plexi"],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    assert!(lines.iter().any(|l| l["state"] == "ready"), "{lines:?}");
    let sent_id = lines.last().unwrap()["result"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_alice", "history", channel, "--limit", "5"],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    let page = lines.last().unwrap()["result"].as_array().unwrap().clone();
    assert_eq!(page[0]["id"], sent_id.as_str());
    assert_eq!(page[0]["content"], "hello from plexi");

    // Without a session the command fails with login_required.
    let (ok, lines) = plexi(&server, &["servers"], "").await;
    assert!(!ok);
    assert_eq!(lines.last().unwrap()["state"]["state"], "login_required");
}

#[tokio::test]
async fn two_factor_status_enable_and_sessions_revoke_all_print_json_results() {
    let server = server().await;
    server.create_user("cli_tfa", PASSWORD).await.unwrap();
    let signed_in = format!("{PASSWORD}\n");
    let (ok, lines) = plexi(&server, &["--as", "cli_tfa", "2fa", "status"], &signed_in).await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["enabled"], false);

    // The sign-in password, then the password the enable step asks for.
    let twice = format!("{PASSWORD}\n{PASSWORD}\n");
    let (ok, lines) = plexi(&server, &["--as", "cli_tfa", "2fa", "enable"], &twice).await;
    assert!(ok, "{lines:?}");
    let result = &lines.last().unwrap()["result"];
    assert_eq!(result["secret"].as_str().unwrap().len(), 32);
    assert_eq!(result["backup_codes"].as_array().unwrap().len(), 10);

    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_tfa", "sessions", "--revoke-all"],
        &signed_in,
    )
    .await;
    assert!(ok, "{lines:?}");
    assert!(
        lines.last().unwrap()["result"]["revoked_count"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn role_audit_and_slowmode_commands_print_json_results() {
    let server = server().await;
    let owner = server.create_user("cli_rowner", PASSWORD).await.unwrap();
    let member = server.create_user("cli_rmember", PASSWORD).await.unwrap();
    let chat = server.create_server(&owner.id, "Cli roles").await.unwrap();
    server.add_member(&chat.id, "cli_rmember").await.unwrap();
    let stdin = format!("{PASSWORD}\n");
    let run = |args: Vec<String>| {
        let server = &server;
        let stdin = stdin.clone();
        async move {
            let mut all = vec!["--as".to_owned(), "cli_rowner".to_owned()];
            all.extend(args);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            plexi(server, &refs, &stdin).await
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();

    let (ok, lines) = run(s(&[
        "role",
        "create",
        &chat.id,
        "helpers",
        "--color",
        "#00aa00",
        "--allow",
        "members.kick",
    ]))
    .await;
    assert!(ok, "{lines:?}");
    let role = lines.last().unwrap()["result"].clone();
    assert_eq!(role["name"], "helpers");
    assert_eq!(role["permissions"]["members.kick"], true);
    let role_id = role["id"].as_str().unwrap().to_owned();

    let (ok, lines) = run(s(&["role", "assign", &chat.id, &member.id, &role_id])).await;
    assert!(ok, "{lines:?}");
    let (ok, lines) = run(s(&["role", "list", &chat.id])).await;
    assert!(ok, "{lines:?}");
    let roles = lines.last().unwrap()["result"].as_array().unwrap().clone();
    assert_eq!(roles[0]["id"], role_id.as_str(), "highest first");

    let (ok, lines) = run(s(&["audit", &chat.id, "--limit", "10"])).await;
    assert!(ok, "{lines:?}");
    let log = lines.last().unwrap()["result"].as_array().unwrap().clone();
    assert_eq!(log[0]["action"], "member_role_add");
    assert_eq!(log[0]["changes"]["role_id"], role_id.as_str());

    let (ok, lines) = run(s(&["slowmode", &chat.general_channel_id, "30"])).await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["slowmode_seconds"], 30);

    let (ok, lines) = run(s(&["role", "unassign", &chat.id, &member.id, &role_id])).await;
    assert!(ok, "{lines:?}");
    let (ok, lines) = run(s(&["role", "delete", &chat.id, &role_id])).await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["deleted"], role_id.as_str());

    // A plain member is refused with the designed state, not an outage.
    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_rmember", "role", "list", &chat.id],
        &stdin,
    )
    .await;
    assert!(!ok);
    assert_eq!(lines.last().unwrap()["state"]["state"], "forbidden");
}

#[tokio::test]
async fn saved_add_list_remove_and_mentions_print_json_results() {
    let server = server().await;
    let user = server.create_user("cli_saver", PASSWORD).await.unwrap();
    let chat = server.create_server(&user.id, "Saves").await.unwrap();
    let channel = chat.general_channel_id.as_str();
    let message = server
        .post_message(&user.id, channel, "keep this one")
        .await
        .unwrap();
    let stdin = format!("{PASSWORD}\n");

    let (ok, lines) = plexi(
        &server,
        &[
            "--as",
            "cli_saver",
            "saved",
            "add",
            channel,
            &message,
            "--label",
            "later",
        ],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    let saved = &lines.last().unwrap()["result"];
    assert_eq!(saved["message_id"], message.as_str());
    assert_eq!(saved["label"], "later");

    let (ok, lines) = plexi(&server, &["--as", "cli_saver", "saved", "list"], &stdin).await;
    assert!(ok, "{lines:?}");
    let list = lines.last().unwrap()["result"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["bookmark"]["message_id"], message.as_str());

    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_saver", "saved", "remove", &message],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["removed"], message.as_str());

    // No app database here and no server notifications: an empty list, not an error.
    let (ok, lines) = plexi(&server, &["--as", "cli_saver", "mentions"], &stdin).await;
    assert!(ok, "{lines:?}");
    assert!(lines.last().unwrap()["result"].is_array(), "{lines:?}");
}

#[tokio::test]
async fn upload_prints_progress_then_the_message_and_avatar_set_uploads_an_image() {
    let server = server().await;
    let user = server.create_user("cli_files", PASSWORD).await.unwrap();
    let chat = server.create_server(&user.id, "Files").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, vec![b'a'; 200 * 1024]).unwrap();
    let stdin = format!("{PASSWORD}\n");
    let channel = chat.general_channel_id.as_str();
    let file = notes.to_str().unwrap();
    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_files", "upload", file, "--channel", channel],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    let progress: Vec<_> = lines
        .iter()
        .filter(|l| l.get("progress").is_some())
        .collect();
    assert!(progress.len() >= 2, "{lines:?}");
    assert_eq!(progress.last().unwrap()["progress"]["sent"], 200 * 1024);
    let message = &lines.last().unwrap()["result"];
    assert_eq!(message["attachments"][0]["filename"], "notes.txt");

    // A PNG header is enough for the devserver; a text file is refused before upload.
    let png = dir.path().join("me.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 8, 8, 6, 0, 0, 0]);
    std::fs::write(&png, bytes).unwrap();
    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_files", "avatar", "set", png.to_str().unwrap()],
        &stdin,
    )
    .await;
    assert!(ok, "{lines:?}");
    assert_eq!(lines.last().unwrap()["result"]["width"], 8);
    let (ok, lines) = plexi(
        &server,
        &["--as", "cli_files", "avatar", "set", file],
        &stdin,
    )
    .await;
    assert!(!ok);
    assert_eq!(lines.last().unwrap()["state"]["field"], "file");
}

/// `plexi unread` shows the server's counts under channel ids (the server keys them by
/// conversation ids); `plexi read` acks the newest message so that they go.
#[tokio::test]
async fn unread_lists_counts_by_channel_and_read_clears_them() {
    let server = server().await;
    server.create_user("cli_ua", PASSWORD).await.unwrap();
    let bob = server.create_user("cli_ub", PASSWORD).await.unwrap();
    let guild = server.create_server("cli_ua", "Unread CLI").await.unwrap();
    server.add_member(&guild.id, &bob.id).await.unwrap();
    let channel = guild.general_channel_id.clone();
    let mut last = String::new();
    for text in ["one", "two"] {
        last = server.post_message(&bob.id, &channel, text).await.unwrap();
    }
    let stdin = format!("{PASSWORD}\n");
    let (ok, lines) = plexi(&server, &["--as", "cli_ua", "unread"], &stdin).await;
    assert!(ok, "{lines:?}");
    let channels = &lines.last().unwrap()["result"]["channels"];
    let general = channels
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["channel_id"] == channel.as_str())
        .unwrap_or_else(|| panic!("general listed: {channels}"));
    assert_eq!(general["unread"], 2);

    let (ok, lines) = plexi(&server, &["--as", "cli_ua", "read", &channel], &stdin).await;
    assert!(ok, "{lines:?}");
    let result = &lines.last().unwrap()["result"];
    assert_eq!(result["acked"], last.as_str());
    assert_eq!(result["sent"], true);
    assert_ne!(result["conversation_id"], channel.as_str());

    let (ok, lines) = plexi(&server, &["--as", "cli_ua", "unread"], &stdin).await;
    assert!(ok, "{lines:?}");
    assert_eq!(
        lines.last().unwrap()["result"]["channels"],
        serde_json::json!([])
    );
}
