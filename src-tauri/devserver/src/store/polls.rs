//! Polls as the reference keeps them (messaging.txt "polls", gateway-events.txt): created
//! inline with a message, one vote per user (no changing it), closed by their creator only.

use super::World;
use crate::error::ApiError;
use crate::ids::now_ms;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A poll, attached to one message.
#[derive(Debug, Clone)]
pub(crate) struct Poll {
    pub(crate) id: u64,
    pub(crate) message_id: u64,
    pub(crate) channel_id: u64,
    pub(crate) question: String,
    pub(crate) created_by: u64,
    pub(crate) created_at: u64,
    pub(crate) ends_at: Option<u64>,
    pub(crate) ended_at: Option<u64>,
    pub(crate) multiple: bool,
    /// (option id, text), in position order.
    pub(crate) options: Vec<(u64, String)>,
    /// Per voter, the options they chose.
    pub(crate) votes: BTreeMap<u64, Vec<u64>>,
}

/// A poll read from a request body, before it has ids.
#[derive(Debug, Clone)]
pub(crate) struct PollSpec {
    question: String,
    options: Vec<String>,
    duration_hours: Option<u64>,
    multiple: bool,
}

/// Reads `{question, options, duration_hours?, allow_multiple_choice?}` with the reference's
/// pydantic-style refusals.
///
/// # Errors
/// 400 `Invalid <field>: …`.
pub(crate) fn parse_spec(body: &Map<String, Value>) -> Result<PollSpec, ApiError> {
    let question = match body.get("question") {
        None => return Err(ApiError::invalid("question", "Field required")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(ApiError::invalid(
                "question",
                "Input should be a valid string",
            ))
        }
    };
    let n = question.chars().count();
    if n == 0 {
        return Err(ApiError::invalid(
            "question",
            "String should have at least 1 character",
        ));
    }
    if n > 300 {
        return Err(ApiError::invalid(
            "question",
            "String should have at most 300 characters",
        ));
    }
    let options: Vec<String> = match body.get("options") {
        None => return Err(ApiError::invalid("options", "Field required")),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| ApiError::invalid("options", "Input should be a valid string"))?,
        Some(_) => return Err(ApiError::invalid("options", "Input should be a valid list")),
    };
    if options.len() < 2 {
        return Err(ApiError::invalid(
            "options",
            &format!(
                "List should have at least 2 items after validation, not {}",
                options.len()
            ),
        ));
    }
    if options.len() > 10 {
        return Err(ApiError::invalid(
            "options",
            &format!(
                "List should have at most 10 items after validation, not {}",
                options.len()
            ),
        ));
    }
    let duration_hours = match body.get("duration_hours") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(h) if (1..=168).contains(&h) => Some(h),
            Some(0) => {
                return Err(ApiError::invalid(
                    "duration_hours",
                    "Input should be greater than or equal to 1",
                ))
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "duration_hours",
                    "Input should be less than or equal to 168",
                ))
            }
            None => {
                return Err(ApiError::invalid(
                    "duration_hours",
                    "Input should be a valid integer",
                ))
            }
        },
    };
    let multiple = body
        .get("allow_multiple_choice")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(PollSpec {
        question,
        options,
        duration_hours,
        multiple,
    })
}

impl Poll {
    fn is_ended(&self, now: u64) -> bool {
        self.ended_at.is_some() || self.ends_at.is_some_and(|e| e <= now)
    }

    fn total(&self) -> usize {
        self.votes.values().map(Vec::len).sum()
    }

    fn options_json(&self, counted: bool) -> Vec<Value> {
        self.options
            .iter()
            .enumerate()
            .map(|(pos, (id, text))| {
                let count = counted.then(|| self.votes.values().filter(|v| v.contains(id)).count());
                json!({
                    "id": id.to_string(),
                    "poll_id": self.id.to_string(),
                    "text": text,
                    "position": pos,
                    "vote_count": count,
                })
            })
            .collect()
    }

