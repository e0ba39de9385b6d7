//! Reference-server behaviours the devserver does not reproduce (shared/recorded), replayed by
//! a tiny scripted HTTP server: the TOTP login answered with 200 and no token, a proxy's HTML
//! error page, the per-IP token check's 401, the 426 to our version, and the access-token
//! header that only goes out when the capabilities ask for it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use plexichat_core::ui_state::UiState;
use plexichat_core::{Client, ClientConfig, MemoryStore, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{assert_state, timed};

/// One canned answer: status, extra header lines, body.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn json(status: u16, body: &str) -> Answer {
    Answer {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.into(),
    }
}

/// Requests as received: (request line, lower-cased header block).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Serves `script` in order, one answer per request (the last one repeats).
async fn stub(script: Vec<Answer>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen: Seen = Arc::default();
    let queue = Arc::new(Mutex::new(VecDeque::from(script)));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (queue, log) = (queue.clone(), log.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then as much body as Content-Length says.
                let head_end = loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let line = head.lines().next().unwrap_or_default().to_owned();
                log.lock().unwrap().push((line, head.to_ascii_lowercase()));
                let answer = {
                    let mut q = queue.lock().unwrap();
                    if q.len() > 1 {
                        q.pop_front()
                    } else {
                        q.front().cloned()
                    }
                }
                .expect("a scripted answer");
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nconnection: close\r\ncontent-length: {}\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (k, v) in &answer.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&answer.body);
                let _ = sock.write_all(out.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn client(base: &str, access_token: Option<&str>) -> Client {
    let config = ClientConfig {
        api_access_token: access_token.map(Secret::new),
        ..ClientConfig::new(base)
            .with_store(Arc::new(MemoryStore::new()))
            .with_backoff(plexichat_core::retry::Backoff {
                base: std::time::Duration::from_millis(10),
                cap: std::time::Duration::from_millis(50),
                max_attempts: 3,
            })
    };
    Client::new(config).expect("client")
}

const USER: &str = r#"{"id":"384002868824379392","username":"alice_rec","email":"alice_rec@example.com","avatar_url":null,"created_at":1795620618356}"#;

#[tokio::test]
async fn recorded_totp_login_without_token_is_sign_in_incomplete() {
    let (base, _) = stub(vec![json(
        200,
        r#"{"status":"success","token":null,"user":null,"challenge_token":null,"methods":null,"expires_in":null}"#,
    )])
    .await;
    let client = client(&base, None);
    let err = timed(client.login("dave_rec", &"Correct-Horse-9battery".into()))
        .await
        .expect_err("no token");
    assert_state!(err.state, UiState::SignInIncomplete { .. });
    assert_eq!(client.state(), UiState::SignedOut);
    assert!(client.token().is_none());
}

#[tokio::test]
async fn a_proxy_html_error_page_is_retried_then_a_server_error() {
    let html = Answer {
        status: 502,
        headers: vec![("content-type", "text/html".into())],
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
    };
    let (base, seen) = stub(vec![html]).await;
    let client = client(&base, None);
    let err = timed(client.api().capabilities()).await.expect_err("502");
    assert_state!(err.state, UiState::ServerError { status: 502, .. });
    assert_eq!(seen.lock().unwrap().len(), 3, "a GET is tried three times");
}

#[tokio::test]
async fn the_token_check_rate_limit_is_waited_out_not_a_logout() {
    let limited = Answer {
        status: 401,
        headers: vec![
            ("content-type", "application/json".into()),
            ("retry-after", "1".into()),
        ],
        body: r#"{"error":{"code":401,"message":"Token verification rate limit exceeded"}}"#.into(),
    };
    let (base, seen) = stub(vec![limited, json(200, USER)]).await;
    let client = client(&base, None);
    client
        .api()
        .set_token(Some(Secret::new("384002868824379392.c2VjcmV0")));
    let (_, mut rx) = client.subscribe();
    let user = timed(client.whoami())
        .await
        .expect("the same token works after the wait");
    assert_eq!(user.username, "alice_rec");
    let states: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert!(
        states
            .iter()
            .any(|s| matches!(s, UiState::RateLimited { .. })),
        "{states:?}"
    );
    assert!(
        !states
            .iter()
            .any(|s| matches!(s, UiState::LoginRequired { .. })),
        "{states:?}"
    );
    assert!(client.token().is_some());
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn the_reference_server_answers_our_version_with_426() {
    let recorded = r#"{"error":{"code":"VERSION_OUTDATED","message":"Client version a.1.0-49 is no longer supported. Please update to at least a.1.0-132.","client_version":"a.1.0-49","min_version":"a.1.0-132","server_version":"a.1.0-132","update_url":null}}"#;
    let (base, seen) = stub(vec![json(426, recorded)]).await;
    let client = client(&base, None);
    let err = timed(client.negotiate()).await.expect_err("too old");
    assert_eq!(
        err.state,
        UiState::UpdateRequired {
            client_version: "a.1.0-49".into(),
            min_version: "a.1.0-132".into(),
            server_version: "a.1.0-132".into(),
            update_url: None,
        }
    );
    assert_eq!(client.state(), err.state);
    let err = timed(client.servers())
        .await
        .expect_err("nothing else is sent");
    assert_state!(err.state, UiState::UpdateRequired { .. });
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_access_token_goes_out_only_when_the_capabilities_ask() {
    let negotiated = r#"{"compatible":true,"update_required":false,"update_recommended":false,"message":"ok","update_url":null,"server_version":{"string":"a.1.0-132"},"min_supported_version":{"string":"a.1.0-1"}}"#;
    let (base, seen) = stub(vec![
        json(200, "[]"),
        json(200, negotiated),
        json(200, r#"{"access_token_required":true}"#),
        json(200, "[]"),
    ])
    .await;
    let client = client(&base, Some("api-access-secret"));
    timed(client.api().servers())
        .await
        .expect("before negotiating");
    timed(client.negotiate()).await.expect("negotiated");
    timed(client.api().servers()).await.expect("after");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    assert!(
        !seen[0].1.contains("x-api-access-token"),
        "not before the server asks"
    );
    assert!(
        seen[3].1.contains("x-api-access-token: api-access-secret"),
        "{}",
        seen[3].1
    );
}
