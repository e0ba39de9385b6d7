//! Request parsing with the reference's error messages instead of axum's rejections.

use crate::error::ApiError;
use crate::ids::parse_id;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;

/// A verified bearer token: who is calling and with which session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Auth {
    pub(crate) user_id: u64,
    pub(crate) session_id: u64,
}

impl FromRequestParts<Arc<AppState>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let values: Vec<_> = parts.headers.get_all(AUTHORIZATION).iter().collect();
        if values.len() > 1 {
            return Err(ApiError::new(401, "Multiple Authorization headers"));
        }
        // Only the exact, case-sensitive `Bearer ` scheme counts (auth.txt: `bearer`, `Token`
        // and a bare token all answer `Authentication required`).
        let token = values
            .first()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::new(401, "Authentication required"))?;
        let mut world = state.lock();
        if crate::faults::take_token_check_limit(&mut world) {
            return Err(ApiError::new(401, "Token verification rate limit exceeded"));
        }
        let (user_id, session_id) = world.verify_token(token).map_err(|f| f.to_error())?;
        Ok(Self {
            user_id,
            session_id,
        })
    }
}

/// Caller's IP and user agent, for sessions and rate limits.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) ip: String,
    pub(crate) user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(Self {
            ip: client_ip(&parts.extensions),
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

/// The peer address as text ("unknown" in in-process tests without connect info).
pub(crate) fn client_ip(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// A JSON object request body, read after the path ids `P` (none by default).
///
/// Failures come in the order the handlers always checked them: a path axum cannot decode,
/// then a body that cannot be read (413 past the limit), then the ids (`Invalid channel ID`),
/// then the body itself: non-JSON content type -> `Invalid request`, bad JSON ->
/// `Invalid <pos>: JSON decode error`. An empty body is an empty object. The ids are read here
/// rather than by their own extractor so that a body too large to read still wins over them.
///
/// In a handler: `JsonBody(ChannelId(id), body): JsonBody<ChannelId>`, or
/// `JsonBody(_, body): JsonBody` on a route without ids.
#[derive(Debug)]
pub(crate) struct JsonBody<P = ()>(pub(crate) P, pub(crate) Map<String, Value>);

impl<S: Send + Sync, P: PathIds> FromRequest<S> for JsonBody<P> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let params = if P::IN_PATH {
            Some(path_params(&mut parts, state).await?)
        } else {
            None
        };
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let ids = P::parse(params.as_ref()).map_err(IntoResponse::into_response)?;
        let body = json_body(&headers, &bytes).map_err(IntoResponse::into_response)?;
        Ok(Self(ids, body))
    }
}

/// Ids read from named path segments, each refused with the reference's own wording.
pub(crate) trait PathIds: Sized {
    /// Whether there is anything to read from the path (`()` reads nothing).
    const IN_PATH: bool = true;

    /// Parses the ids out of the route's segments (`None` when `IN_PATH` is false).
    ///
    /// # Errors
    /// 400 with the id's message; 500 when the route lacks the segment (a devserver bug).
    fn parse(params: Option<&RawPathParams>) -> Result<Self, ApiError>;
}

impl PathIds for () {
    const IN_PATH: bool = false;

    fn parse(_: Option<&RawPathParams>) -> Result<Self, ApiError> {
        Ok(())
    }
}

/// Parsed left to right, so the first bad id is the one reported.
impl<A: PathIds, B: PathIds> PathIds for (A, B) {
    fn parse(params: Option<&RawPathParams>) -> Result<Self, ApiError> {
        Ok((A::parse(params)?, B::parse(params)?))
    }
}

/// The route's segments, or axum's own rejection (rewritten into the envelope by the layer).
async fn path_params<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<RawPathParams, Response> {
    RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)
}

/// One id segment: 400 `message` when it is not a snowflake.
fn segment_id(
    params: Option<&RawPathParams>,
    segment: &str,
    message: &str,
) -> Result<u64, ApiError> {
    let raw = params
        .and_then(|p| p.iter().find(|(name, _)| *name == segment))
        .map(|(_, value)| value)
        .ok_or_else(ApiError::internal)?;
    path_id(raw, message)
}

/// Declares an extractor per id segment: `ChannelId(id): ChannelId` in a handler's arguments.
macro_rules! path_ids {
    ($($(#[$doc:meta])* $name:ident = $segment:literal, $message:literal;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct $name(pub(crate) u64);

        impl PathIds for $name {
            fn parse(params: Option<&RawPathParams>) -> Result<Self, ApiError> {
                segment_id(params, $segment, $message).map(Self)
            }
        }
    )+};
}

/// Lets path ids stand alone in a handler's arguments when there is no body to read.
macro_rules! extract_from_path {
    ($($name:ident),+) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = Response;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
                let params = path_params(parts, state).await?;
                Self::parse(Some(&params)).map_err(IntoResponse::into_response)
            }
        }
    )+};
}

