//! Attachment upload (multipart field `file`, 10 MiB) and authenticated download.
//!
//! Quirk kept from the reference: PNG and JPEG uploads are reported as `image/webp` (it
//! re-encodes them); the devserver keeps the original bytes.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Auth, ChannelId, PathIds};
use crate::http::MAX_BODY;
use crate::ids::random_hex;
use crate::store::Attachment;
use axum::body::Body;
use axum::extract::{Multipart, Path, RawPathParams};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Upload and download routes.
pub(crate) fn routes() -> R {
    R::new()
        .route("/channels/{channel_id}/attachments", post(upload))
        .route("/media/attachments/{filename}", get(download))
}

const BLOCKED_EXTENSIONS: &[&str] = &[
    "exe", "bat", "cmd", "com", "scr", "msi", "dll", "ps1", "vbs", "jar",
];

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

async fn upload(
    st: St,
    auth: Auth,
    // Raw segments, parsed after `Multipart` has checked the content type, as before.
    segments: RawPathParams,
    mut multipart: Multipart,
) -> ApiResult {
    let ChannelId(id) = ChannelId::parse(Some(&segments))?;
    st.lock().visible_channel(id, auth.user_id)?;
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload.bin").to_owned();
                let ct = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let data = field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::new(400, "Invalid request"))?;
                file = Some((name, ct, data));
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return Err(ApiError::new(400, "Invalid request")),
        }
    }
    let (name, ct, data) = file.ok_or_else(|| ApiError::invalid("file", "Field required"))?;
    let ext = extension(&name);
    if BLOCKED_EXTENSIONS.contains(&ext.as_str()) || data.starts_with(b"MZ") {
        return Err(ApiError::new(400, format!("File type not allowed: .{ext}")));
    }
    if data.len() > MAX_BODY {
        return Err(ApiError::new(400, "File too large"));
    }
    let content_type = match ct.as_str() {
        "image/png" | "image/jpeg" => "image/webp".to_owned(),
        _ => ct,
    };
    let hash: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored_name = if ext.is_empty() {
        random_hex(8)
    } else {
        format!("{}.{ext}", random_hex(8))
    };
    let url = format!("/api/v1/media/attachments/{stored_name}");
    let mut world = st.lock();
    let att = Attachment {
        id: world.ids.next(),
        filename: name,
        content_type,
        bytes: data,
        hash,
        url,
    };
    world.attachments.insert(stored_name, att.clone());
    Ok(Json(json!({
        "id": att.id.to_string(),
        "filename": att.filename,
        "size": att.bytes.len(),
        "content_type": att.content_type,
        "url": att.url,
        "hash": att.hash,
        "thumbnails": null,
    })))
}

async fn download(st: St, _auth: Auth, Path(filename): Path<String>) -> Result<Response, ApiError> {
    let att = st
        .lock()
        .attachments
        .get(&filename)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Attachment"))?;
    let etag = format!("\"{}-{}\"", att.id, att.bytes.len());
    Ok((
        [
            (header::CONTENT_TYPE, att.content_type.clone()),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
            (header::ETAG, etag),
            (header::ACCEPT_RANGES, "bytes".to_owned()),
            (header::VARY, "Origin, Range".to_owned()),
            (
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                crate::http::EXPOSE_HEADERS.to_owned(),
            ),
        ],
        Body::from(att.bytes),
    )
        .into_response())
}
