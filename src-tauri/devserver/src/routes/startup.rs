//! Unauthenticated discovery endpoints and version negotiation (startup.txt, version.txt).

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Auth, JsonBody};
use crate::http::version_outdated;
use crate::version::Version;
use axum::routing::{get, post};
use axum::Json;
use serde_json::{json, Value};

/// Routes below `/api/v1`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/version", get(version))
        .route("/version/negotiate", post(negotiate))
        .route("/capabilities", get(capabilities))
        .route("/status", get(status))
        .route("/health", get(health))
        .route("/ready", get(|| async { Json(json!({"status": "ready"})) }))
        .route("/auth/password-requirements", get(password_requirements))
        .route("/feedback/status", get(feedback_status))
}

/// Routes outside `/api/v1`.
pub(crate) fn root_routes() -> R {
    R::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
}

fn version_json(s: &str) -> Value {
    Version::parse(s).map_or(Value::Null, |v| v.to_json())
}

fn effective_min(st: &St) -> String {
    st.lock()
        .faults
        .min_version
        .clone()
        .unwrap_or_else(|| st.config.min_version.clone())
}

async fn version(st: St) -> Json<Value> {
    Json(json!({
        "version": version_json(&st.config.server_version),
        "min_supported_version": version_json(&effective_min(&st)),
        "api_version": "v1",
    }))
}

async fn negotiate(st: St, JsonBody(_, body): JsonBody) -> ApiResult {
    let raw = match body.get("client_version") {
        None => return Err(ApiError::invalid("client_version", "Field required")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(ApiError::invalid(
                "client_version",
                "Input should be a valid string",
            ))
        }
    };
    let invalid_format = |message: String| {
        let mut extra = serde_json::Map::new();
        extra.insert("client_version".into(), json!(raw));
        ApiError::with_fields(400, json!("INVALID_VERSION_FORMAT"), message, extra)
    };
    if raw.is_empty() {
        return Err(invalid_format("Version string cannot be empty".into()));
    }
    // The reference has no major 0: `a.0.1-1` is malformed to it, not outdated.
    let Some(client) = Version::parse(&raw).filter(|v| v.major() > 0) else {
        return Err(invalid_format(format!(
            "Invalid version format: '{raw}'. Expected format: [a|b|c|r].[major].[minor]-[build] (e.g., 'a.1.0-1')"
        )));
    };
    let min_s = effective_min(&st);
    let server_s = st.config.server_version.clone();
    if let Some(min) = Version::parse(&min_s) {
        if client < min {
            return Err(version_outdated(Some(client.as_str()), &min_s, &server_s));
        }
    }
    Ok(Json(json!({
        "compatible": true,
        "server_version": version_json(&server_s),
        "client_version": client.to_json(),
        "min_supported_version": version_json(&min_s),
        "update_required": false,
        "update_recommended": false,
        "message": "Client version is compatible.",
        "update_url": null,
    })))
}

async fn capabilities() -> Json<Value> {
    Json(json!({
        "avatars": {
            "default_colors": ["#e94560", "#4ade80", "#fbbf24", "#60a5fa", "#a78bfa", "#f472b6"],
            "max_size": 512,
            "max_file_size": 5_242_880,
            "allowed_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
        },
        "access_token_required": false,
    }))
}

async fn status(st: St) -> Json<Value> {
    Json(json!({
        "state": "running",
        "version": version_json(&st.config.server_version),
        "uptime_seconds": st.started.elapsed().as_secs(),
        "maintenance_message": null,
        "estimated_downtime_seconds": null,
        "restart_at": null,
    }))
}

async fn health(st: St) -> Json<Value> {
    Json(json!({
        "status": "healthy",
        "version": st.config.server_version,
        "events_metrics": null,
        "is_queue_recreate_pending": null,
        "cross_worker_listener": {"enabled": false},
    }))
}

async fn password_requirements() -> Json<Value> {
    Json(json!({
        "min_length": 12,
        "max_length": 128,
        "require_uppercase": true,
        "require_lowercase": true,
        "require_digit": true,
        "require_special": true,
        "age_gate_enabled": false,
        "age_verification_type": "boolean",
        "minimum_age": 13,
        "docs_enabled": true,
    }))
}

async fn feedback_status(_auth: Auth) -> Json<Value> {
    Json(json!({"enabled": false}))
}

/// A stub of the schema document (the reference serves 570 KB of OpenAPI here).
async fn openapi(st: St) -> Json<Value> {
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Plexichat devserver", "version": st.config.server_version},
        "paths": {},
    }))
}

async fn docs() -> axum::response::Html<&'static str> {
    axum::response::Html(
        "<!doctype html><title>Plexichat devserver</title><p>This is a local development server. \
         See /__devserver/fault for fault injection.</p>",
    )
}
