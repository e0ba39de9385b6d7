//! End-to-end tests: the real app binary in a real window, driven through `tauri-driver` and
//! WebKitWebDriver, against the embedded devserver (demo mode) or a devserver started here
//! with fault injection.
//!
//! They need a display and `tauri-driver` on PATH, so they are `#[ignore]`d in a plain
//! `cargo test`; `scripts/test.sh` runs them under Xvfb with `-- --ignored`. Each test saves
//! screenshots of the states it reaches under `target/screenshots/`.

mod account;
mod driver;
mod waits;
mod world;

mod communities;
mod embeds;
mod find;
mod later;
mod media;
mod mentions;
mod rich;
mod roles;
mod unread;

use std::time::Duration;

use driver::{AppSession, Locator};
use world::{World, PASSWORD};

/// The login screen is the first thing a new user sees, with every control the brief names.
#[tokio::test]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn login_screen_then_demo_shows_the_channel_list() {
    let app = AppSession::launch(&[]).await;

    let login = app
        .wait_for(Locator::TestId("login-screen"), Duration::from_secs(20))
        .await;
    let text = login.text().await.unwrap_or_default();
    for expected in ["Sign in", "Create account", "Try the demo"] {
        assert!(
            text.contains(expected),
            "login screen lacks {expected:?}: {text}"
        );
    }
    for field in ["#server-url", "#login", "#password"] {
        app.wait_for(Locator::Css(field), Duration::from_secs(5))
            .await;
    }
    app.screenshot("login-screen").await;
    app.axe_audit("login-screen").await;

    app.click(Locator::TestId("try-demo")).await;
    app.wait_for(Locator::TestId("channel-list"), Duration::from_secs(30))
        .await;
    app.wait_for(Locator::TestId("channel-item"), Duration::from_secs(30))
        .await;
    let names = app.text_of(Locator::TestId("channel-list")).await;
    assert!(
        names.contains("general"),
        "demo channel list lacks #general: {names}"
    );
    // The demo seed has history in #general: it must paint, not stay blank.
    app.wait_for(Locator::TestId("message"), Duration::from_secs(30))
        .await;
    app.screenshot("demo-channel-list").await;

    app.close().await;
}

/// Demo sign-in, then a message typed and sent with Enter appears in the channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn demo_sign_in_and_send() {
    let app = AppSession::launch(&[]).await;
    app.click(Locator::TestId("try-demo")).await;
    app.wait_for(Locator::TestId("message"), Duration::from_secs(30))
        .await;
    app.send_and_see("hello from the end-to-end test").await;
    app.screenshot("demo-message-sent").await;
    app.close().await;
}

/// Message text is shown as typed, never interpreted as HTML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn message_text_is_never_html() {
    let world = World::new("xss_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let payload = "<img src=x onerror=alert(1)> <b>bold?</b>";
    app.send_message(payload).await;
    app.wait_for_text(
        Locator::TestId("message-content"),
        payload,
        Duration::from_secs(20),
    )
    .await;
    app.wait_until(
        "no element was created from message text",
        r#"document.querySelectorAll('[data-testid="message-list"] img[src="x"], [data-testid="message-content"] b').length === 0"#,
        Duration::from_secs(2),
    )
    .await;
    app.screenshot("xss-as-text").await;
    app.close().await;
}

