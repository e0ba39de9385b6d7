//! The REST request engine and typed routes.
//!
//! Flow of one call ([`Api::send`]):
//! 1. refuse at once if a 426 was seen (the whole client is on `update_required`);
//! 2. [`RateLimiter::acquire`] for the route, publishing `rate_limited{retry_at}` while it waits;
//! 3. send with the Bearer token and, when the server's capabilities ask, `X-API-Access-Token`;
//! 4. feed the `X-RateLimit-*` headers back; on success decode the body;
//! 5. on failure build an [`ApiError`], [`ApiError::classify`] it, and let [`retry::decide`]
//!    choose: a 429 blocks the route (or everything) and goes round again, so the request
//!    completes by itself after the countdown; 5xx/network errors of idempotent requests are
//!    retried with full-jitter backoff while `server_error{attempt, next_retry_at}` shows;
//!    anything else returns a [`ClientError`] carrying its state.
//!
//! The engine never logs bodies, tokens or headers.

mod routes;
pub mod types;

pub use routes::search::{SearchPage, ServerSearch};
pub use routes::unread::{AckAnswer, LastRead, UnreadCounts};

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use futures_util::StreamExt as _;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::clock::{ms_after, now_ms};
use crate::error::{Action, ApiError, ClassifyContext, ClientError, RetryKind};
use crate::hub::StateHub;
use crate::ratelimit::{route_key, RateLimiter};
use crate::retry::{self, Backoff, Decision};
use crate::session::Secret;
use crate::UiState;

/// The production server.
pub const DEFAULT_BASE_URL: &str = "https://api.plexichat.com";

/// Engine settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Server root, e.g. `https://api.plexichat.com` (`/api/v1` is appended unless present).
    pub base_url: String,
    /// Version string sent to `/version/negotiate`.
    pub client_version: String,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retry policy for transient failures.
    pub backoff: Backoff,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            client_version: crate::version::CLIENT_VERSION.to_owned(),
            timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON.
    Json(Value),
    /// One file as multipart field `file` (rebuilt for every attempt).
    File {
        /// File name sent to the server.
        filename: String,
        /// MIME type.
        mime: String,
        /// Contents.
        bytes: bytes::Bytes,
        /// Told how many bytes have gone out, as they go.
        progress: Option<UploadProgress>,
    },
}

/// A callback told `(sent, total)` bytes while a file body streams out: the bytes handed to
/// the connection, which is what a progress bar can honestly show.
#[derive(Clone)]
pub struct UploadProgress(pub std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for UploadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UploadProgress")
    }
}

/// Piece size of a streamed upload: small enough for a smooth bar, large enough to be cheap.
const UPLOAD_PIECE: usize = 64 * 1024;

/// `bytes` as a stream of pieces that reports each piece as it is taken.
fn progress_body(bytes: bytes::Bytes, progress: UploadProgress) -> reqwest::Body {
    let total = bytes.len() as u64;
    let pieces: Vec<bytes::Bytes> = (0..bytes.len())
        .step_by(UPLOAD_PIECE)
        .map(|start| bytes.slice(start..(start + UPLOAD_PIECE).min(bytes.len())))
        .collect();
    let mut sent = 0u64;
    let stream = futures_util::stream::iter(pieces).map(move |piece| {
        sent += piece.len() as u64;
        (progress.0)(sent, total);
        Ok::<_, std::io::Error>(piece)
    });
    reqwest::Body::wrap_stream(stream)
}

/// One REST request.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Body>,
    action: Action,
    is_idempotent: bool,
    is_once: bool,
    failed_logins: u32,
}

impl Request {
    /// A request for `path` (below `/api/v1`, with its leading slash).
    #[must_use]
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let is_idempotent = retry::is_idempotent(&method);
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            action: Action::Other,
            is_idempotent,
            is_once: false,
            failed_logins: 0,
        }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Sets a JSON body.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// Sets a file body.
    #[must_use]
    pub fn file(mut self, filename: String, mime: String, bytes: bytes::Bytes) -> Self {
        self.body = Some(Body::File {
            filename,
            mime,
            bytes,
            progress: None,
        });
        self
    }

    /// Reports the file body's progress to `progress` (no effect without a file body).
    #[must_use]
    pub fn progress(mut self, progress: Option<UploadProgress>) -> Self {
        if let Some(Body::File { progress: p, .. }) = &mut self.body {
            *p = progress;
        }
        self
    }

    /// Says what the request does, for classification.
    #[must_use]
    pub fn action(mut self, action: Action) -> Self {
        self.action = action;
        self
    }

    /// Marks a POST as harmless to repeat (typing, ack).
    #[must_use]
    pub fn idempotent(mut self) -> Self {
        self.is_idempotent = true;
        self
    }

    /// Tries once: a server error or a lost connection is returned at once, without the
    /// `server_error` / `offline` wait. For optional answers the user already has a stand-in
    /// for (search results from this device while the server's search is broken).
    #[must_use]
    pub fn once(mut self) -> Self {
        self.is_once = true;
        self
    }

    /// Failed logins so far, including this attempt if it fails (for the lockout warning).
    #[must_use]
    pub fn failed_logins(mut self, n: u32) -> Self {
        self.failed_logins = n;
        self
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: String,
    config: ApiConfig,
    token: RwLock<Option<Secret>>,
    access_token: RwLock<Option<Secret>>,
    is_access_token_required: std::sync::atomic::AtomicBool,
    limiter: RateLimiter,
    hub: StateHub,
}

