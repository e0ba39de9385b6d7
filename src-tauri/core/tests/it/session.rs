//! Session lifetime end to end: restore at startup, revocation, logout, keyring fallback.

use std::sync::Arc;

use async_trait::async_trait;
use plexichat_core::session::{Secret, SessionStore, StoreError};
use plexichat_core::ui_state::{LoginReason, UiState};
use plexichat_core::MemoryStore;

use crate::support::{assert_state, drain, timed, wait_for, Target, PASSWORD};

#[tokio::test]
async fn a_saved_session_is_restored_and_verified_at_startup() {
    let target = Target::start().await;
    let store = Arc::new(MemoryStore::new());
    let Some((_first, name)) = target.signed_in_with_store("restore", store.clone()).await else {
        return;
    };

    let next_start = target.client_with_store(store.clone());
    let user = timed(next_start.restore())
        .await
        .expect("restored")
        .expect("a session");
    assert_eq!(user.username, name);
    assert!(matches!(next_start.state(), UiState::Ready { .. }));

    let nobody = target.client();
    assert_eq!(timed(nobody.restore()).await.expect("no session"), None);
    assert_eq!(nobody.state(), UiState::SignedOut);
}

#[tokio::test]
async fn a_revoked_session_asks_to_sign_in_again_and_is_forgotten() {
    let Some(target) = Target::with_faults().await else {
        return;
    };
    let store = Arc::new(MemoryStore::new());
    let Some((client, name)) = target.signed_in_with_store("revoked", store.clone()).await else {
        return;
    };
    let (_, mut rx) = client.subscribe();
    assert!(target.dev().faults().revoke_sessions(&name));

    let err = timed(client.servers()).await.expect_err("revoked");
    let UiState::LoginRequired { reason, .. } = err.state else {
        panic!("{:?}", err.state)
    };
    assert_eq!(reason, LoginReason::InvalidToken);
    wait_for(&mut rx, "login prompt", |s| {
        matches!(s, UiState::LoginRequired { .. })
    })
    .await;
    assert!(client.token().is_none());
    let restarted = target.client_with_store(store);
    assert_eq!(
        timed(restarted.restore()).await.expect("nothing saved"),
        None
    );
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_and_locally() {
    let target = Target::start().await;
    let store = Arc::new(MemoryStore::new());
    let Some((client, _)) = target.signed_in_with_store("logout", store.clone()).await else {
        return;
    };
    let token = client.token().expect("token");
    timed(client.logout()).await.expect("logout");
    assert_eq!(client.state(), UiState::SignedOut);
    assert!(client.token().is_none());

    // The old token is dead on the server too.
    let stale = target.client_with_store(Arc::new(MemoryStore::new()));
    stale.api().set_token(Some(token));
    let err = timed(stale.whoami())
        .await
        .expect_err("revoked on the server");
    assert_state!(err.state, UiState::LoginRequired { .. });
}

#[tokio::test]
async fn other_sessions_are_listed_and_revoked() {
    let target = Target::start().await;
    let Some(name) = target.user("sess").await else {
        return;
    };
    let here = target.client();
    let there = target.client();
    timed(here.login(&name, &PASSWORD.into()))
        .await
        .expect("login here");
    timed(there.login(&name, &PASSWORD.into()))
        .await
        .expect("login there");
    let sessions = timed(here.sessions()).await.expect("sessions");
    assert!(sessions.iter().any(|s| s.current), "{sessions:?}");
    // Tokens are `<session id>.<secret>` (PROTOCOL.md §5): find the other client's session.
    let there_token = there.token().expect("token");
    let there_id = there_token
        .expose()
        .split('.')
        .next()
        .expect("session id")
        .to_owned();
    let listed = sessions
        .iter()
        .find(|s| s.id == there_id)
        .expect("the other session is listed");
    assert!(!listed.current);
    timed(here.revoke_session(&there_id))
        .await
        .expect("revoked");
    let err = timed(there.whoami())
        .await
        .expect_err("signed out remotely");
    assert_state!(err.state, UiState::LoginRequired { .. });
    timed(here.whoami()).await.expect("this session lives on");
}

/// A keyring that is never there, like Linux without a Secret Service.
#[derive(Debug)]
struct NoKeyring;

#[async_trait]
impl SessionStore for NoKeyring {
    async fn load(&self, _: &str, _: &str) -> Result<Option<Secret>, StoreError> {
        Err(StoreError::KeyringUnavailable("no Secret Service".into()))
    }
    async fn save(&self, _: &str, _: &str, _: &Secret) -> Result<(), StoreError> {
        Err(StoreError::KeyringUnavailable("no Secret Service".into()))
    }
    async fn delete(&self, _: &str, _: &str) -> Result<(), StoreError> {
        Err(StoreError::KeyringUnavailable("no Secret Service".into()))
    }
    fn is_persistent(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn without_a_keyring_the_session_lives_in_memory_and_the_user_is_told() {
    let target = Target::start().await;
    let Some(name) = target.user("nokeyring").await else {
        return;
    };
    let client = target.client_with_store(Arc::new(NoKeyring));
    let (_, mut rx) = client.subscribe();
    timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("login still works");
    let states = drain(&mut rx);
    assert!(
        states
            .iter()
            .any(|s| matches!(s, UiState::KeyringUnavailable { .. })),
        "banner shown: {states:?}"
    );
    assert!(
        matches!(states.last(), Some(UiState::Ready { .. })),
        "{states:?}"
    );
    // The same process can restore from memory.
    let user = timed(client.restore())
        .await
        .expect("restored")
        .expect("from memory");
    assert_eq!(user.username, name);
    timed(client.servers()).await.expect("signed-in calls work");
}

/// Runs only where a real Secret Service is unlocked (`scripts/test.sh` sets this up).
fn keyring_tests_enabled() -> bool {
    let enabled = std::env::var("PLEXICHAT_KEYRING_TESTS").is_ok_and(|v| v == "1");
    if !enabled {
        eprintln!("skipped: set PLEXICHAT_KEYRING_TESTS=1 with an unlocked keyring");
    }
    enabled
}

#[tokio::test]
async fn the_os_keyring_keeps_the_session_across_restarts() {
    if !keyring_tests_enabled() {
        return;
    }
    let target = Target::start().await;
    let Some(name) = target.user("keyring").await else {
        return;
    };
    let store: Arc<dyn SessionStore> = Arc::new(plexichat_core::KeyringStore::new());
    let client = target.client_with_store(store.clone());
    let (_, mut rx) = client.subscribe();
    timed(client.login(&name, &PASSWORD.into()))
        .await
        .expect("login");
    let states = drain(&mut rx);
    assert!(
        !states
            .iter()
            .any(|s| matches!(s, UiState::KeyringUnavailable { .. })),
        "the keyring works here: {states:?}"
    );

    let restarted = target.client_with_store(store.clone());
    let user = timed(restarted.restore())
        .await
        .expect("restored")
        .expect("from the keyring");
    assert_eq!(user.username, name);

    timed(restarted.logout()).await.expect("logout");
    let after = target.client_with_store(store);
    assert_eq!(
        timed(after.restore()).await.expect("nothing left"),
        None,
        "logout cleared the keyring"
    );
}

#[tokio::test]
async fn a_remote_sign_out_forgets_the_session_with_its_reason() {
    let target = Target::start().await;
    let store = Arc::new(MemoryStore::new());
    let Some((client, _)) = target.signed_in_with_store("remote", store.clone()).await else {
        return;
    };
    client
        .signed_out_remotely("Signed out from another device")
        .await;
    assert_eq!(
        client.state(),
        UiState::LoginRequired {
            reason: LoginReason::SignedOutRemotely,
            message: "Signed out from another device".into()
        }
    );
    assert!(client.token().is_none());
    let restarted = target.client_with_store(store);
    assert_eq!(
        timed(restarted.restore()).await.expect("nothing saved"),
        None
    );
}
