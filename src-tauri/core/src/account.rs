//! Account and security settings: two-factor enrolment, password change and reset, sessions,
//! server-side user settings (account.txt).
//!
//! The wire shapes live here next to what the UI gets, so the quirks of the reference server
//! (2FA status counting codes before confirm, settings being strings only, …) are handled in
//! one place.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ui_state::TimestampMs;

/// `GET /auth/2fa/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TwoFactorStatus {
    /// Whether sign-ins need a code. Stays false between enable and confirm.
    pub enabled: bool,
    /// Unused backup codes. The reference already counts ten before confirm, so only trust it
    /// when `enabled`.
    #[serde(default)]
    pub backup_codes_remaining: u32,
}

/// The answer of `POST /auth/2fa/enable`.
#[derive(Clone, Deserialize)]
pub struct TwoFactorEnrolment {
    /// Base32 TOTP secret.
    pub secret: String,
    /// `otpauth://totp/…` URI with the same secret.
    pub qr_uri: String,
    /// Ten single-use codes, `XXXX-XXXX`.
    #[serde(default)]
    pub backup_codes: Vec<String>,
}

impl fmt::Debug for TwoFactorEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TwoFactorEnrolment { .. }")
    }
}

/// A QR code as a square of modules, drawn by the UI as one SVG path (no remote service, no
/// HTML injection: the path holds only `M`, `h`, `v`, `z` and digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct QrCode {
    /// Modules per side, without the quiet zone.
    pub size: u32,
    /// SVG path data of the dark modules in module units, e.g. `M0 0h1v1h-1z…`.
    pub path: String,
}

impl QrCode {
    /// Encodes `data` (an `otpauth://` URI) with medium error correction.
    ///
    /// # Errors
    /// When the data does not fit a QR code (over ~2 KB).
    pub fn encode(data: &str) -> Result<Self, String> {
        let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
            .map_err(|e| e.to_string())?;
        let width = code.width();
        let mut path = String::new();
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                // Runs would be shorter, but single modules keep the path trivially valid.
                path.push_str(&format!("M{} {}h1v1h-1z", i % width, i / width));
            }
        }
        Ok(Self {
            size: u32::try_from(width).unwrap_or(0),
            path,
        })
    }
}

/// Everything the setup step shows once: the QR code, the secret for manual entry and the
/// backup codes. Its `Debug` shows none of the secrets.
#[derive(Clone, Serialize, TS)]
#[ts(export)]
pub struct TwoFactorSetup {
    /// Base32 secret, for apps that cannot scan.
    pub secret: String,
    /// The `otpauth://` URI the QR code encodes.
    pub otpauth_uri: String,
    /// Backup codes, shown once.
    pub backup_codes: Vec<String>,
    /// The QR code of `otpauth_uri`, drawn locally.
    pub qr: QrCode,
    /// When the setup was started (ms); a setup left open too long is offered a restart.
    #[ts(type = "number")]
    pub started_at: TimestampMs,
}

impl fmt::Debug for TwoFactorSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwoFactorSetup")
            .field("backup_codes", &self.backup_codes.len())
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

/// How long a setup may wait for its confirm code before the UI asks to start again. The
/// server keeps a pending secret indefinitely, but a QR code left on screen for long is more
/// likely to have been replaced from another window.
pub const TWO_FACTOR_SETUP_TTL_MS: i64 = 10 * 60 * 1000;

/// `POST /auth/sessions/revoke-all`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct RevokeAll {
    /// How many sessions ended.
    #[serde(default)]
    pub revoked_count: u32,
}

/// `GET /users/@me/settings`: every value is a string (account.txt).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SettingsPage {
    /// Key → value.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// `PUT /users/@me/settings/{key}` and `GET` of one key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SettingEntry {
    /// The key.
    pub key: String,
    /// The stored value.
    pub value: String,
}

/// One link on a profile. The reference stores every link as `platform: "other"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SocialLink {
    /// `other` on the reference server.
    #[serde(default)]
    pub platform: String,
    /// The link.
    pub url: String,
}

