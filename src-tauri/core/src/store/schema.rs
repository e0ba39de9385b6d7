//! Schema migrations, applied in order inside one transaction each.
//!
//! `PRAGMA user_version` holds the number of migrations applied. A migration is never edited
//! once released: a change is a new entry at the end of [`MIGRATIONS`]. A database written
//! by a newer app (a higher version than we know) is refused rather than guessed at.

use rusqlite::Connection;

use super::Error;

/// Every migration, oldest first; the schema version is the index of the last applied + 1.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the cache and the outbox. Rows keep the server's JSON so that a new field in the
    // model needs no migration; only what is queried or ordered on gets a column.
    "CREATE TABLE servers (
         id TEXT PRIMARY KEY,
         json TEXT NOT NULL
     );
     CREATE TABLE channels (
         id TEXT PRIMARY KEY,
         server_id TEXT,
         json TEXT NOT NULL
     );
     CREATE INDEX channels_by_server ON channels(server_id);
     CREATE TABLE members (
         server_id TEXT NOT NULL,
         user_id TEXT NOT NULL,
         json TEXT NOT NULL,
         PRIMARY KEY (server_id, user_id)
     );
     CREATE TABLE dm_channels (
         id TEXT PRIMARY KEY,
         json TEXT NOT NULL
     );
     -- Snowflakes are decimal strings of varying length: (length, text) sorts them
     -- numerically.
     CREATE TABLE messages (
         channel_id TEXT NOT NULL,
         id TEXT NOT NULL,
         id_len INTEGER NOT NULL,
         json TEXT NOT NULL,
         PRIMARY KEY (channel_id, id)
     );
     CREATE INDEX messages_by_order ON messages(channel_id, id_len, id);
     CREATE TABLE read_markers (
         channel_id TEXT PRIMARY KEY,
         message_id TEXT NOT NULL
     );
     CREATE TABLE drafts (
         channel_id TEXT PRIMARY KEY,
         content TEXT NOT NULL,
         updated_at INTEGER NOT NULL
     );
     -- local_id order is send order within a channel.
     CREATE TABLE outbox (
         local_id INTEGER PRIMARY KEY AUTOINCREMENT,
         channel_id TEXT NOT NULL,
         item TEXT NOT NULL,
         -- 'queued' | 'sending' | 'failed'; reason is the failure's UiState as JSON.
         state TEXT NOT NULL,
         reason TEXT,
         needs_check INTEGER NOT NULL DEFAULT 0,
         created_at INTEGER NOT NULL
     );
     CREATE INDEX outbox_by_channel ON outbox(channel_id, local_id);
     -- The newest message id known in a channel before its next send: a resend after an
     -- ambiguous failure searches history after it (PROTOCOL.md §6: no nonce).
     CREATE TABLE outbox_cursor (
         channel_id TEXT PRIMARY KEY,
         message_id TEXT NOT NULL
     );",
    // 2: full-text search over every cached message (see `search.rs`). Triggers keep it in
    // step with `messages` inside the same write, so no path can forget it; an `INSERT OR
    // REPLACE` fires the delete trigger because the store turns `recursive_triggers` on.
    "CREATE VIRTUAL TABLE message_search USING fts5(
         content, author, files,
         tokenize = 'unicode61 remove_diacritics 2'
     );
     CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
         INSERT INTO message_search (rowid, content, author, files) VALUES (
             new.rowid,
             coalesce(json_extract(new.json, '$.content'), ''),
             coalesce(json_extract(new.json, '$.author_username'), ''),
             coalesce((SELECT group_concat(json_extract(value, '$.filename'), ' ')
                       FROM json_each(new.json, '$.attachments')), ''));
     END;
     CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
         DELETE FROM message_search WHERE rowid = old.rowid;
     END;
     CREATE TRIGGER message_search_update AFTER UPDATE ON messages BEGIN
         DELETE FROM message_search WHERE rowid = old.rowid;
         INSERT INTO message_search (rowid, content, author, files) VALUES (
             new.rowid,
             coalesce(json_extract(new.json, '$.content'), ''),
             coalesce(json_extract(new.json, '$.author_username'), ''),
             coalesce((SELECT group_concat(json_extract(value, '$.filename'), ' ')
                       FROM json_each(new.json, '$.attachments')), ''));
     END;
     INSERT INTO message_search (rowid, content, author, files)
         SELECT rowid,
                coalesce(json_extract(json, '$.content'), ''),
                coalesce(json_extract(json, '$.author_username'), ''),
                coalesce((SELECT group_concat(json_extract(value, '$.filename'), ' ')
                          FROM json_each(messages.json, '$.attachments')), '')
         FROM messages;",
    // 3: messages to send later (issue 16). The server accepts scheduled messages but never
    // delivers them, so the outbox keeps its own and moves each into `outbox` at its time,
    // in the same transaction that marks it `sent` (never lost, never sent twice).
    // `server_id` is set while a server-held one is being adopted (cancelled there first so
    // that only one device sends it).
    "CREATE TABLE scheduled (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         channel_id TEXT NOT NULL,
         content TEXT NOT NULL,
         scheduled_at INTEGER NOT NULL,
         -- 'pending' | 'sent'
         state TEXT NOT NULL,
         server_id TEXT,
         sent_at INTEGER,
         late INTEGER NOT NULL DEFAULT 0,
         created_at INTEGER NOT NULL
     );
     CREATE INDEX scheduled_by_time ON scheduled(state, scheduled_at);",
    // 4: mentions and replies to the user, recorded by the database itself as messages are
    // cached (like the search index), so every path that caches a message feeds the Mentions
    // view. Rows outlive the per-channel trim of `messages`; `seen` drives the mention badge
    // and survives a restart. `account_meta.me` is the signed-in user's id.
    "CREATE TABLE account_meta (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE mentions (
         message_id TEXT PRIMARY KEY,
         channel_id TEXT NOT NULL,
         kind TEXT NOT NULL,
         id_len INTEGER NOT NULL,
         json TEXT NOT NULL,
         seen INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX mentions_by_channel ON mentions(channel_id, seen);
     CREATE INDEX mentions_by_order ON mentions(id_len, message_id);
     CREATE TRIGGER mentions_record AFTER INSERT ON messages
     WHEN json_extract(new.json, '$.author_id') IS NOT (SELECT value FROM account_meta WHERE key = 'me')
      AND (instr(coalesce(json_extract(new.json, '$.content'), ''),
                 '<@' || (SELECT value FROM account_meta WHERE key = 'me') || '>') > 0
        OR instr(coalesce(json_extract(new.json, '$.content'), ''),
                 '<@!' || (SELECT value FROM account_meta WHERE key = 'me') || '>') > 0
        OR EXISTS (SELECT 1 FROM messages p
                   WHERE p.channel_id = new.channel_id
                     AND p.id = json_extract(new.json, '$.reply_to_id')
                     AND json_extract(p.json, '$.author_id') = (SELECT value FROM account_meta WHERE key = 'me')))
     BEGIN
         INSERT INTO mentions (message_id, channel_id, kind, id_len, json) VALUES (
             new.id, new.channel_id,
             CASE WHEN instr(coalesce(json_extract(new.json, '$.content'), ''),
                             '<@' || (SELECT value FROM account_meta WHERE key = 'me') || '>') > 0
                    OR instr(coalesce(json_extract(new.json, '$.content'), ''),
                             '<@!' || (SELECT value FROM account_meta WHERE key = 'me') || '>') > 0
                  THEN 'mention' ELSE 'reply' END,
             new.id_len, new.json)
         ON CONFLICT (message_id) DO UPDATE SET json = excluded.json;
     END;",
    // 5: read state per channel (see `unread.rs`): the unread count, the last-read message,
    // whether the user marked it unread by hand (the server ignores that), when it last
    // changed here, and the conversation id the server keys read state by.
    "CREATE TABLE read_state (
         channel_id TEXT PRIMARY KEY,
         conversation_id TEXT,
         unread INTEGER NOT NULL DEFAULT 0,
         last_read_id TEXT,
         is_manual INTEGER NOT NULL DEFAULT 0,
         changed_at INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX read_state_by_conversation ON read_state(conversation_id);",
];

/// The schema version this build writes.
#[must_use]
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings `conn` up to [`latest_version`].
///
/// # Errors
/// [`Error::TooNew`] for a database from a newer app; [`Error::Sqlite`] when a migration fails
/// (the transaction is rolled back, the file is left as it was).
pub fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest_version() {
        return Err(Error::TooNew {
            found: current,
            known: latest_version(),
        });
    }
    let start = usize::try_from(current).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_sets_the_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest_version());
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(Error::TooNew { .. })));
    }
}
