//! Read state per channel: what the unread badges, the "New messages" divider and the tray
//! count are built from, kept across restarts.
//!
//! Rows are keyed by the channel id the client uses everywhere; the server's read state is
//! keyed by *conversation* ids instead (messaging.txt), so each row also remembers its
//! channel's conversation id once known (conversation ids never change).

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Error, Store};

/// The read state of one channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelUnread {
    /// The channel (as the client keys it, not the conversation id).
    pub channel_id: String,
    /// Messages from others after the last-read point.
    pub unread: u32,
    /// The last message read, when known (a count taken from the server carries none: the
    /// divider then counts back `unread` messages).
    pub last_read_id: Option<String>,
    /// The user marked it unread by hand: kept as is until the channel is read here, since the
    /// server ignores mark-unread.
    pub is_manual: bool,
    /// When this device last changed it (ms); a server count older than that does not win.
    #[ts(type = "number")]
    pub changed_at: i64,
}

fn entry(r: &Row<'_>) -> rusqlite::Result<ChannelUnread> {
    Ok(ChannelUnread {
        channel_id: r.get(0)?,
        unread: r
            .get::<_, i64>(1)?
            .clamp(0, i64::from(u32::MAX))
            .try_into()
            .unwrap_or(0),
        last_read_id: r.get(2)?,
        is_manual: r.get::<_, i64>(3)? != 0,
        changed_at: r.get(4)?,
    })
}

const COLUMNS: &str = "channel_id, unread, last_read_id, is_manual, changed_at";

impl Store {
    /// Every channel's read state.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn unread_entries(&self) -> Result<Vec<ChannelUnread>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM read_state ORDER BY channel_id"
        ))?;
        let rows = stmt.query_map([], entry)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// One channel's read state (all zero when never seen).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn unread_entry(&self, channel_id: &str) -> Result<ChannelUnread, Error> {
        let found = self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM read_state WHERE channel_id = ?1"),
                [channel_id],
                entry,
            )
            .optional()?;
        Ok(found.unwrap_or_else(|| ChannelUnread {
            channel_id: channel_id.to_owned(),
            ..ChannelUnread::default()
        }))
    }

    /// Writes one channel's read state (its conversation id is kept).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn save_unread(&self, e: &ChannelUnread) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO read_state (channel_id, unread, last_read_id, is_manual, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(channel_id) DO UPDATE SET unread = ?2, last_read_id = ?3,
                 is_manual = ?4, changed_at = ?5",
            params![
                e.channel_id,
                i64::from(e.unread),
                e.last_read_id,
                i64::from(e.is_manual),
                e.changed_at
            ],
        )?;
        Ok(())
    }

    /// Forgets a channel's read state (the channel is gone).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn forget_unread(&self, channel_id: &str) -> Result<(), Error> {
        self.conn()
            .execute("DELETE FROM read_state WHERE channel_id = ?1", [channel_id])?;
        Ok(())
    }

    /// Remembers the conversation id of a channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn set_conversation(&self, channel_id: &str, conversation_id: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO read_state (channel_id, conversation_id) VALUES (?1, ?2)
             ON CONFLICT(channel_id) DO UPDATE SET conversation_id = ?2",
            params![channel_id, conversation_id],
        )?;
        Ok(())
    }

    /// The conversation id of a channel, when known.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn conversation_of(&self, channel_id: &str) -> Result<Option<String>, Error> {
        Ok(self
            .scalar::<Option<String>>(
                "SELECT conversation_id FROM read_state WHERE channel_id = ?1",
                [channel_id],
            )?
            .flatten())
    }

    /// The channel a conversation id belongs to, when known.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn channel_of_conversation(&self, conversation_id: &str) -> Result<Option<String>, Error> {
        self.scalar(
            "SELECT channel_id FROM read_state WHERE conversation_id = ?1",
            [conversation_id],
        )
    }

    /// Every cached server channel id (DMs not included).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn server_channel_ids(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT id FROM channels WHERE server_id IS NOT NULL ORDER BY rowid")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Whether `channel_id` is a remembered DM channel.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn is_dm(&self, channel_id: &str) -> Result<bool, Error> {
        Ok(self
            .scalar::<i64>("SELECT 1 FROM dm_channels WHERE id = ?1", [channel_id])?
            .is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_state_and_conversations_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite3");
        {
            let store = Store::open(&path).unwrap();
            store.set_conversation("10", "1152921504606846986").unwrap();
            store
                .save_unread(&ChannelUnread {
                    channel_id: "10".into(),
                    unread: 3,
                    last_read_id: Some("7".into()),
                    is_manual: true,
                    changed_at: 5,
                })
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let e = store.unread_entry("10").unwrap();
        assert_eq!(
            (e.unread, e.is_manual, e.last_read_id.as_deref()),
            (3, true, Some("7"))
        );
        assert_eq!(
            store.conversation_of("10").unwrap().as_deref(),
            Some("1152921504606846986")
        );
        assert_eq!(
            store
                .channel_of_conversation("1152921504606846986")
                .unwrap()
                .as_deref(),
            Some("10")
        );
        assert_eq!(store.unread_entry("nope").unwrap().unread, 0);
        store.forget_unread("10").unwrap();
        assert!(store.unread_entries().unwrap().is_empty());
    }
}
