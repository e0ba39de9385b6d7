//! Roles (list, create, edit, delete, assign to and remove from members) and the audit log.
//! The reference sends no event for an assignment and caches role and member lists per caller,
//! so the core lays this client's own writes over later reads; the UI applies the answers.

use plexichat_core::community::{AuditEntry, Role, RoleEdit};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::chat::ServerArgs;
use crate::ipc::IpcResult;
use crate::session::Sessions;

/// Arguments of `create_role`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CreateRoleArgs {
    /// The server.
    pub server_id: String,
    /// Name (required), colour, permissions.
    pub edit: RoleEdit,
}

/// Arguments of `update_role`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UpdateRoleArgs {
    /// The server.
    pub server_id: String,
    /// The role.
    pub role_id: String,
    /// What changes.
    pub edit: RoleEdit,
}

/// Arguments naming a role of a server.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct RoleArgs {
    /// The server.
    pub server_id: String,
    /// The role.
    pub role_id: String,
}

/// Arguments of `set_member_role`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MemberRoleArgs {
    /// The server.
    pub server_id: String,
    /// The member's user id.
    pub user_id: String,
    /// The role.
    pub role_id: String,
    /// True gives the role, false takes it away.
    pub assigned: bool,
}

/// Arguments of `list_audit_log`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AuditLogArgs {
    /// The server.
    pub server_id: String,
    /// How many entries (1 to 100).
    pub limit: u32,
}

/// A server's roles, highest first.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_roles(sessions: State<'_, Sessions>, args: ServerArgs) -> IpcResult<Vec<Role>> {
    Ok(sessions.client().await?.roles(&args.server_id).await?)
}

/// Creates a role; answers it as created.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn create_role(sessions: State<'_, Sessions>, args: CreateRoleArgs) -> IpcResult<Role> {
    Ok(sessions
        .client()
        .await?
        .create_role(&args.server_id, &args.edit)
        .await?)
}

/// Changes a role's name, colour or permissions; answers it as changed.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id, role = %args.role_id), err(Debug))]
pub async fn update_role(sessions: State<'_, Sessions>, args: UpdateRoleArgs) -> IpcResult<Role> {
    Ok(sessions
        .client()
        .await?
        .update_role(&args.server_id, &args.role_id, &args.edit)
        .await?)
}

/// Deletes a role.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id, role = %args.role_id), err(Debug))]
pub async fn delete_role(sessions: State<'_, Sessions>, args: RoleArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .delete_role(&args.server_id, &args.role_id)
        .await?)
}

/// Gives a member a role or takes it away.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id, role = %args.role_id), err(Debug))]
pub async fn set_member_role(sessions: State<'_, Sessions>, args: MemberRoleArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .set_member_role(&args.server_id, &args.user_id, &args.role_id, args.assigned)
        .await?)
}

/// The newest entries of a server's audit log.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_id), err(Debug))]
pub async fn list_audit_log(
    sessions: State<'_, Sessions>,
    args: AuditLogArgs,
) -> IpcResult<Vec<AuditEntry>> {
    Ok(sessions
        .client()
        .await?
        .audit_log(&args.server_id, args.limit)
        .await?)
}
