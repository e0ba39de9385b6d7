//! Sign-in and session flows: restore, register, login, 2FA, lockout, logout.

use super::{Challenge, Client, LoginOutcome, DEFAULT_CHALLENGE_TTL};
use crate::api::types::{PasswordRequirements, PasswordRule, SessionInfo};
use crate::clock::{ms_after, now_ms};
use crate::error::{ClientError, LOCKOUT_ESTIMATE};
use crate::model::User;
use crate::session::{normalize_two_factor_code, Secret, SessionStore};
use crate::ui_state::TimestampMs;
use crate::UiState;

impl Client {
    /// Ends the session locally after the server signed it out (gateway `SECURITY_LOGOUT`, a
    /// session revoked from another device): forgets the token and shows `login_required`
    /// with reason `signed_out_remotely`.
    pub async fn signed_out_remotely(&self, message: &str) {
        self.forget_session().await;
        self.inner.hub.set_base(UiState::LoginRequired {
            reason: crate::ui_state::LoginReason::SignedOutRemotely,
            message: message.to_owned(),
        });
    }

    /// Abandons a pending 2FA sign-in ("Back to sign in"): forgets the challenge and shows
    /// the login screen again.
    pub async fn cancel_two_factor(&self) {
        self.inner.session.lock().await.challenge = None;
        self.save_challenge(None).await;
        self.inner.hub.set_base(UiState::SignedOut);
    }

    /// Restores the last session from the store and verifies it with `/users/@me`.
    /// `Ok(None)` means nobody was signed in (`signed_out`).
    ///
    /// # Errors
    /// `login_required` when the saved token is no longer valid (it is then forgotten),
    /// `offline` when the server cannot be reached (the token is kept).
    pub async fn restore(&self) -> Result<Option<User>, ClientError> {
        let account = match self.inner.store.last_account(&self.inner.server_key).await {
            Ok(a) => a,
            Err(e) => {
                self.keyring_down(&e).await;
                self.inner
                    .memory
                    .last_account(&self.inner.server_key)
                    .await
                    .unwrap_or_default()
            }
        };
        let Some(account) = account else {
            self.inner.hub.set_base(UiState::SignedOut);
            return Ok(None);
        };
        let token = self.load_token(&account).await;
        let Some(token) = token else {
            self.inner.hub.set_base(UiState::SignedOut);
            return Ok(None);
        };
        self.inner.api.set_token(Some(token));
        self.inner.session.lock().await.account = Some(account);
        let user = self.whoami().await?;
        Ok(Some(user))
    }

