//! The account area answers like account.txt: 2FA status/enable/confirm/disable, sessions
//! revoke and revoke-all, password change with the reference's odd status codes, and the
//! password reset.

use crate::common::{start, Api};
use plexichat_devserver::DevServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PW: &str = "Correct-Horse-9battery";
const NEW_PW: &str = "Another-Horse-7battery";

fn config() -> DevServerConfig {
    DevServerConfig {
        rate_limits: false,
        ..DevServerConfig::for_tests()
    }
}

#[tokio::test]
async fn two_factor_enrolment_answers_like_the_recording() {
    let server = start(config()).await;
    let api = Api::new(&server);
    let hank = server.create_user("hank", PW).await.unwrap();
    let t = Some(hank.token.as_str());

    let off = api.get("/auth/2fa/status", t).await;
    assert_eq!(
        off.body,
        json!({"enabled": false, "backup_codes_remaining": 0})
    );
    let wrong = api
        .post(
            "/auth/2fa/enable",
            t,
            json!({"password": "Wrong-Password-1x"}),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.message()),
        (StatusCode::UNAUTHORIZED, "Invalid password")
    );

    let enabled = api
        .post("/auth/2fa/enable", t, json!({"password": PW}))
        .await;
    assert_eq!(enabled.status, StatusCode::OK);
    let secret = enabled.body["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "32 base32 characters");
    assert_eq!(
        enabled.body["qr_uri"],
        format!("otpauth://totp/Plexichat:hank?secret={secret}&issuer=Plexichat")
    );
    assert_eq!(enabled.body["backup_codes"].as_array().unwrap().len(), 10);

    // Before confirm: not enabled, but the codes are already counted.
    let pending = api.get("/auth/2fa/status", t).await;
    assert_eq!(
        pending.body,
        json!({"enabled": false, "backup_codes_remaining": 10})
    );

    let bad = api
        .post("/auth/2fa/confirm", t, json!({"code": "000000"}))
        .await;
    assert_eq!(
        (bad.status, bad.message()),
        (StatusCode::UNAUTHORIZED, "Invalid code")
    );
    let short = api
        .post("/auth/2fa/confirm", t, json!({"code": "12345"}))
        .await;
    assert_eq!(
        (short.status, short.message()),
        (
            StatusCode::BAD_REQUEST,
            "Invalid code: String should have at least 6 characters"
        )
    );
    let code = server.totp_code("hank").unwrap();
    let ok = api
        .post("/auth/2fa/confirm", t, json!({"code": code}))
        .await;
    assert_eq!(ok.body, json!({"success": true, "message": null}));
    let on = api.get("/auth/2fa/status", t).await;
    assert_eq!(
        on.body,
        json!({"enabled": true, "backup_codes_remaining": 10})
    );
    let again = api
        .post("/auth/2fa/enable", t, json!({"password": PW}))
        .await;
    assert_eq!(
        (again.status, again.message()),
        (StatusCode::CONFLICT, "2FA is already enabled")
    );
    // The session from before 2FA stays valid.
    assert_eq!(api.get("/users/@me", t).await.body["totp_enabled"], true);

    let wrong_code = api
        .post(
            "/auth/2fa/disable",
            t,
            json!({"password": PW, "code": "000000"}),
        )
        .await;
    assert_eq!(
        (wrong_code.status, wrong_code.message()),
        (StatusCode::UNAUTHORIZED, "Invalid 2FA code")
    );
    let code = server.totp_code("hank").unwrap();
    let wrong_pw = api
        .post(
            "/auth/2fa/disable",
            t,
            json!({"password": "Wrong-Password-1x", "code": code}),
        )
        .await;
    assert_eq!(
        (wrong_pw.status, wrong_pw.message()),
        (StatusCode::UNAUTHORIZED, "Invalid password")
    );
    let off = api
        .post(
            "/auth/2fa/disable",
            t,
            json!({"password": PW, "code": code}),
        )
        .await;
    assert_eq!(off.body, json!({"success": true, "message": null}));
    assert_eq!(
        api.get("/auth/2fa/status", t).await.body,
        json!({"enabled": false, "backup_codes_remaining": 0})
    );
    let not_on = api
        .post(
            "/auth/2fa/disable",
            t,
            json!({"password": PW, "code": "000000"}),
        )
        .await;
    assert_eq!(
        (not_on.status, not_on.message()),
        (StatusCode::BAD_REQUEST, "2FA is not enabled")
    );
}

