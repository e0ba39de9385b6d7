//! Memory of the local cache: writes 100,000 messages across 50 channels to a temporary
//! database, reopens it, paints every channel into the bounded [`MessageCache`] and prints
//! the process's resident set size (Linux `/proc/self/status`, `VmRSS`) at each step.
//!
//! Run: `cargo bench -p plexichat-core --bench store_rss`.

use std::time::Instant;

use plexichat_core::model::Message;
use plexichat_core::store::{MessageCache, Store};

const CHANNELS: usize = 50;
const MESSAGES: usize = 100_000;
/// What a channel view keeps in memory.
const PER_CHANNEL: usize = 200;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn report(step: &str) {
    match rss_kib() {
        Some(kib) => println!("store_rss: {step}: RSS {:.1} MiB", kib as f64 / 1024.0),
        None => println!("store_rss: {step}: RSS unavailable on this platform"),
    }
}

fn message(channel: usize, n: usize) -> Message {
    serde_json::from_value(serde_json::json!({
        "id": (1_000_000_000_000u64 + n as u64).to_string(),
        "channel_id": channel.to_string(),
        "author_id": "42",
        "author_username": "alice",
        "content": format!("message {n} in channel {channel}: a line of ordinary chat text"),
        "created_at": 1_704_067_200_000u64 + n as u64,
    }))
    .expect("a valid message")
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite3");
    report("start");
    let started = Instant::now();
    {
        let store = Store::open(&path).expect("store opens");
        let per_channel = MESSAGES / CHANNELS;
        for c in 0..CHANNELS {
            let batch: Vec<Message> = (0..per_channel)
                .map(|i| message(c, c * per_channel + i))
                .collect();
            store
                .save_messages(&c.to_string(), &batch)
                .expect("messages saved");
        }
    }
    println!(
        "store_rss: wrote {MESSAGES} messages across {CHANNELS} channels in {:.1?}",
        started.elapsed()
    );
    report("after writing");

    let started = Instant::now();
    let store = Store::open(&path).expect("store reopens");
    let mut cache = MessageCache::new(PER_CHANNEL);
    for c in 0..CHANNELS {
        cache.load(&store, &c.to_string()).expect("channel loads");
    }
    // Then every cached message arrives once more (a full catch-up): eviction keeps the bound.
    for c in 0..CHANNELS {
        for m in store
            .recent_messages(&c.to_string(), usize::MAX)
            .expect("messages read")
        {
            cache.insert(&c.to_string(), m);
        }
    }
    println!(
        "store_rss: loaded {CHANNELS} channels ({} messages held, {PER_CHANNEL} per channel) in {:.1?}",
        cache.len(),
        started.elapsed()
    );
    report("after loading 100,000 cached messages");
    assert_eq!(cache.len(), CHANNELS * PER_CHANNEL);
}
