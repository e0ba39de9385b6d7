//! Bookmarks and notifications (shared/recorded/messaging.txt, "bookmarks", "notifications").

use reqwest::Method;
use serde_json::json;

use super::seg;
use crate::api::types::Ack;
use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::saved::{Bookmark, BookmarkPage, NotificationPage, SavedBookmark, ServerNotification};

impl Api {
    /// `GET /features/bookmarks?limit=`: the caller's bookmarks, newest first.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn bookmarks(&self, limit: u32) -> Result<Vec<Bookmark>, ClientError> {
        let page: BookmarkPage = self
            .call(
                Request::new(Method::GET, "/features/bookmarks")
                    .query("limit", limit.clamp(1, 100)),
            )
            .await?;
        Ok(page.bookmarks)
    }

    /// `POST /features/bookmarks {message_id, conversation_id, label}`: an upsert, so it is
    /// safe to repeat after a lost answer.
    ///
    /// # Errors
    /// `invalid_input`, …
    pub async fn add_bookmark(
        &self,
        channel_id: &str,
        message_id: &str,
        label: Option<&str>,
    ) -> Result<Bookmark, ClientError> {
        let saved: SavedBookmark = self
            .call(
                Request::new(Method::POST, "/features/bookmarks")
                    .json(json!({
                        "message_id": message_id,
                        "conversation_id": channel_id,
                        "label": label,
                    }))
                    .idempotent(),
            )
            .await?;
        Ok(saved.bookmark)
    }

    /// `DELETE /features/bookmarks/{message_id}` (200 even when nothing was saved).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn remove_bookmark(&self, message_id: &str) -> Result<Ack, ClientError> {
        self.call(Request::new(
            Method::DELETE,
            format!("/features/bookmarks/{}", seg(message_id)),
        ))
        .await
    }

    /// `GET /users/@me/notifications?limit=` (always empty on the reference today).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn notifications(&self, limit: u32) -> Result<Vec<ServerNotification>, ClientError> {
        let page: NotificationPage = self
            .call(
                Request::new(Method::GET, "/users/@me/notifications")
                    .query("limit", limit.clamp(1, 100)),
            )
            .await?;
        Ok(page.notifications)
    }
}
