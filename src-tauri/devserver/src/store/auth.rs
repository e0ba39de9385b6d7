//! Accounts, sessions, lockout and TOTP (PROTOCOL.md §5).
//!
//! Lockout: the `lockout_attempts`-th wrong password still answers 401, and locks the account;
//! from then on every login answers 403 `Account locked` and every existing session 403
//! `Account suspended`, until `lockout_ms` passes.

use super::{Challenge, Presence, Session, Totp, User, World};
use crate::error::ApiError;
use crate::ids::{now_ms, random_hex, token_is_well_formed, token_secret};
use crate::totp;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Session lifetime (168 h, sliding).
const SESSION_TTL_MS: u64 = 168 * 3600 * 1000;

/// Reason sent with `Account suspended`, verbatim from the reference.
pub(crate) const SUSPENDED_REASON: &str = "Your account has been suspended by an administrator.";

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    /// Not `<digits>.<secret>`.
    Malformed,
    /// Unknown, logged out, revoked or expired.
    Revoked,
    /// The account is locked.
    Suspended,
}

impl AuthFailure {
    /// The REST answer for this failure.
    pub(crate) fn to_error(self) -> ApiError {
        match self {
            Self::Malformed => ApiError::new(401, "Invalid token"),
            Self::Revoked => ApiError::new(401, "Invalid/Revoked"),
            Self::Suspended => {
                let mut extra = serde_json::Map::new();
                extra.insert("reason".into(), json!(SUSPENDED_REASON));
                ApiError::with_fields(403, json!(403), "Account suspended", extra)
            }
        }
    }
}

/// What a correct password leads to.
pub(crate) enum LoginOutcome {
    /// Signed in: the new session.
    Session(Session),
    /// TOTP account: the challenge token to send to `/auth/2fa`.
    Challenge(String),
}

