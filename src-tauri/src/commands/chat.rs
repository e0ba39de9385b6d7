//! Servers, channels, messages, reactions, pins, DMs, relationships and presence.

use plexichat_core::api::types::{HistoryQuery, Presence, Relationship};
use plexichat_core::model::{Attachment, Channel, Member, Message, Server, User};
use plexichat_core::outbox::{OutboxEntry, OutboxItem};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::local::remember;
use crate::desktop::Notifier;
use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// Arguments naming a server.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ServerArgs {
    /// The server's id.
    pub server_id: String,
}

/// Arguments naming a channel.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChannelArgs {
    /// The channel's id.
    pub channel_id: String,
}

/// Arguments of `load_messages`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LoadMessagesArgs {
    /// The channel.
    pub channel_id: String,
    /// Only messages older than this id (scrolling up); `null` for the newest page.
    pub before: Option<String>,
    /// Page size, 1 to 100.
    pub limit: u32,
}

/// Arguments of `send_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SendMessageArgs {
    /// The channel.
    pub channel_id: String,
    /// The text, sent exactly as typed.
    pub content: String,
    /// The message this replies to.
    pub reply_to_id: Option<String>,
}

/// Arguments naming one message.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MessageArgs {
    /// The channel.
    pub channel_id: String,
    /// The message.
    pub message_id: String,
}

/// Arguments of `edit_message`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EditMessageArgs {
    /// The channel.
    pub channel_id: String,
    /// The message.
    pub message_id: String,
    /// The new text.
    pub content: String,
}

/// Arguments of reaction commands.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ReactionArgs {
    /// The channel.
    pub channel_id: String,
    /// The message.
    pub message_id: String,
    /// A Unicode emoji or an emoji name.
    pub emoji: String,
}

/// Arguments naming a user.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UserArgs {
    /// The user's id.
    pub user_id: String,
}

/// Arguments naming a user by name.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UsernameArgs {
    /// The exact user name (the server matches exact names only).
    pub username: String,
}

/// Arguments of `set_presence`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PresenceArgs {
    /// `online`, `idle`, `dnd` or `invisible`.
    pub status: String,
    /// Custom status text.
    pub custom_status: Option<String>,
}

/// Arguments of `upload_attachment`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UploadArgs {
    /// The channel.
    pub channel_id: String,
    /// A file the user picked or dropped.
    pub path: String,
}

/// The user's servers.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_servers(sessions: State<'_, Sessions>) -> IpcResult<Vec<Server>> {
    Ok(sessions.client().await?.servers().await?)
}

/// A server's channels.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_channels(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<Vec<Channel>> {
    Ok(sessions.client().await?.channels(&args.server_id).await?)
}

/// A server's members (first page of 100).
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_members(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<Vec<Member>> {
    Ok(sessions
        .client()
        .await?
        .members(&args.server_id, 100)
        .await?)
}

/// The user's DM channels.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_dm_channels(
    sessions: State<'_, Sessions>,
    notifier: State<'_, Notifier>,
) -> IpcResult<Vec<Channel>> {
    let mut channels = sessions.client().await?.dm_channels().await?;
    // The server may list none (PROTOCOL.md §6): add every DM this account opened or saw.
    let mut known = Vec::new();
    remember(&sessions, "dm channels", |store| {
        for c in &channels {
            store.remember_dm(c)?;
        }
        known = store.dm_channels()?;
        Ok(())
    })
    .await;
    for c in known {
        if !channels.iter().any(|x| x.id == c.id) {
            channels.push(c);
        }
    }
    notifier.remember_dm_channels(channels.iter().map(|c| c.id.as_str()));
    Ok(channels)
}

/// A page of history, newest first; the first page also makes the gateway track the channel
/// so a reconnect catches up on it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn load_messages(
    sessions: State<'_, Sessions>,
    args: LoadMessagesArgs,
) -> IpcResult<Vec<Message>> {
    let client = sessions.client().await?;
    let q = HistoryQuery {
        before: args.before.clone(),
        after: None,
        limit: Some(args.limit),
    };
    let page = client.history(&args.channel_id, &q).await?;
    let reached_start = page.len() < usize::try_from(args.limit).unwrap_or(usize::MAX);
    remember(&sessions, "history", |store| {
        store.refresh_span(&args.channel_id, &page, reached_start)
    })
    .await;
    if args.before.is_none() {
        sessions
            .track_channel(&args.channel_id, page.first().map(|m| m.id.clone()))
            .await;
    }
    Ok(page)
}

