//! The HTTP side: the router and the layer every REST call passes through.
//!
//! Order inside [`rest_layer`] (mirrors the reference, where limits come before auth):
//! fault delay → 413 for bodies over 10 MiB → injected status/429 faults → `min_version` fault
//! → rate limiter → handler; the `X-RateLimit-*` headers are added to every answer, errors
//! included. Any non-JSON 4xx produced by axum itself is rewritten into the envelope, and an
//! unmatched path answers 405 like the reference's catch-all OPTIONS route makes it do.

pub(crate) mod extract;
pub(crate) mod ratelimit;

use crate::error::ApiError;
use crate::faults::take_rest_fault;
use crate::ids::now_ms;
use crate::routes;
use crate::state::AppState;
use crate::version::Version;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::FutureExt;
use serde_json::json;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// `Access-Control-Expose-Headers` as the reference sends it.
pub(crate) const EXPOSE_HEADERS: &str = "Content-Range, Accept-Ranges, Content-Length, ETag";

/// Set on a 500 that came from a caught handler panic (a devserver bug).
pub(crate) const PANIC_HEADER: &str = "x-devserver-panic";

/// Largest accepted request body (PROTOCOL.md §1).
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

/// The whole application.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .merge(routes::startup::routes())
        .merge(routes::auth::routes())
        .merge(routes::users::routes())
        .merge(routes::servers::routes())
        .merge(routes::channels::routes())
        .merge(routes::messages::routes())
        .merge(routes::unread::routes())
        .merge(routes::attachments::routes())
        .merge(routes::avatars::routes())
        .merge(routes::relationships::routes())
        .merge(routes::search::routes())
        .merge(routes::polls::routes())
        .merge(routes::rich::routes())
        .merge(routes::bookmarks::routes())
        .merge(routes::account::routes());
    Router::new()
        .nest("/api/v1", api)
        .merge(routes::startup::root_routes())
        .merge(routes::devtools::routes())
        .route("/gateway", axum::routing::get(crate::gateway::upgrade))
        .fallback(method_not_allowed)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), rest_layer))
        .with_state(state)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(405, "Method Not Allowed")
}

fn is_rest(path: &str) -> bool {
    path != "/gateway" && !path.starts_with("/__devserver")
}

