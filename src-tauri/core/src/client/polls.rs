//! Poll actions. A new poll is a message ("📊 Poll: …") sent with its poll inline (the
//! reference's `PollInlineCreateRequest`, which takes a duration too); votes and closes that the
//! server refuses come back as a [`PollUpdate`] with the refusal and the current results,
//! so the card always shows the truth next to the reason.

use super::Client;
use crate::error::ClientError;
use crate::model::Message;
use crate::poll::{
    refusal_of, NewPoll, PollResults, PollUpdate, MAX_DURATION_HOURS, MAX_OPTIONS, MAX_TEXT,
};
use crate::UiState;

/// The text of the message that carries a poll.
#[must_use]
pub fn poll_message_text(question: &str) -> String {
    format!("📊 Poll: {}", question.trim())
}

fn invalid(field: &str, message: &str) -> ClientError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        },
        "poll rejected locally",
    )
}

/// Trims the poll and checks what the server would refuse (and what does not fit a card).
///
/// # Errors
/// `invalid_input{question|options|duration_hours}`.
pub fn checked_poll(poll: &NewPoll) -> Result<NewPoll, ClientError> {
    let question = poll.question.trim().to_owned();
    if question.is_empty() {
        return Err(invalid("question", "Ask a question"));
    }
    if question.chars().count() > MAX_TEXT {
        return Err(invalid("question", "The question is too long"));
    }
    let mut options: Vec<String> = Vec::new();
    for o in poll
        .options
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
    {
        if o.chars().count() > MAX_TEXT {
            return Err(invalid("options", "An option is too long"));
        }
        if options.iter().any(|x| x == o) {
            return Err(invalid("options", "Two options say the same"));
        }
        options.push(o.to_owned());
    }
    if options.len() < 2 {
        return Err(invalid("options", "Give at least two options"));
    }
    if options.len() > MAX_OPTIONS {
        return Err(invalid("options", "At most 10 options"));
    }
    if poll
        .duration_hours
        .is_some_and(|h| h == 0 || h > MAX_DURATION_HOURS)
    {
        return Err(invalid("duration_hours", "A poll lasts 1 hour to 7 days"));
    }
    Ok(NewPoll {
        question,
        options,
        duration_hours: poll.duration_hours,
        allow_multiple_choice: poll.allow_multiple_choice,
    })
}

impl Client {
    /// Posts a poll in a channel: one message carrying it, so everyone's MESSAGE_CREATE
    /// shows the card at once.
    ///
    /// # Errors
    /// `invalid_input` (checked locally first), `forbidden`, `not_found{channel}`, …
    pub async fn create_poll(
        &self,
        channel_id: &str,
        poll: &NewPoll,
    ) -> Result<Message, ClientError> {
        let poll = checked_poll(poll)?;
        let content = poll_message_text(&poll.question);
        self.authed(self.inner.api.send_poll(channel_id, &content, &poll))
            .await
    }

    /// The poll's counts and the user's own votes.
    ///
    /// # Errors
    /// `not_found` (gone or not visible), …
    pub async fn poll_results(&self, poll_id: &str) -> Result<PollResults, ClientError> {
        self.authed(self.inner.api.poll_results(poll_id)).await
    }

    /// Votes for `option_ids` (one unless the poll allows several).
    ///
    /// # Errors
    /// Failures that are not a poll refusal (offline, rate limited, …); refusals come back
    /// inside the `Ok` with the current results.
    pub async fn vote_poll(
        &self,
        poll_id: &str,
        option_ids: &[String],
    ) -> Result<PollUpdate, ClientError> {
        if option_ids.is_empty() {
            return Err(invalid("option_ids", "Pick an option"));
        }
        match self
            .authed(self.inner.api.vote_poll(poll_id, option_ids))
            .await
        {
            Ok(results) => Ok(PollUpdate {
                results: Some(results),
                refusal: None,
            }),
            Err(e) => self.refused(poll_id, e).await,
        }
    }

    /// Closes the poll (its creator only); returns the final results.
    ///
    /// # Errors
    /// As [`Client::vote_poll`].
    pub async fn close_poll(&self, poll_id: &str) -> Result<PollUpdate, ClientError> {
        match self.authed(self.inner.api.close_poll(poll_id)).await {
            Ok(_) => Ok(PollUpdate {
                results: Some(self.poll_results(poll_id).await?),
                refusal: None,
            }),
            Err(e) => self.refused(poll_id, e).await,
        }
    }

    async fn refused(&self, poll_id: &str, e: ClientError) -> Result<PollUpdate, ClientError> {
        let Some(refusal) = refusal_of(&e) else {
            return Err(e);
        };
        tracing::info!(?refusal, "poll action refused");
        let results = match refusal {
            crate::poll::PollRefusal::NotFound => None,
            _ => self.poll_results(poll_id).await.ok(),
        };
        Ok(PollUpdate {
            results,
            refusal: Some(refusal),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(q: &str, options: &[&str], hours: Option<u32>) -> NewPoll {
        NewPoll {
            question: q.into(),
            options: options.iter().map(|s| (*s).to_owned()).collect(),
            duration_hours: hours,
            allow_multiple_choice: false,
        }
    }

    fn field(e: &ClientError) -> Option<String> {
        match &e.state {
            UiState::InvalidInput { field, .. } => field.clone(),
            _ => None,
        }
    }

    #[test]
    fn a_poll_is_checked_before_anything_is_posted() {
        let ok =
            checked_poll(&poll("  Lunch? ", &[" pizza ", "", "sushi"], Some(24))).expect("valid");
        assert_eq!(ok.question, "Lunch?");
        assert_eq!(ok.options, vec!["pizza", "sushi"]);
        let e = checked_poll(&poll("Lunch?", &["pizza", " "], None)).expect_err("one option");
        assert_eq!(field(&e).as_deref(), Some("options"));
        let e = checked_poll(&poll(" ", &["a", "b"], None)).expect_err("no question");
        assert_eq!(field(&e).as_deref(), Some("question"));
        let e = checked_poll(&poll("q", &["a", "a"], None)).expect_err("duplicates");
        assert_eq!(field(&e).as_deref(), Some("options"));
        let e = checked_poll(&poll("q", &["a", "b"], Some(0))).expect_err("zero hours");
        assert_eq!(field(&e).as_deref(), Some("duration_hours"));
    }
}
