//! Send later (server side), forward, custom emojis and stickers; see [`crate::rich`] for
//! what the server does and why these are shaped so.

use super::Client;
use crate::api::types::NewMessage;
use crate::clock::now_ms;
use crate::error::ClientError;
use crate::model::Message;
use crate::rich::{forward_text, is_ciphertext, ServerEmojis, ServerScheduled, SERVER_MIN_LEAD_MS};
use crate::UiState;

fn invalid(field: &str, message: &str) -> ClientError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        },
        "rejected locally",
    )
}

impl Client {
    /// One message.
    ///
    /// # Errors
    /// `not_found{message|channel}`, …
    pub async fn message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Message, ClientError> {
        self.authed(self.inner.api.message(channel_id, message_id))
            .await
    }

    /// The text of a forward of `message_id` (in `channel_id`): a quoted copy with a link
    /// back, optionally after the user's `comment`. The server's own forward is not used: it
    /// loses forwards to channel ids and copies ciphertext.
    ///
    /// # Errors
    /// `invalid_input{message}` when the original is stored ciphertext (it cannot be
    /// quoted) or the copy would be too long; `not_found`, …
    pub async fn forward_content(
        &self,
        channel_id: &str,
        message_id: &str,
        comment: &str,
    ) -> Result<String, ClientError> {
        let original = self.message(channel_id, message_id).await?;
        if is_ciphertext(&original.content) {
            return Err(invalid(
                "message",
                "This message could not be decrypted by the server, so it cannot be forwarded",
            ));
        }
        let label = match self.inner.api.channel(channel_id).await {
            Ok(c) if c.server_id.is_some() => format!("#{}", c.name.unwrap_or_default()),
            Ok(_) => "a direct message".to_owned(),
            // The label is decoration: a channel we cannot read still gets its link.
            Err(_) => "another channel".to_owned(),
        };
        let text = forward_text(&original, &label, comment);
        if text.chars().count() > crate::rich::MAX_CONTENT {
            return Err(invalid(
                "message",
                "This message is too long to forward with a quote",
            ));
        }
        Ok(text)
    }

    /// Forwards a message now (the app queues [`Client::forward_content`] in its outbox
    /// instead).
    ///
    /// # Errors
    /// As [`Client::forward_content`] and [`Client::send_message`].
    pub async fn forward_message(
        &self,
        channel_id: &str,
        message_id: &str,
        to_channel_id: &str,
        comment: &str,
    ) -> Result<Message, ClientError> {
        let content = self
            .forward_content(channel_id, message_id, comment)
            .await?;
        self.send_message(
            to_channel_id,
            &NewMessage {
                content,
                ..NewMessage::default()
            },
        )
        .await
    }

    /// Schedules a message on the server (it keeps it; the app delivers it when due).
    ///
    /// # Errors
    /// `invalid_input{scheduled_at}` under a minute ahead (the server's minimum, checked
    /// first), `invalid_input{content}`, …
    pub async fn schedule_on_server(
        &self,
        channel_id: &str,
        content: &str,
        scheduled_at: i64,
    ) -> Result<ServerScheduled, ClientError> {
        crate::outbox::schedule::check_scheduled(content, scheduled_at, now_ms())?;
        if scheduled_at < now_ms() + SERVER_MIN_LEAD_MS {
            return Err(invalid(
                "scheduled_at",
                "Scheduled time must be at least 1 minute in the future",
            ));
        }
        self.authed(
            self.inner
                .api
                .create_server_scheduled(channel_id, content, scheduled_at),
        )
        .await
    }

    /// The server's scheduled messages for this user (every status).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn server_scheduled(&self) -> Result<Vec<ServerScheduled>, ClientError> {
        self.authed(self.inner.api.server_scheduled()).await
    }

    /// Cancels a server-held scheduled message.
    ///
    /// # Errors
    /// `forbidden` (not the author), `invalid_input` (no longer pending), …
    pub async fn cancel_server_scheduled(&self, id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.cancel_server_scheduled(id))
            .await
    }

    /// A server's custom emojis (available ones) and sticker packs. Stickers that cannot be
    /// listed leave the packs empty rather than hiding the emojis.
    ///
    /// # Errors
    /// Failures listing the emojis.
    pub async fn server_emojis(&self, server_id: &str) -> Result<ServerEmojis, ClientError> {
        let emojis = self.authed(self.inner.api.custom_emojis(server_id)).await?;
        let sticker_packs = match self.authed(self.inner.api.sticker_packs(server_id)).await {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(state = ?e.state, "stickers unavailable");
                Vec::new()
            }
        };
        Ok(ServerEmojis {
            server_id: server_id.to_owned(),
            emojis: emojis.into_iter().filter(|e| e.available).collect(),
            sticker_packs,
        })
    }
}
