//! Mentions and replies to the signed-in user, as this device saw them.
//!
//! The rows are written by the `mentions_record` trigger (schema migration 3) whenever a
//! message is cached, so history pages, gateway events and sends all feed them; this module
//! reads them and keeps the per-channel "seen" flag that the mention badge counts.

use std::collections::HashMap;

use rusqlite::params;

use super::{Error, Store};
use crate::model::Message;
use crate::saved::{MentionEntry, MentionKind};

impl Store {
    /// Records who the signed-in user is, so the trigger can tell a mention of them.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_me(&self, user_id: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO account_meta (key, value) VALUES ('me', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![user_id],
        )?;
        Ok(())
    }

    /// The newest `limit` mentions and replies, newest first, with their channel's server.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn mentions(&self, limit: usize) -> Result<Vec<MentionEntry>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT m.kind, m.channel_id, c.server_id, m.json, m.seen
             FROM mentions m LEFT JOIN channels c ON c.id = m.channel_id
             ORDER BY m.id_len DESC, m.message_id DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, channel_id, server_id, json, seen)| {
                // A row whose JSON no longer parses (a model change) is skipped, not fatal.
                let message: Message = serde_json::from_str(&json).ok()?;
                Some(MentionEntry {
                    kind: if kind == "reply" {
                        MentionKind::Reply
                    } else {
                        MentionKind::Mention
                    },
                    channel_id,
                    server_id,
                    message,
                    seen,
                })
            })
            .collect())
    }

    /// Unseen mentions per channel (channels without any are absent): the mention badges.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn unseen_mention_counts(&self) -> Result<HashMap<String, u32>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT channel_id, count(*) FROM mentions WHERE seen = 0 GROUP BY channel_id",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(rows)
    }

    /// The user opened `channel_id`: its mentions no longer count on the badge.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn mark_mentions_seen(&self, channel_id: &str) -> Result<(), Error> {
        self.conn().execute(
            "UPDATE mentions SET seen = 1 WHERE channel_id = ?1 AND seen = 0",
            params![channel_id],
        )?;
        Ok(())
    }
}

impl Store {
    /// One cached message by id, in `channel_id` when given, else in any channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn cached_message(
        &self,
        channel_id: Option<&str>,
        message_id: &str,
    ) -> Result<Option<Message>, Error> {
        let conn = self.conn();
        let json: Option<String> = match channel_id {
            Some(c) => conn
                .prepare_cached("SELECT json FROM messages WHERE channel_id = ?1 AND id = ?2")?
                .query_row(params![c, message_id], |r| r.get(0))
                .ok(),
            None => None,
        };
        let json = match json {
            Some(j) => Some(j),
            None => conn
                .prepare_cached("SELECT json FROM messages WHERE id = ?1 LIMIT 1")?
                .query_row(params![message_id], |r| r.get(0))
                .ok(),
        };
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages::tests::message;
    use super::*;

    fn from(author: &str, channel: &str, id: &str, content: &str) -> Message {
        let mut m = message(channel, id, content);
        m.author_id = author.into();
        m
    }

    #[test]
    fn mentions_and_replies_to_me_are_recorded_as_messages_are_cached() {
        let store = Store::in_memory().unwrap();
        store.set_me("10").unwrap();
        let mine = from("10", "c1", "1", "my question");
        let mut reply = from("20", "c1", "2", "an answer");
        reply.reply_to_id = Some("1".into());
        store
            .save_messages(
                "c1",
                &[
                    mine,
                    reply,
                    from("20", "c1", "3", "hey <@10> look"),
                    from("20", "c1", "4", "plain"),
                    from("20", "c1", "5", "<@101> is someone else"),
                    from("10", "c1", "6", "talking about <@10> myself"),
                ],
            )
            .unwrap();
        let list = store.mentions(10).unwrap();
        let got: Vec<(&str, MentionKind)> = list
            .iter()
            .map(|e| (e.message.id.as_str(), e.kind))
            .collect();
        assert_eq!(
            got,
            vec![("3", MentionKind::Mention), ("2", MentionKind::Reply)]
        );
        assert_eq!(store.unseen_mention_counts().unwrap()["c1"], 2);

        // An edit (the same id again) keeps one row and its seen flag.
        store.mark_mentions_seen("c1").unwrap();
        store
            .save_messages("c1", &[from("20", "c1", "3", "hey <@10> look (edited)")])
            .unwrap();
        let list = store.mentions(10).unwrap();
        assert_eq!(list.len(), 2);
        assert!(list[0].seen);
        assert!(list[0].message.content.ends_with("(edited)"));
        assert!(store.unseen_mention_counts().unwrap().is_empty());

        // A deleted message leaves the view.
        store.remove_message("c1", "3").unwrap();
        assert_eq!(store.mentions(10).unwrap().len(), 1);
    }
}
