//! `plexi unread` and `plexi read CHANNEL [MESSAGE]`: the account's unread state, reconciled
//! with the server's (keyed by conversation ids, messaging.txt), and acks sent the one way the
//! server honours. The app's database of this account is used when it exists (its counts,
//! manual marks and known conversation ids); otherwise a memory one for this run.

use plexichat_core::api::types::HistoryQuery;
use plexichat_core::model::User;
use plexichat_core::store::{self, Store};
use plexichat_core::unread::UnreadTracker;
use plexichat_core::Client;
use serde_json::{json, Value};

use crate::{to_value, CommandError};

fn open_store(client: &Client, user: &User) -> anyhow::Result<Store> {
    let existing = store::default_data_dir().ok().and_then(|dir| {
        let path = store::database_path(&dir, client.base_url(), &user.id);
        path.exists()
            .then(|| Store::open_account(&dir, client.base_url(), &user.id, &user.username).ok())
            .flatten()
    });
    match existing {
        Some(s) => Ok(s),
        None => Store::in_memory().map_err(|e| anyhow::anyhow!("local database: {e}")),
    }
}

/// Caches the channel lists, so conversation ids can be matched to channels.
async fn cache_channels(client: &Client, store: &Store) -> Result<(), CommandError> {
    for s in client.servers().await? {
        if let Ok(channels) = client.channels(&s.id).await {
            let _ = store.save_channels(&s.id, &channels);
        }
    }
    Ok(())
}

/// `plexi unread`: every channel with unread messages (or marked unread).
pub async fn unread(client: &Client) -> Result<Value, CommandError> {
    let user = client.whoami().await?;
    let store = open_store(client, &user)?;
    cache_channels(client, &store).await?;
    let tracker = UnreadTracker::start(store, client.clone(), &user.id);
    let list = tracker.sync().await?;
    let shown: Vec<Value> = list
        .into_iter()
        .filter(|e| e.unread > 0 || e.is_manual)
        .map(|e| to_value(&e))
        .collect();
    Ok(json!({ "channels": shown }))
}

/// `plexi read CHANNEL [MESSAGE]`: marks the channel read up to MESSAGE (default: its newest).
pub async fn read(
    client: &Client,
    channel: &str,
    message: Option<String>,
) -> Result<Value, CommandError> {
    let user = client.whoami().await?;
    let store = open_store(client, &user)?;
    let newest = client
        .history(
            channel,
            &HistoryQuery {
                limit: Some(1),
                ..HistoryQuery::default()
            },
        )
        .await?;
    let Some(message) = message.or_else(|| newest.first().map(|m| m.id.clone())) else {
        return Ok(
            json!({ "channel_id": channel, "acked": null, "note": "the channel has no messages" }),
        );
    };
    let tracker = UnreadTracker::start(store, client.clone(), &user.id);
    let conversation = tracker.conversation_of(channel).await?;
    tracker
        .mark_read(channel, &message)
        .map_err(|e| anyhow::anyhow!("local database: {e}"))?;
    let sent = tracker.flush_acks().await;
    Ok(json!({
        "channel_id": channel,
        "conversation_id": conversation,
        "acked": message,
        "sent": sent == 1,
    }))
}
