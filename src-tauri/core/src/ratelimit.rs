//! Client-side rate limiting from the server's `X-RateLimit-*` headers.
//!
//! Flow: before each request the engine calls [`RateLimiter::acquire`] with the request's
//! route key; it waits (FIFO per route) while a global pause, the route's own block or an
//! exhausted bucket says so, reporting each wait through a callback so the UI can count down.
//! After the answer, [`Permit::complete`] feeds the headers back; on a 429 the engine also
//! calls [`RateLimiter::block`] with the wait the server asked for.
//!
//! Invariants:
//! - Until a route's bucket is known, one request per route is in flight (the permit holds the
//!   route's queue); once known, requests go as long as the bucket has budget.
//! - `Retry-After` is honoured on any answer, even when `X-RateLimit-Remaining` is above 0:
//!   the server's long windows (register 10/h, login 20/h) show budget in the short-window
//!   headers while the hourly window is spent (PROTOCOL.md §3).
//! - A global 429 pauses every route.
//! - All waiting uses `tokio::time`, so tests run on paused time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use crate::error::secs;

/// One wait the limiter is about to do, for a countdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// How long from now.
    pub duration: Duration,
    /// Whether every request waits (a global 429), not only this route.
    pub is_global: bool,
    /// The server's scope for the limit, when known.
    pub scope: Option<String>,
}

/// The rate-limit headers of one answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Reset-After`, seconds.
    pub reset_after: Option<Duration>,
    /// `X-RateLimit-Bucket`.
    pub bucket: Option<String>,
    /// `X-RateLimit-Scope`.
    pub scope: Option<String>,
    /// `Retry-After`, seconds.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Global: true`.
    pub is_global: bool,
}

impl RateLimitHeaders {
    /// Reads the headers; absent or garbled values are `None`.
    #[must_use]
    pub fn parse(headers: &HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let num = |name: &str| get(name).and_then(|v| v.parse::<f64>().ok());
        Self {
            limit: get("x-ratelimit-limit").and_then(|v| v.parse().ok()),
            remaining: get("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset_after: num("x-ratelimit-reset-after").and_then(secs),
            bucket: get("x-ratelimit-bucket").map(str::to_owned),
            scope: get("x-ratelimit-scope").map(str::to_owned),
            retry_after: num("retry-after").and_then(secs),
            is_global: get("x-ratelimit-global").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        }
    }
}

#[derive(Debug)]
struct Bucket {
    remaining: u32,
    reset_at: Instant,
    scope: Option<String>,
}

#[derive(Debug, Default)]
struct Route {
    bucket: Option<String>,
    blocked_until: Option<(Instant, Option<String>)>,
    queue: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Default)]
struct State {
    global_until: Option<Instant>,
    routes: HashMap<String, Route>,
    buckets: HashMap<String, Bucket>,
}

/// Shared rate-limit state for one server; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    state: Arc<Mutex<State>>,
}

/// Permission to send one request on a route; give the answer's headers back with
/// [`Permit::complete`]. Dropping it without completing cancels (nothing is learned).
#[derive(Debug)]
pub struct Permit {
    limiter: RateLimiter,
    route: String,
    _queue: Option<OwnedMutexGuard<()>>,
}

impl RateLimiter {
    /// A limiter that knows no buckets yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a request on `route` may go, calling `on_wait` before each wait.
    ///
    /// # Errors
    /// The [`Wait`] itself when it would last longer than `max_wait` (an hourly window): the
    /// caller reports the real wait instead of sleeping through it.
    pub async fn acquire(
        &self,
        route: &str,
        max_wait: Duration,
        mut on_wait: impl FnMut(&Wait),
    ) -> Result<Permit, Wait> {
        let queue = Arc::clone(
            &self
                .lock()
                .routes
                .entry(route.to_owned())
                .or_default()
                .queue,
        );
        let guard = queue.lock_owned().await;
        loop {
            let now = Instant::now();
            let Some((until, wait)) = self.wait_for(route, now) else {
                break;
            };
            if wait.duration > max_wait {
                return Err(wait);
            }
            on_wait(&wait);
            tokio::time::sleep_until(until).await;
        }
        // Spend one unit of the bucket locally so parallel requests do not overshoot.
        let is_known = {
            let mut st = self.lock();
            let bucket_id = st.routes.get(route).and_then(|r| r.bucket.clone());
            match bucket_id.and_then(|id| st.buckets.get_mut(&id)) {
                Some(b) => {
                    b.remaining = b.remaining.saturating_sub(1);
                    true
                }
                None => false,
            }
        };
        Ok(Permit {
            limiter: self.clone(),
            route: route.to_owned(),
            _queue: if is_known { None } else { Some(guard) },
        })
    }