async fn rest_layer(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !is_rest(&path) {
        return next.run(req).await;
    }
    if req.method() == axum::http::Method::OPTIONS {
        return cors_preflight();
    }
    let api_path = path.strip_prefix("/api/v1").unwrap_or(&path).to_owned();
    let delay = {
        let mut world = state.lock();
        let key = format!("{} {}", req.method(), ratelimit::path_shape(&api_path));
        *world.request_counts.entry(key).or_default() += 1;
        world.faults.delay_ms
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let declared_len = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_len.is_some_and(|l| l > MAX_BODY as u64) {
        drain(req.into_body()).await;
        return ApiError::new(413, "Request body too large").into_response();
    }
    // A body without a declared length (chunked, e.g. a streamed multipart upload) is read
    // here, so one over the limit is answered 413 after it was read, like the reference,
    // rather than cut off mid-upload with the connection reset.
    let req = if declared_len.is_none() {
        let (parts, body) = req.into_parts();
        match read_capped(body).await {
            Some(bytes) => Request::from_parts(parts, axum::body::Body::from(bytes)),
            None => return ApiError::new(413, "Request body too large").into_response(),
        }
    } else {
        req
    };
    let route = format!("{} {}", req.method(), req.uri().path());
    if let Some(err) = take_rest_fault(&state, &route) {
        return err.into_response();
    }
    if let Some(err) = min_version_fault(&state, &req) {
        return err.into_response();
    }
    let has_origin = req.headers().contains_key("origin");
    let ip = extract::client_ip(req.extensions());
    let decision = {
        let mut guard = state.lock();
        let world = &mut *guard;
        world
            .limiter
            .check(&world.config, &ip, req.method(), &api_path, now_ms())
    };
    let mut resp = match decision.rejection {
        Some(err) => err.into_response(),
        None => match AssertUnwindSafe(next.run(req)).catch_unwind().await {
            Ok(resp) => normalize(resp).await,
            Err(_) => panicked(),
        },
    };
    if has_origin {
        let h = resp.headers_mut();
        h.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    for (name, value) in decision.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    }
    resp
}

/// The most of a refused body [`drain`] reads before it answers anyway.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Reads and discards a body refused for its size, so the client gets the 413 rather than a
/// connection reset mid-upload (the reference reads the body before it answers). Bounded, so
/// a client that never stops sending cannot hold the task.
async fn drain(body: axum::body::Body) {
    use futures_util::StreamExt;
    let mut body = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = body.next().await {
        seen += chunk.len();
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

/// The whole body when it fits in [`MAX_BODY`]; `None` (after draining the rest) when not.
/// A body the client broke off is passed on as far as it came.
async fn read_capped(body: axum::body::Body) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        if buf.len() + chunk.len() > MAX_BODY {
            let mut seen = buf.len() + chunk.len();
            while let Some(Ok(more)) = stream.next().await {
                seen += more.len();
                if seen > DRAIN_LIMIT {
                    break;
                }
            }
            return None;
        }
        buf.extend_from_slice(&chunk);
    }
    Some(buf)
}

/// The reference refuses every CORS preflight from a browser origin (errors.txt): the app talks
/// to the server from Rust, never from the webview.
fn cors_preflight() -> Response {
    let mut resp = (StatusCode::BAD_REQUEST, "Disallowed CORS origin").into_response();
    let h = resp.headers_mut();
    h.insert("vary", HeaderValue::from_static("Origin"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    h.insert("access-control-allow-headers", HeaderValue::from_static("Accept, Accept-Language, Authorization, Content-Language, Content-Type, Origin, X-API-Access-Token, X-Plexichat-Request, X-RateLimit-Bypass, X-Requested-With"));
    h.insert(
        "access-control-allow-credentials",
        HeaderValue::from_static("true"),
    );
    resp
}

/// A handler bug answers like the reference does (500), marked so property tests notice.
fn panicked() -> Response {
    let mut resp = ApiError::internal().into_response();
    resp.headers_mut()
        .insert(PANIC_HEADER, HeaderValue::from_static("1"));
    resp
}

/// Rewrites axum's own plain-text 4xx answers into the envelope.
async fn normalize(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !status.is_client_error() {
        return resp;
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(413, "Request body too large").into_response()
        }
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::new(405, "Method Not Allowed").into_response()
        }
        _ => ApiError::new(400, "Invalid request").into_response(),
    }
}

/// With a `min_version` fault active, every REST call but the version endpoints answers 426
/// unless it carries an `X-Client-Version` that is new enough.
fn min_version_fault(state: &AppState, req: &Request) -> Option<ApiError> {
    let min = state.lock().faults.min_version.clone()?;
    let path = req.uri().path();
    if path == "/api/v1/version/negotiate" || path == "/api/v1/version" {
        return None;
    }
    let client = req
        .headers()
        .get("x-client-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let min_v = Version::parse(&min)?;
    if client
        .as_deref()
        .and_then(Version::parse)
        .is_some_and(|c| c >= min_v)
    {
        return None;
    }
    Some(version_outdated(
        client.as_deref(),
        &min,
        &state.config.server_version,
    ))
}

/// 426 `VERSION_OUTDATED` with all four extra fields.
pub(crate) fn version_outdated(client: Option<&str>, min: &str, server: &str) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert("client_version".into(), json!(client));
    extra.insert("min_version".into(), json!(min));
    extra.insert("server_version".into(), json!(server));
    extra.insert("update_url".into(), json!(null));
    ApiError::with_fields(
        426,
        json!("VERSION_OUTDATED"),
        format!(
            "Client version {} is no longer supported. Please update to at least {min}.",
            client.unwrap_or("unknown")
        ),
        extra,
    )
}
