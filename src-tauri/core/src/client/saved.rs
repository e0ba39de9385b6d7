//! Saved messages (the server's bookmarks) and the Mentions view.
//!
//! A bookmark carries no text, so each is paired with the message from this device's cache
//! when it holds it. Mentions come from the account's database (recorded as messages are
//! cached, see [`crate::store::schema`]) merged with the server's notification list, which the
//! reference leaves empty for mentions today; store reads run on a blocking thread.

use std::collections::HashSet;

use super::Client;
use crate::error::ClientError;
use crate::model::{cmp_ids, Message};
use crate::saved::{Bookmark, MentionEntry, MentionKind, SavedMessage, ServerNotification};
use crate::store::Store;
use crate::UiState;

/// Bookmarks the Saved view asks for.
pub const SAVED_LIMIT: u32 = 100;
/// Mentions the Mentions view lists.
pub const MENTIONS_LIMIT: u32 = 100;

/// Runs a store read off the async runtime; a failure is logged and reads as `None`.
async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T, crate::store::Error> + Send + 'static,
) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, what, "local read failed");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, what, "local read stopped");
            None
        }
    }
}

/// A notification about a message, as a row of the Mentions view (`None` when it names none).
fn notification_entry(n: &ServerNotification, cached: Option<Message>) -> Option<MentionEntry> {
    let message_id = n.message_id.clone()?;
    let channel_id = n.channel_id.clone()?;
    let message = cached.unwrap_or_else(|| Message {
        id: message_id,
        channel_id: channel_id.clone(),
        author_id: String::new(),
        author_username: None,
        content: n.content.clone().unwrap_or_default(),
        created_at: n.created_at.unwrap_or(0),
        edited_at: None,
        reply_to_id: None,
        attachments: vec![],
        reactions: vec![],
        pinned: false,
        poll: None,
        embeds: None,
    });
    Some(MentionEntry {
        kind: if n.kind.as_deref() == Some("reply") {
            MentionKind::Reply
        } else {
            MentionKind::Mention
        },
        channel_id,
        server_id: None,
        message,
        seen: true,
    })
}

impl Client {
    /// The user's saved messages, newest first, each with its message when this device has it.
    ///
    /// # Errors
    /// Offline, rate limited, … (the Saved view shows the state).
    pub async fn saved_messages(
        &self,
        store: Option<&Store>,
    ) -> Result<Vec<SavedMessage>, ClientError> {
        let bookmarks = self.authed(self.inner.api.bookmarks(SAVED_LIMIT)).await?;
        let Some(store) = store.cloned() else {
            return Ok(bookmarks
                .into_iter()
                .map(|bookmark| SavedMessage {
                    bookmark,
                    message: None,
                })
                .collect());
        };
        let found = blocking("saved messages", move || {
            bookmarks
                .into_iter()
                .map(|b| {
                    let message = store.cached_message(Some(&b.conversation_id), &b.message_id)?;
                    Ok(SavedMessage {
                        bookmark: b,
                        message,
                    })
                })
                .collect::<Result<Vec<_>, crate::store::Error>>()
        })
        .await;
        Ok(found.unwrap_or_default())
    }

    /// Saves a message (an upsert on the server: saving twice is harmless).
    ///
    /// # Errors
    /// `invalid_input`, offline, …
    pub async fn save_message(
        &self,
        channel_id: &str,
        message_id: &str,
        label: Option<&str>,
    ) -> Result<Bookmark, ClientError> {
        let label = label.map(str::trim).filter(|l| !l.is_empty());
        if label.is_some_and(|l| l.chars().count() > 100) {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("label".into()),
                    message: "A note is at most 100 characters".into(),
                },
                "bookmark label too long",
            ));
        }
        self.authed(self.inner.api.add_bookmark(channel_id, message_id, label))
            .await
    }

    /// Removes a saved message (the server answers 200 even when it was not saved).
    ///
    /// # Errors
    /// Offline, …
    pub async fn unsave_message(&self, message_id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.remove_bookmark(message_id))
            .await
            .map(|_| ())
    }

    /// Recent mentions of the user and replies to them, newest first: what this device saw,
    /// plus the server's notifications when it has any (a failure there only drops them).
    ///
    /// # Errors
    /// None today; kept fallible for the server part.
    pub async fn mentions(&self, store: Option<&Store>) -> Result<Vec<MentionEntry>, ClientError> {
        let limit = usize::try_from(MENTIONS_LIMIT).unwrap_or(100);
        let local = match store.cloned() {
            Some(s) => blocking("mentions", move || s.mentions(limit))
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let remote = match self
            .authed(self.inner.api.notifications(MENTIONS_LIMIT))
            .await
        {
            Ok(list) => list,
            Err(e) => {
                tracing::info!(state = ?e.state, "notification list unavailable");
                Vec::new()
            }
        };
        let mut seen: HashSet<String> = local.iter().map(|e| e.message.id.clone()).collect();
        let mut all = local;
        for n in &remote {
            let Some(id) = n.message_id.as_deref() else {
                continue;
            };
            if !seen.insert(id.to_owned()) {
                continue;
            }
            let cached = match store.cloned() {
                Some(s) => {
                    let (c, m) = (n.channel_id.clone(), id.to_owned());
                    blocking("mention message", move || {
                        s.cached_message(c.as_deref(), &m)
                    })
                    .await
                    .flatten()
                }
                None => None,
            };
            all.extend(notification_entry(n, cached));
        }
        all.sort_by(|a, b| cmp_ids(&b.message.id, &a.message.id));
        all.truncate(limit);
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_without_a_message_is_not_a_mention_row() {
        let bare = ServerNotification {
            id: "1".into(),
            kind: Some("system".into()),
            message_id: None,
            channel_id: None,
            content: Some("hello".into()),
            created_at: None,
        };
        assert!(notification_entry(&bare, None).is_none());
        let about = ServerNotification {
            message_id: Some("9".into()),
            channel_id: Some("c".into()),
            kind: Some("reply".into()),
            ..bare
        };
        let row = notification_entry(&about, None).expect("a row");
        assert_eq!(row.kind, MentionKind::Reply);
        assert_eq!(row.message.content, "hello");
    }
}
