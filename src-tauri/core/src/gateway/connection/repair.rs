//! Gap repair inside the connection task: live `MESSAGE_CREATE`s are deduplicated by the
//! [`Timeline`], held back while a REST catch-up is in flight, and merged with its result so
//! each id is delivered once, in id order per channel.
//!
//! The catch-up runs as a child task (so heartbeats keep flowing) and reports back through
//! the connection's background channel; it is aborted with its socket.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

use super::{Background, Connection};
use crate::event::Event;
use crate::gateway::catch_up::{fetch_after, fetch_newest, Fetched, HistoryError};
use crate::model::{cmp_ids, Message};

/// Past this many held-back live messages, new ones are delivered without waiting.
const MAX_BUFFERED: usize = 10_000;

/// The catch-up in flight, the live messages it holds back and the retry after a failure.
#[derive(Default)]
pub(super) struct CatchUp {
    task: Option<JoinHandle<()>>,
    again: bool,
    buffered: Vec<Message>,
    /// Edits and deletes that arrived during the fetch: applied after its refreshed span, so
    /// the span (listed a moment earlier) cannot undo them.
    buffered_changes: Vec<Event>,
    /// When a failed catch-up is retried.
    pub(super) retry_at: Option<Instant>,
}

impl CatchUp {
    /// Live messages wait only while a fetch is in flight (bounded by its timeout), never
    /// while a failed fetch waits for its retry.
    fn is_holding(&self) -> bool {
        self.task.is_some()
    }
}

impl Connection {
    /// Delivers an event; new messages are deduplicated, and held back during a catch-up.
    pub(super) fn deliver(&mut self, event: Event) {
        match event {
            Event::MessageCreate(m) => {
                if self.catch_up.is_holding() && self.catch_up.buffered.len() < MAX_BUFFERED {
                    self.catch_up.buffered.push(m);
                } else if self.timeline.accept(&m.channel_id, &m.id) {
                    self.emit(Event::MessageCreate(m));
                } else {
                    tracing::debug!(id = %m.id, "dropping duplicate MESSAGE_CREATE");
                }
            }
            change @ (Event::MessageUpdate(_) | Event::MessageDelete(_))
                if self.catch_up.is_holding()
                    && self.catch_up.buffered_changes.len() < MAX_BUFFERED =>
            {
                self.catch_up.buffered_changes.push(change);
            }
            other => self.emit(other),
        }
    }

    pub(super) fn start_catch_up(&mut self) {
        if self.catch_up.task.is_some() {
            self.catch_up.again = true;
            return;
        }
        self.catch_up.retry_at = None;
        let plan = self.timeline.plan();
        if plan.is_empty() {
            self.flush_buffered();
            return;
        }
        let source = Arc::clone(&self.history);
        let tx = self.background_tx.clone();
        let (page, pages, refresh_pages) = (
            self.config.catch_up_page_size,
            self.config.catch_up_max_pages,
            self.config.catch_up_refresh_pages,
        );
        let limit = self.config.connect_timeout.saturating_mul(2);
        self.catch_up.task = Some(tokio::spawn(async move {
            let mut fetched = Vec::with_capacity(plan.len());
            for (channel_id, after) in plan {
                // The newest pages first: they show edits, deletes, reactions and pins made
                // during the gap, and when they reach back past `after` they hold every new
                // message too, so no second listing is needed.
                let refreshed = if refresh_pages == 0 {
                    Ok(None)
                } else {
                    timeout(
                        limit,
                        fetch_newest(source.as_ref(), &channel_id, page, refresh_pages),
                    )
                    .await
                    .unwrap_or_else(|_| Err(HistoryError::new("history request timed out")))
                };
                let covered = match &refreshed {
                    Ok(Some((list, reached_start))) => {
                        *reached_start
                            || list.first().is_some_and(|m| cmp_ids(&m.id, &after).is_le())
                    }
                    _ => false,
                };
                let result = if covered {
                    let list = refreshed.as_ref().ok().and_then(Option::as_ref);
                    Ok(list.map_or_else(Vec::new, |(l, _)| {
                        l.iter()
                            .filter(|m| cmp_ids(&m.id, &after).is_gt())
                            .cloned()
                            .collect()
                    }))
                } else {
                    let fetch = fetch_after(source.as_ref(), &channel_id, &after, page, pages);
                    timeout(limit, fetch)
                        .await
                        .unwrap_or_else(|_| Err(HistoryError::new("history request timed out")))
                };
                fetched.push(Fetched {
                    channel_id,
                    after,
                    result,
                    refreshed: refreshed.ok().flatten(),
                });
            }
            let _ = tx.send(Background::CatchUp(fetched));
        }));
    }

    pub(super) fn on_catch_up_done(&mut self, fetched: Vec<Fetched>) {
        self.catch_up.task = None;
        let buffered = std::mem::take(&mut self.catch_up.buffered);
        let merged = self.timeline.merge(fetched, buffered);
        tracing::debug!(delivered = merged.messages.len(), "catch-up merged");
        for m in merged.messages {
            self.emit(Event::MessageCreate(m));
        }
        for span in merged.refreshed {
            self.emit(Event::MessagesRefreshed(span));
        }
        for change in std::mem::take(&mut self.catch_up.buffered_changes) {
            self.emit(change);
        }
        if merged.needs_retry {
            let failures = self.timeline.gap_failures().min(8);
            let backoff = Duration::from_millis(250u64.saturating_mul(1 << failures));
            let wait = merged
                .retry_after
                .unwrap_or(backoff)
                .min(Duration::from_secs(60));
            tracing::info!(retry_ms = wait.as_millis(), "catch-up incomplete; retrying");
            self.catch_up.retry_at = Some(Instant::now() + wait);
        }
        if std::mem::take(&mut self.catch_up.again) {
            self.start_catch_up();
        }
    }

    /// Delivers held-back live messages without a catch-up result.
    pub(super) fn flush_buffered(&mut self) {
        let buffered = std::mem::take(&mut self.catch_up.buffered);
        for m in self.timeline.merge(Vec::new(), buffered).messages {
            self.emit(Event::MessageCreate(m));
        }
        for change in std::mem::take(&mut self.catch_up.buffered_changes) {
            self.emit(change);
        }
    }

    pub(super) fn stop_catch_up(&mut self) {
        if let Some(task) = self.catch_up.task.take() {
            task.abort();
        }
        self.catch_up.again = false;
        // A result already queued belongs to the dead socket; the next READY catches up anew.
        while self.background.try_recv().is_ok() {}
    }
}
