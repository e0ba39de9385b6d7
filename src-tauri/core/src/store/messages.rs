//! Recent messages per channel: what a channel paints from before the network answers.
//!
//! Messages are keyed by (requested channel id, message id): the server's `channel_id` can
//! differ from the id that was asked for (PROTOCOL.md §6). An insert of an id already present
//! replaces it, so a gateway echo and the REST answer of the same send merge into one row
//! (there is no nonce, PROTOCOL.md §6). Only the newest [`KEEP_PER_CHANNEL`] rows of a
//! channel are kept on disk.

use rusqlite::params;

use super::{decode_all, to_json, Error, Store};
use crate::model::{cmp_ids, Message};

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
        insert_all(&tx, channel_id, messages)?;
        trim(&tx, channel_id, KEEP_PER_CHANNEL)?;
        tx.commit()?;
        Ok(())
    }

    /// Makes the cache agree with a fresh page of history: cached messages inside the span
    /// the page covers (from its oldest to its newest id; from the channel's start when
    /// `reached_start`) that the page lacks were deleted while we were away, so they go; the
    /// page's messages are written. Messages newer than the page (a gateway event that raced
    /// the request) are kept.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn refresh_span(
        &self,
        channel_id: &str,
        page: &[Message],
        reached_start: bool,
    ) -> Result<(), Error> {
        let oldest = page.iter().min_by(|a, b| cmp_ids(&a.id, &b.id));
        let newest = page.iter().max_by(|a, b| cmp_ids(&a.id, &b.id));
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        match (oldest, newest) {
            (Some(oldest), Some(newest)) => {
                let from = if reached_start {
                    ""
                } else {
                    oldest.id.as_str()
                };
                let mut stmt = tx.prepare_cached(
                    "SELECT id FROM messages WHERE channel_id = ?1
                       AND (id_len < ?2 OR (id_len = ?2 AND id <= ?3))
                       AND (id_len > ?4 OR (id_len = ?4 AND id >= ?5))",
                )?;
                let ids = stmt
                    .query_map(
                        params![
                            channel_id,
                            id_len(&newest.id),
                            newest.id,
                            id_len(from),
                            from
                        ],
                        |r| r.get::<_, String>(0),
                    )?
                    .collect::<Result<Vec<_>, _>>()?;
                for gone in ids.iter().filter(|id| !page.iter().any(|m| &m.id == *id)) {
                    tx.execute(
                        "DELETE FROM messages WHERE channel_id = ?1 AND id = ?2",
                        params![channel_id, gone],
                    )?;
                }
            }
            // An empty channel: nothing cached for it is still there.
            _ if reached_start => {
                tx.execute("DELETE FROM messages WHERE channel_id = ?1", [channel_id])?;
            }
            _ => {}
        }
        insert_all(&tx, channel_id, page)?;
        trim(&tx, channel_id, KEEP_PER_CHANNEL)?;
        tx.commit()?;
        Ok(())
    }

    /// Drops a message (deleted on the server).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn remove_message(&self, channel_id: &str, message_id: &str) -> Result<(), Error> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM messages WHERE channel_id = ?1 AND id = ?2",
            params![channel_id, message_id],
        )?;
        // A deleted message leaves the Mentions view too (the trim of old rows does not).
        conn.execute(
            "DELETE FROM mentions WHERE channel_id = ?1 AND message_id = ?2",
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

fn id_len(id: &str) -> i64 {
    i64::try_from(id.len()).unwrap_or(i64::MAX)
}

fn insert_all(
    conn: &rusqlite::Connection,
    channel_id: &str,
    messages: &[Message],
) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO messages (channel_id, id, id_len, json)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for m in messages {
        stmt.execute(params![channel_id, m.id, id_len(&m.id), to_json(m)?])?;
    }
    Ok(())
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

    fn ids(store: &Store, channel: &str) -> Vec<String> {
        store
            .recent_messages(channel, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect()
    }

    #[test]
    fn a_fresh_page_drops_what_was_deleted_inside_its_span_only() {
        let store = Store::in_memory().unwrap();
        let cached: Vec<_> = ["5", "8", "9", "10", "12", "100"]
            .iter()
            .map(|id| message("c", id, "old"))
            .collect();
        store.save_messages("c", &cached).unwrap();
        // The server now has 8, 10 (edited) and 12: 9 was deleted while we were away. 5 is
        // older than the page and 100 newer (a racing gateway event): both stay.
        let page = [
            message("c", "12", "x"),
            message("c", "10", "edited"),
            message("c", "8", "x"),
        ];
        store.refresh_span("c", &page, false).unwrap();
        assert_eq!(ids(&store, "c"), ["5", "8", "10", "12", "100"]);
        let got = store.recent_messages("c", 10).unwrap();
        assert_eq!(got[2].content, "edited");
    }

    #[test]
    fn a_page_that_reaches_the_start_drops_everything_older() {
        let store = Store::in_memory().unwrap();
        store
            .save_messages("c", &[message("c", "1", "a"), message("c", "3", "b")])
            .unwrap();
        store
            .refresh_span("c", &[message("c", "3", "b")], true)
            .unwrap();
        assert_eq!(ids(&store, "c"), ["3"]);
        store.refresh_span("c", &[], true).unwrap();
        assert!(ids(&store, "c").is_empty());
        store
            .save_messages("c", &[message("c", "4", "kept")])
            .unwrap();
        store.refresh_span("c", &[], false).unwrap();
        assert_eq!(
            ids(&store, "c"),
            ["4"],
            "an empty page that is not the start proves nothing"
        );
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
