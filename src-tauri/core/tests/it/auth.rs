//! Sign-in flows end to end: register, login, wrong passwords and lockout, 2FA.

use plexichat_core::ui_state::UiState;
use plexichat_core::{clock::now_ms, LoginOutcome, Secret};
use plexichat_devserver::DevServerConfig;

use crate::support::{assert_state, registration_spent, timed, unique, wait_for, Target, PASSWORD};

#[tokio::test]
async fn register_names_the_broken_password_rule_then_signs_in() {
    let target = Target::start().await;
    let client = target.client();
    let name = unique("reg");
    let err = client
        .register(&name, &format!("{name}@example.com"), &Secret::new("short"))
        .await
        .expect_err("weak password is refused before sending");
    let UiState::InvalidInput { field, message } = err.state else {
        panic!("{:?}", err.state)
    };
    assert_eq!(field.as_deref(), Some("password"));
    assert!(message.contains("at least 12 characters"), "{message}");
    assert!(message.contains("uppercase"), "{message}");

    let (_, mut rx) = client.subscribe();
    let user = match timed(client.register(&name, &format!("{name}@example.com"), &PASSWORD.into()))
        .await
    {
        Ok(user) => user,
        Err(e) if registration_spent(&e) => return,
        Err(e) => panic!("registration failed: {e:?}"),
    };
    assert_eq!(user.username, name);
    wait_for(&mut rx, "ready", |s| matches!(s, UiState::Ready { .. })).await;

    let again = target.client();
    let err = timed(again.register(&name, &format!("{name}@example.com"), &PASSWORD.into()))
        .await
        .expect_err("duplicate");
    assert_state!(err.state, UiState::Conflict { .. });
}

#[tokio::test]
async fn login_by_username_or_email_reaches_ready() {
    let target = Target::start().await;
    let Some(name) = target.user("login").await else {
        return;
    };
    for login in [name.clone(), format!("{name}@example.com")] {
        let client = target.client();
        let (first, mut rx) = client.subscribe();
        assert_eq!(first, UiState::SignedOut);
        let outcome = timed(client.login(&login, &PASSWORD.into()))
            .await
            .expect("login");
        let LoginOutcome::SignedIn { user } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(user.username, name);
        let ready = wait_for(&mut rx, "ready", |s| matches!(s, UiState::Ready { .. })).await;
        assert_eq!(ready, UiState::Ready { user });
        assert!(client.token().is_some());
    }
}

#[tokio::test]
async fn wrong_passwords_count_down_then_lock_with_a_stable_countdown() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let Some(name) = target.user("lock").await else {
        return;
    };
    let client = target.client();
    let wrong = Secret::new("Wrong-Password-123");
    for expected_left in [4, 3, 2, 1, 0] {
        let err = timed(client.login(&name, &wrong))
            .await
            .expect_err("wrong password");
        let UiState::InvalidCredentials { attempts_left, .. } = err.state else {
            panic!("{:?}", err.state)
        };
        assert_eq!(attempts_left, expected_left);
    }
    // Locked now: even the right password gets the lockout notice.
    let before = now_ms();
    let err = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect_err("locked");
    let UiState::AccountLocked {
        until,
        suspended: false,
    } = err.state
    else {
        panic!("{:?}", err.state)
    };
    let fifteen_min = 15 * 60 * 1000;
    assert!(
        until >= before + fifteen_min - 1000 && until <= now_ms() + fifteen_min,
        "until {until}"
    );
    let err = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect_err("still locked");
    assert_eq!(
        err.state,
        UiState::AccountLocked {
            until,
            suspended: false
        },
        "countdown does not restart"
    );
    assert_eq!(client.locked_until().await, Some(until));
}

#[tokio::test]
async fn locked_account_shows_suspended_notice_to_an_existing_session() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let Some((client, name)) = target.signed_in("susp").await else {
        return;
    };
    assert!(target.dev().faults().lock_account(&name));
    let err = timed(client.servers()).await.expect_err("suspended");
    assert_state!(
        err.state,
        UiState::AccountLocked {
            suspended: true,
            ..
        }
    );
    assert!(
        matches!(
            client.state(),
            UiState::AccountLocked {
                suspended: true,
                ..
            }
        ),
        "no logout loop"
    );
}

async fn two_factor_target(challenge_ttl_ms: u64) -> Option<(Target, String, Vec<String>)> {
    let config = DevServerConfig {
        challenge_ttl_ms,
        ..DevServerConfig::for_tests()
    };
    let target = Target::with_faults_config(config).await?;
    let name = target.user("totp").await?;
    let info = target.dev().enable_totp(&name).await.expect("totp on");
    Some((target, name, info.backup_codes))
}

