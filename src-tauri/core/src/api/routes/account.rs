//! Version negotiation, startup probes, sign-in and the user's own account (PROTOCOL.md §4–§5).

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::api::types::{
    Ack, AuthResponse, Capabilities, NegotiateResponse, PasswordRequirements, Presence, SessionInfo,
};
use crate::api::{Api, Request};
use crate::error::{Action, ClientError};
use crate::model::User;
use crate::session::Secret;

impl Api {
    /// `POST /version/negotiate` with this client's version.
    ///
    /// # Errors
    /// `update_required` (426) or `invalid_version_format` (400), among others.
    pub async fn negotiate(&self) -> Result<NegotiateResponse, ClientError> {
        let body = json!({ "client_version": self.config().client_version });
        self.call(
            Request::new(Method::POST, "/version/negotiate")
                .json(body)
                .action(Action::Negotiate)
                .idempotent(),
        )
        .await
    }

    /// `GET /capabilities`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn capabilities(&self) -> Result<Capabilities, ClientError> {
        self.call(Request::new(Method::GET, "/capabilities")).await
    }

    /// `GET /auth/password-requirements`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn password_requirements(&self) -> Result<PasswordRequirements, ClientError> {
        self.call(Request::new(Method::GET, "/auth/password-requirements"))
            .await
    }

    /// `POST /auth/register`.
    ///
    /// # Errors
    /// `conflict`, `invalid_input` (weak password), `rate_limited` (waited out), …
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &Secret,
    ) -> Result<AuthResponse, ClientError> {
        let body = json!({ "username": username, "email": email, "password": password.expose() });
        self.call(
            Request::new(Method::POST, "/auth/register")
                .json(body)
                .action(Action::Register),
        )
        .await
    }

    /// `POST /auth/login` with a user name or an e-mail.
    ///
    /// # Errors
    /// `invalid_credentials`, `account_locked`, …
    pub async fn login(
        &self,
        login: &str,
        password: &Secret,
        failed_logins: u32,
    ) -> Result<AuthResponse, ClientError> {
        let body = json!({ "username": login, "password": password.expose() });
        self.call(
            Request::new(Method::POST, "/auth/login")
                .json(body)
                .action(Action::Login)
                .failed_logins(failed_logins),
        )
        .await
    }

    /// `POST /auth/2fa` with the challenge and a normalised code.
    ///
    /// # Errors
    /// `two_factor_invalid`, `two_factor_expired`, …
    pub async fn two_factor(
        &self,
        challenge: &Secret,
        code: &Secret,
    ) -> Result<AuthResponse, ClientError> {
        let body = json!({ "challenge_token": challenge.expose(), "code": code.expose() });
        self.call(
            Request::new(Method::POST, "/auth/2fa")
                .json(body)
                .action(Action::TwoFactor),
        )
        .await
    }

    /// `POST /auth/logout` (ends this session on the server).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn logout(&self) -> Result<Ack, ClientError> {
        self.call(Request::new(Method::POST, "/auth/logout").idempotent())
            .await
    }

    /// `GET /auth/sessions`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        self.call(Request::new(Method::GET, "/auth/sessions")).await
    }

    /// `DELETE /auth/sessions/{id}`.
    ///
    /// # Errors
    /// `not_found` (session), …
    pub async fn revoke_session(&self, id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::DELETE,
            format!("/auth/sessions/{}", seg(id)),
        ))
        .await
    }

    /// `GET /users/@me`.
    ///
    /// # Errors
    /// `login_required` when the token is no longer valid, …
    pub async fn me(&self) -> Result<User, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me")).await
    }

    /// `GET /users/{id}`.
    ///
    /// # Errors
    /// `not_found` (user), …
    pub async fn user(&self, id: &str) -> Result<User, ClientError> {
        self.call(Request::new(Method::GET, format!("/users/{}", seg(id))))
            .await
    }

    /// `GET /users/search?username=` (exact user name only).
    ///
    /// # Errors
    /// `not_found` (user), …
    pub async fn search_user(&self, username: &str) -> Result<User, ClientError> {
        self.call(Request::new(Method::GET, "/users/search").query("username", username))
            .await
    }

    /// `PATCH /users/@me` with a new user name (the API has no separate display name).
    ///
    /// # Errors
    /// `invalid_input` (username), `conflict` (username already taken), …
    pub async fn update_profile(&self, username: &str) -> Result<User, ClientError> {
        let body = json!({ "username": username });
        self.call(Request::new(Method::PATCH, "/users/@me").json(body))
            .await
    }

    /// Downloads an attachment. Attachment URLs are server paths such as
    /// `/api/v1/media/attachments/…` and need the Bearer token, which is why the webview
    /// never fetches them itself.
    ///
    /// # Errors
    /// `not_found`, `forbidden` (still being scanned: retried by the caller), …
    pub async fn download(&self, url: &str) -> Result<bytes::Bytes, ClientError> {
        let path = url.strip_prefix("/api/v1").unwrap_or(url);
        let rest = path.trim_start_matches('/');
        let safe: Vec<String> = rest.split('/').map(seg).collect();
        self.send(Request::new(Method::GET, format!("/{}", safe.join("/"))))
            .await
    }

    /// `PUT /users/@me/presence`.
    ///
    /// # Errors
    /// `invalid_input` (status), …
    pub async fn set_presence(
        &self,
        status: &str,
        custom_status: Option<&str>,
    ) -> Result<Presence, ClientError> {
        let body = json!({ "status": status, "custom_status": custom_status });
        self.call(Request::new(Method::PUT, "/users/@me/presence").json(body))
            .await
    }

    /// `GET /users/{id}/presence`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn presence(&self, user_id: &str) -> Result<Presence, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/users/{}/presence", seg(user_id)),
        ))
        .await
    }
}
