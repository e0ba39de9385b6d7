//! `ApiError`: everything a REST call can fail with, and its one classification.
//!
//! Flow: the request engine turns every non-2xx answer into an [`ApiError`] with
//! [`ApiError::from_response`] (status, headers, raw body bytes: it never fails, whatever the
//! body is) and every transport failure with [`ApiError::from_reqwest`]. Callers then ask
//! [`ApiError::classify`] for the pair (`UiState`, [`RetryKind`]): the first says what the user
//! sees, the second what the engine may do next. Nothing else in the crate matches on status
//! codes or message texts.
//!
//! Classification order (PROTOCOL.md §1): status first, then `code`, then the exact message;
//! a message we do not know still maps to the status's generic state. The server's own message
//! is kept in the state for a details view.
//!
//! Server quirks handled here (PROTOCOL.md §1–§5): `code` as int or string, extra fields beside
//! it, the un-enveloped 429 body, non-JSON bodies, a 401 `Token verification rate limit
//! exceeded` that is a rate limit and not a logout, 403 `Account suspended`, and the content
//! filter's 500 on message sends.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

use crate::ui_state::{TimestampMs, UiState};

/// How long the server keeps an account locked; it sends no unlock time (PROTOCOL.md §5).
pub const LOCKOUT_ESTIMATE: Duration = Duration::from_secs(15 * 60);

/// Wrong passwords the server accepts before it locks the account.
pub const LOCKOUT_THRESHOLD: u32 = 5;

/// The wait when a 429 names none (the docs' own example defaults to 1 s).
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);

/// The wait after `Token verification rate limit exceeded` when the server names none.
pub const TOKEN_CHECK_WAIT: Duration = Duration::from_secs(5);

/// The most of a server body kept for a details view.
const SNIPPET_LEN: usize = 200;

/// The `code` of an error envelope: the server sends the HTTP status as an int, or a
/// string such as `VERSION_OUTDATED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// A numeric code (usually the HTTP status).
    Int(i64),
    /// A symbolic code such as `VERSION_OUTDATED` or `INVALID_VERSION_FORMAT`.
    Str(String),
}

impl ErrorCode {
    fn is(&self, name: &str) -> bool {
        matches!(self, Self::Str(s) if s.eq_ignore_ascii_case(name))
    }
}

/// An HTTP answer with an error status, parsed as far as its body allows.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    /// HTTP status.
    pub status: u16,
    /// The envelope's `code`, when there was one.
    pub code: Option<ErrorCode>,
    /// The server's message; for a non-JSON body, a short snippet of it (or the status text).
    pub message: String,
    /// Fields beside `code`/`message` (`reason`, version fields, …).
    pub extra: Map<String, Value>,
    /// The wait the server asked for: body `retry_after` (seconds, float), else `Retry-After`.
    pub retry_after: Option<Duration>,
    /// A 429 that pauses every request.
    pub is_global: bool,
    /// The limiter's scope from the body or `X-RateLimit-Scope`.
    pub scope: Option<String>,
    /// False for the un-enveloped 429 and for non-JSON bodies.
    pub is_enveloped: bool,
}

/// Why a REST call failed.
///
/// Built only by [`ApiError::from_response`] and [`ApiError::from_reqwest`]; its Display
/// never contains a token (tokens travel in headers, which are never kept).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The server answered with an error status.
    #[error("HTTP {}: {}", .0.status, .0.message)]
    Http(Box<HttpError>),
    /// No answer in time.
    #[error("the request timed out")]
    Timeout,
    /// The connection could not be made (refused, DNS, unreachable): the request never
    /// reached the server.
    #[error("could not connect to the server: {0}")]
    Connect(String),
    /// The TLS handshake failed (bad certificate, protocol mismatch).
    #[error("secure connection failed: {0}")]
    Tls(String),
    /// A success answer whose body we could not read as the expected type.
    #[error("could not read the server's answer: {0}")]
    Decode(String),
    /// The connection broke while the request was in flight.
    #[error("network error: {0}")]
    Network(String),
    /// The client refused to send the request (for example, it is too old for the server
    /// and a 426 was already seen).
    #[error("request not sent: {0}")]
    NotSent(String),
}

/// What the engine may do after a failure. Matches the error's [`UiState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// Retrying cannot help (a 4xx the user must act on).
    Permanent,
    /// Transient (5xx, network): retry with jittered backoff, idempotent requests only.
    Backoff,
    /// Rate limited: retry after `after`; the server did not process the request, so even a
    /// POST may be repeated. `is_global` pauses every request.
    At {
        /// How long to wait.
        after: Duration,
        /// Whether the pause applies to every request.
        is_global: bool,
    },
    /// The session is gone: clear the token and ask the user to sign in.
    Reauthenticate,
    /// The client is too old: stop and show the update dialog.
    UpdateRequired,
}

