//! The classification rules: status first, then `code`, then the exact message; an unknown
//! message falls to its status's generic state (PROTOCOL.md §1–§5, shared/seed).

use std::time::Duration;

use serde_json::Value;

use super::{
    Action, ClassifyContext, HttpError, RetryKind, DEFAULT_RATE_LIMIT_WAIT, LOCKOUT_ESTIMATE,
    LOCKOUT_THRESHOLD, TOKEN_CHECK_WAIT,
};
use crate::clock::ms_after;
use crate::ui_state::{Entity, ForbiddenReason, LoginReason, UiState};

pub(super) fn classify_http(h: &HttpError, ctx: &ClassifyContext) -> (UiState, RetryKind) {
    let msg = h.message.as_str();
    let code = h.code.as_ref();
    let permanent = |state| (state, RetryKind::Permanent);
    match h.status {
        400 if code.is_some_and(|c| c.is("INVALID_VERSION_FORMAT")) => {
            permanent(UiState::InvalidVersionFormat {
                client_version: extra_str(h, "client_version")
                    .unwrap_or_else(|| ctx.client_version.clone()),
            })
        }
        400 if ctx.action == Action::TwoFactor => {
            // Observed: the reference server answers every 2FA attempt with a 400 about
            // `challenge_token` (PROTOCOL.md §5); the code form stays open with the message.
            permanent(UiState::TwoFactorInvalid {
                message: msg.to_owned(),
            })
        }
        400 => permanent(UiState::InvalidInput {
            field: invalid_input_field(msg, ctx.action),
            message: msg.to_owned(),
        }),
        401 if ctx.action == Action::PasswordReset => permanent(UiState::InvalidInput {
            field: Some("token".into()),
            message: msg.to_owned(),
        }),
        401 => classify_401(h, ctx),
        // A too-weak new password answers 403 "Incorrect current password" (account.txt).
        403 if ctx.action == Action::ChangePassword => permanent(UiState::InvalidInput {
            field: Some("password".into()),
            message: msg.to_owned(),
        }),
        403 if ctx.action == Action::DataExport => permanent(UiState::InvalidInput {
            field: Some("password".into()),
            message: msg.to_owned(),
        }),
        403 => classify_403(h, ctx),
        404 => permanent(UiState::NotFound {
            entity: not_found_entity(msg),
            message: msg.to_owned(),
        }),
        405 => permanent(UiState::BugReport {
            message: format!("The server does not know this request: {msg}"),
        }),
        409 => permanent(UiState::Conflict {
            field: conflict_field(msg),
            message: msg.to_owned(),
        }),
        413 => permanent(UiState::InvalidInput {
            field: Some("file".into()),
            message: msg.to_owned(),
        }),
        426 => (
            UiState::UpdateRequired {
                client_version: extra_str(h, "client_version")
                    .unwrap_or_else(|| ctx.client_version.clone()),
                min_version: extra_str(h, "min_version").unwrap_or_default(),
                server_version: extra_str(h, "server_version").unwrap_or_default(),
                update_url: extra_str(h, "update_url"),
            },
            RetryKind::UpdateRequired,
        ),
        // One export per 24 h, announced without `retry_after`: waiting it out in the
        // request would hang the form for a day.
        429 if ctx.action == Action::DataExport => permanent(UiState::RateLimited {
            retry_at: ms_after(ctx.now_ms, Duration::from_secs(24 * 3600)),
            scope: Some("data_export".into()),
            global: false,
        }),
        429 => {
            let after = h.retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
            rate_limited(ctx, after, h.scope.clone(), h.is_global)
        }
        500 if ctx.action == Action::SendMessage => {
            // The content filter answers 500 (PROTOCOL.md §6): keep the draft, no outage banner.
            permanent(UiState::ContentRejected {
                message: msg.to_owned(),
            })
        }
        500 if ctx.action == Action::Community => permanent(community_refusal(msg)),
        // A wrong current password answers 500 "Invalid password" (account.txt): a field
        // error, never an outage or a retry.
        500 if ctx.action == Action::ChangePassword && msg == "Invalid password" => {
            permanent(UiState::InvalidInput {
                field: Some("current_password".into()),
                message: msg.to_owned(),
            })
        }
        500 if is_module_unavailable(msg) => service_unavailable(h, ctx),
        500 if msg.starts_with("Cannot ") => {
            // Ordinary mistakes also answer 500 (e.g. "Cannot create DM with yourself").
            permanent(UiState::InvalidInput {
                field: None,
                message: msg.to_owned(),
            })
        }
        503 => service_unavailable(h, ctx),
        s if s >= 500 => (
            UiState::ServerError {
                status: s,
                attempt: ctx.attempt,
                next_retry_at: ctx.next_retry_at,
                message: msg.to_owned(),
            },
            RetryKind::Backoff,
        ),
        s if (300..400).contains(&s) => permanent(UiState::BugReport {
            message: format!("Unexpected redirect ({s}): {msg}"),
        }),
        _ => permanent(UiState::InvalidInput {
            field: None,
            message: msg.to_owned(),
        }),
    }
}

