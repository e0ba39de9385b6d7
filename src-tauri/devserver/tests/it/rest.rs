//! REST behaviour beyond the transcripts: rate limits, lockout, the intended 2FA flow, blocks,
//! body limits, attachments, paging, the demo seed and the binary.

use crate::common::{start, Api, Gw, Reply, PASSWORD as PW, WAIT};
use plexichat_devserver::{DevServerConfig, DEMO_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn rate_limits_login_sixth_attempt_is_unenveloped_429_with_headers() {
    // Real windows (60 s): five requests always fit, however loaded the machine is.
    let server = start(DevServerConfig::default()).await;
    let api = Api::new(&server);
    server.create_user("carol", PW).await.unwrap();
    for i in 0..5 {
        let r = api.login("nobody", PW).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(r.headers["x-ratelimit-limit"], "5");
        assert_eq!(
            r.headers["x-ratelimit-remaining"],
            (4 - i).to_string().as_str()
        );
        assert_eq!(r.headers["x-ratelimit-scope"], "route");
        for h in [
            "x-ratelimit-reset",
            "x-ratelimit-reset-after",
            "x-ratelimit-bucket",
        ] {
            assert!(r.headers.contains_key(h), "{h}");
        }
    }
    let r = api.login("carol", PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["message"], "You are being rate limited.");
    assert_eq!(r.body["scope"], "route");
    assert_eq!(r.body["global"], false);
    assert!(r.body.get("error").is_none());
    let wait = r.body["retry_after"].as_f64().unwrap();
    assert!(wait > 0.0 && wait <= 60.0, "{wait}");
    let header: f64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(header, wait.ceil());
    assert_eq!(
        api.get("/version", None).await.status,
        StatusCode::OK,
        "other routes unaffected"
    );
}

#[tokio::test]
async fn rate_limits_fast_windows_reopen_after_retry_after() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    server.create_user("carol", PW).await.unwrap();
    let mut limited = None;
    for _ in 0..30 {
        let r = api.login("nobody", PW).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r.body["retry_after"].as_f64().unwrap());
            break;
        }
    }
    let wait = limited.expect("the fast login window fills up");
    assert!(wait <= 3.0, "fast window is 3 s: {wait}");
    tokio::time::sleep(Duration::from_secs_f64(wait + 0.05)).await;
    assert_eq!(api.login("carol", PW).await.status, StatusCode::OK);
}

