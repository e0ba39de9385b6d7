//! Register, login (with the intended 2FA challenge flow), logout, refresh, TOTP enrolment and
//! session management (auth.txt, PROTOCOL.md §5).

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{char_count, req_str, Auth, Client, JsonBody, SessionId};
use crate::store::auth::{hash_password, password_problems};
use crate::store::LoginOutcome;
use crate::totp;
use crate::wire;
use axum::routing::{delete, get, post};
use axum::Json;
use serde_json::{json, Map, Value};

/// Routes below `/api/v1/auth`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/refresh", post(refresh))
        .route("/auth/2fa", post(two_factor))
        .route("/auth/2fa/enable", post(enable_2fa))
        .route("/auth/2fa/confirm", post(confirm_2fa))
        .route("/auth/2fa/disable", post(disable_2fa))
        .route("/auth/2fa/status", get(status_2fa))
        .route("/auth/sessions", get(sessions))
        .route("/auth/sessions/revoke-all", post(revoke_all))
        .route("/auth/sessions/{session_id}", delete(revoke_one))
}

/// Domains the reference's e-mail validator refuses, with every subdomain: they can never
/// receive mail (`example.com` is fine; `example.test`, `a.invalid`, `host.localhost` are not).
const SPECIAL_USE_DOMAINS: [&str; 6] = ["arpa", "invalid", "local", "localhost", "onion", "test"];

fn is_special_use_domain(email: &str) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    SPECIAL_USE_DOMAINS
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
}

fn validate_registration(body: &Map<String, Value>) -> Result<(String, String, String), ApiError> {
    let username = req_str(body, "username")?;
    let email = req_str(body, "email")?;
    let password = req_str(body, "password")?;
    char_count("username", username, 3, 32)?;
    let email_ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if !email_ok {
        return Err(ApiError::invalid(
            "email",
            "value is not a valid email address: An email address must have an @-sign.",
        ));
    }
    if is_special_use_domain(email) {
        return Err(ApiError::invalid(
            "email",
            "value is not a valid email address: The part after the @-sign is a special-use or reserved name that cannot be used with email.",
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(ApiError::new(
            400,
            "Invalid: ['Username can only contain letters, numbers, and underscores']",
        ));
    }
    let problems = password_problems(password);
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::new(
            400,
            format!("Weak: [{list}] For password guidance, see: /docs/api/end-user/password-guidance.md"),
        ));
    }
    Ok((username.to_owned(), email.to_owned(), password.to_owned()))
}

async fn register(st: St, client: Client, JsonBody(_, body): JsonBody) -> ApiResult {
    let (username, email, password) = validate_registration(&body)?;
    let mut world = st.lock();
    let user_id = world.create_user(&username, &email, &password)?;
    let session = world.open_session(user_id, &client.ip, client.user_agent);
    Ok(Json(wire::login_success(&world, &session)))
}

async fn login(st: St, client: Client, JsonBody(_, body): JsonBody) -> ApiResult {
    let username = req_str(&body, "username")?;
    let password = req_str(&body, "password")?;
    let mut world = st.lock();
    match world.login(username, password, &client.ip, client.user_agent)? {
        LoginOutcome::Session(session) => Ok(Json(wire::login_success(&world, &session))),
        LoginOutcome::Challenge(token) => Ok(Json(wire::login_challenge(
            &token,
            st.config.challenge_ttl_ms,
        ))),
    }
}

async fn logout(st: St, auth: Auth) -> ApiResult {
    st.lock().revoke_session(auth.session_id, "logout");
    Ok(Json(wire::ok()))
}

/// There is no refresh token: the same token comes back (PROTOCOL.md §5).
async fn refresh(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let session = world
        .sessions
        .get(&auth.session_id)
        .cloned()
        .ok_or_else(|| ApiError::new(401, "Invalid/Revoked"))?;
    Ok(Json(wire::login_success(&world, &session)))
}

async fn two_factor(st: St, client: Client, JsonBody(_, body): JsonBody) -> ApiResult {
    // The reference masks the offending value in this message.
    let Some(Value::String(challenge)) = body.get("challenge_token") else {
        return Err(ApiError::new(
            400,
            "Invalid challenge_token: ******** should be a valid string",
        ));
    };
    let code = req_str(&body, "code")?;
    char_count("code", code, 6, 8)?;
    let mut world = st.lock();
    let session = world.complete_2fa(challenge, code, &client.ip, client.user_agent)?;
    Ok(Json(wire::login_success(&world, &session)))
}

