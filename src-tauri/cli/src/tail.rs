//! `plexi tail`: stream the gateway as JSON lines.
//!
//! Connects the same [`Gateway`] the desktop app uses, with the signed-in client's token and
//! its REST [`plexichat_core::api::Api`] for catch-up and token checks, and prints every
//! update on its own line until Ctrl-C or a final state (signed out, bug report):
//! - connection states as the UI gets them: `{"state":"reconnecting","attempt":2,"next_at":…}`;
//! - chat events: `{"type":"message_create","id":"…","channel_id":"…",…}`.
//!
//! Channels given with `--channel` are repaired after every reconnect from their newest
//! message at start, so a tester sees exactly what the app would show: nothing lost, nothing
//! twice.

use std::io::Write;
use std::sync::Arc;

use anyhow::{bail, Context};
use plexichat_core::api::types::HistoryQuery;
use plexichat_core::gateway::{Gateway, GatewayConfig, GatewayUpdate};
use plexichat_core::Client;

/// Streams updates to stdout until Ctrl-C or the connection stops for good.
///
/// # Errors
/// Not signed in, a bad server URL, an unknown channel, or stdout closed.
pub async fn run(client: &Client, channels: &[String], compress: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    stream(client, channels, compress, stdout.lock(), stop).await
}

/// [`run`] with the output and the stop signal supplied by the caller (tests).
///
/// # Errors
/// As [`run`].
pub async fn stream(
    client: &Client,
    channels: &[String],
    compress: bool,
    mut out: impl Write,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let Some(token) = client.token() else {
        bail!("not signed in: run `plexi login` first");
    };
    let mut config = GatewayConfig::from_base_url(client.base_url()).context("gateway URL")?;
    config.compress = compress;
    let api = Arc::new(client.api().clone());
    let (gateway, mut updates) = Gateway::connect(config, token, api.clone(), api);
    for channel in channels {
        // Start repairs from the newest message now ("0" for an empty channel).
        let newest = client
            .history(
                channel,
                &HistoryQuery {
                    limit: Some(1),
                    ..HistoryQuery::default()
                },
            )
            .await
            .with_context(|| format!("channel {channel}"))?;
        let last_seen = newest
            .first()
            .map_or_else(|| "0".to_owned(), |m| m.id.clone());
        gateway.track_channel(channel.clone(), Some(last_seen))?;
    }
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            update = updates.recv() => match update {
                Some(update) => print_update(&mut out, &update)?,
                None => break,
            },
        }
    }
    gateway.shutdown().await;
    while let Ok(update) = updates.try_recv() {
        print_update(&mut out, &update)?;
    }
    Ok(())
}

fn print_update(out: &mut impl Write, update: &GatewayUpdate) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, update)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use plexichat_core::{ClientConfig, LoginOutcome, MemoryStore, Secret};
    use plexichat_devserver::{DevServer, DevServerConfig};

    use super::*;

    /// A writer the test can read while `stream` writes.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn lines(&self) -> Vec<serde_json::Value> {
            let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }
    }

    #[tokio::test]
    async fn prints_states_and_events_as_json_lines() {
        let server = DevServer::start(DevServerConfig::for_tests())
            .await
            .unwrap();
        let alice = server
            .create_user("alice", "Correct-Horse-9!")
            .await
            .unwrap();
        let s = server.create_server(&alice.id, "Test").await.unwrap();
        let channel = server.create_channel(&s.id, "chat").await.unwrap();
        let client = Client::new(
            ClientConfig::new(server.base_url()).with_store(Arc::new(MemoryStore::new())),
        )
        .unwrap();
        let outcome = client
            .login("alice", &Secret::new("Correct-Horse-9!"))
            .await
            .unwrap();
        assert!(matches!(outcome, LoginOutcome::SignedIn { .. }));

        let out = Shared::default();
        let reader = out.clone();
        let (server_ref, channel_ref, alice_id) = (&server, channel.clone(), alice.id.clone());
        let stop = async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            let mut posted = None;
            loop {
                let lines = reader.lines();
                if posted.is_none() && lines.iter().any(|l| l["state"] == "ready") {
                    let id = server_ref
                        .post_message(&alice_id, &channel_ref, "hello tail")
                        .await
                        .unwrap();
                    posted = Some(id);
                }
                if let Some(id) = &posted {
                    if lines
                        .iter()
                        .any(|l| l["type"] == "message_create" && l["id"] == *id)
                    {
                        return;
                    }
                }
                assert!(tokio::time::Instant::now() < deadline, "no message line");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        stream(&client, &[channel], false, out.clone(), stop)
            .await
            .unwrap();
        let lines = out.lines();
        assert_eq!(lines[0], serde_json::json!({"state": "connecting"}));
        let msg = lines
            .iter()
            .find(|l| l["type"] == "message_create")
            .unwrap();
        assert_eq!(msg["content"], "hello tail");
        assert!(
            !String::from_utf8(out.0.lock().unwrap().clone())
                .unwrap()
                .contains(client.token().unwrap().expose()),
            "the token never reaches the output"
        );
    }
}