/// A wrong password is a field error; a locked account shows a lockout notice with a countdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn wrong_password_then_lockout_countdown() {
    let world = World::new("lockout_probe").await;
    let app = world.launch().await;
    world
        .submit_login(&app, &world.user.username, "not-the-password-1A!")
        .await;
    app.wait_for(
        Locator::TestId("state-invalid_credentials"),
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("invalid-credentials").await;

    assert!(world.server.faults().lock_account(&world.user.username));
    world
        .submit_login(&app, &world.user.username, PASSWORD)
        .await;
    app.wait_for(
        Locator::TestId("state-account_locked"),
        Duration::from_secs(20),
    )
    .await;
    // The countdown shows minutes and seconds left (about 15 minutes).
    app.wait_until(
        "the lockout notice counts down",
        r#"/1[45]:\d\d|1[45] min/.test(document.querySelector('[data-testid="state-account_locked"]').textContent)"#,
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("account-locked").await;
    app.close().await;
}

/// A 2FA account asks for a code after the password, and the right code signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn two_factor_sign_in() {
    let world = World::new("totp_probe").await;
    world
        .server
        .enable_totp(&world.user.username)
        .await
        .unwrap();
    let app = world.launch().await;
    world
        .submit_login(&app, &world.user.username, PASSWORD)
        .await;
    app.wait_for(
        Locator::TestId("state-two_factor_required"),
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("two-factor-required").await;

    app.replace_text(Locator::Css("#tfa-code"), "000000").await;
    app.click(Locator::Css(
        "[data-testid=\"state-two_factor_required\"] button[type=\"submit\"]",
    ))
    .await;
    app.wait_for(
        Locator::TestId("state-two_factor_invalid"),
        Duration::from_secs(20),
    )
    .await;

    let code = world
        .server
        .totp_code(&world.user.username)
        .expect("totp code");
    app.replace_text(Locator::Css("#tfa-code"), &code).await;
    app.click(Locator::Css(
        "[data-testid=\"state-two_factor_required\"] button[type=\"submit\"]",
    ))
    .await;
    app.wait_for(Locator::TestId("channel-item"), Duration::from_secs(30))
        .await;
    app.screenshot("two-factor-signed-in").await;
    app.close().await;
}

/// A rate-limited send counts down next to the message, keeps it, and delivers it by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn rate_limited_send_counts_down_then_delivers() {
    let world = World::new("ratelimit_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let send_route = format!(
        "POST /api/v1/channels/{}/messages",
        world.guild.general_channel_id
    );
    world
        .server
        .faults()
        .rate_limit_route(4.0, false, 1, &send_route);
    app.send_message("patience is a virtue").await;
    app.wait_for_text(Locator::Css("body"), "Sending in", Duration::from_secs(10))
        .await;
    app.screenshot("rate-limited-countdown").await;
    app.wait_for_text(
        Locator::TestId("message-content"),
        "patience is a virtue",
        Duration::from_secs(20),
    )
    .await;
    let ids = world
        .server
        .channel_message_ids(&world.guild.general_channel_id);
    assert_eq!(ids.len(), 1, "delivered exactly once: {ids:?}");
    app.close().await;
}

/// A 426 in the middle of a session opens the blocking update dialog with all three versions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn update_required_mid_session() {
    let world = World::new("update_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    world.server.faults().min_version("a.1.0-60");
    app.send_message("this needs a newer client").await;
    app.wait_for(
        Locator::TestId("state-update_required"),
        Duration::from_secs(20),
    )
    .await;
    let text = app.text_of(Locator::TestId("state-update_required")).await;
    for v in ["a.1.0-49", "a.1.0-60"] {
        assert!(text.contains(v), "update dialog lacks {v}: {text}");
    }
    app.screenshot("update-required").await;
    app.close().await;
}

/// Losing the server shows the reconnecting banner; it clears once the server is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn reconnect_banner_appears_and_clears() {
    let world = World::new("reconnect_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    // Wait until the gateway is up, so the drop below hits a live socket.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while world.server.gateway_connections() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the app never opened a gateway connection"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    world.server.stop_listening().await;
    world.server.faults().drop_gateway();
    app.wait_until(
        "a reconnecting or offline banner",
        r#"document.querySelector('[data-testid="state-reconnecting"], [data-testid="state-offline"]') !== null"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("reconnecting").await;
    world.server.resume_listening().await.unwrap();
    app.wait_until(
        "the banner clears after the server returns",
        r#"document.querySelector('[data-testid="state-reconnecting"], [data-testid="state-offline"], [data-testid="state-connecting"]') === null"#,
        Duration::from_secs(60),
    )
    .await;
    app.screenshot("back-online").await;
    app.close().await;
}

/// Messaging someone who blocked you shows "You can't message this user" and keeps the draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn cannot_message_a_user_who_blocked_you() {
    let world = World::new("blocked_probe").await;
    let blocker = world
        .server
        .create_user("the_blocker", PASSWORD)
        .await
        .unwrap();
    world
        .server
        .open_dm(&world.user.username, &blocker.username)
        .await
        .unwrap();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/relationships/block",
            world.server.base_url()
        ))
        .bearer_auth(&blocker.token)
        .json(&serde_json::json!({ "user_id": world.user.id }))
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "block failed: {}",
        resp.status()
    );

    let app = world.launch().await;
    world.sign_in(&app).await;
    app.click(Locator::Css(
        "[data-testid=\"server-rail\"] button:first-child",
    ))
    .await;
    app.wait_for_text(
        Locator::TestId("channel-list"),
        "the_blocker",
        Duration::from_secs(20),
    )
    .await;
    app.wait_until(
        "the DM is opened",
        r#"(() => { const i = [...document.querySelectorAll('[data-testid="channel-item"]')].find(e => e.textContent.includes('the_blocker')); if (i) { i.click(); return true; } return false; })()"#,
        Duration::from_secs(10),
    )
    .await;
    app.send_message("are you there?").await;
    app.wait_for(Locator::TestId("composer-notice"), Duration::from_secs(20))
        .await;
    app.wait_for_text(
        Locator::TestId("composer-notice"),
        "can't message",
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("cannot-message-user").await;
    app.close().await;
}

