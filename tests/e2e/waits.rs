//! Every wait is visible and has a way out: an hour-long rate limit on sign-in, registration
//! and a send becomes a designed state (until when, a live countdown, the form kept, Cancel),
//! a restart keeps it, and nothing clicked during start-up is undone.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::{World, PASSWORD};

/// The reference's hourly windows answer with a Retry-After of this order (PROTOCOL.md §3).
const HOUR: f64 = 3600.0;

/// Audits a chat screen with axe-core and fails on a serious or critical violation inside
/// `within` (this elements); the rest of the chat screen is audited by its own tests.
async fn audit_within(app: &AppSession, name: &str, within: &str) {
    let violations = app.axe_violations(name).await;
    let targets: Vec<String> = violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .flat_map(|v| v["nodes"].as_array().cloned().unwrap_or_default())
        .filter_map(|n| n["target"][0].as_str().map(str::to_owned))
        .collect();
    let targets_js = serde_json::to_string(&targets).unwrap();
    let within_js = serde_json::to_string(within).unwrap();
    app.wait_until(
        &format!("no serious axe-core violation inside {within} on {name} (see target/axe/{name}.json)"),
        &format!(
            "{targets_js}.every(s => {{ try {{ return !document.querySelector(s)?.closest({within_js}); }} catch (e) {{ return true; }} }})"
        ),
        Duration::from_secs(2),
    )
    .await;
}

/// The long-wait notice's text, once it shows.
async fn long_wait_text(app: &AppSession) -> String {
    app.wait_for(Locator::TestId("long-wait"), Duration::from_secs(20))
        .await;
    app.text_of(Locator::TestId("long-wait")).await
}

/// Checks that an input still holds `value`.
async fn assert_value(app: &AppSession, css: &str, value: &str) {
    let css_js = serde_json::to_string(css).unwrap();
    let value_js = serde_json::to_string(value).unwrap();
    app.wait_until(
        &format!("{css} keeps what was typed"),
        &format!("document.querySelector({css_js})?.value === {value_js}"),
        Duration::from_secs(2),
    )
    .await;
}

/// A sign-in refused for an hour shows what is limited, until when, a countdown, keeps the
/// form as typed, and is still shown after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_sign_in_refused_for_an_hour_shows_until_when_and_survives_a_restart() {
    let world = World::new("wait_signin").await;
    world
        .server
        .faults()
        .rate_limit_route(HOUR, false, 1, "POST /api/v1/auth/login");
    let app = world.launch().await;
    world
        .submit_login(&app, &world.user.username, PASSWORD)
        .await;
    let text = long_wait_text(&app).await;
    assert!(text.contains("Signing in is paused"), "{text}");
    assert!(text.contains("Try again at"), "{text}");
    assert!(text.contains("signed in automatically"), "{text}");
    assert_value(&app, "#password", PASSWORD).await;
    assert_value(&app, "#login", &world.user.username).await;
    app.wait_until(
        "the countdown shows the minutes left",
        "/^(59:[0-5]\\d|1 h 00 min)$/.test(document.querySelector('[data-testid=long-wait] [role=timer]')?.textContent ?? '')",
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("long-wait-sign-in").await;
    app.axe_audit("long-wait-sign-in").await;

    // Another server is not held back: the button comes back for it.
    app.replace_text(Locator::Css("#server-url"), "http://127.0.0.1:9")
        .await;
    app.wait_until(
        "the notice leaves for another server",
        "!document.querySelector('[data-testid=long-wait]') && !document.querySelector('[data-testid=sign-in]').disabled",
        Duration::from_secs(5),
    )
    .await;

    // A restart: the server would still refuse, so the wait is still shown.
    let dirs = app.dirs();
    app.close().await;
    let url = world.server.base_url();
    let again = AppSession::launch_in(dirs, &["--server", &url]).await;
    let text = long_wait_text(&again).await;
    assert!(text.contains("Signing in is paused"), "{text}");
    assert!(text.contains("Try again at"), "{text}");
    again.screenshot("long-wait-sign-in-after-restart").await;
    again.axe_audit("long-wait-sign-in-after-restart").await;
    again.close().await;
}

