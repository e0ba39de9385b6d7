//! Account and security subcommands: 2FA setup, sessions, password, settings.
//!
//! Secrets (passwords, reset tokens) are read from stdin, one per line, never from arguments;
//! with `--as` the sign-in password is the first line and these follow.

use clap::Subcommand;
use plexichat_core::{Client, Secret};
use serde_json::{json, Value};

use crate::{read_line_secret, to_value, CommandError};

/// `plexi 2fa <action>`.
#[derive(Debug, Subcommand)]
pub(crate) enum TwoFactorCommand {
    /// Whether 2FA is on: `{"enabled":…,"backup_codes_remaining":…}`.
    Status,
    /// Start turning 2FA on (password from stdin); prints the secret, URI and backup codes.
    Enable,
    /// Finish turning 2FA on with the first code from the authenticator app.
    Confirm {
        /// The 6-digit code.
        #[arg(long)]
        code: String,
    },
    /// Turn 2FA off (password from stdin) with a current code or a backup code.
    Disable {
        /// A TOTP code or a backup code.
        #[arg(long)]
        code: String,
    },
}

/// Account subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// List this account's sessions, or end them.
    Sessions {
        /// End every session except this one ("sign out everywhere else").
        #[arg(long)]
        revoke_all: bool,
        /// End one session by id.
        #[arg(long, conflicts_with = "revoke_all")]
        revoke: Option<String>,
    },
    /// Change or reset the password.
    Password {
        #[command(subcommand)]
        action: PasswordCommand,
    },
    /// Read or write the account's settings stored on the server (string values).
    Settings {
        #[command(subcommand)]
        action: SettingsCommand,
    },
    /// Show or edit a profile.
    Profile {
        #[command(subcommand)]
        action: ProfileCommand,
    },
    /// List data-export requests; `--request` asks for one (password from stdin),
    /// `--download ID --out FILE` saves a finished one.
    Export {
        /// Ask for a new export.
        #[arg(long, conflicts_with = "download")]
        request: bool,
        /// Download this finished request.
        #[arg(long, requires = "out")]
        download: Option<String>,
        /// Where to write the download.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

/// `plexi profile <action>`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCommand {
    /// A user's profile (default: your own).
    Show {
        /// User id.
        user: Option<String>,
    },
    /// Change your profile; only the given fields change, `""` clears one.
    Edit {
        /// Bio (at most 1,000 characters).
        #[arg(long)]
        bio: Option<String>,
        /// Pronouns.
        #[arg(long)]
        pronouns: Option<String>,
        /// Location.
        #[arg(long)]
        location: Option<String>,
        /// Time zone, e.g. `Europe/Berlin`.
        #[arg(long)]
        timezone: Option<String>,
    },
}

