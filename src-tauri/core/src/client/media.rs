//! Attachments with progress, upload limits and avatars.

use super::Client;
use crate::error::ClientError;
use crate::media::{sniff_image, AvatarImage, AvatarSaved, UploadLimits, AVATAR_TYPES};
use crate::model::Attachment;
use crate::UiState;

fn refused(field: &str, message: String, why: &'static str) -> ClientError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some(field.into()),
            message,
        },
        why,
    )
}

/// "10 MB" for a byte count (whole megabytes, as the limit is said).
#[must_use]
pub fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes / (1024 * 1024))
}

impl Client {
    /// What this account may upload: the tier's file size capped by the server's body limit.
    /// A server without the features route gets the body limit.
    ///
    /// # Errors
    /// Offline and the like; a 404 from an older server is not an error.
    pub async fn upload_limits(&self) -> Result<UploadLimits, ClientError> {
        match self.authed(self.inner.api.features()).await {
            Ok(f) => Ok(UploadLimits::for_tier(
                f.tier_limits.and_then(|t| t.max_file_size_mb),
            )),
            Err(e) if matches!(e.state, UiState::NotFound { .. }) => {
                Ok(UploadLimits::for_tier(None))
            }
            Err(e) => Err(e),
        }
    }

    /// Uploads a file, telling `progress` how many bytes went out; checked against `limit`
    /// first, so a too-large file is refused before a byte is sent.
    ///
    /// # Errors
    /// `invalid_input{file}` when too large, and whatever the upload answers.
    pub async fn upload_attachment_with_progress(
        &self,
        channel_id: &str,
        filename: &str,
        mime: &str,
        bytes: bytes::Bytes,
        progress: Option<crate::api::UploadProgress>,
    ) -> Result<Attachment, ClientError> {
        let limit = UploadLimits::for_tier(None).max_file_bytes;
        if bytes.len() as u64 > limit {
            return Err(refused(
                "file",
                format!("File too large ({} at most)", megabytes(limit)),
                "file too large",
            ));
        }
        self.authed(
            self.inner
                .api
                .upload_attachment(channel_id, filename, mime, bytes, progress),
        )
        .await
    }

    /// Sets this account's avatar to an image the app already cropped and scaled.
    ///
    /// # Errors
    /// `invalid_input{file}` for a type or size the server refuses (checked here first), …
    pub async fn set_avatar(&self, bytes: bytes::Bytes) -> Result<AvatarSaved, ClientError> {
        let Some(mime) = sniff_image(&bytes).filter(|m| AVATAR_TYPES.contains(m)) else {
            return Err(refused(
                "file",
                "Choose a PNG, JPEG, GIF or WebP image.".into(),
                "avatar is not an image",
            ));
        };
        let max = crate::media::AVATAR_MAX_BYTES;
        if bytes.len() as u64 > max {
            return Err(refused(
                "file",
                format!("The image is too large ({} at most).", megabytes(max)),
                "avatar too large",
            ));
        }
        let ext = mime.trim_start_matches("image/");
        self.authed(
            self.inner
                .api
                .upload_avatar(&format!("avatar.{ext}"), mime, bytes),
        )
        .await
    }

    /// Removes this account's avatar (others see the generated placeholder again).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn remove_avatar(&self) -> Result<(), ClientError> {
        self.authed(self.inner.api.delete_avatar()).await.map(drop)
    }

    /// A user's uploaded avatar, or `None` when they have none (the server's SVG
    /// placeholder; the app draws its own).
    ///
    /// # Errors
    /// Any classified failure.
    pub async fn avatar(&self, user_id: &str) -> Result<Option<AvatarImage>, ClientError> {
        let bytes = self.authed(self.inner.api.avatar(user_id)).await?;
        Ok(sniff_image(&bytes).map(|mime| AvatarImage { mime, bytes }))
    }
}