/// Hashes a password; plain text never stays in memory.
pub(crate) fn hash_password(password: &str) -> String {
    let digest = Sha256::digest(format!("plexichat-dev:{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The reference's password rules, as its messages word them; empty when the password is fine.
pub(crate) fn password_problems(password: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if password.chars().count() < 12 {
        problems.push("Password must be at least 12 characters");
    }
    if password.chars().count() > 128 {
        problems.push("Password must be at most 128 characters");
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push("Password must contain at least one uppercase letter");
    }
    if !password.chars().any(char::is_lowercase) {
        problems.push("Password must contain at least one lowercase letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push("Password must contain at least one digit");
    }
    if password.chars().all(char::is_alphanumeric) {
        problems.push("Password must contain at least one special character");
    }
    problems
}

impl World {
    /// Creates an account; the caller has validated the fields.
    ///
    /// # Errors
    /// 409 when the username or e-mail is taken.
    pub(crate) fn create_user(
        &mut self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<u64, ApiError> {
        let taken = self.users.values().any(|u| {
            u.username.eq_ignore_ascii_case(username) || u.email.eq_ignore_ascii_case(email)
        });
        if taken {
            return Err(ApiError::new(409, "Username or email already exists"));
        }
        let id = self.ids.next();
        self.users.insert(
            id,
            User {
                id,
                username: username.to_owned(),
                email: email.to_owned(),
                password_hash: hash_password(password),
                created_at: now_ms(),
                is_bot: false,
                totp: None,
                presence: Presence::default(),
                settings: BTreeMap::new(),
                failed_logins: 0,
                locked_until: None,
            },
        );
        Ok(id)
    }

    /// Opens a session for `user_id`.
    pub(crate) fn open_session(
        &mut self,
        user_id: u64,
        ip: &str,
        user_agent: Option<String>,
    ) -> Session {
        let id = self.ids.next();
        let now = now_ms();
        let session = Session {
            id,
            user_id,
            secret: token_secret(),
            created_at: now,
            expires_at: now + SESSION_TTL_MS,
            last_activity: now,
            ip: ip.to_owned(),
            user_agent,
            is_revoked: false,
        };
        self.sessions.insert(id, session.clone());
        session
    }

    /// Whether the account is locked right now (clears an expired lock).
    pub(crate) fn is_locked(&mut self, user_id: u64) -> bool {
        let Some(user) = self.users.get_mut(&user_id) else {
            return false;
        };
        match user.locked_until {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                user.locked_until = None;
                user.failed_logins = 0;
                false
            }
            None => false,
        }
    }

    /// Locks an account now, tells its sockets, and keeps its sessions (they get 403).
    pub(crate) fn lock_account(&mut self, user_id: u64) {
        let duration = Duration::from_millis(self.config.lockout_ms);
        if let Some(user) = self.users.get_mut(&user_id) {
            user.locked_until = Some(Instant::now() + duration);
        }
        let alert = json!({
            "type": "account_locked",
            "message": "Your account was locked after too many failed sign-in attempts.",
            "created_at": now_ms(),
        });
        self.dispatch("SECURITY_ALERT", &alert, &[user_id]);
    }

    /// Checks a password login; counts failures toward the lockout.
    ///
    /// # Errors
    /// 401 `Invalid credentials`, 403 `Account locked`.
    pub(crate) fn login(
        &mut self,
        username: &str,
        password: &str,
        ip: &str,
        user_agent: Option<String>,
    ) -> Result<LoginOutcome, ApiError> {
        let user_id = self
            .users
            .values()
            .find(|u| u.username == username || u.email.eq_ignore_ascii_case(username))
            .map(|u| u.id)
            .ok_or_else(|| ApiError::new(401, "Invalid credentials"))?;
        if self.is_locked(user_id) {
            return Err(ApiError::new(403, "Account locked"));
        }
        let limit = self.config.lockout_attempts;
        let Some(user) = self.users.get_mut(&user_id) else {
            return Err(ApiError::new(401, "Invalid credentials"));
        };
        if user.password_hash != hash_password(password) {
            user.failed_logins += 1;
            if user.failed_logins >= limit {
                self.lock_account(user_id);
            }
            return Err(ApiError::new(401, "Invalid credentials"));
        }
        user.failed_logins = 0;
        // Intended flow (PROTOCOL.md §5). The reference server is broken here: it answers a TOTP
        // account with `status:"success"` and every field null, so no challenge is ever issued.
        // We implement the documented behaviour and hand out a real challenge token.
        if user.totp.as_ref().is_some_and(|t| t.is_confirmed) {
            let token = random_hex(24);
            let ttl = Duration::from_millis(self.config.challenge_ttl_ms);
            self.challenges.insert(
                token.clone(),
                Challenge {
                    user_id,
                    expires_at: Instant::now() + ttl,
                    is_used: false,
                },
            );
            return Ok(LoginOutcome::Challenge(token));
        }
        Ok(LoginOutcome::Session(
            self.open_session(user_id, ip, user_agent),
        ))
    }

    /// Completes a 2FA login with a TOTP code or an unused backup code (sent without dash).
    ///
    /// # Errors
    /// 401 `Invalid challenge`, `Expired token`, `Invalid 2FA code`.
    pub(crate) fn complete_2fa(
        &mut self,
        challenge_token: &str,
        code: &str,
        ip: &str,
        user_agent: Option<String>,
    ) -> Result<Session, ApiError> {
        let challenge = self
            .challenges
            .get(challenge_token)
            .filter(|c| !c.is_used)
            .cloned()
            .ok_or_else(|| ApiError::new(401, "Invalid challenge"))?;
        if Instant::now() >= challenge.expires_at {
            self.challenges.remove(challenge_token);
            return Err(ApiError::new(401, "Expired token"));
        }
        let user_id = challenge.user_id;
        if self.is_locked(user_id) {
            return Err(ApiError::new(403, "Account locked"));
        }
        let now_s = now_ms() / 1000;
        let Some(totp_state) = self.users.get_mut(&user_id).and_then(|u| u.totp.as_mut()) else {
            return Err(ApiError::new(401, "Invalid challenge"));
        };
        let is_totp = totp::verify(&totp_state.secret, code, now_s);
        let backup_pos = totp_state
            .backup_codes
            .iter()
            .position(|b| b.replace('-', "").eq_ignore_ascii_case(code));
        if !is_totp && backup_pos.is_none() {
            return Err(ApiError::new(401, "Invalid 2FA code"));
        }
        if let Some(pos) = backup_pos.filter(|_| !is_totp) {
            totp_state.backup_codes.remove(pos);
        }
        if let Some(c) = self.challenges.get_mut(challenge_token) {
            c.is_used = true;
        }
        Ok(self.open_session(user_id, ip, user_agent))
    }

    /// Starts TOTP enrolment: a new secret and ten backup codes, active after confirm.
    pub(crate) fn begin_totp(&mut self, user_id: u64) -> Option<Totp> {
        let mut raw = [0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
        let secret = totp::base32_encode(&raw);
        let backup_codes = (0..10)
            .map(|_| {
                let h = random_hex(4).to_uppercase();
                format!("{}-{}", &h[..4], &h[4..])
            })
            .collect();
        let state = Totp {
            secret,
            backup_codes,
            is_confirmed: false,
        };
        self.users.get_mut(&user_id)?.totp = Some(state.clone());
        Some(state)
    }

    /// Resolves a raw token to its live session.
    ///
    /// # Errors
    /// [`AuthFailure`] saying why the token is refused.
    pub(crate) fn verify_token(&mut self, token: &str) -> Result<(u64, u64), AuthFailure> {
        if !token_is_well_formed(token) {
            return Err(AuthFailure::Malformed);
        }
        let (sid, secret) = token.split_once('.').ok_or(AuthFailure::Malformed)?;
        let sid: u64 = sid.parse().map_err(|_| AuthFailure::Revoked)?;
        let now = now_ms();
        let session = self.sessions.get_mut(&sid).ok_or(AuthFailure::Revoked)?;
        if session.secret != secret || session.is_revoked || session.expires_at <= now {
            return Err(AuthFailure::Revoked);
        }
        session.last_activity = now;
        session.expires_at = now + SESSION_TTL_MS;
        let user_id = session.user_id;
        if self.is_locked(user_id) {
            return Err(AuthFailure::Suspended);
        }
        Ok((user_id, sid))
    }

    /// Revokes one session and logs its sockets out.
    pub(crate) fn revoke_session(&mut self, session_id: u64, reason: &str) {
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return;
        };
        s.is_revoked = true;
        let user_id = s.user_id;
        self.hub.logout_session(session_id, user_id, reason);
        if reason == "logout" {
            return;
        }
        // The user's other sessions learn about it and should re-check their own token.
        let alert = json!({"type": "session_revoked", "session_id": session_id.to_string(), "created_at": now_ms()});
        self.dispatch("SECURITY_ALERT", &alert, &[user_id]);
    }

    /// Revokes every session of a user (the `revoke_sessions` fault, `revoke-all`); returns
    /// how many it ended.
    pub(crate) fn revoke_all_sessions(
        &mut self,
        user_id: u64,
        except: Option<u64>,
        reason: &str,
    ) -> usize {
        let ids: Vec<u64> = self
            .sessions
            .values()
            .filter(|s| s.user_id == user_id && !s.is_revoked && Some(s.id) != except)
            .map(|s| s.id)
            .collect();
        for &id in &ids {
            self.revoke_session(id, reason);
        }
        ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_password_lists_reference_reasons() {
        let p = password_problems("password");
        assert_eq!(p.len(), 4);
        assert!(password_problems(crate::DEMO_PASSWORD).is_empty());
    }
}
