//! REST catch-up: repairing the gaps the gateway leaves.
//!
//! The reference server replays nothing on RESUME and silently drops events past its
//! outbound rate (PROTOCOL.md §7), so after every (re)connect, after a sequence gap and on
//! demand, the connection asks a [`HistorySource`] for the messages after the last one it
//! delivered in each tracked channel, paging until a short page. [`Timeline`] then merges
//! those with the live events that arrived meanwhile: each id is delivered once, in id order
//! per channel.
//!
//! Invariant: while a catch-up is in flight, live `MESSAGE_CREATE`s are buffered rather than
//! delivered, so a channel's `last_id` only moves forward and the catch-up's `after` point
//! stays valid.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use async_trait::async_trait;

use crate::model::{cmp_ids, Message};

/// Where catch-up reads message history from (the REST API in the app).
#[async_trait]
pub trait HistorySource: Send + Sync {
    /// Messages of `channel_id` with ids greater than `after_id`, at most `limit` (≤ 100).
    /// Any order is fine: the caller sorts.
    ///
    /// # Errors
    /// [`HistoryError`] when the request failed; the connection retries later.
    async fn messages_after(
        &self,
        channel_id: &str,
        after_id: &str,
        limit: u8,
    ) -> Result<Vec<Message>, HistoryError>;

    /// The newest `limit` (≤ 100) messages of `channel_id` older than `before` (the very
    /// newest without it), any order: catch-up compares them with what the client holds to
    /// recover edits, deletes, reactions and pins missed in a gap. `Ok(None)` (the default)
    /// when this source cannot list them; then only new messages are recovered.
    ///
    /// # Errors
    /// [`HistoryError`] when the request failed.
    async fn messages_before(
        &self,
        channel_id: &str,
        before: Option<&str>,
        limit: u8,
    ) -> Result<Option<Vec<Message>>, HistoryError> {
        let _ = (channel_id, before, limit);
        Ok(None)
    }
}

/// The newest `pages` pages of a channel as the server has them now, oldest first, and
/// whether they reach the channel's start; `None` when the source cannot list them.
///
/// # Errors
/// The first failed page.
pub(crate) async fn fetch_newest(
    source: &dyn HistorySource,
    channel_id: &str,
    page_size: u8,
    pages: u32,
) -> Result<Option<(Vec<Message>, bool)>, HistoryError> {
    let page_size = page_size.clamp(1, 100);
    let mut all: Vec<Message> = Vec::new();
    let mut before: Option<String> = None;
    let mut reached_start = false;
    for _ in 0..pages.max(1) {
        let Some(page) = source
            .messages_before(channel_id, before.as_deref(), page_size)
            .await?
        else {
            return Ok(None);
        };
        let full = page.len() >= usize::from(page_size);
        let oldest = page
            .iter()
            .map(|m| m.id.clone())
            .min_by(|a, b| cmp_ids(a, b));
        all.extend(page);
        match oldest {
            Some(o) if full && before.as_deref().is_none_or(|b| cmp_ids(&o, b).is_lt()) => {
                before = Some(o);
            }
            // A short page (or a server ignoring `before`) ends the listing.
            _ => {
                reached_start = !full;
                break;
            }
        }
    }
    all.sort_by(|a, b| cmp_ids(&a.id, &b.id));
    all.dedup_by(|a, b| a.id == b.id);
    Ok(Some((all, reached_start)))
}

/// A failed history request.
#[derive(Debug, Clone, thiserror::Error)]
#[error("history request failed: {message}")]
pub struct HistoryError {
    /// What went wrong (no secrets).
    pub message: String,
    /// How long the server asked us to wait, when it did (429).
    pub retry_after: Option<Duration>,
}

impl HistoryError {
    /// An error without a server-given delay.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Answer of a [`TokenVerifier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// The REST API accepts the token: a 4004 was the server's rate-limited token check.
    Valid,
    /// The REST API rejects the token: the user must sign in again.
    Invalid,
    /// Could not tell (network error, 429, 5xx): keep the user signed in and retry.
    Unknown,
}

/// Confirms a token over REST before the gateway signs anyone out (PROTOCOL.md §7: 4004 is
/// also sent when the per-IP token check is rate limited).
#[async_trait]
pub trait TokenVerifier: Send + Sync {
    /// Asks the server whether the current token is still valid.
    async fn verify_token(&self) -> TokenStatus;
}

