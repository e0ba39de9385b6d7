//! `/__devserver/fault`: the HTTP face of [`crate::Faults`]. Exists only in the devserver.

use super::{St, R};
use crate::faults::Faults;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::{json, Value};

/// The fault routes.
pub(crate) fn routes() -> R {
    R::new().route("/__devserver/fault", get(show).post(apply))
}

async fn show(st: St) -> Json<Value> {
    Json(
        Faults {
            state: st.0.clone(),
        }
        .active(),
    )
}

async fn apply(st: St, body: Bytes) -> Response {
    let faults = Faults {
        state: st.0.clone(),
    };
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("invalid JSON: {e}")),
    };
    match faults.apply(&parsed) {
        Ok(active) => Json(active).into_response(),
        Err(msg) => bad(&msg),
    }
}

fn bad(msg: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"code": 400, "message": msg}})),
    )
        .into_response()
}
