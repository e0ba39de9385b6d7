//! No token, password or 2FA code ever reaches the log, whoever logs it.
//!
//! A real sign-in runs through the core against the devserver with every crate (ours, reqwest,
//! hyper) logging at TRACE into the app's redacting writer; then the secrets are also logged
//! by mistake on purpose. The captured output must contain none of them.

use std::sync::Arc;

use plexichat_core::redact::CapturedLog;
use plexichat_core::{Client, ClientConfig, MemoryStore, Secret};
use plexichat_desktop_lib::logging::Redacted;
use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle};
use tracing_subscriber::layer::SubscriberExt;

/// Every crate's events at TRACE, written through the app's redacting writer into a buffer
/// (for this thread, while the guard lives).
fn capture_everything() -> (CapturedLog, tracing::subscriber::DefaultGuard) {
    let log = CapturedLog::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("trace"))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(Redacted({
                    let log = log.clone();
                    move || log.clone()
                })),
        );
    (log, tracing::subscriber::set_default(subscriber))
}

/// A signed-out client of `server` with an in-memory store.
fn fresh_client(server: &DevServerHandle) -> Client {
    Client::new(ClientConfig::new(server.base_url()).with_store(Arc::new(MemoryStore::new())))
        .unwrap()
}

// Current-thread runtime: `set_default` is per thread, so every task must run on this one.
#[tokio::test]
async fn a_logged_sign_in_never_shows_the_password_or_token() {
    let (log, _guard) = capture_everything();

    let server = DevServer::start(DevServerConfig::for_tests())
        .await
        .unwrap();
    let password = "Unusual-Passw0rd-for-redaction!";
    let user = server
        .create_user("redaction_probe", password)
        .await
        .unwrap();

    let client = fresh_client(&server);
    client
        .login("redaction_probe", &Secret::new(password))
        .await
        .unwrap();
    let token = client.token().expect("signed in");
    let me = client.whoami().await.unwrap();
    assert_eq!(me.id, user.id);

    // A real 2FA sign-in: the code goes through `Secret`, which registers it for scrubbing.
    server.enable_totp("redaction_probe").await.unwrap();
    let second = fresh_client(&server);
    second
        .login("redaction_probe", &Secret::new(password))
        .await
        .unwrap();
    let code = server.totp_code("redaction_probe").unwrap();
    second
        .submit_two_factor(&Secret::new(code.clone()))
        .await
        .unwrap();

    // Mistakes a future change could make: secrets in fields, in messages, in Debug output.
    tracing::info!(password, "login attempt");
    tracing::info!("request: Authorization: Bearer {}", token.expose());
    tracing::debug!(body = %format!(r#"{{"username":"redaction_probe","password":"{password}"}}"#), "sending");
    tracing::warn!(code = %code, "2fa submitted");
    tracing::warn!("{{\"challenge_token\":\"abc-123-def\",\"code\":\"{code}\"}}");
    tracing::error!(?token, "token debug");

    let out = log.contents();
    assert!(
        out.lines().count() > 5,
        "the run logged almost nothing:\n{out}"
    );
    assert!(out.contains("[redacted]"), "nothing was redacted:\n{out}");
    assert!(!out.contains(password), "password leaked:\n{out}");
    assert!(!out.contains(token.expose()), "token leaked:\n{out}");
    let secret_part = token.expose().split('.').next_back().unwrap();
    assert!(!out.contains(secret_part), "token secret leaked:\n{out}");
    assert!(!out.contains(&code), "2FA code leaked:\n{out}");
    assert!(
        !out.contains("abc-123-def"),
        "challenge token leaked:\n{out}"
    );
    server.shutdown().await;
}

/// Turning 2FA on hands the client a TOTP secret and backup codes, and a password reset a
/// token: none of them may reach the log, whether logged as values, inside JSON, or in the
/// otpauth URI.
#[tokio::test]
async fn two_factor_secrets_backup_codes_and_reset_tokens_never_reach_the_log() {
    let (log, _guard) = capture_everything();

    let server = DevServer::start(DevServerConfig::for_tests())
        .await
        .unwrap();
    let password = "Another-Unusual-Passw0rd!";
    server.create_user("enrol_probe", password).await.unwrap();
    let client = fresh_client(&server);
    client
        .login("enrol_probe", &Secret::new(password))
        .await
        .unwrap();
    let setup = client
        .begin_two_factor(&Secret::new(password))
        .await
        .unwrap();
    let code = server.totp_code("enrol_probe").unwrap();
    client
        .confirm_two_factor(&Secret::new(code.clone()))
        .await
        .unwrap();

    client
        .request_password_reset("enrol_probe@example.com")
        .await
        .unwrap();
    let reset_token = server
        .password_reset_token("enrol_probe@example.com")
        .unwrap();
    client
        .confirm_password_reset(
            &Secret::new(reset_token.clone()),
            &Secret::new("Third-Horse-5battery!"),
        )
        .await
        .unwrap();

    // Mistakes a future change could make.
    tracing::info!(secret = %setup.secret, "enrolment");
    tracing::info!("scan {}", setup.otpauth_uri);
    tracing::info!(codes = ?setup.backup_codes, "backup codes");
    tracing::info!(
        "typed backup code {}",
        setup.backup_codes[1].replace('-', "")
    );
    tracing::debug!(?setup, "setup");
    tracing::info!("reset with {reset_token}");
    // Values no code registered: the patterns alone must catch them.
    tracing::warn!(
        r#"{{"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","qr_uri":"otpauth://totp/Plexichat:x?secret=GEZDGNBVGY3TQOJQ&issuer=Plexichat","backup_codes":["DEAD-BEEF","CAFE-F00D"]}}"#
    );
    tracing::warn!(
        r#"{{"token":"unregistered-reset-token-42","new_password":"Unseen-Passw0rd!"}}"#
    );

    let out = log.contents();
    assert!(out.contains("[redacted]"), "nothing was redacted:\n{out}");
    assert!(!out.contains(&setup.secret), "TOTP secret leaked:\n{out}");
    for c in &setup.backup_codes {
        assert!(!out.contains(c.as_str()), "backup code {c} leaked:\n{out}");
        assert!(
            !out.contains(&c.replace('-', "")),
            "backup code {c} (no dash) leaked:\n{out}"
        );
    }
    assert!(!out.contains(&reset_token), "reset token leaked:\n{out}");
    for unregistered in [
        "GEZDGNBVGY3TQOJQ",
        "DEAD-BEEF",
        "CAFE-F00D",
        "unregistered-reset-token-42",
        "Unseen-Passw0rd!",
    ] {
        assert!(!out.contains(unregistered), "{unregistered} leaked:\n{out}");
    }
    assert!(!out.contains(password), "password leaked:\n{out}");
    server.shutdown().await;
}
