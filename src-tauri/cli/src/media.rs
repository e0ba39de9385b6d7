//! `plexi upload FILE --channel ID` and `plexi avatar set|remove`.
//!
//! An upload prints `{"progress":{"sent":…,"total":…}}` lines as the file goes out (about one
//! per 10 %), then the posted message as the result. The size limit is checked before the
//! first byte is sent.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use clap::Subcommand;
use plexichat_core::api::types::{AttachmentRef, NewMessage};
use plexichat_core::client::megabytes;
use plexichat_core::{Client, ClientError, UiState};
use serde_json::{json, Value};

use crate::{print_line, to_value, CommandError};

/// `plexi avatar <action>`.
#[derive(Debug, Subcommand)]
pub(crate) enum AvatarCommand {
    /// Upload FILE (PNG, JPEG, GIF or WebP, at most 5 MB) as your avatar. Crop it to a square
    /// first: the desktop app crops and scales for you.
    Set {
        /// The image.
        file: PathBuf,
    },
    /// Remove your avatar (others see the generated placeholder).
    Remove,
}

fn too_large(what: &str, limit: u64) -> CommandError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some("file".into()),
            message: format!("{what} is too large ({} at most)", megabytes(limit)),
        },
        "file too large",
    )
    .into()
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))
}

/// `plexi avatar …`.
pub(crate) async fn avatar(client: &Client, cmd: AvatarCommand) -> Result<Value, CommandError> {
    match cmd {
        AvatarCommand::Set { file } => {
            let limits = client.upload_limits().await?;
            let size = std::fs::metadata(&file)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?
                .len();
            if size > limits.max_avatar_bytes {
                return Err(too_large("The image", limits.max_avatar_bytes));
            }
            let bytes = read(&file)?;
            Ok(to_value(&client.set_avatar(bytes.into()).await?))
        }
        AvatarCommand::Remove => {
            client.remove_avatar().await?;
            Ok(json!({ "removed": true }))
        }
    }
}

/// `plexi upload FILE --channel ID [--text T]`.
pub(crate) async fn upload(
    client: &Client,
    file: &Path,
    channel: &str,
    text: Option<String>,
) -> Result<Value, CommandError> {
    let limits = client.upload_limits().await?;
    let size = std::fs::metadata(file)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?
        .len();
    if size > limits.max_file_bytes {
        return Err(too_large("The file", limits.max_file_bytes));
    }
    let bytes = read(file)?;
    let filename = plexichat_core::media::clean_filename(&file.to_string_lossy());
    let mime = plexichat_core::media::mime_for_filename(&filename);
    let last = Arc::new(AtomicU64::new(u64::MAX));
    let progress = plexichat_core::api::UploadProgress(Arc::new(move |sent: u64, total: u64| {
        let tenth = sent.saturating_mul(10) / total.max(1);
        if last.swap(tenth, Ordering::Relaxed) != tenth {
            print_line(&json!({ "progress": { "sent": sent, "total": total } }));
        }
    }));
    let attachment = client
        .upload_attachment_with_progress(channel, &filename, mime, bytes.into(), Some(progress))
        .await?;
    let msg = NewMessage {
        content: text.unwrap_or_default(),
        attachments: vec![AttachmentRef::from(&attachment)],
        ..NewMessage::default()
    };
    Ok(to_value(&client.send_message(channel, &msg).await?))
}
