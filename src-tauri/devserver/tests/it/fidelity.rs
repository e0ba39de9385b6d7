//! Answers the reference server gives that the devserver once got wrong, probed with the
//! same requests: an 11 MiB message body, a client version with major 0, and e-mail
//! addresses at special-use domains.

use crate::common::{start, Api, PASSWORD};
use plexichat_devserver::DevServerConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_11_mib_message_body_gets_413_not_a_dropped_connection() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let alice = server.create_user("alice", PASSWORD).await.unwrap();
    let guild = server.create_server(&alice.id, "HQ").await.unwrap();
    let big = format!("{{\"content\":\"{}\"}}", "a".repeat(11 * 1024 * 1024));
    // Several times: a server that answers before reading the body resets the connection
    // only some of the time.
    for _ in 0..3 {
        let req = api
            .http
            .post(format!(
                "{}/api/v1/channels/{}/messages",
                api.base, guild.general_channel_id
            ))
            .header("Authorization", format!("Bearer {}", alice.token))
            .header("content-type", "application/json")
            .body(big.clone());
        let r = Api::finish(req).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            r.body,
            json!({"error": {"code": 413, "message": "Request body too large"}})
        );
    }
}

#[tokio::test]
async fn a_version_with_major_0_is_malformed_not_outdated() {
    let server = start(DevServerConfig::for_tests()).await;
    let api = Api::new(&server);
    let r = api
        .post(
            "/version/negotiate",
            None,
            json!({"client_version": "a.0.1-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "INVALID_VERSION_FORMAT");
    assert_eq!(r.body["error"]["client_version"], "a.0.1-1");
}

#[tokio::test]
async fn e_mail_at_a_special_use_domain_is_refused_like_the_reference() {
    // Seven registrations in a row: past the register window, which is not what this is about.
    let server = start(DevServerConfig {
        rate_limits: false,
        ..DevServerConfig::for_tests()
    })
    .await;
    let api = Api::new(&server);
    for (n, email) in [
        "a@example.test",
        "b@host.invalid",
        "c@box.localhost",
        "d@printer.local",
        "e@x.onion",
        "f@in-addr.arpa",
    ]
    .iter()
    .enumerate()
    {
        let r = api
            .post(
                "/auth/register",
                None,
                json!({"username": format!("special_{n}"), "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{email}");
        assert_eq!(
            r.body,
            json!({"error": {"code": 400, "message": "Invalid email: value is not a valid email address: The part after the @-sign is a special-use or reserved name that cannot be used with email."}}),
            "{email}"
        );
    }
    let ok = api
        .post(
            "/auth/register",
            None,
            json!({"username": "ordinary", "email": "ordinary@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}
