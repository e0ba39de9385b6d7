//! `plexi saved list|add|remove` (the server's bookmarks) and `plexi mentions` (what the
//! account's app recorded, plus the server's notification list).

use clap::Subcommand;
use plexichat_core::model::User;
use plexichat_core::{Client, ClientError};
use serde_json::{json, Value};

use crate::to_value;

/// `plexi saved …`.
#[derive(Debug, Subcommand)]
pub enum SavedCommand {
    /// List saved messages, newest first (with the text when the app has it cached).
    List,
    /// Save a message: `plexi saved add CHANNEL MESSAGE [--label NOTE]`.
    Add {
        /// The channel the message is in.
        channel: String,
        /// The message id.
        message: String,
        /// An optional note.
        #[arg(long)]
        label: Option<String>,
    },
    /// Remove a saved message: `plexi saved remove MESSAGE`.
    Remove {
        /// The message id.
        message: String,
    },
}

/// Runs one `plexi saved` command for the signed-in `user`.
///
/// # Errors
/// The server's refusal or the network's failure.
pub async fn saved(client: &Client, user: &User, cmd: SavedCommand) -> Result<Value, ClientError> {
    Ok(match cmd {
        SavedCommand::List => {
            let store = crate::search::open_store(client.base_url(), Some(user));
            to_value(&client.saved_messages(store.as_ref()).await?)
        }
        SavedCommand::Add {
            channel,
            message,
            label,
        } => to_value(
            &client
                .save_message(&channel, &message, label.as_deref())
                .await?,
        ),
        SavedCommand::Remove { message } => {
            client.unsave_message(&message).await?;
            json!({ "removed": message })
        }
    })
}

/// `plexi mentions`: recent mentions and replies, newest first.
///
/// # Errors
/// None from the local part; see [`Client::mentions`].
pub async fn mentions(client: &Client, user: &User) -> Result<Value, ClientError> {
    let store = crate::search::open_store(client.base_url(), Some(user));
    if store.is_none() {
        tracing::info!("no local database for this account: server notifications only");
    }
    Ok(to_value(&client.mentions(store.as_ref()).await?))
}
