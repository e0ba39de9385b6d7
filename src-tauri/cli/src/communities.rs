//! `plexi invite …` and `plexi server …`: the community commands, one JSON result each.

use clap::Subcommand;
use plexichat_core::community::{ChannelEdit, NewInvite, ServerEdit};
use plexichat_core::{Client, ClientError};
use serde_json::{json, Value};

/// `plexi invite`.
#[derive(Debug, Subcommand)]
pub enum InviteCmd {
    /// Look an invite up (a code or a link): open, or why it cannot be used.
    Show {
        /// `CODE`, `plexichat://invite/CODE` or `https://host/invite/CODE`.
        invite: String,
    },
    /// Join the invite's server.
    Join {
        /// `CODE` or a link.
        invite: String,
    },
    /// Make an invite to a channel; prints it with its `plexichat://invite/CODE` link.
    Create {
        /// Channel id.
        channel: String,
        /// Lifetime in seconds (0: forever).
        #[arg(long, default_value_t = 86_400)]
        max_age: u64,
        /// Allowed uses (0: unlimited).
        #[arg(long, default_value_t = 0)]
        max_uses: u64,
    },
    /// List a server's invites, newest first.
    List {
        /// Server id.
        server: String,
    },
    /// Revoke an invite.
    Revoke {
        /// The code.
        code: String,
    },
}

/// `plexi server`.
#[derive(Debug, Subcommand)]
pub enum ServerCmd {
    /// Create a server owned by you.
    Create {
        /// 2 to 100 characters.
        name: String,
        /// Optional description.
        #[arg(long)]
        description: Option<String>,
    },
    /// What you may do in a server (its permission map).
    Permissions {
        /// Server id.
        server: String,
    },
    /// Rename a server or change its description.
    Edit {
        /// Server id.
        server: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New description ("" clears it).
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a server (its owner only).
    Delete {
        /// Server id.
        server: String,
    },
    /// Leave a server (its owner cannot).
    Leave {
        /// Server id.
        server: String,
    },
}

/// `plexi channel`.
#[derive(Debug, Subcommand)]
pub enum ChannelCmd {
    /// Create a text channel.
    Create {
        /// Server id.
        server: String,
        /// Channel name.
        name: String,
        /// Topic.
        #[arg(long)]
        topic: Option<String>,
    },
    /// Rename a channel, change its topic or slowmode.
    Edit {
        /// Channel id.
        channel: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New topic ("" clears it).
        #[arg(long)]
        topic: Option<String>,
        /// Seconds between two messages of a member (0: off).
        #[arg(long)]
        slowmode: Option<u32>,
    },
    /// Delete a channel.
    Delete {
        /// Server id.
        server: String,
        /// Channel id.
        channel: String,
    },
}

/// `plexi member`.
#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Kick a member (by user id).
    Kick {
        /// Server id.
        server: String,
        /// User id.
        user: String,
    },
    /// Ban a user (member or not).
    Ban {
        /// Server id.
        server: String,
        /// User id.
        user: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lift a ban.
    Unban {
        /// Server id.
        server: String,
        /// User id.
        user: String,
    },
    /// List a server's bans.
    Bans {
        /// Server id.
        server: String,
    },
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Runs one `plexi invite` command.
///
/// # Errors
/// The classified failure of the call.
pub async fn invite(client: &Client, cmd: InviteCmd) -> Result<Value, ClientError> {
    Ok(match cmd {
        InviteCmd::Show { invite } => to_value(&client.check_invite(&invite).await?),
        InviteCmd::Join { invite } => to_value(&client.join_invite(&invite).await?),
        InviteCmd::Create {
            channel,
            max_age,
            max_uses,
        } => {
            let inv = client
                .create_invite(&channel, NewInvite { max_age, max_uses })
                .await?;
            json!({ "invite": to_value(&inv), "link": client.invite_link(&inv.code) })
        }
        InviteCmd::List { server } => to_value(&client.server_invites(&server).await?),
        InviteCmd::Revoke { code } => {
            client.revoke_invite(&code).await?;
            json!({ "revoked": code })
        }
    })
}

/// Runs one `plexi server` command.
///
/// # Errors
/// The classified failure of the call.
pub async fn server(client: &Client, cmd: ServerCmd) -> Result<Value, ClientError> {
    Ok(match cmd {
        ServerCmd::Create { name, description } => {
            to_value(&client.create_server(&name, description.as_deref()).await?)
        }
        ServerCmd::Permissions { server } => to_value(&client.permissions(&server).await?),
        ServerCmd::Edit {
            server,
            name,
            description,
        } => to_value(
            &client
                .update_server(&server, &ServerEdit { name, description })
                .await?,
        ),
        ServerCmd::Delete { server } => {
            client.delete_server(&server).await?;
            json!({ "deleted": server })
        }
        ServerCmd::Leave { server } => {
            client.leave_server(&server).await?;
            json!({ "left": server })
        }
    })
}

/// Runs one `plexi channel` command.
///
/// # Errors
/// The classified failure of the call.
pub async fn channel(client: &Client, cmd: ChannelCmd) -> Result<Value, ClientError> {
    Ok(match cmd {
        ChannelCmd::Create {
            server,
            name,
            topic,
        } => {
            let edit = ChannelEdit {
                name: Some(name),
                topic,
                slowmode_seconds: None,
            };
            to_value(&client.create_channel(&server, &edit).await?)
        }
        ChannelCmd::Edit {
            channel,
            name,
            topic,
            slowmode,
        } => {
            let edit = ChannelEdit {
                name,
                topic,
                slowmode_seconds: slowmode,
            };
            to_value(&client.update_channel(&channel, &edit).await?)
        }
        ChannelCmd::Delete { server, channel } => {
            client.delete_channel(&server, &channel).await?;
            json!({ "deleted": channel })
        }
    })
}

/// Runs one `plexi member` command.
///
/// # Errors
/// The classified failure of the call.
pub async fn member(client: &Client, cmd: MemberCmd) -> Result<Value, ClientError> {
    Ok(match cmd {
        MemberCmd::Kick { server, user } => {
            client.kick_member(&server, &user).await?;
            json!({ "kicked": user })
        }
        MemberCmd::Ban {
            server,
            user,
            reason,
        } => {
            client.ban_member(&server, &user, reason.as_deref()).await?;
            json!({ "banned": user })
        }
        MemberCmd::Unban { server, user } => {
            client.unban_member(&server, &user).await?;
            json!({ "unbanned": user })
        }
        MemberCmd::Bans { server } => to_value(&client.bans(&server).await?),
    })
}
