//! DMs and relationships (PROTOCOL.md §6).

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::api::types::{Ack, Relationship};
use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::model::Channel;

impl Api {
    /// `POST /users/@me/channels {recipient_id}` (returns the existing DM when there is one).
    ///
    /// # Errors
    /// `invalid_input` (a DM with yourself answers 500), …
    pub async fn open_dm(&self, recipient_id: &str) -> Result<Channel, ClientError> {
        self.call(
            Request::new(Method::POST, "/users/@me/channels")
                .json(json!({ "recipient_id": recipient_id }))
                .idempotent(),
        )
        .await
    }

    /// `GET /users/@me/channels` (may be empty even with DMs: remember them locally).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn dm_channels(&self) -> Result<Vec<Channel>, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/channels"))
            .await
    }

    /// `GET /relationships/@me`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn relationships(&self) -> Result<Vec<Relationship>, ClientError> {
        self.call(Request::new(Method::GET, "/relationships/@me"))
            .await
    }

    /// `POST /relationships {user_id}`: a friend request.
    ///
    /// # Errors
    /// `conflict` (already friends / sent), `forbidden` (blocked), …
    pub async fn send_friend_request(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.call(Request::new(Method::POST, "/relationships").json(json!({ "user_id": user_id })))
            .await
    }

    /// `PUT /relationships/{id}/accept`.
    ///
    /// # Errors
    /// `not_found` (friend request), …
    pub async fn accept_friend_request(&self, user_id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::PUT,
            format!("/relationships/{}/accept", seg(user_id)),
        ))
        .await
    }

    /// `DELETE /relationships/{id}`: unfriend, cancel, decline or unblock.
    ///
    /// # Errors
    /// `not_found` (relationship), …
    pub async fn remove_relationship(&self, user_id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::DELETE,
            format!("/relationships/{}", seg(user_id)),
        ))
        .await
    }

    /// `POST /relationships/block {user_id}`.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn block_user(&self, user_id: &str) -> Result<Relationship, ClientError> {
        self.call(
            Request::new(Method::POST, "/relationships/block")
                .json(json!({ "user_id": user_id }))
                .idempotent(),
        )
        .await
    }
}
