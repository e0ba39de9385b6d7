//! Files and avatars: what the server lets this account upload, and its avatar images
//! (account.txt "avatars", chat.txt "upload attachment", startup.txt capabilities).
//!
//! Quirks handled here: an avatar URL always answers, with a generated SVG placeholder when
//! nothing was uploaded, so "has an avatar" is decided from the bytes, never from
//! `avatar_url`; the tier's `max_file_size_mb` (25) is larger than the body the server takes
//! (10 MiB, PROTOCOL.md §1), so the smaller of the two is the limit said to the user.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The most the reference takes in one request body (larger answers 413).
pub const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// Avatar files the reference accepts (startup.txt `capabilities.avatars`).
pub const AVATAR_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// The largest avatar file the reference accepts (`capabilities.avatars.max_file_size`).
pub const AVATAR_MAX_BYTES: u64 = 5 * 1024 * 1024;

/// The edge the reference scales avatars to at most (`capabilities.avatars.max_size`): the
/// app crops and scales to this before uploading, so nothing larger ever leaves the machine.
pub const AVATAR_EDGE: u32 = 512;

/// What this account may upload, said before an upload starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UploadLimits {
    /// Largest attachment in bytes.
    #[ts(type = "number")]
    pub max_file_bytes: u64,
    /// Largest avatar file in bytes.
    #[ts(type = "number")]
    pub max_avatar_bytes: u64,
    /// Edge, in pixels, avatars are cropped and scaled to before upload.
    pub avatar_edge: u32,
}

impl UploadLimits {
    /// The limits for a tier that allows `max_file_size_mb` (none known: the body limit).
    #[must_use]
    pub fn for_tier(max_file_size_mb: Option<u64>) -> Self {
        let tier = max_file_size_mb.map_or(MAX_BODY_BYTES, |mb| mb.saturating_mul(1024 * 1024));
        Self {
            max_file_bytes: tier.min(MAX_BODY_BYTES),
            max_avatar_bytes: AVATAR_MAX_BYTES,
            avatar_edge: AVATAR_EDGE,
        }
    }
}

/// `GET /users/@me/features` (only the part the app reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Features {
    /// The tier's limits.
    #[serde(default)]
    pub tier_limits: Option<TierLimits>,
}

/// `tier_limits` of `GET /users/@me/features`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TierLimits {
    /// Largest upload in MB (25 for alpha testers).
    #[serde(default)]
    pub max_file_size_mb: Option<u64>,
}

/// The answer of an avatar upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AvatarSaved {
    /// The fixed per-user path (the same before and after: caches must be bust by the app).
    pub avatar_url: String,
    /// Stored width.
    #[serde(default)]
    pub width: u32,
    /// Stored height.
    #[serde(default)]
    pub height: u32,
    /// Stored size in bytes (re-encoded by the server).
    #[serde(default)]
    #[ts(type = "number")]
    pub size: u64,
}

/// An uploaded avatar image, fetched by the core (the webview never loads remote images).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarImage {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`, from the bytes themselves.
    pub mime: &'static str,
    /// The image.
    pub bytes: bytes::Bytes,
}

/// The raster image type of `bytes` from its signature; `None` for anything else (the SVG
/// placeholder, text, an error page).
#[must_use]
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The type the server is told, from the file name (the server re-checks the bytes).
#[must_use]
pub fn mime_for_filename(filename: &str) -> &'static str {
    let ext = filename
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "md" | "log" => "text/plain",
        "pdf" => "application/pdf",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The last path component of a picked file's name, without control characters: the name
/// others see, which must not carry the uploader's folders or break a header.
#[must_use]
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".to_owned()
    } else {
        clean.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_picked_file_name_cannot_carry_a_path_or_control_characters() {
        use super::clean_filename;
        assert_eq!(clean_filename("cat.png"), "cat.png");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\me\\a b.txt"), "a b.txt");
        assert_eq!(clean_filename("evil\nname.txt"), "evilname.txt");
        assert_eq!(clean_filename(".."), "file");
        assert_eq!(clean_filename(""), "file");
    }

    #[test]
    fn the_type_told_follows_the_extension_in_any_case() {
        use super::mime_for_filename;
        assert_eq!(mime_for_filename("a.PNG"), "image/png");
        assert_eq!(mime_for_filename("notes.md"), "text/plain");
        assert_eq!(mime_for_filename("noext"), "application/octet-stream");
    }

    use super::*;

    #[test]
    fn images_are_known_by_their_bytes_and_the_placeholder_is_not_one() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\x3c\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg width=\"128\""), None);
        assert_eq!(sniff_image(b""), None);
    }

    #[test]
    fn the_limit_is_the_smaller_of_the_tier_and_the_body_cap() {
        assert_eq!(
            UploadLimits::for_tier(Some(25)).max_file_bytes,
            MAX_BODY_BYTES
        );
        assert_eq!(
            UploadLimits::for_tier(Some(2)).max_file_bytes,
            2 * 1024 * 1024
        );
        assert_eq!(UploadLimits::for_tier(None).max_file_bytes, MAX_BODY_BYTES);
    }
}
