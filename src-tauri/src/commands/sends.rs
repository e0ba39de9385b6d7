//! Everything that changes what others see goes through the account's persisted outbox:
//! messages, replies, edits, deletes, reactions and attachments. Each is written to disk
//! before it is attempted, so quitting, a crash or an outage never loses it, and the changes
//! of a channel reach the server in the order the user made them.
//!
//! Messages and attachments are queued and followed through `outbox-update` events (the UI
//! shows them as pending rows). Edits, deletes and reactions report their first outcome: done,
//! refused (the entry is dropped and the refusal returned, as for a direct call), or waiting
//! (offline, rate limited: it stays queued and is applied later; its gateway echo updates the
//! window then).

use base64::Engine as _;
use plexichat_core::media::{clean_filename, mime_for_filename};
use plexichat_core::model::Message;
use plexichat_core::outbox::{Outbox, OutboxEntry, OutboxItem, OutboxUpdate};
use plexichat_core::UiState;
use serde::Deserialize;
use tauri::State;
use tokio::sync::broadcast::error::RecvError;
use ts_rs::TS;

use super::chat::{EditMessageArgs, MessageArgs, ReactionArgs, SendMessageArgs, UploadArgs};
use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// The server's cap on one file.
const MAX_UPLOAD: u64 = 10 * 1024 * 1024;

/// Arguments of `queue_file`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct QueueFileArgs {
    /// The channel.
    pub channel_id: String,
    /// The file's name as the picker gave it.
    pub filename: String,
    /// The file's bytes, base64 (standard alphabet).
    pub data_base64: String,
}

/// Arguments naming one outbox entry.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PendingArgs {
    /// The entry's local id.
    #[ts(type = "number")]
    pub local_id: i64,
}

/// Queues a message: it is written to the outbox before any attempt and delivered in order,
/// once, whatever the network does. Progress arrives as `outbox-update` events.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn queue_message(sessions: State<'_, Sessions>, args: SendMessageArgs) -> IpcResult<i64> {
    if args.content.trim().is_empty() {
        return Err(invalid("content", "Message must have content"));
    }
    let item = match args.reply_to_id {
        Some(reply_to_id) => OutboxItem::Reply {
            content: args.content,
            reply_to_id,
        },
        None => OutboxItem::Text {
            content: args.content,
        },
    };
    Ok(sessions.outbox().await?.enqueue(&args.channel_id, item)?)
}

/// Every pending or failed send, in send order (after a restart too).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_outbox(sessions: State<'_, Sessions>) -> IpcResult<Vec<OutboxEntry>> {
    Ok(sessions.outbox().await?.entries()?)
}

/// Tries a failed send again.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn retry_send(sessions: State<'_, Sessions>, args: PendingArgs) -> IpcResult<()> {
    Ok(sessions.outbox().await?.retry(args.local_id)?)
}

/// Discards a pending or failed send.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn cancel_send(sessions: State<'_, Sessions>, args: PendingArgs) -> IpcResult<()> {
    Ok(sessions.outbox().await?.cancel(args.local_id)?)
}

/// Edits one of the user's messages: the edited message, or `null` when the edit waits in the
/// outbox (offline, rate limited) and will be applied later.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn edit_message(
    sessions: State<'_, Sessions>,
    args: EditMessageArgs,
) -> IpcResult<Option<Message>> {
    if args.content.trim().is_empty() {
        return Err(invalid("content", "Message must have content"));
    }
    let item = OutboxItem::Edit {
        message_id: args.message_id,
        content: args.content,
    };
    first_outcome(&sessions.outbox().await?, &args.channel_id, item).await
}

/// Deletes a message (now, or once the outbox can).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn delete_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    let item = OutboxItem::Delete {
        message_id: args.message_id,
    };
    first_outcome(&sessions.outbox().await?, &args.channel_id, item).await?;
    Ok(())
}

/// Adds the user's reaction (now, or once the outbox can).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn add_reaction(sessions: State<'_, Sessions>, args: ReactionArgs) -> IpcResult<()> {
    react(&sessions, args, true).await
}

/// Removes the user's reaction (now, or once the outbox can).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn remove_reaction(sessions: State<'_, Sessions>, args: ReactionArgs) -> IpcResult<()> {
    react(&sessions, args, false).await
}

