//! Rich messages (issue 16): a formatted message (markdown rendered as DOM, a highlighted
//! code block, a spoiler, a mention chip, a forwarded copy's ciphertext shown as a notice) and
//! a poll created from the composer, voted on and closed. Each screen passes axe-core.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::World;

/// The parts of the window this issue adds.
const OURS: &str = "[data-testid=markdown], [data-testid=poll], [data-testid=poll-creator], [data-testid=link-confirm], [data-testid=open-poll-creator]";

/// axe-core over the page, failing only inside the parts listed in `OURS`.
async fn audit_ours(app: &AppSession, name: &str) {
    app.axe_audit_within(name, OURS).await;
}

const FORMATTED: &str = "**Release notes** for _today_, see __underlined__ and ~~old~~ `code`\n\
> a quoted line\n\
```rust\nfn main() { println!(\"hi\"); }\n```\n\
Spoiler: ||the ending|| and a link https://example.com/docs <img src=x onerror=alert(1)>";

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn formatted_message_renders_safely() {
    let world = World::new("rich_md").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let channel = &world.guild.general_channel_id;
    world
        .server
        .post_message(&world.user.id, channel, FORMATTED)
        .await
        .expect("formatted message");
    let forwarded = format!(
        "🔄 Forwarded message (originally from <@{}>)\nENC:1:ntgtFKtcxEhf7lqqZH9jH7uGNhVfL+tbAmhbjZ26udy7AtTN1xe5bMBjcR/McHU=",
        world.user.id
    );
    world
        .server
        .post_message(&world.user.id, channel, &forwarded)
        .await
        .expect("forwarded copy");

    app.wait_until(
        "the code block is highlighted",
        "document.querySelector('[data-testid=markdown] pre code .hljs-keyword')",
        Duration::from_secs(20),
    )
    .await;
    app.wait_until(
        "formatting became elements, raw HTML stayed text",
        "(() => { const m = [...document.querySelectorAll('[data-testid=markdown]')];
                  const t = m.map((x) => x.textContent).join(' ');
                  return document.querySelector('[data-testid=markdown] strong')?.textContent === 'Release notes'
                    && document.querySelector('[data-testid=markdown] u')
                    && document.querySelector('[data-testid=markdown] blockquote')
                    && document.querySelector('[data-testid=markdown] a[href=\"https://example.com/docs\"]')
                    && !document.querySelector('[data-testid=message-list] img[src=x]')
                    && t.includes('<img src=x onerror=alert(1)>')
                    && document.querySelector('.enc-notice')?.textContent === 'message could not be decrypted by the server'
                    && !t.includes('ENC:1:')
                    && document.querySelector('[data-testid=markdown] .mention')?.textContent === '@rich_md'; })()",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("rich-formatted-message").await;
    audit_ours(&app, "rich-formatted-message").await;

    // A spoiler hides its text until it is clicked.
    app.click(Locator::Css(".spoiler")).await;
    app.wait_until(
        "the spoiler is revealed",
        "document.querySelector('.spoiler.revealed')",
        Duration::from_secs(5),
    )
    .await;
    // A link asks first: the confirm names the whole URL.
    app.click(Locator::Css("[data-testid=markdown] a[data-link]"))
        .await;
    app.wait_for_text(
        Locator::TestId("link-confirm-url"),
        "https://example.com/docs",
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("rich-link-confirm").await;
    audit_ours(&app, "rich-link-confirm").await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn poll_is_created_voted_and_closed() {
    let world = World::new("rich_poll").await;
    let app = world.launch().await;
    world.sign_in(&app).await;

    app.click(Locator::TestId("open-poll-creator")).await;
    app.wait_for(Locator::TestId("poll-creator"), Duration::from_secs(10))
        .await;
    app.type_into(Locator::TestId("poll-question"), "Where do we meet?")
        .await;
    app.type_into(
        Locator::Css("[data-testid=poll-option-input][aria-label='Option 1']"),
        "Office",
    )
    .await;
    app.type_into(
        Locator::Css("[data-testid=poll-option-input][aria-label='Option 2']"),
        "Café",
    )
    .await;
    app.screenshot("rich-poll-creator").await;
    audit_ours(&app, "rich-poll-creator").await;
    app.click(Locator::TestId("poll-create-submit")).await;

    app.wait_for_text(
        Locator::TestId("poll"),
        "Where do we meet?",
        Duration::from_secs(20),
    )
    .await;
    app.click(Locator::Css("[data-testid=poll] input[type=radio]"))
        .await;
    app.click(Locator::TestId("poll-vote")).await;
    app.wait_for_text(
        Locator::TestId("poll-meta"),
        "1 vote",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("rich-poll-voted").await;
    audit_ours(&app, "rich-poll-voted").await;

    app.click(Locator::TestId("poll-close")).await;
    app.wait_for_text(
        Locator::TestId("poll-meta"),
        "Final results",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("rich-poll-closed").await;
    app.close().await;
}