async fn enable_2fa(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let password = req_str(&body, "password")?;
    let mut world = st.lock();
    let user = world.user(auth.user_id)?;
    if user.password_hash != hash_password(password) {
        return Err(ApiError::new(401, "Invalid password"));
    }
    if user.totp.as_ref().is_some_and(|t| t.is_confirmed) {
        return Err(ApiError::new(409, "2FA is already enabled"));
    }
    let username = user.username.clone();
    let t = world
        .begin_totp(auth.user_id)
        .ok_or_else(|| ApiError::not_found("User"))?;
    Ok(Json(json!({
        "secret": t.secret,
        "qr_uri": format!("otpauth://totp/Plexichat:{username}?secret={}&issuer=Plexichat", t.secret),
        "backup_codes": t.backup_codes,
    })))
}

async fn confirm_2fa(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let code = req_str(&body, "code")?;
    // The reference's schema wants exactly six characters here (6–8 for sign-in and disable).
    char_count("code", code, 6, 6)?;
    let mut world = st.lock();
    let now_s = crate::ids::now_ms() / 1000;
    let t = world
        .users
        .get_mut(&auth.user_id)
        .and_then(|u| u.totp.as_mut())
        .ok_or_else(|| ApiError::new(400, "2FA setup not started"))?;
    if !totp::verify(&t.secret, code, now_s) {
        return Err(ApiError::new(401, "Invalid code"));
    }
    t.is_confirmed = true;
    Ok(Json(wire::ok()))
}

async fn disable_2fa(st: St, auth: Auth, JsonBody(_, body): JsonBody) -> ApiResult {
    let password = req_str(&body, "password")?;
    let code = req_str(&body, "code")?;
    char_count("code", code, 6, 8)?;
    let mut world = st.lock();
    let now_s = crate::ids::now_ms() / 1000;
    let user = world.user_mut(auth.user_id)?;
    if user.password_hash != hash_password(password) {
        return Err(ApiError::new(401, "Invalid password"));
    }
    // When 2FA is off the code is not looked at (account.txt).
    let Some(t) = user.totp.as_ref().filter(|t| t.is_confirmed) else {
        return Err(ApiError::new(400, "2FA is not enabled"));
    };
    let is_backup = t.backup_codes.iter().any(|b| {
        b.replace('-', "")
            .eq_ignore_ascii_case(&code.replace('-', ""))
    });
    if !totp::verify(&t.secret, code, now_s) && !is_backup {
        // Not the confirm step's wording (account.txt).
        return Err(ApiError::new(401, "Invalid 2FA code"));
    }
    user.totp = None;
    Ok(Json(wire::ok()))
}

async fn status_2fa(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let t = world.users.get(&auth.user_id).and_then(|u| u.totp.as_ref());
    // Between enable and confirm the reference already counts the ten codes (account.txt).
    Ok(Json(json!({
        "enabled": t.is_some_and(|t| t.is_confirmed),
        "backup_codes_remaining": t.map_or(0, |t| t.backup_codes.len()),
    })))
}

async fn sessions(st: St, auth: Auth) -> ApiResult {
    let world = st.lock();
    let mut list: Vec<_> = world
        .sessions
        .values()
        .filter(|s| s.user_id == auth.user_id && !s.is_revoked)
        .collect();
    list.sort_by_key(|s| s.id);
    let out: Vec<Value> = list
        .iter()
        .map(|s| {
            json!({
                "id": s.id.to_string(),
                "device_id": null,
                "ip_address": s.ip,
                "user_agent": s.user_agent,
                "created_at": s.created_at,
                "expires_at": s.expires_at,
                "last_activity": s.last_activity,
                "current": s.id == auth.session_id,
            })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// Idempotent: an unknown, foreign or already revoked id also answers 200 (account.txt).
async fn revoke_one(st: St, auth: Auth, SessionId(id): SessionId) -> ApiResult {
    let mut world = st.lock();
    let owned = world
        .sessions
        .get(&id)
        .is_some_and(|s| s.user_id == auth.user_id && !s.is_revoked);
    if owned {
        world.revoke_session(id, "session_revoked");
    }
    Ok(Json(wire::ok()))
}

/// The body is optional; without `except_current` the calling session is kept.
async fn revoke_all(st: St, auth: Auth, body: axum::body::Bytes) -> ApiResult {
    let except_current = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("except_current").and_then(Value::as_bool))
        .unwrap_or(true);
    let except = except_current.then_some(auth.session_id);
    let count = st
        .lock()
        .revoke_all_sessions(auth.user_id, except, "sessions_revoked");
    Ok(Json(json!({"success": true, "revoked_count": count})))
}
