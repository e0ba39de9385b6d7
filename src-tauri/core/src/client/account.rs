//! Account and security settings: 2FA enrolment, sessions, password change and reset, and the
//! server-side user settings (account.txt).

use std::collections::BTreeMap;

use super::Client;
use crate::account::{
    DataExport, DmPrivacy, MessagingSettings, Profile, ProfileUpdate, QrCode, TwoFactorSetup,
    TwoFactorStatus,
};
use crate::api::types::PasswordRequirements;
use crate::clock::now_ms;
use crate::error::ClientError;
use crate::model::User;
use crate::session::{normalize_two_factor_code, Secret};
use crate::UiState;

impl Client {
    /// Whether 2FA is on, and how many backup codes are left.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn two_factor_status(&self) -> Result<TwoFactorStatus, ClientError> {
        let mut status = self.authed(self.inner.api.two_factor_status()).await?;
        // Between enable and confirm the reference already reports ten codes (account.txt).
        if !status.enabled {
            status.backup_codes_remaining = 0;
        }
        Ok(status)
    }

    /// Starts turning 2FA on: a secret, its QR code (drawn here, never by a remote service)
    /// and the backup codes. Nothing changes for sign-in until [`Client::confirm_two_factor`].
    ///
    /// # Errors
    /// `invalid_input{password}` for a wrong password, `conflict{two_factor}` when already
    /// on, `rate_limited`, …
    pub async fn begin_two_factor(&self, password: &Secret) -> Result<TwoFactorSetup, ClientError> {
        let enrolment = self
            .authed(self.inner.api.enable_two_factor(password))
            .await?;
        // Registered before anything could log them.
        for value in [&enrolment.secret, &enrolment.qr_uri]
            .into_iter()
            .chain(&enrolment.backup_codes)
        {
            crate::redact::register_secret(value);
            // Backup codes are also typed without their dash.
            crate::redact::register_secret(&value.replace('-', ""));
        }
        let qr = QrCode::encode(&enrolment.qr_uri).map_err(|e| {
            ClientError::rejected(
                UiState::BugReport {
                    message: format!("The setup code could not be drawn: {e}"),
                },
                "QR encoding failed",
            )
        })?;
        Ok(TwoFactorSetup {
            secret: enrolment.secret,
            otpauth_uri: enrolment.qr_uri,
            backup_codes: enrolment.backup_codes,
            qr,
            started_at: now_ms(),
        })
    }

    /// Finishes turning 2FA on with the first code from the authenticator app.
    ///
    /// # Errors
    /// `two_factor_invalid` for a wrong code, `invalid_input{code}` when it is not 6 digits,
    /// `rate_limited`, …
    pub async fn confirm_two_factor(&self, code: &Secret) -> Result<TwoFactorStatus, ClientError> {
        let code = Secret::new(normalize_two_factor_code(code.expose()));
        if code.expose().len() != 6 || !code.expose().bytes().all(|b| b.is_ascii_digit()) {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("code".into()),
                    message: "Enter the 6-digit code your authenticator app shows.".into(),
                },
                "confirm code is not 6 digits",
            ));
        }
        self.authed(self.inner.api.confirm_two_factor(&code))
            .await?;
        self.two_factor_status().await
    }

    /// Turns 2FA off with the password and a current TOTP code or an unused backup code.
    ///
    /// # Errors
    /// `invalid_input{password}`, `two_factor_invalid`, `invalid_input` when 2FA is already
    /// off, …
    pub async fn disable_two_factor(
        &self,
        password: &Secret,
        code: &Secret,
    ) -> Result<TwoFactorStatus, ClientError> {
        let code = Secret::new(normalize_two_factor_code(code.expose()));
        self.authed(self.inner.api.disable_two_factor(password, &code))
            .await?;
        self.two_factor_status().await
    }

    /// The signed-in user as last seen, without asking the server.
    pub async fn current_user(&self) -> Option<User> {
        self.inner.session.lock().await.user.clone()
    }

    /// The id of this client's own session: the part of the token before the dot.
    #[must_use]
    pub fn current_session_id(&self) -> Option<String> {
        let token = self.inner.api.token()?;
        let id = token.expose().split('.').next()?.to_owned();
        (!id.is_empty()).then_some(id)
    }

    /// Ends one session. Ending this client's own session signs this client out cleanly
    /// (`signed_out`), as a sign-out would.
    ///
    /// # Errors
    /// Any classified failure (the server answers 200 even for unknown ids).
    pub async fn end_session(&self, id: &str) -> Result<(), ClientError> {
        let is_current = self.current_session_id().as_deref() == Some(id);
        self.authed(self.inner.api.revoke_session(id)).await?;
        if is_current {
            self.forget_session().await;
            self.inner.hub.set_base(UiState::SignedOut);
        }
        Ok(())
    }

    /// "Sign out everywhere else": ends every other session; returns how many ended.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn revoke_other_sessions(&self) -> Result<u32, ClientError> {
        Ok(self
            .authed(self.inner.api.revoke_other_sessions())
            .await?
            .revoked_count)
    }

    /// Changes the password. The new one is checked against the server's live rules first,
    /// because the reference answers a too-weak one with a misleading 403 "Incorrect current
    /// password". Other sessions stay signed in (offer [`Client::revoke_other_sessions`]).
    ///
    /// # Errors
    /// `invalid_input{password}` naming the broken rules, `invalid_input{current_password}`
    /// for a wrong current password, `rate_limited` (2 per minute), …
    pub async fn change_password(
        &self,
        current: &Secret,
        new: &Secret,
    ) -> Result<User, ClientError> {
        check_new_password(&self.inner.api.password_requirements().await?, new)?;
        let user = self
            .authed(self.inner.api.change_password(current, new))
            .await?;
        Ok(user)
    }

    /// Asks for a reset e-mail. The server answers the same for unknown addresses and, on the
    /// reference, never sends the mail; the UI says so.
    ///
    /// # Errors
    /// `invalid_input{email}`, `rate_limited`, …
    pub async fn request_password_reset(&self, email: &str) -> Result<(), ClientError> {
        self.inner
            .api
            .request_password_reset(email.trim())
            .await
            .map(drop)
    }

    /// Sets a new password with the token from the reset e-mail.
    ///
    /// # Errors
    /// `invalid_input{token}` (the server checks the token before the password),
    /// `invalid_input{password}`, …
    pub async fn confirm_password_reset(
        &self,
        token: &Secret,
        new: &Secret,
    ) -> Result<(), ClientError> {
        let req = self.inner.api.password_requirements().await?;
        let token = Secret::new(token.expose().trim());
        match self.inner.api.confirm_password_reset(&token, new).await {
            // The token is checked first server-side; a rule problem after a good token is
            // reported with the rules, like registration.
            Err(e) if !matches!(e.state, UiState::InvalidInput { ref field, .. } if field.as_deref() == Some("token")) =>
            {
                check_new_password(&req, new)?;
                Err(e)
            }
            other => other.map(drop),
        }
    }

    /// The account's settings stored on the server (every value a string).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn user_settings(&self) -> Result<BTreeMap<String, String>, ClientError> {
        Ok(self.authed(self.inner.api.user_settings()).await?.settings)
    }

    /// Stores one setting on the server. Callers keep their own copy: the server's GET is
    /// cached for 60 s and would hide this write for a while.
    ///
    /// # Errors
    /// `invalid_input`, `rate_limited`, …
    pub async fn set_user_setting(&self, key: &str, value: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.put_user_setting(key, value))
            .await
            .map(drop)
    }

    /// Removes one setting; a missing key is not an error.
    ///
    /// # Errors
    /// Any classified failure other than `not_found`.
    pub async fn delete_user_setting(&self, key: &str) -> Result<(), ClientError> {
        match self.authed(self.inner.api.delete_user_setting(key)).await {
            Err(e) if matches!(e.state, UiState::NotFound { .. }) => Ok(()),
            other => other.map(drop),
        }
    }
}