fn classify_401(h: &HttpError, ctx: &ClassifyContext) -> (UiState, RetryKind) {
    let msg = h.message.as_str();
    let login_required = |reason| {
        (
            UiState::LoginRequired {
                reason,
                message: msg.to_owned(),
            },
            RetryKind::Reauthenticate,
        )
    };
    match msg {
        // Observed: the per-IP token check is rate limited; the token is fine (PROTOCOL.md §2).
        "Token verification rate limit exceeded" => rate_limited(
            ctx,
            h.retry_after.unwrap_or(TOKEN_CHECK_WAIT),
            h.scope.clone(),
            false,
        ),
        "Invalid credentials" => invalid_credentials(ctx),
        "Invalid code" | "Invalid 2FA code" => (
            UiState::TwoFactorInvalid {
                message: msg.to_owned(),
            },
            RetryKind::Permanent,
        ),
        "Expired token" | "Invalid challenge" => (UiState::TwoFactorExpired, RetryKind::Permanent),
        "Invalid password" => (
            UiState::InvalidInput {
                field: Some("password".into()),
                message: msg.to_owned(),
            },
            RetryKind::Permanent,
        ),
        "Multiple Authorization headers" => (
            UiState::BugReport {
                message: msg.to_owned(),
            },
            RetryKind::Permanent,
        ),
        "Authentication required" => login_required(LoginReason::AuthenticationRequired),
        "Token expired" => login_required(LoginReason::TokenExpired),
        "Invalid token" | "Invalid or revoked token" | "Invalid/Revoked" => {
            login_required(LoginReason::InvalidToken)
        }
        _ => match ctx.action {
            Action::Login => invalid_credentials(ctx),
            Action::TwoFactor if msg.to_ascii_lowercase().contains("expired") => {
                (UiState::TwoFactorExpired, RetryKind::Permanent)
            }
            Action::TwoFactor => (
                UiState::TwoFactorInvalid {
                    message: msg.to_owned(),
                },
                RetryKind::Permanent,
            ),
            _ => login_required(LoginReason::InvalidToken),
        },
    }
}

fn classify_403(h: &HttpError, ctx: &ClassifyContext) -> (UiState, RetryKind) {
    let msg = h.message.as_str();
    let forbidden = |reason| {
        (
            UiState::Forbidden {
                reason,
                message: msg.to_owned(),
            },
            RetryKind::Permanent,
        )
    };
    match msg {
        "Account locked" => (
            UiState::AccountLocked {
                until: ms_after(ctx.now_ms, LOCKOUT_ESTIMATE),
                suspended: false,
            },
            RetryKind::Permanent,
        ),
        // Existing sessions of a locked account (PROTOCOL.md §5): a notice, no logout loop.
        "Account suspended" => (
            UiState::AccountLocked {
                until: ms_after(ctx.now_ms, LOCKOUT_ESTIMATE),
                suspended: true,
            },
            RetryKind::Permanent,
        ),
        "Access denied" => forbidden(ForbiddenReason::AccessDenied),
        "Permission denied" => forbidden(ForbiddenReason::PermissionDenied),
        "Admin access required" => forbidden(ForbiddenReason::AdminRequired),
        "Cannot message this user" => forbidden(ForbiddenReason::CannotMessageUser),
        m if m.starts_with("Missing required permission") => {
            forbidden(ForbiddenReason::PermissionDenied)
        }
        m if m.contains("blocked") => forbidden(ForbiddenReason::CannotMessageUser),
        _ => forbidden(ForbiddenReason::AccessDenied),
    }
}

