//! `Secret`: a token, password or 2FA code that never prints.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret string. `Debug` shows `[redacted]`, there is no `Display` and no `Serialize`, and
/// the value is registered with [`crate::redact`] so that even a stray log line is scrubbed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub(super) String);

/// A session token (`<session_id>.<secret>`, PROTOCOL.md §5).
pub type Token = Secret;

impl Secret {
    /// Wraps `value` and registers it for log scrubbing.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            crate::redact::register_secret(&value);
        }
        Self(value)
    }

    /// The secret itself, for the one place that must send it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("384002868824379392.c2VjcmV0");
        assert_eq!(format!("{s:?}"), "[redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            token: Option<Secret>,
        }
        let dbg = format!(
            "{:?}",
            Login {
                token: Some(s.clone())
            }
        );
        assert!(!dbg.contains("c2VjcmV0"), "{dbg}");
        assert_eq!(s.expose(), "384002868824379392.c2VjcmV0");
    }
}
