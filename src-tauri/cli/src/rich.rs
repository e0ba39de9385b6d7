//! Rich-message subcommands (issue 16): `plexi poll create|vote|results|close`,
//! `plexi schedule CHANNEL TEXT --at TIME`, `plexi schedule list|cancel`,
//! `plexi forward MESSAGE --to CHANNEL`.

use clap::Subcommand;
use plexichat_core::poll::NewPoll;
use plexichat_core::store::Store;
use plexichat_core::{Client, ClientError, UiState};
use serde_json::Value;

/// `plexi poll …`.
#[derive(Debug, Subcommand)]
pub enum PollCommand {
    /// Post a poll: `plexi poll create CHANNEL "Lunch?" --option pizza --option sushi`.
    Create {
        /// Channel id.
        channel: String,
        /// The question.
        question: String,
        /// An option (repeat, at least two).
        #[arg(long = "option", required = true)]
        options: Vec<String>,
        /// Hours until it ends by itself (1–168); none for no end.
        #[arg(long)]
        hours: Option<u32>,
        /// Let voters pick several options.
        #[arg(long)]
        multiple: bool,
    },
    /// Vote: `plexi poll vote POLL OPTION_ID [OPTION_ID…]`.
    Vote {
        /// Poll id.
        poll: String,
        /// Option ids.
        #[arg(required = true)]
        options: Vec<String>,
    },
    /// Show counts and your own votes.
    Results {
        /// Poll id.
        poll: String,
    },
    /// Close a poll you created.
    Close {
        /// Poll id.
        poll: String,
    },
}

/// Runs a poll subcommand; a refusal is part of the result (`{"refusal":"ended",…}`).
///
/// # Errors
/// Any classified failure that is not a poll refusal.
pub async fn poll(client: &Client, command: PollCommand) -> Result<Value, ClientError> {
    Ok(match command {
        PollCommand::Create {
            channel,
            question,
            options,
            hours,
            multiple,
        } => {
            let poll = NewPoll {
                question,
                options,
                duration_hours: hours,
                allow_multiple_choice: multiple,
            };
            to_value(&client.create_poll(&channel, &poll).await?)
        }
        PollCommand::Vote { poll, options } => to_value(&client.vote_poll(&poll, &options).await?),
        PollCommand::Results { poll } => to_value(&client.poll_results(&poll).await?),
        PollCommand::Close { poll } => to_value(&client.close_poll(&poll).await?),
    })
}

/// `plexi schedule list|cancel`.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Every scheduled message: the server's (pending) and this account's app's.
    List,
    /// Cancel one: `server:ID` (on the server) or `device:N` (in the app's database).
    Cancel {
        /// The id `schedule list` shows.
        id: String,
    },
}

/// Schedules `text` on the server for `at` (`+10m`, `+2h`, `2026-12-03T20:00Z`, ms). The
/// server never delivers it; the desktop app adopts and sends it when it is due.
///
/// # Errors
/// `invalid_input{scheduled_at}` for a time that cannot be read or is under a minute ahead, …
pub async fn schedule(
    client: &Client,
    channel: &str,
    text: &str,
    at: &str,
) -> Result<Value, ClientError> {
    let now = plexichat_core::clock::now_ms();
    let Some(when) = plexichat_core::rich::parse_when(at, now) else {
        return Err(ClientError::rejected(
            UiState::InvalidInput {
                field: Some("scheduled_at".into()),
                message: "Give --at as +10m, +2h, 2026-12-03T20:00Z or ms since the epoch".into(),
            },
            "unreadable --at",
        ));
    };
    let s = client.schedule_on_server(channel, text, when).await?;
    Ok(serde_json::json!({
        "id": format!("server:{}", s.id),
        "channel_id": s.conversation_id,
        "content": s.content,
        "scheduled_at": s.scheduled_at,
        "held_by": "server",
        "status": "pending",
    }))
}

/// Lists or cancels scheduled messages; `store` is the app's database when there is one.
///
/// # Errors
/// The server's failure for `server:` ids; `not_found` for an unknown `device:` id.
pub async fn schedule_action(
    client: &Client,
    store: Option<&Store>,
    command: ScheduleCommand,
) -> Result<Value, ClientError> {
    match command {
        ScheduleCommand::List => {
            let mut items: Vec<Value> = Vec::new();
            if let Some(store) = store {
                if let Ok(rows) = plexichat_core::outbox::schedule::device_scheduled(store) {
                    items.extend(rows.iter().map(to_value));
                }
            }
            for s in client.server_scheduled().await? {
                if s.status == "pending" {
                    items.push(serde_json::json!({
                        "id": format!("server:{}", s.id),
                        "channel_id": s.conversation_id,
                        "content": s.content,
                        "scheduled_at": s.scheduled_at,
                        "held_by": "server",
                        "status": "pending",
                    }));
                }
            }
            items.sort_by_key(|v| v["scheduled_at"].as_i64().unwrap_or(0));
            Ok(Value::Array(items))
        }
        ScheduleCommand::Cancel { id } => {
            if let Some(server_id) = id.strip_prefix("server:") {
                client.cancel_server_scheduled(server_id).await?;
                return Ok(serde_json::json!({ "cancelled": id }));
            }
            let gone = plexichat_core::outbox::schedule::device_id(&id)
                .zip(store)
                .and_then(|(n, s)| s.delete_scheduled(n).ok())
                .unwrap_or(false);
            if gone {
                Ok(serde_json::json!({ "cancelled": id }))
            } else {
                Err(ClientError::rejected(
                    UiState::NotFound {
                        entity: plexichat_core::ui_state::Entity::Message,
                        message: "No scheduled message has this id".into(),
                    },
                    "no such scheduled message",
                ))
            }
        }
    }
}

/// Forwards `message` (`CHANNEL/MESSAGE`, a `plexichat://message/CHANNEL/MESSAGE` link, or
/// a bare id with `from`) to `to` as a quoted copy with a link back.
///
/// # Errors
/// `invalid_input{message}` for an id without its channel or an undecryptable original, …
pub async fn forward(
    client: &Client,
    message: &str,
    from: Option<&str>,
    to: &str,
    comment: &str,
) -> Result<Value, ClientError> {
    let path = message
        .strip_prefix("plexichat://message/")
        .unwrap_or(message);
    let (channel, id) = match (path.split_once('/'), from) {
        (Some((c, m)), _) => (c.to_owned(), m.to_owned()),
        (None, Some(c)) => (c.to_owned(), path.to_owned()),
        (None, None) => {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("message".into()),
                    message: "Name the message as CHANNEL/MESSAGE or pass --from CHANNEL".into(),
                },
                "message without its channel",
            ))
        }
    };
    Ok(to_value(
        &client.forward_message(&channel, &id, to, comment).await?,
    ))
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
