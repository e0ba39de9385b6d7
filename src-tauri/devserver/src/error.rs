//! Error responses in the reference server's envelope (PROTOCOL.md §1):
//! `{"error":{"code":<status>,"message":...}}`, with optional extra fields beside `code`.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// A complete error answer: status, body and extra headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(HeaderName, String)>,
}

/// Handlers return this.
pub(crate) type ApiResult<T = Json<Value>> = Result<T, ApiError>;

impl ApiError {
    /// The standard envelope with the status as the integer `code`.
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Self::with_fields(status, json!(status), message, Map::new())
    }

    /// An envelope with a custom `code` and extra fields beside `code`/`message`.
    pub(crate) fn with_fields(
        status: u16,
        code: Value,
        message: impl Into<String>,
        extra: Map<String, Value>,
    ) -> Self {
        let mut inner = Map::new();
        inner.insert("code".into(), code);
        inner.insert("message".into(), Value::String(message.into()));
        inner.extend(extra);
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: json!({ "error": inner }),
            headers: Vec::new(),
        }
    }

    /// The main limiter's 429, which has **no** envelope (PROTOCOL.md §3).
    pub(crate) fn rate_limited(retry_after_s: f64, global: bool, scope: &str) -> Self {
        let retry_after_s = retry_after_s.max(0.001);
        let mut err = Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: json!({
                "message": "You are being rate limited.",
                "retry_after": retry_after_s,
                "global": global,
                "scope": scope,
            }),
            headers: Vec::new(),
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = (retry_after_s.ceil() as u64).max(1);
        err.headers
            .push((HeaderName::from_static("retry-after"), whole.to_string()));
        err
    }

    /// 400 `Invalid <field>: <pydantic-style reason>`.
    pub(crate) fn invalid(field: &str, reason: &str) -> Self {
        Self::new(400, format!("Invalid {field}: {reason}"))
    }

    /// 500 `Internal server error`, which the reference uses for many ordinary mistakes.
    pub(crate) fn internal() -> Self {
        Self::new(500, "Internal server error")
    }

    /// 404 `<what> not found`.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(404, format!("{what} not found"))
    }

    /// The body the reference sends for a bare status, used by the `http_status` fault.
    pub(crate) fn for_status(status: u16) -> Self {
        match status {
            429 => Self::rate_limited(1.0, false, "route"),
            _ => Self::new(status, default_message(status)),
        }
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "Invalid input",
        401 => "Authentication required",
        403 => "Access denied",
        404 => "Not found",
        405 => "Method Not Allowed",
        409 => "Already exists",
        413 => "Request body too large",
        502 => "Bad Gateway",
        503 => "Module not available",
        504 => "Gateway Timeout",
        _ => "Internal server error",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_has_no_envelope_and_ceiled_header() {
        let e = ApiError::rate_limited(0.3, false, "resource");
        assert!(e.body.get("error").is_none());
        assert_eq!(e.body["scope"], "resource");
        assert_eq!(e.headers[0].1, "1");
        assert_eq!(
            ApiError::rate_limited(59.34, false, "route").headers[0].1,
            "60"
        );
    }

    #[test]
    fn envelope_carries_status_code() {
        let e = ApiError::new(404, "User not found");
        assert_eq!(
            e.body,
            json!({"error":{"code":404,"message":"User not found"}})
        );
    }
}
