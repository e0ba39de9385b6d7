//! Sign-in, 2FA, registration, sign-out and the demo.

use std::sync::Arc;

use plexichat_core::api::types::{PasswordRequirements, SessionInfo};
use plexichat_core::model::User;
use plexichat_core::wait::WaitAction;
use plexichat_core::{Client, ClientConfig, LoginOutcome, MemoryStore, Secret, UiState};
use serde::Deserialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::ipc::{IpcError, IpcResult};
use crate::session::{Persistence, Sessions};

/// Arguments of `sign_in`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SignInArgs {
    /// Server root, e.g. `https://api.plexichat.com`.
    pub server_url: String,
    /// User name or e-mail.
    pub login: String,
    /// Password; registered with the log scrubber before anything can log it.
    pub password: String,
}

/// Arguments of `register`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct RegisterArgs {
    /// Server root.
    pub server_url: String,
    /// Wanted user name.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Arguments of `submit_two_factor`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TwoFactorArgs {
    /// A 6-digit TOTP code or a backup code, with or without its dash.
    pub code: String,
}

/// Arguments of commands that only name a server.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ServerUrlArgs {
    /// Server root.
    pub server_url: String,
}

/// Arguments of `revoke_session`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct RevokeSessionArgs {
    /// The session to sign out.
    pub session_id: String,
}

pub(crate) fn new_client(server_url: &str) -> IpcResult<Client> {
    let url = server_url.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(IpcError::failed(
            UiState::InvalidInput {
                field: Some("server_url".into()),
                message: "The server address must start with http:// or https://".into(),
            },
            "invalid server URL",
        ));
    }
    Ok(Client::new(ClientConfig::new(url))?)
}

/// Signs in; the resulting screen (`ready`, `two_factor_required`, lockout, …) also arrives as
/// a `ui-state` event.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_url), err(Debug))]
pub async fn sign_in(
    app: AppHandle,
    sessions: State<'_, Sessions>,
    args: SignInArgs,
) -> IpcResult<LoginOutcome> {
    plexichat_core::redact::register_secret(&args.password);
    let client = begin_session(&app, &sessions, &args.server_url).await?;
    let outcome = client
        .login(args.login.trim(), &Secret::new(args.password))
        .await
        .inspect_err(|e| super::waits::record_if_long(WaitAction::SignIn, &args.server_url, e))?;
    super::waits::clear(WaitAction::SignIn, &args.server_url);
    if matches!(outcome, LoginOutcome::SignedIn { .. }) {
        crate::last_server::save(client.base_url());
    }
    Ok(outcome)
}

/// Makes a client for `server_url` the current session and checks the version first, so an
/// outdated client sees the update dialog rather than a confusing login error. Other
/// negotiation failures are left to the sign-in itself, which reports them in context.
async fn begin_session(
    app: &AppHandle,
    sessions: &Sessions,
    server_url: &str,
) -> IpcResult<Client> {
    let client = new_client(server_url)?;
    sessions
        .install(app, client.clone(), Persistence::Disk)
        .await;
    match client.negotiate().await {
        Err(e)
            if matches!(
                e.state,
                UiState::UpdateRequired { .. } | UiState::InvalidVersionFormat { .. }
            ) =>
        {
            Err(e.into())
        }
        _ => Ok(client),
    }
}

/// Starts the embedded demo server (once) and signs in as its demo user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn start_demo(app: AppHandle, sessions: State<'_, Sessions>) -> IpcResult<LoginOutcome> {
    let url = sessions.demo_server_url().await?;
    // The demo account is throwaway: keep its token out of the user's keyring.
    let client = Client::new(ClientConfig::new(url).with_store(Arc::new(MemoryStore::new())))?;
    sessions
        .install(&app, client.clone(), Persistence::Memory)
        .await;
    let user = plexichat_devserver::DEMO_USERS[0];
    Ok(client
        .login(user, &Secret::new(plexichat_devserver::DEMO_PASSWORD))
        .await?)
}

/// Completes a 2FA sign-in.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn submit_two_factor(
    sessions: State<'_, Sessions>,
    args: TwoFactorArgs,
) -> IpcResult<User> {
    plexichat_core::redact::register_secret(&args.code);
    let client = sessions.client().await?;
    let user = client.submit_two_factor(&Secret::new(args.code)).await?;
    crate::last_server::save(client.base_url());
    Ok(user)
}

/// Creates an account and signs in.
#[tauri::command]
#[tracing::instrument(skip_all, fields(server = %args.server_url), err(Debug))]
pub async fn register(
    app: AppHandle,
    sessions: State<'_, Sessions>,
    args: RegisterArgs,
) -> IpcResult<User> {
    plexichat_core::redact::register_secret(&args.password);
    let client = begin_session(&app, &sessions, &args.server_url).await?;
    let user = client
        .register(
            args.username.trim(),
            args.email.trim(),
            &Secret::new(args.password),
        )
        .await
        .inspect_err(|e| super::waits::record_if_long(WaitAction::Register, &args.server_url, e))?;
    super::waits::clear(WaitAction::Register, &args.server_url);
    crate::last_server::save(client.base_url());
    Ok(user)
}

/// The server's password rules, for checking a new password while it is typed.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn get_password_requirements(args: ServerUrlArgs) -> IpcResult<PasswordRequirements> {
    Ok(new_client(&args.server_url)?
        .password_requirements()
        .await?)
}

/// Arguments of `update_profile`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ProfileArgs {
    /// The new user name.
    pub username: String,
}

/// Abandons a pending 2FA sign-in and goes back to the password step.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn cancel_two_factor(sessions: State<'_, Sessions>) -> IpcResult<()> {
    sessions.client().await?.cancel_two_factor().await;
    Ok(())
}

/// Changes the signed-in user's name.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn update_profile(sessions: State<'_, Sessions>, args: ProfileArgs) -> IpcResult<User> {
    Ok(sessions
        .client()
        .await?
        .update_profile(args.username.trim())
        .await?)
}

/// Signs out on the server and here.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn sign_out(sessions: State<'_, Sessions>) -> IpcResult<()> {
    crate::last_server::clear();
    Ok(sessions.client().await?.logout().await?)
}

/// Reconnects the gateway now instead of waiting for the backoff.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn reconnect_now(sessions: State<'_, Sessions>) -> IpcResult<()> {
    sessions.reconnect_now().await;
    Ok(())
}

/// The account's signed-in sessions.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_sessions(sessions: State<'_, Sessions>) -> IpcResult<Vec<SessionInfo>> {
    Ok(sessions.client().await?.sessions().await?)
}

/// Signs another session out.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn revoke_session(
    sessions: State<'_, Sessions>,
    args: RevokeSessionArgs,
) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .revoke_session(&args.session_id)
        .await?)
}