/// Sends go through the persisted outbox: a message the server refuses stays visible in red
/// with Retry and Delete; one sent while the server is away waits, then arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn unsent_messages_fail_visibly_or_wait_and_arrive_once() {
    let world = World::new("outbox_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;

    send_refused(&app).await;
    app.screenshot("unsent-failed").await;
    app.wait_until(
        "Delete removes the failed message",
        r#"(() => { const row = [...document.querySelectorAll('[data-testid="pending-message"]')].find(e => e.textContent.includes('a -- b')); const del = row && [...row.querySelectorAll('button')].find(b => b.textContent.trim() === 'Delete'); if (del) del.click(); return !row; })()"#,
        Duration::from_secs(10),
    )
    .await;

    // The server goes away; the message waits as pending and is delivered when it returns.
    world.server.stop_listening().await;
    app.send_message("written while offline").await;
    app.wait_for_text(
        Locator::TestId("pending-message"),
        "written while offline",
        Duration::from_secs(10),
    )
    .await;
    app.screenshot("unsent-pending-offline").await;
    world.server.resume_listening().await.unwrap();
    app.wait_for_text(
        Locator::TestId("message-content"),
        "written while offline",
        Duration::from_secs(60),
    )
    .await;
    app.wait_until(
        "no pending message is left",
        r#"document.querySelectorAll('[data-testid="pending-message"]').length === 0"#,
        Duration::from_secs(20),
    )
    .await;
    let ids = world
        .server
        .channel_message_ids(&world.guild.general_channel_id);
    assert_eq!(
        ids.len(),
        1,
        "delivered exactly once, and the refused one never: {ids:?}"
    );
    app.close().await;
}

/// A signed-in user who quits and starts the app again lands back in the chat: the token was
/// kept in the OS keyring and the last server remembered. Needs an unlocked keyring, which
/// `scripts/test.sh` provides (`PLEXICHAT_KEYRING_TESTS=1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn the_session_survives_a_restart() {
    if std::env::var_os("PLEXICHAT_KEYRING_TESTS").is_none() {
        eprintln!("skipped: no unlocked keyring (run through scripts/test.sh)");
        return;
    }
    let world = World::new("restart_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    let dirs = app.dirs();
    app.close().await;

    // No --server this time: the app must remember where it was signed in.
    let again = AppSession::launch_in(dirs, &[]).await;
    again
        .wait_for(Locator::TestId("channel-item"), Duration::from_secs(30))
        .await;
    again
        .wait_for_text(
            Locator::Css("body"),
            "restart_probe",
            Duration::from_secs(10),
        )
        .await;
    again.screenshot("session-restored").await;
    again.close().await;
}

/// Quitting loses nothing: after a restart the open channel paints its cached messages before
/// the server answers, a message the server refused is still there in red with Retry, and the
/// half-written draft is back in the composer. Needs the keyring for the session restore.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_restart_brings_back_cached_messages_failed_sends_and_drafts() {
    if std::env::var_os("PLEXICHAT_KEYRING_TESTS").is_none() {
        eprintln!("skipped: no unlocked keyring (run through scripts/test.sh)");
        return;
    }
    let world = World::new("cache_probe").await;
    let general = world.guild.general_channel_id.clone();
    let app = world.launch().await;
    world.sign_in(&app).await;
    app.send_and_see("remembered across restarts").await;
    send_refused(&app).await;
    app.type_into(Locator::TestId("composer"), "half-written thought")
        .await;
    // Drafts are written once typing pauses for 300 ms; nothing in the page shows that.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let dirs = app.dirs();
    app.close().await;

    // While the app is closed someone posts; on the next start, history answers only after
    // 20 s. So until then, what #general shows can only come from the cache.
    world
        .server
        .post_message(&world.user.id, &general, "posted while you were away")
        .await
        .expect("post");
    world.server.faults().rate_limit_route(
        20.0,
        false,
        1,
        &format!("GET /api/v1/channels/{general}/messages"),
    );
    let again = AppSession::launch_in(dirs, &[]).await;
    again
        .wait_for_text(
            Locator::TestId("message-list"),
            "remembered across restarts",
            Duration::from_secs(15),
        )
        .await;
    assert!(
        !again
            .page_text()
            .await
            .contains("posted while you were away"),
        "the first paint came from the cache, before the held history answer"
    );
    again
        .wait_until(
            "the failed send is still there with Retry",
            FAILED_A_B_WITH_RETRY,
            Duration::from_secs(10),
        )
        .await;
    again
        .wait_until(
            "the draft is back in the composer",
            r#"document.querySelector('[data-testid="composer"]').value === 'half-written thought'"#,
            Duration::from_secs(10),
        )
        .await;
    again.screenshot("restart-from-cache").await;
    assert!(
        world.server.request_count("GET", "/channels/{id}/messages") >= 1,
        "the channel asked the server for fresh history"
    );
    // The held answer arrives and the channel catches up with what it missed.
    again
        .wait_for_text(
            Locator::TestId("message-list"),
            "posted while you were away",
            Duration::from_secs(60),
        )
        .await;
    again.close().await;
}

