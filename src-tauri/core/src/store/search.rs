//! Full-text search over every message this device holds (SQLite FTS5).
//!
//! The index (`message_search`, schema migration 2) is written by triggers on `messages`, so
//! it always covers exactly what the cache holds, offline too; the server's own search is
//! broken (messaging.txt: every query answers 500), so this is what answers first.
//!
//! Words match by prefix (`bana` finds "banana"), case and accents ignored, all words must
//! occur (in the text, the author's name or a file name). Filters narrow by channel, server,
//! author, attachment and date. Results are newest first.

use rusqlite::types::Value;

use super::{Error, Store};
use crate::model::Message;

/// The most results one search returns.
pub const SEARCH_LIMIT: u32 = 100;

/// What to look for, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalSearch {
    /// Words to find; empty matches every message that passes the filters.
    pub text: String,
    /// Only this channel (the id the cache keys it by).
    pub channel_id: Option<String>,
    /// Only channels of this server.
    pub server_id: Option<String>,
    /// Only messages by this user: an id or a user name (case ignored).
    pub author: Option<String>,
    /// Only messages with at least one file.
    pub has_file: bool,
    /// Only messages created before this time (ms).
    pub before: Option<i64>,
    /// Only messages created after this time (ms).
    pub after: Option<i64>,
    /// At most this many (1..=[`SEARCH_LIMIT`]).
    pub limit: u32,
}

/// One local result: the message and the channel id the cache keeps it under (which is the
/// id to open, PROTOCOL.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalHit {
    /// The channel to open.
    pub channel_id: String,
    /// The message as cached.
    pub message: Message,
}

/// Turns what a user typed into an FTS5 query that cannot be a syntax error: every word is
/// quoted (so `AND`, `"` or `*` are just text) and matched as a prefix. `None` when nothing
/// searchable is left (only punctuation or spaces).
#[must_use]
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '\'')
        .map(|w| w.trim_matches('\''))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

