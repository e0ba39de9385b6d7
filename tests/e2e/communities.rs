//! Communities in the real window: a freshly registered account, in no server yet, gets into
//! one by pasting an invite on the welcome screen.

use std::time::Duration;

use crate::driver::Locator;
use crate::world::{World, PASSWORD};

/// Registers a new account through the app's own form, lands on the welcome screen, pastes an
/// invite link the owner made, sees the preview, joins, and ends in the server's #general.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_fresh_account_joins_a_server_by_pasting_an_invite() {
    let world = World::new("community_owner").await;
    let code = world
        .server
        .create_invite(&world.guild.id, &world.user.username, 3600, 10)
        .await
        .expect("invite");
    let app = world.launch().await;

    app.click(Locator::TestId("create-account")).await;
    app.wait_for(Locator::TestId("register-screen"), Duration::from_secs(10))
        .await;
    app.replace_text(Locator::Css("#reg-email"), "newcomer@example.com")
        .await;
    app.replace_text(Locator::Css("#reg-username"), "newcomer")
        .await;
    app.replace_text(Locator::Css("#reg-password"), PASSWORD)
        .await;
    app.click(Locator::Css(
        "[data-testid='register-screen'] button[type='submit']",
    ))
    .await;

    // No server yet: the welcome screen, not an empty friends page.
    app.wait_for(Locator::TestId("welcome"), Duration::from_secs(30))
        .await;
    app.wait_for(Locator::TestId("add-server"), Duration::from_secs(5))
        .await;
    app.screenshot("communities-welcome").await;

    let link = format!("plexichat://invite/{code}");
    app.type_into(Locator::TestId("welcome-invite"), &link)
        .await;
    app.click(Locator::TestId("welcome-join")).await;
    let preview = app
        .wait_for(Locator::TestId("invite-preview"), Duration::from_secs(20))
        .await;
    let text = preview.text().await.unwrap_or_default();
    assert!(
        text.contains("Invited by community_owner") && text.contains("0 of 10 uses"),
        "preview lacks the inviter or the uses: {text}"
    );
    app.screenshot("communities-invite-preview").await;

    app.click(Locator::TestId("join-server")).await;
    app.wait_until(
        "the joined server is open in the rail",
        r#"[...document.querySelectorAll('[data-testid="server-item"]')].some(b => b.getAttribute('aria-label').startsWith('E2E Server') && b.getAttribute('aria-current') === 'page')"#,
        Duration::from_secs(20),
    )
    .await;
    app.wait_for_text(
        Locator::TestId("channel-list"),
        "general",
        Duration::from_secs(20),
    )
    .await;
    app.wait_for(Locator::TestId("composer"), Duration::from_secs(20))
        .await;
    app.screenshot("communities-joined").await;
    app.send_and_see("hello, I just joined").await;
    app.close().await;
}
