//! Fault injection: the same switches from Rust ([`Faults`]) and over HTTP
//! (`POST /__devserver/fault` with JSON, `GET /__devserver/fault` to see what is active).
//!
//! REST faults apply to `/api/v1/*` and `/health` only; gateway faults act on sockets through the
//! hub. `reset` clears every switch but keeps data, locks and revoked sessions.

use crate::error::ApiError;
use crate::gateway::hub::Outbound;
use crate::state::AppState;
use crate::version::Version;
use serde_json::{json, Value};
use std::sync::Arc;

/// One deferred fault switch, applied only once the whole body has been validated.
type Action = Box<dyn FnOnce(&Faults) -> Result<(), String>>;

/// REST fault switches, kept in the world.
#[derive(Debug, Default, Clone)]
pub(crate) struct FaultState {
    /// (status, calls left).
    pub(crate) http_status: Option<(u16, u32)>,
    /// (retry_after s, global, calls left).
    pub(crate) rate_limit: Option<(f64, bool, u32)>,
    /// Only calls whose `METHOD /path` contains this are rate limited by `rate_limit`.
    pub(crate) rate_limit_route: Option<String>,
    /// Minimum version enforced on every REST call from now on.
    pub(crate) min_version: Option<String>,
    /// Added latency per REST call.
    pub(crate) delay_ms: u64,
    /// Token checks still to refuse as rate limited (REST 401, gateway 4004).
    pub(crate) token_checks_limited: u32,
}

/// Handle for triggering faults from tests; clone freely.
#[derive(Clone)]
pub struct Faults {
    pub(crate) state: Arc<AppState>,
}

impl Faults {
    /// Closes every gateway socket abruptly (no close frame); sessions stay resumable.
    pub fn drop_gateway(&self) {
        self.state.lock().hub.broadcast(|| Outbound::Drop);
    }

    /// Stops (`true`) or resumes (`false`) heartbeat ACKs, making sockets look like zombies.
    pub fn zombie(&self, on: bool) {
        self.state.lock().hub.is_zombie = on;
    }

    /// The next `count` REST calls fail with `status` and the reference's body for it.
    pub fn http_status(&self, status: u16, count: u32) {
        self.state.lock().faults.http_status = Some((status, count));
    }

    /// The next `count` REST calls get an un-enveloped 429 with this `retry_after` (seconds).
    pub fn rate_limit(&self, retry_after: f64, global: bool, count: u32) {
        let mut world = self.state.lock();
        world.faults.rate_limit = Some((retry_after, global, count));
        world.faults.rate_limit_route = None;
    }

    /// Like [`Faults::rate_limit`], but only for calls whose `METHOD /path` contains `route`
    /// (e.g. `"POST /api/v1/channels/"`), so background calls (typing, acks) do not use it up.
    pub fn rate_limit_route(&self, retry_after: f64, global: bool, count: u32, route: &str) {
        let mut world = self.state.lock();
        world.faults.rate_limit = Some((retry_after, global, count));
        world.faults.rate_limit_route = Some(route.to_owned());
    }

    /// Raises the minimum client version: negotiate and every later REST call answer 426.
    pub fn min_version(&self, version: &str) {
        self.state.lock().faults.min_version = Some(version.to_owned());
    }

    /// Makes the routes the reference gets wrong (message search) answer as documented
    /// (`true`) or like the reference server (`false`, the default).
    pub fn as_documented(&self, on: bool) {
        self.state.lock().config.as_documented = on;
    }

    /// Delays every REST answer by `ms` (0 turns it off).
    pub fn delay_ms(&self, ms: u64) {
        self.state.lock().faults.delay_ms = ms;
    }

    /// The next `count` token checks fail like the reference's per-IP verification limit:
    /// REST answers 401 `Token verification rate limit exceeded` (not a logout!) and IDENTIFY
    /// or RESUME closes with 4004 (PROTOCOL.md §2, §7).
    pub fn token_check_limit(&self, count: u32) {
        self.state.lock().faults.token_checks_limited = count;
    }

