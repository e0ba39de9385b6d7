//! Per-IP fixed-window rate limits with the reference's numbers (PROTOCOL.md §3).
//!
//! Each request maps to a bucket with one or more windows (e.g. login: 5/min and 20/h) plus the
//! overall per-IP window. A request is refused when any window is full; the headers always
//! describe the bucket's first window, so an hourly 429 can show `Remaining > 0`, as the
//! reference does. Counts live in the world, so they survive `stop_listening`.

use crate::config::DevServerConfig;
use crate::error::ApiError;
use axum::http::Method;
use std::collections::HashMap;

/// One window of a bucket.
#[derive(Debug, Clone, Copy)]
struct Rule {
    limit: u32,
    window_ms: u64,
    scope: &'static str,
}

const fn rule(limit: u32, window_ms: u64, scope: &'static str) -> Rule {
    Rule {
        limit,
        window_ms,
        scope,
    }
}

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
const OVERALL: Rule = rule(120, MINUTE, "ip");

/// Headers to add and, when refused, the 429.
pub(crate) struct Decision {
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) rejection: Option<ApiError>,
}

/// Window counters keyed by (ip, bucket, window index).
#[derive(Default)]
pub(crate) struct RateLimiter {
    windows: HashMap<(String, String, usize), (u64, u32)>,
}

/// The bucket key and its windows for a request (`path` is below `/api/v1`).
fn classify(method: &Method, path: &str) -> (String, Vec<Rule>) {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        ("POST", ["auth", "login"]) => (
            "login".into(),
            vec![rule(5, MINUTE, "route"), rule(20, HOUR, "route")],
        ),
        ("POST", ["auth", "register"]) => (
            "register".into(),
            vec![
                rule(3, MINUTE, "route"),
                rule(10, HOUR, "route"),
                rule(20, 24 * HOUR, "route"),
            ],
        ),
        ("POST", ["auth", "2fa", ..]) => ("2fa".into(), vec![rule(7, MINUTE, "route")]),
        ("GET", ["users", "@me"]) => ("users-me".into(), vec![rule(40, MINUTE, "route")]),
        // A burst of 15 refilled at 2/s, as a window: 15 per 7.5 s.
        ("POST", ["channels", c, "messages"]) => {
            (format!("send:{c}"), vec![rule(15, 7_500, "resource")])
        }
        ("GET", ["channels", c, "messages"]) => {
            (format!("history:{c}"), vec![rule(15, 10_000, "resource")])
        }
        ("PUT" | "DELETE", ["channels", _, "messages", m, "reactions", ..]) => {
            (format!("react:{m}"), vec![rule(4, 1_000, "resource")])
        }
        _ => (
            format!("{method} {}", path_shape(path)),
            vec![rule(70, 30_000, "route")],
        ),
    }
}

/// The path with every numeric segment replaced by `{id}` (`/channels/{id}/messages`).
pub(crate) fn path_shape(path: &str) -> String {
    let shape: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    format!("/{}", shape.join("/"))
}

