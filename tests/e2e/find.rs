//! Finding conversations: message search from this device with the server gone, jumping to a
//! result, and the quick switcher.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::World;

/// Presses Ctrl+`key` on the window, as the user would anywhere in the chat.
async fn press_ctrl(app: &AppSession, key: char) {
    app.wait_until(
        &format!("Ctrl+{key} is pressed"),
        &format!(
            "(window.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', ctrlKey: true, bubbles: true }})), true)"
        ),
        Duration::from_secs(5),
    )
    .await;
}

/// With the server unreachable, Ctrl+F still finds a message this device has, says quietly
/// that the results are local, and opening one shows it highlighted in its channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn search_with_the_network_off_finds_a_cached_message_and_jumps_to_it() {
    let world = World::new("find_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    app.send_and_see("lunch at the noodle place on friday?")
        .await;
    for line in ["anyone for coffee", "the build is green again", "ship it"] {
        app.send_and_see(line).await;
    }
    // The server goes away entirely: REST and the gateway.
    world.server.stop_listening().await;
    world.server.faults().drop_gateway();

    press_ctrl(&app, 'f').await;
    app.replace_text(Locator::TestId("search-input"), "noodle")
        .await;
    app.wait_for_text(
        Locator::TestId("search-result"),
        "lunch at the noodle place",
        Duration::from_secs(20),
    )
    .await;
    app.wait_for(
        Locator::TestId("search-local-note"),
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("search-offline-results").await;
    app.axe_audit("search-panel").await;

    app.click(Locator::TestId("search-result")).await;
    app.wait_until(
        "the result is highlighted in its channel",
        r#"[...document.querySelectorAll('.msg.jumped')].some(e => e.textContent.includes('noodle place'))"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("search-jumped-to-result").await;
    app.axe_audit("search-jumped-to-result").await;
    app.close().await;
}

/// Ctrl+K lists channels and servers by a few letters; Enter opens the one picked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn quick_switcher_opens_a_channel_by_a_few_letters() {
    let world = World::new("switch_probe").await;
    world
        .server
        .create_channel(&world.guild.id, "release-planning")
        .await
        .expect("channel");
    let app = world.launch().await;
    world.sign_in(&app).await;
    press_ctrl(&app, 'k').await;
    app.replace_text(Locator::TestId("switcher-input"), "relplan")
        .await;
    app.wait_for_text(
        Locator::TestId("switcher-option"),
        "release-planning",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("quick-switcher").await;
    app.axe_audit("quick-switcher").await;
    app.type_into(Locator::TestId("switcher-input"), "\u{E007}")
        .await;
    app.wait_until(
        "release-planning is open",
        r#"document.querySelector('h1')?.textContent.includes('release-planning')"#,
        Duration::from_secs(20),
    )
    .await;
    app.close().await;
}

/// The demo's chat view (servers, channels, messages with reactions and pins, members) and
/// the friends page have no serious or critical accessibility violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn chat_view_and_friends_page_pass_the_accessibility_audit() {
    let app = AppSession::launch(&[]).await;
    app.click(Locator::TestId("try-demo")).await;
    app.wait_for(Locator::TestId("message"), Duration::from_secs(30))
        .await;
    app.wait_for(Locator::TestId("member-list"), Duration::from_secs(30))
        .await;
    app.screenshot("a11y-chat-view").await;
    app.axe_audit("chat-view").await;
    app.click(Locator::Css(r#"[data-testid="server-rail"] button.home"#))
        .await;
    app.wait_for(Locator::TestId("friends"), Duration::from_secs(20))
        .await;
    app.screenshot("a11y-friends-page").await;
    app.axe_audit("friends-page").await;
    app.close().await;
}
