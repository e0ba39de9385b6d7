//! Images of link embeds, fetched by the core so the webview never loads a remote URL.
//!
//! An embed's image usually lives on a third-party host, so it is fetched with a separate HTTP
//! client that never carries the session's token, the `X-API-Access-Token` or cookies (there
//! is no cookie store), and sends no `Referer`. Only http(s) URLs are fetched, for at most
//! [`EMBED_IMAGE_TIMEOUT`], reading at most [`EMBED_IMAGE_MAX_BYTES`], and only PNG, JPEG,
//! GIF and WebP are accepted, by the declared type and by the bytes themselves (SVG can carry
//! script, so it is refused). The answer is a `data:` URL the page can show as it is.
//!
//! Embed URLs come from other people, so the fetch must not become a way to make this machine
//! call into its own network (a router's admin page, a cloud metadata address, a local
//! service): hosts that are, or resolve to, loopback, private, link-local or other non-public
//! addresses are refused, at every redirect too, and the address checked is the address
//! connected to (the DNS answer is filtered, so a name cannot be re-pointed after the check).
//! The one exception is the signed-in server's own host: a user who chats on a server on their
//! own network already talks to it, and its avatars are served from there.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
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

/// Why a host was refused: it is not on the public internet.
#[derive(Debug)]
struct PrivateAddress;

impl std::fmt::Display for PrivateAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a public address")
    }
}

impl std::error::Error for PrivateAddress {}

/// Whether `ip` is a public internet address (not loopback, private, link-local, shared
/// carrier-grade NAT, documentation, multicast, broadcast, unspecified or reserved).
#[must_use]
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (b & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// DNS answers reduced to public addresses: the connection can only go where the check
/// allowed, whatever the name resolves to by the time it connects.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public_address(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A URL whose host is written as a non-public IP address (names are checked when resolved).
fn is_private_literal(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => !is_public_address(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public_address(IpAddr::V6(ip)),
        _ => false,
    }
}

/// Whether a request failed because the host was not public.
fn was_private(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<PrivateAddress>() {
            return true;
        }
        source = err.source();
    }
    false
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(EMBED_IMAGE_TIMEOUT)
        .connect_timeout(EMBED_IMAGE_TIMEOUT)
        .user_agent(concat!("plexichat-desktop/", env!("CARGO_PKG_VERSION")))
        .referer(false)
}

/// The token-less HTTP clients for images, built once: `third_party` only reaches public
/// addresses (also after redirects); the other is for the signed-in server's own host and
/// follows no redirect, so it cannot be bounced elsewhere on the network.
fn http(third_party: bool) -> Result<&'static reqwest::Client, ClientError> {
    static PUBLIC: OnceLock<reqwest::Client> = OnceLock::new();
    static SERVER: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if third_party { &PUBLIC } else { &SERVER };
    if let Some(c) = cell.get() {
        return Ok(c);
    }
    let built = if third_party {
        builder()
            .dns_resolver(Arc::new(PublicOnly))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else if is_private_literal(attempt.url()) {
                    attempt.error(PrivateAddress)
                } else {
                    attempt.follow()
                }
            }))
            .build()
    } else {
        builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
    };
    let client =
        built.map_err(|e| failed("Images cannot be loaded.", ApiError::from_reqwest(&e)))?;
    Ok(cell.get_or_init(|| client))
}

/// The refusal for an image on a private or local network address.
fn private_refusal() -> ClientError {
    refused(
        "Images from private or local network addresses are not loaded.",
        "embed image host is not public",
    )
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
    let server_host = url::Url::parse(base)
        .ok()
        .and_then(|b| b.host_str().map(str::to_owned));
    let third_party = url.host_str().map(str::to_owned) != server_host;
    if third_party && is_private_literal(&url) {
        return Err(private_refusal());
    }
    let transport = |e: &reqwest::Error| {
        if was_private(e) {
            return private_refusal();
        }
        let message = if e.is_timeout() {
            "The image's site did not answer in time."
        } else {
            "The image's site could not be reached."
        };
        failed(message, ApiError::from_reqwest(e))
    };
    let mut resp = http(third_party)?
        .get(url)
        .send()
        .await
        .map_err(|e| transport(&e))?;
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

    #[test]
    fn only_public_addresses_count_as_third_party_hosts() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:192.168.1.1",
        ] {
            assert!(!is_public_address(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "93.184.216.34", "2606:4700::1111"] {
            assert!(is_public_address(public.parse().unwrap()), "{public}");
        }
    }
}
