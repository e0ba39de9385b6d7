//! Client/server versions: `stage.major.minor-build`, stages ordered `a < b < c < r`.
//!
//! The server checks no version header; the client negotiates once at startup with
//! `POST /version/negotiate` and any later call may still answer 426 (PROTOCOL.md §4).
//! Parsing is strict (the server rejects anything else with `INVALID_VERSION_FORMAT`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The version this client speaks.
pub const CLIENT_VERSION: &str = "a.1.0-49";

/// A release stage, in release order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// `a`: alpha.
    Alpha,
    /// `b`: beta.
    Beta,
    /// `c`: release candidate.
    Candidate,
    /// `r`: release.
    Release,
}

impl Stage {
    fn letter(self) -> char {
        match self {
            Self::Alpha => 'a',
            Self::Beta => 'b',
            Self::Candidate => 'c',
            Self::Release => 'r',
        }
    }
}

/// A parsed `stage.major.minor-build` version; ordering is release order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// Release stage (compared first).
    pub stage: Stage,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Build number (compared last).
    pub build: u32,
}

/// Why a version string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version {input:?}: expected stage.major.minor-build, e.g. a.1.0-49")]
pub struct ParseVersionError {
    /// The rejected text (versions are not secret).
    pub input: String,
}

impl FromStr for Version {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = || ParseVersionError {
            input: s.chars().take(64).collect(),
        };
        let (stage, rest) = s.split_once('.').ok_or_else(fail)?;
        let stage = match stage {
            "a" => Stage::Alpha,
            "b" => Stage::Beta,
            "c" => Stage::Candidate,
            "r" => Stage::Release,
            _ => return Err(fail()),
        };
        let (major, rest) = rest.split_once('.').ok_or_else(fail)?;
        let (minor, build) = rest.split_once('-').ok_or_else(fail)?;
        let num = |t: &str| -> Result<u32, ParseVersionError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail());
            }
            t.parse().map_err(|_| fail())
        };
        Ok(Self {
            stage,
            major: num(major)?,
            minor: num(minor)?,
            build: num(build)?,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.stage, self.major, self.minor, self.build).cmp(&(
            other.stage,
            other.major,
            other.minor,
            other.build,
        ))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}-{}",
            self.stage.letter(),
            self.major,
            self.minor,
            self.build
        )
    }
}

/// Whether a client at `client` may talk to a server whose minimum is `min`.
#[must_use]
pub fn is_supported(client: Version, min: Version) -> bool {
    client >= min
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn our_version_parses_and_round_trips() {
        assert_eq!(v(CLIENT_VERSION).to_string(), CLIENT_VERSION);
        assert_eq!(
            v("r.10.2-300"),
            Version {
                stage: Stage::Release,
                major: 10,
                minor: 2,
                build: 300
            }
        );
    }

    #[test]
    fn stages_order_alpha_beta_candidate_release() {
        assert!(v("a.9.9-999") < v("b.0.0-0"));
        assert!(v("b.9.9-999") < v("c.0.0-0"));
        assert!(v("c.9.9-999") < v("r.0.0-0"));
    }

    #[test]
    fn numbers_compare_numerically_not_as_text() {
        assert!(
            v("a.1.0-49") < v("a.1.0-132"),
            "the reference server is newer than us"
        );
        assert!(v("a.1.9-1") < v("a.1.10-1"));
        assert!(v("a.2.0-1") > v("a.1.99-999"));
        assert!(!is_supported(v(CLIENT_VERSION), v("a.1.0-132")));
        assert!(is_supported(v("a.1.0-999"), v("a.1.0-132")));
        assert!(is_supported(v("b.2.0-1"), v("a.1.0-132")));
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for bad in [
            "",
            "banana",
            "a.1.0",
            "a.1-0",
            "x.1.0-1",
            "A.1.0-1",
            "a.1.0-",
            "a..0-1",
            "a.1.0-1-2",
            "a.-1.0-1",
            "a.+1.0-1",
            "a.1.0-99999999999",
            " a.1.0-1",
            "a.1.0-1 ",
            "a.1.0.0-1",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} must not parse");
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(s in ".{0,40}") {
            let _ = s.parse::<Version>();
        }

        #[test]
        fn display_round_trips_and_order_matches_fields(
            a in (0u8..4, 0u32..1000, 0u32..1000, 0u32..100_000),
            b in (0u8..4, 0u32..1000, 0u32..1000, 0u32..100_000),
        ) {
            let stage = |n: u8| [Stage::Alpha, Stage::Beta, Stage::Candidate, Stage::Release][usize::from(n)];
            let va = Version { stage: stage(a.0), major: a.1, minor: a.2, build: a.3 };
            let vb = Version { stage: stage(b.0), major: b.1, minor: b.2, build: b.3 };
            prop_assert_eq!(va.to_string().parse::<Version>().unwrap(), va);
            prop_assert_eq!(va.cmp(&vb), (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        }
    }
}
