//! Polls: create, read results, vote, close. Refused votes and closes resolve with the
//! refusal and the current results (the core decides which refusal it was).

use plexichat_core::model::Message;
use plexichat_core::poll::{NewPoll, PollResults, PollUpdate};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Arguments of `create_poll`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CreatePollArgs {
    /// Where to post it.
    pub channel_id: String,
    /// The question, options, duration and choice mode.
    pub poll: NewPoll,
}

/// Arguments naming a poll.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PollArgs {
    /// The poll's id.
    pub poll_id: String,
}

/// Arguments of `vote_poll`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct VotePollArgs {
    /// The poll's id.
    pub poll_id: String,
    /// The chosen option ids (one unless the poll allows several).
    pub option_ids: Vec<String>,
}

/// Posts a poll; resolves with the message that carries it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(channel = %args.channel_id), err(Debug))]
pub async fn create_poll(
    sessions: State<'_, Sessions>,
    args: CreatePollArgs,
) -> IpcResult<Message> {
    Ok(sessions
        .client()
        .await?
        .create_poll(&args.channel_id, &args.poll)
        .await?)
}

/// A poll's counts and the user's own votes.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn poll_results(sessions: State<'_, Sessions>, args: PollArgs) -> IpcResult<PollResults> {
    Ok(sessions.client().await?.poll_results(&args.poll_id).await?)
}

/// Votes; a refusal resolves with its reason and the current results.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn vote_poll(sessions: State<'_, Sessions>, args: VotePollArgs) -> IpcResult<PollUpdate> {
    Ok(sessions
        .client()
        .await?
        .vote_poll(&args.poll_id, &args.option_ids)
        .await?)
}

/// Closes a poll (its creator only); a refusal resolves with its reason.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn close_poll(sessions: State<'_, Sessions>, args: PollArgs) -> IpcResult<PollUpdate> {
    Ok(sessions.client().await?.close_poll(&args.poll_id).await?)
}
