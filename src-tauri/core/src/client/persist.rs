//! Where the token and a pending 2FA challenge are kept: the configured store, or memory
//! when the OS keyring is unavailable (never a file).

use super::{Challenge, Client, CHALLENGE_ENTRY};
use crate::session::{Secret, SessionStore, StoreError};
use crate::UiState;

impl Client {
    /// Saves the token for `account`; without a usable keyring, in memory only.
    pub(super) async fn save_token(&self, account: &str, token: &Secret) {
        let key = &self.inner.server_key;
        let saved = match self.inner.store.save(key, account, token).await {
            Ok(()) => self.inner.store.set_last_account(key, Some(account)).await,
            Err(e) => Err(e),
        };
        if let Err(e) = saved {
            // Any keyring failure (missing, locked, refusing) leaves the session usable:
            // memory only, it ends with the process, and no file is ever written.
            self.keyring_down(&e).await;
            let _ = self.inner.memory.save(key, account, token).await;
            let _ = self.inner.memory.set_last_account(key, Some(account)).await;
        }
    }

    /// Keeps a pending 2FA challenge in the store (memory when there is no keyring), so that
    /// the code can be entered by another process or after a restart.
    pub(super) async fn save_challenge(&self, challenge: Option<&Challenge>) {
        let key = &self.inner.server_key;
        let result = match challenge {
            Some(c) => {
                let packed = Secret::new(format!(
                    "{}\n{}\n{}",
                    c.expires_at,
                    c.account,
                    c.token.expose()
                ));
                match self.inner.store.save(key, CHALLENGE_ENTRY, &packed).await {
                    Err(StoreError::KeyringUnavailable(_)) => {
                        self.inner.memory.save(key, CHALLENGE_ENTRY, &packed).await
                    }
                    other => other,
                }
            }
            None => {
                let _ = self.inner.memory.delete(key, CHALLENGE_ENTRY).await;
                self.inner.store.delete(key, CHALLENGE_ENTRY).await
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "could not keep the 2FA challenge");
        }
    }

    pub(super) async fn load_challenge(&self) -> Option<Challenge> {
        let key = &self.inner.server_key;
        let packed = match self.inner.store.load(key, CHALLENGE_ENTRY).await {
            Ok(p) => p,
            Err(_) => self
                .inner
                .memory
                .load(key, CHALLENGE_ENTRY)
                .await
                .ok()
                .flatten(),
        }?;
        let mut parts = packed.expose().splitn(3, '\n');
        let expires_at = parts.next()?.parse().ok()?;
        let account = parts.next()?.to_owned();
        let token = Secret::new(parts.next()?);
        Some(Challenge {
            token,
            expires_at,
            account,
        })
    }

    pub(super) async fn load_token(&self, account: &str) -> Option<Secret> {
        let key = &self.inner.server_key;
        match self.inner.store.load(key, account).await {
            Ok(t) => t,
            Err(e) => {
                self.keyring_down(&e).await;
                self.inner.memory.load(key, account).await.ok().flatten()
            }
        }
    }

    pub(super) async fn forget_session(&self) {
        let key = &self.inner.server_key;
        let account = {
            let mut s = self.inner.session.lock().await;
            s.user = None;
            s.challenge = None;
            s.account.take()
        };
        self.inner.api.set_token(None);
        if let Some(account) = account {
            let _ = self.inner.memory.delete(key, &account).await;
            if let Err(e) = self.inner.store.delete(key, &account).await {
                tracing::warn!(error = %e, "could not delete the token from the keyring");
            }
        }
        let _ = self.inner.memory.set_last_account(key, None).await;
        if let Err(e) = self.inner.store.set_last_account(key, None).await {
            tracing::debug!(error = %e, "could not clear the last account");
        }
    }

    pub(super) async fn keyring_down(&self, err: &StoreError) {
        let mut s = self.inner.session.lock().await;
        if !s.is_keyring_down {
            s.is_keyring_down = true;
            tracing::warn!(error = %err, "no keyring: keeping the session in memory only");
            self.inner.hub.publish(UiState::KeyringUnavailable {
                detail: err.to_string(),
            });
        }
    }
}