path_ids! {
    /// `{channel_id}`; 400 `Invalid channel ID`.
    ChannelId = "channel_id", "Invalid channel ID";
    /// `{message_id}`; the reference words this one differently: 400 `Invalid ID format`.
    MessageId = "message_id", "Invalid ID format";
    /// `{server_id}`; 400 `Invalid server ID`.
    ServerId = "server_id", "Invalid server ID";
    /// `{user_id}`; 400 `Invalid user ID`.
    UserId = "user_id", "Invalid user ID";
    /// `{session_id}`; 400 `Invalid session ID`.
    SessionId = "session_id", "Invalid session ID";
    /// `{role_id}`; 400 `Invalid role ID`.
    RoleId = "role_id", "Invalid role ID";
}

/// `{channel_id}` then `{message_id}`: the message a route is about, as `MessageRef(channel,
/// message)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageRef(pub(crate) u64, pub(crate) u64);

impl PathIds for MessageRef {
    fn parse(params: Option<&RawPathParams>) -> Result<Self, ApiError> {
        let (ChannelId(channel), MessageId(message)) = PathIds::parse(params)?;
        Ok(Self(channel, message))
    }
}

extract_from_path!(ChannelId, ServerId, UserId, SessionId, MessageRef, RoleId);

/// Parses a JSON object body the way the reference reports failures:
/// non-JSON content type → `Invalid request`, bad JSON → `Invalid <pos>: JSON decode error`.
///
/// # Errors
/// 400 with the reference's message.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Err(ApiError::new(400, "Invalid request"));
        }
    }
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(400, "Invalid request")),
        Err(e) => Err(ApiError::new(
            400,
            format!("Invalid {}: JSON decode error", decode_position(body, &e)),
        )),
    }
}

/// Python's `JSONDecodeError.pos`: end of input for truncation, else start of the bad token.
fn decode_position(body: &[u8], e: &serde_json::Error) -> usize {
    if e.is_eof() {
        return body.len();
    }
    let line_start: usize = body
        .split(|&b| b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    let mut pos = (line_start + e.column().saturating_sub(1)).min(body.len());
    while pos > 0 && body[pos - 1].is_ascii_alphanumeric() {
        pos -= 1;
    }
    pos
}

/// A required string field, with pydantic-style messages.
///
/// # Errors
/// 400 `Invalid <field>: Field required` / `Input should be a valid string`.
pub(crate) fn req_str<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    match body.get(field) {
        None => Err(ApiError::invalid(field, "Field required")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::invalid(field, "Input should be a valid string")),
    }
}

/// Checks a string field's length in characters (`min..=max`), with pydantic-style messages.
///
/// # Errors
/// 400 `Invalid <field>: String should have at least <min> characters` / `at most <max>`.
pub(crate) fn char_count(field: &str, value: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let unit = |n: usize| if n == 1 { "character" } else { "characters" };
    let len = value.chars().count();
    if len < min {
        return Err(ApiError::invalid(
            field,
            &format!("String should have at least {min} {}", unit(min)),
        ));
    }
    if len > max {
        return Err(ApiError::invalid(
            field,
            &format!("String should have at most {max} {}", unit(max)),
        ));
    }
    Ok(())
}

/// An optional string field (`null` and absent are both `None`).
///
/// # Errors
/// 400 when present but not a string.
pub(crate) fn opt_str<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid(field, "Input should be a valid string")),
    }
}

/// An id given as a string or an integer (the reference accepts both).
///
/// # Errors
/// 400 `Invalid <field>: Value error, Invalid snowflake ID: must be numeric string`.
pub(crate) fn id_field(body: &Map<String, Value>, field: &str) -> Result<Option<u64>, ApiError> {
    let bad = || {
        ApiError::invalid(
            field,
            "Value error, Invalid snowflake ID: must be numeric string",
        )
    };
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) => parse_id(s).map(Some).ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// A path id; `what` picks the reference's message (`Invalid user ID`).
///
/// # Errors
/// 400 with that message.
fn path_id(raw: &str, message: &str) -> Result<u64, ApiError> {
    parse_id(raw).ok_or_else(|| ApiError::new(400, message))
}

/// Query parameters as pairs.
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(s: &str) -> usize {
        let e = serde_json::from_slice::<Value>(s.as_bytes()).unwrap_err();
        decode_position(s.as_bytes(), &e)
    }

    #[test]
    fn decode_positions_match_recordings() {
        assert_eq!(pos("not json"), 0);
        assert_eq!(pos("{\"content\": "), 12);
    }

    #[test]
    fn char_count_words_limits_like_pydantic() {
        let message = |r: Result<(), ApiError>| r.unwrap_err().body["error"]["message"].clone();
        assert!(char_count("name", "ab", 2, 3).is_ok());
        assert!(
            char_count("name", "äbç", 2, 3).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            message(char_count("name", "a", 2, 3)),
            "Invalid name: String should have at least 2 characters"
        );
        assert_eq!(
            message(char_count("code", "12345", 1, 1)),
            "Invalid code: String should have at most 1 character"
        );
    }

    #[test]
    fn text_plain_is_invalid_request() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        let e = json_body(&h, b"hello").unwrap_err();
        assert_eq!(e.body["error"]["message"], "Invalid request");
    }
}
