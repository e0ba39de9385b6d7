//! Roles and the audit log in the real window: an owner creates a role, grants it a
//! permission by name, gives it to a member, and reads the audit log of it all.

use std::time::Duration;

use crate::driver::{AppSession, Locator};
use crate::world::{World, PASSWORD};

/// Scrolls the element `css` into view and clicks it (checkboxes deep in the scrolled dialog).
async fn click_in_dialog(app: &AppSession, css: &str) {
    let clicked = app
        .execute(&format!(
            r#"const e = document.querySelector({css:?}); if (e) {{ e.scrollIntoView({{block: "center"}}); e.click(); }} return !!e;"#
        ))
        .await;
    assert_eq!(clicked, serde_json::Value::Bool(true), "nothing at {css}");
}

/// Clicks the server-settings tab named `name`.
async fn open_tab(app: &AppSession, name: &str) {
    let clicked = app
        .execute(&format!(
            r#"const t = [...document.querySelectorAll('[data-testid="server-settings"] [role="tab"]')].find(b => b.textContent.trim() === {name:?}); if (t) t.click(); return !!t;"#
        ))
        .await;
    assert_eq!(clicked, serde_json::Value::Bool(true), "no {name} tab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn an_owner_makes_a_role_grants_it_and_reads_the_audit_log() {
    let world = World::new("role_owner").await;
    let member = world
        .server
        .create_user("role_member", PASSWORD)
        .await
        .expect("member");
    world
        .server
        .add_member(&world.guild.id, &member.username)
        .await
        .expect("added");
    let app = world.launch().await;
    world.sign_in(&app).await;

    app.click(Locator::TestId("server-settings-open")).await;
    app.wait_for(Locator::TestId("server-settings"), Duration::from_secs(10))
        .await;
    open_tab(&app, "Roles").await;
    app.wait_for(Locator::TestId("role-row"), Duration::from_secs(15))
        .await;
    app.type_into(Locator::TestId("new-role-name"), "helpers")
        .await;
    app.click(Locator::TestId("create-role")).await;
    app.wait_for(Locator::TestId("role-editor"), Duration::from_secs(10))
        .await;
    click_in_dialog(
        &app,
        "[data-testid='role-editor'] input[data-key='members.kick']",
    )
    .await;
    click_in_dialog(&app, "[data-testid='role-save']").await;
    app.wait_for_text(
        Locator::TestId("roles-notice"),
        "Role helpers saved",
        Duration::from_secs(10),
    )
    .await;
    click_in_dialog(&app, "[aria-label='role_member has helpers']").await;
    app.wait_for_text(
        Locator::TestId("roles-notice"),
        "role_member now has helpers",
        Duration::from_secs(10),
    )
    .await;
    app.wait_until(
        "the assignment shows at once",
        r#"document.querySelector("[aria-label='role_member has helpers']").checked"#,
        Duration::from_secs(5),
    )
    .await;
    app.screenshot("roles-members").await;
    app.axe_audit("roles-members").await;
    app.execute(r#"document.querySelector('[data-testid="roles-panel"]').scrollIntoView({block: "start"}); return true;"#)
        .await;
    app.screenshot("roles-editor").await;

    open_tab(&app, "Audit log").await;
    app.wait_for_text(
        Locator::TestId("audit-log"),
        "gave a role to role_member",
        Duration::from_secs(15),
    )
    .await;
    let text = app.text_of(Locator::TestId("audit-log")).await;
    assert!(text.contains("created role helpers"), "{text}");
    app.screenshot("roles-audit-log").await;
    app.axe_audit("roles-audit-log").await;
    app.close().await;
}
