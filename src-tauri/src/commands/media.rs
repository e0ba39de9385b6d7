//! Upload limits and avatars. Avatar images come through the core (the webview never loads a
//! remote image) as `data:` URLs; an account without an uploaded avatar gets `None`, and the
//! UI draws its own placeholder.

use base64::Engine as _;
use plexichat_core::media::{AvatarSaved, UploadLimits};
use plexichat_core::UiState;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::commands::chat::UserArgs;
use crate::ipc::{IpcError, IpcResult};
use crate::session::Sessions;

/// Arguments of `set_avatar`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AvatarArgs {
    /// The cropped and scaled image (PNG from the page's canvas), base64.
    pub data_base64: String,
}

/// What this account may upload (said before an upload starts).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn upload_limits(sessions: State<'_, Sessions>) -> IpcResult<UploadLimits> {
    Ok(sessions.client().await?.upload_limits().await?)
}

/// Sets this account's avatar.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn set_avatar(sessions: State<'_, Sessions>, args: AvatarArgs) -> IpcResult<AvatarSaved> {
    // Checked before decoding: base64 is 4 characters per 3 bytes.
    let max = plexichat_core::media::AVATAR_MAX_BYTES;
    if args.data_base64.len() as u64 > max.div_ceil(3) * 4 {
        return Err(IpcError::failed(
            UiState::InvalidInput {
                field: Some("file".into()),
                message: "The image is too large (5 MB at most).".into(),
            },
            "refused before sending",
        ));
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&args.data_base64) else {
        return Err(IpcError::invalid_argument("the image could not be read"));
    };
    Ok(sessions.client().await?.set_avatar(bytes.into()).await?)
}

/// Removes this account's avatar.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn remove_avatar(sessions: State<'_, Sessions>) -> IpcResult<()> {
    Ok(sessions.client().await?.remove_avatar().await?)
}

/// A user's uploaded avatar as a `data:` URL, or `None` when they have none.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn fetch_avatar(
    sessions: State<'_, Sessions>,
    args: UserArgs,
) -> IpcResult<Option<String>> {
    let image = sessions.client().await?.avatar(&args.user_id).await?;
    Ok(image.map(|i| {
        format!(
            "data:{};base64,{}",
            i.mime,
            base64::engine::general_purpose::STANDARD.encode(&i.bytes)
        )
    }))
}

/// Arguments of `fetch_embed_image`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct EmbedImageArgs {
    /// The embed's `image_url`, as the server sent it.
    pub url: String,
}

/// A link embed's image as a `data:` URL: fetched by the core without the session's token
/// (the host is usually a third party), PNG, JPEG, GIF or WebP only, at most 5 MiB.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug))]
pub async fn fetch_embed_image(
    sessions: State<'_, Sessions>,
    args: EmbedImageArgs,
) -> IpcResult<String> {
    Ok(sessions.client().await?.embed_image(&args.url).await?)
}

/// Arguments of `set_notification_level`.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NotifyLevelArgs {
    /// Which messages notify from now on.
    pub level: crate::desktop::NotifyLevel,
}

/// Sets which messages raise a desktop notification (the UI syncs the choice with the
/// account's settings and calls this at start and on change).
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn set_notification_level(
    notifier: State<'_, crate::desktop::Notifier>,
    args: NotifyLevelArgs,
) -> IpcResult<()> {
    notifier.set_level(args.level);
    Ok(())
}