impl Store {
    /// Searches the cached messages; newest first.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn search_messages(&self, q: &LocalSearch) -> Result<Vec<LocalHit>, Error> {
        let mut sql = String::from("SELECT m.channel_id, m.json FROM messages m");
        let mut args: Vec<Value> = Vec::new();
        let mut clauses: Vec<&str> = Vec::new();
        match fts_query(&q.text) {
            Some(fts) => {
                sql.push_str(" JOIN message_search s ON s.rowid = m.rowid");
                clauses.push("message_search MATCH ?");
                args.push(Value::Text(fts));
            }
            // Words that are only punctuation match nothing rather than everything.
            None if !q.text.trim().is_empty() => return Ok(Vec::new()),
            None => {}
        }
        if let Some(c) = &q.channel_id {
            clauses.push("m.channel_id = ?");
            args.push(Value::Text(c.clone()));
        }
        if let Some(s) = &q.server_id {
            clauses.push("m.channel_id IN (SELECT id FROM channels WHERE server_id = ?)");
            args.push(Value::Text(s.clone()));
        }
        if let Some(a) = q.author.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            let a = a.trim_start_matches('@');
            clauses.push(
                "(json_extract(m.json, '$.author_id') = ?
                  OR lower(json_extract(m.json, '$.author_username')) = lower(?))",
            );
            args.push(Value::Text(a.to_owned()));
            args.push(Value::Text(a.to_owned()));
        }
        if q.has_file {
            clauses.push("json_array_length(m.json, '$.attachments') > 0");
        }
        if let Some(b) = q.before {
            clauses.push("json_extract(m.json, '$.created_at') < ?");
            args.push(Value::Integer(b));
        }
        if let Some(a) = q.after {
            clauses.push("json_extract(m.json, '$.created_at') > ?");
            args.push(Value::Integer(a));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY m.id_len DESC, m.id DESC LIMIT ?");
        args.push(Value::Integer(i64::from(q.limit.clamp(1, SEARCH_LIMIT))));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut hits = Vec::with_capacity(rows.len());
        for (channel_id, json) in rows {
            match serde_json::from_str::<Message>(&json) {
                Ok(message) => hits.push(LocalHit {
                    channel_id,
                    message,
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping a cached message that no longer decodes")
                }
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::messages::tests::message;

    fn with_author(channel: &str, id: &str, content: &str, author: &str) -> Message {
        let mut m = message(channel, id, content);
        m.author_id = format!("u-{author}");
        m.author_username = Some(author.to_owned());
        m.created_at = id.parse().unwrap();
        m
    }

    fn search(store: &Store, q: LocalSearch) -> Vec<String> {
        store
            .search_messages(&LocalSearch { limit: 50, ..q })
            .unwrap()
            .into_iter()
            .map(|h| h.message.id)
            .collect()
    }

    fn text(t: &str) -> LocalSearch {
        LocalSearch {
            text: t.to_owned(),
            ..LocalSearch::default()
        }
    }

    fn seeded() -> Store {
        let store = Store::in_memory().unwrap();
        store
            .save_messages(
                "c1",
                &[
                    with_author("c1", "10", "banana smoothie recipe", "alice"),
                    with_author("c1", "11", "I like Banana bread", "bob"),
                    with_author("c1", "12", "apple pie tonight", "alice"),
                ],
            )
            .unwrap();
        store
            .save_messages(
                "c2",
                &[with_author("c2", "20", "Bananas? BANANA! Café", "bob")],
            )
            .unwrap();
        store
    }

    #[test]
    fn words_match_by_prefix_ignoring_case_and_accents_newest_first() {
        let store = seeded();
        assert_eq!(search(&store, text("banana")), ["20", "11", "10"]);
        assert_eq!(search(&store, text("BAN")), ["20", "11", "10"]);
        assert_eq!(search(&store, text("cafe")), ["20"]);
        assert_eq!(search(&store, text("banana bread")), ["11"]);
        assert!(search(&store, text("cherry")).is_empty());
    }

    #[test]
    fn query_syntax_in_user_text_is_only_text() {
        let store = seeded();
        for t in [
            "\"",
            "AND",
            "banana OR",
            "NEAR(",
            "*",
            "a\"b",
            "-banana",
            "???",
        ] {
            // Must not be an FTS syntax error.
            store
                .search_messages(&LocalSearch {
                    limit: 5,
                    ..text(t)
                })
                .unwrap();
        }
        assert!(search(&store, text("???")).is_empty());
        assert_eq!(
            fts_query("it's  \"x\" y*").as_deref(),
            Some("\"it's\"* \"x\"* \"y\"*")
        );
    }

    #[test]
    fn filters_narrow_by_channel_author_date_and_file() {
        let store = seeded();
        let q = |f: fn(&mut LocalSearch)| {
            let mut q = text("banana");
            f(&mut q);
            search(&store, q)
        };
        assert_eq!(q(|q| q.channel_id = Some("c1".into())), ["11", "10"]);
        assert_eq!(q(|q| q.author = Some("BOB".into())), ["20", "11"]);
        assert_eq!(q(|q| q.author = Some("u-alice".into())), ["10"]);
        assert_eq!(q(|q| q.before = Some(11)), ["10"]);
        assert_eq!(q(|q| q.after = Some(10)), ["20", "11"]);
        assert!(q(|q| q.has_file = true).is_empty());
        // No words: every message that passes the filters.
        assert_eq!(
            search(
                &store,
                LocalSearch {
                    author: Some("alice".into()),
                    ..LocalSearch::default()
                }
            ),
            ["12", "10"]
        );
    }

    #[test]
    fn a_file_name_is_searchable_and_has_file_finds_it() {
        let store = Store::in_memory().unwrap();
        let mut m = message("c", "5", "see attached");
        m.attachments = vec![serde_json::from_value(serde_json::json!({
            "id": "1", "filename": "quarterly-report.pdf", "url": "/a/1"
        }))
        .unwrap()];
        store
            .save_messages("c", &[m, message("c", "6", "no file")])
            .unwrap();
        assert_eq!(search(&store, text("quarterly")), ["5"]);
        let files = LocalSearch {
            has_file: true,
            ..LocalSearch::default()
        };
        assert_eq!(search(&store, files), ["5"]);
    }

    #[test]
    fn edits_deletes_and_trims_keep_the_index_in_step() {
        let store = seeded();
        // An edit replaces the row: the old words no longer match, the new ones do.
        store
            .save_messages("c1", &[with_author("c1", "12", "cherry pie now", "alice")])
            .unwrap();
        assert!(search(&store, text("apple")).is_empty());
        assert_eq!(search(&store, text("cherry")), ["12"]);
        store.remove_message("c1", "12").unwrap();
        assert!(search(&store, text("cherry")).is_empty());
        // A fresh page that drops a message (deleted while away) drops it from the index.
        store
            .refresh_span(
                "c1",
                &[with_author("c1", "11", "I like Banana bread", "bob")],
                true,
            )
            .unwrap();
        assert_eq!(search(&store, text("banana")), ["20", "11"]);
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM message_search", [], |r| r.get(0))
            .unwrap();
        let m: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, m, "no orphan rows in the index");
    }

    #[test]
    fn messages_cached_before_the_index_existed_are_indexed_by_the_migration() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::schema::MIGRATIONS[0])
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let json = serde_json::to_string(&message("c", "7", "kept from before")).unwrap();
        conn.execute(
            "INSERT INTO messages (channel_id, id, id_len, json) VALUES ('c', '7', 1, ?1)",
            [json],
        )
        .unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        let store = Store {
            conn: std::sync::Arc::new(std::sync::Mutex::new(conn)),
            path: None,
        };
        assert_eq!(search(&store, text("before")), ["7"]);
    }
}
