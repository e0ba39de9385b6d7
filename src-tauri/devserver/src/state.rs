//! Shared state handed to every handler and socket task.

use crate::config::DevServerConfig;
use crate::store::World;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// The one shared value behind `Arc`.
pub(crate) struct AppState {
    pub(crate) config: DevServerConfig,
    pub(crate) world: Mutex<World>,
    pub(crate) started: Instant,
}

impl AppState {
    /// A fresh state for `config`.
    pub(crate) fn new(config: DevServerConfig) -> Self {
        Self {
            world: Mutex::new(World::new(config.clone())),
            config,
            started: Instant::now(),
        }
    }

    /// Locks the world; a panic elsewhere must not wedge the server, so poison is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
