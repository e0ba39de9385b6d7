//! Scheduled-message rows: messages the user wants sent later.
//!
//! A row is `pending` until its time; [`Store::dispatch_scheduled`] then writes the outbox row
//! and marks the scheduled one `sent` in one transaction, so a crash either leaves it pending
//! (sent on the next start) or already in the outbox (sent by the outbox) — never both, never
//! neither. Sent rows stay for a while so the "Scheduled" list can say "sent late".

use rusqlite::{params, OptionalExtension, Row};

use super::{Error, OutboxRow, Store};
use crate::clock::now_ms;

/// Row state: waiting for its time.
pub const PENDING: &str = "pending";
/// Row state: moved into the outbox.
pub const SENT: &str = "sent";

/// One scheduled row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledRow {
    /// Local id.
    pub id: i64,
    /// The channel it goes to.
    pub channel_id: String,
    /// The text.
    pub content: String,
    /// When to send it (ms).
    pub scheduled_at: i64,
    /// [`PENDING`] or [`SENT`].
    pub state: String,
    /// The server's id while a server-held message is being adopted.
    pub server_id: Option<String>,
    /// When it went into the outbox (ms).
    pub sent_at: Option<i64>,
    /// Whether it went out noticeably after its time (the app was closed).
    pub late: bool,
    /// When it was scheduled (ms).
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, channel_id, content, scheduled_at, state, server_id, sent_at, late, created_at";

fn read_row(r: &Row<'_>) -> rusqlite::Result<ScheduledRow> {
    Ok(ScheduledRow {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        content: r.get(2)?,
        scheduled_at: r.get(3)?,
        state: r.get(4)?,
        server_id: r.get(5)?,
        sent_at: r.get(6)?,
        late: r.get(7)?,
        created_at: r.get(8)?,
    })
}

impl Store {
    /// Writes a pending row.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn insert_scheduled(
        &self,
        channel_id: &str,
        content: &str,
        scheduled_at: i64,
        server_id: Option<&str>,
    ) -> Result<ScheduledRow, Error> {
        let conn = self.conn();
        let created_at = now_ms();
        conn.execute(
            "INSERT INTO scheduled (channel_id, content, scheduled_at, state, server_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                channel_id,
                content,
                scheduled_at,
                PENDING,
                server_id,
                created_at
            ],
        )?;
        Ok(ScheduledRow {
            id: conn.last_insert_rowid(),
            channel_id: channel_id.to_owned(),
            content: content.to_owned(),
            scheduled_at,
            state: PENDING.to_owned(),
            server_id: server_id.map(str::to_owned),
            sent_at: None,
            late: false,
            created_at,
        })
    }

    /// Every row, soonest first (pending and sent).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn scheduled_rows(&self) -> Result<Vec<ScheduledRow>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM scheduled ORDER BY scheduled_at, id"
        ))?;
        let rows = stmt.query_map([], read_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// One row.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn scheduled_row(&self, id: i64) -> Result<Option<ScheduledRow>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM scheduled WHERE id = ?1"),
                [id],
                read_row,
            )
            .optional()?)
    }

    /// The pending row due first (adopted server rows included).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn next_scheduled(&self) -> Result<Option<ScheduledRow>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM scheduled WHERE state = ?1
                     ORDER BY scheduled_at, id LIMIT 1"
                ),
                [PENDING],
                read_row,
            )
            .optional()?)
    }

    /// Changes a pending row's text and time; `false` when it is gone or already sent.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn update_scheduled(
        &self,
        id: i64,
        content: &str,
        scheduled_at: i64,
    ) -> Result<bool, Error> {
        let n = self.conn().execute(
            "UPDATE scheduled SET content = ?2, scheduled_at = ?3 WHERE id = ?1 AND state = ?4",
            params![id, content, scheduled_at, PENDING],
        )?;
        Ok(n > 0)
    }

    /// Clears the server id of an adopted row (the server no longer holds it).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn clear_scheduled_server_id(&self, id: i64) -> Result<(), Error> {
        self.conn()
            .execute("UPDATE scheduled SET server_id = NULL WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Deletes a row (cancelled or dismissed); `false` when it was already gone.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn delete_scheduled(&self, id: i64) -> Result<bool, Error> {
        let n = self
            .conn()
            .execute("DELETE FROM scheduled WHERE id = ?1", [id])?;
        Ok(n > 0)
    }

    /// Forgets sent rows older than `before` (ms): the list says "sent late" for a day only.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn prune_scheduled(&self, before: i64) -> Result<(), Error> {
        self.conn().execute(
            "DELETE FROM scheduled WHERE state = ?1 AND sent_at < ?2",
            params![SENT, before],
        )?;
        Ok(())
    }

    /// Moves a pending row into the outbox as `item` (JSON) and marks it sent, in one
    /// transaction. `None` when the row is no longer pending (cancelled meanwhile).
    ///
    /// # Errors
    /// [`Error::Sqlite`] (nothing changed).
    pub fn dispatch_scheduled(
        &self,
        id: i64,
        item: &str,
        late: bool,
    ) -> Result<Option<OutboxRow>, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let channel: Option<String> = tx
            .query_row(
                "SELECT channel_id FROM scheduled WHERE id = ?1 AND state = ?2",
                params![id, PENDING],
                |r| r.get(0),
            )
            .optional()?;
        let Some(channel_id) = channel else {
            return Ok(None);
        };
        let now = now_ms();
        tx.execute(
            "INSERT INTO outbox (channel_id, item, state, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![channel_id, item, super::outbox::QUEUED, now],
        )?;
        let local_id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE scheduled SET state = ?2, sent_at = ?3, late = ?4 WHERE id = ?1",
            params![id, SENT, now, late],
        )?;
        tx.commit()?;
        Ok(Some(OutboxRow {
            local_id,
            channel_id,
            item: item.to_owned(),
            state: super::outbox::QUEUED.to_owned(),
            reason: None,
            needs_check: false,
            created_at: now,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_moves_a_pending_row_into_the_outbox_once() {
        let store = Store::in_memory().unwrap();
        let row = store.insert_scheduled("c", "later", 1_000, None).unwrap();
        assert_eq!(store.next_scheduled().unwrap().unwrap().id, row.id);
        let out = store
            .dispatch_scheduled(row.id, "{\"kind\":\"text\"}", true)
            .unwrap()
            .unwrap();
        assert_eq!(out.channel_id, "c");
        assert_eq!(store.outbox_rows().unwrap().len(), 1);
        let sent = store.scheduled_row(row.id).unwrap().unwrap();
        assert_eq!(sent.state, SENT);
        assert!(sent.late);
        // A second dispatch (a race with a cancel or a double wake) does nothing.
        assert!(store
            .dispatch_scheduled(row.id, "{}", false)
            .unwrap()
            .is_none());
        assert_eq!(store.outbox_rows().unwrap().len(), 1);
        assert!(store.next_scheduled().unwrap().is_none());
        assert!(!store.update_scheduled(row.id, "x", 5).unwrap());
    }
}