/// A community action's 500: the reference's way of refusing (communities.txt).
fn community_refusal(msg: &str) -> UiState {
    if msg.starts_with("Missing required permission") || msg == "Upload failed" {
        // The icon upload hides a missing `server.manage` (or a wrong file type) behind it.
        UiState::Forbidden {
            reason: ForbiddenReason::PermissionDenied,
            message: msg.to_owned(),
        }
    } else if msg.to_ascii_lowercase().contains("already") {
        UiState::Conflict {
            field: None,
            message: msg.to_owned(),
        }
    } else {
        UiState::InvalidInput {
            field: None,
            message: msg.to_owned(),
        }
    }
}

fn invalid_credentials(ctx: &ClassifyContext) -> (UiState, RetryKind) {
    let failed = ctx.failed_logins.max(1);
    (
        UiState::InvalidCredentials {
            failed_attempts: failed,
            attempts_left: LOCKOUT_THRESHOLD.saturating_sub(failed),
        },
        RetryKind::Permanent,
    )
}

fn rate_limited(
    ctx: &ClassifyContext,
    after: Duration,
    scope: Option<String>,
    is_global: bool,
) -> (UiState, RetryKind) {
    (
        UiState::RateLimited {
            retry_at: ms_after(ctx.now_ms, after),
            scope,
            global: is_global,
        },
        RetryKind::At { after, is_global },
    )
}

fn service_unavailable(h: &HttpError, ctx: &ClassifyContext) -> (UiState, RetryKind) {
    (
        UiState::ServiceUnavailable {
            message: h.message.clone(),
            retry_at: ctx.next_retry_at,
        },
        RetryKind::Backoff,
    )
}

fn is_module_unavailable(msg: &str) -> bool {
    let lower = msg.to_ascii_lowercase();
    lower.contains("not available") || lower.contains("unavailable")
}

/// The form field a 400 is about, from its message.
fn invalid_input_field(msg: &str, action: Action) -> Option<String> {
    let field = match msg {
        "Invalid input" | "Invalid request" => return None,
        "Invalid user ID" => "user_id",
        "Invalid channel ID" => "channel_id",
        "Invalid server ID" => "server_id",
        "Invalid message ID" => "message_id",
        "Invalid ID format" => "id",
        "Weak password" => "password",
        "File too large" | "Invalid file type" => "file",
        "Username required" => "username",
        m if m.starts_with("Message must have content") => "content",
        m if m.starts_with("Weak") => "password",
        m if m.starts_with("File type not allowed") => "file",
        m if m.starts_with("Invalid status") => "status",
        m if m.starts_with("Cannot send friend request") => "user_id",
        m if m.starts_with("Invalid: ") => {
            // `Invalid: ['Username can only contain …']`: name the field the rule is about.
            let lower = m.to_ascii_lowercase();
            return ["username", "password", "email"]
                .into_iter()
                .find(|f| lower.contains(f))
                .map(str::to_owned);
        }
        m => {
            // `Invalid <field>: <pydantic message>`; `Invalid 12: JSON decode error` has no field.
            let rest = m.strip_prefix("Invalid ")?;
            let (name, _) = rest.split_once(':')?;
            let is_ident = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.chars().all(|c| c.is_ascii_digit());
            return is_ident
                .then(|| name.to_owned())
                .or_else(|| (action == Action::SendMessage).then(|| "content".to_owned()));
        }
    };
    Some(field.to_owned())
}

fn not_found_entity(msg: &str) -> Entity {
    match msg {
        "User not found" => Entity::User,
        "Server not found" => Entity::Server,
        "Channel not found" => Entity::Channel,
        "Message not found" => Entity::Message,
        "Webhook not found" => Entity::Webhook,
        "Session not found" => Entity::Session,
        "Friend request not found" => Entity::FriendRequest,
        "Relationship not found" => Entity::Relationship,
        "Setting not found" => Entity::Setting,
        _ => Entity::Resource,
    }
}

fn conflict_field(msg: &str) -> Option<String> {
    let field = match msg {
        "Username already taken" => "username",
        "Email already taken" => "email",
        "2FA is already enabled" => "two_factor",
        m if m.starts_with("Already a member") => "server",
        m if m.starts_with("You are already friends")
            || m.starts_with("Friend request already") =>
        {
            "relationship"
        }
        // `Already exists`, and `Username or email already exists` (both duplicates answer it).
        _ => return None,
    };
    Some(field.to_owned())
}

fn extra_str(h: &HttpError, key: &str) -> Option<String> {
    h.extra.get(key).and_then(Value::as_str).map(str::to_owned)
}
