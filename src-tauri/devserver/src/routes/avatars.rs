//! User avatars and the account's feature tier (account.txt "avatars" and "features").
//!
//! Quirks kept from the reference: every avatar URL answers 200, with a generated 128×128 SVG
//! placeholder (`max-age=3600`) when nothing was uploaded; avatars are public (no token);
//! two equivalent upload routes; the stored image keeps the fixed per-user URL.

use super::{St, R};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Auth, UserId};
use crate::wire;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Routes of this area.
pub(crate) fn routes() -> R {
    R::new()
        .route("/users/@me/avatar", post(upload))
        .route("/avatars/users/@me", post(upload).delete(remove))
        .route("/avatars/users/{user_id}", get(avatar))
        .route("/users/@me/features", get(features))
}

/// Width and height of a PNG (from its header); other formats answer 0 here.
fn png_size(data: &[u8]) -> (u32, u32) {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        (w, h)
    } else {
        (0, 0)
    }
}

async fn upload(st: St, auth: Auth, mut multipart: axum::extract::Multipart) -> ApiResult {
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let ct = field.content_type().unwrap_or_default().to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|_| ApiError::new(400, "Invalid request"))?;
        file = Some((ct, data));
    }
    let (ct, data) = file.ok_or_else(|| ApiError::invalid("file", "Field required"))?;
    if !ct.starts_with("image/") || ct == "image/svg+xml" {
        return Err(ApiError::new(400, "File must be an image"));
    }
    if data.len() > 5 * 1024 * 1024 {
        return Err(ApiError::new(400, "File too large"));
    }
    let (width, height) = png_size(&data);
    let size = data.len();
    st.lock().avatars.insert(auth.user_id, (ct, data));
    Ok(Json(json!({
        "success": true,
        "avatar_url": wire::avatar_url(auth.user_id),
        "width": width,
        "height": height,
        "size": size,
        "animated": false,
    })))
}

async fn remove(st: St, auth: Auth) -> ApiResult {
    st.lock().avatars.remove(&auth.user_id);
    Ok(Json(json!({"success": true, "message": null})))
}

/// The generated placeholder: a coloured square with the first letter of the name.
fn placeholder(user_id: u64, name: &str) -> String {
    const COLORS: [&str; 6] = [
        "#e94560", "#4ade80", "#fbbf24", "#60a5fa", "#a78bfa", "#f472b6",
    ];
    let color = COLORS[usize::try_from(user_id % 6).unwrap_or(0)];
    let letter: String = name
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into());
    format!(
        "<svg width=\"128\" height=\"128\" xmlns=\"http://www.w3.org/2000/svg\">\
         <rect width=\"128\" height=\"128\" fill=\"{color}\"/>\
         <text x=\"64\" y=\"84\" font-size=\"56\" text-anchor=\"middle\" fill=\"#fff\">{letter}</text></svg>"
    )
}

/// Public: no token needed. Unknown users get a placeholder too.
async fn avatar(st: St, UserId(user_id): UserId) -> Response {
    let world = st.lock();
    let (ct, data, max_age) = match world.avatars.get(&user_id) {
        Some((ct, data)) => (ct.clone(), data.to_vec(), 86_400),
        None => {
            let name = world
                .users
                .get(&user_id)
                .map(|u| u.username.clone())
                .unwrap_or_default();
            (
                "image/svg+xml".to_owned(),
                placeholder(user_id, &name).into_bytes(),
                3_600,
            )
        }
    };
    let etag: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (
        [
            ("content-type", ct),
            ("cache-control", format!("public, max-age={max_age}")),
            ("etag", format!("\"{etag}\"")),
            ("access-control-allow-origin", "*".to_owned()),
            ("cross-origin-resource-policy", "cross-origin".to_owned()),
        ],
        data,
    )
        .into_response()
}

/// New accounts are alpha testers with the alpha tier's limits.
async fn features(_auth: Auth) -> ApiResult {
    Ok(Json(json!({
        "badges": [{"name": "alpha_tester", "display_name": "Alpha Tester",
            "description": "Participated in Plexichat alpha testing", "icon": "🧪", "color": "#9333ea"}],
        "tier": "alpha",
        "tier_limits": {"name": "alpha", "multiplier": 2.0, "max_voice_minutes_per_day": 480,
            "max_video_minutes_per_day": 240, "max_file_uploads_per_day": 200, "max_file_size_mb": 25,
            "max_servers": 200, "max_message_length": 4000, "max_reactions_per_message": 50,
            "max_pins_per_channel": 100, "custom_emoji_slots": 100},
    })))
}
