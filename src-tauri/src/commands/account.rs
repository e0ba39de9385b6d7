//! Account and security settings: two-factor setup, sessions, password change and reset,
//! settings stored on the server.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use plexichat_core::account::{
    DataExport, DmPrivacy, MessagingSettings, Profile, ProfileUpdate, TwoFactorSetup,
    TwoFactorStatus,
};
use plexichat_core::model::User;
use plexichat_core::{Secret, UiState};
use serde::Deserialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::commands::chat::UserArgs;
use crate::commands::session::{new_client, RevokeSessionArgs};
use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// Arguments of `begin_two_factor`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PasswordArgs {
    /// The account's password.
    pub password: String,
}

/// Arguments of `confirm_two_factor`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CodeArgs {
    /// The 6-digit code from the authenticator app.
    pub code: String,
}

/// Arguments of `disable_two_factor`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DisableTwoFactorArgs {
    /// The account's password.
    pub password: String,
    /// A current TOTP code or an unused backup code.
    pub code: String,
}

/// Arguments of `save_backup_codes`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct BackupCodesArgs {
    /// The codes as shown.
    pub codes: Vec<String>,
}

/// Arguments of `change_password`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChangePasswordArgs {
    /// The password in use now.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// Arguments of `request_password_reset`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ResetRequestArgs {
    /// Server root (the user is signed out).
    pub server_url: String,
    /// The account's e-mail address.
    pub email: String,
}

/// Arguments of `confirm_password_reset`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ResetConfirmArgs {
    /// Server root.
    pub server_url: String,
    /// The token from the reset e-mail.
    pub token: String,
    /// The new password.
    pub new_password: String,
}

/// Arguments of `set_user_setting`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UserSettingArgs {
    /// Setting name, e.g. `theme`.
    pub key: String,
    /// String value (the server stores strings only); `null` removes the setting.
    pub value: Option<String>,
}

fn secret(value: String) -> Secret {
    plexichat_core::redact::register_secret(&value);
    Secret::new(value)
}

/// Whether 2FA is on.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn two_factor_status(sessions: State<'_, Sessions>) -> IpcResult<TwoFactorStatus> {
    Ok(sessions.client().await?.two_factor_status().await?)
}

/// Starts 2FA setup: QR code, secret and backup codes (shown once).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn begin_two_factor(
    sessions: State<'_, Sessions>,
    args: PasswordArgs,
) -> IpcResult<TwoFactorSetup> {
    let password = secret(args.password);
    Ok(sessions.client().await?.begin_two_factor(&password).await?)
}

/// Confirms 2FA setup with the first code.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn confirm_two_factor(
    sessions: State<'_, Sessions>,
    args: CodeArgs,
) -> IpcResult<TwoFactorStatus> {
    let code = secret(args.code);
    Ok(sessions.client().await?.confirm_two_factor(&code).await?)
}

/// Turns 2FA off.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn disable_two_factor(
    sessions: State<'_, Sessions>,
    args: DisableTwoFactorArgs,
) -> IpcResult<TwoFactorStatus> {
    let password = secret(args.password);
    let code = secret(args.code);
    Ok(sessions
        .client()
        .await?
        .disable_two_factor(&password, &code)
        .await?)
}

/// Saves the backup codes to a new file in the user's Downloads folder (readable by the user
/// only) and returns its path. A fixed folder rather than a file dialog keeps the window's
/// capabilities and the app's dependencies minimal; the path is shown so the user can move
/// the file.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_backup_codes(
    app: AppHandle,
    sessions: State<'_, Sessions>,
    args: BackupCodesArgs,
) -> IpcResult<String> {
    let account = sessions
        .client()
        .await?
        .current_user()
        .await
        .map_or_else(|| "account".to_owned(), |u| u.username);
    let dir = download_dir(&app)?;
    let path =
        write_backup_codes(&dir, &account, &args.codes).map_err(|e| save_failed(&dir, &e))?;
    Ok(path.display().to_string())
}

fn download_dir(app: &AppHandle) -> IpcResult<PathBuf> {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| IpcError::internal(format!("no folder to save into: {e}")))
}

fn save_failed(dir: &Path, e: &std::io::Error) -> IpcError {
    IpcError::failed(
        UiState::InvalidInput {
            field: Some("file".into()),
            message: format!("The file could not be saved in {}: {e}", dir.display()),
        },
        "saving a file failed",
    )
}

/// Writes the codes to `plexichat-backup-codes-<account>[-n].txt` in `dir`.
fn write_backup_codes(dir: &Path, account: &str, codes: &[String]) -> std::io::Result<PathBuf> {
    let safe: String = account
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let mut body = format!(
        "Plexichat backup codes for {safe}\nEach code signs you in once when your authenticator is not at hand.\n\n"
    );
    for code in codes {
        body.push_str(code.trim());
        body.push('\n');
    }
    write_new_file(
        dir,
        &format!("plexichat-backup-codes-{safe}"),
        "txt",
        body.as_bytes(),
    )
}

/// Writes `bytes` to `<stem>[-n].<ext>` in `dir`, never overwriting a file, readable by the
/// user only.
fn write_new_file(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&path) {
            Ok(mut f) => {
                f.write_all(bytes)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many saved copies"))
}

/// Ends one session; ending this window's own session signs it out.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn end_session(sessions: State<'_, Sessions>, args: RevokeSessionArgs) -> IpcResult<()> {
    Ok(sessions
        .client()
        .await?
        .end_session(&args.session_id)
        .await?)
}