    /// The instant `route` may go and the wait to report, or `None` when it may go now.
    fn wait_for(&self, route: &str, now: Instant) -> Option<(Instant, Wait)> {
        let mut st = self.lock();
        let mut best: Option<(Instant, bool, Option<String>)> = None;
        let mut consider = |until: Instant, is_global: bool, scope: Option<String>| {
            if until > now && best.as_ref().is_none_or(|(b, _, _)| until > *b) {
                best = Some((until, is_global, scope));
            }
        };
        if let Some(g) = st.global_until {
            consider(g, true, Some("global".to_owned()));
        }
        let route_state = st.routes.get(route);
        if let Some((until, scope)) = route_state.and_then(|r| r.blocked_until.clone()) {
            consider(until, false, scope);
        }
        let bucket_id = route_state.and_then(|r| r.bucket.clone());
        if let Some(b) = bucket_id.as_ref().and_then(|id| st.buckets.get(id)) {
            if b.remaining == 0 {
                consider(b.reset_at, false, b.scope.clone());
            }
        }
        // Refill a bucket whose window passed (the server resets it).
        if let Some(b) = bucket_id.and_then(|id| st.buckets.get_mut(&id)) {
            if b.remaining == 0 && b.reset_at <= now {
                b.remaining = 1;
            }
        }
        best.map(|(until, is_global, scope)| {
            (
                until,
                Wait {
                    duration: until - now,
                    is_global,
                    scope,
                },
            )
        })
    }

    /// Blocks `route` (or everything, when `is_global`) for `after`, as a 429 asked.
    pub fn block(&self, route: &str, after: Duration, is_global: bool, scope: Option<String>) {
        let until = Instant::now() + after;
        let mut st = self.lock();
        if is_global {
            st.global_until = Some(st.global_until.map_or(until, |g| g.max(until)));
        } else {
            let r = st.routes.entry(route.to_owned()).or_default();
            let later = r.blocked_until.as_ref().is_none_or(|(b, _)| until > *b);
            if later {
                r.blocked_until = Some((until, scope));
            }
        }
    }

    fn learn(&self, route: &str, h: &RateLimitHeaders) {
        let now = Instant::now();
        let mut st = self.lock();
        if let Some(id) = &h.bucket {
            st.routes.entry(route.to_owned()).or_default().bucket = Some(id.clone());
            if let Some(remaining) = h.remaining {
                let reset_at = now + h.reset_after.unwrap_or_default();
                st.buckets.insert(
                    id.clone(),
                    Bucket {
                        remaining,
                        reset_at,
                        scope: h.scope.clone(),
                    },
                );
            }
        }
        if let Some(after) = h.retry_after {
            let until = now + after;
            if h.is_global {
                st.global_until = Some(st.global_until.map_or(until, |g| g.max(until)));
            } else {
                let r = st.routes.entry(route.to_owned()).or_default();
                if r.blocked_until.as_ref().is_none_or(|(b, _)| until > *b) {
                    r.blocked_until = Some((until, h.scope.clone()));
                }
            }
        }
    }
}

impl Permit {
    /// Feeds back the answer's status and headers: bucket budget, reset time and any
    /// `Retry-After`. On a 429 the header is left to [`RateLimiter::block`], which the engine
    /// calls with the body's more precise `retry_after` (the header is rounded up, plus 1 s).
    pub fn complete(self, status: u16, headers: &HeaderMap) {
        let mut h = RateLimitHeaders::parse(headers);
        if status == 429 {
            h.retry_after = None;
        }
        self.limiter.learn(&self.route, &h);
    }
}

