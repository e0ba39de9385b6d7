//! `plexi role …`, `plexi audit` and `plexi slowmode`: one JSON result each.

use std::collections::BTreeMap;

use clap::Subcommand;
use plexichat_core::community::{ChannelEdit, RoleEdit};
use plexichat_core::{Client, ClientError};
use serde_json::{json, Value};

/// `plexi role`.
#[derive(Debug, Subcommand)]
pub enum RoleCmd {
    /// A server's roles, highest first (needs `roles.manage`).
    List {
        /// Server id.
        server: String,
    },
    /// Create a role.
    Create {
        /// Server id.
        server: String,
        /// Role name.
        name: String,
        /// `#rrggbb`.
        #[arg(long)]
        color: Option<String>,
        /// A permission to grant (repeatable), e.g. `--allow members.kick`.
        #[arg(long = "allow")]
        allow: Vec<String>,
    },
    /// Rename a role, change its colour, or replace its permissions.
    Edit {
        /// Server id.
        server: String,
        /// Role id.
        role: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New colour (`#rrggbb`).
        #[arg(long)]
        color: Option<String>,
        /// The role's complete new permission set (repeatable); with none given, the
        /// permissions stay as they are unless `--clear-permissions` is passed.
        #[arg(long = "allow")]
        allow: Vec<String>,
        /// Take every permission away.
        #[arg(long)]
        clear_permissions: bool,
    },
    /// Delete a role.
    Delete {
        /// Server id.
        server: String,
        /// Role id.
        role: String,
    },
    /// Give a member (by user id) a role.
    Assign {
        /// Server id.
        server: String,
        /// User id.
        user: String,
        /// Role id.
        role: String,
    },
    /// Take a role away from a member (by user id).
    Unassign {
        /// Server id.
        server: String,
        /// User id.
        user: String,
        /// Role id.
        role: String,
    },
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn granted(keys: Vec<String>) -> BTreeMap<String, bool> {
    keys.into_iter().map(|k| (k, true)).collect()
}

/// Runs one `plexi role` command.
///
/// # Errors
/// The classified failure of the call.
pub async fn role(client: &Client, cmd: RoleCmd) -> Result<Value, ClientError> {
    Ok(match cmd {
        RoleCmd::List { server } => to_value(&client.roles(&server).await?),
        RoleCmd::Create {
            server,
            name,
            color,
            allow,
        } => {
            let edit = RoleEdit {
                name: Some(name),
                color,
                permissions: Some(granted(allow)),
                hoist: None,
                mentionable: None,
            };
            to_value(&client.create_role(&server, &edit).await?)
        }
        RoleCmd::Edit {
            server,
            role,
            name,
            color,
            allow,
            clear_permissions,
        } => {
            let permissions = (clear_permissions || !allow.is_empty()).then(|| granted(allow));
            let edit = RoleEdit {
                name,
                color,
                permissions,
                hoist: None,
                mentionable: None,
            };
            to_value(&client.update_role(&server, &role, &edit).await?)
        }
        RoleCmd::Delete { server, role } => {
            client.delete_role(&server, &role).await?;
            json!({ "deleted": role })
        }
        RoleCmd::Assign { server, user, role } => {
            client.set_member_role(&server, &user, &role, true).await?;
            json!({ "assigned": role, "user": user })
        }
        RoleCmd::Unassign { server, user, role } => {
            client.set_member_role(&server, &user, &role, false).await?;
            json!({ "unassigned": role, "user": user })
        }
    })
}

/// Runs `plexi audit SERVER`: the newest entries, newest first.
///
/// # Errors
/// The classified failure of the call.
pub async fn audit(client: &Client, server: &str, limit: u32) -> Result<Value, ClientError> {
    Ok(to_value(&client.audit_log(server, limit).await?))
}

/// Runs `plexi slowmode CHANNEL SECONDS`: answers the channel as changed.
///
/// # Errors
/// The classified failure of the call.
pub async fn slowmode(client: &Client, channel: &str, seconds: u32) -> Result<Value, ClientError> {
    let edit = ChannelEdit {
        name: None,
        topic: None,
        slowmode_seconds: Some(seconds),
    };
    Ok(to_value(&client.update_channel(channel, &edit).await?))
}