/// `plexi password <action>`.
#[derive(Debug, Subcommand)]
pub(crate) enum PasswordCommand {
    /// Change it: stdin holds the current password, then the new one.
    Change,
    /// Ask for a reset e-mail.
    ResetRequest {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Set a new password: stdin holds the token from the e-mail, then the new password.
    ResetConfirm,
}

/// `plexi settings <action>`.
#[derive(Debug, Subcommand)]
pub(crate) enum SettingsCommand {
    /// All settings, or one.
    Get {
        /// Only this key.
        key: Option<String>,
    },
    /// Store one setting.
    Set {
        /// Key.
        key: String,
        /// Value (stored as a string).
        value: String,
    },
    /// Remove one setting.
    Delete {
        /// Key.
        key: String,
    },
}

/// Runs `plexi 2fa <action>` for a signed-in client.
pub(crate) async fn two_factor(
    client: &Client,
    cmd: TwoFactorCommand,
) -> Result<Value, CommandError> {
    Ok(match cmd {
        TwoFactorCommand::Status => to_value(&client.two_factor_status().await?),
        TwoFactorCommand::Enable => {
            let password = read_line_secret("the password")?;
            let setup = client.begin_two_factor(&password).await?;
            // Printing the secret is the point of this command; the QR path is left out.
            json!({
                "secret": setup.secret,
                "otpauth_uri": setup.otpauth_uri,
                "backup_codes": setup.backup_codes,
                "next": "plexi 2fa confirm --code <6 digits from your authenticator app>",
            })
        }
        TwoFactorCommand::Confirm { code } => {
            to_value(&client.confirm_two_factor(&Secret::new(code)).await?)
        }
        TwoFactorCommand::Disable { code } => {
            let password = read_line_secret("the password")?;
            to_value(
                &client
                    .disable_two_factor(&password, &Secret::new(code))
                    .await?,
            )
        }
    })
}

/// Whether `cmd` runs without a session (the reset flow).
pub(crate) fn is_signed_out_command(cmd: &AccountCommand) -> bool {
    matches!(
        cmd,
        AccountCommand::Password {
            action: PasswordCommand::ResetRequest { .. } | PasswordCommand::ResetConfirm
        }
    )
}

/// Runs an account subcommand (signed in unless [`is_signed_out_command`]).
pub(crate) async fn run(client: &Client, cmd: AccountCommand) -> Result<Value, CommandError> {
    Ok(match cmd {
        AccountCommand::Sessions {
            revoke_all: true, ..
        } => {
            json!({ "revoked_count": client.revoke_other_sessions().await? })
        }
        AccountCommand::Sessions {
            revoke: Some(id), ..
        } => {
            let was_current = client.current_session_id().as_deref() == Some(id.as_str());
            client.end_session(&id).await?;
            json!({ "revoked": id, "signed_out": was_current })
        }
        AccountCommand::Sessions { .. } => to_value(&client.sessions().await?),
        AccountCommand::Password { action } => match action {
            PasswordCommand::Change => {
                let current = read_line_secret("the current password")?;
                let new = read_line_secret("the new password")?;
                client.change_password(&current, &new).await?;
                json!({
                    "changed": true,
                    "other_sessions": "still signed in: `plexi sessions --revoke-all` ends them",
                })
            }
            PasswordCommand::ResetRequest { email } => {
                client.request_password_reset(&email).await?;
                json!({ "requested": true })
            }
            PasswordCommand::ResetConfirm => {
                let token = read_line_secret("the reset token")?;
                let new = read_line_secret("the new password")?;
                client.confirm_password_reset(&token, &new).await?;
                json!({ "reset": true })
            }
        },
        AccountCommand::Profile { action } => match action {
            ProfileCommand::Show { user } => {
                let id = match user {
                    Some(id) => id,
                    None => client.whoami().await?.id,
                };
                to_value(&client.user_profile(&id).await?)
            }
            ProfileCommand::Edit {
                bio,
                pronouns,
                location,
                timezone,
            } => {
                let update = plexichat_core::account::ProfileUpdate {
                    bio,
                    pronouns,
                    location,
                    timezone,
                };
                to_value(&client.update_own_profile(&update).await?)
            }
        },
        AccountCommand::Export { request: true, .. } => {
            let password = read_line_secret("the password")?;
            to_value(&client.request_data_export(&password).await?)
        }
        AccountCommand::Export {
            download: Some(id),
            out: Some(path),
            ..
        } => {
            let bytes = client.download_data_export(&id).await?;
            std::fs::write(&path, &bytes)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
            json!({ "saved": path.display().to_string(), "bytes": bytes.len() })
        }
        AccountCommand::Export { .. } => to_value(&client.data_exports().await?),
        AccountCommand::Settings { action } => match action {
            SettingsCommand::Get { key: None } => to_value(&client.user_settings().await?),
            SettingsCommand::Get { key: Some(key) } => {
                let all = client.user_settings().await?;
                json!({ "key": key, "value": all.get(&key) })
            }
            SettingsCommand::Set { key, value } => {
                client.set_user_setting(&key, &value).await?;
                json!({ "key": key, "value": value })
            }
            SettingsCommand::Delete { key } => {
                client.delete_user_setting(&key).await?;
                json!({ "key": key, "deleted": true })
            }
        },
    })
}