/// The REST engine: one per server; cheap to clone.
#[derive(Debug, Clone)]
pub struct Api {
    inner: Arc<Inner>,
}

impl Api {
    /// An engine for `config.base_url` that publishes transient states to `hub`.
    ///
    /// # Errors
    /// A `BugReport` state when the HTTP client cannot be built (TLS backend missing).
    pub fn new(config: ApiConfig, hub: StateHub) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(format!("plexichat-desktop/{}", config.client_version))
            // Never follow redirects: an unknown path answers 405 and a redirect is a bug.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                let err = ApiError::from_reqwest(&e);
                ClientError {
                    state: UiState::BugReport {
                        message: format!("HTTP client: {err}"),
                    },
                    retry: RetryKind::Permanent,
                    source: err.into(),
                }
            })?;
        let root = config.base_url.trim_end_matches('/');
        let base = if root.ends_with("/api/v1") {
            root.to_owned()
        } else {
            format!("{root}/api/v1")
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                config,
                token: RwLock::new(None),
                access_token: RwLock::new(None),
                is_access_token_required: std::sync::atomic::AtomicBool::new(false),
                limiter: RateLimiter::new(),
                hub,
            }),
        })
    }

    /// The `…/api/v1` root every path is appended to.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.inner.base
    }

    /// The engine's settings.
    #[must_use]
    pub fn config(&self) -> &ApiConfig {
        &self.inner.config
    }

    /// Sets or clears the Bearer token.
    pub fn set_token(&self, token: Option<Secret>) {
        *self
            .inner
            .token
            .write()
            .unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// The Bearer token, for the gateway's IDENTIFY.
    #[must_use]
    pub fn token(&self) -> Option<Secret> {
        self.inner
            .token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets or clears the `X-API-Access-Token` sent when the server's capabilities ask.
    pub fn set_access_token(&self, token: Option<Secret>) {
        *self
            .inner
            .access_token
            .write()
            .unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// Records whether the server's capabilities ask for `X-API-Access-Token`; the header is
    /// sent only then, so the access token is not handed to servers that do not want it.
    pub fn set_access_token_required(&self, is_required: bool) {
        self.inner
            .is_access_token_required
            .store(is_required, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether an `X-API-Access-Token` is configured.
    #[must_use]
    pub fn has_access_token(&self) -> bool {
        self.inner
            .access_token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Sends `req` and decodes the JSON answer as `T`.
    ///
    /// # Errors
    /// A [`ClientError`] carrying the classified state once retries are exhausted or not
    /// allowed.
    pub async fn call<T: DeserializeOwned>(&self, req: Request) -> Result<T, ClientError> {
        let action = req.action;
        let bytes = self.send(req).await?;
        // Some success answers have an empty body; treat it as JSON null.
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        serde_json::from_slice(body).map_err(|e| {
            let err = ApiError::Decode(e.to_string());
            let (state, retry) = err.classify(&ClassifyContext::new(action, now_ms()));
            ClientError {
                state,
                retry,
                source: err.into(),
            }
        })
    }

    /// Sends `req` with rate limiting and retries; returns the raw success body.
    ///
    /// # Errors
    /// See [`Api::call`].
    pub async fn send(&self, req: Request) -> Result<bytes::Bytes, ClientError> {
        let inner = &self.inner;
        let route = route_key(req.method.as_str(), &req.path);
        let mut attempt = 1u32;
        loop {
            if req.action != Action::Negotiate && inner.hub.is_update_required() {
                let err =
                    ApiError::NotSent("this version of the app is no longer supported".into());
                return Err(ClientError {
                    state: inner.hub.base(),
                    retry: RetryKind::UpdateRequired,
                    source: err.into(),
                });
            }
            let hub = inner.hub.clone();
            let mut countdown: Option<crate::hub::WaitGuard> = None;
            let acquired = inner
                .limiter
                .acquire(&route, retry::MAX_AUTO_WAIT, |w| {
                    let state = UiState::RateLimited {
                        retry_at: ms_after(now_ms(), w.duration),
                        scope: w.scope.clone(),
                        global: w.is_global,
                    };
                    match &countdown {
                        Some(g) => g.update(state),
                        None => countdown = Some(hub.begin_wait(state)),
                    }
                })
                .await;
            drop(countdown);
            let permit = match acquired {
                Ok(permit) => permit,
                Err(wait) => {
                    // An hourly window: report the real wait instead of sleeping through it.
                    let err = ApiError::NotSent(format!(
                        "rate limited for another {} s",
                        wait.duration.as_secs()
                    ));
                    return Err(ClientError {
                        state: UiState::RateLimited {
                            retry_at: ms_after(now_ms(), wait.duration),
                            scope: wait.scope,
                            global: wait.is_global,
                        },
                        retry: RetryKind::At {
                            after: wait.duration,
                            is_global: wait.is_global,
                        },
                        source: err.into(),
                    });
                }
            };
            let err = match self.build(&req).send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    permit.complete(status, &headers);
                    match resp.bytes().await {
                        Ok(body) if (200..300).contains(&status) => return Ok(body),
                        Ok(body) => ApiError::from_response(status, &headers, &body),
                        Err(e) => ApiError::from_reqwest(&e),
                    }
                }
                Err(e) => {
                    drop(permit);
                    ApiError::from_reqwest(&e)
                }
            };
            let mut ctx = ClassifyContext::new(req.action, now_ms());
            ctx.attempt = attempt;
            ctx.failed_logins = req.failed_logins;
            ctx.client_version.clone_from(&inner.config.client_version);
            let (state, kind) = err.classify(&ctx);
            tracing::debug!(route = %route, attempt, error = %err, "request failed");
            match kind {
                RetryKind::At { after, is_global } => {
                    let scope = match &state {
                        UiState::RateLimited { scope, .. } => scope.clone(),
                        _ => None,
                    };
                    inner.limiter.block(&route, after, is_global, scope);
                }
                RetryKind::UpdateRequired => inner.hub.set_base(state.clone()),
                _ => {}
            }
            let decision = if req.is_once && kind == RetryKind::Backoff {
                Decision::Stop
            } else {
                retry::decide(
                    &err,
                    kind,
                    req.is_idempotent,
                    attempt,
                    &inner.config.backoff,
                    &mut rand::rng(),
                )
            };
            match (decision, kind) {
                (Decision::Stop, _) => {
                    return Err(ClientError {
                        state,
                        retry: kind,
                        source: err.into(),
                    });
                }
                // The limiter waits and shows the countdown on the next round.
                (Decision::RetryAfter(_), RetryKind::At { .. }) => {}
                (Decision::RetryAfter(delay), _) => {
                    ctx.next_retry_at = Some(ms_after(ctx.now_ms, delay));
                    let retrying = inner.hub.begin_wait(err.classify(&ctx).0);
                    tokio::time::sleep(delay).await;
                    drop(retrying);
                }
            }
            attempt += 1;
        }
    }

    fn build(&self, req: &Request) -> reqwest::RequestBuilder {
        let inner = &self.inner;
        let url = format!("{}{}", inner.base, req.path);
        let mut rb = inner.http.request(req.method.clone(), url);
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        if let Some(token) = inner
            .token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            rb = rb.bearer_auth(token.expose());
        }
        let is_required = inner
            .is_access_token_required
            .load(std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = inner
            .access_token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|_| is_required)
        {
            rb = rb.header("X-API-Access-Token", t.expose());
        }
        match &req.body {
            Some(Body::Json(v)) => rb.json(v),
            Some(Body::File {
                filename,
                mime,
                bytes,
                progress,
            }) => {
                let body = || match progress {
                    Some(p) => reqwest::multipart::Part::stream_with_length(
                        progress_body(bytes.clone(), p.clone()),
                        bytes.len() as u64,
                    ),
                    None => reqwest::multipart::Part::stream(bytes.clone()),
                };
                let part = body()
                    .file_name(filename.clone())
                    .mime_str(mime)
                    .unwrap_or_else(|_| body().file_name(filename.clone()));
                rb.multipart(reqwest::multipart::Form::new().part("file", part))
            }
            None => rb,
        }
    }
}
