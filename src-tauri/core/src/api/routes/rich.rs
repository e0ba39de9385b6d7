//! Scheduled messages, custom emojis and stickers (shared/recorded/messaging.txt).

use reqwest::Method;
use serde_json::{json, Value};

use super::seg;
use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::model::Message;
use crate::rich::{
    CustomEmoji, ServerScheduled, ServerScheduledCreated, ServerScheduledList, StickerPack,
};

impl Api {
    /// `GET /channels/{c}/messages/{m}`: one message (chat.txt, "get single message").
    ///
    /// # Errors
    /// 404 `Message not found` / `Channel not found`, …
    pub async fn message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Message, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/channels/{}/messages/{}", seg(channel_id), seg(message_id)),
        ))
        .await
    }

    /// `POST /features/scheduled-messages {conversation_id, content, scheduled_at}` (ms).
    /// Not repeated on a lost answer: a second row would be a second message.
    ///
    /// # Errors
    /// 400 "Scheduled time must be at least 1 minute in the future", …
    pub async fn create_server_scheduled(
        &self,
        channel_id: &str,
        content: &str,
        scheduled_at: i64,
    ) -> Result<ServerScheduled, ClientError> {
        let created: ServerScheduledCreated = self
            .call(
                Request::new(Method::POST, "/features/scheduled-messages").json(json!({
                    "conversation_id": channel_id,
                    "content": content,
                    "scheduled_at": scheduled_at,
                })),
            )
            .await?;
        Ok(created.scheduled_message)
    }

    /// `GET /features/scheduled-messages`: the caller's rows, cancelled ones included.
    ///
    /// # Errors
    /// Transport and server failures.
    pub async fn server_scheduled(&self) -> Result<Vec<ServerScheduled>, ClientError> {
        let list: ServerScheduledList = self
            .call(Request::new(Method::GET, "/features/scheduled-messages"))
            .await?;
        Ok(list.scheduled_messages)
    }

    /// `DELETE /features/scheduled-messages/{id}`.
    ///
    /// # Errors
    /// 403 "Not the author of this scheduled message", 400 "Can only cancel pending
    /// scheduled messages" (already cancelled or taken by another device), …
    pub async fn cancel_server_scheduled(&self, id: &str) -> Result<(), ClientError> {
        let _: Value = self
            .call(Request::new(
                Method::DELETE,
                format!("/features/scheduled-messages/{}", seg(id)),
            ))
            .await?;
        Ok(())
    }

    /// `GET /servers/{id}/emojis` (cached 300 s per caller by the server).
    ///
    /// # Errors
    /// Transport and server failures.
    pub async fn custom_emojis(&self, server_id: &str) -> Result<Vec<CustomEmoji>, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/servers/{}/emojis", seg(server_id)),
        ))
        .await
    }

    /// `GET /servers/{id}/stickers`: packs with their stickers.
    ///
    /// # Errors
    /// Transport and server failures.
    pub async fn sticker_packs(&self, server_id: &str) -> Result<Vec<StickerPack>, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/servers/{}/stickers", seg(server_id)),
        ))
        .await
    }
}