/// Sends a message through the persisted outbox and resolves once the server has it.
///
/// The message is written to disk before any attempt, so quitting, a crash or an outage never
/// loses it, and sends in a channel keep their order. While the outbox waits (offline, rate
/// limited) this call waits too and the UI shows the message as pending; a refusal rejects
/// with its state (`content_rejected`, `forbidden`, …) and the entry is dropped from the
/// queue, because the UI keeps the text and offers Retry.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn send_message(
    sessions: State<'_, Sessions>,
    args: SendMessageArgs,
) -> IpcResult<Message> {
    use plexichat_core::outbox::OutboxUpdate;
    let outbox = sessions.outbox().await?;
    let item = outbox_item(args.content, args.reply_to_id)?;
    // Subscribe first: the update for this entry may come before `enqueue` returns.
    let (_, mut updates) = outbox.subscribe()?;
    let local_id = outbox.enqueue(&args.channel_id, item)?;
    loop {
        match updates.recv().await {
            Ok(OutboxUpdate::Sent {
                local_id: id,
                message: Some(message),
            }) if id == local_id => return Ok(message),
            Ok(OutboxUpdate::Failed {
                local_id: id,
                state,
            }) if id == local_id => {
                let _ = outbox.cancel(local_id);
                return Err(IpcError::failed(state, "the server refused the message"));
            }
            Ok(OutboxUpdate::Cancelled { local_id: id }) if id == local_id => {
                return Err(IpcError::invalid_argument("the message was cancelled"));
            }
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                // Missed updates: the entry's row says where it stands.
                if !outbox.entries()?.iter().any(|e| e.local_id == local_id) {
                    return Err(IpcError::internal(
                        "lost track of a sent message; it will appear when the channel refreshes",
                    ));
                }
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                return Err(IpcError::not_signed_in());
            }
        }
    }
}

fn outbox_item(content: String, reply_to_id: Option<String>) -> IpcResult<OutboxItem> {
    if content.trim().is_empty() {
        return Err(IpcError::failed(
            plexichat_core::UiState::InvalidInput {
                field: Some("content".into()),
                message: "Message must have content".into(),
            },
            "empty message",
        ));
    }
    Ok(match reply_to_id {
        Some(reply_to_id) => OutboxItem::Reply {
            content,
            reply_to_id,
        },
        None => OutboxItem::Text { content },
    })
}

/// Arguments naming a pending send.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PendingArgs {
    /// The outbox entry's local id.
    #[ts(type = "number")]
    pub local_id: i64,
}

/// Queues a message: it is written to the outbox before any attempt and delivered in order,
/// once, whatever the network does. Progress arrives as `outbox-update` events.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn queue_message(sessions: State<'_, Sessions>, args: SendMessageArgs) -> IpcResult<i64> {
    if args.content.trim().is_empty() {
        return Err(IpcError::failed(
            plexichat_core::UiState::InvalidInput {
                field: Some("content".into()),
                message: "Message must have content".into(),
            },
            "empty message",
        ));
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

/// Edits one of the user's messages.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn edit_message(
    sessions: State<'_, Sessions>,
    args: EditMessageArgs,
) -> IpcResult<Message> {
    Ok(sessions
        .client()
        .await?
        .edit_message(&args.channel_id, &args.message_id, &args.content)
        .await?)
}

/// Deletes a message.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn delete_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .delete_message(&args.channel_id, &args.message_id)
        .await?)
}

/// Adds the user's reaction.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn add_reaction(sessions: State<'_, Sessions>, args: ReactionArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .add_reaction(&args.channel_id, &args.message_id, &args.emoji)
        .await?)
}

/// Removes the user's reaction.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn remove_reaction(sessions: State<'_, Sessions>, args: ReactionArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .remove_reaction(&args.channel_id, &args.message_id, &args.emoji)
        .await?)
}

/// Pins a message.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn pin_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .set_pinned(&args.channel_id, &args.message_id, true)
        .await?)
}

/// Unpins a message.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn unpin_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .set_pinned(&args.channel_id, &args.message_id, false)
        .await?)
}

