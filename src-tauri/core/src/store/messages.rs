//! Recent messages per channel: what a channel paints from before the network answers.
//!
//! Messages are keyed by (requested channel id, message id): the server's `channel_id` can
//! differ from the id that was asked for (PROTOCOL.md §6). An insert of an id already present
//! replaces it, so a gateway echo and the REST answer of the same send merge into one row
//! (there is no nonce, PROTOCOL.md §6). Only the newest [`KEEP_PER_CHANNEL`] rows of a
//! channel are kept on disk.

use rusqlite::params;

use super::{decode_all, to_json, Error, Store};
use crate::model::Message;

/// Messages kept on disk per channel; older ones are fetched again when scrolled to.
pub const KEEP_PER_CHANNEL: usize = 2_000;

impl Store {
    /// Inserts or replaces messages of `channel_id`, then trims the channel to
    /// [`KEEP_PER_CHANNEL`].
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn save_messages(&self, channel_id: &str, messages: &[Message]) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO messages (channel_id, id, id_len, json)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for m in messages {
                stmt.execute(params![
                    channel_id,
                    m.id,
                    i64::try_from(m.id.len()).unwrap_or(i64::MAX),
                    to_json(m)?
                ])?;
            }
        }
        trim(&tx, channel_id, KEEP_PER_CHANNEL)?;
        tx.commit()?;
        Ok(())
    }

    /// Drops a message (deleted on the server).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn remove_message(&self, channel_id: &str, message_id: &str) -> Result<(), Error> {
        self.conn().execute(
            "DELETE FROM messages WHERE channel_id = ?1 AND id = ?2",
            params![channel_id, message_id],
        )?;
        Ok(())
    }

    /// The newest `limit` cached messages of a channel, oldest first.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn recent_messages(&self, channel_id: &str, limit: usize) -> Result<Vec<Message>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT json FROM messages WHERE channel_id = ?1
             ORDER BY id_len DESC, id DESC LIMIT ?2",
        )?;
        let mut jsons = stmt
            .query_map(
                params![channel_id, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get::<_, String>(0),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        jsons.reverse();
        Ok(decode_all(&jsons))
    }

    /// The newest cached message id of a channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn newest_message_id(&self, channel_id: &str) -> Result<Option<String>, Error> {
        self.scalar(
            "SELECT id FROM messages WHERE channel_id = ?1 ORDER BY id_len DESC, id DESC LIMIT 1",
            [channel_id],
        )
    }
}

fn trim(conn: &rusqlite::Connection, channel_id: &str, keep: usize) -> Result<(), Error> {
    conn.execute(
        "DELETE FROM messages WHERE channel_id = ?1 AND rowid NOT IN (
             SELECT rowid FROM messages WHERE channel_id = ?1
             ORDER BY id_len DESC, id DESC LIMIT ?2)",
        params![channel_id, i64::try_from(keep).unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn message(channel: &str, id: &str, content: &str) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": id, "channel_id": channel, "author_id": "7",
            "content": content, "created_at": 1
        }))
        .unwrap()
    }

    #[test]
    fn recent_messages_are_ordered_numerically_not_as_text() {
        let store = Store::in_memory().unwrap();
        store
            .save_messages("c", &[message("c", "100", "b"), message("c", "99", "a")])
            .unwrap();
        let got: Vec<_> = store.recent_messages("c", 10).unwrap();
        assert_eq!(
            got.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["99", "100"]
        );
        assert_eq!(
            store.newest_message_id("c").unwrap().as_deref(),
            Some("100")
        );
    }

    #[test]
    fn an_echo_and_the_rest_answer_merge_into_one_row() {
        let store = Store::in_memory().unwrap();
        store
            .save_messages("c", &[message("c", "5", "hi")])
            .unwrap();
        store
            .save_messages("c", &[message("c", "5", "hi (edited)")])
            .unwrap();
        let got = store.recent_messages("c", 10).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].content, "hi (edited)");
        store.remove_message("c", "5").unwrap();
        assert!(store.recent_messages("c", 10).unwrap().is_empty());
    }

    #[test]
    fn only_the_newest_messages_of_a_channel_are_kept() {
        let store = Store::in_memory().unwrap();
        let many: Vec<_> = (1..=KEEP_PER_CHANNEL + 5)
            .map(|i| message("c", &i.to_string(), "x"))
            .collect();
        store.save_messages("c", &many).unwrap();
        store
            .save_messages("other", &[message("other", "1", "y")])
            .unwrap();
        let got = store.recent_messages("c", usize::MAX).unwrap();
        assert_eq!(got.len(), KEEP_PER_CHANNEL);
        assert_eq!(got[0].id, "6");
        assert_eq!(store.recent_messages("other", 10).unwrap().len(), 1);
    }
}
