//! Decoding + applying MESSAGE_CREATE frames, against parsing the same frames into
//! `serde_json::Value` alone (the floor any JSON client pays).
//!
//! Run: `cargo bench -p plexichat-core --bench gateway_decode`. Throughput is reported in
//! events per second; the ratio is `typed time / value time`.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, Criterion, Throughput};
use plexichat_core::event::Event;
use plexichat_core::gateway::testing::{decode_event, Dedupe};
use plexichat_core::model::Message;

const EVENTS: usize = 1_000;

/// Frames shaped like the recorded reference server's MESSAGE_CREATE (all its fields).
fn frames() -> Vec<String> {
    (0..EVENTS)
        .map(|i| {
            let id = 1_575_174_512_457_027_584u64 + i as u64 * 4096;
            let channel = 384_004_134_547_886_080u64 + (i % 4) as u64;
            format!(
                r#"{{"op":0,"t":"MESSAGE_CREATE","s":{s},"d":{{"id":"{id}","channel_id":"{channel}","author_id":"384002870053310464","content":"message number {i} with some ordinary chat text in it","created_at":1795621269097,"edited_at":null,"reply_to_id":null,"attachments":[],"embeds":[],"pinned":false,"status":"sent","delivery_count":0,"read_count":0,"read":false,"read_by":[],"author_username":"bob_rec","author_avatar_url":"/api/v1/avatars/users/384002870053310464","author_badges":["alpha_tester"],"reactions":[],"metadata":null,"poll":null,"poll_results":null}}}}"#,
                s = i + 2
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let frames = frames();
    let mut group = c.benchmark_group("message_create");
    group.throughput(Throughput::Elements(EVENTS as u64));

    group.bench_function("typed_decode_and_apply", |b| {
        b.iter(|| {
            let mut dedupe = Dedupe::default();
            let mut channels: HashMap<String, Vec<Message>> = HashMap::new();
            for f in &frames {
                if let Ok(Some(Event::MessageCreate(m))) = decode_event(black_box(f)) {
                    if dedupe.accept(&m) {
                        channels.entry(m.channel_id.clone()).or_default().push(m);
                    }
                }
            }
            black_box(channels)
        });
    });

    group.bench_function("typed_decode_only", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for f in &frames {
                if let Ok(Some(Event::MessageCreate(m))) = decode_event(black_box(f)) {
                    n += m.content.len();
                }
            }
            black_box(n)
        });
    });

    group.bench_function("serde_json_value_only", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for f in &frames {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(black_box(f)) {
                    n += usize::from(v.is_object());
                }
            }
            black_box(n)
        });
    });
    group.finish();
}

/// The shared 2-core machine is noisy, so the ratio is also measured by alternating the two
/// loops round by round and taking medians: drift in load hits both sides alike.
fn interleaved_ratio() {
    let frames = frames();
    let time = |f: &dyn Fn() -> usize| {
        let start = std::time::Instant::now();
        black_box(f());
        start.elapsed().as_secs_f64()
    };
    let typed = || {
        let mut dedupe = Dedupe::default();
        let mut channels: HashMap<String, Vec<Message>> = HashMap::new();
        for f in &frames {
            if let Ok(Some(Event::MessageCreate(m))) = decode_event(f) {
                if dedupe.accept(&m) {
                    channels.entry(m.channel_id.clone()).or_default().push(m);
                }
            }
        }
        channels.len()
    };
    let value = || {
        frames
            .iter()
            .filter_map(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .count()
    };
    let (mut typed_s, mut value_s, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..61 {
        let t = time(&typed);
        let v = time(&value);
        typed_s.push(t);
        value_s.push(v);
        ratios.push(t / v);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    #[allow(clippy::cast_precision_loss)]
    let per_s = |secs: f64| EVENTS as f64 / secs;
    println!(
        "interleaved medians over 61 rounds of {EVENTS} MESSAGE_CREATE frames: typed decode+apply \
         {:.0} events/s, serde_json::Value parse only {:.0} events/s, time ratio typed/value {:.2}",
        per_s(median(&mut typed_s)),
        per_s(median(&mut value_s)),
        median(&mut ratios),
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    // `cargo test` runs benches once as a smoke test, without `--bench`: skip the long part.
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratio();
    }
    Criterion::default().configure_from_args().final_summary();
}
