//! Typed routes: one method per endpoint the app uses (PROTOCOL.md §4–§6).
//!
//! Every path segment taken from the caller is percent-encoded, so an id or emoji can never
//! change the route.

use reqwest::Method;
use serde_json::json;

use super::types::{
    Ack, AuthResponse, Capabilities, HistoryQuery, NegotiateResponse, NewMessage,
    PasswordRequirements, Presence, Relationship, SessionInfo,
};
use super::{Api, Request};
use crate::error::{Action, ClientError};
use crate::model::{Attachment, Channel, Message, Reaction, Server, User};
use crate::session::Secret;

/// Percent-encodes one path segment.
pub(crate) fn seg(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Api {
    // ---- version and startup -------------------------------------------------------------

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

    // ---- auth ------------------------------------------------------------------------------

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

    // ---- users -----------------------------------------------------------------------------

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

    // ---- servers and channels --------------------------------------------------------------

    /// `GET /servers/` (the trailing slash matters: without it the server answers 405).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn servers(&self) -> Result<Vec<Server>, ClientError> {
        self.call(Request::new(Method::GET, "/servers/")).await
    }

    /// `GET /servers/{id}/channels`.
    ///
    /// # Errors
    /// `not_found` (server), …
    pub async fn channels(&self, server_id: &str) -> Result<Vec<Channel>, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/servers/{}/channels", seg(server_id)),
        ))
        .await
    }

    /// `GET /channels/{id}`.
    ///
    /// # Errors
    /// `not_found` (channel), …
    pub async fn channel(&self, channel_id: &str) -> Result<Channel, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/channels/{}", seg(channel_id)),
        ))
        .await
    }

    // ---- messages --------------------------------------------------------------------------

    /// `GET /channels/{id}/messages` (newest first).
    ///
    /// # Errors
    /// `not_found` (channel), `invalid_input` (limit), …
    pub async fn history(
        &self,
        channel_id: &str,
        q: &HistoryQuery,
    ) -> Result<Vec<Message>, ClientError> {
        let mut req = Request::new(
            Method::GET,
            format!("/channels/{}/messages", seg(channel_id)),
        );
        if let Some(b) = &q.before {
            req = req.query("before", b);
        }
        if let Some(a) = &q.after {
            req = req.query("after", a);
        }
        if let Some(l) = q.limit {
            req = req.query("limit", l);
        }
        self.call(req).await
    }

    /// `POST /channels/{id}/messages`. Never repeated after it may have reached the server.
    ///
    /// # Errors
    /// `content_rejected` (content filter), `invalid_input`, `forbidden`, …
    pub async fn send_message(
        &self,
        channel_id: &str,
        msg: &NewMessage,
    ) -> Result<Message, ClientError> {
        let body = serde_json::to_value(msg).unwrap_or_default();
        self.call(
            Request::new(
                Method::POST,
                format!("/channels/{}/messages", seg(channel_id)),
            )
            .json(body)
            .action(Action::SendMessage),
        )
        .await
    }

    /// `PATCH /channels/{c}/messages/{m}`.
    ///
    /// # Errors
    /// `content_rejected`, `not_found` (message), …
    pub async fn edit_message(
        &self,
        channel_id: &str,
        message_id: &str,
        content: &str,
    ) -> Result<Message, ClientError> {
        let path = format!("/channels/{}/messages/{}", seg(channel_id), seg(message_id));
        self.call(
            Request::new(Method::PATCH, path)
                .json(json!({ "content": content }))
                .action(Action::SendMessage),
        )
        .await
    }

    /// `DELETE /channels/{c}/messages/{m}`.
    ///
    /// # Errors
    /// `not_found` (message), `forbidden`, …
    pub async fn delete_message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Ack, ClientError> {
        let path = format!("/channels/{}/messages/{}", seg(channel_id), seg(message_id));
        self.call(Request::new(Method::DELETE, path)).await
    }

    /// `GET /channels/{c}/messages/{m}/reactions`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn reactions(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Vec<Reaction>, ClientError> {
        let path = format!(
            "/channels/{}/messages/{}/reactions",
            seg(channel_id),
            seg(message_id)
        );
        self.call(Request::new(Method::GET, path)).await
    }

    /// `PUT /channels/{c}/messages/{m}/reactions/{emoji}`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn add_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<Ack, ClientError> {
        let path = format!(
            "/channels/{}/messages/{}/reactions/{}",
            seg(channel_id),
            seg(message_id),
            seg(emoji)
        );
        self.call(Request::new(Method::PUT, path)).await
    }

    /// `DELETE /channels/{c}/messages/{m}/reactions/{emoji}` (200 even when absent).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn remove_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<Ack, ClientError> {
        let path = format!(
            "/channels/{}/messages/{}/reactions/{}",
            seg(channel_id),
            seg(message_id),
            seg(emoji)
        );
        self.call(Request::new(Method::DELETE, path)).await
    }

    /// `GET /channels/{id}/pins`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn pins(&self, channel_id: &str) -> Result<Vec<Message>, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/channels/{}/pins", seg(channel_id)),
        ))
        .await
    }

    /// `PUT /channels/{c}/pins/{m}`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn pin(&self, channel_id: &str, message_id: &str) -> Result<Ack, ClientError> {
        let path = format!("/channels/{}/pins/{}", seg(channel_id), seg(message_id));
        self.call(Request::new(Method::PUT, path)).await
    }

    /// `DELETE /channels/{c}/pins/{m}`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn unpin(&self, channel_id: &str, message_id: &str) -> Result<Ack, ClientError> {
        let path = format!("/channels/{}/pins/{}", seg(channel_id), seg(message_id));
        self.call(Request::new(Method::DELETE, path)).await
    }

    /// `POST /channels/{id}/typing` (harmless to repeat).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn typing(&self, channel_id: &str) -> Result<Ack, ClientError> {
        let path = format!("/channels/{}/typing", seg(channel_id));
        self.call(Request::new(Method::POST, path).idempotent())
            .await
    }

    /// `POST /channels/{id}/messages/ack?message_id=` (read marker; harmless to repeat).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn ack(&self, channel_id: &str, message_id: &str) -> Result<Ack, ClientError> {
        let path = format!("/channels/{}/messages/ack", seg(channel_id));
        self.call(
            Request::new(Method::POST, path)
                .query("message_id", message_id)
                .idempotent(),
        )
        .await
    }

    /// `POST /channels/{id}/attachments`, multipart field `file`.
    ///
    /// # Errors
    /// `invalid_input` (file), …
    pub async fn upload_attachment(
        &self,
        channel_id: &str,
        filename: &str,
        mime: &str,
        bytes: bytes::Bytes,
    ) -> Result<Attachment, ClientError> {
        let path = format!("/channels/{}/attachments", seg(channel_id));
        self.call(Request::new(Method::POST, path).file(
            filename.to_owned(),
            mime.to_owned(),
            bytes,
        ))
        .await
    }

    // ---- DMs and relationships -------------------------------------------------------------

    /// `POST /users/@me/channels {recipient_id}` (returns the existing DM when there is one).
    ///
    /// # Errors
    /// `invalid_input` (a DM with yourself answers 500), …
    pub async fn open_dm(&self, recipient_id: &str) -> Result<Channel, ClientError> {
        self.call(
            Request::new(Method::POST, "/users/@me/channels")
                .json(json!({ "recipient_id": recipient_id }))
                .idempotent(),
        )
        .await
    }

    /// `GET /users/@me/channels` (may be empty even with DMs: remember them locally).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn dm_channels(&self) -> Result<Vec<Channel>, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/channels"))
            .await
    }

    /// `GET /relationships/@me`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn relationships(&self) -> Result<Vec<Relationship>, ClientError> {
        self.call(Request::new(Method::GET, "/relationships/@me"))
            .await
    }

    /// `POST /relationships {user_id}`: a friend request.
    ///
    /// # Errors
    /// `conflict` (already friends / sent), `forbidden` (blocked), …
    pub async fn send_friend_request(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.call(Request::new(Method::POST, "/relationships").json(json!({ "user_id": user_id })))
            .await
    }

    /// `PUT /relationships/{id}/accept`.
    ///
    /// # Errors
    /// `not_found` (friend request), …
    pub async fn accept_friend_request(&self, user_id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::PUT,
            format!("/relationships/{}/accept", seg(user_id)),
        ))
        .await
    }

    /// `DELETE /relationships/{id}`: unfriend, cancel, decline or unblock.
    ///
    /// # Errors
    /// `not_found` (relationship), …
    pub async fn remove_relationship(&self, user_id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::DELETE,
            format!("/relationships/{}", seg(user_id)),
        ))
        .await
    }

    /// `POST /relationships/block {user_id}`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn block_user(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.call(
            Request::new(Method::POST, "/relationships/block")
                .json(json!({ "user_id": user_id }))
                .idempotent(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::seg;

    #[test]
    fn path_segments_cannot_escape_their_route() {
        assert_eq!(seg("123"), "123");
        assert_eq!(seg("👍"), "%F0%9F%91%8D");
        assert_eq!(seg("../users/@me"), "..%2Fusers%2F@me");
        assert_eq!(seg("a b?c#d"), "a%20b%3Fc%23d");
    }
}