    /// `GET /auth/password-requirements`, for the register form.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn password_requirements(&self) -> Result<PasswordRequirements, ClientError> {
        self.inner.api.password_requirements().await
    }

    /// Registers and signs in. The password is checked against the server's requirements
    /// first; the error names each broken rule.
    ///
    /// # Errors
    /// `invalid_input{field: "password"}` naming the broken rules, `conflict`, `rate_limited`
    /// (waited out), …
    pub async fn register(
        &self,
        username: &str,
        email: &str,
        password: &Secret,
    ) -> Result<User, ClientError> {
        let req = self.inner.api.password_requirements().await?;
        let broken = req.check(password.expose());
        if !broken.is_empty() {
            return Err(ClientError::rejected(
                UiState::InvalidInput {
                    field: Some("password".into()),
                    message: describe_rules(&broken, &req),
                },
                "password does not meet the requirements",
            ));
        }
        let resp = self.inner.api.register(username, email, password).await?;
        match resp.token {
            Some(token) if !token.is_empty() => {
                self.finish_sign_in(username, token, resp.user).await
            }
            _ => Err(sign_in_incomplete()),
        }
    }

    /// Signs in with a user name or e-mail.
    ///
    /// # Errors
    /// `invalid_credentials{attempts_left}`, `account_locked{until}` (15 min from the first
    /// lockout answer), `sign_in_incomplete` (200 without a token), `rate_limited`, …
    pub async fn login(&self, login: &str, password: &Secret) -> Result<LoginOutcome, ClientError> {
        let failed = self.inner.session.lock().await.failed_logins;
        let result = self.inner.api.login(login, password, failed + 1).await;
        let resp = match result {
            Ok(r) => r,
            Err(mut e) => {
                let mut s = self.inner.session.lock().await;
                match &mut e.state {
                    UiState::InvalidCredentials { .. } => s.failed_logins += 1,
                    UiState::AccountLocked { until, .. } => {
                        // The server sends no unlock time: keep the first estimate.
                        let now = now_ms();
                        let first = s.locked_until.filter(|t| *t > now).unwrap_or(*until);
                        s.locked_until = Some(first);
                        *until = first;
                    }
                    _ => {}
                }
                return Err(e);
            }
        };
        {
            let mut s = self.inner.session.lock().await;
            s.failed_logins = 0;
            s.locked_until = None;
        }
        if let Some(token) = resp.token.filter(|t| !t.is_empty()) {
            let account = resp
                .user
                .as_ref()
                .map_or(login, |u| u.username.as_str())
                .to_owned();
            let user = self.finish_sign_in(&account, token, resp.user).await?;
            return Ok(LoginOutcome::SignedIn { user });
        }
        match resp.challenge_token.filter(|c| !c.is_empty()) {
            Some(challenge) => {
                let ttl = resp
                    .expires_in
                    .and_then(crate::error::secs)
                    .unwrap_or(DEFAULT_CHALLENGE_TTL);
                let expires_at = ms_after(now_ms(), ttl);
                let methods = resp
                    .methods
                    .unwrap_or_else(|| vec!["totp".into(), "backup_code".into()]);
                let challenge = Challenge {
                    token: challenge,
                    expires_at,
                    account: login.to_owned(),
                };
                self.save_challenge(Some(&challenge)).await;
                self.inner.session.lock().await.challenge = Some(challenge);
                // A screen, not a transient: a countdown during the code step must come back
                // to the code form, not to the login form.
                self.inner.hub.set_base(UiState::TwoFactorRequired {
                    expires_at,
                    methods: methods.clone(),
                });
                Ok(LoginOutcome::TwoFactorRequired {
                    expires_at,
                    methods,
                })
            }
            // A 200 without token or challenge: observed on the reference server for TOTP
            // accounts (PROTOCOL.md §5).
            None => Err(sign_in_incomplete()),
        }
    }

    /// Completes a 2FA sign-in with a TOTP code or a backup code (with or without its dash).
    ///
    /// # Errors
    /// `two_factor_invalid` (try again), `two_factor_expired` (back to the password step), …
    pub async fn submit_two_factor(&self, code: &Secret) -> Result<User, ClientError> {
        if self.inner.session.lock().await.challenge.is_none() {
            // A challenge from another process (`plexi login` then `plexi 2fa`).
            let loaded = self.load_challenge().await;
            self.inner.session.lock().await.challenge = loaded;
        }
        let (challenge, account) = {
            let mut s = self.inner.session.lock().await;
            match s.challenge.as_ref() {
                Some(c) if c.expires_at > now_ms() => (c.token.clone(), c.account.clone()),
                Some(_) => {
                    s.challenge = None;
                    drop(s);
                    self.save_challenge(None).await;
                    self.inner.hub.set_base(UiState::SignedOut);
                    return Err(ClientError::rejected(
                        UiState::TwoFactorExpired,
                        "challenge expired",
                    ));
                }
                None => {
                    return Err(ClientError::rejected(
                        UiState::TwoFactorExpired,
                        "no challenge",
                    ));
                }
            }
        };
        let code = Secret::new(normalize_two_factor_code(code.expose()));
        match self.inner.api.two_factor(&challenge, &code).await {
            Ok(resp) => {
                self.inner.session.lock().await.challenge = None;
                self.save_challenge(None).await;
                match resp.token.filter(|t| !t.is_empty()) {
                    Some(token) => {
                        let account = resp.user.as_ref().map_or(account, |u| u.username.clone());
                        self.finish_sign_in(&account, token, resp.user).await
                    }
                    None => Err(sign_in_incomplete()),
                }
            }
            Err(e) => {
                if matches!(e.state, UiState::TwoFactorExpired) {
                    self.inner.session.lock().await.challenge = None;
                    self.save_challenge(None).await;
                    self.inner.hub.set_base(UiState::SignedOut);
                }
                Err(e)
            }
        }
    }

    /// Checks a candidate password against `req` (for live form feedback).
    #[must_use]
    pub fn check_password(req: &PasswordRequirements, password: &str) -> Vec<PasswordRule> {
        req.check(password)
    }

    /// Signs out on the server (best effort) and forgets the session locally.
    ///
    /// # Errors
    /// Only a store failure other than a missing keyring.
    pub async fn logout(&self) -> Result<(), ClientError> {
        if self.inner.api.token().is_some() {
            if let Err(e) = self.inner.api.logout().await {
                tracing::info!(error = %e, "server-side logout failed; signing out locally");
            }
        }
        self.forget_session().await;
        self.inner.hub.set_base(UiState::SignedOut);
        Ok(())
    }

    /// The signed-in user, verified with the server; publishes `ready`.
    ///
    /// # Errors
    /// `login_required` when the session is gone, `account_locked{suspended}`, `offline`, …
    pub async fn whoami(&self) -> Result<User, ClientError> {
        let user = self.authed(self.inner.api.me()).await?;
        self.inner.session.lock().await.user = Some(user.clone());
        self.inner
            .hub
            .set_base(UiState::Ready { user: user.clone() });
        Ok(user)
    }

    /// The account's sessions.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        self.authed(self.inner.api.sessions()).await
    }

    /// Revokes another session of the account.
    ///
    /// # Errors
    /// `not_found{session}`, …
    pub async fn revoke_session(&self, id: &str) -> Result<(), ClientError> {
        self.authed(self.inner.api.revoke_session(id))
            .await
            .map(drop)
    }

    pub(super) async fn finish_sign_in(
        &self,
        account: &str,
        token: Secret,
        user: Option<User>,
    ) -> Result<User, ClientError> {
        self.inner.api.set_token(Some(token.clone()));
        self.save_token(account, &token).await;
        {
            let mut s = self.inner.session.lock().await;
            s.account = Some(account.to_owned());
            s.failed_logins = 0;
            s.locked_until = None;
        }
        match user {
            Some(user) => {
                self.inner.session.lock().await.user = Some(user.clone());
                self.inner
                    .hub
                    .set_base(UiState::Ready { user: user.clone() });
                Ok(user)
            }
            None => self.whoami().await,
        }
    }

    /// The lockout estimate from the first `Account locked` answer, if still running.
    pub async fn locked_until(&self) -> Option<TimestampMs> {
        let s = self.inner.session.lock().await;
        s.locked_until.filter(|t| *t > now_ms())
    }

    /// When a lockout that starts now would end (for a notice before any answer).
    #[must_use]
    pub fn lockout_estimate_from_now() -> TimestampMs {
        ms_after(now_ms(), LOCKOUT_ESTIMATE)
    }
}

fn sign_in_incomplete() -> ClientError {
    ClientError::rejected(
        UiState::SignInIncomplete {
            message: "The server accepted the sign-in but sent no session. If this account \
                      uses two-factor authentication, the server cannot complete it right now; \
                      try again later."
                .into(),
        },
        "login answered without a token",
    )
}

fn describe_rules(broken: &[PasswordRule], req: &PasswordRequirements) -> String {
    broken
        .iter()
        .map(|r| r.describe(req))
        .collect::<Vec<_>>()
        .join("; ")
}