/// "Sign out everywhere else"; returns how many sessions ended.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn revoke_other_sessions(sessions: State<'_, Sessions>) -> IpcResult<u32> {
    Ok(sessions.client().await?.revoke_other_sessions().await?)
}

/// Changes the password (other sessions stay signed in).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn change_password(
    sessions: State<'_, Sessions>,
    args: ChangePasswordArgs,
) -> IpcResult<User> {
    let current = secret(args.current_password);
    let new = secret(args.new_password);
    Ok(sessions
        .client()
        .await?
        .change_password(&current, &new)
        .await?)
}

/// Asks the server to e-mail a reset token.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn request_password_reset(args: ResetRequestArgs) -> IpcResult<()> {
    Ok(new_client(&args.server_url)?
        .request_password_reset(&args.email)
        .await?)
}

/// Sets a new password with the e-mailed token.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn confirm_password_reset(args: ResetConfirmArgs) -> IpcResult<()> {
    let token = secret(args.token);
    let new = secret(args.new_password);
    Ok(new_client(&args.server_url)?
        .confirm_password_reset(&token, &new)
        .await?)
}

/// The account's settings stored on the server.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn get_user_settings(
    sessions: State<'_, Sessions>,
) -> IpcResult<BTreeMap<String, String>> {
    Ok(sessions.client().await?.user_settings().await?)
}

/// Stores (or with `null`, removes) one setting on the server.
#[tauri::command]
#[tracing::instrument(skip_all, fields(key = %args.key), err(Debug))]
pub async fn set_user_setting(
    sessions: State<'_, Sessions>,
    args: UserSettingArgs,
) -> IpcResult<()> {
    let client = sessions.client().await?;
    match args.value {
        Some(v) => Ok(client.set_user_setting(&args.key, &v).await?),
        None => Ok(client.delete_user_setting(&args.key).await?),
    }
}

/// Arguments of `set_dm_privacy`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DmPrivacyArgs {
    /// Who may start a DM.
    pub allow_dms_from: DmPrivacy,
}

/// A user's profile, for the popout.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn get_profile(sessions: State<'_, Sessions>, args: UserArgs) -> IpcResult<Profile> {
    Ok(sessions.client().await?.user_profile(&args.user_id).await?)
}

/// Updates the signed-in user's profile fields.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn update_own_profile(
    sessions: State<'_, Sessions>,
    args: ProfileUpdate,
) -> IpcResult<Profile> {
    Ok(sessions.client().await?.update_own_profile(&args).await?)
}

/// Who may DM the user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn get_messaging_settings(sessions: State<'_, Sessions>) -> IpcResult<MessagingSettings> {
    Ok(sessions.client().await?.messaging_settings().await?)
}

/// Changes who may DM the user.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_dm_privacy(
    sessions: State<'_, Sessions>,
    args: DmPrivacyArgs,
) -> IpcResult<MessagingSettings> {
    Ok(sessions
        .client()
        .await?
        .set_dm_privacy(args.allow_dms_from)
        .await?)
}

/// Arguments of `save_data_export`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DataExportArgs {
    /// The request to download.
    pub request_id: String,
}

/// The account's data-export requests.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn list_data_exports(sessions: State<'_, Sessions>) -> IpcResult<Vec<DataExport>> {
    Ok(sessions.client().await?.data_exports().await?)
}

/// Asks for a data export; returns the requests with the new one.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn request_data_export(
    sessions: State<'_, Sessions>,
    args: PasswordArgs,
) -> IpcResult<Vec<DataExport>> {
    let password = secret(args.password);
    Ok(sessions
        .client()
        .await?
        .request_data_export(&password)
        .await?)
}

/// Downloads a finished export into a file the user picks in the system's save dialog
/// (starting in Downloads); returns the file's name only, or `None` when the dialog was
/// cancelled. The path never goes to the page: the dialog runs here, in the shell.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn save_data_export(
    app: AppHandle,
    sessions: State<'_, Sessions>,
    args: DataExportArgs,
) -> IpcResult<Option<String>> {
    let client = sessions.client().await?;
    // Asked first: a request that is not ready says so before a dialog opens.
    let bytes = client.download_data_export(&args.request_id).await?;
    let dir = download_dir(&app)?;
    let id: String = args
        .request_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let suggested = format!("plexichat-data-export-{id}.json");
    let Some(path) = crate::save_dialog::pick(&app, "Save your data", &suggested, &dir).await?
    else {
        return Ok(None);
    };
    let target_dir = path.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| save_failed(&target_dir, &e))?;
    Ok(Some(path.file_name().map_or_else(
        || suggested.clone(),
        |n| n.to_string_lossy().into_owned(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_codes_never_overwrite_a_file_and_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let codes = vec!["ABCD-1234".to_owned(), "EF01-5678".to_owned()];
        let first = write_backup_codes(dir.path(), "../alice", &codes).unwrap();
        let second = write_backup_codes(dir.path(), "../alice", &codes).unwrap();
        assert_ne!(first, second);
        assert_eq!(
            first.parent(),
            Some(dir.path()),
            "the name cannot leave the folder"
        );
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(text.contains("ABCD-1234\nEF01-5678\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