#[tokio::test]
async fn revoking_sessions_is_idempotent_and_revoke_all_counts() {
    let server = start(config()).await;
    let api = Api::new(&server);
    let hank = server.create_user("hank", PW).await.unwrap();
    let second = api.login("hank", PW).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let third = api.login("hank", PW).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = Some(hank.token.as_str());
    let third_id = third.split('.').next().unwrap();

    let path = format!("/auth/sessions/{third_id}");
    let first = api.call(Method::DELETE, &path, t, None).await;
    assert_eq!(first.body, json!({"success": true, "message": null}));
    let gone = api.get("/users/@me", Some(&third)).await;
    assert_eq!(
        (gone.status, gone.message()),
        (StatusCode::UNAUTHORIZED, "Invalid/Revoked")
    );
    let twice = api.call(Method::DELETE, &path, t, None).await;
    assert_eq!(twice.status, StatusCode::OK, "idempotent");
    let unknown = api
        .call(Method::DELETE, "/auth/sessions/999999999999999999", t, None)
        .await;
    assert_eq!(unknown.status, StatusCode::OK, "unknown ids answer 200 too");

    let all = api
        .post(
            "/auth/sessions/revoke-all",
            t,
            json!({"except_current": true}),
        )
        .await;
    assert_eq!(all.body, json!({"success": true, "revoked_count": 1}));
    assert_eq!(
        api.get("/users/@me", Some(&second)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(api.get("/users/@me", t).await.status, StatusCode::OK);
    let left = api.get("/auth/sessions", t).await;
    assert_eq!(left.body.as_array().unwrap().len(), 1);
    assert_eq!(left.body[0]["current"], true);
}

#[tokio::test]
async fn password_change_answers_with_the_reference_status_codes() {
    let server = start(config()).await;
    let api = Api::new(&server);
    let hank = server.create_user("hank", PW).await.unwrap();
    let other = api.login("hank", PW).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = Some(hank.token.as_str());
    let patch = |body| api.call(Method::PATCH, "/users/@me", t, Some(body));

    let missing = patch(json!({"password": NEW_PW})).await;
    assert_eq!(
        (missing.status, missing.message()),
        (
            StatusCode::BAD_REQUEST,
            "Current password required to change password"
        )
    );
    let wrong = patch(json!({"password": NEW_PW, "current_password": "Wrong-Password-1x"})).await;
    assert_eq!(
        (wrong.status, wrong.message()),
        (StatusCode::INTERNAL_SERVER_ERROR, "Invalid password")
    );
    let weak = patch(json!({"password": "short", "current_password": PW})).await;
    assert_eq!(
        (weak.status, weak.message()),
        (StatusCode::FORBIDDEN, "Incorrect current password")
    );
    let ok = patch(json!({"password": NEW_PW, "current_password": PW})).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["username"], "hank");

    // Other sessions are not ended; the old password no longer signs in.
    assert_eq!(
        api.get("/users/@me", Some(&other)).await.status,
        StatusCode::OK
    );
    assert_eq!(api.login("hank", PW).await.message(), "Invalid credentials");
    assert_eq!(api.login("hank", NEW_PW).await.body["status"], "success");
}

#[tokio::test]
async fn password_reset_checks_the_token_before_the_password() {
    let server = start(config()).await;
    let api = Api::new(&server);
    server.create_user("hank", PW).await.unwrap();
    let email = "hank@example.com";

    for address in [email, "nobody@example.com"] {
        let r = api
            .post(
                "/auth/password-reset/request",
                None,
                json!({"email": address}),
            )
            .await;
        assert_eq!(
            r.body,
            json!({"success": true, "message": null}),
            "same answer for {address}"
        );
    }
    let bad_mail = api
        .post(
            "/auth/password-reset/request",
            None,
            json!({"email": "not-an-email"}),
        )
        .await;
    assert_eq!(
        bad_mail.message(),
        "Invalid email: value is not a valid email address: An email address must have an @-sign."
    );
    let bogus = api
        .post(
            "/auth/password-reset/confirm",
            None,
            json!({"token": "bogus-reset-token", "new_password": "weak"}),
        )
        .await;
    assert_eq!(
        (bogus.status, bogus.message()),
        (StatusCode::UNAUTHORIZED, "Invalid token")
    );

    let token = server
        .password_reset_token(email)
        .expect("a token was issued");
    let weak = api
        .post(
            "/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "weak"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    let ok = api
        .post(
            "/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(ok.body, json!({"success": true, "message": null}));
    assert_eq!(api.login("hank", NEW_PW).await.body["status"], "success");
    let reused = api
        .post(
            "/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": NEW_PW}),
        )
        .await;
    assert_eq!(reused.message(), "Invalid token", "a token works once");
}

/// account.txt "avatars": an avatar URL always answers (an SVG placeholder without an
/// upload, public), a text file is refused, both upload routes work, DELETE goes back to the
/// placeholder; "features": the alpha tier's limits.
#[tokio::test]
async fn avatars_and_features_answer_like_the_recording() {
    let server = start(config()).await;
    let api = Api::new(&server);
    let hank = server.create_user("hank", PW).await.unwrap();
    let t = Some(hank.token.as_str());
    let me = api.get("/users/@me", t).await.body;
    let url = me["avatar_url"].as_str().unwrap().to_owned();

    let placeholder = api.get(&url, None).await;
    assert_eq!(placeholder.status, StatusCode::OK);
    assert_eq!(placeholder.headers["content-type"], "image/svg+xml");
    assert_eq!(placeholder.headers["cache-control"], "public, max-age=3600");
    assert!(placeholder.text.starts_with("<svg width=\"128\""));

    let upload = |path: &'static str, name: &'static str, mime: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str(mime)
            .unwrap();
        api.http
            .post(format!("{}/api/v1{path}", api.base))
            .bearer_auth(&hank.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
    };
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 8, 8, 6, 0, 0, 0]);
    let text = Api::finish(upload(
        "/users/@me/avatar",
        "me.txt",
        "text/plain",
        b"hello".to_vec(),
    ))
    .await;
    assert_eq!(
        (text.status, text.message()),
        (StatusCode::BAD_REQUEST, "File must be an image")
    );
    for route in ["/users/@me/avatar", "/avatars/users/@me"] {
        let ok = Api::finish(upload(route, "me.png", "image/png", png.clone())).await;
        assert_eq!(ok.status, StatusCode::OK, "{route}");
        assert_eq!(ok.body["success"], true);
        assert_eq!(ok.body["avatar_url"], url.as_str());
        assert_eq!(
            (ok.body["width"].as_u64(), ok.body["height"].as_u64()),
            (Some(8), Some(8))
        );
    }
    let image = api.get(&url, None).await;
    assert_eq!(image.headers["content-type"], "image/png");
    assert_eq!(image.headers["cache-control"], "public, max-age=86400");

    let gone = api
        .call(Method::DELETE, "/avatars/users/@me", t, None)
        .await;
    assert_eq!(gone.body, json!({"success": true, "message": null}));
    assert_eq!(
        api.get(&url, None).await.headers["content-type"],
        "image/svg+xml"
    );

    let features = api.get("/users/@me/features", t).await;
    assert_eq!(features.body["tier"], "alpha");
    assert_eq!(features.body["tier_limits"]["max_file_size_mb"], 25);
}