/// A registration refused for an hour keeps the form and says until when.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_registration_refused_for_an_hour_shows_until_when() {
    let world = World::new("wait_register").await;
    world
        .server
        .faults()
        .rate_limit_route(HOUR, false, 1, "POST /api/v1/auth/register");
    let app = world.launch().await;
    app.click(Locator::TestId("create-account")).await;
    app.wait_for(Locator::TestId("register-screen"), Duration::from_secs(10))
        .await;
    let url = world.server.base_url();
    app.replace_text(Locator::Css("#server-url"), &url).await;
    app.replace_text(Locator::Css("#reg-email"), "newcomer@example.com")
        .await;
    app.replace_text(Locator::Css("#reg-username"), "newcomer")
        .await;
    app.replace_text(Locator::Css("#reg-password"), PASSWORD)
        .await;
    app.wait_until(
        "Continue is enabled",
        "!document.querySelector('[data-testid=register-screen] button[type=submit]').disabled",
        Duration::from_secs(10),
    )
    .await;
    app.click(Locator::Css(
        "[data-testid=register-screen] button[type=submit]",
    ))
    .await;
    let text = long_wait_text(&app).await;
    assert!(text.contains("Creating accounts is paused"), "{text}");
    assert!(text.contains("Try again at"), "{text}");
    assert_value(&app, "#reg-username", "newcomer").await;
    app.screenshot("long-wait-register").await;
    app.axe_audit("long-wait-register").await;
    app.close().await;
}

/// A send refused for an hour stays pending with the time it goes out and a Cancel; nothing
/// reaches the server, and Cancel removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_send_refused_for_an_hour_waits_visibly_and_can_be_cancelled() {
    let world = World::new("wait_send").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let send_route = format!(
        "POST /api/v1/channels/{}/messages",
        world.guild.general_channel_id
    );
    world
        .server
        .faults()
        .rate_limit_route(HOUR, false, 1, &send_route);
    app.send_message("see you in an hour").await;
    let text = long_wait_text(&app).await;
    assert!(text.contains("Sending is paused"), "{text}");
    assert!(text.contains("Sends at"), "{text}");
    app.screenshot("long-wait-send").await;
    audit_within(&app, "long-wait-send", "[data-testid=pending-message]").await;
    assert!(
        world
            .server
            .channel_message_ids(&world.guild.general_channel_id)
            .is_empty(),
        "nothing was delivered"
    );
    app.click(Locator::Css(
        "[data-testid=pending-message] button.btn.link",
    ))
    .await;
    app.wait_until(
        "the cancelled send is gone",
        "!document.querySelector('[data-testid=pending-message]')",
        Duration::from_secs(10),
    )
    .await;
    app.close().await;
}

/// A second channel clicked at once after sign-in, while the first one still loads, stays
/// open once loading finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_channel_clicked_at_once_after_sign_in_stays_open() {
    let world = World::new("wait_startup").await;
    world
        .server
        .create_channel(&world.guild.id, "second")
        .await
        .expect("channel");
    let app = world.launch().await;
    // Slow answers stretch start-up so the click lands while it still loads.
    world.server.faults().delay_ms(700);
    world
        .submit_login(&app, &world.user.username, PASSWORD)
        .await;
    app.wait_until(
        "#second is listed",
        "[...document.querySelectorAll('[data-testid=channel-item]')].some(e => e.textContent.includes('second'))",
        Duration::from_secs(30),
    )
    .await;
    app.wait_until(
        "#second is clicked",
        "(() => { const e = [...document.querySelectorAll('[data-testid=channel-item]')].find(e => e.textContent.includes('second')); e?.click(); return Boolean(e); })()",
        Duration::from_secs(5),
    )
    .await;
    // Long enough for every start-up request (each 700 ms late) to have answered.
    tokio::time::sleep(Duration::from_secs(6)).await;
    world.server.faults().delay_ms(0);
    app.wait_until(
        "the clicked channel is still the open one",
        "document.querySelector('[data-testid=channel-item][aria-current=page]')?.textContent.includes('second') && document.querySelector('.chat h1')?.textContent.includes('second')",
        Duration::from_secs(2),
    )
    .await;
    app.screenshot("startup-click-stays").await;
    app.close().await;
}
