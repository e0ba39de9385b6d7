//! Send later, forward, custom emojis and stickers. Scheduled messages live in the account's
//! outbox (the server never delivers its own); a forward is an ordinary queued message whose
//! text the core builds.

use plexichat_core::outbox::OutboxItem;
use plexichat_core::rich::{ScheduledList, ScheduledMessage, ServerEmojis};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::chat::ServerArgs;
use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Arguments of `schedule_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ScheduleArgs {
    /// Where it goes.
    pub channel_id: String,
    /// The text.
    pub content: String,
    /// When to send it (ms since the epoch).
    #[ts(type = "number")]
    pub scheduled_at: i64,
}

/// Arguments of `edit_scheduled`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EditScheduledArgs {
    /// The list row's id (`device:N` or `server:ID`).
    pub id: String,
    /// Its channel (a server-held one moves to this device with it).
    pub channel_id: String,
    /// The new text.
    pub content: String,
    /// The new time (ms).
    #[ts(type = "number")]
    pub scheduled_at: i64,
}

/// Arguments naming a scheduled message.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ScheduledArgs {
    /// The list row's id (`device:N` or `server:ID`).
    pub id: String,
}

/// Arguments of `forward_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ForwardArgs {
    /// The original's channel.
    pub channel_id: String,
    /// The original message.
    pub message_id: String,
    /// Where the copy goes.
    pub to_channel_id: String,
    /// Optional words put above the quote.
    #[serde(default)]
    pub comment: String,
}

/// Keeps a message to send at its time (sent on the next start if the app is closed then).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn schedule_message(
    sessions: State<'_, Sessions>,
    args: ScheduleArgs,
) -> IpcResult<ScheduledMessage> {
    Ok(sessions
        .outbox()
        .await?
        .schedule(&args.channel_id, &args.content, args.scheduled_at)?)
}

/// The one "Scheduled" list: this device's and the server's.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_scheduled(sessions: State<'_, Sessions>) -> IpcResult<ScheduledList> {
    let outbox = sessions.outbox().await?;
    // Due server-held ones are adopted soon after the list is looked at.
    outbox.check_server_schedule();
    Ok(outbox.scheduled_list().await?)
}

/// Changes a scheduled message's text and time.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn edit_scheduled(
    sessions: State<'_, Sessions>,
    args: EditScheduledArgs,
) -> IpcResult<ScheduledMessage> {
    Ok(sessions
        .outbox()
        .await?
        .edit_any_scheduled(&args.id, &args.channel_id, &args.content, args.scheduled_at)
        .await?)
}

/// Cancels a scheduled message (or forgets one already sent).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn cancel_scheduled(sessions: State<'_, Sessions>, args: ScheduledArgs) -> IpcResult<()> {
    Ok(sessions
        .outbox()
        .await?
        .cancel_any_scheduled(&args.id)
        .await?)
}

/// Forwards a message as a quoted copy with a link back; resolves with the outbox entry's
/// local id (the copy is an ordinary queued send).
#[tauri::command]
#[tracing::instrument(skip_all, fields(to = %args.to_channel_id), err(Debug))]
pub async fn forward_message(sessions: State<'_, Sessions>, args: ForwardArgs) -> IpcResult<i64> {
    let content = sessions
        .client()
        .await?
        .forward_content(&args.channel_id, &args.message_id, &args.comment)
        .await?;
    Ok(sessions
        .outbox()
        .await?
        .enqueue(&args.to_channel_id, OutboxItem::Text { content })?)
}

/// A server's custom emojis and sticker packs, for the picker.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn server_emojis(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<ServerEmojis> {
    Ok(sessions
        .client()
        .await?
        .server_emojis(&args.server_id)
        .await?)
}
