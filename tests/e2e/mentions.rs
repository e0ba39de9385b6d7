//! Mentions and saved messages in the real window: a live `<@id>` mention highlights its
//! message and puts a mention badge (apart from unread) on its channel; `@` in the composer
//! offers members as a listbox; a message saved from its menu shows in the Saved list; the
//! Mentions view lists what mentioned the user. Every view passes an axe-core audit.

use std::time::Duration;

use crate::driver::Locator;
use crate::world::{World, PASSWORD};

/// A script that clicks `selector` inside the message row showing `text`; true once clicked.
fn click_in_message(text: &str, selector: &str) -> String {
    let text = serde_json::to_string(text).unwrap();
    let selector = serde_json::to_string(selector).unwrap();
    format!(
        r#"(() => {{ const row = [...document.querySelectorAll('[data-testid="message"]')].find(e => e.textContent.includes({text})); const b = row && row.querySelector({selector}); if (b) b.click(); return Boolean(b); }})()"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn mentions_are_highlighted_counted_offered_and_saved() {
    let world = World::new("mention_me").await;
    let pinger = world
        .server
        .create_user("pinger", PASSWORD)
        .await
        .expect("pinger");
    world
        .server
        .add_member(&world.guild.id, &pinger.username)
        .await
        .expect("pinger joins");
    let side = world
        .server
        .create_channel(&world.guild.id, "side")
        .await
        .expect("channel");
    let general = world.guild.general_channel_id.clone();
    let app = world.launch().await;
    world.sign_in(&app).await;

    // A mention in the open channel is highlighted; one elsewhere counts on its channel.
    world
        .server
        .post_message(
            &pinger.id,
            &general,
            &format!("hey <@{}> look at this", world.user.id),
        )
        .await
        .expect("mention in general");
    world
        .server
        .post_message(
            &pinger.id,
            &side,
            &format!("<@{}> over here too", world.user.id),
        )
        .await
        .expect("mention in side");
    app.wait_until(
        "the mention in #general is highlighted and names the user",
        r#"[...document.querySelectorAll('[data-testid="message"].mention')].some(e => e.textContent.includes('@mention_me') && e.getAttribute('aria-label').includes('mentions you'))"#,
        Duration::from_secs(20),
    )
    .await;
    app.wait_until(
        "#side has a mention badge",
        r#"[...document.querySelectorAll('[data-testid="channel-item"]')].some(e => e.textContent.includes('side') && e.querySelector('[data-testid="mention-badge"]')?.textContent === '@1')"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("mentions-highlight-and-badge").await;
    app.axe_audit("mentions-highlight-and-badge").await;

    // `@` offers the members; Enter inserts the mention.
    app.type_into(Locator::TestId("composer"), "thanks @pi")
        .await;
    let list = app
        .wait_for(
            Locator::TestId("mention-suggestions"),
            Duration::from_secs(10),
        )
        .await;
    let text = list.text().await.unwrap_or_default();
    assert!(text.contains("pinger"), "suggestions lack pinger: {text}");
    app.screenshot("mentions-autocomplete").await;
    app.axe_audit("mentions-autocomplete").await;
    app.type_into(Locator::TestId("composer"), "\u{E007}").await;
    app.wait_until(
        "the composer shows the chosen name",
        r#"document.querySelector('[data-testid="composer"]').value === 'thanks @pinger '"#,
        Duration::from_secs(10),
    )
    .await;
    // Sent, the name becomes a mention of the member (a chip naming them).
    app.type_into(Locator::TestId("composer"), "\u{E007}").await;
    app.wait_until(
        "the sent message carries a mention chip of pinger",
        &format!(
            r#"[...document.querySelectorAll('[data-testid="message"] .mention')].some(c => c.dataset.userId === '{}' && c.textContent === '@pinger')"#,
            pinger.id
        ),
        Duration::from_secs(10),
    )
    .await;

    // Save the mention from its menu; the Saved list shows it.
    app.wait_until(
        "Save is chosen on the message",
        &click_in_message("look at this", r#"[data-testid="save-message"]"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the message shows as saved",
        r#"[...document.querySelectorAll('[data-testid="message"]')].some(e => e.textContent.includes('look at this') && e.querySelector('[data-testid="save-message"]').getAttribute('aria-pressed') === 'true')"#,
        Duration::from_secs(20),
    )
    .await;
    app.click(Locator::TestId("open-saved")).await;
    app.wait_for_text(
        Locator::TestId("saved-item"),
        "look at this",
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("saved-list").await;
    app.axe_audit("saved-list").await;

    // A note on the saved message: written inline, kept by the server, shown on the item.
    app.click(Locator::TestId("saved-note")).await;
    app.type_into(
        Locator::Css("[data-testid=\"saved-note-form\"] input"),
        "read before Friday\u{E007}",
    )
    .await;
    app.wait_for_text(
        Locator::TestId("saved-item"),
        "read before Friday",
        Duration::from_secs(20),
    )
    .await;
    app.wait_until(
        "the note form closed after saving",
        r#"!document.querySelector('[data-testid="saved-note-form"]')"#,
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("saved-note").await;
    app.axe_audit("saved-note").await;

    // The Mentions view lists both mentions and jumps to one.
    app.click(Locator::TestId("open-mentions")).await;
    app.wait_until(
        "both mentions are listed",
        r#"document.querySelectorAll('[data-testid="mention-item"]').length >= 2"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("mentions-list").await;
    app.axe_audit("mentions-list").await;
    app.wait_until(
        "the #side mention is opened",
        r#"(() => { const i = [...document.querySelectorAll('[data-testid="mention-item"]')].find(e => e.textContent.includes('over here too')); if (i) i.click(); return Boolean(i); })()"#,
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "#side is open at the mention and its badge is gone",
        r#"document.querySelector('.msg.jumped')?.textContent.includes('over here too') && !document.querySelector('[data-testid="mention-badge"]')"#,
        Duration::from_secs(20),
    )
    .await;
    let bookmarks = world.server.request_count("POST", "/features/bookmarks");
    assert_eq!(
        bookmarks, 2,
        "the save and the note's upsert reached the server, once each"
    );
    app.close().await;
}
