//! Rich-message subcommands (issue 16): `plexi poll create|vote|results|close`.

use clap::Subcommand;
use plexichat_core::poll::NewPoll;
use plexichat_core::{Client, ClientError};
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

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
