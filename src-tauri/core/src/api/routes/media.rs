//! Avatars and upload limits (account.txt "avatars" and "features").

use reqwest::Method;

use super::seg;
use crate::api::types::Ack;
use crate::api::{Api, Request};
use crate::error::ClientError;
use crate::media::{AvatarSaved, Features};

impl Api {
    /// `GET /users/@me/features`: badges, tier and the tier's limits.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn features(&self) -> Result<Features, ClientError> {
        self.call(Request::new(Method::GET, "/users/@me/features"))
            .await
    }

    /// `POST /users/@me/avatar`, multipart field `file`.
    ///
    /// # Errors
    /// `invalid_input` (400 `File must be an image`), …
    pub async fn upload_avatar(
        &self,
        filename: &str,
        mime: &str,
        bytes: bytes::Bytes,
    ) -> Result<AvatarSaved, ClientError> {
        self.call(Request::new(Method::POST, "/users/@me/avatar").file(
            filename.to_owned(),
            mime.to_owned(),
            bytes,
        ))
        .await
    }

    /// `DELETE /avatars/users/@me`: back to the generated placeholder.
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn delete_avatar(&self) -> Result<Ack, ClientError> {
        self.call(Request::new(Method::DELETE, "/avatars/users/@me"))
            .await
    }

    /// `GET /avatars/users/{id}`: the image, or the SVG placeholder (public, always 200).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn avatar(&self, user_id: &str) -> Result<bytes::Bytes, ClientError> {
        self.send(
            Request::new(Method::GET, format!("/avatars/users/{}", seg(user_id))).idempotent(),
        )
        .await
    }
}
