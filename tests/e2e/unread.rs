//! Unread state (issue 15): badges on channels and the server rail while messages arrive
//! elsewhere, then the "New messages" divider with "Jump to first unread" when one is opened.

use std::time::Duration;

use crate::driver::Locator;
use crate::world::{World, PASSWORD};

/// bob posts in two channels alice is not reading: both get badges, the server too; opening one
/// shows the divider before the first new message and the bar above, and the jump lands on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn unread_badges_then_the_new_messages_divider_and_jump() {
    let world = World::new("unread_probe").await;
    let bob = world
        .server
        .create_user("unread_bob", PASSWORD)
        .await
        .expect("bob");
    world
        .server
        .add_member(&world.guild.id, &bob.id)
        .await
        .expect("bob joins");
    let random = world
        .server
        .create_channel(&world.guild.id, "random")
        .await
        .expect("channel");
    let news = world
        .server
        .create_channel(&world.guild.id, "news")
        .await
        .expect("channel");
    let app = world.launch().await;
    world.sign_in(&app).await;
    app.send_and_see("reading general").await;

    for (channel, lines) in [
        (
            &random,
            &["are you there?", "the build is green", "lunch?"][..],
        ),
        (&news, &["release notes are up", "v2 ships friday"][..]),
    ] {
        for line in lines {
            world
                .server
                .post_message(&bob.id, channel, line)
                .await
                .expect("bob posts");
        }
    }
    app.wait_until(
        "badges on #random and #news",
        r#"(() => {
            const items = [...document.querySelectorAll('[data-testid="channel-item"]')].map(e => e.textContent);
            return items.some(t => t.includes('random') && t.includes('3 unread'))
                && items.some(t => t.includes('news') && t.includes('2 unread'));
        })()"#,
        Duration::from_secs(30),
    )
    .await;
    app.wait_for_text(
        Locator::TestId("unread-badge"),
        "5",
        Duration::from_secs(10),
    )
    .await;

    app.wait_until(
        "#random is clicked",
        r#"(() => {
            const item = [...document.querySelectorAll('[data-testid="channel-item"]')].find(e => e.textContent.includes('random'));
            item?.click();
            return Boolean(item);
        })()"#,
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "#random is open",
        r#"document.querySelector('h1')?.textContent.includes('random')"#,
        Duration::from_secs(10),
    )
    .await;
    app.wait_for(
        Locator::TestId("new-messages-divider"),
        Duration::from_secs(20),
    )
    .await;
    app.wait_for_text(
        Locator::TestId("unread-bar"),
        "3 new messages",
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the divider sits right before the first new message",
        r#"(() => {
            const d = document.querySelector('[data-testid="new-messages-divider"]');
            const next = d && d.parentElement.querySelector('[data-testid="message"]');
            return next && next.textContent.includes('are you there?');
        })()"#,
        Duration::from_secs(10),
    )
    .await;
    // #news still shows its badge next to the divider of #random.
    app.wait_for_text(
        Locator::TestId("unread-badge"),
        "2",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("unread-divider-and-badges").await;
    app.axe_audit("unread-divider-and-badges").await;

    app.click(Locator::TestId("jump-first-unread")).await;
    app.wait_until(
        "the first unread message is highlighted",
        r#"[...document.querySelectorAll('.msg.jumped')].some(e => e.textContent.includes('are you there?'))"#,
        Duration::from_secs(20),
    )
    .await;
    app.close().await;
}
