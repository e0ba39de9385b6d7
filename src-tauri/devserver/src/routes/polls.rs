//! Polls (messaging.txt "polls"): read, results, vote, close. Votes and closes dispatch no
//! gateway event on the reference (gateway-events.txt), so clients poll for results.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Auth, JsonBody};
use crate::ids::parse_id;
use axum::extract::Path;
use axum::routing::{get, post};
use axum::Json;
use serde_json::Value;

/// Routes below `/api/v1/polls`.
pub(crate) fn routes() -> R {
    R::new()
        .route("/polls/{poll_id}", get(read))
        .route("/polls/{poll_id}/results", get(results))
        .route("/polls/{poll_id}/vote", post(vote))
        .route("/polls/{poll_id}/close", post(close))
}

/// A poll id; anything that is not one is a poll that does not exist.
fn poll_id(raw: &str) -> Result<u64, ApiError> {
    parse_id(raw).ok_or_else(|| ApiError::not_found("Poll"))
}

async fn read(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let world = st.lock();
    Ok(Json(
        world.visible_poll(poll_id(&id)?, auth.user_id)?.to_json(),
    ))
}

async fn results(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let world = st.lock();
    let poll = world.visible_poll(poll_id(&id)?, auth.user_id)?;
    Ok(Json(poll.results_json(Some(auth.user_id))))
}

async fn vote(
    st: St,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(_, body): JsonBody,
) -> ApiResult {
    let id = poll_id(&id)?;
    let options = match body.get("option_ids") {
        None => return Err(ApiError::invalid("option_ids", "Field required")),
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(ApiError::invalid(
                "option_ids",
                "List should have at least 1 item after validation, not 0",
            ))
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => parse_id(s),
                Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>()
            // An id that is no number cannot be one of the poll's options.
            .unwrap_or_else(|| vec![0]),
        Some(_) => {
            return Err(ApiError::invalid(
                "option_ids",
                "Input should be a valid list",
            ))
        }
    };
    let mut world = st.lock();
    let poll = world.vote_poll(id, auth.user_id, &options)?;
    Ok(Json(poll.results_json(Some(auth.user_id))))
}

async fn close(st: St, auth: Auth, Path(id): Path<String>) -> ApiResult {
    let mut world = st.lock();
    let poll = world.close_poll(poll_id(&id)?, auth.user_id)?;
    Ok(Json(poll.to_json()))
}
