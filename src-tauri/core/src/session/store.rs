//! Where tokens are kept: the OS keyring, or memory when there is none.
//!
//! One keyring entry per (server URL, account): service `plexichat:<server>`, user
//! `<account>`. A second entry, user `@last`, remembers which account to restore at startup
//! (an account name, not a secret, but it keeps everything in one place and off the disk).
//! A token is never written to a plain file: without a keyring it lives in memory only and
//! the user is told (`UiState::KeyringUnavailable`).

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use super::secret::Secret;

/// The keyring user name of the entry that remembers the last account.
const LAST_ACCOUNT: &str = "@last";

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No usable OS keyring (no Secret Service on Linux, locked or access refused).
    #[error("keyring unavailable: {0}")]
    KeyringUnavailable(String),
    /// The keyring answered with an error.
    #[error("keyring error: {0}")]
    Failed(String),
}

/// Keeps session tokens per server and account.
#[async_trait]
pub trait SessionStore: Send + Sync + Debug {
    /// The token saved for `account` on `server`, if any.
    ///
    /// # Errors
    /// [`StoreError::KeyringUnavailable`] when there is no keyring.
    async fn load(&self, server: &str, account: &str) -> Result<Option<Secret>, StoreError>;

    /// Saves `token` for `account` on `server`, replacing any other.
    ///
    /// # Errors
    /// [`StoreError::KeyringUnavailable`] when there is no keyring.
    async fn save(&self, server: &str, account: &str, token: &Secret) -> Result<(), StoreError>;

    /// Forgets the token of `account` on `server` (no error when there is none).
    ///
    /// # Errors
    /// [`StoreError::KeyringUnavailable`] when there is no keyring.
    async fn delete(&self, server: &str, account: &str) -> Result<(), StoreError>;

    /// The account that signed in last on `server`.
    ///
    /// # Errors
    /// [`StoreError::KeyringUnavailable`] when there is no keyring.
    async fn last_account(&self, server: &str) -> Result<Option<String>, StoreError> {
        Ok(self.load(server, LAST_ACCOUNT).await?.map(|s| {
            let name = s.expose().to_owned();
            // `load` wraps whatever it reads as a secret; an account name is not one, and
            // scrubbing it would hide every user name from the logs.
            crate::redact::forget_secret(&name);
            name
        }))
    }

    /// Remembers (or, with `None`, forgets) the last account on `server`.
    ///
    /// # Errors
    /// [`StoreError::KeyringUnavailable`] when there is no keyring.
    async fn set_last_account(
        &self,
        server: &str,
        account: Option<&str>,
    ) -> Result<(), StoreError> {
        match account {
            Some(a) => self.save(server, LAST_ACCOUNT, &Secret(a.to_owned())).await,
            None => self.delete(server, LAST_ACCOUNT).await,
        }
    }

    /// Whether tokens survive a restart.
    fn is_persistent(&self) -> bool;
}

/// Tokens in memory only: tests, `plexi --no-keyring`, and the fallback without a keyring.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    entries: Arc<Mutex<HashMap<(String, String), Secret>>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Secret>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self, server: &str, account: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self
            .lock()
            .get(&(server.to_owned(), account.to_owned()))
            .cloned())
    }

    async fn save(&self, server: &str, account: &str, token: &Secret) -> Result<(), StoreError> {
        self.lock()
            .insert((server.to_owned(), account.to_owned()), token.clone());
        Ok(())
    }

    async fn delete(&self, server: &str, account: &str) -> Result<(), StoreError> {
        self.lock().remove(&(server.to_owned(), account.to_owned()));
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

/// Tokens in the OS keyring (Keychain, Credential Manager, Secret Service).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyringStore;

impl KeyringStore {
    /// The platform keyring; whether it works is only known at the first call.
    #[must_use]
    pub fn new() -> Self {
        Self
    }
}

fn service(server: &str) -> String {
    format!("plexichat:{server}")
}

fn map_err(err: keyring::Error) -> StoreError {
    match err {
        keyring::Error::NoDefaultStore
        | keyring::Error::NoStorageAccess(_)
        | keyring::Error::PlatformFailure(_) => StoreError::KeyringUnavailable(err.to_string()),
        other => StoreError::Failed(other.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    // Keyring backends block (D-Bus round trips, OS prompts): keep them off the runtime.
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(StoreError::Failed(format!("keyring task failed: {e}"))))
}

#[async_trait]
impl SessionStore for KeyringStore {
    async fn load(&self, server: &str, account: &str) -> Result<Option<Secret>, StoreError> {
        let (svc, acct) = (service(server), account.to_owned());
        blocking(move || {
            let entry = keyring::Entry::new(&svc, &acct).map_err(map_err)?;
            match entry.get_password() {
                Ok(p) => Ok(Some(Secret::new(p))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(map_err(e)),
            }
        })
        .await
    }

    async fn save(&self, server: &str, account: &str, token: &Secret) -> Result<(), StoreError> {
        let (svc, acct, token) = (service(server), account.to_owned(), token.clone());
        blocking(move || {
            let entry = keyring::Entry::new(&svc, &acct).map_err(map_err)?;
            entry.set_password(token.expose()).map_err(map_err)
        })
        .await
    }

    async fn delete(&self, server: &str, account: &str) -> Result<(), StoreError> {
        let (svc, acct) = (service(server), account.to_owned());
        blocking(move || {
            let entry = keyring::Entry::new(&svc, &acct).map_err(map_err)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(map_err(e)),
            }
        })
        .await
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_keeps_one_token_per_server_and_account() {
        let store = MemoryStore::new();
        store
            .save("https://a", "alice", &Secret::new("t1"))
            .await
            .unwrap();
        store
            .save("https://b", "alice", &Secret::new("t2"))
            .await
            .unwrap();
        store
            .set_last_account("https://a", Some("alice"))
            .await
            .unwrap();
        assert_eq!(
            store
                .load("https://a", "alice")
                .await
                .unwrap()
                .unwrap()
                .expose(),
            "t1"
        );
        assert_eq!(
            store.last_account("https://a").await.unwrap().as_deref(),
            Some("alice")
        );
        assert_eq!(store.last_account("https://b").await.unwrap(), None);
        store.delete("https://a", "alice").await.unwrap();
        assert_eq!(store.load("https://a", "alice").await.unwrap(), None);
        assert_eq!(
            store
                .load("https://b", "alice")
                .await
                .unwrap()
                .unwrap()
                .expose(),
            "t2"
        );
    }

    #[test]
    fn missing_keyring_errors_map_to_unavailable() {
        assert!(matches!(
            map_err(keyring::Error::NoDefaultStore),
            StoreError::KeyringUnavailable(_)
        ));
        assert!(matches!(
            map_err(keyring::Error::NoEntry),
            StoreError::Failed(_)
        ));
    }
}
