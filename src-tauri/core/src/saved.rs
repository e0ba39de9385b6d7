//! Saved messages (the server's bookmarks) and mentions: their wire shapes and what the
//! Mentions and Saved views list (shared/recorded/messaging.txt, "bookmarks", "notifications").
//!
//! The server's quirks: bookmark ids (`id`, `user_id`, `message_id`, `conversation_id`) are JSON
//! *numbers* above 2^53, unlike the rest of the API, so they are read as strings from either;
//! a bookmark holds no message text (the client fills it from its cache when it can); and
//! mentions create no notification, so the Mentions view is built from what this device saw,
//! with the notification list merged in for the day it has entries.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{id_from_str_or_int, Message};

/// One bookmark as `GET/POST /features/bookmarks` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bookmark {
    /// Bookmark id (the same after a second save of the message: it is an upsert).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// The saved message.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub message_id: String,
    /// The channel it was saved from (we send the channel id; the server keeps what it gets).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub conversation_id: String,
    /// The user's note, if any.
    #[serde(default)]
    pub label: Option<String>,
    /// When it was saved (ms).
    #[serde(default)]
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `{"bookmarks": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct BookmarkPage {
    /// Newest first.
    #[serde(default)]
    pub bookmarks: Vec<Bookmark>,
}

/// `{"success": true, "bookmark": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedBookmark {
    /// The stored bookmark.
    pub bookmark: Bookmark,
}

/// A saved message as the Saved view lists it: the bookmark plus the message when this
/// device holds it (`None`: not cached here, or deleted; the row still jumps to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedMessage {
    /// The server's bookmark.
    pub bookmark: Bookmark,
    /// The message, from this device's cache.
    pub message: Option<Message>,
}

/// One entry of `GET /users/@me/notifications`. The reference never created one we could
/// record, so every field but the id is optional and read leniently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerNotification {
    /// Notification id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// `mention`, `reply`, … as the server names it.
    #[serde(default, alias = "type")]
    pub kind: Option<String>,
    /// The message it is about, if any.
    #[serde(default, deserialize_with = "crate::model::opt_id_from_str_or_int")]
    pub message_id: Option<String>,
    /// Its channel, if any.
    #[serde(default, deserialize_with = "crate::model::opt_id_from_str_or_int")]
    pub channel_id: Option<String>,
    /// Text the server shows for it.
    #[serde(default, alias = "body")]
    pub content: Option<String>,
    /// When (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub created_at: Option<i64>,
}

/// `{"notifications": [...], "unread_count": N}`.
#[derive(Debug, Clone, Deserialize)]
pub struct NotificationPage {
    /// Newest first.
    #[serde(default)]
    pub notifications: Vec<ServerNotification>,
}

/// Why a message is in the Mentions view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MentionKind {
    /// It names the user with `<@id>`.
    Mention,
    /// It replies to one of the user's messages.
    Reply,
}

/// One row of the Mentions view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MentionEntry {
    /// Mention or reply.
    pub kind: MentionKind,
    /// The channel it was seen in (the id the client asked for).
    pub channel_id: String,
    /// That channel's server, when known (`None` for a DM or an unknown channel).
    pub server_id: Option<String>,
    /// The message.
    pub message: Message,
    /// Whether the user has opened the channel since it arrived.
    pub seen: bool,
}

/// Whether `content` mentions `user_id` as `<@id>` or `<@!id>`.
#[must_use]
pub fn mentions_user(content: &str, user_id: &str) -> bool {
    !user_id.is_empty()
        && (content.contains(&format!("<@{user_id}>"))
            || content.contains(&format!("<@!{user_id}>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmark_ids_arrive_as_numbers_above_2_pow_53() {
        let raw = r#"{"success":true,"bookmark":{"id":386901590986067968,"user_id":386896041988984832,"message_id":1578070009001807872,"conversation_id":386901094594383872,"label":"bob's bread","created_at":1796311727575}}"#;
        let b: SavedBookmark = serde_json::from_str(raw).expect("recorded shape");
        assert_eq!(b.bookmark.message_id, "1578070009001807872");
        assert_eq!(b.bookmark.conversation_id, "386901094594383872");
        assert_eq!(b.bookmark.label.as_deref(), Some("bob's bread"));
        let page: BookmarkPage = serde_json::from_str(r#"{"bookmarks":[]}"#).unwrap();
        assert!(page.bookmarks.is_empty());
    }

    #[test]
    fn a_mention_is_the_users_id_in_angle_brackets() {
        assert!(mentions_user("hey <@42> look", "42"));
        assert!(mentions_user("<@!42>", "42"));
        assert!(!mentions_user("<@421>", "42"));
        assert!(!mentions_user("@42", "42"));
        assert!(!mentions_user("<@>", ""));
    }
}
