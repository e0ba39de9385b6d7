//! Account and security settings in the real window: 2FA turned on from Settings (QR code,
//! backup codes saved to a file) and then used to sign in on the devserver; sessions ended
//! from Settings.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::{World, PASSWORD};

const LONG: Duration = Duration::from_secs(20);

async fn open_settings_tab(app: &AppSession, tab: &str) {
    app.click(Locator::Css("button[aria-label='Settings']"))
        .await;
    app.wait_for(Locator::TestId("settings"), LONG).await;
    app.click(Locator::TestId(&format!("settings-tab-{tab}")))
        .await;
}

/// The whole 2FA story: turn it on in Settings, keep the backup codes, then sign in from a
/// fresh window with a code from the authenticator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn two_factor_turned_on_in_settings_then_used_to_sign_in() {
    let world = World::new("tfa_e2e").await;
    let name = world.user.username.clone();
    let app = world.launch().await;
    world.sign_in(&app).await;

    open_settings_tab(&app, "security").await;
    app.click(Locator::TestId("tfa-enable")).await;
    app.replace_text(Locator::Css("#tfa-password"), "Not-The-Password-1!")
        .await;
    app.click(Locator::TestId("tfa-continue")).await;
    app.wait_for_text(Locator::TestId("tfa-error"), "password is not right", LONG)
        .await;
    app.replace_text(Locator::Css("#tfa-password"), PASSWORD)
        .await;
    app.click(Locator::TestId("tfa-continue")).await;
    app.wait_for(Locator::TestId("tfa-qr"), LONG).await;
    app.wait_for_text(
        Locator::TestId("tfa-warning"),
        "Keep this window signed in",
        LONG,
    )
    .await;
    let shown_secret = app.text_of(Locator::TestId("tfa-secret")).await;
    assert_eq!(shown_secret.replace(' ', "").len(), 32, "{shown_secret}");
    app.screenshot("account-2fa-qr").await;

    // A wrong code is a field error and the setup stays open.
    app.replace_text(Locator::TestId("tfa-setup-code"), "000000")
        .await;
    app.click(Locator::TestId("tfa-verify")).await;
    app.wait_for_text(Locator::TestId("tfa-error"), "did not match", LONG)
        .await;
    let code = world.server.totp_code(&name).expect("code");
    app.replace_text(Locator::TestId("tfa-setup-code"), &code)
        .await;
    app.click(Locator::TestId("tfa-verify")).await;
    app.wait_for(Locator::TestId("tfa-backup-codes"), LONG)
        .await;
    let codes = app.text_of(Locator::TestId("tfa-backup-codes")).await;
    app.screenshot("account-2fa-backup-codes").await;

    app.click(Locator::TestId("tfa-save-codes")).await;
    app.wait_for_text(
        Locator::Css("[data-testid='two-factor'] [role='status']"),
        "Saved to",
        LONG,
    )
    .await;
    let note = app
        .text_of(Locator::Css("[data-testid='two-factor'] [role='status']"))
        .await;
    let path = note
        .trim()
        .trim_start_matches("Saved to ")
        .trim()
        .to_owned();
    let saved = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let _ = std::fs::remove_file(&path);
    // textContent runs the list items together: the first code is the first 9 characters.
    let first_code: String = codes.trim().chars().take(9).collect();
    assert_eq!(first_code.len(), 9, "{codes}");
    assert!(saved.contains(&first_code), "{saved}");

    app.click(Locator::Css(
        "[data-testid='two-factor'] input[type='checkbox']",
    ))
    .await;
    app.click(Locator::TestId("tfa-done")).await;
    app.wait_for_text(Locator::TestId("tfa-status"), "On", LONG)
        .await;

    // Signed out (the saved session would otherwise be restored), the sign-in now asks for
    // the code, and it works.
    app.click(Locator::Css("[data-testid='settings'] footer .btn.danger"))
        .await;
    app.wait_for(Locator::TestId("login-screen"), LONG).await;
    world.submit_login(&app, &name, PASSWORD).await;
    app.wait_for(Locator::TestId("state-two_factor_required"), LONG)
        .await;
    // A fresh code: the one used to confirm may be the same 30 s window, which is fine here.
    let code = world.server.totp_code(&name).expect("code");
    app.replace_text(Locator::Css("#tfa-code"), &code).await;
    app.click(Locator::Css(
        "[data-testid='state-two_factor_required'] button[type='submit']",
    ))
    .await;
    app.wait_for(Locator::TestId("channel-item"), Duration::from_secs(30))
        .await;
    app.close().await;
}

/// Sessions: "Sign out everywhere else" ends the others; ending this window's own session
/// signs it out to the login screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn sessions_are_ended_from_settings() {
    let world = World::new("sessions_e2e").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    // `World::new` already holds one session for the user; this window made another.
    open_settings_tab(&app, "sessions").await;
    app.wait_until(
        "two sessions are listed",
        "document.querySelectorAll('[data-testid=session]').length === 2",
        LONG,
    )
    .await;
    app.screenshot("account-sessions").await;

    app.click(Locator::TestId("revoke-others")).await;
    app.wait_for_text(
        Locator::Css("[data-testid='sessions-panel'] [role='status']"),
        "Signed out 1 other session",
        LONG,
    )
    .await;
    app.wait_until(
        "one session is left",
        "document.querySelectorAll('[data-testid=session]').length === 1",
        LONG,
    )
    .await;

    app.click(Locator::TestId("end-session")).await;
    app.click(Locator::TestId("confirm-end-current")).await;
    app.wait_for(Locator::TestId("login-screen"), LONG).await;
    app.close().await;
}

/// A click on a member opens their profile popout with the bio the server has, as text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_profile_popout_opens_from_the_member_list() {
    let world = World::new("popout_e2e").await;
    let bio = "Keeps the <b>build</b> green. Tea over coffee.";
    let patched = reqwest::Client::new()
        .patch(format!(
            "{}/api/v1/features/users/@me/profile",
            world.server.base_url()
        ))
        .bearer_auth(&world.user.token)
        .json(&serde_json::json!({"bio": bio, "pronouns": "they/them", "location": "Lisbon", "timezone": "Europe/Lisbon"}))
        .send()
        .await
        .expect("profile patched");
    assert!(patched.status().is_success());
    let app = world.launch().await;
    world.sign_in(&app).await;

    app.click(Locator::TestId("member")).await;
    app.wait_for(Locator::TestId("profile-popout"), LONG).await;
    app.wait_for_text(Locator::TestId("profile-bio"), bio, LONG)
        .await;
    let text = app.text_of(Locator::TestId("profile-popout")).await;
    assert!(
        text.contains("they/them") && text.contains("Lisbon"),
        "{text}"
    );
    app.screenshot("account-profile-popout").await;
    app.close().await;
}