/// What the failed request was doing: the same status means different things to a login
/// form, a 2FA form and a composer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// Any other call.
    #[default]
    Other,
    /// `POST /auth/login`.
    Login,
    /// `POST /auth/2fa`.
    TwoFactor,
    /// `POST /auth/register`.
    Register,
    /// Sending or editing a message (the content filter answers 500).
    SendMessage,
    /// `POST /version/negotiate`.
    Negotiate,
    /// A community action (invites, servers, channels, roles, members, bans): the reference
    /// answers several refusals with 500 (a used-up invite, a duplicate ban, a non-owner
    /// delete, some missing permissions), so a 500 here is a refusal, never retried.
    Community,
    /// `PATCH /users/@me` with a new password: the reference answers a wrong current
    /// password with 500 and a weak new one with 403 (account.txt).
    ChangePassword,
    /// `POST /auth/password-reset/*`: a 401 is about the reset token, not the session.
    PasswordReset,
    /// `POST /users/@me/data-export`: 403 is a wrong password and 429 a 24-hour limit.
    DataExport,
}

/// What [`ApiError::classify`] needs beyond the error itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifyContext {
    /// What the request was doing.
    pub action: Action,
    /// Now, in ms since the epoch (countdowns are absolute).
    pub now_ms: TimestampMs,
    /// Failed logins counted by this client, including this one.
    pub failed_logins: u32,
    /// Attempts made so far for this request, from 1.
    pub attempt: u32,
    /// When the engine will retry, if it will.
    pub next_retry_at: Option<TimestampMs>,
    /// The version string this client sends.
    pub client_version: String,
}

impl ClassifyContext {
    /// A context for `action` at `now_ms`, first attempt, no failed logins.
    #[must_use]
    pub fn new(action: Action, now_ms: TimestampMs) -> Self {
        Self {
            action,
            now_ms,
            failed_logins: 0,
            attempt: 1,
            next_retry_at: None,
            client_version: crate::version::CLIENT_VERSION.to_owned(),
        }
    }
}

