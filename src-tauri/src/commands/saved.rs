//! Saved messages (server bookmarks), the Mentions view, mention badges and notification
//! mutes. The core decides what counts as a mention; the shell only lists and forwards.

use std::collections::HashMap;

use plexichat_core::saved::{Bookmark, MentionEntry, SavedMessage};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::commands::chat::ChannelArgs;
use crate::desktop::Notifier;
use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Arguments of `save_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SaveMessageArgs {
    /// The channel the message is in.
    pub channel_id: String,
    /// The message to save.
    pub message_id: String,
    /// An optional note.
    #[serde(default)]
    pub label: Option<String>,
}

/// Arguments of `unsave_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UnsaveMessageArgs {
    /// The saved message.
    pub message_id: String,
}

/// Arguments of `set_notification_mutes`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MutesArgs {
    /// Channels whose mentions and DMs show no desktop notification (the channels of a muted
    /// server included: the UI expands them).
    pub channel_ids: Vec<String>,
}

/// The user's saved messages, newest first (with the message when this device has it).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_saved(sessions: State<'_, Sessions>) -> IpcResult<Vec<SavedMessage>> {
    let client = sessions.client().await?;
    let store = sessions.store().await.ok();
    Ok(client.saved_messages(store.as_ref()).await?)
}

/// Saves a message on the server.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn save_message(
    sessions: State<'_, Sessions>,
    args: SaveMessageArgs,
) -> IpcResult<Bookmark> {
    Ok(sessions
        .client()
        .await?
        .save_message(&args.channel_id, &args.message_id, args.label.as_deref())
        .await?)
}

/// Removes a saved message.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn unsave_message(
    sessions: State<'_, Sessions>,
    args: UnsaveMessageArgs,
) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .unsave_message(&args.message_id)
        .await?)
}

/// Recent mentions of the user and replies to them, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_mentions(sessions: State<'_, Sessions>) -> IpcResult<Vec<MentionEntry>> {
    let client = sessions.client().await?;
    let store = sessions.store().await.ok();
    Ok(client.mentions(store.as_ref()).await?)
}

/// Unseen mentions per channel: the mention badges, as they were at the last quit too.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn mention_counts(sessions: State<'_, Sessions>) -> IpcResult<HashMap<String, u32>> {
    let store = sessions.store().await?;
    Ok(
        tokio::task::spawn_blocking(move || store.unseen_mention_counts())
            .await
            .map_err(|e| crate::ipc::IpcError::internal(e.to_string()))??,
    )
}

/// The user opened a channel: its mentions stop counting on the badge.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn mark_mentions_seen(sessions: State<'_, Sessions>, args: ChannelArgs) -> IpcResult<()> {
    let store = sessions.store().await?;
    Ok(
        tokio::task::spawn_blocking(move || store.mark_mentions_seen(&args.channel_id))
            .await
            .map_err(|e| crate::ipc::IpcError::internal(e.to_string()))??,
    )
}

/// Which channels' mentions and DMs stay silent (muted in the channel or server menu; the
/// list itself lives in the account's server-side settings, kept by the UI).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn set_notification_mutes(notifier: State<'_, Notifier>, args: MutesArgs) -> IpcResult<()> {
    notifier.set_muted(args.channel_ids);
    Ok(())
}

/// Arguments of `set_mention_count`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MentionCountArgs {
    /// Unseen mentions across every channel and DM.
    pub count: u32,
}

/// Shows the unseen mention count on the tray, apart from the unread count.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub fn set_mention_count(app: tauri::AppHandle, args: MentionCountArgs) -> IpcResult<()> {
    crate::desktop::set_tray_mentions(&app, args.count);
    Ok(())
}
