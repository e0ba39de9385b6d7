//! A devserver started by the test itself (so the test can inject faults), with one signed-up
//! user who owns a server, and helpers to sign that user in through the real login form.

use std::time::Duration;

use plexichat_devserver::{DevServer, DevServerConfig, DevServerHandle, TestServer, TestUser};

use crate::driver::{AppSession, Locator};

/// The password every test user gets.
pub const PASSWORD: &str = "E2e-Password-123!";

/// A devserver with one user and their server.
pub struct World {
    /// The running devserver.
    pub server: DevServerHandle,
    /// The main test user.
    pub user: TestUser,
    /// The user's server, with its #general channel.
    pub guild: TestServer,
}

impl World {
    /// Starts a devserver with fast limits and creates `username` with a server.
    pub async fn new(username: &str) -> Self {
        let server = DevServer::start(DevServerConfig::for_tests())
            .await
            .expect("devserver");
        let user = server.create_user(username, PASSWORD).await.expect("user");
        let guild = server
            .create_server(&user.username, "E2E Server")
            .await
            .expect("server");
        Self {
            server,
            user,
            guild,
        }
    }

    /// Opens the app pointed at this devserver (`--server`), on the login screen.
    pub async fn launch(&self) -> AppSession {
        let url = self.server.base_url();
        let app = AppSession::launch(&["--server", &url]).await;
        app.wait_for(Locator::TestId("login-screen"), Duration::from_secs(20))
            .await;
        app
    }

    /// Fills the login form and presses "Sign in".
    pub async fn submit_login(&self, app: &AppSession, login: &str, password: &str) {
        // `--server` pre-fills the field once the app's info arrives; typing before that
        // would race with it, so wait for the pre-fill and type only if it differs.
        let url = self.server.base_url();
        let url_js = serde_json::to_string(&url).unwrap();
        app.wait_until(
            "the server field shows --server",
            &format!("document.querySelector('#server-url').value === {url_js}"),
            Duration::from_secs(10),
        )
        .await;
        app.replace_text(Locator::Css("#login"), login).await;
        app.replace_text(Locator::Css("#password"), password).await;
        app.click(Locator::TestId("sign-in")).await;
    }

    /// Signs the main user in and waits for the chat with #general open.
    pub async fn sign_in(&self, app: &AppSession) {
        self.submit_login(app, &self.user.username, PASSWORD).await;
        app.wait_for(Locator::TestId("channel-item"), Duration::from_secs(30))
            .await;
        app.wait_for(Locator::TestId("composer"), Duration::from_secs(30))
            .await;
    }
}
