//! The local cache and the outbox's storage: one SQLite file per server + account.
//!
//! Flow: [`Store::open_default`] (or [`Store::open`] with a path) opens the file in the XDG data
//! directory, applies the [`schema`] migrations and hands out a cheap-to-clone [`Store`].
//! Every call is a short synchronous statement behind one mutex (SQLite serialises writers
//! anyway); nothing here talks to the network.
//!
//! What is kept: servers, channels, members, DM channels (the server may list none,
//! PROTOCOL.md §6, so the client remembers the ones it opened), recent messages per channel
//! ([`messages`]), read markers and drafts ([`drafts`]), and the outbox rows ([`outbox`]) that
//! [`crate::outbox`] writes before any send. The in-memory [`MessageCache`] is the bounded
//! view the UI paints from; [`Store::apply_event`] and [`MessageCache::apply_event`] keep both
//! in step with the gateway, merging echoes and REST answers by message id.
//!
//! Invariant: rows keep the server's JSON, so a row that no longer decodes (an older model)
//! is skipped with a log line, never a panic.

mod cache;
pub mod drafts;
mod events;
mod mentions;
pub mod messages;
pub mod outbox;
pub mod scheduled;
pub mod schema;
pub mod search;
pub mod unread;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::{Channel, Server, User};

pub use cache::MessageCache;
pub use messages::KEEP_PER_CHANNEL;
pub use outbox::OutboxRow;
pub use search::{LocalHit, LocalSearch, SEARCH_LIMIT};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed (disk full, file locked, corrupt file).
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A value could not be encoded or a row decoded.
    #[error("local database row: {0}")]
    Json(#[from] serde_json::Error),
    /// The data directory could not be created.
    #[error("local database directory: {0}")]
    Io(#[from] std::io::Error),
    /// The file was written by a newer app; it is left untouched.
    #[error("local database version {found} is newer than this app knows ({known})")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// No data directory could be found (neither `XDG_DATA_HOME` nor `HOME` is set).
    #[error("no data directory: set XDG_DATA_HOME or HOME")]
    NoDataDir,
}

/// The local database; cheap to clone (an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

/// `$XDG_DATA_HOME/plexichat`, else `$HOME/.local/share/plexichat`.
///
/// # Errors
/// [`Error::NoDataDir`] when neither variable is set.
pub fn default_data_dir() -> Result<PathBuf, Error> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .ok_or(Error::NoDataDir)?;
            PathBuf::from(home).join(".local").join("share")
        }
    };
    Ok(base.join("plexichat"))
}

/// The database file of one server + account below `data_dir`. Both parts are reduced to
/// file-name-safe characters so a URL or a user name can never escape the directory.
#[must_use]
pub fn database_path(data_dir: &Path, server_key: &str, account: &str) -> PathBuf {
    data_dir
        .join(safe_name(server_key))
        .join(format!("{}.sqlite3", safe_name(account)))
}

fn safe_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "_".to_owned()
    } else {
        trimmed.to_owned()
    }
}

impl Store {
    /// Opens (creating if needed) the database of the account `user_id` on `server_key` in the
    /// XDG data directory (see [`Store::open_account`]).
    ///
    /// # Errors
    /// See [`Store::open_account`] and [`default_data_dir`].
    pub fn open_default(server_key: &str, user_id: &str, username: &str) -> Result<Self, Error> {
        Self::open_account(&default_data_dir()?, server_key, user_id, username)
    }