/// `GET /features/users/{id}/profile` → `profile`: what a profile popout shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Profile {
    /// Whose profile (ids are JSON numbers on this route).
    #[serde(deserialize_with = "crate::model::id_from_str_or_int")]
    pub user_id: String,
    /// Up to 1,000 characters, shown as plain text.
    #[serde(default)]
    pub bio: Option<String>,
    /// e.g. `they/them`.
    #[serde(default)]
    pub pronouns: Option<String>,
    /// Free text.
    #[serde(default)]
    pub location: Option<String>,
    /// IANA zone name, e.g. `Europe/Berlin`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Links, shown as text (never followed by the app without a click).
    #[serde(default)]
    pub social_links: Vec<SocialLink>,
    /// Custom status, when the server has one.
    #[serde(default)]
    pub custom_status_text: Option<String>,
}

/// `GET /features/users/{id}/profile`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProfileEnvelope {
    /// The profile.
    pub profile: Profile,
}

/// The editable profile fields (`PATCH /features/users/@me/profile`); `None` leaves a field
/// as it is, an empty string clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProfileUpdate {
    /// Bio, at most 1,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// Pronouns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Who may start a DM with the user (`allow_dms_from`). The server stores any string; a
/// value this client does not know is shown as `Other` rather than guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum DmPrivacy {
    /// Anyone.
    Everyone,
    /// Friends only.
    Friends,
    /// Nobody.
    Nobody,
    /// A value the server had that this client does not know.
    #[serde(other)]
    Other,
}

/// `GET/PATCH /users/@me/messaging-settings` (the fields the app shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MessagingSettings {
    /// Who may DM the user.
    pub allow_dms_from: DmPrivacy,
    /// Whether others see when the user has read their messages.
    #[serde(default)]
    pub read_receipts_enabled: bool,
    /// Whether others see the user typing.
    #[serde(default)]
    pub typing_indicators_enabled: bool,
}

/// One data-export request (`GET /users/@me/data-export`). The reference leaves every
/// request `pending` (account.txt); the UI says so rather than promising a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataExport {
    /// Request id (a JSON number on the wire).
    #[serde(deserialize_with = "crate::model::id_from_str_or_int")]
    pub id: String,
    /// `pending`, `processing`, `completed`, `failed`, `expired`, …
    pub status: String,
    /// When it was requested, in SECONDS as the server sends it.
    #[ts(type = "number")]
    pub requested_at: i64,
    /// When it finished (seconds).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub completed_at: Option<i64>,
    /// When the file stops being available (seconds).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// `json`, …
    #[serde(default)]
    pub format: Option<String>,
    /// Size of the finished file.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub file_size_bytes: Option<u64>,
}

/// `GET /users/@me/data-export`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DataExportList {
    /// Oldest first.
    #[serde(default)]
    pub requests: Vec<DataExport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_square_and_only_path_commands() {
        let qr = QrCode::encode(
            "otpauth://totp/Plexichat:hank?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Plexichat",
        )
        .unwrap();
        assert!(
            qr.size >= 21 && (qr.size - 17).is_multiple_of(4),
            "size {}",
            qr.size
        );
        assert!(qr
            .path
            .chars()
            .all(|c| c.is_ascii_digit() || "Mhvz -".contains(c)));
        // The three finder patterns: the top-left module is dark.
        assert!(qr.path.starts_with("M0 0h1v1h-1z"));
    }

    #[test]
    fn debug_of_a_setup_shows_no_secret() {
        let setup = TwoFactorSetup {
            secret: "JBSWY3DPEHPK3PXP".into(),
            otpauth_uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into(),
            backup_codes: vec!["ABCD-1234".into()],
            qr: QrCode {
                size: 21,
                path: String::new(),
            },
            started_at: 1,
        };
        let shown = format!("{setup:?}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP") && !shown.contains("ABCD-1234"));
    }
}
