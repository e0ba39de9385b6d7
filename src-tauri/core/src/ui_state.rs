//! `UiState`: what the user must see, as decided by the core.
//!
//! Every failure the core meets (an HTTP error, a dropped socket, a missing keyring) is turned
//! into exactly one of these values, and the web UI only renders them. The serialised form is
//! `{"state": "<snake_case variant>", ...fields}`; variant and field names are a stable contract
//! with the UI (the TypeScript type is generated from this file), so rename nothing.
//!
//! Times are absolute (milliseconds since the Unix epoch) so a countdown stays right however
//! late the UI renders it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::User;

/// Milliseconds since the Unix epoch.
pub type TimestampMs = i64;

/// One user-visible state of the app, produced by the core and rendered by the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum UiState {
    /// Nobody is signed in; show the login screen.
    SignedOut,
    /// The session ended on its own (expired, revoked, invalid): ask to sign in again and keep
    /// the user's place.
    LoginRequired {
        /// Why the session ended.
        reason: LoginReason,
        /// The server's own words, for a details view.
        message: String,
    },
    /// Wrong user name or password: a field error on the login form.
    InvalidCredentials {
        /// Failed attempts counted by this client since the last success.
        failed_attempts: u32,
        /// Attempts left before the server locks the account (it locks after 5).
        attempts_left: u32,
    },
    /// The account has 2FA: ask for a TOTP or backup code.
    TwoFactorRequired {
        /// When the challenge token expires; past it, go back to the password step.
        #[ts(type = "number")]
        expires_at: TimestampMs,
        /// Methods the server accepts, e.g. `totp`, `backup_code`.
        methods: Vec<String>,
    },
    /// The 2FA code was wrong: a field error, the challenge is still valid.
    TwoFactorInvalid {
        /// The server's message.
        message: String,
    },
    /// The 2FA challenge expired or was used: back to the password step.
    TwoFactorExpired,
    /// The server answered the login with success but no token (PROTOCOL.md §5): sign-in did
    /// not complete; explain and offer to try again.
    SignInIncomplete {
        /// What the user can do about it.
        message: String,
    },
    /// Too many failed logins: show a lockout notice counting down to `until`.
    AccountLocked {
        /// Estimated unlock time: 15 minutes after the first lockout answer (the server sends
        /// no unlock time).
        #[ts(type = "number")]
        until: TimestampMs,
        /// True when an existing session got `Account suspended` rather than a login attempt
        /// getting `Account locked`.
        suspended: bool,
    },
    /// This client is too old for the server: a blocking update dialog.
    UpdateRequired {
        /// Our version.
        client_version: String,
        /// The oldest version the server accepts.
        min_version: String,
        /// The server's version.
        server_version: String,
        /// Where to download an update; the server often sends null.
        update_url: Option<String>,
    },
    /// The server rejected our version string: a bug in this build; offer a bug report.
    InvalidVersionFormat {
        /// The version string we sent.
        client_version: String,
    },
    /// Rate limited: count down to `retry_at`; the request is retried by itself then.
    RateLimited {
        /// When the request will be retried.
        #[ts(type = "number")]
        retry_at: TimestampMs,
        /// The limiter's scope (`ip`, `route`, `resource`, `global`, `webhook`) when known.
        scope: Option<String>,
        /// A global limit pauses every request (show a banner); otherwise only this action.
        global: bool,
    },
    /// The server refused the action.
    Forbidden {
        /// Which refusal it was.
        reason: ForbiddenReason,
        /// The server's message.
        message: String,
    },
    /// The thing the user looked at no longer exists; drop it from local lists.
    NotFound {
        /// What kind of thing.
        entity: Entity,
        /// The server's message.
        message: String,
    },
    /// A unique value is already taken: a field error, or success for "already a member".
    Conflict {
        /// The form field at fault, when known (`username`, `email`, `server`, `two_factor`).
        field: Option<String>,
        /// The server's message.
        message: String,
    },
    /// The request was rejected as invalid: an inline/field error, never retried.
    InvalidInput {
        /// The field at fault, when known (`password`, `content`, `file`, `channel_id`, …).
        field: Option<String>,
        /// The server's message.
        message: String,
    },
    /// The message text was refused by the server's content filter (observed as a 500):
    /// a send failure with the draft kept, not an outage.
    ContentRejected {
        /// The server's message.
        message: String,
    },
    /// The server failed; idempotent requests are retried with backoff.
    ServerError {
        /// HTTP status.
        status: u16,
        /// Attempts made so far.
        attempt: u32,
        /// When the next automatic retry happens, if one will.
        #[ts(type = "number | null")]
        next_retry_at: Option<TimestampMs>,
        /// The server's message, for a details toggle.
        message: String,
    },
    /// A server module is unavailable (503): a feature-unavailable notice; retried later.
    ServiceUnavailable {
        /// The server's message.
        message: String,
        /// When the core will try again, if it will.
        #[ts(type = "number | null")]
        retry_at: Option<TimestampMs>,
    },
    /// No connection to the server.
    Offline {
        /// Why, in words a user can act on.
        reason: String,
    },
    /// Connecting to the server for the first time.
    Connecting,
    /// The connection dropped; reconnecting with backoff.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// When the next attempt starts.
        #[ts(type = "number")]
        next_at: TimestampMs,
    },
    /// Connected and signed in.
    Ready {
        /// The signed-in user.
        user: User,
    },
    /// No OS keyring: the session is kept in memory only and will not survive a restart.
    KeyringUnavailable {
        /// What went wrong, for a details view.
        detail: String,
    },
    /// Something only a bug explains (our request was malformed, the gateway rejected our
    /// intents): offer a bug report with these details.
    BugReport {
        /// What happened.
        message: String,
    },
}

/// Why a session ended and the user has to sign in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LoginReason {
    /// No token was sent.
    AuthenticationRequired,
    /// The token is malformed, unknown or revoked.
    InvalidToken,
    /// The token expired.
    TokenExpired,
    /// The server signed this session out (security logout, revoked from another device).
    SignedOutRemotely,
}

/// Which kind of 403 the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ForbiddenReason {
    /// `Access denied`.
    AccessDenied,
    /// `Permission denied`.
    PermissionDenied,
    /// `Admin access required`.
    AdminRequired,
    /// `Cannot message this user` (they blocked us).
    CannotMessageUser,
    /// `Account suspended` (an existing session of a locked account).
    AccountSuspended,
}

/// The kind of thing a 404 was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Entity {
    /// A user.
    User,
    /// A server (guild).
    Server,
    /// A channel.
    Channel,
    /// A message.
    Message,
    /// A webhook.
    Webhook,
    /// A session.
    Session,
    /// A pending friend request.
    FriendRequest,
    /// A relationship.
    Relationship,
    /// A user setting.
    Setting,
    /// Anything else.
    Resource,
}
