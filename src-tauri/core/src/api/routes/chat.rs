//! Servers, channels and messages (PROTOCOL.md §6).

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::api::types::{Ack, HistoryQuery, NewMessage};
use crate::api::{Api, Request};
use crate::error::{Action, ClientError};
use crate::model::{Attachment, Channel, Member, Message, Reaction, Server};

impl Api {
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

    /// `GET /servers/{id}/members?limit=` (the first `limit` members, at most 100).
    ///
    /// # Errors
    /// `not_found` (server), `forbidden`, …
    pub async fn members(&self, server_id: &str, limit: u32) -> Result<Vec<Member>, ClientError> {
        self.call(
            Request::new(Method::GET, format!("/servers/{}/members", seg(server_id)))
                .query("limit", limit.clamp(1, 100).to_string()),
        )
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
        progress: Option<crate::api::UploadProgress>,
    ) -> Result<Attachment, ClientError> {
        let path = format!("/channels/{}/attachments", seg(channel_id));
        self.call(
            Request::new(Method::POST, path)
                .file(filename.to_owned(), mime.to_owned(), bytes)
                .progress(progress),
        )
        .await
    }
}
