//! `--seed demo`: alice, bob and carol (password [`crate::DEMO_PASSWORD`]), two servers with a
//! few channels, ~500 messages of history, a DM, a pending friend request, and the bot user
//! that posts in #general while the demo runs.

use crate::ids::now_ms;
use crate::store::chat::NewMessage;
use crate::store::{RelStatus, Relationship, World};
use crate::{DEMO_PASSWORD, DEMO_USERS};

/// Username of the demo bot.
pub(crate) const BOT_NAME: &str = "plexibot";

const LINES: &[&str] = &[
    "morning everyone",
    "has anyone tried the new build yet?",
    "the release notes are up on the wiki",
    "lunch in 10?",
    "I pushed a fix for the reconnect bug",
    "can someone review my PR when they get a chance",
    "that meeting could have been an email 😅",
    "deploy looks green from here",
    "who broke the build? (it was me)",
    "coffee machine is fixed!",
    "reminder: retro at 3pm",
    "nice work on the login screen",
    "what do we think about dark mode by default?",
    "I'll pair on that after standup",
    "the gateway reconnects fine after sleep now",
    "new emoji pack just dropped 🎉",
    "anyone up for a game tonight?",
    "brb, grabbing snacks",
    "this channel is my favourite",
    "ok that is genuinely impressive",
];

const BOT_LINES: &[&str] = &[
    "🤖 beep boop, still here",
    "🤖 tip: right-click a message to reply",
    "🤖 the server is healthy",
    "🤖 did you know? history loads as you scroll",
    "🤖 hydration reminder 💧",
];

/// Ids the demo bot needs later.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DemoIds {
    pub(crate) bot_user: u64,
    pub(crate) general: u64,
}

/// Fills an empty world with the demo data.
pub(crate) fn seed_demo(world: &mut World) -> DemoIds {
    // Everything the history refers to gets ids from before the history starts.
    let setup_at = now_ms().saturating_sub(8 * 24 * 3600 * 1000);
    world.ids.pin(Some(setup_at));
    let mut users = Vec::new();
    for name in DEMO_USERS {
        let id = world
            .create_user(name, &format!("{name}@demo.plexichat.local"), DEMO_PASSWORD)
            .unwrap_or_default();
        users.push(id);
    }
    let bot_user = world
        .create_user(BOT_NAME, "bot@demo.plexichat.local", DEMO_PASSWORD)
        .unwrap_or_default();
    if let Some(b) = world.users.get_mut(&bot_user) {
        b.is_bot = true;
        b.presence.status = "online".into();
    }
    let (alice, bob, carol) = (users[0], users[1], users[2]);

    let hq = world.create_server(
        alice,
        "Plexichat HQ",
        Some("Where the team hangs out".into()),
    );
    let general = world
        .channels
        .values()
        .find(|c| c.server_id == Some(hq))
        .map_or(0, |c| c.id);
    let random = world.create_channel(hq, "random", "text", Some("Anything goes".into()));
    let dev = world.create_channel(hq, "dev", "text", Some("Builds, bugs and reviews".into()));
    world.create_channel(hq, "Lounge", "voice", None);
    for u in [bob, carol, bot_user] {
        world.add_member(hq, u);
    }
    let games = world.create_server(bob, "Gaming Night", Some("Fridays at 8".into()));
    let games_general = world
        .channels
        .values()
        .find(|c| c.server_id == Some(games))
        .map_or(0, |c| c.id);
    let lfg = world.create_channel(games, "looking-for-group", "text", None);
    world.add_member(games, alice);

    let start = now_ms().saturating_sub(7 * 24 * 3600 * 1000);
    let plan: [(u64, &[u64], usize); 5] = [
        (general, &[alice, bob, carol], 200),
        (random, &[alice, bob, carol], 130),
        (dev, &[alice, bob], 100),
        (games_general, &[alice, bob], 40),
        (lfg, &[bob, alice], 20),
    ];
    let total: usize = plan.iter().map(|p| p.2).sum();
    let step = (7 * 24 * 3600 * 1000) / u64::try_from(total + 20).unwrap_or(1);
    // (time, channel, author, text); posted in time order so ids grow with `created_at`
    // across channels too, as snowflakes do on the real server.
    let mut history: Vec<(u64, u64, u64, &str)> = Vec::new();
    let mut line = 0usize;
    for (offset, (channel, authors, count)) in (0u64..).zip(plan) {
        let spacing = step * u64::try_from(total / count.max(1)).unwrap_or(1);
        for (i, at) in (0..count).zip((0u64..).map(|k| start + offset * step + k * spacing)) {
            history.push((
                at,
                channel,
                authors[i % authors.len()],
                LINES[line % LINES.len()],
            ));
            line += 7;
        }
    }
    let dm = world.open_dm(alice, bob);
    let dm_lines = [
        "hey, got a minute?",
        "sure, what's up",
        "the demo is tomorrow",
        "I know, I'm ready 🙂",
    ];
    for (k, text) in (0u64..).zip(dm_lines) {
        let author = if k % 2 == 0 { alice } else { bob };
        history.push((
            now_ms().saturating_sub(3_600_000) + k * 60_000,
            dm,
            author,
            text,
        ));
    }
    world.ids.pin(None);
    backdate(world, setup_at);
    history.sort_by_key(|h| h.0);
    for (at, channel, author, text) in history {
        let new = NewMessage {
            content: text.to_owned(),
            created_at: Some(at),
            ..NewMessage::default()
        };
        world.post_message(channel, author, new);
    }

    let now = now_ms();
    for (a, b) in [(alice, bob), (bob, alice)] {
        world.relationships.insert(
            (a, b),
            Relationship {
                status: RelStatus::Friend,
                created_at: now,
            },
        );
    }
    world.relationships.insert(
        (carol, alice),
        Relationship {
            status: RelStatus::PendingOutgoing,
            created_at: now,
        },
    );
    world.relationships.insert(
        (alice, carol),
        Relationship {
            status: RelStatus::PendingIncoming,
            created_at: now,
        },
    );

    seed_emojis(world, hq, alice);
    DemoIds { bot_user, general }
}

