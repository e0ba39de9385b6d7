//! Request and answer bodies of the REST routes that are not chat models
//! ([`crate::model`] has those). Shapes follow shared/recorded; unknown fields are ignored and
//! most fields default, so a server that adds or drops a field does not break a screen.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{id_from_str_or_int, opt_id_from_str_or_int, User};
use crate::session::Secret;

/// The answer of login, register and 2FA (PROTOCOL.md §5).
#[derive(Debug, Clone, Deserialize)]
pub struct AuthResponse {
    /// `success` or `two_factor_required`.
    #[serde(default)]
    pub status: Option<String>,
    /// The session token; observed null on a 200 for 2FA accounts.
    #[serde(default)]
    pub token: Option<Secret>,
    /// The signed-in user.
    #[serde(default)]
    pub user: Option<User>,
    /// The 2FA challenge, when a code is needed.
    #[serde(default)]
    pub challenge_token: Option<Secret>,
    /// Accepted 2FA methods.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    /// Seconds until the challenge expires.
    #[serde(default)]
    pub expires_in: Option<f64>,
}

/// `GET /auth/password-requirements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(clippy::struct_excessive_bools)]
pub struct PasswordRequirements {
    /// Fewest characters.
    #[serde(default)]
    pub min_length: u32,
    /// Most characters.
    #[serde(default = "default_max_len")]
    pub max_length: u32,
    /// Needs an upper-case letter.
    #[serde(default)]
    pub require_uppercase: bool,
    /// Needs a lower-case letter.
    #[serde(default)]
    pub require_lowercase: bool,
    /// Needs a digit.
    #[serde(default)]
    pub require_digit: bool,
    /// Needs a character that is not a letter or digit.
    #[serde(default)]
    pub require_special: bool,
}

fn default_max_len() -> u32 {
    128
}

/// One password rule a candidate password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PasswordRule {
    /// Shorter than `min_length`.
    TooShort,
    /// Longer than `max_length`.
    TooLong,
    /// No upper-case letter.
    NeedsUppercase,
    /// No lower-case letter.
    NeedsLowercase,
    /// No digit.
    NeedsDigit,
    /// No special character.
    NeedsSpecial,
}

impl PasswordRule {
    /// The rule in words, for the register form.
    #[must_use]
    pub fn describe(self, req: &PasswordRequirements) -> String {
        match self {
            Self::TooShort => format!("Password must be at least {} characters", req.min_length),
            Self::TooLong => format!("Password must be at most {} characters", req.max_length),
            Self::NeedsUppercase => "Password must contain at least one uppercase letter".into(),
            Self::NeedsLowercase => "Password must contain at least one lowercase letter".into(),
            Self::NeedsDigit => "Password must contain at least one digit".into(),
            Self::NeedsSpecial => "Password must contain at least one special character".into(),
        }
    }
}

impl PasswordRequirements {
    /// Every rule `password` breaks, in the order the form lists them.
    #[must_use]
    pub fn check(&self, password: &str) -> Vec<PasswordRule> {
        let len = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
        let mut broken = Vec::new();
        if len < self.min_length {
            broken.push(PasswordRule::TooShort);
        }
        if len > self.max_length {
            broken.push(PasswordRule::TooLong);
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            broken.push(PasswordRule::NeedsUppercase);
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            broken.push(PasswordRule::NeedsLowercase);
        }
        if self.require_digit && !password.chars().any(|c| c.is_ascii_digit()) {
            broken.push(PasswordRule::NeedsDigit);
        }
        if self.require_special && password.chars().all(char::is_alphanumeric) {
            broken.push(PasswordRule::NeedsSpecial);
        }
        broken
    }
}

/// `GET /capabilities` (only what the client uses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Capabilities {
    /// The server wants `X-API-Access-Token` on every request.
    #[serde(default)]
    pub access_token_required: bool,
}

/// A structured version as the server sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VersionInfo {
    /// `a.1.0-132`.
    #[serde(default)]
    pub string: String,
}

/// `POST /version/negotiate` success body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NegotiateResponse {
    /// Whether this client may talk to the server.
    #[serde(default)]
    pub compatible: bool,
    /// Whether an update is required (a 426 says the same).
    #[serde(default)]
    pub update_required: bool,
    /// Whether an update is suggested.
    #[serde(default)]
    pub update_recommended: bool,
    /// The server's words.
    #[serde(default)]
    pub message: Option<String>,
    /// Where to download an update (often null).
    #[serde(default)]
    pub update_url: Option<String>,
    /// The server's version.
    pub server_version: Option<VersionInfo>,
    /// The oldest version it accepts.
    pub min_supported_version: Option<VersionInfo>,
}