    /// Locks an account as if five wrong passwords had been tried; `false` if unknown.
    pub fn lock_account(&self, username: &str) -> bool {
        let mut world = self.state.lock();
        let Some(id) = world.user_by_name(username).map(|u| u.id) else {
            return false;
        };
        world.lock_account(id);
        true
    }

    /// Revokes every session of a user: REST answers 401, sockets get SECURITY_LOGOUT and close.
    pub fn revoke_sessions(&self, username: &str) -> bool {
        let mut world = self.state.lock();
        let Some(id) = world.user_by_name(username).map(|u| u.id) else {
            return false;
        };
        world.revoke_all_sessions(id, None, "sessions_revoked");
        true
    }

    /// Swallows the next `n` dispatch frames (seq numbers are still used: a visible gap).
    pub fn drop_events(&self, n: u32) {
        self.state.lock().hub.drop_events = n;
    }

    /// Sends each of the next `n` dispatch frames twice (same seq).
    pub fn duplicate_events(&self, n: u32) {
        self.state.lock().hub.duplicate_events = n;
    }

    /// Sends a frame that is not valid JSON to every socket now.
    pub fn malformed_frame(&self) {
        self.state.lock().hub.broadcast(|| Outbound::Malformed);
    }

    /// Clears every switch.
    pub fn reset(&self) {
        let mut world = self.state.lock();
        world.faults = FaultState::default();
        world.hub.is_zombie = false;
        world.hub.drop_events = 0;
        world.hub.duplicate_events = 0;
    }

    /// What is active, as `GET /__devserver/fault` shows it.
    #[must_use]
    pub fn active(&self) -> Value {
        let world = self.state.lock();
        let f = &world.faults;
        json!({
            "http_status": f.http_status.map(|(s, c)| json!({"status": s, "count": c})),
            "rate_limit": f.rate_limit.map(|(r, g, c)| json!({"retry_after": r, "global": g, "count": c, "route": f.rate_limit_route})),
            "min_version": f.min_version,
            "delay_ms": f.delay_ms,
            "token_check_limit": f.token_checks_limited,
            "zombie": world.hub.is_zombie,
            "drop_events": world.hub.drop_events,
            "duplicate_events": world.hub.duplicate_events,
            "gateway_connections": world.hub.connection_count(),
            "as_documented": world.config.as_documented,
        })
    }