/// Fetches every message after `after_id`, oldest first.
///
/// # Errors
/// The first failed page; nothing is half-delivered.
pub(crate) async fn fetch_after(
    source: &dyn HistorySource,
    channel_id: &str,
    after_id: &str,
    page_size: u8,
    max_pages: u32,
) -> Result<Vec<Message>, HistoryError> {
    let page_size = page_size.clamp(1, 100);
    let mut all: Vec<Message> = Vec::new();
    let mut cursor = after_id.to_owned();
    for _ in 0..max_pages {
        let page = source
            .messages_after(channel_id, &cursor, page_size)
            .await?;
        let full = page.len() >= usize::from(page_size);
        let Some(newest) = page
            .iter()
            .map(|m| m.id.as_str())
            .max_by(|a, b| cmp_ids(a, b))
        else {
            break;
        };
        if cmp_ids(newest, &cursor).is_le() {
            // A server that ignores `after` would loop forever; stop at what we have.
            break;
        }
        newest.clone_into(&mut cursor);
        all.extend(
            page.into_iter()
                .filter(|m| cmp_ids(&m.id, after_id).is_gt()),
        );
        if !full {
            break;
        }
    }
    all.sort_by(|a, b| cmp_ids(&a.id, &b.id));
    all.dedup_by(|a, b| a.id == b.id);
    Ok(all)
}

/// How many delivered ids per tracked channel are remembered for dedupe.
const REMEMBERED_IDS: usize = 1024;

/// The same for channels nobody tracks (dedupe only, no catch-up): kept small because a user
/// in many servers sees messages from many channels.
const REMEMBERED_IDS_UNTRACKED: usize = 64;

/// Per-channel delivery record.
#[derive(Debug, Default, Clone)]
struct Cursor {
    /// Whether catch-up repairs this channel (the UI has it open or cached).
    is_tracked: bool,
    /// Greatest id delivered (or the point to catch up from).
    last_id: Option<String>,
    /// Recently delivered ids, oldest first, for dedupe of late duplicates.
    recent: VecDeque<u128>,
    recent_set: HashSet<u128>,
}

/// A compact dedupe key: the numeric value of a snowflake id (ordered like [`cmp_ids`]), or
/// for an id that is not a number, a hash above every snowflake.
fn id_key(id: &str) -> u128 {
    if let Ok(n) = id.parse::<u64>() {
        return u128::from(n);
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    (1 << 64) | u128::from(h.finish())
}

impl Cursor {
    fn capacity(&self) -> usize {
        if self.is_tracked {
            REMEMBERED_IDS
        } else {
            REMEMBERED_IDS_UNTRACKED
        }
    }

    fn remember(&mut self, id: &str) {
        let key = id_key(id);
        if self.recent_set.insert(key) {
            self.recent.push_back(key);
            while self.recent.len() > self.capacity() {
                if let Some(old) = self.recent.pop_front() {
                    self.recent_set.remove(&old);
                }
            }
        }
        if self
            .last_id
            .as_deref()
            .is_none_or(|last| cmp_ids(id, last).is_gt())
        {
            self.last_id = Some(id.to_owned());
        }
    }

    fn has(&self, id: &str) -> bool {
        let key = id_key(id);
        self.recent_set.contains(&key)
            || self.recent.front().is_some_and(|oldest| {
                // Older than everything remembered and not newer than the last delivered id:
                // it was delivered long ago (or predates tracking).
                self.recent.len() >= self.capacity() && key < *oldest
            })
    }
}

/// A failed catch-up is retried this many times per channel before its gap is given up
/// (a channel that was deleted or left answers 404 forever).
pub(crate) const MAX_GAP_RETRIES: u32 = 8;

/// A channel whose catch-up failed: the point to fetch after, kept even while live messages
/// move its cursor on, so the retry still covers the hole.
#[derive(Debug, Clone)]
struct Gap {
    after: String,
    failures: u32,
}

/// One channel's catch-up result.
pub(crate) struct Fetched {
    /// The channel asked for.
    pub(crate) channel_id: String,
    /// The `after` id asked with.
    pub(crate) after: String,
    /// What came back.
    pub(crate) result: Result<Vec<Message>, HistoryError>,
    /// The channel's newest messages as the server has them now and whether they reach its
    /// start (`None` when they could not be listed).
    pub(crate) refreshed: Option<(Vec<Message>, bool)>,
}

/// What a merge produced.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// New messages to deliver, deduplicated and in id order per channel.
    pub(crate) messages: Vec<Message>,
    /// Some channel failed and must be retried.
    pub(crate) needs_retry: bool,
    /// The longest wait a failed request's server asked for.
    pub(crate) retry_after: Option<Duration>,
    /// Per channel, the newest span as the server has it now (keyed by the requested id).
    pub(crate) refreshed: Vec<crate::event::MessagesRefreshed>,
}

