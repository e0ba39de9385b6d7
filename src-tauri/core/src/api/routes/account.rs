//! Version negotiation, startup probes, sign-in and the user's own account (PROTOCOL.md §4–§5).

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::account::{
    DataExport, DataExportList, MessagingSettings, Profile, ProfileEnvelope, ProfileUpdate,
    RevokeAll, SettingEntry, SettingsPage, TwoFactorEnrolment, TwoFactorStatus,
};
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

    /// `GET /auth/2fa/status`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn two_factor_status(&self) -> Result<TwoFactorStatus, ClientError> {
        self.call(Request::new(Method::GET, "/auth/2fa/status"))
            .await
    }

    /// `POST /auth/2fa/enable`: a new secret and backup codes, active after confirm.
    ///
    /// # Errors
    /// `invalid_input{password}` (401 `Invalid password`), `conflict{two_factor}` (409), …
    pub async fn enable_two_factor(
        &self,
        password: &Secret,
    ) -> Result<TwoFactorEnrolment, ClientError> {
        let body = json!({ "password": password.expose() });
        self.call(Request::new(Method::POST, "/auth/2fa/enable").json(body))
            .await
    }

    /// `POST /auth/2fa/confirm` with the first code from the authenticator.
    ///
    /// # Errors
    /// `two_factor_invalid` (401 `Invalid code`), `invalid_input{code}` (length), …
    pub async fn confirm_two_factor(&self, code: &Secret) -> Result<Ack, ClientError> {
        let body = json!({ "code": code.expose() });
        self.call(Request::new(Method::POST, "/auth/2fa/confirm").json(body))
            .await
    }

    /// `POST /auth/2fa/disable` with the password and a TOTP or backup code.
    ///
    /// # Errors
    /// `invalid_input{password}`, `two_factor_invalid` (`Invalid 2FA code`), `invalid_input`
    /// (400 `2FA is not enabled`), …
    pub async fn disable_two_factor(
        &self,
        password: &Secret,
        code: &Secret,
    ) -> Result<Ack, ClientError> {
        let body = json!({ "password": password.expose(), "code": code.expose() });
        self.call(Request::new(Method::POST, "/auth/2fa/disable").json(body))
            .await
    }

    /// `POST /auth/sessions/revoke-all` keeping this session.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn revoke_other_sessions(&self) -> Result<RevokeAll, ClientError> {
        let body = json!({ "except_current": true });
        self.call(
            Request::new(Method::POST, "/auth/sessions/revoke-all")
                .json(body)
                .idempotent(),
        )
        .await
    }

    /// `PATCH /users/@me` with `password` and `current_password`.
    ///
    /// # Errors
    /// `invalid_input{current_password}` (the reference answers 500 `Invalid password`),
    /// `invalid_input{password}` (403 `Incorrect current password` for a weak new one), …
    pub async fn change_password(
        &self,
        current: &Secret,
        new: &Secret,
    ) -> Result<User, ClientError> {
        let body = json!({ "password": new.expose(), "current_password": current.expose() });
        self.call(
            Request::new(Method::PATCH, "/users/@me")
                .json(body)
                .action(Action::ChangePassword),
        )
        .await
    }

    /// `POST /auth/password-reset/request` (same answer for unknown addresses).
    ///
    /// # Errors
    /// `invalid_input{email}`, …
    pub async fn request_password_reset(&self, email: &str) -> Result<Ack, ClientError> {
        let body = json!({ "email": email });
        self.call(
            Request::new(Method::POST, "/auth/password-reset/request")
                .json(body)
                .action(Action::PasswordReset),
        )
        .await
    }

    /// `POST /auth/password-reset/confirm` with the token from the e-mail.
    ///
    /// # Errors
    /// `invalid_input{token}` (401 `Invalid token`), `invalid_input{password}`, …
    pub async fn confirm_password_reset(
        &self,
        token: &Secret,
        new: &Secret,
    ) -> Result<Ack, ClientError> {
        let body = json!({ "token": token.expose(), "new_password": new.expose() });
        self.call(
            Request::new(Method::POST, "/auth/password-reset/confirm")
                .json(body)
                .action(Action::PasswordReset),
        )
        .await
    }

    /// `GET /users/@me/settings` (cached 60 s by the reference server).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn user_settings(&self) -> Result<SettingsPage, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/settings"))
            .await
    }

    /// `PUT /users/@me/settings/{key}` with a string value.
    ///
    /// # Errors
    /// `invalid_input{value}`, …
    pub async fn put_user_setting(
        &self,
        key: &str,
        value: &str,
    ) -> Result<SettingEntry, ClientError> {
        let body = json!({ "value": value });
        self.call(
            Request::new(Method::PUT, format!("/users/@me/settings/{}", seg(key)))
                .json(body)
                .idempotent(),
        )
        .await
    }

    /// `DELETE /users/@me/settings/{key}`.
    ///
    /// # Errors
    /// `not_found{setting}`, …
    pub async fn delete_user_setting(&self, key: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::DELETE,
            format!("/users/@me/settings/{}", seg(key)),
        ))
        .await
    }

    /// `GET /features/users/{id}/profile` (any user; `@me` is refused, use the id).
    ///
    /// # Errors
    /// `invalid_input{user_id}`, …
    pub async fn profile(&self, user_id: &str) -> Result<Profile, ClientError> {
        let env: ProfileEnvelope = self
            .call(Request::new(
                Method::GET,
                format!("/features/users/{}/profile", seg(user_id)),
            ))
            .await?;
        Ok(env.profile)
    }

    /// `PATCH /features/users/@me/profile`.
    ///
    /// # Errors
    /// `invalid_input{bio}` (over 1,000 characters), …
    pub async fn update_own_profile(&self, update: &ProfileUpdate) -> Result<Profile, ClientError> {
        let body = serde_json::to_value(update).unwrap_or_default();
        let env: ProfileEnvelope = self
            .call(Request::new(Method::PATCH, "/features/users/@me/profile").json(body))
            .await?;
        Ok(env.profile)
    }

    /// `GET /users/@me/messaging-settings` (cached 60 s by the reference).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn messaging_settings(&self) -> Result<MessagingSettings, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/messaging-settings"))
            .await
    }

    /// `PATCH /users/@me/messaging-settings` with the fields to change.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn update_messaging_settings(
        &self,
        changes: serde_json::Value,
    ) -> Result<MessagingSettings, ClientError> {
        self.call(Request::new(Method::PATCH, "/users/@me/messaging-settings").json(changes))
            .await
    }

    /// `GET /users/@me/data-export`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn data_exports(&self) -> Result<Vec<DataExport>, ClientError> {
        let list: DataExportList = self
            .call(Request::new(Method::GET, "/users/@me/data-export"))
            .await?;
        Ok(list.requests)
    }

    /// `POST /users/@me/data-export` (the answer has no id: list to find it).
    ///
    /// # Errors
    /// `invalid_input{password}` (403 `Incorrect password`), `rate_limited` for 24 h while one
    /// is pending (never retried by itself), …
    pub async fn request_data_export(&self, password: &Secret) -> Result<Ack, ClientError> {
        let body = json!({ "password": password.expose(), "format": "json" });
        self.call(
            Request::new(Method::POST, "/users/@me/data-export")
                .json(body)
                .action(Action::DataExport),
        )
        .await
    }

    /// `GET /users/@me/data-export/{id}/download`: the file.
    ///
    /// # Errors
    /// `invalid_input` (400 `Export is not ready for download`), `not_found`, …
    pub async fn download_data_export(&self, id: &str) -> Result<bytes::Bytes, ClientError> {
        self.send(Request::new(
            Method::GET,
            format!("/users/@me/data-export/{}/download", seg(id)),
        ))
        .await
    }
}
