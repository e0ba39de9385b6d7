//! Wire models shared by the REST client, the gateway and the UI.
//!
//! The server sends snowflake ids as JSON strings (they exceed 2^53) but some listings send
//! integers (PROTOCOL.md §6), so every id deserialises from either and is kept as a string.
//! Timestamps are milliseconds since the Unix epoch.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

/// Deserialises an id that may arrive as a JSON string or a JSON integer.
///
/// # Errors
/// Fails when the value is neither a string nor an integer.
pub fn id_from_str_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::I(i) => i.to_string(),
        Raw::U(u) => u.to_string(),
    })
}

/// A Plexichat user as the UI needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct User {
    /// Snowflake id, always a string.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Unique user name.
    pub username: String,
    /// Display name, when the user set one.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Relative or absolute avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
}