impl ApiError {
    /// Builds the error for an HTTP answer with an error status. Never fails: a body that is
    /// not JSON, or JSON of an unknown shape, keeps a snippet as the message.
    #[must_use]
    pub fn from_response(status: u16, headers: &HeaderMap, body: &[u8]) -> Self {
        let header_retry = header_str(headers, "retry-after")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .and_then(secs);
        let header_scope = header_str(headers, "x-ratelimit-scope").map(str::to_owned);
        let mut err = HttpError {
            status,
            code: None,
            message: String::new(),
            extra: Map::new(),
            retry_after: None,
            is_global: header_str(headers, "x-ratelimit-global").is_some_and(|v| v == "true"),
            scope: None,
            is_enveloped: false,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(mut top)) => {
                if let Some(Value::Object(mut env)) = top.remove("error") {
                    err.is_enveloped = true;
                    err.code = match env.remove("code") {
                        Some(Value::Number(n)) => n.as_i64().map(ErrorCode::Int),
                        Some(Value::String(s)) => Some(ErrorCode::Str(s)),
                        _ => None,
                    };
                    err.message = take_string(&mut env, "message").unwrap_or_default();
                    top = env;
                } else {
                    // The main limiter's 429 and a few others: fields at the top level.
                    err.message = take_string(&mut top, "message").unwrap_or_default();
                }
                err.retry_after = top
                    .remove("retry_after")
                    .and_then(|v| v.as_f64())
                    .and_then(secs);
                if let Some(Value::Bool(g)) = top.remove("global") {
                    err.is_global = g;
                }
                err.scope = take_string(&mut top, "scope");
                err.extra = top;
            }
            Ok(_) | Err(_) => {
                let text = String::from_utf8_lossy(body);
                err.message = snippet(text.trim());
            }
        }
        if err.message.is_empty() {
            err.message = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Unknown error")
                .to_owned();
        }
        err.retry_after = err.retry_after.or(header_retry);
        err.scope = err.scope.or(header_scope);
        Self::Http(Box::new(err))
    }

    /// Sorts a reqwest transport error into timeout / connect / TLS / decode / network.
    #[must_use]
    pub fn from_reqwest(err: &reqwest::Error) -> Self {
        let chain = error_chain(err);
        let lower = chain.to_ascii_lowercase();
        if err.is_timeout() {
            Self::Timeout
        } else if lower.contains("tls") || lower.contains("certificate") || lower.contains("ssl") {
            Self::Tls(chain)
        } else if err.is_connect() {
            Self::Connect(chain)
        } else if err.is_decode() {
            Self::Decode(chain)
        } else {
            Self::Network(chain)
        }
    }

    /// The HTTP status, for an HTTP error.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http(h) => Some(h.status),
            _ => None,
        }
    }

    /// The server's message, for an HTTP error.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Http(h) => Some(&h.message),
            _ => None,
        }
    }

    /// Whether the server may have acted on the request. A POST for which this is true is
    /// never repeated blindly; a refused connection or a rate-limit answer is safe to repeat.
    #[must_use]
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Self::Connect(_) | Self::Tls(_) | Self::NotSent(_) => false,
            Self::Http(h) => h.status != 429,
            Self::Timeout | Self::Decode(_) | Self::Network(_) => true,
        }
    }

    /// Turns the error into what the user sees and what the engine may do next.
    ///
    /// ```
    /// use plexichat_core::error::{Action, ApiError, ClassifyContext, RetryKind};
    /// use plexichat_core::UiState;
    ///
    /// // The main limiter's 429 has no envelope (PROTOCOL.md §3).
    /// let body = br#"{"message":"You are being rate limited.","retry_after":0.5,"global":false,"scope":"resource"}"#;
    /// let err = ApiError::from_response(429, &reqwest::header::HeaderMap::new(), body);
    /// let (state, retry) = err.classify(&ClassifyContext::new(Action::SendMessage, 1_000));
    /// assert!(matches!(state, UiState::RateLimited { retry_at: 1_500, .. }));
    /// assert!(matches!(retry, RetryKind::At { is_global: false, .. }));
    /// ```
    #[must_use]
    pub fn classify(&self, ctx: &ClassifyContext) -> (UiState, RetryKind) {
        match self {
            Self::Http(h) => classify::classify_http(h, ctx),
            Self::Timeout => (
                UiState::Offline {
                    reason: "The server did not answer in time.".into(),
                },
                RetryKind::Backoff,
            ),
            Self::Connect(_) | Self::Network(_) => (
                UiState::Offline {
                    reason: "Cannot reach the server.".into(),
                },
                RetryKind::Backoff,
            ),
            Self::Tls(detail) => (
                UiState::Offline {
                    reason: format!("Secure connection failed: {detail}"),
                },
                RetryKind::Permanent,
            ),
            Self::Decode(detail) => (
                UiState::BugReport {
                    message: format!("Unexpected answer from the server: {detail}"),
                },
                RetryKind::Permanent,
            ),
            Self::NotSent(detail) => (
                UiState::BugReport {
                    message: detail.clone(),
                },
                RetryKind::Permanent,
            ),
        }
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Seconds as a `Duration`, refusing negative, NaN and absurd values.
pub(crate) fn secs(s: f64) -> Option<Duration> {
    (s.is_finite() && (0.0..1e9).contains(&s)).then(|| Duration::from_secs_f64(s))
}

fn snippet(text: &str) -> String {
    text.chars().take(SNIPPET_LEN).collect()
}

fn error_chain(err: &reqwest::Error) -> String {
    let mut out = err.to_string();
    let mut src = std::error::Error::source(err);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

/// What a [`crate::Client`] action failed with: the classified state the UI shows inline for
/// that action, the retry decision, and the cause for logs.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{source}")]
pub struct ClientError {
    /// What the user sees for this failure.
    pub state: UiState,
    /// What may be done next (mostly informational: the client already retried what it could).
    pub retry: RetryKind,
    /// The cause.
    #[source]
    pub source: ClientErrorSource,
}

/// The cause of a [`ClientError`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClientErrorSource {
    /// A REST call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The session store failed.
    #[error(transparent)]
    Store(#[from] crate::session::StoreError),
    /// The client refused before sending (local validation, no session, expired challenge).
    #[error("{0}")]
    Rejected(String),
}

impl ClientError {
    /// A failure decided locally, without a request.
    #[must_use]
    pub fn rejected(state: UiState, why: impl Into<String>) -> Self {
        Self {
            state,
            retry: RetryKind::Permanent,
            source: ClientErrorSource::Rejected(why.into()),
        }
    }

    /// The API error behind this failure, if it came from a request.
    #[must_use]
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.source {
            ClientErrorSource::Api(e) => Some(e),
            _ => None,
        }
    }
}

mod classify;

#[cfg(test)]
mod tests;