/// A channel's pinned messages.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn list_pins(
    sessions: State<'_, Sessions>,
    args: ChannelArgs,
) -> IpcResult<Vec<Message>> {
    Ok(sessions.client().await?.pins(&args.channel_id).await?)
}

/// Tells others the user is typing.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn send_typing(sessions: State<'_, Sessions>, args: ChannelArgs) -> IpcResult<()> {
    Ok(sessions.client().await?.typing(&args.channel_id).await?)
}

/// Moves the read marker.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn ack_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .ack(&args.channel_id, &args.message_id)
        .await?)
}

/// Friends, requests and blocks.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_relationships(sessions: State<'_, Sessions>) -> IpcResult<Vec<Relationship>> {
    Ok(sessions.client().await?.relationships().await?)
}

/// Finds a user by exact name.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn search_user(sessions: State<'_, Sessions>, args: UsernameArgs) -> IpcResult<User> {
    Ok(sessions.client().await?.search_user(&args.username).await?)
}

/// Sends a friend request to a user named exactly `username`.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn send_friend_request(
    sessions: State<'_, Sessions>,
    args: UsernameArgs,
) -> IpcResult<Relationship> {
    let client = sessions.client().await?;
    let user = client.search_user(&args.username).await?;
    Ok(client.send_friend_request(&user.id).await?)
}

/// Accepts a friend request.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn accept_friend_request(sessions: State<'_, Sessions>, args: UserArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .accept_friend_request(&args.user_id)
        .await?)
}

/// Unfriends, declines, cancels or unblocks.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn remove_relationship(sessions: State<'_, Sessions>, args: UserArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .remove_relationship(&args.user_id)
        .await?)
}

/// Blocks a user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn block_user(sessions: State<'_, Sessions>, args: UserArgs) -> IpcResult<Relationship> {
    Ok(sessions.client().await?.block_user(&args.user_id).await?)
}

/// Opens (or finds) the DM channel with a user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn open_dm(
    sessions: State<'_, Sessions>,
    notifier: State<'_, Notifier>,
    args: UserArgs,
) -> IpcResult<Channel> {
    let channel = sessions.client().await?.open_dm(&args.user_id).await?;
    remember(&sessions, "dm channel", |store| store.remember_dm(&channel)).await;
    notifier.remember_dm_channels([channel.id.as_str()]);
    Ok(channel)
}

/// Sets the user's presence.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_presence(
    sessions: State<'_, Sessions>,
    args: PresenceArgs,
) -> IpcResult<Presence> {
    Ok(sessions
        .client()
        .await?
        .set_presence(&args.status, args.custom_status.as_deref())
        .await?)
}

/// Arguments of `fetch_attachment`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentArgs {
    /// The attachment's `url` (a server path).
    pub url: String,
    /// Its content type, for the data URL.
    pub content_type: Option<String>,
}

/// Downloads an attachment with the session's token and returns it as a `data:` URL for an
/// image preview (the webview has no token and cannot fetch it itself).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn fetch_attachment(
    sessions: State<'_, Sessions>,
    args: AttachmentArgs,
) -> IpcResult<String> {
    use base64::Engine as _;
    let bytes = sessions.client().await?.fetch_attachment(&args.url).await?;
    let mime = args
        .content_type
        .filter(|m| m.starts_with("image/"))
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

/// Uploads a file the user picked (checked against the 10 MiB cap before reading it whole).
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn upload_attachment(
    sessions: State<'_, Sessions>,
    args: UploadArgs,
) -> IpcResult<Attachment> {
    const MAX_UPLOAD: u64 = 10 * 1024 * 1024;
    let client = sessions.client().await?;
    let path = std::path::Path::new(&args.path);
    let too_large = || {
        IpcError::failed(
            plexichat_core::UiState::InvalidInput {
                field: Some("file".into()),
                message: "File too large (10 MiB at most)".into(),
            },
            "file too large",
        )
    };
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| IpcError::invalid_argument(format!("cannot read the file: {e}")))?;
    if meta.len() > MAX_UPLOAD {
        return Err(too_large());
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| IpcError::invalid_argument(format!("cannot read the file: {e}")))?;
    let filename = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let mime = mime_for(&filename);
    Ok(client
        .upload_attachment(&args.channel_id, &filename, mime, bytes.into())
        .await?)
}

fn mime_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "md" | "log" => "text/plain",
        "pdf" => "application/pdf",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
