//! Scrubbing secrets out of log output.
//!
//! Redaction happens at the writer, after formatting, so it covers every log line whoever
//! wrote it (our code, reqwest, hyper, a panic message): a field we forgot to mark secret is
//! still caught. Two mechanisms work together:
//!
//! 1. Patterns: `Bearer <anything>`, Plexichat token shapes (`<snowflake>.<base64url secret>`),
//!    and JSON or `key=value` pairs whose key names a secret (`password`, `token`, `code`,
//!    `challenge_token`, `secret`, `backup_code`, …).
//! 2. Exact values: the session layer registers every live token, password and 2FA code with
//!    [`register_secret`] before it is used, so even a secret in an unexpected shape is
//!    replaced.

use std::io::{self, Write};
use std::sync::{Mutex, OnceLock, RwLock};

use regex::Regex;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

fn known_secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let secret_keys = r"(?:password|new_password|old_password|current_password|token|access_token|api_access_token|challenge_token|code|totp|backup_code|secret|authorization|x-api-access-token)";
        // `code=` / `code:` in plain text is far more often an error code (`IpcError { code:
        // … }`) than a 2FA code, and 2FA codes are registered as exact secrets before use, so
        // the key=value pattern leaves `code` and `totp` to the JSON pattern and the registry.
        let kv_keys = r"(?:password|new_password|old_password|current_password|token|access_token|api_access_token|challenge_token|backup_code|secret|authorization|x-api-access-token)";
        vec![
            // Authorization headers, however they are printed.
            (Regex::new(r"(?i)\bbearer\s+[^\s,;}\]]+").expect("static regex"), "Bearer [redacted]"),
            // JSON-ish `"password": "..."` (also inside Debug output of a serde_json::Value).
            (
                Regex::new(&format!(r#"(?i)("{secret_keys}"\s*:\s*)"(?:[^"\\]|\\.)*""#)).expect("static regex"),
                "${1}\"[redacted]\"",
            ),
            // `password=...` in query strings, form bodies and Debug of structs.
            (
                Regex::new(&format!(r#"(?i)\b({kv_keys})(\s*[=:]\s*)"?[^\s&,;}})"]+"?"#)).expect("static regex"),
                "${1}${2}[redacted]",
            ),
            // 2FA enrolment answers: the list of backup codes and the otpauth URI (which
            // carries the TOTP secret), whatever the surrounding shape.
            (
                Regex::new(r#"(?i)("backup_codes"\s*:\s*)\[[^\]]*\]"#).expect("static regex"),
                "${1}[\"[redacted]\"]",
            ),
            (Regex::new(r#"(?i)otpauth://[^\s"'<>]+"#).expect("static regex"), "otpauth://[redacted]"),
            // Plexichat tokens: `<session snowflake>.<43+ char base64url secret>`.
            (Regex::new(r"\b\d{6,20}\.[A-Za-z0-9_-]{20,}").expect("static regex"), REDACTED),
        ]
    })
}

/// Registers a secret value (token, password, 2FA code) that must never appear in logs.
///
/// Values shorter than 4 characters are ignored: replacing them would shred ordinary text and
/// they are caught by the key patterns anyway.
pub fn register_secret(value: &str) {
    if value.len() < 4 {
        return;
    }
    if let Ok(mut secrets) = known_secrets().write() {
        if !secrets.iter().any(|s| s == value) {
            secrets.push(value.to_owned());
            // Longest first, so a secret that contains another is replaced whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }
}

/// Forgets a secret registered with [`register_secret`] (after sign-out).
pub fn forget_secret(value: &str) {
    if let Ok(mut secrets) = known_secrets().write() {
        secrets.retain(|s| s != value);
    }
}

/// Returns `text` with every known secret and every secret-looking pattern replaced.
#[must_use]
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    if let Ok(secrets) = known_secrets().read() {
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
    }
    for (re, replacement) in patterns() {
        if re.is_match(&out) {
            out = re.replace_all(&out, *replacement).into_owned();
        }
    }
    out
}

/// A `Write` adapter that scrubs each write before passing it on.
///
/// `tracing_subscriber::fmt` writes one whole event per `write_all`, so a secret is never
/// split across two calls to this writer.
#[derive(Debug)]
pub struct RedactingWriter<W: Write> {
    inner: W,
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self { inner }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(scrub(&text).as_bytes())?;
        // Report the caller's bytes as consumed: the scrubbed text has a different length.
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An in-memory log sink for tests that check what reached the log.
#[derive(Debug, Clone, Default)]
pub struct CapturedLog(std::sync::Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Everything written so far, lossily decoded.
    #[must_use]
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "384002506264547330.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";

    #[test]
    fn bearer_headers_are_scrubbed() {
        let line = format!(r#"request headers={{"authorization": "Bearer {TOKEN}"}}"#);
        let out = scrub(&line);
        assert!(!out.contains(TOKEN), "{out}");
        assert!(!out.contains("Zm9vYmFy"), "{out}");
    }

    #[test]
    fn json_secret_fields_are_scrubbed_but_other_fields_stay() {
        let out = scrub(
            r#"body={"username":"alice","password":"Correct-Horse-9battery","code":"123456"}"#,
        );
        assert!(out.contains("alice"), "{out}");
        assert!(!out.contains("Correct-Horse-9battery"), "{out}");
        assert!(!out.contains("123456"), "{out}");
    }

    #[test]
    fn key_value_pairs_and_bare_tokens_are_scrubbed() {
        let out = scrub(&format!(
            "login password=hunter2hunter2 then token {TOKEN} ok"
        ));
        assert!(!out.contains("hunter2hunter2"), "{out}");
        assert!(!out.contains(TOKEN), "{out}");
        assert!(out.ends_with(" ok"), "{out}");
    }

    #[test]
    fn registered_secrets_are_scrubbed_in_any_shape() {
        register_secret("an odd secret shape 42");
        let out = scrub("oops: an odd secret shape 42!");
        assert_eq!(out, "oops: [redacted]!");
        forget_secret("an odd secret shape 42");
        assert_eq!(scrub("an odd secret shape 42"), "an odd secret shape 42");
    }

    #[test]
    fn error_codes_stay_readable() {
        let line = "error=IpcError { code: Failed, message: \"HTTP 426\" }";
        assert_eq!(scrub(line), line);
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let line = "GET /api/v1/channels/42/messages?limit=50 -> 200 in 12 ms";
        assert_eq!(scrub(line), line);
    }
}
