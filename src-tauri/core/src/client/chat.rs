//! Chat actions: thin wrappers over the typed routes that add local checks and the
//! signed-in consequences of [`Client::authed`].

use super::Client;
use crate::api::types::{HistoryQuery, NewMessage, Presence, Relationship};
use crate::error::ClientError;
use crate::model::{Attachment, Channel, Member, Message, Reaction, Server, User};
use crate::UiState;

impl Client {
    /// Servers the user belongs to.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn servers(&self) -> Result<Vec<Server>, ClientError> {
        let list = self.authed(self.inner.api.servers()).await?;
        Ok(self.overlay_servers(list))
    }

    /// Channels of a server.
    ///
    /// # Errors
    /// `not_found{server}`, …
    pub async fn channels(&self, server_id: &str) -> Result<Vec<Channel>, ClientError> {
        let list = self.authed(self.inner.api.channels(server_id)).await?;
        Ok(self.overlay_channels(server_id, list))
    }

    /// The first `limit` members of a server (at most 100), with their presence.
    ///
    /// # Errors
    /// `not_found{server}`, `forbidden`, …
    pub async fn members(&self, server_id: &str, limit: u32) -> Result<Vec<Member>, ClientError> {
        let list = self
            .authed(self.inner.api.members(server_id, limit))
            .await?;
        Ok(self.overlay_members(server_id, list))
    }

    /// Finds a user by exact user name (the server matches nothing else).
    ///
    /// # Errors
    /// `not_found{user}`, …
    pub async fn search_user(&self, username: &str) -> Result<User, ClientError> {
        self.authed(self.inner.api.search_user(username.trim()))
            .await
    }

    /// A page of history, newest first.
    ///
    /// # Errors
    /// `not_found{channel}`, `invalid_input{limit}`, …
    pub async fn history(
        &self,
        channel_id: &str,
        q: &HistoryQuery,
    ) -> Result<Vec<Message>, ClientError> {
        if let Some(limit) = q.limit {
            if !(1..=100).contains(&limit) {
                return Err(ClientError::rejected(
                    UiState::InvalidInput {
                        field: Some("limit".into()),
                        message: "limit must be 1 to 100".into(),
                    },
                    "bad limit",
                ));
            }
        }
        let page = self.authed(self.inner.api.history(channel_id, q)).await?;
        if let Some(m) = page.first() {
            self.learn_conversation(channel_id, &m.channel_id);
        }
        Ok(page)
    }

    /// Remembers that history of `channel_id` lists its messages under `conversation_id`.
    pub(crate) fn learn_conversation(&self, channel_id: &str, conversation_id: &str) {
        if conversation_id.is_empty() {
            return;
        }
        self.inner
            .conversations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(channel_id.to_owned(), conversation_id.to_owned());
    }

    /// The conversation id a history listing of `channel_id` showed in this session, if any.
    #[must_use]
    pub fn conversation_hint(&self, channel_id: &str) -> Option<String> {
        self.inner
            .conversations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(channel_id)
            .cloned()
    }

    /// The server's unread map (conversation id → count).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn unread_counts(
        &self,
    ) -> Result<std::collections::HashMap<String, u32>, ClientError> {
        Ok(self
            .authed(self.inner.api.unread_counts())
            .await?
            .unread_counts)
    }

    /// The server's last-read pointer of a conversation.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn last_read(
        &self,
        conversation_id: &str,
    ) -> Result<crate::api::LastRead, ClientError> {
        self.authed(self.inner.api.last_read(conversation_id)).await
    }

    /// Acks `message_id` under a conversation id (the only ack the server honours).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn ack_conversation(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<crate::api::AckAnswer, ClientError> {
        self.authed(self.inner.api.ack_conversation(conversation_id, message_id))
            .await
    }

    /// Sends a message. Checked locally first (empty, whitespace only, over 4000 characters);
    /// never repeated after it may have reached the server.
    ///
    /// # Errors
    /// `content_rejected` (the server's filter), `invalid_input{content}`, `forbidden`, …
    pub async fn send_message(
        &self,
        channel_id: &str,
        msg: &NewMessage,
    ) -> Result<Message, ClientError> {
        check_content(&msg.content, !msg.attachments.is_empty())?;
        self.authed(self.inner.api.send_message(channel_id, msg))
            .await
    }

    /// Edits one's own message.
    ///
    /// # Errors
    /// `content_rejected`, `not_found{message}`, …
    pub async fn edit_message(
        &self,
        channel_id: &str,
        message_id: &str,
        content: &str,
    ) -> Result<Message, ClientError> {
        check_content(content, false)?;
        self.authed(self.inner.api.edit_message(channel_id, message_id, content))
            .await
    }

    /// Deletes a message.
    ///
    /// # Errors
    /// `not_found{message}`, `forbidden`, …
    pub async fn delete_message(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<(), ClientError> {
        self.authed(self.inner.api.delete_message(channel_id, message_id))
            .await
            .map(drop)
    }

    /// Reaction counts of a message.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn reactions(
        &self,
        channel_id: &str,
        message_id: &str,
    ) -> Result<Vec<Reaction>, ClientError> {
        self.authed(self.inner.api.reactions(channel_id, message_id))
            .await
    }

    /// Adds a reaction.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn add_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<(), ClientError> {
        self.authed(self.inner.api.add_reaction(channel_id, message_id, emoji))
            .await
            .map(drop)
    }

    /// Removes one's reaction (no error when it was not there).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn remove_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> Result<(), ClientError> {
        self.authed(
            self.inner
                .api
                .remove_reaction(channel_id, message_id, emoji),
        )
        .await
        .map(drop)
    }

    /// Pinned messages of a channel.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn pins(&self, channel_id: &str) -> Result<Vec<Message>, ClientError> {
        self.authed(self.inner.api.pins(channel_id)).await
    }

    /// Pins or unpins a message.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn set_pinned(
        &self,
        channel_id: &str,
        message_id: &str,
        is_pinned: bool,
    ) -> Result<(), ClientError> {
        if is_pinned {
            self.authed(self.inner.api.pin(channel_id, message_id))
                .await
                .map(drop)
        } else {
            self.authed(self.inner.api.unpin(channel_id, message_id))
                .await
                .map(drop)
        }
    }

    /// Tells the channel the user is typing.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn typing(&self, channel_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.typing(channel_id))
            .await
            .map(drop)
    }

    /// Moves the read marker to `message_id`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn ack(&self, channel_id: &str, message_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.ack(channel_id, message_id))
            .await
            .map(drop)
    }

    /// Uploads a file (checked locally against the 10 MiB cap first).
    ///
    /// # Errors
    /// `invalid_input{file}`, …
    pub async fn upload_attachment(
        &self,
        channel_id: &str,
        filename: &str,
        mime: &str,
        bytes: bytes::Bytes,
    ) -> Result<Attachment, ClientError> {
        const MAX_UPLOAD: usize = 10 * 1024 * 1024;
        if bytes.len() > MAX_UPLOAD {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("file".into()),
                    message: "File too large (10 MiB at most)".into(),
                },
                "file too large",
            ));
        }
        self.authed(
            self.inner
                .api
                .upload_attachment(channel_id, filename, mime, bytes, None),
        )
        .await
    }

    /// Opens (or finds) the DM channel with a user.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn open_dm(&self, recipient_id: &str) -> Result<Channel, ClientError> {
        self.authed(self.inner.api.open_dm(recipient_id)).await
    }

    /// DM channels the server lists (may be empty: remember opened DMs locally).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn dm_channels(&self) -> Result<Vec<Channel>, ClientError> {
        self.authed(self.inner.api.dm_channels()).await
    }

    /// Friends, requests and blocks.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn relationships(&self) -> Result<Vec<Relationship>, ClientError> {
        self.authed(self.inner.api.relationships()).await
    }

    /// Sends a friend request.
    ///
    /// # Errors
    /// `conflict{relationship}`, `forbidden{cannot_message_user}`, …
    pub async fn send_friend_request(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.authed(self.inner.api.send_friend_request(user_id))
            .await
    }

    /// Accepts a friend request.
    ///
    /// # Errors
    /// `not_found{friend_request}`, …
    pub async fn accept_friend_request(&self, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.accept_friend_request(user_id))
            .await
            .map(drop)
    }

    /// Unfriends, cancels, declines or unblocks.
    ///
    /// # Errors
    /// `not_found{relationship}`, …
    pub async fn remove_relationship(&self, user_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.remove_relationship(user_id))
            .await
            .map(drop)
    }

    /// Blocks a user.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn block_user(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.authed(self.inner.api.block_user(user_id)).await
    }

    /// Sets the user's presence.
    ///
    /// # Errors
    /// `invalid_input{status}`, …
    pub async fn set_presence(
        &self,
        status: &str,
        custom_status: Option<&str>,
    ) -> Result<Presence, ClientError> {
        self.authed(self.inner.api.set_presence(status, custom_status))
            .await
    }

    /// Changes the user's name (3–32 letters, digits or underscores; checked by the server).
    ///
    /// # Errors
    /// `invalid_input{username}`, `conflict{username}`, …
    pub async fn update_profile(&self, username: &str) -> Result<User, ClientError> {
        self.authed(self.inner.api.update_profile(username)).await
    }

    /// Downloads an attachment with the session's token (its URL alone is not enough).
    /// Only server paths are accepted: the token never goes to another host.
    ///
    /// # Errors
    /// `invalid_input{url}` for anything but a server path, `not_found`, …
    pub async fn fetch_attachment(&self, url: &str) -> Result<bytes::Bytes, ClientError> {
        if !url.starts_with('/') || url.starts_with("//") {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("url".into()),
                    message: "Attachments are only downloaded from the signed-in server".into(),
                },
                "attachment URL is not a server path",
            ));
        }
        self.authed(self.inner.api.download(url)).await
    }
}

fn check_content(content: &str, has_attachments: bool) -> Result<(), ClientError> {
    const MAX_CHARS: usize = 4000;
    let reject = |message: &str| {
        Err(ClientError::rejected(
            UiState::InvalidInput {
                field: Some("content".into()),
                message: message.to_owned(),
            },
            "message rejected locally",
        ))
    };
    if content.trim().is_empty() && !has_attachments {
        return reject("Message must have content");
    }
    if content.chars().count() > MAX_CHARS {
        return reject("Message is longer than 4000 characters");
    }
    Ok(())
}
