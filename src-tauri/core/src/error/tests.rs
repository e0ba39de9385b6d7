//! The classification table: one row per line of shared/seed/error-handling.txt and per
//! observed variant in PROTOCOL.md §1–§5 / shared/recorded.

use super::*;
use crate::ui_state::{Entity, ForbiddenReason, LoginReason};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

const NOW: TimestampMs = 1_000_000;
const LOCKED_UNTIL: TimestampMs = NOW + 15 * 60 * 1000;

fn env(code: u16, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn classify_with(
    status: u16,
    hdrs: &[(&str, &str)],
    body: &str,
    action: Action,
    failed_logins: u32,
) -> (UiState, RetryKind) {
    let err = ApiError::from_response(status, &headers(hdrs), body.as_bytes());
    let mut ctx = ClassifyContext::new(action, NOW);
    ctx.failed_logins = failed_logins;
    err.classify(&ctx)
}

fn classify(status: u16, body: &str, action: Action) -> (UiState, RetryKind) {
    classify_with(status, &[], body, action, 0)
}

fn input(field: Option<&str>, message: &str) -> UiState {
    UiState::InvalidInput {
        field: field.map(str::to_owned),
        message: message.to_owned(),
    }
}

fn login(reason: LoginReason, message: &str) -> UiState {
    UiState::LoginRequired {
        reason,
        message: message.to_owned(),
    }
}

fn forbidden(reason: ForbiddenReason, message: &str) -> UiState {
    UiState::Forbidden {
        reason,
        message: message.to_owned(),
    }
}

fn not_found(entity: Entity, message: &str) -> UiState {
    UiState::NotFound {
        entity,
        message: message.to_owned(),
    }
}

fn conflict(field: Option<&str>, message: &str) -> UiState {
    UiState::Conflict {
        field: field.map(str::to_owned),
        message: message.to_owned(),
    }
}

fn server_error(status: u16, message: &str) -> UiState {
    UiState::ServerError {
        status,
        attempt: 1,
        next_retry_at: None,
        message: message.to_owned(),
    }
}

fn limited(after_ms: i64, scope: Option<&str>, global: bool) -> UiState {
    UiState::RateLimited {
        retry_at: NOW + after_ms,
        scope: scope.map(str::to_owned),
        global,
    }
}

fn at(ms: u64, is_global: bool) -> RetryKind {
    RetryKind::At {
        after: Duration::from_millis(ms),
        is_global,
    }
}

use Action::{Community, Login, Other, Register, SendMessage, TwoFactor};
use RetryKind::{Backoff, Permanent, Reauthenticate};

/// Every message of the docs' tables, with the status the docs give it.
#[test]
fn every_documented_message_has_its_own_state() {
    let rows: Vec<(u16, &str, Action, UiState, RetryKind)> = vec![
        // Authentication errors (401).
        (
            401,
            "Authentication required",
            Other,
            login(
                LoginReason::AuthenticationRequired,
                "Authentication required",
            ),
            Reauthenticate,
        ),
        (
            401,
            "Invalid token",
            Other,
            login(LoginReason::InvalidToken, "Invalid token"),
            Reauthenticate,
        ),
        (
            401,
            "Token expired",
            Other,
            login(LoginReason::TokenExpired, "Token expired"),
            Reauthenticate,
        ),
        (
            401,
            "Invalid credentials",
            Login,
            UiState::InvalidCredentials {
                failed_attempts: 1,
                attempts_left: 4,
            },
            Permanent,
        ),
        (
            401,
            "Invalid code",
            TwoFactor,
            UiState::TwoFactorInvalid {
                message: "Invalid code".into(),
            },
            Permanent,
        ),
        (
            401,
            "Expired token",
            TwoFactor,
            UiState::TwoFactorExpired,
            Permanent,
        ),
        // Permission errors (403).
        (
            403,
            "Access denied",
            Other,
            forbidden(ForbiddenReason::AccessDenied, "Access denied"),
            Permanent,
        ),
        (
            403,
            "Permission denied",
            Other,
            forbidden(ForbiddenReason::PermissionDenied, "Permission denied"),
            Permanent,
        ),
        (
            403,
            "Account locked",
            Login,
            UiState::AccountLocked {
                until: LOCKED_UNTIL,
                suspended: false,
            },
            Permanent,
        ),
        (
            403,
            "Admin access required",
            Other,
            forbidden(ForbiddenReason::AdminRequired, "Admin access required"),
            Permanent,
        ),
        (
            403,
            "Cannot message this user",
            SendMessage,
            forbidden(
                ForbiddenReason::CannotMessageUser,
                "Cannot message this user",
            ),
            Permanent,
        ),
        // Validation errors (400).
        (
            400,
            "Invalid input",
            Other,
            input(None, "Invalid input"),
            Permanent,
        ),
        (
            400,
            "Invalid user ID",
            Other,
            input(Some("user_id"), "Invalid user ID"),
            Permanent,
        ),
        (
            400,
            "Invalid channel ID",
            Other,
            input(Some("channel_id"), "Invalid channel ID"),
            Permanent,
        ),
        (
            400,
            "Invalid server ID",
            Other,
            input(Some("server_id"), "Invalid server ID"),
            Permanent,
        ),
        (
            400,
            "Invalid message ID",
            Other,
            input(Some("message_id"), "Invalid message ID"),
            Permanent,
        ),
        (
            400,
            "Weak password",
            Register,
            input(Some("password"), "Weak password"),
            Permanent,
        ),
        (
            400,
            "Message must have content...",
            SendMessage,
            input(Some("content"), "Message must have content..."),
            Permanent,
        ),
        (
            400,
            "File too large",
            Other,
            input(Some("file"), "File too large"),
            Permanent,
        ),
        (
            400,
            "Invalid file type",
            Other,
            input(Some("file"), "Invalid file type"),
            Permanent,
        ),
        // Resource errors (404).
        (
            404,
            "User not found",
            Other,
            not_found(Entity::User, "User not found"),
            Permanent,
        ),
        (
            404,
            "Server not found",
            Other,
            not_found(Entity::Server, "Server not found"),
            Permanent,
        ),
        (
            404,
            "Channel not found",
            Other,
            not_found(Entity::Channel, "Channel not found"),
            Permanent,
        ),
        (
            404,
            "Message not found",
            Other,
            not_found(Entity::Message, "Message not found"),
            Permanent,
        ),
        (
            404,
            "Webhook not found",
            Other,
            not_found(Entity::Webhook, "Webhook not found"),
            Permanent,
        ),
        (
            404,
            "Session not found",
            Other,
            not_found(Entity::Session, "Session not found"),
            Permanent,
        ),
        (
            404,
            "Friend request not found",
            Other,
            not_found(Entity::FriendRequest, "Friend request not found"),
            Permanent,
        ),
        (
            404,
            "Relationship not found",
            Other,
            not_found(Entity::Relationship, "Relationship not found"),
            Permanent,
        ),
        (
            404,
            "Setting not found",
            Other,
            not_found(Entity::Setting, "Setting not found"),
            Permanent,
        ),
        // Conflict errors (409).
        (
            409,
            "Already exists",
            Other,
            conflict(None, "Already exists"),
            Permanent,
        ),
        (
            409,
            "Username already taken",
            Register,
            conflict(Some("username"), "Username already taken"),
            Permanent,
        ),
        (
            409,
            "Email already taken",
            Register,
            conflict(Some("email"), "Email already taken"),
            Permanent,
        ),
        (
            409,
            "Already a member",
            Other,
            conflict(Some("server"), "Already a member"),
            Permanent,
        ),
        (
            409,
            "2FA is already enabled",
            Other,
            conflict(Some("two_factor"), "2FA is already enabled"),
            Permanent,
        ),
        // Status table rows with their generic messages.
        (
            400,
            "Bad Request",
            Other,
            input(None, "Bad Request"),
            Permanent,
        ),
        (
            401,
            "Unauthorized",
            Other,
            login(LoginReason::InvalidToken, "Unauthorized"),
            Reauthenticate,
        ),
        (
            403,
            "Forbidden",
            Other,
            forbidden(ForbiddenReason::AccessDenied, "Forbidden"),
            Permanent,
        ),
        (
            404,
            "Resource not found",
            Other,
            not_found(Entity::Resource, "Resource not found"),
            Permanent,
        ),
        (
            409,
            "Conflict",
            Other,
            conflict(None, "Conflict"),
            Permanent,
        ),
        (
            500,
            "Internal server error",
            Other,
            server_error(500, "Internal server error"),
            Backoff,
        ),
        (
            503,
            "Module not available",
            Other,
            UiState::ServiceUnavailable {
                message: "Module not available".into(),
                retry_at: None,
            },
            Backoff,
        ),
    ];
    for (status, message, action, state, retry) in rows {
        let got = classify(status, &env(status, message), action);
        assert_eq!(got, (state, retry), "{status} {message:?} ({action:?})");
    }
}

#[test]
fn documented_version_errors() {
    let outdated = r#"{"error":{"code":"VERSION_OUTDATED","message":"Client version a.0.9-1 is no longer supported","client_version":"a.0.9-1","min_version":"a.1.0-1","server_version":"a.1.0-1","update_url":"https://example.invalid/dl"}}"#;
    assert_eq!(
        classify(426, outdated, Action::Negotiate),
        (
            UiState::UpdateRequired {
                client_version: "a.0.9-1".into(),
                min_version: "a.1.0-1".into(),
                server_version: "a.1.0-1".into(),
                update_url: Some("https://example.invalid/dl".into()),
            },
            RetryKind::UpdateRequired
        )
    );
    // Recorded: update_url null.
    let recorded = r#"{"error":{"code":"VERSION_OUTDATED","message":"Client version a.1.0-1 is no longer supported. Please update to at least a.1.0-132.","client_version":"a.1.0-1","min_version":"a.1.0-132","server_version":"a.1.0-132","update_url":null}}"#;
    let (state, _) = classify(426, recorded, Other);
    assert!(
        matches!(state, UiState::UpdateRequired { update_url: None, ref min_version, .. } if min_version == "a.1.0-132")
    );
    let bad = r#"{"error":{"code":"INVALID_VERSION_FORMAT","message":"Invalid version format: 'banana'.","client_version":"banana"}}"#;
    assert_eq!(
        classify(400, bad, Action::Negotiate),
        (
            UiState::InvalidVersionFormat {
                client_version: "banana".into()
            },
            Permanent
        )
    );
    // A 426 without any body still opens the update dialog with our own version.
    let (state, retry) = classify(426, "", Other);
    assert_eq!(retry, RetryKind::UpdateRequired);
    assert!(
        matches!(state, UiState::UpdateRequired { ref client_version, .. } if client_version == crate::version::CLIENT_VERSION)
    );
}

#[test]
fn documented_enveloped_429_uses_its_retry_after() {
    let body = r#"{"error":{"code":429,"message":"Rate limited","retry_after":1.5}}"#;
    assert_eq!(
        classify(429, body, Other),
        (limited(1500, None, false), at(1500, false))
    );
}

#[test]
fn observed_unenveloped_429_uses_body_scope_and_global() {
    let body = r#"{"message":"You are being rate limited.","retry_after":0.30703306198120117,"global":false,"scope":"resource"}"#;
    let (state, retry) = classify_with(429, &[("retry-after", "1")], body, SendMessage, 0);
    assert_eq!(state, limited(307, Some("resource"), false));
    assert!(matches!(retry, RetryKind::At { after, is_global: false } if after.as_millis() == 307));

    let global = r#"{"message":"You are being rate limited.","retry_after":2,"global":true,"scope":"global"}"#;
    assert_eq!(
        classify(429, global, Other),
        (limited(2000, Some("global"), true), at(2000, true))
    );
}

#[test]
fn observed_hourly_429_shows_the_real_wait() {
    let body = r#"{"message":"You are being rate limited.","retry_after":2788.2277398109436,"global":false,"scope":"route"}"#;
    let (state, _) = classify_with(429, &[("retry-after", "2789")], body, Register, 0);
    let UiState::RateLimited { retry_at, .. } = state else {
        panic!("{state:?}")
    };
    assert!(retry_at - NOW > 2_788_000, "counts down the full window");
}

#[test]
fn route_429_without_retry_after_falls_back_to_header_then_default() {
    let body = env(429, "Too many requests");
    let (_, retry) = classify_with(
        429,
        &[("retry-after", "7"), ("x-ratelimit-scope", "route")],
        &body,
        Other,
        0,
    );
    assert_eq!(retry, at(7000, false));
    let (state, retry) = classify(429, &body, Other);
    assert_eq!(retry, at(1000, false));
    assert_eq!(state, limited(1000, None, false));
    let (state, _) = classify_with(429, &[("x-ratelimit-scope", "route")], &body, Other, 0);
    assert_eq!(state, limited(1000, Some("route"), false));
}

#[test]
fn token_verification_rate_limit_is_not_a_logout() {
    let body = env(401, "Token verification rate limit exceeded");
    let (state, retry) = classify(401, &body, Other);
    assert!(
        matches!(state, UiState::RateLimited { global: false, .. }),
        "{state:?}"
    );
    assert_eq!(retry, at(5000, false));
    let (_, retry) = classify_with(401, &[("retry-after", "3")], &body, Other, 0);
    assert_eq!(retry, at(3000, false));
}

#[test]
fn observed_401_variants() {
    for m in ["Invalid/Revoked", "Invalid or revoked token"] {
        assert_eq!(
            classify(401, &env(401, m), Other),
            (login(LoginReason::InvalidToken, m), Reauthenticate)
        );
    }
    assert_eq!(
        classify(401, &env(401, "Multiple Authorization headers"), Other),
        (
            UiState::BugReport {
                message: "Multiple Authorization headers".into()
            },
            Permanent
        )
    );
    assert_eq!(
        classify(401, &env(401, "Invalid challenge"), TwoFactor),
        (UiState::TwoFactorExpired, Permanent)
    );
    assert_eq!(
        classify(401, &env(401, "Invalid 2FA code"), TwoFactor),
        (
            UiState::TwoFactorInvalid {
                message: "Invalid 2FA code".into()
            },
            Permanent
        )
    );
    assert_eq!(
        classify(401, &env(401, "Invalid password"), Other),
        (input(Some("password"), "Invalid password"), Permanent)
    );
}

#[test]
fn invalid_credentials_counts_down_to_lockout() {
    let body = env(401, "Invalid credentials");
    let (state, _) = classify_with(401, &[], &body, Login, 4);
    assert_eq!(
        state,
        UiState::InvalidCredentials {
            failed_attempts: 4,
            attempts_left: 1
        }
    );
    let (state, _) = classify_with(401, &[], &body, Login, 9);
    assert_eq!(
        state,
        UiState::InvalidCredentials {
            failed_attempts: 9,
            attempts_left: 0
        }
    );
}

#[test]
fn observed_403_variants() {
    let suspended = r#"{"error":{"code":403,"message":"Account suspended","reason":"Your account has been suspended by an administrator."}}"#;
    assert_eq!(
        classify(403, suspended, Other),
        (
            UiState::AccountLocked {
                until: LOCKED_UNTIL,
                suspended: true
            },
            Permanent
        )
    );
    let m = "Missing required permission: channels.manage";
    assert_eq!(
        classify(403, &env(403, m), Other),
        (forbidden(ForbiddenReason::PermissionDenied, m), Permanent)
    );
    let m = "Cannot send friend request - you are blocked by this user";
    assert_eq!(
        classify(403, &env(403, m), Other),
        (forbidden(ForbiddenReason::CannotMessageUser, m), Permanent)
    );
}

#[test]
fn observed_400_variants_name_their_field() {
    let rows = [
        (
            "Invalid content: String should have at most 4000 characters",
            SendMessage,
            Some("content"),
        ),
        (
            "Message must have content, attachments, embeds, or a poll",
            SendMessage,
            Some("content"),
        ),
        (
            "Invalid limit: Input should be less than or equal to 100",
            Other,
            Some("limit"),
        ),
        (
            "Invalid username: String should have at least 3 characters",
            Register,
            Some("username"),
        ),
        (
            "Invalid: ['Username can only contain letters, numbers, and underscores']",
            Register,
            Some("username"),
        ),
        (
            "Weak: ['Password must be at least 12 characters']",
            Register,
            Some("password"),
        ),
        ("File type not allowed: .exe", Other, Some("file")),
        ("Invalid file: Field required", Other, Some("file")),
        ("Invalid ID format", Other, Some("id")),
        ("Invalid 12: JSON decode error", Other, None),
        ("Invalid request", Other, None),
        ("Username required", Other, Some("username")),
        (
            "Invalid status. Must be one of: online, idle, dnd, invisible, offline",
            Other,
            Some("status"),
        ),
    ];
    for (m, action, field) in rows {
        assert_eq!(
            classify(400, &env(400, m), action),
            (input(field, m), Permanent),
            "{m}"
        );
    }
}

#[test]
fn observed_2fa_validation_400_stays_on_the_code_form() {
    let m = "Invalid challenge_token: ******** should be a valid string";
    assert_eq!(
        classify(400, &env(400, m), TwoFactor),
        (UiState::TwoFactorInvalid { message: m.into() }, Permanent)
    );
}

#[test]
fn observed_404_405_409_413() {
    let m = "Invite not found or expired";
    assert_eq!(
        classify(404, &env(404, m), Other),
        (not_found(Entity::Resource, m), Permanent)
    );
    let (state, retry) = classify(405, &env(405, "Method Not Allowed"), Other);
    assert!(matches!(state, UiState::BugReport { .. }));
    assert_eq!(retry, Permanent);
    for (m, field) in [
        ("Username or email already exists", None),
        ("Already a member of this server", Some("server")),
        (
            "You are already friends with this user",
            Some("relationship"),
        ),
        ("Friend request already sent", Some("relationship")),
    ] {
        assert_eq!(
            classify(409, &env(409, m), Other),
            (conflict(field, m), Permanent),
            "{m}"
        );
    }
    let m = "Request body too large";
    assert_eq!(
        classify(413, &env(413, m), SendMessage),
        (input(Some("file"), m), Permanent)
    );
}

#[test]
fn content_filter_500_on_send_is_a_rejected_message_not_an_outage() {
    assert_eq!(
        classify(500, &env(500, "Internal server error"), SendMessage),
        (
            UiState::ContentRejected {
                message: "Internal server error".into()
            },
            Permanent
        )
    );
}

#[test]
fn community_500s_are_refusals_shown_inline_and_never_retried() {
    let m = "Invite has reached maximum uses";
    assert_eq!(
        classify(500, &env(500, m), Community),
        (input(None, m), Permanent)
    );
    let m = "User is already banned";
    assert_eq!(
        classify(500, &env(500, m), Community),
        (conflict(None, m), Permanent)
    );
    for m in ["Missing required permission: roles.manage", "Upload failed"] {
        assert_eq!(
            classify(500, &env(500, m), Community),
            (
                UiState::Forbidden {
                    reason: ForbiddenReason::PermissionDenied,
                    message: m.into()
                },
                Permanent
            )
        );
    }
    // The non-owner delete: a bare "Internal server error", still a refusal for this action.
    let m = "Internal server error";
    assert_eq!(
        classify(500, &env(500, m), Community),
        (input(None, m), Permanent)
    );
    // The same 500 elsewhere is an outage, retried.
    assert_eq!(classify(500, &env(500, m), Other).1, Backoff);
}

#[test]
fn observed_500_variants() {
    let m = "Cannot create DM with yourself";
    assert_eq!(
        classify(500, &env(500, m), Other),
        (input(None, m), Permanent)
    );
    let m = "Module not available";
    assert_eq!(
        classify(500, &env(500, m), Other),
        (
            UiState::ServiceUnavailable {
                message: m.into(),
                retry_at: None
            },
            Backoff
        )
    );
    assert_eq!(
        classify(502, "", Other),
        (server_error(502, "Bad Gateway"), Backoff)
    );
}

#[test]
fn non_json_bodies_fall_to_the_status_state() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let (state, retry) = classify(502, html, Other);
    assert_eq!(retry, Backoff);
    assert!(
        matches!(state, UiState::ServerError { status: 502, ref message, .. } if message.contains("Bad Gateway"))
    );
    // Recorded CORS refusal: text/plain 400.
    assert_eq!(
        classify(400, "Disallowed CORS origin", Other),
        (input(None, "Disallowed CORS origin"), Permanent)
    );
    // Empty, binary, a JSON array, a JSON string, an envelope with junk types.
    assert_eq!(
        classify(404, "", Other),
        (not_found(Entity::Resource, "Not Found"), Permanent)
    );
    let (state, _) = classify_with(503, &[], "\u{0}\u{1}\u{fffd}", Other, 0);
    assert!(matches!(state, UiState::ServiceUnavailable { .. }));
    assert_eq!(classify(403, "[1,2]", Other).1, Permanent);
    assert_eq!(classify(401, "\"nope\"", Other).1, Reauthenticate);
    let junk = r#"{"error":{"code":[1],"message":42,"retry_after":"soon"}}"#;
    assert_eq!(classify(429, junk, Other).1, at(1000, false));
    let negative = r#"{"message":"x","retry_after":-5}"#;
    assert_eq!(classify(429, negative, Other).1, at(1000, false));
    // A long body is cut for the details view.
    let long = "x".repeat(10_000);
    let err = ApiError::from_response(500, &HeaderMap::new(), long.as_bytes());
    assert!(err.message().unwrap().len() <= 200);
}