/// `{"success": true, ...}` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Ack {
    /// Whether the server did it.
    #[serde(default)]
    pub success: bool,
}

/// One signed-in session of the account (`GET /auth/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionInfo {
    /// Session id (the part of the token before the dot).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Device id, when the client sent one.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub device_id: Option<String>,
    /// IP address the session was created from.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// The client's user agent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Creation time (ms).
    #[serde(default)]
    #[ts(type = "number")]
    pub created_at: i64,
    /// Expiry (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// Last use (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub last_activity: Option<i64>,
    /// Whether it is this client's session.
    #[serde(default)]
    pub current: bool,
}

/// A friend, a pending request or a block (`GET /relationships/@me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Relationship {
    /// The other user.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// Their user name, when listed.
    #[serde(default)]
    pub username: Option<String>,
    /// `friend`, `pending_incoming`, `pending_outgoing`, `blocked`, … (kept as sent).
    pub status: String,
    /// When it started (ms).
    #[serde(default)]
    #[ts(type = "number")]
    pub created_at: i64,
}

/// A user's presence (`PUT /users/@me/presence`, `GET /users/{id}/presence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Presence {
    /// Whose presence.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// `online`, `idle`, `dnd`, `invisible`, `offline`.
    pub status: String,
    /// Custom status text.
    #[serde(default)]
    pub custom_status: Option<String>,
    /// Custom status emoji.
    #[serde(default)]
    pub custom_emoji: Option<String>,
}

/// Which page of history to fetch (newest first; at most 100).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryQuery {
    /// Only messages older than this id.
    #[serde(default)]
    pub before: Option<String>,
    /// Only messages newer than this id.
    #[serde(default)]
    pub after: Option<String>,
    /// Page size, 1..=100.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewMessage {
    /// Text, at most 4000 characters.
    pub content: String,
    /// The message this replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    /// Files uploaded first, referenced by their upload's fields (the server takes objects,
    /// not ids: recorded in chat.txt, "send message referencing uploaded attachment").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

/// An uploaded file as a new message references it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttachmentRef {
    /// File name.
    pub filename: String,
    /// MIME type the server reported for the upload.
    pub content_type: Option<String>,
    /// Size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// The upload's server path.
    pub url: String,
}

impl From<&crate::model::Attachment> for AttachmentRef {
    fn from(a: &crate::model::Attachment) -> Self {
        Self {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            url: a.url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded_requirements() -> PasswordRequirements {
        serde_json::from_str(r#"{"min_length":12,"max_length":128,"require_uppercase":true,"require_lowercase":true,"require_digit":true,"require_special":true,"age_gate_enabled":false}"#).unwrap()
    }

    #[test]
    fn password_check_names_each_broken_rule() {
        let req = recorded_requirements();
        assert_eq!(
            req.check("short"),
            vec![
                PasswordRule::TooShort,
                PasswordRule::NeedsUppercase,
                PasswordRule::NeedsDigit,
                PasswordRule::NeedsSpecial
            ]
        );
        assert_eq!(req.check("Correct-Horse-9battery"), vec![]);
        assert_eq!(
            req.check("correct-horse-9battery"),
            vec![PasswordRule::NeedsUppercase]
        );
        assert_eq!(
            PasswordRule::TooShort.describe(&req),
            "Password must be at least 12 characters"
        );
    }

    #[test]
    fn login_without_token_parses_and_hides_secrets() {
        let r: AuthResponse = serde_json::from_str(
            r#"{"status":"success","token":null,"user":null,"challenge_token":null,"methods":null,"expires_in":null}"#,
        )
        .unwrap();
        assert!(r.token.is_none());
        let r: AuthResponse = serde_json::from_str(
            r#"{"status":"two_factor_required","token":null,"user":null,"challenge_token":"ch4ll3nge","methods":["totp","backup_code"],"expires_in":300}"#,
        )
        .unwrap();
        assert!(!format!("{r:?}").contains("ch4ll3nge"));
    }
}