/// A pending row for the refused "a -- b", in red, with Retry and Delete.
const FAILED_A_B_WITH_RETRY: &str = r#"[...document.querySelectorAll('[data-testid="pending-message"][data-status="failed"]')].some(e => e.textContent.includes('a -- b') && e.textContent.includes('Retry') && e.textContent.includes('Delete'))"#;

/// Sends "a -- b", which the server's content filter refuses (PROTOCOL.md §6), and waits
/// until it shows as failed.
async fn send_refused(app: &AppSession) {
    app.send_message("a -- b").await;
    app.wait_until(
        "the refused message is marked failed",
        FAILED_A_B_WITH_RETRY,
        Duration::from_secs(20),
    )
    .await;
}

/// A file given to the composer is read by the page, queued in the core's outbox with its
/// bytes, uploaded and posted: it shows as a message with the file, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_picked_file_is_posted_as_a_message_once() {
    let world = World::new("file_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    // A file dropped from the page (WebDriver can drive neither the native file dialog nor a
    // file input whose files a script set: WebKit's driver then stops answering).
    app.wait_until(
        "a file is dropped on the composer",
        r#"(() => { const target = document.querySelector('[aria-label="Message composer"]'); if (!target) return false; setTimeout(() => { const dt = new DataTransfer(); dt.items.add(new File(["written by the e2e test"], "e2e-notes.txt", { type: "text/plain" })); target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true })); }, 0); return true; })()"#,
        Duration::from_secs(10),
    )
    .await;
    app.wait_for_text(
        Locator::TestId("message-list"),
        "e2e-notes.txt",
        Duration::from_secs(30),
    )
    .await;
    app.wait_until(
        "no pending or preparing row is left",
        r#"document.querySelectorAll('[data-testid="pending-message"], [data-testid="upload"]').length === 0"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("file-sent").await;
    let ids = world
        .server
        .channel_message_ids(&world.guild.general_channel_id);
    assert_eq!(ids.len(), 1, "posted exactly once: {ids:?}");
    app.close().await;
}

/// Edits, reactions and deletes go through the core's outbox like sends: each reaches the
/// server and comes back as what the window shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn an_edit_a_reaction_and_a_delete_reach_the_server() {
    let world = World::new("change_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    app.send_and_see("first take").await;

    app.wait_until(
        "Edit is chosen on the message",
        &click_in_message("first take", r#"button[aria-label="Edit"]"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the composer holds the message's text",
        r#"document.querySelector('[data-testid="composer"]').value === 'first take'"#,
        Duration::from_secs(10),
    )
    .await;
    app.replace_text(Locator::TestId("composer"), "second take")
        .await;
    app.type_into(Locator::TestId("composer"), "\u{E007}").await;
    app.wait_until(
        "the edit is shown, marked edited",
        r#"[...document.querySelectorAll('[data-testid="message-content"]')].some(e => e.textContent.includes('second take') && e.textContent.includes('(edited)'))"#,
        Duration::from_secs(20),
    )
    .await;

    app.wait_until(
        "the reaction picker opens",
        &click_in_message("second take", r#"button[aria-label="Add reaction"]"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "👍 is picked",
        &click_in_message("second take", r#"[aria-label="Pick a reaction"] button"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the reaction shows with our count",
        r#"[...document.querySelectorAll('button.reaction')].some(b => b.getAttribute('aria-label').startsWith('👍 1'))"#,
        Duration::from_secs(20),
    )
    .await;
    app.screenshot("edited-and-reacted").await;

    app.wait_until(
        "Delete is chosen",
        &click_in_message("second take", r#"button[aria-label="Delete"]"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the deletion is confirmed",
        &click_in_message("second take", r#"[role="alertdialog"] button.danger"#),
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the message leaves the window",
        r#"![...document.querySelectorAll('[data-testid="message-content"]')].some(e => e.textContent.includes('second take'))"#,
        Duration::from_secs(20),
    )
    .await;
    let ids = world
        .server
        .channel_message_ids(&world.guild.general_channel_id);
    assert!(ids.is_empty(), "deleted on the server too: {ids:?}");
    app.close().await;
}

/// A script that clicks `selector` inside the message row showing `text`; true once clicked.
fn click_in_message(text: &str, selector: &str) -> String {
    let text = serde_json::to_string(text).unwrap();
    let selector = serde_json::to_string(selector).unwrap();
    format!(
        r#"(() => {{ const row = [...document.querySelectorAll('[data-testid="message"]')].find(e => e.textContent.includes({text})); const b = row && row.querySelector({selector}); if (b) b.click(); return Boolean(b); }})()"#
    )
}
