//! Replays gateway.txt block by block: frames the client sent are sent, frames the reference
//! sent must arrive with the same `op`, `t` and key sets, `# REST` lines are performed, and the
//! recorded close codes must match. Runs with `replay_on_resume: false`, the reference's
//! behaviour (replay itself is tested in `gateway::resume_replays_*`).
//!
//! Tolerated on purpose (printed with `--nocapture`): dispatches the reference did not send
//! but PROTOCOL.md §7 says clients must handle (reactions, presence, pins, security alerts),
//! and recorded dispatches with no trigger in the transcript (caused by a concurrent run).

use crate::common::{start, Api, Frame, Gw, WAIT};
use crate::conformance::{compare_keys, fixtures_dir, Replay};
use plexichat_devserver::DevServerConfig;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Events the devserver sends by design that the reference never delivered.
const EXTRA_EVENTS: &[&str] = &[
    "MESSAGE_REACTION_ADD",
    "MESSAGE_REACTION_REMOVE",
    "PRESENCE_UPDATE",
    "CHANNEL_PINS_UPDATE",
    "SECURITY_ALERT",
];

fn after_time(line: &str) -> Option<&str> {
    let rest = line.get(2..)?.strip_prefix("[t+")?;
    rest.split_once("] ").map(|(_, r)| r)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// Re-keys a zlib-compressed IDENTIFY to our token (the recorded one is the reference's).
fn rekey_zlib_identify(data: &[u8], token: &str) -> Vec<u8> {
    let mut text = String::new();
    if flate2::read::ZlibDecoder::new(data)
        .read_to_string(&mut text)
        .is_err()
    {
        return data.to_vec();
    }
    let mut v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    v["d"]["token"] = json!(token);
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(v.to_string().as_bytes()).unwrap();
    enc.finish().unwrap()
}

async fn setup(replay: &mut Replay) {
    let api = replay.api.clone();
    let pw = "Correct-Horse-9battery";
    let mut users = HashMap::new();
    for (name, recorded) in [
        ("alice_rec", "384002868824379392"),
        ("bob_rec", "384002870053310464"),
        ("probe_rec", "384002505849311232"),
    ] {
        let u = replay.server.create_user(name, pw).await.unwrap();
        replay.ids.insert(recorded.to_owned(), u.id.clone());
        replay.tokens.insert(name.to_owned(), u.token.clone());
        users.insert(name, u);
    }
    let (alice, bob, probe) = (&users["alice_rec"], &users["bob_rec"], &users["probe_rec"]);
    let s = replay
        .server
        .create_server(&alice.id, "Rec Server")
        .await
        .unwrap();
    let channel = replay
        .server
        .create_channel(&s.id, "rec-chat")
        .await
        .unwrap();
    replay.server.add_member(&s.id, &bob.id).await.unwrap();
    replay.ids.insert("384004132257796096".into(), s.id.clone());
    replay.ids.insert("384004134547886080".into(), channel);
    api.post(
        "/relationships",
        Some(&alice.token),
        json!({"user_id": bob.id}),
    )
    .await;
    api.call(
        Method::PUT,
        &format!("/relationships/{}/accept", alice.id),
        Some(&bob.token),
        None,
    )
    .await;
    api.post(
        "/relationships",
        Some(&alice.token),
        json!({"user_id": probe.id}),
    )
    .await;
}

/// `# REST bob (cleanup): POST /api/v1/x {"a": 1} -> 200`.
async fn rest_line(replay: &Replay, line: &str) -> Result<(), String> {
    let rest = line.trim_start_matches("# REST ");
    let (who, call) = rest.split_once(": ").ok_or("bad REST line")?;
    let user = format!("{}_rec", who.split(' ').next().unwrap_or(who));
    let (call, expected) = call.rsplit_once("-> ").ok_or("no status")?;
    let mut parts = call.trim().splitn(3, ' ');
    let method =
        Method::from_bytes(parts.next().unwrap_or("GET").as_bytes()).map_err(|e| e.to_string())?;
    let path = replay.map_text(parts.next().unwrap_or(""));
    let body = parts
        .next()
        .map(|b| serde_json::from_str::<Value>(&replay.map_text(b)).unwrap_or(Value::Null));
    let token = replay.tokens.get(&user).cloned();
    let r = replay.api.call(method, &path, token.as_deref(), body).await;
    if r.status.as_u16().to_string() == expected.trim() {
        Ok(())
    } else {
        Err(format!("{line}: got {} {}", r.status, r.text))
    }
}

/// The next frame that is not one of [`EXTRA_EVENTS`].
async fn next_relevant(
    gw: &mut Gw,
    within: Duration,
    tolerated: &mut Vec<String>,
) -> Option<Frame> {
    loop {
        let f = gw.next_within(within).await?;
        if let Frame::Json(v) = &f {
            if let Some(t) = v["t"].as_str().filter(|t| EXTRA_EVENTS.contains(t)) {
                tolerated.push(format!("extra {t}"));
                continue;
            }
        }
        return Some(f);
    }
}

#[tokio::test]
async fn every_recorded_gateway_block_is_reproduced() {
    let config = DevServerConfig {
        replay_on_resume: false,
        rate_limits: false,
        // Long enough that REST calls between recorded frames cannot trip 4009 on a loaded
        // machine, short enough that the two recorded 4009 blocks take seconds.
        heartbeat_interval_ms: 2_500,
        ..DevServerConfig::for_tests()
    };
    let server = start(config).await;
    let mut replay = Replay {
        api: Api::new(&server),
        server,
        tokens: HashMap::new(),
        ids: HashMap::new(),
    };
    setup(&mut replay).await;
    let text = std::fs::read_to_string(fixtures_dir().join("gateway.txt")).unwrap();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut title = String::new();
    let mut gw: Option<Gw> = None;
    let mut triggered = false;
    let mut checked = 0;
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("### ") {
            gw = None;
            title = t.to_owned();
            continue;
        }
        if let Some(q) = line.strip_prefix("# connect ws://127.0.0.1:8000/gateway") {
            let url = format!("ws://{}/gateway{q}", replay.server.addr());
            let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
                .await
                .unwrap()
                .unwrap();
            gw = Some(Gw::from_stream(ws));
            continue;
        }
        if line.starts_with("# REST ") {
            if let Err(e) = rest_line(&replay, line).await {
                failures.push(format!("{title}: {e}"));
            }
            triggered = true;
            continue;
        }
        let Some(g) = gw.as_mut() else { continue };
        if line.starts_with("> [") {
            let Some(payload) = after_time(line) else {
                continue;
            };
            if let Some(t) = payload.strip_prefix("text ") {
                g.send_raw(Message::Text(replay.map_text(t).into())).await;
            } else if let Some(h) = payload.split(" bytes hex ").nth(1) {
                let token = replay.tokens["alice_rec"].clone();
                g.send_raw(Message::Binary(rekey_zlib_identify(&hex(h), &token).into()))
                    .await;
            }
            continue;
        }
        if line.starts_with("< [") {
            let Some(payload) = after_time(line) else {
                continue;
            };
            let recorded = payload
                .strip_prefix("text ")
                .or_else(|| payload.split("zlib-stream decoded: ").nth(1))
                .and_then(|j| serde_json::from_str::<Value>(j).ok());
            let Some(recorded) = recorded else {
                failures.push(format!("{title}: unparsable recorded frame {payload}"));
                continue;
            };
            let is_dispatch =
                recorded["op"] == 0 && !matches!(recorded["t"].as_str(), Some("READY" | "RESUMED"));
            if is_dispatch && !triggered {
                notes.push(format!(
                    "{title}: {} not triggered by anything in the transcript (concurrent run)",
                    recorded["t"]
                ));
                continue;
            }
            triggered = false;
            checked += 1;
            match next_relevant(g, WAIT, &mut notes).await {
                Some(Frame::Json(actual)) => {
                    let mut diffs = Vec::new();
                    if actual["op"] != recorded["op"] || actual["t"] != recorded["t"] {
                        diffs.push(format!("got op {} t {}", actual["op"], actual["t"]));
                    }
                    compare_keys("$", &recorded, &actual, &mut diffs);
                    replay.learn("", &recorded, &actual);
                    if !diffs.is_empty() {
                        failures.push(format!(
                            "{title}: expected {} {}: {}",
                            recorded["op"],
                            recorded["t"],
                            diffs.join("; ")
                        ));
                    }
                }
                other => failures.push(format!("{title}: expected {recorded}, got {other:?}")),
            }
            continue;
        }
        if let Some(code) = line.split("connection closed by server: code=").nth(1) {
            checked += 1;
            let want: u16 = code.split(' ').next().unwrap_or("0").parse().unwrap_or(0);
            let got = loop {
                match next_relevant(g, WAIT, &mut notes).await {
                    Some(Frame::Closed(c)) => break c,
                    Some(Frame::Dropped) | None => break None,
                    Some(_) => {}
                }
            };
            if got != Some(want) {
                failures.push(format!("{title}: close {got:?} != recorded {want}"));
            }
            gw = None;
            continue;
        }
        if line.contains("client closed with code") {
            if let Some(mut g) = gw.take() {
                let _ = futures_util::SinkExt::close(g.raw()).await;
            }
        }
    }
    notes.sort();
    notes.dedup();
    eprintln!("gateway conformance: {checked} frames/closes checked; tolerated:");
    for n in &notes {
        eprintln!("  - {n}");
    }
    assert!(checked > 40, "only {checked} checks");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
