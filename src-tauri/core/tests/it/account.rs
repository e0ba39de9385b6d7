//! Account and security settings end to end (account.txt): 2FA turned on and used to sign in,
//! sessions ended here and elsewhere, the password changed and reset, settings stored on the
//! server.

use plexichat_core::{LoginOutcome, Secret, UiState};
use plexichat_devserver::DevServerConfig;

use crate::support::{assert_state, timed, Target, PASSWORD};

const NEW_PASSWORD: &str = "Another-Horse-7battery";

/// Asserts `state` is an `invalid_input` refusal about `field` (the form marks that field).
#[track_caller]
fn assert_refused_field(state: &UiState, field: &str) {
    let got = match state {
        UiState::InvalidInput { field, .. } => field.as_deref(),
        _ => None,
    };
    assert_eq!(got, Some(field), "{state:?}");
}

/// Rate limits off: these flows hit tight per-route limits (2 password changes per minute).
async fn devserver() -> Option<Target> {
    Target::with_faults_config(DevServerConfig {
        rate_limits: false,
        ..DevServerConfig::for_tests()
    })
    .await
}

#[tokio::test]
async fn two_factor_turned_on_in_settings_then_signs_in_with_a_code() {
    // The reference server cannot complete a 2FA sign-in (account.txt); the devserver can.
    let Some(target) = devserver().await else {
        return;
    };
    let Some((client, name)) = target.signed_in("tfa").await else {
        return;
    };
    let status = timed(client.two_factor_status()).await.expect("status");
    assert!(!status.enabled);

    let wrong = timed(client.begin_two_factor(&Secret::new("Wrong-Password-1x")))
        .await
        .expect_err("wrong password");
    assert_refused_field(&wrong.state, "password");
    assert!(
        client.token().is_some(),
        "a wrong password does not sign out"
    );

    let setup = timed(client.begin_two_factor(&PASSWORD.into()))
        .await
        .expect("setup");
    assert_eq!(setup.backup_codes.len(), 10);
    assert!(setup.otpauth_uri.contains(&setup.secret));
    assert!(setup.qr.size >= 21 && !setup.qr.path.is_empty());
    // Not on until confirmed, whatever the server counts.
    let pending = timed(client.two_factor_status()).await.expect("status");
    assert_eq!(
        (pending.enabled, pending.backup_codes_remaining),
        (false, 0)
    );

    let bad = timed(client.confirm_two_factor(&Secret::new("000000")))
        .await
        .expect_err("wrong code");
    assert_state!(bad.state, UiState::TwoFactorInvalid { .. });
    let short = timed(client.confirm_two_factor(&Secret::new("12345")))
        .await
        .expect_err("short code");
    assert_refused_field(&short.state, "code");

    let code = target.dev().totp_code(&name).expect("code");
    let on = timed(client.confirm_two_factor(&Secret::new(code)))
        .await
        .expect("confirmed");
    assert_eq!((on.enabled, on.backup_codes_remaining), (true, 10));
    timed(client.whoami()).await.expect("this session stays");

    // A new sign-in now asks for a code, and a backup code works (with its dash).
    let elsewhere = target.client();
    let outcome = timed(elsewhere.login(&name, &PASSWORD.into()))
        .await
        .expect("password accepted");
    assert!(
        matches!(outcome, LoginOutcome::TwoFactorRequired { .. }),
        "{outcome:?}"
    );
    let user = timed(elsewhere.submit_two_factor(&Secret::new(setup.backup_codes[0].clone())))
        .await
        .expect("signed in with a backup code");
    assert_eq!(user.username, name);

    let off_wrong = timed(client.disable_two_factor(&PASSWORD.into(), &Secret::new("000000")))
        .await
        .expect_err("wrong code");
    assert_state!(off_wrong.state, UiState::TwoFactorInvalid { .. });
    let code = target.dev().totp_code(&name).expect("code");
    let off = timed(client.disable_two_factor(&PASSWORD.into(), &Secret::new(code)))
        .await
        .expect("turned off");
    assert!(!off.enabled);
    let plain = target.client();
    let outcome = timed(plain.login(&name, &PASSWORD.into()))
        .await
        .expect("login");
    assert!(matches!(outcome, LoginOutcome::SignedIn { .. }));
}