    /// The bare poll: `vote_count` is always null here, as on the reference.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "message_id": self.message_id.to_string(),
            "question": self.question,
            "created_by": self.created_by.to_string(),
            "created_at": self.created_at,
            "ends_at": self.ends_at,
            "ended_at": self.ended_at,
            "allow_multiple_choice": self.multiple,
            "results_visibility": "always",
            "options": self.options_json(false),
            "total_votes": self.total(),
            "is_ended": self.is_ended(now_ms()),
        })
    }

    /// Results as `viewer` sees them (their own votes; none for a broadcast).
    pub(crate) fn results_json(&self, viewer: Option<u64>) -> Value {
        let mine: Vec<String> = viewer
            .and_then(|v| self.votes.get(&v))
            .map(|o| o.iter().map(u64::to_string).collect())
            .unwrap_or_default();
        json!({
            "poll": self.to_json(),
            "options": self.options_json(true),
            "total_votes": self.total(),
            "user_voted": !mine.is_empty(),
            "user_votes": mine,
        })
    }
}

impl World {
    /// Creates the poll of message `message_id` (called before the message is dispatched).
    pub(crate) fn attach_poll(
        &mut self,
        message_id: u64,
        channel_id: u64,
        author: u64,
        spec: PollSpec,
    ) -> u64 {
        let id = self.ids.next();
        let created_at = now_ms();
        let options = spec
            .options
            .into_iter()
            .map(|text| (self.ids.next(), text))
            .collect();
        let poll = Poll {
            id,
            message_id,
            channel_id,
            question: spec.question,
            created_by: author,
            created_at,
            ends_at: spec.duration_hours.map(|h| created_at + h * 3_600_000),
            ended_at: None,
            multiple: spec.multiple,
            options,
            votes: BTreeMap::new(),
        };
        self.polls.insert(id, poll);
        id
    }

    /// The poll of a message, if it has one.
    pub(crate) fn poll_of_message(&self, message_id: u64) -> Option<&Poll> {
        self.polls.values().find(|p| p.message_id == message_id)
    }

    /// A poll `user` can see: 404 `Poll not found` otherwise (also for non-members).
    pub(crate) fn visible_poll(&self, poll_id: u64, user: u64) -> Result<&Poll, ApiError> {
        self.polls
            .get(&poll_id)
            .filter(|p| self.channel_audience(p.channel_id).contains(&user))
            .ok_or_else(|| ApiError::not_found("Poll"))
    }

    /// Records `user`'s vote, with the reference's refusals in its order.
    pub(crate) fn vote_poll(
        &mut self,
        poll_id: u64,
        user: u64,
        option_ids: &[u64],
    ) -> Result<&Poll, ApiError> {
        let now = now_ms();
        self.visible_poll(poll_id, user)?;
        let poll = self
            .polls
            .get_mut(&poll_id)
            .ok_or_else(|| ApiError::not_found("Poll"))?;
        if poll.is_ended(now) {
            return Err(ApiError::new(400, "Poll has ended"));
        }
        if option_ids.len() > 1 && !poll.multiple {
            return Err(ApiError::new(
                400,
                "This poll does not allow multiple choice voting",
            ));
        }
        if !option_ids
            .iter()
            .all(|o| poll.options.iter().any(|(id, _)| id == o))
        {
            return Err(ApiError::new(
                400,
                "One or more selected options are invalid for this poll",
            ));
        }
        if poll.votes.contains_key(&user) {
            return Err(ApiError::new(
                400,
                "User has already voted on this poll; call change_vote() to revise the selection",
            ));
        }
        let mut chosen = option_ids.to_vec();
        chosen.dedup();
        poll.votes.insert(user, chosen);
        Ok(poll)
    }

    /// Closes a poll: its creator only, once.
    pub(crate) fn close_poll(&mut self, poll_id: u64, user: u64) -> Result<&Poll, ApiError> {
        let now = now_ms();
        self.visible_poll(poll_id, user)?;
        let poll = self
            .polls
            .get_mut(&poll_id)
            .ok_or_else(|| ApiError::not_found("Poll"))?;
        if poll.created_by != user {
            return Err(ApiError::new(403, "Only poll creator can close the poll"));
        }
        if poll.is_ended(now) {
            return Err(ApiError::new(400, "Poll has already ended"));
        }
        poll.ended_at = Some(now);
        Ok(poll)
    }
}
