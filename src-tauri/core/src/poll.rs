//! Polls (shared/recorded/messaging.txt, "polls"): their wire shapes and the refusals the
//! server gives, each turned into a [`PollRefusal`] the UI shows as its own state.
//!
//! The server's quirks: option `vote_count` inside a poll is always null (counts come only
//! from `/results` or a message's `poll_results`), `metadata.poll_id` is a JSON number, and
//! every refusal is a plain 400/403/404 whose message alone says which it was.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use crate::error::ClientError;
use crate::model::id_from_str_or_int;

/// Most options a poll may have (the server sets no cap we could record; more does not fit a card).
pub const MAX_OPTIONS: usize = 10;
/// Longest question or option text we send.
pub const MAX_TEXT: usize = 300;
/// Longest duration offered (a week, in hours).
pub const MAX_DURATION_HOURS: u32 = 168;

/// One choice of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PollOption {
    /// Option id (a string on the wire).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// What the option says.
    #[serde(default)]
    pub text: String,
    /// Display order.
    #[serde(default)]
    pub position: u32,
    /// Votes for it; `null` inside a bare poll, a number in results.
    #[serde(default)]
    pub vote_count: Option<u32>,
}

/// A poll as `GET /polls/{id}` and `POST /polls/{id}/close` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[allow(clippy::struct_excessive_bools)]
pub struct Poll {
    /// Poll id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// The message that carries it.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub message_id: String,
    /// The question.
    #[serde(default)]
    pub question: String,
    /// Creator's user id (only they may close it).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub created_by: String,
    /// When it ends by itself (ms), if it has a duration.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub ends_at: Option<i64>,
    /// When it was closed (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// Whether a voter may pick several options.
    #[serde(default)]
    pub allow_multiple_choice: bool,
    /// The options in display order.
    #[serde(default)]
    pub options: Vec<PollOption>,
    /// Everyone's votes.
    #[serde(default)]
    pub total_votes: u32,
    /// Closed or past `ends_at`.
    #[serde(default)]
    pub is_ended: bool,
}

/// A poll with its counts and the caller's own votes (`/results`, `/vote`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PollResults {
    /// The poll.
    pub poll: Poll,
    /// The options with their `vote_count`.
    #[serde(default)]
    pub options: Vec<PollOption>,
    /// Everyone's votes.
    #[serde(default)]
    pub total_votes: u32,
    /// Whether the caller voted.
    #[serde(default)]
    pub user_voted: bool,
    /// The option ids the caller voted for.
    #[serde(default, deserialize_with = "ids_from_str_or_int")]
    pub user_votes: Vec<String>,
}

/// What a new poll asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewPoll {
    /// The question.
    pub question: String,
    /// Two or more options.
    pub options: Vec<String>,
    /// Hours until it ends by itself; `None` for no end.
    pub duration_hours: Option<u32>,
    /// Whether voters may pick several options.
    pub allow_multiple_choice: bool,
}

/// The poll a message carries; the card loads its results by this id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PollRef {
    /// Poll id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
}

/// Why the server refused a poll action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PollRefusal {
    /// The poll has ended (vote) or already ended (close).
    Ended,
    /// The user already voted; the server has no way to change a vote.
    AlreadyVoted,
    /// Several options on a single-choice poll.
    SingleChoice,
    /// An option the poll does not have (it changed under us).
    InvalidOption,
    /// Only the poll's creator may close it.
    NotCreator,
    /// The poll is gone, or the user cannot see it (not a member).
    NotFound,
}

/// The outcome of a vote or a close: the current results, and the refusal if there was one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PollUpdate {
    /// The results after the action (also after a refusal, so the card shows the truth);
    /// `None` when the poll cannot be read any more.
    pub results: Option<PollResults>,
    /// Set when the server refused the action.
    pub refusal: Option<PollRefusal>,
}

/// The refusal `err` stands for, when it is one of the poll refusals the server gives.
#[must_use]
pub fn refusal_of(err: &ClientError) -> Option<PollRefusal> {
    let api = err.api_error()?;
    let message = api.message()?.to_ascii_lowercase();
    match api.status()? {
        404 if message.contains("poll not found") => Some(PollRefusal::NotFound),
        403 if message.contains("only poll creator") => Some(PollRefusal::NotCreator),
        400 if message.contains("already voted") => Some(PollRefusal::AlreadyVoted),
        400 if message.contains("has ended") || message.contains("already ended") => {
            Some(PollRefusal::Ended)
        }
        400 if message.contains("multiple choice") => Some(PollRefusal::SingleChoice),
        400 if message.contains("options are invalid") => Some(PollRefusal::InvalidOption),
        _ => None,
    }
}

fn ids_from_str_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "id_from_str_or_int")] String);
    Ok(Option::<Vec<Wrap>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|w| w.0)
        .collect())
}

/// Reads a message's `poll` object (any shape with an `id`) as a [`PollRef`]; null or a
/// malformed poll is no poll, never a lost message.
///
/// # Errors
/// Never: anything unreadable becomes `None`.
pub fn poll_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PollRef>, D::Error> {
    let raw = Option::<serde_json::Value>::deserialize(d)?;
    Ok(raw.and_then(|v| serde_json::from_value::<PollRef>(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_the_recorded_shape() {
        let body = r#"{"poll":{"id":"386901541682024448","message_id":"1578070455787458560","question":"Best colour?","created_by":"386896041988984832","created_at":1796311715820,"ends_at":1796315315820,"ended_at":null,"allow_multiple_choice":false,"results_visibility":"always","options":[{"id":"386901541686218752","poll_id":"386901541682024448","text":"red","position":0,"vote_count":null}],"total_votes":1,"is_ended":false},"options":[{"id":"386901541686218752","poll_id":"386901541682024448","text":"red","position":0,"vote_count":1}],"total_votes":1,"user_voted":true,"user_votes":["386901541686218752"]}"#;
        let r: PollResults = serde_json::from_str(body).expect("recorded results");
        assert_eq!(r.poll.options[0].vote_count, None);
        assert_eq!(r.options[0].vote_count, Some(1));
        assert_eq!(r.user_votes, vec!["386901541686218752".to_owned()]);
        assert_eq!(r.poll.ends_at, Some(1_796_315_315_820));
    }
}
