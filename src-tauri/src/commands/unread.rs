//! Unread state: the badges, the "New messages" divider and the tray count are built from the
//! core's [`plexichat_core::unread::UnreadTracker`]; every change also arrives as an
//! `unread-update` event carrying the whole list.

use plexichat_core::store::unread::ChannelUnread;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::chat::{MessageArgs, ServerArgs};
use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// Arguments of `set_viewing_channel`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ViewingArgs {
    /// The channel shown in a focused window; `null` when nothing is being read (window
    /// unfocused, friends page open).
    pub channel_id: Option<String>,
}

fn store_error(e: &plexichat_core::store::Error) -> IpcError {
    IpcError::internal(format!("local database: {e}"))
}

/// Every channel's read state (from the account's database: shown before the server answers).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn get_unread(sessions: State<'_, Sessions>) -> IpcResult<Vec<ChannelUnread>> {
    sessions
        .unread()
        .await?
        .entries()
        .map_err(|e| store_error(&e))
}

/// Says which channel the user is reading; new messages there count as read.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_viewing_channel(
    sessions: State<'_, Sessions>,
    args: ViewingArgs,
) -> IpcResult<()> {
    sessions.unread().await?.set_viewing(args.channel_id);
    Ok(())
}

/// "Mark as unread" from a message (kept on this device: the server ignores it).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn mark_unread(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    sessions
        .unread()
        .await?
        .mark_unread(&args.channel_id, &args.message_id)
        .map_err(|e| store_error(&e))
}

/// "Mark server as read": every channel of the server, here and per conversation on the server.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn mark_server_read(sessions: State<'_, Sessions>, args: ServerArgs) -> IpcResult<()> {
    sessions
        .unread()
        .await?
        .mark_server_read(&args.server_id)
        .map_err(|e| store_error(&e))
}
