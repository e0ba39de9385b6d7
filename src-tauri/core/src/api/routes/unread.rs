//! Read state on the server (messaging.txt, "unread state"). Every route here wants a
//! *conversation* id: the map is keyed by them, and only an ack sent with one moves the
//! last-read pointer. `read-all`, `mark-unread` and the bulk ack answer success and change
//! nothing on the reference server, so the client does not rely on them.

use std::collections::HashMap;

use reqwest::Method;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::seg;
use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::model::opt_id_from_str_or_int;

/// `GET /users/@me/unread`: conversation id → unread count (only counts above 0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UnreadCounts {
    /// Conversation id → count. Keys are strings; a count that is not a whole number is read
    /// as 0 rather than failing the whole map.
    #[serde(default, deserialize_with = "counts")]
    pub unread_counts: HashMap<String, u32>,
}

fn counts<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<String, u32>, D::Error> {
    let raw = Option::<HashMap<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let n = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0);
            (k, u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect())
}

/// `GET /channels/{conversation}/messages/last-read`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct LastRead {
    /// The last message read (a string id; `null` before any conversation-id ack).
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub last_read_message_id: Option<String>,
    /// When it was set (ms).
    #[serde(default)]
    pub last_read_at: Option<i64>,
}

/// `POST …/messages/ack` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AckAnswer {
    /// Whether the server took it.
    #[serde(default)]
    pub success: bool,
    /// Other users' messages newly marked read.
    #[serde(default)]
    pub messages_marked: u64,
}

impl Api {
    /// `GET /users/@me/unread` (cached 10 s per caller on the reference).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn unread_counts(&self) -> Result<UnreadCounts, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/unread"))
            .await
    }

    /// `GET /channels/{conversation}/messages/last-read`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn last_read(&self, conversation_id: &str) -> Result<LastRead, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/channels/{}/messages/last-read", seg(conversation_id)),
        ))
        .await
    }

    /// `POST /channels/{conversation}/messages/ack?message_id=` (harmless to repeat).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn ack_conversation(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<AckAnswer, ClientError> {
        let path = format!("/channels/{}/messages/ack", seg(conversation_id));
        self.call(
            Request::new(Method::POST, path)
                .query("message_id", message_id)
                .idempotent(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_map_and_pointer_decode() {
        let m: UnreadCounts = serde_json::from_str(
            r#"{"unread_counts":{"1578064964738879488":26,"1578069576690700288":2,"x":"3","y":1.5}}"#,
        )
        .unwrap();
        assert_eq!(m.unread_counts["1578064964738879488"], 26);
        assert_eq!(m.unread_counts["x"], 3);
        assert_eq!(m.unread_counts["y"], 0);
        let l: LastRead = serde_json::from_str(
            r#"{"channel_id":"1578069576690700288","last_read_message_id":"1578070202858344448","last_read_at":1796311679803}"#,
        )
        .unwrap();
        assert_eq!(
            l.last_read_message_id.as_deref(),
            Some("1578070202858344448")
        );
        let n: LastRead = serde_json::from_str(
            r#"{"channel_id":"1","last_read_message_id":1578070202858344448,"last_read_at":null}"#,
        )
        .unwrap();
        assert_eq!(
            n.last_read_message_id.as_deref(),
            Some("1578070202858344448")
        );
    }
}
