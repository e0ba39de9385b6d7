//! Keeping the cache in step with the gateway.
//!
//! Gateway events and REST answers describe the same messages; both are written by id, so the
//! echo of our own send and the send's answer end up as one row whichever comes first
//! (PROTOCOL.md §6: no nonce). Events the cache does not hold (typing, presence, …) are
//! ignored.

use super::{Error, MessageCache, Store};
use crate::event::Event;

impl Store {
    /// Applies one gateway event to the cached messages and DM channels; returns whether
    /// anything was written.
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Json`].
    pub fn apply_event(&self, event: &Event) -> Result<bool, Error> {
        match event {
            Event::MessageCreate(m) | Event::MessageUpdate(m) => {
                self.save_messages(&m.channel_id, std::slice::from_ref(m))?;
            }
            Event::MessageDelete(d) => self.remove_message(&d.channel_id, &d.id)?,
            Event::MessagesRefreshed(r) => {
                self.refresh_span(&r.channel_id, &r.messages, r.reached_start)?;
            }
            Event::ChannelCreate(c) | Event::ChannelUpdate(c) if c.server_id.is_none() => {
                self.remember_dm(c)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl MessageCache {
    /// Applies one gateway event to the in-memory view; returns whether it changed.
    pub fn apply_event(&mut self, event: &Event) -> bool {
        match event {
            Event::MessageCreate(m) | Event::MessageUpdate(m) => {
                self.insert(&m.channel_id, m.clone());
                true
            }
            Event::MessageDelete(d) => {
                self.remove(&d.channel_id, &d.id);
                true
            }
            Event::MessagesRefreshed(r) => {
                self.refresh_span(&r.channel_id, &r.messages, r.reached_start);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages::tests::message;
    use super::*;
    use crate::event::MessageDeleted;

    #[test]
    fn the_echo_of_a_send_and_its_answer_are_one_message() {
        let store = Store::in_memory().unwrap();
        let mut cache = MessageCache::new(10);
        let sent = message("c", "42", "hello");
        // The echo can arrive before or after the REST answer; either way one message.
        assert!(store
            .apply_event(&Event::MessageCreate(sent.clone()))
            .unwrap());
        store
            .save_messages("c", std::slice::from_ref(&sent))
            .unwrap();
        cache.apply_event(&Event::MessageCreate(sent.clone()));
        cache.insert("c", sent);
        assert_eq!(store.recent_messages("c", 10).unwrap().len(), 1);
        assert_eq!(cache.len(), 1);

        let gone = Event::MessageDelete(MessageDeleted {
            id: "42".into(),
            channel_id: "c".into(),
            server_id: None,
        });
        store.apply_event(&gone).unwrap();
        assert!(cache.apply_event(&gone));
        assert!(store.recent_messages("c", 10).unwrap().is_empty());
        assert!(cache.is_empty());
        assert!(!store.apply_event(&Event::Resumed).unwrap());
    }
}
