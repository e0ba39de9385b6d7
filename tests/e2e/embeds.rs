//! Link embeds (issue 16 item 7): a message the server sends with a link preview shows a card
//! under its text, with the preview image fetched by the core (here served by the devserver's
//! public avatar route, standing in for a third-party host). The screen passes axe-core.

use std::time::Duration;

use serde_json::json;

use crate::driver::Locator;
use crate::world::{World, PASSWORD};

const LONG: Duration = Duration::from_secs(30);

fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A `w`×`h` RGB PNG (a gradient with a light band), stored without compression: no image
/// crate needed for a test picture.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            let band = (h / 3..2 * h / 3).contains(&y) && (w / 6..5 * w / 6).contains(&x);
            let px = if band {
                [240, 240, 250]
            } else {
                [
                    u8::try_from(40 + 180 * x / w).unwrap_or(255),
                    70,
                    u8::try_from(200 - 120 * y / h).unwrap_or(0),
                ]
            };
            raw.extend_from_slice(&px);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).unwrap();
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"IDAT", &z);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A message with an embed whose image the devserver serves: the card shows site, title,
/// description and the image (a `data:` URL from the core, never the remote URL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run through scripts/test.sh"]
async fn a_link_embed_shows_text_and_an_image_fetched_by_the_core() {
    let world = World::new("embed_probe").await;
    // Another account's uploaded avatar is the "third-party" image: public, no token needed.
    let site = world
        .server
        .create_user("example_site", PASSWORD)
        .await
        .expect("user");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png(400, 200))
            .file_name("preview.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/users/@me/avatar",
            world.server.base_url()
        ))
        .bearer_auth(&site.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "avatar upload: {}",
        resp.status()
    );
    let image_url = format!(
        "{}/api/v1/avatars/users/{}",
        world.server.base_url(),
        site.id
    );

    let app = world.launch().await;
    world.sign_in(&app).await;
    world
        .server
        .post_message_with_embeds(
            &world.user.id,
            &world.guild.general_channel_id,
            "Worth a read: https://news.example.com/2026/embeds",
            vec![json!({
                "type": "link",
                "url": "https://news.example.com/2026/embeds",
                "title": "Link previews arrive in Plexichat",
                "description": "Cards show the site, the title and a short description as text; the picture comes through the app's core, never from the page.",
                "provider": {"name": "Example News"},
                "image": {"url": image_url, "width": 400, "height": 200},
            })],
        )
        .await
        .expect("message with an embed");

    app.wait_for_text(
        Locator::TestId("embed"),
        "Link previews arrive in Plexichat",
        LONG,
    )
    .await;
    app.wait_until(
        "the embed image is shown from a data: URL",
        r#"(() => { const img = document.querySelector('[data-testid="embed-image"] img'); return Boolean(img && img.getAttribute('src').startsWith('data:image/png;base64,') && img.complete && img.naturalWidth === 400); })()"#,
        LONG,
    )
    .await;
    let text = app.text_of(Locator::TestId("embed")).await;
    assert!(text.contains("Example News"), "{text}");
    app.screenshot("link-embed").await;
    app.axe_audit("link-embed").await;
    app.close().await;
}
