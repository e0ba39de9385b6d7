//! Servers, channels, messages, reactions, pins, DMs, relationships and presence.

use plexichat_core::api::types::{HistoryQuery, Presence, Relationship};
use plexichat_core::model::{Channel, Member, Message, Server, User};
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
    /// Only messages newer than this id (scrolling back down a window that no longer holds the
    /// newest messages); `null` otherwise. The page then holds the messages right after it.
    pub after: Option<String>,
    /// Page size, 1 to 100.
    pub limit: u32,
}

/// Arguments of `queue_message`.
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
    let servers = sessions.client().await?.servers().await?;
    remember(&sessions, "servers", |store| store.save_servers(&servers)).await;
    Ok(servers)
}

/// A server's channels.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_channels(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<Vec<Channel>> {
    let channels = sessions.client().await?.channels(&args.server_id).await?;
    remember(&sessions, "channels", |store| {
        store.save_channels(&args.server_id, &channels)
    })
    .await;
    // Unread counts keyed by conversations of channels unknown until now can be matched.
    if let Ok(unread) = sessions.unread().await {
        tauri::async_runtime::spawn(async move {
            if let Err(e) = unread.sync_if_unresolved().await {
                tracing::debug!(error = %e, "unread state not fetched");
            }
        });
    }
    Ok(channels)
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

/// A page of history; the newest page also makes the gateway track the channel so a reconnect
/// catches up on it. An `after` page is only remembered: it says nothing about deletions
/// around it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn load_messages(
    sessions: State<'_, Sessions>,
    args: LoadMessagesArgs,
) -> IpcResult<Vec<Message>> {
    let client = sessions.client().await?;
    let q = HistoryQuery {
        before: args.before.clone(),
        after: args.after.clone(),
        limit: Some(args.limit),
    };
    let page = client.history(&args.channel_id, &q).await?;
    if args.after.is_some() {
        remember(&sessions, "history", |store| {
            store.save_messages(&args.channel_id, &page)
        })
        .await;
        return Ok(page);
    }
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

/// The user read the channel up to this message: its unread count drops to 0 here at once and
/// the ack goes out with the next batch, under the conversation id the server honours.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn ack_message(sessions: State<'_, Sessions>, args: MessageArgs) -> IpcResult<()> {
    sessions
        .unread()
        .await?
        .mark_read(&args.channel_id, &args.message_id)
        .map_err(|e| IpcError::internal(format!("local database: {e}")))
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
