//! Outbox rows: sends written before they are attempted, deleted only after success.
//!
//! The store knows rows, not items: `item` and `reason` are JSON owned by [`crate::outbox`].
//! `local_id` (AUTOINCREMENT, never reused) is the send order within a channel.
//! `needs_check` marks a row whose last attempt may have reached the server; a row left in
//! `sending` by a crash is read back with `needs_check` set.

use rusqlite::{params, OptionalExtension, Row};

use super::{Error, Store};
use crate::clock::now_ms;

/// Row state: waiting for its turn (or for the network).
pub const QUEUED: &str = "queued";
/// Row state: a request is (or was, before a crash) in flight.
pub const SENDING: &str = "sending";
/// Row state: the server refused it; skipped until retried, edited or cancelled.
pub const FAILED: &str = "failed";

/// One outbox row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Send order, unique for the life of the database.
    pub local_id: i64,
    /// The channel the send goes to.
    pub channel_id: String,
    /// The item as JSON.
    pub item: String,
    /// [`QUEUED`], [`SENDING`] or [`FAILED`].
    pub state: String,
    /// Why it failed (JSON), for [`FAILED`] rows.
    pub reason: Option<String>,
    /// Whether an earlier attempt may have reached the server.
    pub needs_check: bool,
    /// When it was enqueued (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "local_id, channel_id, item, state, reason, needs_check, created_at";

fn read_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let state: String = r.get(3)?;
    let needs_check: bool = r.get(5)?;
    Ok(OutboxRow {
        local_id: r.get(0)?,
        channel_id: r.get(1)?,
        item: r.get(2)?,
        // An attempt cut short by a crash may or may not have reached the server.
        needs_check: needs_check || state == SENDING,
        state,
        reason: r.get(4)?,
        created_at: r.get(6)?,
    })
}

impl Store {
    /// Writes a new queued row; returns its `local_id`.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn insert_outbox(&self, channel_id: &str, item: &str) -> Result<OutboxRow, Error> {
        let conn = self.conn();
        let created_at = now_ms();
        conn.execute(
            "INSERT INTO outbox (channel_id, item, state, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![channel_id, item, QUEUED, created_at],
        )?;
        Ok(OutboxRow {
            local_id: conn.last_insert_rowid(),
            channel_id: channel_id.to_owned(),
            item: item.to_owned(),
            state: QUEUED.to_owned(),
            reason: None,
            needs_check: false,
            created_at,
        })
    }

    /// Every row, in send order.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn outbox_rows(&self) -> Result<Vec<OutboxRow>, Error> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox ORDER BY local_id"))?;
        let rows = stmt.query_map([], read_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// One row.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn outbox_row(&self, local_id: i64) -> Result<Option<OutboxRow>, Error> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE local_id = ?1"),
                [local_id],
                read_row,
            )
            .optional()?)
    }

    /// The first row of a channel that is not failed: the next one to send.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn outbox_head(&self, channel_id: &str) -> Result<Option<OutboxRow>, Error> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE channel_id = ?1 AND state != ?2
                     ORDER BY local_id LIMIT 1"
                ),
                params![channel_id, FAILED],
                read_row,
            )
            .optional()?)
    }

    /// Channels with at least one row (their queues are respawned at startup).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn outbox_channels(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT channel_id FROM outbox GROUP BY channel_id ORDER BY MIN(local_id)",
        )?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Sets a row's state; `false` when the row is gone (cancelled).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_outbox_state(
        &self,
        local_id: i64,
        state: &str,
        reason: Option<&str>,
        needs_check: bool,
    ) -> Result<bool, Error> {
        let n = self.conn().execute(
            "UPDATE outbox SET state = ?2, reason = ?3, needs_check = ?4 WHERE local_id = ?1",
            params![local_id, state, reason, needs_check],
        )?;
        Ok(n > 0)
    }

    /// Replaces a row's item (the user edited a failed send); `false` when the row is gone.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_outbox_item(&self, local_id: i64, item: &str) -> Result<bool, Error> {
        let n = self.conn().execute(
            "UPDATE outbox SET item = ?2 WHERE local_id = ?1",
            params![local_id, item],
        )?;
        Ok(n > 0)
    }

    /// Deletes a row (sent or cancelled); `false` when it was already gone.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn delete_outbox(&self, local_id: i64) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute("DELETE FROM outbox WHERE local_id = ?1", [local_id])?;
        Ok(n > 0)
    }

    /// The newest message id known in a channel before its next send.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn outbox_cursor(&self, channel_id: &str) -> Result<Option<String>, Error> {
        self.scalar(
            "SELECT message_id FROM outbox_cursor WHERE channel_id = ?1",
            [channel_id],
        )
    }

    /// Moves a channel's cursor.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_outbox_cursor(&self, channel_id: &str, message_id: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT OR REPLACE INTO outbox_cursor (channel_id, message_id) VALUES (?1, ?2)",
            params![channel_id, message_id],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_send_order_and_failed_rows_are_skipped_by_the_head() {
        let store = Store::in_memory().unwrap();
        let a = store.insert_outbox("c", "\"a\"").unwrap();
        let b = store.insert_outbox("c", "\"b\"").unwrap();
        store.insert_outbox("d", "\"x\"").unwrap();
        assert!(a.local_id < b.local_id);
        assert_eq!(
            store.outbox_head("c").unwrap().unwrap().local_id,
            a.local_id
        );
        assert!(store
            .set_outbox_state(a.local_id, FAILED, Some("{}"), false)
            .unwrap());
        assert_eq!(
            store.outbox_head("c").unwrap().unwrap().local_id,
            b.local_id
        );
        assert_eq!(store.outbox_channels().unwrap(), ["c", "d"]);
        assert!(store.delete_outbox(b.local_id).unwrap());
        assert!(!store.delete_outbox(b.local_id).unwrap());
        assert!(store.outbox_head("c").unwrap().is_none());
    }

    #[test]
    fn a_row_left_sending_by_a_crash_needs_a_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let id = {
            let store = Store::open(&path).unwrap();
            let row = store.insert_outbox("c", "\"a\"").unwrap();
            store
                .set_outbox_state(row.local_id, SENDING, None, false)
                .unwrap();
            row.local_id
        };
        let store = Store::open(&path).unwrap();
        let row = store.outbox_row(id).unwrap().unwrap();
        assert!(row.needs_check);
        assert_eq!(row.item, "\"a\"");
    }
}
