//! Communities: create a server, preview and join invites, make, list and revoke them, and
//! the permission map that decides which controls the UI shows.

use plexichat_core::community::{
    Ban, ChannelEdit, Invite, InviteCheck, JoinOutcome, NewInvite, Permissions, ServerEdit,
};
use plexichat_core::model::{Channel, Server};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::chat::ServerArgs;
use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Arguments of `create_server`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CreateServerArgs {
    /// 2 to 100 characters.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
}

/// Arguments naming an invite: a bare code or a full link, as pasted.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct InviteArgs {
    /// `CODE`, `plexichat://invite/CODE` or `https://host/invite/CODE`.
    pub invite: String,
}

/// Arguments of `create_invite`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CreateInviteArgs {
    /// The channel the invite opens.
    pub channel_id: String,
    /// Lifetime in seconds (0: forever) and allowed uses (0: unlimited).
    pub settings: NewInvite,
}

/// An invite just made, with the link to share.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CreatedInvite {
    /// The invite.
    pub invite: Invite,
    /// `plexichat://invite/CODE` (naming the server when it is not the default one).
    pub link: String,
}

/// Creates a server owned by the user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn create_server(
    sessions: State<'_, Sessions>,
    args: CreateServerArgs,
) -> IpcResult<Server> {
    Ok(sessions
        .client()
        .await?
        .create_server(&args.name, args.description.as_deref())
        .await?)
}

/// Looks an invite up before joining (refusals are an answer, not an error).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn check_invite(
    sessions: State<'_, Sessions>,
    args: InviteArgs,
) -> IpcResult<InviteCheck> {
    Ok(sessions.client().await?.check_invite(&args.invite).await?)
}

/// Joins an invite's server (refusals are an answer, not an error).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn join_invite(
    sessions: State<'_, Sessions>,
    args: InviteArgs,
) -> IpcResult<JoinOutcome> {
    Ok(sessions.client().await?.join_invite(&args.invite).await?)
}

/// Makes an invite to a channel and its shareable link.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn create_invite(
    sessions: State<'_, Sessions>,
    args: CreateInviteArgs,
) -> IpcResult<CreatedInvite> {
    let client = sessions.client().await?;
    let invite = client
        .create_invite(&args.channel_id, args.settings)
        .await?;
    let link = client.invite_link(&invite.code);
    Ok(CreatedInvite { invite, link })
}

/// A server's invites, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_invites(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<Vec<Invite>> {
    Ok(sessions
        .client()
        .await?
        .server_invites(&args.server_id)
        .await?)
}

/// Revokes an invite.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn revoke_invite(sessions: State<'_, Sessions>, args: InviteArgs) -> IpcResult<()> {
    Ok(sessions.client().await?.revoke_invite(&args.invite).await?)
}

/// The shareable link of an invite code on the signed-in server.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn invite_link(sessions: State<'_, Sessions>, args: InviteArgs) -> IpcResult<String> {
    Ok(sessions.client().await?.invite_link(&args.invite))
}

/// What the user may do in a server.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn get_permissions(
    sessions: State<'_, Sessions>,
    args: ServerArgs,
) -> IpcResult<Permissions> {
    Ok(sessions
        .client()
        .await?
        .permissions(&args.server_id)
        .await?)
}

/// Arguments of `update_server`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UpdateServerArgs {
    /// The server.
    pub server_id: String,
    /// What changes.
    pub edit: ServerEdit,
}

/// Arguments of `create_channel`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CreateChannelArgs {
    /// The server.
    pub server_id: String,
    /// Name, and optionally topic and slowmode.
    pub edit: ChannelEdit,
}

/// Arguments of `update_channel`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UpdateChannelArgs {
    /// The channel.
    pub channel_id: String,
    /// What changes.
    pub edit: ChannelEdit,
}

/// Arguments naming a channel of a server.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ServerChannelArgs {
    /// The server.
    pub server_id: String,
    /// The channel.
    pub channel_id: String,
}

/// Arguments naming a member (by user id) of a server.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MemberArgs {
    /// The server.
    pub server_id: String,
    /// The member's user id.
    pub user_id: String,
}

/// Arguments of `ban_member`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct BanArgs {
    /// The server.
    pub server_id: String,
    /// The user (a member or not).
    pub user_id: String,
    /// Why, shown in the ban list and audit log.
    pub reason: Option<String>,
}

/// Renames a server or changes its description; answers the server as changed.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn update_server(
    sessions: State<'_, Sessions>,
    args: UpdateServerArgs,
) -> IpcResult<Server> {
    Ok(sessions
        .client()
        .await?
        .update_server(&args.server_id, &args.edit)
        .await?)
}

/// Deletes a server (owner only).
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn delete_server(sessions: State<'_, Sessions>, args: ServerArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .delete_server(&args.server_id)
        .await?)
}

/// Leaves a server.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn leave_server(sessions: State<'_, Sessions>, args: ServerArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .leave_server(&args.server_id)
        .await?)
}

/// Creates a text channel.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn create_channel(
    sessions: State<'_, Sessions>,
    args: CreateChannelArgs,
) -> IpcResult<Channel> {
    Ok(sessions
        .client()
        .await?
        .create_channel(&args.server_id, &args.edit)
        .await?)
}

/// Renames a channel, changes its topic or slowmode.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn update_channel(
    sessions: State<'_, Sessions>,
    args: UpdateChannelArgs,
) -> IpcResult<Channel> {
    Ok(sessions
        .client()
        .await?
        .update_channel(&args.channel_id, &args.edit)
        .await?)
}

/// Deletes a channel.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn delete_channel(
    sessions: State<'_, Sessions>,
    args: ServerChannelArgs,
) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .delete_channel(&args.server_id, &args.channel_id)
        .await?)
}

/// Kicks a member.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn kick_member(sessions: State<'_, Sessions>, args: MemberArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .kick_member(&args.server_id, &args.user_id)
        .await?)
}

/// Bans a user with an optional reason.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn ban_member(sessions: State<'_, Sessions>, args: BanArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .ban_member(&args.server_id, &args.user_id, args.reason.as_deref())
        .await?)
}

/// Lifts a ban.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn unban_member(sessions: State<'_, Sessions>, args: MemberArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .unban_member(&args.server_id, &args.user_id)
        .await?)
}

/// A server's bans.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_bans(sessions: State<'_, Sessions>, args: ServerArgs) -> IpcResult<Vec<Ban>> {
    Ok(sessions.client().await?.bans(&args.server_id).await?)
}