#[tokio::test]
async fn rate_limits_message_burst_is_per_channel_with_resource_scope() {
    let server = start(DevServerConfig::default()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let s = server.create_server(&alice.id, "HQ").await.unwrap();
    let path = format!("/channels/{}/messages", s.general_channel_id);
    for i in 0..15 {
        let r = api
            .post(
                &path,
                Some(&alice.token),
                json!({"content": format!("burst {i}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "burst {i}");
        assert_eq!(r.headers["x-ratelimit-scope"], "resource");
    }
    let r = api
        .post(&path, Some(&alice.token), json!({"content": "burst 16"}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["scope"], "resource");
    assert_eq!(
        api.get(&path, Some(&alice.token)).await.status,
        StatusCode::OK,
        "history has its own bucket"
    );
    let other = server.create_channel(&s.id, "other").await.unwrap();
    let r = api
        .post(
            &format!("/channels/{other}/messages"),
            Some(&alice.token),
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "another channel has its own bucket"
    );
}

#[tokio::test]
async fn rate_limits_hourly_register_cap_shows_long_retry_after_with_budget_left() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let mut n = 0;
    let long = loop {
        assert!(n < 40, "the hourly cap never hit");
        let body = json!({"username": format!("user_{n}"), "email": format!("u{n}@example.com"), "password": PW});
        let r = api.post("/auth/register", None, body).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            let wait = r.body["retry_after"].as_f64().unwrap();
            if wait > 10.0 {
                break r;
            }
            // The per-minute window (3 s when fast): wait as long as the server says.
            tokio::time::sleep(Duration::from_secs_f64(wait + 0.05)).await;
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        n += 1;
    };
    assert_eq!(n, 10, "10 registrations per hour");
    assert_ne!(
        long.headers["x-ratelimit-remaining"], "0",
        "budget shown for the minute window"
    );
}

#[tokio::test]
async fn lockout_after_five_wrong_passwords_suspends_sessions_then_expires() {
    let config = DevServerConfig {
        rate_limits: false,
        lockout_ms: 1_500,
        ..DevServerConfig::for_tests()
    };
    let server = start(config).await;
    let api = Api::new(&server);
    let carol = server.create_user("carol", PW).await.unwrap();
    for _ in 0..5 {
        let r = api.login("carol", "Wrong-Password-1x").await;
        assert_eq!(r.message(), "Invalid credentials");
    }
    let r = api.login("carol", PW).await;
    assert_eq!(
        (r.status, r.message()),
        (StatusCode::FORBIDDEN, "Account locked")
    );
    let me = api.get("/users/@me", Some(&carol.token)).await;
    assert_eq!(
        (me.status, me.message()),
        (StatusCode::FORBIDDEN, "Account suspended")
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let r = api.login("carol", PW).await;
        if r.status == StatusCode::OK {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "lock never expired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The `challenge_token` of a login answer that asks for the second factor.
fn challenge_of(login: &Reply) -> String {
    login.body["challenge_token"]
        .as_str()
        .expect("a challenge")
        .to_owned()
}

/// Answers a 2FA challenge with `code`.
async fn answer_challenge(api: &Api, challenge: &str, code: &str) -> Reply {
    api.post(
        "/auth/2fa",
        None,
        json!({"challenge_token": challenge, "code": code}),
    )
    .await
}

#[tokio::test]
async fn two_factor_login_issues_a_challenge_and_accepts_totp_and_backup_codes() {
    let config = DevServerConfig {
        rate_limits: false,
        ..DevServerConfig::for_tests()
    };
    let server = start(config).await;
    let api = Api::new(&server);
    let dave = server.create_user("dave", PW).await.unwrap();
    let enabled = api
        .post(
            "/auth/2fa/enable",
            Some(&dave.token),
            json!({"password": PW}),
        )
        .await;
    let backup = enabled.body["backup_codes"][0].as_str().unwrap().to_owned();
    assert_eq!(backup.len(), 9, "XXXX-XXXX");
    let code = server.totp_code("dave").unwrap();
    let confirmed = api
        .post(
            "/auth/2fa/confirm",
            Some(&dave.token),
            json!({"code": code}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);

    let login = || api.login("dave", PW);
    let first = login().await;
    assert_eq!(first.body["status"], "two_factor_required");
    assert_eq!(first.body["token"], Value::Null);
    let challenge = challenge_of(&first);
    let wrong = answer_challenge(&api, &challenge, "000000").await;
    assert_eq!(
        (wrong.status, wrong.message()),
        (StatusCode::UNAUTHORIZED, "Invalid 2FA code")
    );
    let ok = answer_challenge(&api, &challenge, &server.totp_code("dave").unwrap()).await;
    assert_eq!(ok.body["status"], "success");
    let token = ok.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get("/users/@me", Some(&token)).await.body["totp_enabled"],
        true
    );
    let reused = answer_challenge(&api, &challenge, &server.totp_code("dave").unwrap()).await;
    assert_eq!(reused.message(), "Invalid challenge");

    let challenge = challenge_of(&login().await);
    let dashed = answer_challenge(&api, &challenge, &backup).await;
    assert_eq!(
        dashed.status,
        StatusCode::BAD_REQUEST,
        "backup codes go without the dash"
    );
    let plain = backup.replace('-', "");
    let ok = answer_challenge(&api, &challenge, &plain).await;
    assert_eq!(ok.status, StatusCode::OK);
    let challenge = challenge_of(&login().await);
    let again = answer_challenge(&api, &challenge, &plain).await;
    assert_eq!(
        again.message(),
        "Invalid 2FA code",
        "a backup code works once"
    );
    let status = api.get("/auth/2fa/status", Some(&token)).await;
    assert_eq!(status.body["backup_codes_remaining"], 9);
}

#[tokio::test]
async fn expired_two_factor_challenge_is_refused() {
    let config = DevServerConfig {
        challenge_ttl_ms: 100,
        ..DevServerConfig::for_tests()
    };
    let server = start(config).await;
    let api = Api::new(&server);
    server.create_user("dave", PW).await.unwrap();
    server.enable_totp("dave").await.unwrap();
    let challenge = challenge_of(&api.login("dave", PW).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = answer_challenge(&api, &challenge, &server.totp_code("dave").unwrap()).await;
    assert_eq!(
        (r.status, r.message()),
        (StatusCode::UNAUTHORIZED, "Expired token")
    );
}

#[tokio::test]
async fn blocked_user_cannot_message_and_the_draft_error_is_403() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let probe = server.create_user("probe", PW).await.unwrap();
    let dm = api
        .post(
            "/users/@me/channels",
            Some(&probe.token),
            json!({"recipient_id": alice.id}),
        )
        .await;
    let dm_id = dm.body["id"].as_str().unwrap().to_owned();
    api.post(
        "/relationships/block",
        Some(&alice.token),
        json!({"user_id": probe.id}),
    )
    .await;
    let r = api
        .post(
            &format!("/channels/{dm_id}/messages"),
            Some(&probe.token),
            json!({"content": "hi"}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (StatusCode::FORBIDDEN, "Cannot message this user")
    );
    let ok = api
        .post(
            &format!("/channels/{dm_id}/messages"),
            Some(&alice.token),
            json!({"content": "bye"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "the blocker can still write");
}

#[tokio::test]
async fn bodies_over_10_mib_get_413_in_the_envelope() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let big = format!("{{\"content\":\"{}\"}}", "a".repeat(10 * 1024 * 1024));
    let req = api
        .http
        .post(format!("{}/api/v1/auth/register", api.base))
        .header("content-type", "application/json")
        .body(big);
    let r = Api::finish(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.body,
        json!({"error": {"code": 413, "message": "Request body too large"}})
    );
}

#[tokio::test]
async fn attachments_upload_and_download_needs_the_token() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let s = server.create_server(&alice.id, "HQ").await.unwrap();
    let data = b"\x89PNG\r\n\x1a\nhello".to_vec();
    let part = reqwest::multipart::Part::bytes(data.clone())
        .file_name("a.png")
        .mime_str("image/png")
        .unwrap();
    let req = api
        .http
        .post(format!(
            "{}/api/v1/channels/{}/attachments",
            api.base, s.general_channel_id
        ))
        .bearer_auth(&alice.token)
        .multipart(reqwest::multipart::Form::new().part("file", part));
    let up = Api::finish(req).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text);
    assert_eq!(up.body["content_type"], "image/webp", "reference quirk");
    let url = up.body["url"].as_str().unwrap();
    let anon = api.get(url, None).await;
    assert_eq!(
        (anon.status, anon.message()),
        (StatusCode::UNAUTHORIZED, "Authentication required")
    );
    let bytes = api
        .http
        .get(format!("{}{url}", api.base))
        .bearer_auth(&alice.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes.status(), StatusCode::OK);
    assert_eq!(bytes.bytes().await.unwrap().to_vec(), data);
}

#[tokio::test]
async fn history_pages_backwards_and_forwards_without_gaps() {
    let config = DevServerConfig {
        rate_limits: false,
        ..DevServerConfig::for_tests()
    };
    let server = start(config).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let s = server.create_server(&alice.id, "HQ").await.unwrap();
    let c = &s.general_channel_id;
    for i in 0..130 {
        server
            .post_message(&alice.id, c, &format!("m{i}"))
            .await
            .unwrap();
    }
    let truth = server.channel_message_ids(c);
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let newest = ids(&api
        .get(
            &format!("/channels/{c}/messages?limit=100"),
            Some(&alice.token),
        )
        .await
        .body);
    assert_eq!(newest.len(), 100);
    assert_eq!(newest[0], truth[129], "newest first");
    let older = ids(&api
        .get(
            &format!("/channels/{c}/messages?limit=100&before={}", newest[99]),
            Some(&alice.token),
        )
        .await
        .body);
    let mut all: Vec<String> = newest.into_iter().chain(older).collect();
    all.reverse();
    assert_eq!(all, truth);
    let after = ids(&api
        .get(
            &format!("/channels/{c}/messages?limit=5&after={}", truth[9]),
            Some(&alice.token),
        )
        .await
        .body);
    assert_eq!(after, truth[10..15].to_vec(), "after= answers oldest first");
    let r = api
        .get(
            &format!("/channels/{c}/messages?limit=101"),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        r.message(),
        "Invalid limit: Input should be less than or equal to 100"
    );
}

#[tokio::test]
async fn demo_seed_has_users_servers_history_dm_request_and_a_live_bot() {
    let config = DevServerConfig {
        bot_interval_ms: 200,
        ..DevServerConfig::demo()
    };
    let server = start(config).await;
    let api = Api::new(&server);
    let login = api.login("alice", DEMO_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    let token = login.body["token"].as_str().unwrap().to_owned();
    let servers = api.get("/servers/", Some(&token)).await.body;
    assert_eq!(servers.as_array().unwrap().len(), 2);
    let mut total = 0;
    let mut general = String::new();
    for s in servers.as_array().unwrap() {
        let channels = api
            .get(
                &format!("/servers/{}/channels", s["id"].as_str().unwrap()),
                Some(&token),
            )
            .await
            .body;
        for c in channels.as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            if s["name"] == "Plexichat HQ" && c["name"] == "general" {
                general = id.to_owned();
            }
            total += server.channel_message_ids(id).len();
        }
    }
    assert!(
        (450..=600).contains(&total),
        "about 500 messages, got {total}"
    );
    let dms = api.get("/users/@me/channels", Some(&token)).await.body;
    assert_eq!(dms.as_array().unwrap().len(), 1);
    let rels = api.get("/relationships/@me", Some(&token)).await.body;
    assert!(rels
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["status"] == "pending_incoming"));
    let (mut gw, _) = Gw::identify(&server, &token).await;
    let ev = gw.event("MESSAGE_CREATE").await;
    assert_eq!(
        ev["d"]["channel_id"],
        general.as_str(),
        "the bot posts in #general"
    );
    for name in ["bob", "carol"] {
        let r = api.login(name, DEMO_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
    }
}

#[tokio::test]
async fn binary_prints_the_listening_line_first() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plexichat-devserver"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--seed",
            "demo",
            "--min-version",
            "a.1.0-60",
            "--fast-limits",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let base = first
        .strip_prefix("listening on ")
        .expect("first line format")
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/version/negotiate"))
        .json(&json!({"client_version": "a.1.0-49"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UPGRADE_REQUIRED,
        "--min-version is honoured"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn default_min_version_accepts_our_client() {
    let server = start(DevServerConfig::default()).await;
    let api = Api::new(&server);
    let r = api
        .call(
            Method::POST,
            "/version/negotiate",
            None,
            Some(json!({"client_version": "a.1.0-49"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["compatible"], true);
}

#[tokio::test]
async fn demo_history_ids_grow_with_time_and_stay_below_live_ids() {
    let server = start(DevServerConfig {
        bot: false,
        ..DevServerConfig::demo()
    })
    .await;
    let api = Api::new(&server);
    let token = api.login("alice", DEMO_PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let servers = api.get("/servers/", Some(&token)).await.body;
    let hq = servers
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Plexichat HQ")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let channels = api
        .get(&format!("/servers/{hq}/channels"), Some(&token))
        .await
        .body;
    let general = channels.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = api
        .get(
            &format!("/channels/{general}/messages?limit=100"),
            Some(&token),
        )
        .await
        .body;
    let msgs = page.as_array().unwrap();
    for pair in msgs.windows(2) {
        let (newer, older) = (&pair[0], &pair[1]);
        let id = |m: &Value| m["id"].as_str().unwrap().parse::<u64>().unwrap();
        assert!(id(newer) > id(older));
        assert!(newer["created_at"].as_u64() > older["created_at"].as_u64());
        // Snowflake time (epoch 2024-01-01) matches created_at.
        assert_eq!(
            (id(older) >> 22) + 1_704_067_200_000,
            older["created_at"].as_u64().unwrap()
        );
    }
    let live = server
        .post_message(&hq_owner(&api, &token).await, &general, "live")
        .await
        .unwrap();
    assert!(live.parse::<u64>().unwrap() > msgs[0]["id"].as_str().unwrap().parse::<u64>().unwrap());
}

async fn hq_owner(api: &Api, token: &str) -> String {
    api.get("/users/@me", Some(token)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn two_authorization_headers_are_refused() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let bearer = format!("Bearer {}", alice.token);
    let req = api
        .http
        .get(format!("{}/api/v1/users/@me", api.base))
        .header("Authorization", bearer.as_str())
        .header("Authorization", bearer.as_str());
    let r = Api::finish(req).await;
    assert_eq!(
        (r.status, r.message()),
        (StatusCode::UNAUTHORIZED, "Multiple Authorization headers")
    );
}

/// Sends `body` as it is, with `content_type`, so the server sees exactly these bytes.
async fn send_raw(
    api: &Api,
    method: Method,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &'static str,
) -> (StatusCode, String) {
    let mut req = api
        .http
        .request(method, format!("{}/api/v1{path}", api.base))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = Api::finish(req).await;
    (r.status, r.message().to_owned())
}

#[tokio::test]
async fn a_request_wrong_in_several_ways_is_refused_for_what_is_checked_first() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let hq = server.create_server(&alice.id, "HQ").await.unwrap();
    let channel = hq.general_channel_id.as_str();
    let token = Some(alice.token.as_str());
    let json = "application/json";
    let bad = StatusCode::BAD_REQUEST;
    // Who is calling, then the ids in path order, then the body, then whether things exist.
    let cases = [
        (
            Method::PATCH,
            "/channels/abc".to_owned(),
            None,
            json,
            "{",
            (StatusCode::UNAUTHORIZED, "Authentication required"),
        ),
        (
            Method::PATCH,
            "/channels/abc".to_owned(),
            token,
            json,
            "{",
            (bad, "Invalid channel ID"),
        ),
        (
            Method::PATCH,
            "/channels/abc/messages/xyz".to_owned(),
            token,
            json,
            "{",
            (bad, "Invalid channel ID"),
        ),
        (
            Method::PATCH,
            format!("/channels/{channel}/messages/xyz"),
            token,
            json,
            "{",
            (bad, "Invalid ID format"),
        ),
        (
            Method::PATCH,
            format!("/channels/{channel}/messages/1"),
            token,
            json,
            "{",
            (bad, "Invalid 1: JSON decode error"),
        ),
        (
            Method::PATCH,
            format!("/channels/{channel}/messages/1"),
            token,
            json,
            "{}",
            (StatusCode::NOT_FOUND, "Message not found"),
        ),
        (
            Method::POST,
            format!("/channels/{channel}/messages"),
            token,
            "text/plain",
            "hi",
            (bad, "Invalid request"),
        ),
        (
            Method::PATCH,
            "/servers/abc".to_owned(),
            token,
            "text/plain",
            "hi",
            (bad, "Invalid server ID"),
        ),
        (
            Method::PATCH,
            "/users/@me".to_owned(),
            token,
            json,
            "[]",
            (bad, "Invalid request"),
        ),
        // Multipart refuses a body that is not multipart before the id is looked at.
        (
            Method::POST,
            "/channels/abc/attachments".to_owned(),
            token,
            json,
            "{}",
            (bad, "Invalid request"),
        ),
        (
            Method::PUT,
            "/channels/abc/messages/xyz/reactions/x".to_owned(),
            token,
            json,
            "",
            (bad, "Invalid channel ID"),
        ),
        (
            Method::PUT,
            format!("/channels/{channel}/messages/xyz/reactions/x"),
            token,
            json,
            "",
            (bad, "Invalid ID format"),
        ),
        // A path that does not decode to UTF-8 is refused before any id is parsed.
        (
            Method::PATCH,
            "/channels/abc/messages/%FF".to_owned(),
            token,
            json,
            "{}",
            (bad, "Invalid request"),
        ),
    ];
    for (method, path, token, content_type, body, want) in cases {
        let got = send_raw(&api, method.clone(), &path, token, content_type, body).await;
        assert_eq!((got.0, got.1.as_str()), want, "{method} {path} {body}");
    }
}

#[tokio::test]
async fn lengths_out_of_range_are_refused_with_the_references_wording() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PW).await.unwrap();
    let token = Some(alice.token.as_str());
    let long_name = "n".repeat(33);
    let cases = [
        (
            "/auth/register",
            None,
            json!({"username": long_name, "email": "n@example.com", "password": PW}),
            "Invalid username: String should have at most 32 characters",
        ),
        (
            "/auth/2fa",
            None,
            json!({"challenge_token": "x", "code": "12345"}),
            "Invalid code: String should have at least 6 characters",
        ),
        (
            "/auth/2fa",
            None,
            json!({"challenge_token": "x", "code": "123456789"}),
            "Invalid code: String should have at most 8 characters",
        ),
        (
            "/servers/",
            token,
            json!({"name": "a"}),
            "Invalid name: String should have at least 2 characters",
        ),
        (
            "/servers/",
            token,
            json!({"name": "s".repeat(101)}),
            "Invalid name: String should have at most 100 characters",
        ),
    ];
    for (path, token, body, want) in cases {
        let r = api.post(path, token, body).await;
        assert_eq!((r.status, r.message()), (StatusCode::BAD_REQUEST, want));
    }
    let r = api
        .call(
            Method::PATCH,
            "/users/@me",
            token,
            Some(json!({"username": "ab"})),
        )
        .await;
    assert_eq!(
        r.message(),
        "Invalid username: String should have at least 3 characters"
    );
}

/// Messages carry `embeds: []` as recorded; the test hook posts one with a link preview,
/// which history and the gateway then send as given.
#[tokio::test]
async fn embeds_are_empty_by_default_and_the_hook_posts_them_as_given() {
    let server = start(crate::common::quiet_config()).await;
    let api = Api::new(&server);
    let alice = server.create_user("embed_alice", PW).await.unwrap();
    let s = server.create_server(&alice.id, "Embeds").await.unwrap();
    let channel = s.general_channel_id.clone();
    let (mut gw, _) = Gw::identify(&server, &alice.token).await;
    server
        .post_message(&alice.id, &channel, "plain")
        .await
        .unwrap();
    let embed = json!({"url": "https://example.com", "title": "Example", "image": {"url": "/x.png", "width": 4, "height": 3}});
    server
        .post_message_with_embeds(&alice.id, &channel, "", vec![embed.clone()])
        .await
        .unwrap();
    let plain = gw.event("MESSAGE_CREATE").await;
    assert_eq!(plain["d"]["embeds"], json!([]));
    let rich = gw.event("MESSAGE_CREATE").await;
    assert_eq!(rich["d"]["embeds"], json!([embed]));
    let r = api
        .call(
            Method::GET,
            &format!("/channels/{channel}/messages"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body.as_array().cloned().unwrap_or_default();
    assert!(
        list.iter().any(|m| m["embeds"] == json!([embed])),
        "{}",
        r.text
    );
}
