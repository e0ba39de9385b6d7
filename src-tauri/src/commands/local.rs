//! The account's data on this machine: cached messages that a channel paints before the
//! network answers, and the composer's drafts, which survive a restart.
//!
//! Cache writes are best effort: a full disk must never fail a send or a history load, so
//! [`remember`] logs instead of returning the error.

use std::collections::HashMap;

use plexichat_core::model::{Channel, Message, Server};
use plexichat_core::store::{self, Store, KEEP_PER_CHANNEL};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// Arguments of `cached_messages`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CachedMessagesArgs {
    /// The channel.
    pub channel_id: String,
    /// How many of the newest cached messages (at most the store's per-channel bound).
    pub limit: u32,
}

/// Arguments of `save_draft`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DraftArgs {
    /// The channel whose composer holds the text.
    pub channel_id: String,
    /// The text; empty (or blank) removes the draft.
    pub content: String,
}

/// The newest cached messages of a channel, oldest first; empty when it was never opened.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn cached_messages(
    sessions: State<'_, Sessions>,
    args: CachedMessagesArgs,
) -> IpcResult<Vec<Message>> {
    let limit = usize::try_from(args.limit)
        .unwrap_or(usize::MAX)
        .min(KEEP_PER_CHANNEL);
    Ok(sessions
        .store()
        .await?
        .recent_messages(&args.channel_id, limit)?)
}

/// What the sidebar showed last time, painted before the network answers.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct CachedOverview {
    /// The user's servers.
    pub servers: Vec<Server>,
    /// The channels of each server, by server id (servers never opened are missing).
    pub channels: HashMap<String, Vec<Channel>>,
    /// Every DM channel this account opened or saw.
    pub dms: Vec<Channel>,
}

/// The cached servers, their channels and the DM channels; empty on a first sign-in.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn cached_overview(sessions: State<'_, Sessions>) -> IpcResult<CachedOverview> {
    let store = sessions.store().await?;
    let servers = store.servers()?;
    let mut channels = HashMap::new();
    for server in &servers {
        let list = store.channels(&server.id)?;
        if !list.is_empty() {
            channels.insert(server.id.clone(), list);
        }
    }
    Ok(CachedOverview {
        servers,
        channels,
        dms: store.dm_channels()?,
    })
}

/// Every saved draft, by channel id.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_drafts(sessions: State<'_, Sessions>) -> IpcResult<HashMap<String, String>> {
    Ok(sessions.store().await?.drafts()?.into_iter().collect())
}

/// Keeps (or, when empty, removes) the composer's text of a channel.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn save_draft(sessions: State<'_, Sessions>, args: DraftArgs) -> IpcResult<()> {
    Ok(sessions
        .store()
        .await?
        .save_draft(&args.channel_id, &args.content)?)
}

/// Writes to the account's cache when there is one; a failure is logged, never returned.
pub(crate) async fn remember(
    sessions: &Sessions,
    what: &'static str,
    write: impl FnOnce(&Store) -> Result<(), store::Error>,
) {
    match sessions.store().await {
        Ok(store) => {
            if let Err(e) = write(&store) {
                tracing::warn!(error = %e, what, "could not update the local cache");
            }
        }
        Err(_) => tracing::debug!(what, "no local cache yet; not cached"),
    }
}

impl From<store::Error> for IpcError {
    fn from(e: store::Error) -> Self {
        IpcError::internal(format!("the local database failed: {e}"))
    }
}