async fn react(sessions: &Sessions, args: ReactionArgs, is_add: bool) -> IpcResult<()> {
    let item = OutboxItem::Reaction {
        message_id: args.message_id,
        emoji: args.emoji,
        is_add,
    };
    first_outcome(&sessions.outbox().await?, &args.channel_id, item).await?;
    Ok(())
}

/// Queues a file the user picked or dropped as a message of its own; returns the outbox entry.
/// The file's bytes are copied into the outbox at once (checked against the 10 MiB cap before
/// reading), so moving or deleting the file afterwards changes nothing.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn upload_attachment(sessions: State<'_, Sessions>, args: UploadArgs) -> IpcResult<i64> {
    let outbox = sessions.outbox().await?;
    let path = std::path::Path::new(&args.path);
    let unreadable = |e: std::io::Error| invalid("file", &format!("Cannot read the file: {e}"));
    let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if !meta.is_file() {
        return Err(invalid("file", "Only files can be sent"));
    }
    if meta.len() > MAX_UPLOAD {
        return Err(invalid("file", "File too large (10 MiB at most)"));
    }
    let bytes = tokio::fs::read(path).await.map_err(unreadable)?;
    let filename = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let data_base64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    enqueue_file(&outbox, &args.channel_id, filename, data_base64)
}

/// Queues a file the page read itself (the file picker: a webview gives the page the file's
/// bytes, never its path); returns the outbox entry.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn queue_file(sessions: State<'_, Sessions>, args: QueueFileArgs) -> IpcResult<i64> {
    let outbox = sessions.outbox().await?;
    // Checked before decoding: base64 is 4 characters per 3 bytes.
    if args.data_base64.len() as u64 > MAX_UPLOAD.div_ceil(3) * 4 {
        return Err(invalid("file", "File too large (10 MiB at most)"));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(&args.data_base64);
    match decoded {
        Ok(bytes) if bytes.len() as u64 <= MAX_UPLOAD => {}
        Ok(_) => return Err(invalid("file", "File too large (10 MiB at most)")),
        Err(_) => return Err(invalid("file", "The file could not be read")),
    }
    let filename = clean_filename(&args.filename);
    enqueue_file(&outbox, &args.channel_id, filename, args.data_base64)
}

fn enqueue_file(
    outbox: &Outbox,
    channel_id: &str,
    filename: String,
    data_base64: String,
) -> IpcResult<i64> {
    let item = OutboxItem::Attachment {
        content: String::new(),
        mime: mime_for_filename(&filename).to_owned(),
        filename,
        data_base64,
        uploaded: None,
    };
    Ok(outbox.enqueue(channel_id, item)?)
}

/// Enqueues `item` and waits for its first outcome: `Some(message)` / `None` once sent (edits
/// answer the message), `None` when it waits, an error when it is refused (the entry is
/// dropped then: the caller shows the refusal, nothing is left to retry).
async fn first_outcome(
    outbox: &Outbox,
    channel_id: &str,
    item: OutboxItem,
) -> IpcResult<Option<Message>> {
    // Subscribe first: the update for this entry may come before `enqueue` returns.
    let (_, mut updates) = outbox.subscribe()?;
    let local_id = outbox.enqueue(channel_id, item)?;
    loop {
        match updates.recv().await {
            Ok(OutboxUpdate::Sent {
                local_id: id,
                message,
            }) if id == local_id => return Ok(message),
            Ok(OutboxUpdate::Waiting { local_id: id, .. }) if id == local_id => return Ok(None),
            Ok(OutboxUpdate::Failed {
                local_id: id,
                state,
            }) if id == local_id => {
                if let Err(e) = outbox.cancel(local_id) {
                    tracing::warn!(error = %e, "could not drop a refused change");
                }
                return Err(IpcError::failed(state, "the server refused the change"));
            }
            Ok(OutboxUpdate::Cancelled { local_id: id }) if id == local_id => {
                return Err(IpcError::invalid_argument("the change was cancelled"));
            }
            Ok(_) => {}
            // Missed updates: the entry's row says whether it is still queued.
            Err(RecvError::Lagged(_)) => {
                if outbox.entries()?.iter().any(|e| e.local_id == local_id) {
                    return Ok(None);
                }
                return Err(IpcError::internal(
                    "lost track of a change; it shows when the channel refreshes",
                ));
            }
            Err(RecvError::Closed) => return Err(IpcError::not_signed_in()),
        }
    }
}

fn invalid(field: &str, message: &str) -> IpcError {
    IpcError::failed(
        UiState::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        },
        "refused before sending",
    )
}
