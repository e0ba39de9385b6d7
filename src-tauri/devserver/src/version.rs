//! Version strings `stage.major.minor-build` with stage order a < b < c < r (PROTOCOL.md §4).

use serde_json::{json, Value};
use std::cmp::Ordering;

/// A parsed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    stage: char,
    major: u64,
    minor: u64,
    build: u64,
    raw: String,
}

impl Version {
    /// Parses `a.1.0-49`; `None` for anything else.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (head, build) = s.split_once('-')?;
        let mut parts = head.split('.');
        let stage_str = parts.next()?;
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let mut chars = stage_str.chars();
        let stage = chars.next()?;
        if chars.next().is_some() || !matches!(stage, 'a' | 'b' | 'c' | 'r') {
            return None;
        }
        let build = build.parse().ok()?;
        Some(Self {
            stage,
            major,
            minor,
            build,
            raw: s.to_owned(),
        })
    }

    /// The structured form the reference sends (`{"stage","major","minor","build","string"}`).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "stage": self.stage.to_string(),
            "major": self.major,
            "minor": self.minor,
            "build": self.build,
            "string": self.raw,
        })
    }

    /// The major number.
    pub(crate) fn major(&self) -> u64 {
        self.major
    }

    /// The original string.
    pub(crate) fn as_str(&self) -> &str {
        &self.raw
    }

    fn key(&self) -> (u8, u64, u64, u64) {
        let stage = match self.stage {
            'a' => 0,
            'b' => 1,
            'c' => 2,
            _ => 3,
        };
        (stage, self.major, self.minor, self.build)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_orders_before_numbers() {
        let a = Version::parse("a.9.9-999").unwrap();
        let b = Version::parse("b.0.0-1").unwrap();
        assert!(a < b);
        assert!(Version::parse("a.1.0-49").unwrap() < Version::parse("a.1.0-132").unwrap());
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "banana",
            "",
            "x.1.0-1",
            "a.1-1",
            "a.1.0",
            "a.1.0.0-1",
            "a.1.0-x",
        ] {
            assert!(Version::parse(s).is_none(), "{s}");
        }
    }
}
