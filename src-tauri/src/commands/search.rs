//! Message search: this device's index merged with the server's search when it answers.

use plexichat_core::client::search::{SearchQuery, SearchResults};
use tauri::State;

use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Searches every message this device holds, and the server; results newest first. Answers
/// offline and while the server's search is broken (then `server` says so).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn search_messages(
    sessions: State<'_, Sessions>,
    args: SearchQuery,
) -> IpcResult<SearchResults> {
    let client = sessions.client().await?;
    let store = sessions.store().await.ok();
    Ok(client.search_messages(store.as_ref(), &args).await?)
}