/// The limiter key of a request: method plus path, with ids below a channel or server
/// collapsed so that e.g. every message of a channel shares one queue.
#[must_use]
pub fn route_key(method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(method);
    out.push(' ');
    let mut keep_next_id = false;
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let is_id = seg.bytes().all(|b| b.is_ascii_digit());
        out.push('/');
        if is_id && !keep_next_id {
            out.push_str(":id");
        } else {
            out.push_str(seg);
        }
        // The server keys message and history limits per channel (scope `resource`).
        keep_next_id = matches!(seg, "channels" | "servers");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    /// Longer than any wait in these tests.
    const LONG: Duration = Duration::from_secs(24 * 3600);

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn bucket(remaining: &str, reset_after: &str) -> HeaderMap {
        headers(&[
            ("x-ratelimit-limit", "5"),
            ("x-ratelimit-remaining", remaining),
            ("x-ratelimit-reset-after", reset_after),
            ("x-ratelimit-bucket", "b1"),
            ("x-ratelimit-scope", "route"),
        ])
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_reset_before_it_would_get_a_429() {
        let rl = RateLimiter::new();
        rl.acquire("GET /x", LONG, |_| panic!("first request must not wait"))
            .await
            .unwrap()
            .complete(200, &bucket("0", "2.5"));
        let start = Instant::now();
        let mut waits = Vec::new();
        let permit = rl
            .acquire("GET /x", LONG, |w| waits.push(w.clone()))
            .await
            .unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        assert_eq!(
            waits,
            vec![Wait {
                duration: Duration::from_millis(2500),
                is_global: false,
                scope: Some("route".into())
            }]
        );
        permit.complete(200, &bucket("4", "10"));
        // Budget left: no wait.
        rl.acquire("GET /x", LONG, |_| panic!("budget left"))
            .await
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_even_with_budget_left() {
        let rl = RateLimiter::new();
        let mut h = bucket("2", "2788.2");
        h.insert("retry-after", HeaderValue::from_static("2789"));
        rl.acquire("POST /auth/register", LONG, |_| {})
            .await
            .unwrap()
            .complete(200, &h);
        let mut waited = None;
        let permit = rl
            .acquire("POST /auth/register", LONG, |w| waited = Some(w.duration))
            .await;
        assert!(permit.is_ok());
        assert_eq!(
            waited,
            Some(Duration::from_secs(2789)),
            "shows the real wait, never spins"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_global_block_pauses_every_route_and_a_route_block_only_its_route() {
        let rl = RateLimiter::new();
        rl.block(
            "POST /a",
            Duration::from_secs(3),
            false,
            Some("resource".into()),
        );
        rl.acquire("GET /b", LONG, |_| panic!("other route is not blocked"))
            .await
            .unwrap();
        rl.block("GET /c", Duration::from_secs(5), true, None);
        let start = Instant::now();
        let mut global = false;
        rl.acquire("GET /b", LONG, |w| global = w.is_global)
            .await
            .unwrap();
        assert!(global);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn one_request_in_flight_per_route_until_the_bucket_is_known() {
        let rl = RateLimiter::new();
        let first = rl.acquire("GET /x", LONG, |_| {}).await.unwrap();
        let second =
            tokio::time::timeout(Duration::from_secs(60), rl.acquire("GET /x", LONG, |_| {})).await;
        assert!(second.is_err(), "second request waits for the first answer");
        first.complete(200, &bucket("3", "1"));
        let a = rl.acquire("GET /x", LONG, |_| {}).await.unwrap();
        // The bucket is known with budget: requests run in parallel.
        let b =
            tokio::time::timeout(Duration::from_secs(1), rl.acquire("GET /x", LONG, |_| {})).await;
        assert!(b.is_ok());
        drop(a);
    }

    #[tokio::test(start_paused = true)]
    async fn local_accounting_stops_a_burst_at_the_bucket_size() {
        let rl = RateLimiter::new();
        rl.acquire("POST /m", LONG, |_| {})
            .await
            .unwrap()
            .complete(200, &bucket("2", "4"));
        rl.acquire("POST /m", LONG, |_| panic!("1 of 2"))
            .await
            .unwrap();
        rl.acquire("POST /m", LONG, |_| panic!("2 of 2"))
            .await
            .unwrap();
        let mut waited = false;
        rl.acquire("POST /m", LONG, |_| waited = true)
            .await
            .unwrap();
        assert!(waited, "the third request waits for the reset");
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_longer_than_allowed_is_reported_instead_of_slept() {
        let rl = RateLimiter::new();
        rl.block(
            "POST /auth/login",
            Duration::from_secs(2853),
            false,
            Some("route".into()),
        );
        let start = Instant::now();
        let refused = rl
            .acquire("POST /auth/login", Duration::from_secs(60), |_| {
                panic!("no sleep")
            })
            .await
            .unwrap_err();
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(refused.duration, Duration::from_secs(2853));
        // The route is still usable once the block is over.
        tokio::time::advance(Duration::from_secs(2854)).await;
        rl.acquire("POST /auth/login", Duration::from_secs(60), |_| {
            panic!("over")
        })
        .await
        .unwrap();
    }

    #[test]
    fn garbled_headers_are_ignored() {
        let h = RateLimitHeaders::parse(&headers(&[
            ("x-ratelimit-remaining", "-1"),
            ("x-ratelimit-reset-after", "NaN"),
            ("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]));
        assert_eq!(h, RateLimitHeaders::default());
    }

    #[test]
    fn route_keys_group_messages_per_channel() {
        assert_eq!(
            route_key("POST", "/channels/42/messages"),
            "POST /channels/42/messages"
        );
        assert_eq!(
            route_key("PATCH", "/channels/42/messages/99"),
            "PATCH /channels/42/messages/:id"
        );
        assert_eq!(route_key("GET", "/users/123?x=1"), "GET /users/:id");
        assert_eq!(route_key("GET", "/servers/"), "GET /servers");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::{HeaderName, HeaderValue};

    proptest! {
        #[test]
        fn any_header_values_parse_without_panicking(values in proptest::collection::vec("[ -~]{0,16}", 7)) {
            let names = [
                "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset-after",
                "x-ratelimit-bucket", "x-ratelimit-scope", "retry-after", "x-ratelimit-global",
            ];
            let mut h = HeaderMap::new();
            for (n, v) in names.iter().zip(&values) {
                if let Ok(v) = HeaderValue::from_str(v) {
                    h.insert(HeaderName::from_static(n), v);
                }
            }
            let parsed = RateLimitHeaders::parse(&h);
            if let Some(d) = parsed.retry_after {
                prop_assert!(d.as_secs_f64() < 1e9);
            }
        }
    }
}