/// The reference serves its messaging-settings GET from a 60 s cache.
const MESSAGING_CACHE: std::time::Duration = std::time::Duration::from_secs(65);

impl Client {
    /// Any user's profile, for the profile popout.
    ///
    /// # Errors
    /// Any classified failure (the reference answers an empty profile for unknown ids).
    pub async fn user_profile(&self, user_id: &str) -> Result<Profile, ClientError> {
        self.authed(self.inner.api.profile(user_id)).await
    }

    /// Updates the signed-in user's bio, pronouns, location or time zone.
    ///
    /// # Errors
    /// `invalid_input{bio}` over 1,000 characters (checked here first), …
    pub async fn update_own_profile(&self, update: &ProfileUpdate) -> Result<Profile, ClientError> {
        if update
            .bio
            .as_ref()
            .is_some_and(|b| b.chars().count() > 1000)
        {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("bio".into()),
                    message: "The bio can be at most 1,000 characters.".into(),
                },
                "bio too long",
            ));
        }
        self.authed(self.inner.api.update_own_profile(update)).await
    }

    /// Who may DM the user, and the read-receipt and typing switches. A value this client
    /// wrote in the last minute wins over the server's cached copy.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn messaging_settings(&self) -> Result<MessagingSettings, ClientError> {
        if let Ok(guard) = self.inner.messaging.lock() {
            if let Some((at, s)) = guard.as_ref() {
                if at.elapsed() < MESSAGING_CACHE {
                    return Ok(s.clone());
                }
            }
        }
        self.authed(self.inner.api.messaging_settings()).await
    }

    /// Changes who may DM the user.
    ///
    /// # Errors
    /// `invalid_input` for [`DmPrivacy::Other`], any classified failure.
    pub async fn set_dm_privacy(
        &self,
        privacy: DmPrivacy,
    ) -> Result<MessagingSettings, ClientError> {
        let value = match privacy {
            DmPrivacy::Everyone => "everyone",
            DmPrivacy::Friends => "friends",
            DmPrivacy::Nobody => "nobody",
            DmPrivacy::Other => {
                return Err(ClientError::rejected(
                    UiState::InvalidInput {
                        field: Some("allow_dms_from".into()),
                        message: "Choose everyone, friends or nobody.".into(),
                    },
                    "unknown DM privacy",
                ))
            }
        };
        let changes = serde_json::json!({ "allow_dms_from": value });
        let fresh = self
            .authed(self.inner.api.update_messaging_settings(changes))
            .await?;
        if let Ok(mut guard) = self.inner.messaging.lock() {
            *guard = Some((std::time::Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }
}

impl Client {
    /// The account's data-export requests, oldest first.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn data_exports(&self) -> Result<Vec<DataExport>, ClientError> {
        self.authed(self.inner.api.data_exports()).await
    }

    /// Asks for an export of the account's data and returns the requests with the new one.
    ///
    /// # Errors
    /// `invalid_input{password}`, `rate_limited` (one per 24 h; not retried), …
    pub async fn request_data_export(
        &self,
        password: &Secret,
    ) -> Result<Vec<DataExport>, ClientError> {
        self.authed(self.inner.api.request_data_export(password))
            .await?;
        self.data_exports().await
    }

    /// The finished export's bytes.
    ///
    /// # Errors
    /// `invalid_input` while it is not ready, `not_found`, …
    pub async fn download_data_export(&self, id: &str) -> Result<bytes::Bytes, ClientError> {
        self.authed(self.inner.api.download_data_export(id)).await
    }
}

fn check_new_password(req: &PasswordRequirements, new: &Secret) -> Result<(), ClientError> {
    let broken = req.check(new.expose());
    if broken.is_empty() {
        return Ok(());
    }
    let message = broken
        .iter()
        .map(|r| r.describe(req))
        .collect::<Vec<_>>()
        .join("; ");
    Err(ClientError::rejected(
        UiState::InvalidInput {
            field: Some("password".into()),
            message,
        },
        "new password does not meet the requirements",
    ))
}
