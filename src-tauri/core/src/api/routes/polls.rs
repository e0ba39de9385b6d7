//! Polls (shared/recorded/messaging.txt, "polls"; gateway-events.txt for the inline poll).

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::api::{Api, Request};
use crate::error::{Action, ClientError};
use crate::model::Message;
use crate::poll::{NewPoll, Poll, PollResults};

impl Api {
    /// `POST /channels/{id}/messages {content, poll}`: a message with its poll, in one
    /// request (the answer and the gateway's MESSAGE_CREATE both carry the poll).
    ///
    /// # Errors
    /// `invalid_input` (options), `content_rejected`, `forbidden`, `not_found{channel}`, …
    pub async fn send_poll(
        &self,
        channel_id: &str,
        content: &str,
        poll: &NewPoll,
    ) -> Result<Message, ClientError> {
        let mut inline = json!({
            "question": poll.question,
            "options": poll.options,
            "allow_multiple_choice": poll.allow_multiple_choice,
        });
        if let Some(hours) = poll.duration_hours {
            inline["duration_hours"] = json!(hours);
        }
        self.call(
            Request::new(
                Method::POST,
                format!("/channels/{}/messages", seg(channel_id)),
            )
            .json(json!({ "content": content, "poll": inline }))
            .action(Action::SendMessage),
        )
        .await
    }

    /// `GET /polls/{id}`.
    ///
    /// # Errors
    /// 404 `Poll not found` (also for non-members), …
    pub async fn poll(&self, poll_id: &str) -> Result<Poll, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/polls/{}", seg(poll_id)),
        ))
        .await
    }

    /// `GET /polls/{id}/results`: counts and the caller's own votes.
    ///
    /// # Errors
    /// 404 `Poll not found`, …
    pub async fn poll_results(&self, poll_id: &str) -> Result<PollResults, ClientError> {
        self.call(Request::new(
            Method::GET,
            format!("/polls/{}/results", seg(poll_id)),
        ))
        .await
    }

    /// `POST /polls/{id}/vote {option_ids}`. Not repeated on a lost answer: a second vote is
    /// refused as "already voted", which the client then reads as the results.
    ///
    /// # Errors
    /// 400 ended / already voted / single choice / invalid option, 404, …
    pub async fn vote_poll(
        &self,
        poll_id: &str,
        option_ids: &[String],
    ) -> Result<PollResults, ClientError> {
        self.call(
            Request::new(Method::POST, format!("/polls/{}/vote", seg(poll_id)))
                .json(json!({ "option_ids": option_ids })),
        )
        .await
    }

    /// `POST /polls/{id}/close` (creator only).
    ///
    /// # Errors
    /// 403 not the creator, 400 already ended, 404, …
    pub async fn close_poll(&self, poll_id: &str) -> Result<Poll, ClientError> {
        self.call(Request::new(Method::POST, format!("/polls/{}/close", seg(poll_id))).idempotent())
            .await
    }
}
