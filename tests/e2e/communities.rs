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
    app.axe_audit("communities-welcome").await;

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
    app.axe_audit("communities-invite-preview").await;

    app.click(Locator::TestId("join-server")).await;
    app.wait_until(
        "the joined server is open in the rail",
        r#"[...document.querySelectorAll('[data-testid="server-item"]')].some(b => b.getAttribute('title') === 'E2E Server' && b.getAttribute('aria-current') === 'page')"#,
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
    app.axe_audit("communities-joined").await;
    app.send_and_see("hello, I just joined").await;
    app.close().await;
}

/// The owner makes an invite and copies its link, creates a channel and kicks a member from
/// the server settings; the "+" offers joining and creating.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn an_owner_invites_creates_a_channel_and_kicks() {
    let world = World::new("community_boss").await;
    let member = world
        .server
        .create_user("kick_me", PASSWORD)
        .await
        .expect("member");
    world
        .server
        .add_member(&world.guild.id, &member.username)
        .await
        .expect("added");
    let app = world.launch().await;
    world.sign_in(&app).await;

    app.click(Locator::TestId("invite-people")).await;
    app.wait_for(Locator::TestId("invite-dialog"), Duration::from_secs(10))
        .await;
    app.click(Locator::TestId("invite-create")).await;
    let link = app
        .wait_for(Locator::TestId("invite-link"), Duration::from_secs(10))
        .await;
    let value = link.prop("value").await.ok().flatten().unwrap_or_default();
    assert!(value.starts_with("plexichat://invite/"), "{value}");
    app.wait_for(Locator::TestId("invite-row"), Duration::from_secs(10))
        .await;
    app.screenshot("communities-invite-dialog").await;
    app.axe_audit("communities-invite-dialog").await;
    app.click(Locator::Css("[data-testid='invite-dialog'] .actions .btn"))
        .await;

    app.click(Locator::TestId("server-settings-open")).await;
    app.wait_for(Locator::TestId("server-settings"), Duration::from_secs(10))
        .await;
    app.screenshot("communities-server-settings").await;
    app.axe_audit("communities-server-settings").await;
    app.click(Locator::Css(
        "[data-testid='server-settings'] [role='tab']:nth-child(2)",
    ))
    .await;
    app.type_into(Locator::TestId("new-channel-name"), "plans")
        .await;
    app.click(Locator::TestId("create-channel")).await;
    app.wait_for_text(
        Locator::TestId("channel-list"),
        "plans",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("communities-channel-created").await;

    app.click(Locator::Css(
        "[data-testid='server-settings'] [role='tab']:nth-child(3)",
    ))
    .await;
    app.click(Locator::Css("[aria-label='Kick kick_me']")).await;
    app.wait_for_text(
        Locator::TestId("settings-notice"),
        "kick_me was kicked",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("communities-member-kicked").await;
    app.axe_audit("communities-member-kicked").await;
    app.click(Locator::Css("[data-testid='server-settings'] .foot .btn"))
        .await;

    app.click(Locator::TestId("add-server")).await;
    app.wait_for(Locator::TestId("choose-join"), Duration::from_secs(10))
        .await;
    app.screenshot("communities-add-server").await;
    app.axe_audit("communities-add-server").await;
    app.close().await;
}

/// A member of a channel with slowmode sends once, then sees the countdown; a second message
/// is kept in the composer until it may go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn slowmode_counts_down_after_a_send() {
    let world = World::new("slow_owner").await;
    world
        .server
        .create_user("slow_member", PASSWORD)
        .await
        .expect("member");
    world
        .server
        .add_member(&world.guild.id, "slow_member")
        .await
        .expect("added");
    world
        .server
        .set_slowmode(&world.guild.general_channel_id, 30)
        .await
        .expect("slowmode");
    let app = world.launch().await;
    world.submit_login(&app, "slow_member", PASSWORD).await;
    app.wait_for(Locator::TestId("composer"), Duration::from_secs(30))
        .await;
    app.wait_for_text(
        Locator::TestId("slowmode"),
        "one message every 30 s",
        Duration::from_secs(10),
    )
    .await;
    app.send_and_see("first under slowmode").await;
    app.wait_for_text(
        Locator::TestId("slowmode"),
        "you can send again in",
        Duration::from_secs(10),
    )
    .await;
    app.send_message("second, too soon").await;
    app.wait_for_text(
        Locator::TestId("slowmode"),
        "your message is kept",
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the held text stays in the composer",
        r#"document.querySelector('[data-testid="composer"]').value.includes('second, too soon')"#,
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("communities-slowmode").await;
    app.axe_audit("communities-slowmode").await;
    app.close().await;
}
