//! Embed images: fetched by the core without the session's token, only raster images, at
//! most 5 MiB. The server's public avatar route stands in for a third-party image host; a
//! bare local socket shows what the request carried and serves what a server should not.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use plexichat_core::client::embeds::{fetch_embed_image, EMBED_IMAGE_MAX_BYTES};
use plexichat_core::UiState;

use crate::support::{member, timed, Target};

/// A valid 1×1 PNG (a real server decodes what it is given; the devserver only looks).
fn png() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
        .unwrap()
}

/// The `field` of an `invalid_input` refusal, with its message.
fn refusal(e: &plexichat_core::ClientError) -> (Option<&str>, &str) {
    match &e.state {
        UiState::InvalidInput { field, message } => (field.as_deref(), message.as_str()),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn an_uploaded_avatar_loads_without_a_token_and_the_svg_placeholder_does_not() {
    let target = Target::start().await;
    let (client, user_id) = member(&target, "embed_img").await;
    timed(client.set_avatar(png().into()))
        .await
        .expect("avatar set");
    let root = target.base_url.trim_end_matches('/');
    let absolute = format!("{root}/api/v1/avatars/users/{user_id}");

    // No client and no token at all: the route is public, like a third-party image.
    let url = timed(fetch_embed_image(&absolute, root))
        .await
        .expect("image loads");
    assert!(
        url.starts_with("data:image/"),
        "{}",
        &url[..40.min(url.len())]
    );
    // A server path is taken against the signed-in server.
    let url = timed(client.embed_image(&format!("/api/v1/avatars/users/{user_id}")))
        .await
        .expect("relative image loads");
    assert!(url.starts_with("data:image/"));

    // Someone without an avatar gets the server's SVG placeholder: refused, never shown.
    let err = timed(client.embed_image("/api/v1/avatars/users/1"))
        .await
        .expect_err("SVG refused");
    assert_eq!(refusal(&err).0, Some("image"));
    assert!(refusal(&err).1.contains("not a PNG"), "{err:?}");

    // JSON is not an image either.
    let err = timed(client.embed_image("/api/v1/version"))
        .await
        .expect_err("JSON refused");
    assert_eq!(refusal(&err).0, Some("image"));
}

/// Serves one HTTP answer on a local port; resolves to the request head it received.
async fn one_answer(answer: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/preview.png", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        // The client may hang up early (an oversized body): that is the point.
        let _ = sock.write_all(&answer).await;
        let _ = sock.shutdown().await;
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, task)
}

fn answer(content_type: &str, body: &[u8], with_length: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\n");
    if with_length {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    out.push_str("connection: close\r\n\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

#[tokio::test]
async fn a_signed_in_client_sends_no_token_or_cookie_to_an_image_host() {
    let target = Target::start().await;
    let (client, _) = member(&target, "embed_hdr").await;
    let (url, seen) = one_answer(answer("image/png", &png(), true)).await;
    let data = timed(client.embed_image(&url)).await.expect("image loads");
    assert!(data.starts_with("data:image/png;base64,"));
    let head = seen.await.unwrap().to_ascii_lowercase();
    for header in ["authorization", "cookie", "x-api-access-token", "referer"] {
        assert!(
            !head.contains(&format!("\n{header}:")),
            "{header} was sent: {head}"
        );
    }
}

#[tokio::test]
async fn oversized_svg_and_mislabelled_images_are_refused() {
    let big = {
        let mut b = png();
        b.resize(EMBED_IMAGE_MAX_BYTES + 1, 0);
        b
    };
    // Said up front, and found while reading when no length is given.
    for with_length in [true, false] {
        let (url, _seen) = one_answer(answer("image/png", &big, with_length)).await;
        let err = timed(fetch_embed_image(&url, "http://127.0.0.1:9"))
            .await
            .expect_err("too large");
        assert!(refusal(&err).1.contains("5 MB"), "{err:?}");
    }
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    for (content_type, body) in [
        ("image/svg+xml", &svg[..]),
        ("image/png", &svg[..]),
        ("text/html", b"<html></html>"),
        ("image/png; charset=binary", b"not really a png"),
    ] {
        let (url, _seen) = one_answer(answer(content_type, body, true)).await;
        let err = timed(fetch_embed_image(&url, "http://127.0.0.1:9"))
            .await
            .expect_err(content_type);
        assert!(
            refusal(&err).1.contains("not a PNG"),
            "{content_type}: {err:?}"
        );
    }
}

/// Someone else's embed cannot make this machine call into its own network: a loopback or
/// private address, written out or behind a name, is refused before any request is made,
/// unless it is the signed-in server's own host.
#[tokio::test]
async fn images_on_private_addresses_are_refused_unless_on_the_servers_host() {
    let (url, seen) = one_answer(answer("image/png", &png(), true)).await;
    let port = url::Url::parse(&url).unwrap().port().unwrap();
    for candidate in [
        url.clone(),
        format!("http://localhost:{port}/preview.png"),
        "http://169.254.169.254/latest/meta-data.png".to_owned(),
        "http://[::1]:9/a.png".to_owned(),
    ] {
        let err = timed(fetch_embed_image(&candidate, "https://chat.example.com"))
            .await
            .expect_err(&candidate);
        assert!(
            refusal(&err).1.contains("private or local network"),
            "{candidate}: {err:?}"
        );
    }
    assert!(!seen.is_finished(), "no request reached the local host");
    // The same address is the server's own host when signed in there: it loads.
    let data = timed(fetch_embed_image(&url, "http://127.0.0.1:1"))
        .await
        .expect("the server's host is trusted");
    assert!(data.starts_with("data:image/png;base64,"));
    seen.await.unwrap();
}
