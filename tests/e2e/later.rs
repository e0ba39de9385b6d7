//! Send later, forward and the emoji picker (issue 16): the picker (searched, an emoji
//! inserted), a message scheduled from the composer that the app sends at its time, the one
//! "Scheduled" list, and a forwarded copy quoting its original. Each screen passes axe-core.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::World;

/// The parts of the window this work adds.
const OURS: &str = "[data-testid=emoji-picker], [data-testid=schedule-dialog], [data-testid=scheduled-list], [data-testid=forward-dialog], [data-testid=open-emoji-picker], [data-testid=open-send-later], [data-testid=open-scheduled], [data-testid=forward-message]";

/// axe-core over the page, failing only inside the parts listed in `OURS`.
async fn audit_ours(app: &AppSession, name: &str) {
    app.axe_audit_within(name, OURS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn emoji_picker_send_later_and_forward() {
    let world = World::new("later_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let general = world.guild.general_channel_id.clone();

    // The picker: its emoji table is loaded on first open.
    app.click(Locator::TestId("open-emoji-picker")).await;
    app.wait_for(Locator::TestId("emoji-picker"), Duration::from_secs(10))
        .await;
    app.wait_until(
        "the emoji table loaded",
        "document.querySelectorAll('[data-testid=emoji-picker] .grid button').length > 50 || document.querySelector('[data-testid=emoji-picker] [role=tab][aria-label=\"Smileys & People\"]') !== null",
        Duration::from_secs(10),
    )
    .await;
    app.click(Locator::Css(
        "[data-testid=emoji-picker] [role=tab][aria-label='Smileys & People']",
    ))
    .await;
    app.screenshot("emoji-picker").await;
    audit_ours(&app, "emoji-picker").await;
    app.type_into(Locator::TestId("emoji-search"), "tada").await;
    app.click(Locator::Css(
        "[data-testid=emoji-picker] button[aria-label='Party Popper']",
    ))
    .await;
    app.wait_until(
        "the emoji is in the composer",
        "document.querySelector('[data-testid=composer]').value === '🎉'",
        Duration::from_secs(5),
    )
    .await;

    // Send later: the next whole minute at least 20 s away (the field has minute precision).
    app.type_into(Locator::TestId("composer"), " sent by the app at its time")
        .await;
    app.click(Locator::TestId("open-send-later")).await;
    app.wait_for(Locator::TestId("schedule-dialog"), Duration::from_secs(10))
        .await;
    app.execute(
        "const d = new Date(Date.now() + 20000); d.setSeconds(0, 0); d.setMinutes(d.getMinutes() + 1);
         const p = (n) => String(n).padStart(2, '0');
         const v = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
         const el = document.querySelector('[data-testid=schedule-at]');
         el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); return v;",
    )
    .await;
    app.screenshot("send-later-dialog").await;
    audit_ours(&app, "send-later-dialog").await;
    app.click(Locator::TestId("schedule-confirm")).await;
    app.wait_until(
        "the dialog closed and the composer emptied",
        "!document.querySelector('[data-testid=schedule-dialog]') && document.querySelector('[data-testid=composer]').value === ''",
        Duration::from_secs(10),
    )
    .await;

    // The one "Scheduled" list shows it.
    app.click(Locator::TestId("open-scheduled")).await;
    app.wait_for_text(
        Locator::TestId("scheduled-item"),
        "sent by the app at its time",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("scheduled-list").await;
    audit_ours(&app, "scheduled-list").await;
    app.click(Locator::Css("[data-testid=scheduled-list] .row.end button"))
        .await;
    assert!(
        world.server.channel_message_ids(&general).is_empty(),
        "not sent before its time"
    );

    // At its time the app sends it, once.
    app.wait_for_text(
        Locator::TestId("message-content"),
        "sent by the app at its time",
        Duration::from_secs(100),
    )
    .await;
    assert_eq!(world.server.channel_message_ids(&general).len(), 1);
    app.screenshot("scheduled-sent").await;

    // Forward it (to the same server's channel): a quoted copy with a link back.
    app.wait_until(
        "Forward is chosen on the message",
        "(() => { const row = [...document.querySelectorAll('[data-testid=message]')].find(e => e.textContent.includes('sent by the app')); const b = row && row.querySelector('[data-testid=forward-message]'); if (b) b.click(); return Boolean(b); })()",
        Duration::from_secs(10),
    )
    .await;
    app.wait_for(Locator::TestId("forward-dialog"), Duration::from_secs(10))
        .await;
    app.click(Locator::Css(
        "[data-testid=forward-dialog] input[type=radio]",
    ))
    .await;
    app.screenshot("forward-dialog").await;
    audit_ours(&app, "forward-dialog").await;
    app.click(Locator::TestId("forward-confirm")).await;
    app.wait_for_text(
        Locator::TestId("message-list"),
        "Forwarded from @later_probe",
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("forwarded-copy").await;
    app.close().await;
}