    /// Applies a JSON fault description (the HTTP route's body); several keys may be combined.
    ///
    /// # Errors
    /// A message naming the first key or value that is not understood; nothing is applied then.
    pub fn apply(&self, body: &Value) -> Result<Value, String> {
        let obj = body.as_object().ok_or("expected a JSON object")?;
        let mut actions: Vec<Action> = Vec::new();
        for (key, value) in obj {
            match key.as_str() {
                "drop_gateway" => {
                    if value.as_bool().ok_or("drop_gateway: expected true")? {
                        actions.push(Box::new(|f: &Self| {
                            f.drop_gateway();
                            Ok(())
                        }));
                    }
                }
                "as_documented" => {
                    let on = value.as_bool().ok_or("as_documented: expected a boolean")?;
                    actions.push(Box::new(move |f: &Self| {
                        f.as_documented(on);
                        Ok(())
                    }));
                }
                "zombie" => {
                    let on = value.as_bool().ok_or("zombie: expected a boolean")?;
                    actions.push(Box::new(move |f: &Self| {
                        f.zombie(on);
                        Ok(())
                    }));
                }
                "http_status" => {
                    let status = value
                        .as_u64()
                        .or_else(|| value.get("status").and_then(Value::as_u64))
                        .and_then(|s| u16::try_from(s).ok())
                        .filter(|s| (400..600).contains(s))
                        .ok_or("http_status: expected a status 400..599")?;
                    let count = count_of(obj.get("count").or_else(|| value.get("count")))?;
                    actions.push(Box::new(move |f: &Self| {
                        f.http_status(status, count);
                        Ok(())
                    }));
                }
                "rate_limit" => {
                    let retry = value
                        .get("retry_after")
                        .and_then(Value::as_f64)
                        .filter(|r| r.is_finite() && *r >= 0.0)
                        .ok_or("rate_limit: expected retry_after seconds")?;
                    let global = value
                        .get("global")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    let count = count_of(value.get("count"))?;
                    let route = match value.get("route") {
                        None | Some(Value::Null) => None,
                        Some(v) => Some(
                            v.as_str()
                                .ok_or("rate_limit: route must be a string")?
                                .to_owned(),
                        ),
                    };
                    actions.push(Box::new(move |f: &Self| {
                        match &route {
                            Some(r) => f.rate_limit_route(retry, global, count, r),
                            None => f.rate_limit(retry, global, count),
                        }
                        Ok(())
                    }));
                }
                "min_version" => {
                    let v = value.as_str().ok_or("min_version: expected a string")?;
                    Version::parse(v).ok_or("min_version: not a version like a.1.0-60")?;
                    let v = v.to_owned();
                    actions.push(Box::new(move |f: &Self| {
                        f.min_version(&v);
                        Ok(())
                    }));
                }
                "delay_ms" => {
                    let ms = value.as_u64().ok_or("delay_ms: expected milliseconds")?;
                    actions.push(Box::new(move |f: &Self| {
                        f.delay_ms(ms);
                        Ok(())
                    }));
                }
                "lock_account" | "revoke_sessions" => {
                    let name = value.as_str().ok_or("expected a username")?.to_owned();
                    let is_lock = key == "lock_account";
                    actions.push(Box::new(move |f: &Self| {
                        let found = if is_lock {
                            f.lock_account(&name)
                        } else {
                            f.revoke_sessions(&name)
                        };
                        if found {
                            Ok(())
                        } else {
                            Err(format!("unknown user {name}"))
                        }
                    }));
                }
                "token_check_limit" => {
                    let n = count_of(Some(value))?;
                    actions.push(Box::new(move |f: &Self| {
                        f.token_check_limit(n);
                        Ok(())
                    }));
                }
                "drop_events" | "duplicate_events" => {
                    let n = count_of(Some(value))?;
                    let is_drop = key == "drop_events";
                    actions.push(Box::new(move |f: &Self| {
                        if is_drop {
                            f.drop_events(n);
                        } else {
                            f.duplicate_events(n);
                        }
                        Ok(())
                    }));
                }
                "malformed_frame" => {
                    if value.as_bool().ok_or("malformed_frame: expected true")? {
                        actions.push(Box::new(|f: &Self| {
                            f.malformed_frame();
                            Ok(())
                        }));
                    }
                }
                "reset" => {
                    if value.as_bool().ok_or("reset: expected true")? {
                        actions.insert(
                            0,
                            Box::new(|f: &Self| {
                                f.reset();
                                Ok(())
                            }),
                        );
                    }
                }
                "count" if obj.contains_key("http_status") => {}
                other => return Err(format!("unknown fault {other}")),
            }
        }
        for action in actions {
            action(self)?;
        }
        let keys: Vec<&String> = obj.keys().collect();
        tracing::info!(?keys, "fault applied");
        Ok(self.active())
    }
}

fn count_of(v: Option<&Value>) -> Result<u32, String> {
    match v {
        None => Ok(1),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| "count: expected a non-negative integer".to_owned()),
    }
}

/// The REST-side fault, if any, for one call; consumes a count.
pub(crate) fn take_rest_fault(state: &AppState, route: &str) -> Option<ApiError> {
    let mut world = state.lock();
    let faults = &mut world.faults;
    let is_route_match = faults
        .rate_limit_route
        .as_deref()
        .is_none_or(|r| route.contains(r));
    if let (Some((retry, global, left)), true) = (faults.rate_limit, is_route_match) {
        faults.rate_limit = (left > 1).then_some((retry, global, left - 1));
        if left > 0 {
            return Some(ApiError::rate_limited(
                retry,
                global,
                if global { "global" } else { "route" },
            ));
        }
    }
    if let Some((status, left)) = faults.http_status {
        faults.http_status = (left > 1).then_some((status, left - 1));
        if left > 0 {
            return Some(ApiError::for_status(status));
        }
    }
    None
}

/// Whether this token check must fail as rate limited; consumes one.
pub(crate) fn take_token_check_limit(world: &mut crate::store::World) -> bool {
    let left = &mut world.faults.token_checks_limited;
    if *left == 0 {
        return false;
    }
    *left -= 1;
    true
}