#[tokio::test]
async fn sign_out_everywhere_else_keeps_this_session_and_ending_it_signs_out() {
    let target = Target::start().await;
    let Some((here, name)) = target.signed_in("everywhere").await else {
        return;
    };
    let there = target.client();
    timed(there.login(&name, &PASSWORD.into()))
        .await
        .expect("login there");

    let ended = timed(here.revoke_other_sessions())
        .await
        .expect("revoke-all");
    assert!(ended >= 1, "{ended}");
    let err = timed(there.whoami())
        .await
        .expect_err("the other session ended");
    assert_state!(err.state, UiState::LoginRequired { .. });
    timed(here.whoami()).await.expect("this one lives");

    let own = here.current_session_id().expect("session id");
    assert!(timed(here.sessions())
        .await
        .expect("list")
        .iter()
        .any(|s| s.id == own && s.current));
    timed(here.end_session(&own)).await.expect("ended");
    assert_eq!(
        here.state(),
        UiState::SignedOut,
        "a clean sign-out, not an error"
    );
    assert!(here.token().is_none());
}

#[tokio::test]
async fn a_password_change_checks_the_rules_first_and_keeps_other_sessions() {
    let Some(target) = devserver().await else {
        return;
    };
    let Some((client, name)) = target.signed_in("pwchange").await else {
        return;
    };
    let other = target.client();
    timed(other.login(&name, &PASSWORD.into()))
        .await
        .expect("second session");

    let weak = timed(client.change_password(&PASSWORD.into(), &Secret::new("short")))
        .await
        .expect_err("weak");
    assert_refused_field(&weak.state, "password");
    assert_eq!(
        target.dev().request_count("PATCH", "/users/@me"),
        0,
        "a weak password is refused before the server's misleading 403"
    );

    let wrong =
        timed(client.change_password(&Secret::new("Wrong-Password-1x"), &NEW_PASSWORD.into()))
            .await
            .expect_err("wrong current password");
    assert_refused_field(&wrong.state, "current_password");
    assert_eq!(
        target.dev().request_count("PATCH", "/users/@me"),
        1,
        "the server's 500 is a field error, never retried"
    );
    assert!(
        matches!(client.state(), UiState::Ready { .. }),
        "{:?}",
        client.state()
    );

    timed(client.change_password(&PASSWORD.into(), &NEW_PASSWORD.into()))
        .await
        .expect("changed");
    timed(other.whoami())
        .await
        .expect("other sessions survive a change");
    let fresh = target.client();
    timed(fresh.login(&name, &NEW_PASSWORD.into()))
        .await
        .expect("new password works");
}

#[tokio::test]
async fn a_password_reset_with_the_mailed_token_sets_a_new_password() {
    let Some(target) = devserver().await else {
        return;
    };
    let Some(name) = target.user("reset").await else {
        return;
    };
    let email = format!("{name}@example.com");
    let client = target.client();
    timed(client.request_password_reset(&email))
        .await
        .expect("requested");
    timed(client.request_password_reset("nobody@example.com"))
        .await
        .expect("unknown addresses answer the same");
    let bad_mail = timed(client.request_password_reset("not-an-email"))
        .await
        .expect_err("bad");
    assert_refused_field(&bad_mail.state, "email");

    let bogus = timed(
        client.confirm_password_reset(&Secret::new("bogus-reset-token"), &NEW_PASSWORD.into()),
    )
    .await
    .expect_err("bogus token");
    assert_refused_field(&bogus.state, "token");
    assert_eq!(
        client.state(),
        UiState::SignedOut,
        "a bad reset token is not a session problem"
    );

    let token = target
        .dev()
        .password_reset_token(&email)
        .expect("mailed token");
    let weak =
        timed(client.confirm_password_reset(&Secret::new(token.clone()), &Secret::new("weak")))
            .await
            .expect_err("weak");
    assert_refused_field(&weak.state, "password");
    timed(client.confirm_password_reset(&Secret::new(token), &NEW_PASSWORD.into()))
        .await
        .expect("reset");
    timed(client.login(&name, &NEW_PASSWORD.into()))
        .await
        .expect("signs in with it");
}

#[tokio::test]
async fn settings_are_stored_as_strings_on_the_server() {
    let target = Target::start().await;
    let Some((client, _)) = target.signed_in("settings").await else {
        return;
    };
    timed(client.set_user_setting("theme", "dark"))
        .await
        .expect("stored");
    timed(client.delete_user_setting("never-set"))
        .await
        .expect("a missing key is fine");
    if target.dev.is_some() {
        // The reference caches GETs for 60 s, so only the devserver shows the write at once.
        let all = timed(client.user_settings()).await.expect("read");
        assert_eq!(all.get("theme").map(String::as_str), Some("dark"));
    }
    timed(client.delete_user_setting("theme"))
        .await
        .expect("removed");
}