#[test]
fn transport_errors_classify_without_a_status() {
    let ctx = ClassifyContext::new(Other, NOW);
    assert_eq!(ApiError::Timeout.classify(&ctx).1, Backoff);
    assert!(matches!(
        ApiError::Connect("refused".into()).classify(&ctx),
        (UiState::Offline { .. }, Backoff)
    ));
    assert!(matches!(
        ApiError::Network("reset".into()).classify(&ctx),
        (UiState::Offline { .. }, Backoff)
    ));
    assert!(matches!(
        ApiError::Tls("bad cert".into()).classify(&ctx),
        (UiState::Offline { .. }, Permanent)
    ));
    assert!(matches!(
        ApiError::Decode("eof".into()).classify(&ctx),
        (UiState::BugReport { .. }, Permanent)
    ));
}

#[test]
fn only_answers_that_may_have_been_processed_block_a_blind_repeat() {
    assert!(!ApiError::Connect("refused".into()).may_have_reached_server());
    assert!(ApiError::Timeout.may_have_reached_server());
    let limited = ApiError::from_response(429, &HeaderMap::new(), b"{}");
    assert!(!limited.may_have_reached_server());
    let failed = ApiError::from_response(500, &HeaderMap::new(), b"{}");
    assert!(failed.may_have_reached_server());
}

