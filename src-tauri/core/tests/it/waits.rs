//! Long waits and size limits as the user meets them: an hour-long 429 on sign-in becomes a
//! long wait (not a spinner), and a file over the server's body limit is "too large", not a
//! network failure.

use plexichat_core::clock::now_ms;
use plexichat_core::ui_state::UiState;
use plexichat_core::wait::{LongWait, WaitAction};

use crate::support::{timed, Target, PASSWORD};

#[tokio::test]
async fn an_hour_long_429_on_sign_in_is_a_long_wait_reported_at_once() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let name = target
        .user("longwait")
        .await
        .expect("the devserver creates accounts");
    target
        .dev()
        .faults()
        .rate_limit_route(3600.0, false, 1, "POST /api/v1/auth/login");
    let client = target.client();
    let err = timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect_err("refused for an hour");
    let wait = LongWait::from_error(WaitAction::SignIn, &target.base_url, &err, now_ms())
        .unwrap_or_else(|| panic!("a long wait: {:?}", err.state));
    assert!(wait.retry_at > now_ms() + 3_500_000, "about an hour");
    assert_eq!(wait.action, WaitAction::SignIn);
}

#[tokio::test]
async fn an_upload_over_the_body_limit_is_too_large_not_offline() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let (client, name) = target
        .signed_in("big")
        .await
        .expect("the devserver creates accounts");
    let channel = target.server(&name, "Files").await.general_channel_id;
    // Exactly 10 MiB passes the local check, but the multipart framing takes the body over
    // the server's limit; 11 MiB straight to the route is what the reference was probed with.
    let at_cap = client.upload_attachment(
        &channel,
        "cap.bin",
        "application/octet-stream",
        vec![b'a'; 10 * 1024 * 1024].into(),
    );
    let over = client.api().upload_attachment(
        &channel,
        "big.bin",
        "application/octet-stream",
        vec![b'a'; 11 * 1024 * 1024].into(),
        None,
    );
    for err in [
        timed(at_cap).await.expect_err("over the body limit"),
        timed(over).await.expect_err("over the body limit"),
    ] {
        let UiState::InvalidInput { field, message } = &err.state else {
            panic!("{:?}", err.state)
        };
        assert_eq!(field.as_deref(), Some("file"));
        assert_eq!(message, "Request body too large");
    }
}
