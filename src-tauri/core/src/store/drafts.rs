//! Drafts and read markers: small per-channel values that must survive a restart.
//!
//! A draft is the composer's text of a channel; saving an empty draft removes it. A read
//! marker only moves forward (a late, older ack never moves it back).

use rusqlite::params;

use super::{Error, Store};
use crate::clock::now_ms;
use crate::model::cmp_ids;

impl Store {
    /// Keeps the composer's text of a channel; an empty (or all-blank) text removes it.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn save_draft(&self, channel_id: &str, content: &str) -> Result<(), Error> {
        let conn = self.conn();
        if content.trim().is_empty() {
            conn.execute("DELETE FROM drafts WHERE channel_id = ?1", [channel_id])?;
        } else {
            conn.execute(
                "INSERT OR REPLACE INTO drafts (channel_id, content, updated_at)
                 VALUES (?1, ?2, ?3)",
                params![channel_id, content, now_ms()],
            )?;
        }
        Ok(())
    }

    /// The draft of a channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn draft(&self, channel_id: &str) -> Result<Option<String>, Error> {
        self.scalar(
            "SELECT content FROM drafts WHERE channel_id = ?1",
            [channel_id],
        )
    }

    /// Every saved draft, as (channel id, text).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn drafts(&self) -> Result<Vec<(String, String)>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT channel_id, content FROM drafts")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Moves the read marker of a channel to `message_id` unless it already is past it.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_read_marker(&self, channel_id: &str, message_id: &str) -> Result<(), Error> {
        if let Some(current) = self.read_marker(channel_id)? {
            if cmp_ids(&current, message_id).is_ge() {
                return Ok(());
            }
        }
        self.conn().execute(
            "INSERT OR REPLACE INTO read_markers (channel_id, message_id) VALUES (?1, ?2)",
            params![channel_id, message_id],
        )?;
        Ok(())
    }

    /// The last read message of a channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn read_marker(&self, channel_id: &str) -> Result<Option<String>, Error> {
        self.scalar(
            "SELECT message_id FROM read_markers WHERE channel_id = ?1",
            [channel_id],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_kept_per_channel_and_cleared_by_an_empty_text() {
        let store = Store::in_memory().unwrap();
        store.save_draft("a", "half a thought").unwrap();
        store.save_draft("b", "other").unwrap();
        assert_eq!(store.draft("a").unwrap().as_deref(), Some("half a thought"));
        store.save_draft("a", "  ").unwrap();
        assert_eq!(store.draft("a").unwrap(), None);
        assert_eq!(store.draft("b").unwrap().as_deref(), Some("other"));
        assert_eq!(store.drafts().unwrap(), [("b".into(), "other".into())]);
    }

    #[test]
    fn read_markers_only_move_forward() {
        let store = Store::in_memory().unwrap();
        store.set_read_marker("c", "100").unwrap();
        store.set_read_marker("c", "99").unwrap();
        assert_eq!(store.read_marker("c").unwrap().as_deref(), Some("100"));
        store.set_read_marker("c", "1000").unwrap();
        assert_eq!(store.read_marker("c").unwrap().as_deref(), Some("1000"));
    }
}