/// Which messages each tracked channel has delivered; decides what is new.
#[derive(Debug, Default, Clone)]
pub(crate) struct Timeline {
    channels: HashMap<String, Cursor>,
    gaps: HashMap<String, Gap>,
}

impl Timeline {
    /// Starts tracking `channel_id`; `last_seen` is the newest message the UI already has
    /// (`"0"` for an empty channel). Without one, repairs start after the first message
    /// delivered: ids cannot be derived from a time because the server's ids do not all
    /// use the documented epoch (recorded message ids decode to dates years off).
    pub(crate) fn track(&mut self, channel_id: &str, last_seen: Option<String>) {
        let cursor = self.channels.entry(channel_id.to_owned()).or_default();
        cursor.is_tracked = true;
        if let Some(start) = last_seen {
            if cursor
                .last_id
                .as_deref()
                .is_none_or(|last| cmp_ids(&start, last).is_gt())
            {
                cursor.last_id = Some(start);
            }
        }
    }

    pub(crate) fn untrack(&mut self, channel_id: &str) {
        if let Some(cursor) = self.channels.get_mut(channel_id) {
            cursor.is_tracked = false;
        }
        self.gaps.remove(channel_id);
    }

    /// `(channel, after)` for every tracked channel: the catch-up plan. A channel with an
    /// unrepaired gap is fetched from the start of the gap.
    pub(crate) fn plan(&self) -> Vec<(String, String)> {
        self.channels
            .iter()
            .filter(|(_, cur)| cur.is_tracked)
            .filter_map(|(c, cur)| {
                let after = self
                    .gaps
                    .get(c)
                    .map(|g| g.after.clone())
                    .or_else(|| cur.last_id.clone());
                after.map(|a| (c.clone(), a))
            })
            .collect()
    }

    /// A live message: `true` when it is new and must be delivered.
    ///
    /// Untracked channels are deduplicated too, but their gaps are not repaired: the UI
    /// loads a channel's history when it opens it, and fetching every channel a user can
    /// see after each reconnect would run into the history rate limit.
    pub(crate) fn accept(&mut self, channel_id: &str, id: &str) -> bool {
        // Look up before inserting: `entry` would allocate the key for every message.
        if !self.channels.contains_key(channel_id) {
            self.channels
                .insert(channel_id.to_owned(), Cursor::default());
        }
        let Some(cursor) = self.channels.get_mut(channel_id) else {
            return true;
        };
        if cursor.has(id) {
            return false;
        }
        cursor.remember(id);
        true
    }

    /// Merges a catch-up result with the live messages buffered meanwhile: returns the new
    /// ones, deduplicated and ordered by id per channel (channels in plan order), and whether
    /// a failed channel needs a retry.
    pub(crate) fn merge(&mut self, fetched: Vec<Fetched>, buffered: Vec<Message>) -> Merged {
        let mut merged = Merged::default();
        let mut by_channel: Vec<(String, Vec<Message>)> = Vec::with_capacity(fetched.len());
        for f in fetched {
            if let Some((mut messages, reached_start)) = f.refreshed {
                for m in &mut messages {
                    m.channel_id.clone_from(&f.channel_id);
                }
                merged.refreshed.push(crate::event::MessagesRefreshed {
                    channel_id: f.channel_id.clone(),
                    messages,
                    reached_start,
                });
            }
            match f.result {
                Ok(list) => {
                    self.gaps.remove(&f.channel_id);
                    by_channel.push((f.channel_id, list));
                }
                Err(e) => {
                    let gap = self.gaps.entry(f.channel_id.clone()).or_insert(Gap {
                        after: f.after,
                        failures: 0,
                    });
                    gap.failures += 1;
                    if gap.failures >= MAX_GAP_RETRIES {
                        tracing::warn!(channel = %f.channel_id, error = %e, "giving up repairing a gap");
                        self.gaps.remove(&f.channel_id);
                    } else {
                        merged.needs_retry = true;
                        merged.retry_after = merged.retry_after.max(e.retry_after);
                    }
                }
            }
        }
        for m in buffered {
            match by_channel.iter_mut().find(|(c, _)| *c == m.channel_id) {
                Some((_, list)) => list.push(m),
                None => by_channel.push((m.channel_id.clone(), vec![m])),
            }
        }
        for (channel, mut list) in by_channel {
            list.sort_by(|a, b| cmp_ids(&a.id, &b.id));
            for mut m in list {
                if self.accept(&channel, &m.id) {
                    // Keyed by the requested id (PROTOCOL.md §6: a listing's channel_id may
                    // differ from the channel asked for).
                    m.channel_id.clone_from(&channel);
                    merged.messages.push(m);
                }
            }
        }
        merged
    }

