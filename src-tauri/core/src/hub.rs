//! `StateHub`: the one place the client's current [`UiState`] lives and is broadcast from.
//!
//! Two layers: the *base* state (signed out, ready, login required, update required, account
//! locked) that says which screen the user is on, and *transient* states published on top of
//! it while a request waits (rate-limit countdown, server error retry, offline). When the wait
//! ends the base is published again, so the UI always ends on a screen, never on a countdown.
//! A 426 makes `update_required` the base for good: nothing overrides it.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

use crate::UiState;

/// How many states a slow subscriber may fall behind before it misses some.
const CHANNEL_CAPACITY: usize = 256;

#[derive(Debug)]
struct Inner {
    base: UiState,
    current: UiState,
    /// Requests currently showing a wait (countdown, retry); the base comes back when the
    /// last one ends, so one request finishing never hides another's countdown.
    waiting: usize,
}

/// Current state plus a broadcast of every change; cheap to clone.
#[derive(Debug, Clone)]
pub struct StateHub {
    inner: Arc<Mutex<Inner>>,
    tx: broadcast::Sender<UiState>,
}

impl Default for StateHub {
    fn default() -> Self {
        Self::new(UiState::SignedOut)
    }
}

impl StateHub {
    /// A hub whose base and current state is `initial`.
    #[must_use]
    pub fn new(initial: UiState) -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            inner: Arc::new(Mutex::new(Inner {
                base: initial.clone(),
                current: initial,
                waiting: 0,
            })),
            tx,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current state and a receiver of every later one, taken atomically so nothing slips
    /// between the first render and the first update.
    #[must_use]
    pub fn subscribe(&self) -> (UiState, broadcast::Receiver<UiState>) {
        let guard = self.lock();
        (guard.current.clone(), self.tx.subscribe())
    }

    /// The current state.
    #[must_use]
    pub fn current(&self) -> UiState {
        self.lock().current.clone()
    }

    /// The screen state under any transient one.
    #[must_use]
    pub fn base(&self) -> UiState {
        self.lock().base.clone()
    }

    /// Whether the client is stuck on `update_required`.
    #[must_use]
    pub fn is_update_required(&self) -> bool {
        matches!(self.lock().base, UiState::UpdateRequired { .. })
    }

    /// Publishes a transient state on top of the base.
    pub fn publish(&self, state: UiState) {
        let mut guard = self.lock();
        guard.current = state.clone();
        // No subscriber is fine: the state is still kept as current.
        let _ = self.tx.send(state);
    }

    /// Makes `state` the base and publishes it (ignored once an update is required).
    pub fn set_base(&self, state: UiState) {
        let mut guard = self.lock();
        if matches!(guard.base, UiState::UpdateRequired { .. })
            && !matches!(state, UiState::UpdateRequired { .. })
        {
            return;
        }
        guard.base = state.clone();
        guard.current = state.clone();
        let _ = self.tx.send(state);
    }

    /// Publishes the base again after a transient state, if a transient state is showing
    /// and no request is still waiting.
    pub fn restore(&self) {
        let mut guard = self.lock();
        if guard.waiting == 0 && guard.current != guard.base {
            guard.current = guard.base.clone();
            let _ = self.tx.send(guard.base.clone());
        }
    }

    /// Publishes a wait state (countdown, retry) held until the returned guard drops; the
    /// base is restored when the last such guard is gone.
    #[must_use]
    pub fn begin_wait(&self, state: UiState) -> WaitGuard {
        self.lock().waiting += 1;
        self.publish(state);
        WaitGuard { hub: self.clone() }
    }
}

/// Holds a wait state on the hub; see [`StateHub::begin_wait`].
#[derive(Debug)]
pub struct WaitGuard {
    hub: StateHub,
}

impl WaitGuard {
    /// Updates the shown state (e.g. a later `retry_at`) without ending the wait.
    pub fn update(&self, state: UiState) {
        self.hub.publish(state);
    }
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        {
            let mut guard = self.hub.lock();
            guard.waiting = guard.waiting.saturating_sub(1);
        }
        self.hub.restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_returns_only_when_the_last_wait_ends() {
        let hub = StateHub::default();
        let (_, mut rx) = hub.subscribe();
        let a = hub.begin_wait(UiState::RateLimited {
            retry_at: 5,
            scope: None,
            global: false,
        });
        let b = hub.begin_wait(UiState::Offline { reason: "x".into() });
        drop(b);
        assert_eq!(
            hub.current(),
            UiState::Offline { reason: "x".into() },
            "a still waits"
        );
        drop(a);
        assert_eq!(hub.current(), UiState::SignedOut);
        let seen: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(seen.last(), Some(&UiState::SignedOut));
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn transient_states_end_on_the_base_and_update_required_sticks() {
        let hub = StateHub::default();
        let (first, mut rx) = hub.subscribe();
        assert_eq!(first, UiState::SignedOut);
        hub.publish(UiState::RateLimited {
            retry_at: 5,
            scope: None,
            global: false,
        });
        hub.restore();
        assert_eq!(
            rx.try_recv().unwrap(),
            UiState::RateLimited {
                retry_at: 5,
                scope: None,
                global: false
            }
        );
        assert_eq!(rx.try_recv().unwrap(), UiState::SignedOut);
        let update = UiState::UpdateRequired {
            client_version: "a.1.0-49".into(),
            min_version: "a.1.0-132".into(),
            server_version: "a.1.0-132".into(),
            update_url: None,
        };
        hub.set_base(update.clone());
        hub.set_base(UiState::SignedOut);
        assert!(hub.is_update_required());
        assert_eq!(hub.current(), update);
    }
}
