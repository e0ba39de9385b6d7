//! Images of link embeds, fetched by the core so the webview never loads a remote URL.
//!
//! An embed's image usually lives on a third-party host, so it is fetched with a separate HTTP
//! client that never carries the session's token, the `X-API-Access-Token` or cookies (there
//! is no cookie store), and sends no `Referer`. Only http(s) URLs are fetched, for at most
//! [`EMBED_IMAGE_TIMEOUT`], reading at most [`EMBED_IMAGE_MAX_BYTES`], and only PNG, JPEG,
//! GIF and WebP are accepted, by the declared type and by the bytes themselves (SVG can carry
//! script, so it is refused). The answer is a `data:` URL the page can show as it is.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;

use super::Client;
use crate::error::{ApiError, ClientError, RetryKind};
use crate::media::{sniff_image, AVATAR_TYPES};
use crate::UiState;

/// The longest an embed image may take, connection included.
pub const EMBED_IMAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest embed image read; the download stops as soon as it is passed.
pub const EMBED_IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Redirects followed before giving up (image CDNs commonly redirect once or twice).
const MAX_REDIRECTS: usize = 3;

/// A refusal shown as "the image could not be loaded" (the card then simply hides it).
fn refused(message: impl Into<String>, why: impl Into<String>) -> ClientError {
    ClientError::rejected(
        UiState::InvalidInput {
            field: Some("image".into()),
            message: message.into(),
        },
        why,
    )
}

/// The same refusal with the request failure behind it, for the logs.
fn failed(message: &str, err: ApiError) -> ClientError {
    ClientError {
        state: UiState::InvalidInput {
            field: Some("image".into()),
            message: message.to_owned(),
        },
        retry: RetryKind::Permanent,
        source: err.into(),
    }
}

/// The token-less HTTP client for third-party images, built once.
fn http() -> Result<&'static reqwest::Client, ClientError> {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = HTTP.get() {
        return Ok(c);
    }
    let client = reqwest::Client::builder()
        .timeout(EMBED_IMAGE_TIMEOUT)
        .connect_timeout(EMBED_IMAGE_TIMEOUT)
        .user_agent(concat!("plexichat-desktop/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .referer(false)
        .build()
        .map_err(|e| failed("Images cannot be loaded.", ApiError::from_reqwest(&e)))?;
    Ok(HTTP.get_or_init(|| client))
}

/// `url` made absolute against `base` (a server-relative path such as an avatar URL), and
/// checked to be http(s).
///
/// # Errors
/// `invalid_input{image}` for anything that is not an http(s) URL.
pub fn embed_image_url(url: &str, base: &str) -> Result<url::Url, ClientError> {
    let not_web = || {
        refused(
            "Only web images (http or https) are loaded.",
            "embed image URL is not http(s)",
        )
    };
    let url = url.trim();
    if url.is_empty() {
        return Err(not_web());
    }
    let parsed = match url::Url::parse(url) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => url::Url::parse(base)
            .and_then(|b| b.join(url))
            .map_err(|_| not_web())?,
        Err(_) => return Err(not_web()),
    };
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(not_web());
    }
    Ok(parsed)
}

/// Downloads the image at `url` (made absolute against `base`) without any credential and
/// returns it as a `data:` URL.
///
/// # Errors
/// `invalid_input{image}` with what went wrong: not http(s), unreachable or slow, an error
/// status, not a PNG/JPEG/GIF/WebP image, or larger than [`EMBED_IMAGE_MAX_BYTES`].
pub async fn fetch_embed_image(url: &str, base: &str) -> Result<String, ClientError> {
    let url = embed_image_url(url, base)?;
    let transport = |e: &reqwest::Error| {
        let message = if e.is_timeout() {
            "The image's site did not answer in time."
        } else {
            "The image's site could not be reached."
        };
        failed(message, ApiError::from_reqwest(e))
    };
    let mut resp = http()?.get(url).send().await.map_err(|e| transport(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(refused(
            format!("The image could not be loaded (HTTP {}).", status.as_u16()),
            format!("embed image answered {status}"),
        ));
    }
    let declared = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let not_image = || {
        refused(
            "The preview is not a PNG, JPEG, GIF or WebP image.",
            "embed image has a refused type",
        )
    };
    if !AVATAR_TYPES.contains(&declared.as_str()) {
        return Err(not_image());
    }
    let too_large = || refused("The image is larger than 5 MB.", "embed image is too large");
    if resp
        .content_length()
        .is_some_and(|n| n > EMBED_IMAGE_MAX_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport(&e))? {
        if bytes.len() + chunk.len() > EMBED_IMAGE_MAX_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    // The bytes decide, not the header: an error page or an SVG labelled PNG is refused.
    let mime = sniff_image(&bytes).ok_or_else(not_image)?;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

impl Client {
    /// An embed's image as a `data:` URL, fetched without the session's token (see
    /// [`fetch_embed_image`]); a server-relative URL is taken against this client's server.
    ///
    /// # Errors
    /// `invalid_input{image}` saying why the image is not shown.
    pub async fn embed_image(&self, url: &str) -> Result<String, ClientError> {
        fetch_embed_image(url, self.inner.api.base()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:9/api/v1";

    #[test]
    fn only_web_urls_are_fetched_and_paths_resolve_against_the_server() {
        assert_eq!(
            embed_image_url("/api/v1/avatars/users/1", BASE)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/api/v1/avatars/users/1"
        );
        assert_eq!(
            embed_image_url(" https://cdn.example.com/a.png ", BASE)
                .unwrap()
                .as_str(),
            "https://cdn.example.com/a.png"
        );
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.com/a.png",
            "http://",
            "",
        ] {
            let err = embed_image_url(bad, BASE).expect_err(bad);
            assert!(
                matches!(&err.state, UiState::InvalidInput { field: Some(f), .. } if f == "image"),
                "{bad}: {err:?}"
            );
        }
    }
}