/// Makes the seeded users, servers and channels look as old as their ids say.
fn backdate(world: &mut World, at: u64) {
    for u in world.users.values_mut() {
        u.created_at = at;
    }
    for s in world.servers.values_mut() {
        s.created_at = at;
        for m in &mut s.members {
            m.joined_at = at;
        }
    }
    for c in world.channels.values_mut() {
        c.created_at = at;
    }
}

/// The next bot line.
pub(crate) fn bot_line(n: usize) -> &'static str {
    BOT_LINES[n % BOT_LINES.len()]
}

/// The demo server's custom emojis (no image, as the reference answers) and one sticker pack
/// whose sticker is a stored attachment.
fn seed_emojis(world: &mut World, server: u64, alice: u64) {
    let now = now_ms();
    let emojis = ["party_parrot", "shipit"]
        .iter()
        .map(|name| {
            serde_json::json!({
                "id": world.ids.next().to_string(),
                "server_id": server.to_string(),
                "name": name,
                "animated": false,
                "url": "",
                "available": true,
                "created_by": alice.to_string(),
                "uploader_username": "alice",
                "created_at": now,
            })
        })
        .collect();
    world.custom_emojis.insert(server, emojis);
    let png: &[u8] = include_bytes!("../assets/demo-sticker.png");
    let stored = "d3m0571c4e1a0001.png".to_owned();
    let url = format!("/api/v1/media/attachments/{stored}");
    let att = crate::store::Attachment {
        id: world.ids.next(),
        filename: "wave.png".into(),
        content_type: "image/png".into(),
        bytes: bytes::Bytes::from_static(png),
        hash: String::new(),
        url: url.clone(),
    };
    world.attachments.insert(stored, att);
    let pack = world.ids.next().to_string();
    let sticker = serde_json::json!({
        "id": world.ids.next().to_string(),
        "pack_id": pack,
        "name": "wave",
        "format": "png",
        "tags": ["hello", "wave"],
        "related_emoji": null,
        "url": url,
        "size": png.len(),
        "width": 32,
        "height": 32,
        "available": true,
    });
    world.sticker_packs.insert(
        server,
        vec![serde_json::json!({
            "id": pack,
            "name": "Server Stickers",
            "description": null,
            "pack_type": "server",
            "server_id": server.to_string(),
            "sticker_count": 1,
            "stickers": [sticker],
        })],
    );
}