/// A short stable hex name for a bucket (`X-RateLimit-Bucket`).
fn bucket_hash(key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[allow(clippy::cast_precision_loss)]
fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl RateLimiter {
    /// Counts a request and decides.
    pub(crate) fn check(
        &mut self,
        config: &DevServerConfig,
        ip: &str,
        method: &Method,
        path: &str,
        now: u64,
    ) -> Decision {
        let (key, rules) = classify(method, path);
        let mut all: Vec<(String, usize, Rule)> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (key.clone(), i, *r))
            .collect();
        all.push(("overall".into(), 0, OVERALL));
        let mut rejection = None;
        for (k, i, r) in &all {
            let window = config.scaled_window_ms(r.window_ms);
            let entry = self
                .windows
                .entry((ip.to_owned(), k.clone(), *i))
                .or_insert((now, 0));
            if now >= entry.0 + window {
                *entry = (now, 0);
            }
            if entry.1 >= r.limit && rejection.is_none() {
                let wait = entry.0 + window - now;
                rejection = Some(ApiError::rate_limited(secs(wait), false, r.scope));
            }
        }
        let is_refused = rejection.is_some() && config.rate_limits;
        if !is_refused {
            for (k, i, _) in &all {
                if let Some(e) = self.windows.get_mut(&(ip.to_owned(), k.clone(), *i)) {
                    e.1 += 1;
                }
            }
        }
        let first = rules[0];
        let window = config.scaled_window_ms(first.window_ms);
        let (start, count) = self
            .windows
            .get(&(ip.to_owned(), key.clone(), 0))
            .copied()
            .unwrap_or((now, 0));
        let reset = start + window;
        let headers = vec![
            ("x-ratelimit-limit", first.limit.to_string()),
            (
                "x-ratelimit-remaining",
                first.limit.saturating_sub(count).to_string(),
            ),
            ("x-ratelimit-reset", format!("{:.3}", secs(reset))),
            (
                "x-ratelimit-reset-after",
                format!("{:.3}", secs(reset.saturating_sub(now))),
            ),
            ("x-ratelimit-bucket", bucket_hash(&key)),
            ("x-ratelimit-scope", first.scope.to_owned()),
        ];
        Decision {
            headers,
            rejection: if is_refused { rejection } else { None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_sixth_attempt_in_a_minute_is_refused_with_route_scope() {
        let cfg = DevServerConfig::default();
        let mut rl = RateLimiter::default();
        for _ in 0..5 {
            assert!(rl
                .check(&cfg, "1", &Method::POST, "/auth/login", 1000)
                .rejection
                .is_none());
        }
        let d = rl.check(&cfg, "1", &Method::POST, "/auth/login", 2000);
        let err = d.rejection.expect("refused");
        assert_eq!(err.body["scope"], "route");
        assert!(err.body.get("error").is_none());
        // Another IP is unaffected.
        assert!(rl
            .check(&cfg, "2", &Method::POST, "/auth/login", 2000)
            .rejection
            .is_none());
    }

    #[test]
    fn hourly_cap_refuses_while_minute_window_has_room() {
        let cfg = DevServerConfig::default();
        let mut rl = RateLimiter::default();
        let mut now = 0;
        for _ in 0..20 {
            assert!(rl
                .check(&cfg, "ip", &Method::POST, "/auth/login", now)
                .rejection
                .is_none());
            now += 13_000;
        }
        now += 61_000;
        let d = rl.check(&cfg, "ip", &Method::POST, "/auth/login", now);
        let err = d.rejection.expect("hourly cap");
        assert!(err.body["retry_after"].as_f64().unwrap() > 60.0);
        let remaining = d
            .headers
            .iter()
            .find(|(n, _)| *n == "x-ratelimit-remaining")
            .unwrap();
        assert_ne!(remaining.1, "0");
    }

    #[test]
    fn register_keeps_hourly_and_daily_windows_past_the_minute() {
        let cfg = DevServerConfig::default();
        let mut rl = RateLimiter::default();
        let register = |rl: &mut RateLimiter, now| {
            rl.check(&cfg, "ip", &Method::POST, "/auth/register", now)
                .rejection
                .map(|e| e.body["retry_after"].as_f64().unwrap())
        };
        // 21 s apart: never three in one minute window.
        let mut now = 0;
        for _ in 0..10 {
            assert_eq!(register(&mut rl, now), None);
            now += 21_000;
        }
        let hourly = register(&mut rl, now).expect("the 11th in an hour is refused");
        assert!(hourly > 60.0 && hourly <= 3600.0, "{hourly}");
        now = HOUR + 1_000;
        for _ in 0..10 {
            assert_eq!(register(&mut rl, now), None);
            now += 21_000;
        }
        now = 2 * HOUR + 5_000;
        let daily = register(&mut rl, now).expect("the 21st in a day is refused");
        assert!(
            daily > 3600.0,
            "the daily window answers with hours: {daily}"
        );
    }

    #[test]
    fn disabled_limits_still_send_headers() {
        let cfg = DevServerConfig {
            rate_limits: false,
            ..DevServerConfig::default()
        };
        let mut rl = RateLimiter::default();
        for _ in 0..10 {
            let d = rl.check(&cfg, "ip", &Method::POST, "/auth/register", 0);
            assert!(d.rejection.is_none());
            assert_eq!(d.headers.len(), 6);
        }
    }
}
