//! `MessageCache`: the bounded in-memory view of recent messages per channel.
//!
//! Each channel keeps at most `per_channel` messages ordered by id; inserting past the bound
//! evicts the oldest, so memory stays flat however long the app runs. An id already present
//! is replaced in place: the gateway echo and the REST answer of one send merge by id.

use std::collections::{HashMap, VecDeque};

use super::{Error, Store};
use crate::model::{cmp_ids, Message};

/// Recent messages per channel, at most `per_channel` each.
#[derive(Debug, Clone)]
pub struct MessageCache {
    per_channel: usize,
    channels: HashMap<String, VecDeque<Message>>,
}

impl MessageCache {
    /// An empty cache keeping `per_channel` messages per channel (at least 1).
    #[must_use]
    pub fn new(per_channel: usize) -> Self {
        Self {
            per_channel: per_channel.max(1),
            channels: HashMap::new(),
        }
    }

    /// Fills a channel from the store's newest messages (painting before the network).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn load(&mut self, store: &Store, channel_id: &str) -> Result<usize, Error> {
        let messages = store.recent_messages(channel_id, self.per_channel)?;
        let n = messages.len();
        for m in messages {
            self.insert(channel_id, m);
        }
        Ok(n)
    }

    /// Inserts or replaces (by id) a message of `channel_id`, evicting the oldest past the bound.
    pub fn insert(&mut self, channel_id: &str, message: Message) {
        let list = self.channels.entry(channel_id.to_owned()).or_default();
        match list.binary_search_by(|m| cmp_ids(&m.id, &message.id)) {
            Ok(i) => list[i] = message,
            Err(i) => {
                if i == 0 && list.len() >= self.per_channel {
                    // Older than everything kept: it would be evicted at once.
                    return;
                }
                list.insert(i, message);
                while list.len() > self.per_channel {
                    list.pop_front();
                }
            }
        }
    }

    /// Makes a channel agree with a fresh span of its history (see [`Store::refresh_span`]):
    /// held messages inside the span that it lacks are dropped, its messages replace ours.
    pub fn refresh_span(&mut self, channel_id: &str, page: &[Message], reached_start: bool) {
        let oldest = page
            .iter()
            .map(|m| m.id.as_str())
            .min_by(|a, b| cmp_ids(a, b));
        let newest = page
            .iter()
            .map(|m| m.id.as_str())
            .max_by(|a, b| cmp_ids(a, b));
        if let Some(list) = self.channels.get_mut(channel_id) {
            list.retain(|m| {
                let inside = newest.is_some_and(|n| cmp_ids(&m.id, n).is_le())
                    && (reached_start || oldest.is_some_and(|o| cmp_ids(&m.id, o).is_ge()));
                let emptied = page.is_empty() && reached_start;
                !(emptied || inside) || page.iter().any(|p| p.id == m.id)
            });
        }
        for m in page {
            self.insert(channel_id, m.clone());
        }
    }

    /// Drops a message (deleted on the server).
    pub fn remove(&mut self, channel_id: &str, message_id: &str) {
        if let Some(list) = self.channels.get_mut(channel_id) {
            list.retain(|m| m.id != message_id);
        }
    }

    /// The cached messages of a channel, oldest first.
    pub fn messages(&self, channel_id: &str) -> impl Iterator<Item = &Message> {
        self.channels.get(channel_id).into_iter().flatten()
    }

    /// Messages held across every channel.
    #[must_use]
    pub fn len(&self) -> usize {
        self.channels.values().map(VecDeque::len).sum()
    }

    /// Whether nothing is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages::tests::message;
    use super::*;

    fn ids(cache: &MessageCache, channel: &str) -> Vec<String> {
        cache.messages(channel).map(|m| m.id.clone()).collect()
    }

    #[test]
    fn the_oldest_messages_are_evicted_per_channel() {
        let mut cache = MessageCache::new(3);
        for i in [5, 1, 9, 10, 2] {
            cache.insert("c", message("c", &i.to_string(), "x"));
        }
        cache.insert("d", message("d", "1", "x"));
        assert_eq!(ids(&cache, "c"), ["5", "9", "10"]);
        assert_eq!(ids(&cache, "d"), ["1"]);
        assert_eq!(cache.len(), 4);
    }

    #[test]
    fn an_echo_replaces_the_message_with_the_same_id() {
        let mut cache = MessageCache::new(10);
        cache.insert("c", message("c", "7", "sent"));
        cache.insert("c", message("c", "7", "echo"));
        assert_eq!(ids(&cache, "c"), ["7"]);
        assert_eq!(cache.messages("c").next().unwrap().content, "echo");
        cache.remove("c", "7");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_channel_paints_from_the_store() {
        let store = Store::in_memory().unwrap();
        let many: Vec<_> = (1..=20)
            .map(|i| message("c", &i.to_string(), "x"))
            .collect();
        store.save_messages("c", &many).unwrap();
        let mut cache = MessageCache::new(5);
        assert_eq!(cache.load(&store, "c").unwrap(), 5);
        assert_eq!(ids(&cache, "c"), ["16", "17", "18", "19", "20"]);
    }
}