#[test]
fn server_error_carries_attempt_and_next_retry() {
    let err = ApiError::from_response(500, &HeaderMap::new(), env(500, "boom").as_bytes());
    let mut ctx = ClassifyContext::new(Other, NOW);
    ctx.attempt = 3;
    ctx.next_retry_at = Some(NOW + 4000);
    assert_eq!(
        err.classify(&ctx).0,
        UiState::ServerError {
            status: 500,
            attempt: 3,
            next_retry_at: Some(NOW + 4000),
            message: "boom".into()
        }
    );
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a server or proxy sends, building and classifying the error never panics
        /// and always yields a state.
        #[test]
        fn any_status_and_body_classifies(
            status in 0u16..1000,
            body in proptest::collection::vec(any::<u8>(), 0..300),
            retry_after in "[ -~]{0,12}",
            action in prop_oneof![
                Just(Action::Other), Just(Action::Login), Just(Action::TwoFactor),
                Just(Action::Register), Just(Action::SendMessage), Just(Action::Negotiate), Just(Action::Community)
            ],
        ) {
            let mut h = HeaderMap::new();
            if let Ok(v) = reqwest::header::HeaderValue::from_str(&retry_after) {
                h.insert("retry-after", v);
            }
            let err = ApiError::from_response(status, &h, &body);
            let _ = err.classify(&ClassifyContext::new(action, NOW));
            prop_assert!(err.message().is_some_and(|m| !m.is_empty()), "a message for the details view");
        }

        /// JSON-shaped bodies with arbitrary field types never panic either.
        #[test]
        fn any_json_envelope_classifies(
            status in 400u16..600,
            code in prop_oneof![Just(json!(null)), any::<i64>().prop_map(|n| json!(n)), "[A-Z_]{0,20}".prop_map(|s| json!(s)), Just(json!([1]))],
            message in prop_oneof![Just(json!(null)), ".{0,40}".prop_map(|s| json!(s)), any::<f64>().prop_map(|n| json!(n))],
            retry in prop_oneof![Just(json!(null)), any::<f64>().prop_map(|n| json!(n)), Just(json!("soon"))],
            enveloped in any::<bool>(),
        ) {
            let inner = json!({"code": code, "message": message, "retry_after": retry, "global": retry, "client_version": code});
            let body = if enveloped { json!({"error": inner}) } else { inner };
            let err = ApiError::from_response(status, &HeaderMap::new(), body.to_string().as_bytes());
            let (_, kind) = err.classify(&ClassifyContext::new(Action::Other, NOW));
            if let RetryKind::At { after, .. } = kind {
                prop_assert!(after.as_secs_f64() < 1e9);
            }
        }
    }

    use serde_json::json;
}