    /// Consecutive failures of the worst gap (for the retry backoff).
    pub(crate) fn gap_failures(&self) -> u32 {
        self.gaps.values().map(|g| g.failures).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn msg(channel: &str, id: u64) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": id.to_string(), "channel_id": channel, "author_id": "1",
            "content": format!("m{id}"), "created_at": 1
        }))
        .unwrap()
    }

    /// Serves `ids` like the reference server: ascending, the `limit` right after `after`.
    struct Fake {
        ids: Vec<u64>,
        calls: Mutex<Vec<String>>,
        fail_on_call: Option<usize>,
    }

    #[async_trait]
    impl HistorySource for Fake {
        async fn messages_after(
            &self,
            channel: &str,
            after: &str,
            limit: u8,
        ) -> Result<Vec<Message>, HistoryError> {
            let mut calls = self.calls.lock().unwrap();
            calls.push(after.to_owned());
            if self.fail_on_call == Some(calls.len()) {
                return Err(HistoryError::new("boom"));
            }
            let after: u64 = after.parse().unwrap();
            Ok(self
                .ids
                .iter()
                .filter(|i| **i > after)
                .take(limit.into())
                .map(|i| msg(channel, *i))
                .collect())
        }
    }

    #[tokio::test]
    async fn pages_until_a_short_page() {
        let fake = Fake {
            ids: (1..=250).collect(),
            calls: Mutex::default(),
            fail_on_call: None,
        };
        let got = fetch_after(&fake, "c", "0", 100, 50).await.unwrap();
        assert_eq!(got.len(), 250);
        assert!(got.windows(2).all(|w| cmp_ids(&w[0].id, &w[1].id).is_lt()));
        assert_eq!(*fake.calls.lock().unwrap(), ["0", "100", "200"]);
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_whole_fetch() {
        let fake = Fake {
            ids: (1..=250).collect(),
            calls: Mutex::default(),
            fail_on_call: Some(2),
        };
        assert!(fetch_after(&fake, "c", "0", 100, 50).await.is_err());
    }

    #[tokio::test]
    async fn a_server_ignoring_after_does_not_loop() {
        struct Stuck;
        #[async_trait]
        impl HistorySource for Stuck {
            async fn messages_after(
                &self,
                c: &str,
                _: &str,
                _: u8,
            ) -> Result<Vec<Message>, HistoryError> {
                Ok(vec![msg(c, 5), msg(c, 3)])
            }
        }
        let got = fetch_after(&Stuck, "c", "4", 2, 50).await.unwrap();
        assert_eq!(got.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["5"]);
    }

    #[test]
    fn merge_dedupes_and_orders_by_id() {
        let mut t = Timeline::default();
        t.track("c", Some("10".into()));
        assert!(t.accept("c", "11"));
        assert!(!t.accept("c", "11"), "live duplicate");
        let fetched = vec![ok(
            "c",
            "11",
            vec![msg("c", 13), msg("c", 11), msg("c", 12)],
        )];
        let buffered = vec![msg("c", 14), msg("c", 12), msg("c", 13)];
        let out = t.merge(fetched, buffered);
        assert!(!out.needs_retry);
        let ids: Vec<_> = out.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["12", "13", "14"]);
        assert_eq!(t.plan(), [("c".to_owned(), "14".to_owned())]);
    }

    fn ok(channel: &str, after: &str, list: Vec<Message>) -> Fetched {
        Fetched {
            channel_id: channel.into(),
            after: after.into(),
            result: Ok(list),
            refreshed: None,
        }
    }

    fn failed(channel: &str, after: &str) -> Fetched {
        let e = HistoryError {
            message: "429".into(),
            retry_after: Some(Duration::from_secs(2)),
        };
        Fetched {
            channel_id: channel.into(),
            after: after.into(),
            result: Err(e),
            refreshed: None,
        }
    }

    #[test]
    fn a_failed_channel_keeps_its_gap_while_live_messages_flow() {
        let mut t = Timeline::default();
        t.track("a", Some("10".into()));
        t.track("b", Some("50".into()));
        let out = t.merge(
            vec![failed("a", "10"), ok("b", "50", vec![msg("b", 51)])],
            vec![msg("a", 20)],
        );
        assert!(out.needs_retry);
        assert_eq!(out.retry_after, Some(Duration::from_secs(2)));
        let ids: Vec<_> = out.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids.len(),
            2,
            "live a/20 and fetched b/51 are not held back: {ids:?}"
        );
        let mut plan = t.plan();
        plan.sort();
        assert_eq!(
            plan,
            [
                ("a".to_owned(), "10".to_owned()),
                ("b".to_owned(), "51".to_owned())
            ]
        );
        // The retry fills the hole; the live message already shown is not repeated.
        let out = t.merge(
            vec![ok("a", "10", vec![msg("a", 15), msg("a", 20)])],
            vec![],
        );
        assert_eq!(
            out.messages
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>(),
            ["15"]
        );
        assert!(t.plan().contains(&("a".to_owned(), "20".to_owned())));
    }

    #[test]
    fn a_gap_that_never_heals_is_given_up() {
        let mut t = Timeline::default();
        t.track("gone", Some("1".into()));
        for _ in 1..MAX_GAP_RETRIES {
            assert!(t.merge(vec![failed("gone", "1")], vec![]).needs_retry);
        }
        assert!(!t.merge(vec![failed("gone", "1")], vec![]).needs_retry);
        assert_eq!(t.gap_failures(), 0);
    }

    #[test]
    fn merge_keys_by_the_requested_channel() {
        let mut t = Timeline::default();
        t.track("asked", Some("1".into()));
        let out = t.merge(vec![ok("asked", "1", vec![msg("other", 2)])], vec![]);
        assert_eq!(out.messages[0].channel_id, "asked");
    }

    #[test]
    fn tracking_without_history_starts_at_the_first_delivered_message() {
        let mut t = Timeline::default();
        t.track("c", None);
        assert!(t.plan().is_empty());
        assert!(t.accept("c", "77"));
        assert_eq!(t.plan(), [("c".to_owned(), "77".to_owned())]);
        t.track("c", Some("5".into()));
        assert_eq!(
            t.plan(),
            [("c".to_owned(), "77".to_owned())],
            "never moves backwards"
        );
    }

    #[test]
    fn untracked_channels_are_deduplicated_but_not_caught_up() {
        let mut t = Timeline::default();
        assert!(t.accept("elsewhere", "5"));
        assert!(!t.accept("elsewhere", "5"));
        assert!(t.plan().is_empty());
        t.track("elsewhere", None);
        assert_eq!(t.plan(), [("elsewhere".to_owned(), "5".to_owned())]);
        t.untrack("elsewhere");
        assert!(t.plan().is_empty());
        assert!(!t.accept("elsewhere", "5"), "dedupe survives untracking");
        for i in 100..(100 + REMEMBERED_IDS_UNTRACKED as u64 * 2) {
            t.accept("elsewhere", &i.to_string());
        }
        assert!(t.channels["elsewhere"].recent.len() <= REMEMBERED_IDS_UNTRACKED);
    }

    #[test]
    fn dedupe_keys_order_like_ids() {
        assert!(id_key("99") < id_key("100"));
        assert!(id_key("1575174512457027584") < id_key("18446744073709551615"));
        assert!(id_key("not-a-snowflake") > id_key("18446744073709551615"));
        assert_eq!(id_key("abc"), id_key("abc"));
    }

    #[test]
    fn dedupe_memory_is_bounded() {
        let mut t = Timeline::default();
        t.track("c", None);
        for i in 1..=(REMEMBERED_IDS as u64 + 100) {
            assert!(t.accept("c", &i.to_string()));
        }
        assert!(t.channels["c"].recent.len() <= REMEMBERED_IDS);
        assert!(
            !t.accept("c", "1"),
            "ids older than the memory window count as delivered"
        );
        assert!(!t.accept("c", &(REMEMBERED_IDS as u64 + 100).to_string()));
    }
}
