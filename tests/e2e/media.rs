//! Uploads and avatars in the real window (issues 16 and 17): a file's progress bar with
//! Cancel, an image pasted into the composer posted once, and an avatar cropped and scaled in
//! Settings before it is uploaded, then shown. Each screen passes axe-core.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::World;

const LONG: Duration = Duration::from_secs(30);

/// Drops a generated file of `size` bytes on the composer (WebDriver cannot drive the native
/// file dialog).
async fn drop_file(app: &AppSession, name: &str, size: usize) {
    let script = format!(
        r#"(() => {{ const target = document.querySelector('[aria-label="Message composer"]'); if (!target) return false; setTimeout(() => {{ const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array({size}).fill(97)], "{name}", {{ type: "text/plain" }})); target.dispatchEvent(new DragEvent("drop", {{ dataTransfer: dt, bubbles: true, cancelable: true }})); }}, 0); return true; }})()"#
    );
    app.wait_until("a file is dropped on the composer", &script, LONG)
        .await;
}

/// An 8×8 PNG drawn in the page, handed to `target` as a paste or a drop.
fn png_event_script(target: &str, kind: &str, name: &str) -> String {
    format!(
        r##"(() => {{ const t = document.querySelector({target}); if (!t) return false; const c = document.createElement("canvas"); c.width = c.height = 64; const g = c.getContext("2d"); g.fillStyle = "#e94560"; g.fillRect(0, 0, 64, 64); g.fillStyle = "#fff"; g.fillRect(16, 16, 32, 32); c.toBlob((b) => {{ const dt = new DataTransfer(); dt.items.add(new File([b], "{name}", {{ type: "image/png" }})); const e = new Event("{kind}", {{ bubbles: true, cancelable: true }}); Object.defineProperty(e, "{prop}", {{ value: dt }}); t.dispatchEvent(e); }}, "image/png"); return true; }})()"##,
        target = serde_json::to_string(target).unwrap(),
        prop = if kind == "paste" {
            "clipboardData"
        } else {
            "dataTransfer"
        },
    )
}

/// A slow upload shows a progress bar with Cancel; cancelling posts nothing; an image pasted
/// from the clipboard then goes up and is posted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn an_upload_shows_progress_can_be_cancelled_and_a_pasted_image_is_posted_once() {
    let world = World::new("upload_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;

    world.server.faults().delay_ms(4_000);
    drop_file(&app, "slow-notes.txt", 1_500_000).await;
    app.wait_for(Locator::TestId("upload-progress"), LONG).await;
    app.screenshot("upload-progress").await;
    app.axe_audit("upload-progress").await;
    app.wait_until(
        "Cancel stops the upload",
        r#"(() => { const b = document.querySelector('button[aria-label^="Cancel the upload"]'); if (b) b.click(); return Boolean(b); })()"#,
        LONG,
    )
    .await;
    app.wait_until(
        "the cancelled row leaves",
        r#"document.querySelectorAll('[data-testid="pending-message"]').length === 0"#,
        LONG,
    )
    .await;
    world.server.faults().delay_ms(0);

    app.wait_until(
        "an image is pasted into the composer",
        &png_event_script(r#"[data-testid="composer"]"#, "paste", "image.png"),
        LONG,
    )
    .await;
    app.wait_for_text(Locator::TestId("message-list"), "pasted-", LONG)
        .await;
    // The preview's box is there from the first paint (no jump when the picture arrives).
    app.wait_for(Locator::TestId("image-preview"), LONG).await;
    app.wait_until(
        "no pending row is left",
        r#"document.querySelectorAll('[data-testid="pending-message"], [data-testid="upload"]').length === 0"#,
        LONG,
    )
    .await;
    app.screenshot("upload-pasted-image").await;
    let ids = world
        .server
        .channel_message_ids(&world.guild.general_channel_id);
    assert_eq!(ids.len(), 1, "the cancelled file was never posted: {ids:?}");
    app.close().await;
}

/// An image is cropped and scaled in Settings, uploaded, and shown as the user's avatar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn an_avatar_is_cropped_here_then_uploaded_and_shown() {
    let world = World::new("avatar_probe").await;
    let app = world.launch().await;
    world.sign_in(&app).await;
    app.click(Locator::Css("button[aria-label='Settings']"))
        .await;
    app.wait_for(Locator::TestId("avatar-editor"), LONG).await;
    app.wait_until(
        "an image is dropped on the avatar section",
        &png_event_script(r#"[data-testid="avatar-editor"]"#, "drop", "me.png"),
        LONG,
    )
    .await;
    app.wait_for(Locator::TestId("avatar-crop"), LONG).await;
    app.execute(
        r#"const z = document.querySelector('[data-testid="avatar-zoom"]'); z.value = "1.6"; z.dispatchEvent(new Event("input", { bubbles: true })); return true;"#,
    )
    .await;
    app.execute(r#"document.querySelector('[data-testid="avatar-crop"]').scrollIntoView({ block: "center" }); return true;"#)
        .await;
    app.screenshot("avatar-crop").await;
    app.axe_audit("avatar-crop").await;
    app.click(Locator::TestId("avatar-save")).await;
    app.wait_for_text(Locator::TestId("avatar-editor"), "Avatar saved", LONG)
        .await;
    app.wait_for(
        Locator::Css("[data-testid='avatar-editor'] .avatar[data-has-image] img"),
        LONG,
    )
    .await;
    app.screenshot("avatar-saved").await;
    // The server has the cropped 256×256 PNG, not the file that was picked.
    let url = format!(
        "{}/api/v1/avatars/users/{}",
        world.server.base_url(),
        world.user.id
    );
    let resp = reqwest::get(&url).await.expect("avatar");
    assert_eq!(resp.headers()["content-type"], "image/png");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[16..24], &[0, 0, 1, 0, 0, 0, 1, 0], "256×256");
    app.close().await;
}