    /// Opens (creating if needed) the database of the account `user_id` on `server_key` below
    /// `data_dir`. Keyed by id because a user name can change: a database still named after
    /// `username` (as earlier versions did) is moved over first, with its WAL, so pending sends
    /// and drafts survive a rename.
    ///
    /// # Errors
    /// [`Error::Io`] when the old file cannot be moved, else see [`Store::open`].
    pub fn open_account(
        data_dir: &Path,
        server_key: &str,
        user_id: &str,
        username: &str,
    ) -> Result<Self, Error> {
        let path = database_path(data_dir, server_key, user_id);
        let legacy = database_path(data_dir, server_key, username);
        if legacy != path && legacy.exists() && !path.exists() {
            for suffix in ["", "-wal", "-shm"] {
                let from = PathBuf::from(format!("{}{suffix}", legacy.display()));
                if from.exists() {
                    std::fs::rename(&from, format!("{}{suffix}", path.display()))?;
                }
            }
            tracing::info!(path = %path.display(), "local database moved to its id-keyed name");
        }
        Self::open(&path)
    }

    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be made, [`Error::Sqlite`] when the file
    /// cannot be opened, [`Error::TooNew`] for a file from a newer app.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open(path)?;
        // WAL keeps readers and the writer apart; NORMAL sync is durable across app crashes
        // (only an OS crash can lose the last commit).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::from_connection(conn, Some(path.to_owned()))
    }

    /// A database that lives only in memory (tests, or when the disk is unusable).
    ///
    /// # Errors
    /// [`Error::Sqlite`] when SQLite cannot start.
    pub fn in_memory() -> Result<Self, Error> {
        Self::from_connection(Connection::open_in_memory()?, None)
    }

    fn from_connection(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, Error> {
        // The search index's delete trigger must also fire for the rows an `INSERT OR
        // REPLACE` removes; without this a replaced message would leave its old text indexed.
        conn.pragma_update(None, "recursive_triggers", true)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The file behind this store (`None` in memory).
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ---- servers, channels, members, DMs ---------------------------------------------------

    /// Replaces the cached server list.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn save_servers(&self, servers: &[Server]) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM servers", [])?;
        for s in servers {
            tx.execute(
                "INSERT INTO servers (id, json) VALUES (?1, ?2)",
                params![s.id, serde_json::to_string(s)?],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached servers.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn servers(&self) -> Result<Vec<Server>, Error> {
        self.rows("SELECT json FROM servers ORDER BY rowid", [])
    }

    /// Replaces the cached channels of one server.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn save_channels(&self, server_id: &str, channels: &[Channel]) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM channels WHERE server_id = ?1", [server_id])?;
        for c in channels {
            tx.execute(
                "INSERT OR REPLACE INTO channels (id, server_id, json) VALUES (?1, ?2, ?3)",
                params![c.id, server_id, serde_json::to_string(c)?],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached channels of one server, in the order they were saved.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn channels(&self, server_id: &str) -> Result<Vec<Channel>, Error> {
        self.rows(
            "SELECT json FROM channels WHERE server_id = ?1 ORDER BY rowid",
            [server_id],
        )
    }

    /// Replaces the cached members of one server.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn save_members(&self, server_id: &str, members: &[User]) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM members WHERE server_id = ?1", [server_id])?;
        for m in members {
            tx.execute(
                "INSERT OR REPLACE INTO members (server_id, user_id, json) VALUES (?1, ?2, ?3)",
                params![server_id, m.id, serde_json::to_string(m)?],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached members of one server.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn members(&self, server_id: &str) -> Result<Vec<User>, Error> {
        self.rows(
            "SELECT json FROM members WHERE server_id = ?1 ORDER BY rowid",
            [server_id],
        )
    }

    /// Remembers a DM channel (the server's list may be empty, PROTOCOL.md §6).
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn remember_dm(&self, channel: &Channel) -> Result<(), Error> {
        self.conn().execute(
            "INSERT OR REPLACE INTO dm_channels (id, json) VALUES (?1, ?2)",
            params![channel.id, serde_json::to_string(channel)?],
        )?;
        Ok(())
    }

    /// Every DM channel this account opened or saw.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn dm_channels(&self) -> Result<Vec<Channel>, Error> {
        self.rows("SELECT json FROM dm_channels ORDER BY rowid", [])
    }

    /// Decodes the JSON column of every row; a row that no longer decodes is skipped.
    fn rows<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<T>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let jsons = stmt
            .query_map(args, |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(decode_all(&jsons))
    }

    fn scalar<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<T>, Error> {
        Ok(self
            .conn()
            .query_row(sql, args, |r| r.get::<_, T>(0))
            .optional()?)
    }
}

fn decode_all<T: DeserializeOwned>(jsons: &[String]) -> Vec<T> {
    jsons
        .iter()
        .filter_map(|j| match serde_json::from_str(j) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "skipping a cached row that no longer decodes");
                None
            }
        })
        .collect()
}

fn to_json(v: &impl Serialize) -> Result<String, Error> {
    Ok(serde_json::to_string(v)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_account_keeps_its_database_across_a_rename() {
        let dir = tempfile::tempdir().unwrap();
        // Written by an earlier version, which named the file after the user name.
        let old = Store::open(&database_path(dir.path(), "https://x", "alice")).unwrap();
        old.save_draft("c", "kept").unwrap();
        drop(old);
        let store = Store::open_account(dir.path(), "https://x", "42", "alice").unwrap();
        assert_eq!(store.draft("c").unwrap().as_deref(), Some("kept"));
        drop(store);
        // Renamed to alice2: same id, same database.
        let renamed = Store::open_account(dir.path(), "https://x", "42", "alice2").unwrap();
        assert_eq!(renamed.draft("c").unwrap().as_deref(), Some("kept"));
        assert!(!database_path(dir.path(), "https://x", "alice").exists());
    }

    use super::*;

    fn server(id: &str) -> Server {
        serde_json::from_value(serde_json::json!({"id": id, "name": format!("s{id}")})).unwrap()
    }

    fn channel(id: &str) -> Channel {
        serde_json::from_value(serde_json::json!({"id": id, "name": "general", "type": "text"}))
            .unwrap()
    }

    #[test]
    fn paths_stay_inside_the_data_dir() {
        let p = database_path(Path::new("/data"), "https://api.plexichat.com", "../../etc");
        assert_eq!(
            p,
            Path::new("/data/https___api.plexichat.com/_.._etc.sqlite3")
        );
        assert!(p.starts_with("/data"));
    }

    #[test]
    fn servers_channels_and_dms_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = database_path(dir.path(), "http://127.0.0.1:1", "alice");
        {
            let store = Store::open(&path).unwrap();
            store.save_servers(&[server("1"), server("2")]).unwrap();
            store
                .save_channels("1", &[channel("10"), channel("11")])
                .unwrap();
            store.remember_dm(&channel("99")).unwrap();
            store.remember_dm(&channel("99")).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let ids = |v: Vec<Server>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(store.servers().unwrap()), ["1", "2"]);
        let chans: Vec<_> = store
            .channels("1")
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(chans, ["10", "11"]);
        assert_eq!(store.dm_channels().unwrap().len(), 1);
        store.save_servers(&[server("2")]).unwrap();
        assert_eq!(ids(store.servers().unwrap()), ["2"]);
    }

    #[test]
    fn a_row_that_no_longer_decodes_is_skipped() {
        let store = Store::in_memory().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO servers (id, json) VALUES ('1', '{not json')",
                [],
            )
            .unwrap();
        assert!(store.servers().unwrap().is_empty());
    }
}