#[tokio::test]
async fn two_factor_wrong_code_then_good_code() {
    let Some((target, name, _)) = two_factor_target(60_000).await else {
        return;
    };
    let client = target.client();
    let (_, mut rx) = client.subscribe();
    let outcome = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    let LoginOutcome::TwoFactorRequired {
        expires_at,
        methods,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert!(expires_at > now_ms());
    assert!(!methods.is_empty());
    wait_for(&mut rx, "2fa prompt", |s| {
        matches!(s, UiState::TwoFactorRequired { .. })
    })
    .await;

    // A rate limit while on the code form counts down, then returns to the code form.
    target.dev().faults().rate_limit(0.3, false, 1);
    let err = timed(client.submit_two_factor(&"000000".into()))
        .await
        .expect_err("bad code");
    assert_state!(err.state, UiState::TwoFactorInvalid { .. });
    assert!(
        matches!(client.state(), UiState::TwoFactorRequired { .. }),
        "back on the code form after the countdown: {:?}",
        client.state()
    );

    let code = target.dev().totp_code(&name).expect("code");
    let user = timed(client.submit_two_factor(&Secret::new(code)))
        .await
        .expect("good code");
    assert_eq!(user.username, name);
    wait_for(&mut rx, "ready", |s| matches!(s, UiState::Ready { .. })).await;
}

#[tokio::test]
async fn two_factor_backup_code_works_with_its_dash_once() {
    let Some((target, name, backup)) = two_factor_target(60_000).await else {
        return;
    };
    let code = backup[0].clone();
    assert!(code.contains('-'), "printed with a dash: {code}");
    let client = target.client();
    timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    timed(client.submit_two_factor(&Secret::new(code.clone())))
        .await
        .expect("backup code with dash");

    let second = target.client();
    timed(second.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    let err = timed(second.submit_two_factor(&Secret::new(code)))
        .await
        .expect_err("used up");
    assert_state!(err.state, UiState::TwoFactorInvalid { .. });
}

#[tokio::test]
async fn expired_two_factor_challenge_goes_back_to_the_password_step() {
    let Some((target, name, _)) = two_factor_target(300).await else {
        return;
    };
    let client = target.client();
    let outcome = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    let LoginOutcome::TwoFactorRequired { expires_at, .. } = outcome else {
        panic!("{outcome:?}")
    };
    // Let the (300 ms) challenge run out.
    let left = u64::try_from(expires_at - now_ms()).unwrap_or(0);
    tokio::time::sleep(std::time::Duration::from_millis(left + 50)).await;
    let code = target.dev().totp_code(&name).expect("code");
    let err = timed(client.submit_two_factor(&Secret::new(code)))
        .await
        .expect_err("expired");
    assert_eq!(err.state, UiState::TwoFactorExpired);
    assert_eq!(
        client.state(),
        UiState::SignedOut,
        "back to the password step"
    );
    // The challenge is gone: no second try with it.
    let err = timed(client.submit_two_factor(&"123456".into()))
        .await
        .expect_err("no challenge");
    assert_eq!(err.state, UiState::TwoFactorExpired);
}

#[tokio::test]
async fn unknown_user_is_invalid_credentials_not_a_crash() {
    let target = Target::start().await;
    let client = target.client();
    let err = timed(client.login(&unique("nobody"), &PASSWORD.into()))
        .await
        .expect_err("unknown");
    assert_eq!(
        err.state,
        UiState::InvalidCredentials {
            failed_attempts: 1,
            attempts_left: 4
        }
    );
    let (state, _) = client.subscribe();
    assert_eq!(
        state,
        UiState::SignedOut,
        "a form error, not a screen change"
    );
}

#[tokio::test]
async fn a_pending_challenge_survives_a_restart() {
    let Some((target, name, _)) = two_factor_target(60_000).await else {
        return;
    };
    let store = std::sync::Arc::new(plexichat_core::MemoryStore::new());
    let first = target.client_with_store(store.clone());
    timed(first.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    drop(first);
    // `plexi login` then `plexi 2fa`: a new process with the same store.
    let second = target.client_with_store(store);
    let code = target.dev().totp_code(&name).expect("code");
    let user = timed(second.submit_two_factor(&Secret::new(code)))
        .await
        .expect("signed in");
    assert_eq!(user.username, name);
    assert!(matches!(second.state(), UiState::Ready { .. }));
}

#[tokio::test]
async fn cancelling_two_factor_forgets_the_challenge_and_shows_the_login_form() {
    let Some((target, name, _)) = two_factor_target(60_000).await else {
        return;
    };
    let client = target.client();
    let outcome = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("challenge");
    assert!(matches!(outcome, LoginOutcome::TwoFactorRequired { .. }));
    client.cancel_two_factor().await;
    assert_eq!(client.state(), UiState::SignedOut);
    // The old challenge is gone: a code now has nothing to complete.
    let code = target.dev().totp_code(&name).expect("code");
    let err = client
        .submit_two_factor(&Secret::new(code))
        .await
        .expect_err("no challenge any more");
    assert_state!(
        err.state,
        UiState::TwoFactorExpired | UiState::SignedOut | UiState::LoginRequired { .. }
    );
}
