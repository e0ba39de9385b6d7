//! What the outbox sends and what it tells the UI.
//!
//! These types cross the bridge to the UI (ts-rs): [`OutboxEntry`] is one row of the pending
//! list, [`OutboxUpdate`] one change to it. The UI renders `queued`/`sending` with a clock,
//! `failed` in red with Retry / Edit / Delete, and drops the row on `sent` (the message itself
//! then lives in the channel).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::types::AttachmentRef;
use crate::model::Message;
use crate::ui_state::{TimestampMs, UiState};

/// One send the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxItem {
    /// A new message.
    Text {
        /// The text.
        content: String,
    },
    /// A new message replying to another.
    Reply {
        /// The text.
        content: String,
        /// The message replied to.
        reply_to_id: String,
    },
    /// A new text for one's own message.
    Edit {
        /// The message edited.
        message_id: String,
        /// Its new text.
        content: String,
    },
    /// Deleting a message.
    Delete {
        /// The message deleted.
        message_id: String,
    },
    /// Adding (`is_add`) or removing one's reaction.
    Reaction {
        /// The message reacted to.
        message_id: String,
        /// The emoji.
        emoji: String,
        /// True to add, false to remove.
        is_add: bool,
    },
    /// A file, uploaded then posted as a message (with optional text).
    Attachment {
        /// Text sent with the file (may be empty).
        content: String,
        /// File name shown to others.
        filename: String,
        /// MIME type.
        mime: String,
        /// The file's bytes, base64 (standard alphabet): kept in the outbox so that a file
        /// moved or deleted after "send" is still delivered.
        data_base64: String,
        /// The finished upload, written back before the message is posted: a retry after a
        /// dropped connection posts this file instead of uploading it again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        uploaded: Option<AttachmentRef>,
    },
}

impl OutboxItem {
    /// The text the user typed, kept visible while the item is pending or failed.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text { content }
            | Self::Reply { content, .. }
            | Self::Edit { content, .. }
            | Self::Attachment { content, .. } => Some(content),
            Self::Delete { .. } | Self::Reaction { .. } => None,
        }
    }

    /// Whether this item creates a new message (the only kind whose resend could duplicate:
    /// edits, deletes and reactions are idempotent on the server).
    #[must_use]
    pub fn creates_message(&self) -> bool {
        matches!(
            self,
            Self::Text { .. } | Self::Reply { .. } | Self::Attachment { .. }
        )
    }
}

/// Where a pending send stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxState {
    /// Waiting for its turn, the network, or a rate limit (show a clock).
    Queued,
    /// A request is in flight.
    Sending,
    /// The server refused it; it stays here with its text until retried, edited or
    /// cancelled (show red, with Retry / Edit / Delete).
    Failed {
        /// What to show: `content_rejected`, `forbidden`, `invalid_input`, …
        reason: UiState,
    },
}

/// One pending send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutboxEntry {
    /// Local id: stable for the life of the entry, increasing in send order.
    #[ts(type = "number")]
    pub local_id: i64,
    /// The channel it goes to.
    pub channel_id: String,
    /// What is sent.
    pub item: OutboxItem,
    /// Where it stands.
    pub state: OutboxState,
    /// When it was enqueued (ms).
    #[ts(type = "number")]
    pub created_at: TimestampMs,
}

/// One change to the outbox, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "update", rename_all = "snake_case")]
#[ts(export)]
pub enum OutboxUpdate {
    /// A new entry was written (a local echo to render at once).
    Queued {
        /// The entry.
        entry: OutboxEntry,
    },
    /// An attempt started.
    Sending {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
    },
    /// An attempt failed in a way that will pass (offline, rate limited, server error): the
    /// entry is queued again and the channel's queue waits.
    Waiting {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
        /// Why it waits (`offline`, `rate_limited{retry_at}`, `server_error`, …).
        state: UiState,
        /// When the next attempt is due (ms).
        #[ts(type = "number")]
        retry_at: TimestampMs,
    },
    /// Delivered: the entry is gone from the outbox.
    Sent {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
        /// The server's message for sends and edits (merge it by id with the gateway echo);
        /// `None` for deletes and reactions.
        message: Option<Message>,
    },
    /// The server refused it for good; the entry keeps its text.
    Failed {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
        /// Why.
        state: UiState,
    },
    /// An upload is under way: `sent` of `total` bytes of the entry's file have gone out
    /// (at most about one update per percent).
    Progress {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
        /// Bytes sent so far.
        #[ts(type = "number")]
        sent: u64,
        /// The file's size.
        #[ts(type = "number")]
        total: u64,
    },
    /// The user retried or edited a failed entry; it is queued again.
    Retrying {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
    },
    /// The user cancelled it; it is gone and was not sent.
    Cancelled {
        /// Which entry.
        #[ts(type = "number")]
        local_id: i64,
    },
    /// The "Scheduled" list changed (added, edited, cancelled): reload it if it is open.
    ScheduledChanged,
    /// A scheduled message reached its time and is now an ordinary queued send (a `queued`
    /// update for it came just before). `status` says whether it went out late.
    ScheduledSent {
        /// The list row, now `sent` or `sent_late`.
        scheduled: crate::rich::ScheduledMessage,
    },
    /// Updates were missed (a receiver fell behind): reload the list with
    /// [`Outbox::entries`](crate::outbox::Outbox::entries). Emitted by whoever relays the updates.
    Resync,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_serialise_as_tagged_snake_case() {
        let u = OutboxUpdate::Failed {
            local_id: 3,
            state: UiState::ContentRejected {
                message: "Internal server error".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({
                "update": "failed",
                "local_id": 3,
                "state": {"state": "content_rejected", "message": "Internal server error"}
            })
        );
        let item = OutboxItem::Reaction {
            message_id: "1".into(),
            emoji: "👍".into(),
            is_add: true,
        };
        let json = serde_json::to_string(&item).unwrap();
        assert_eq!(serde_json::from_str::<OutboxItem>(&json).unwrap(), item);
        assert!(json.contains("\"kind\":\"reaction\""));
    }
}
