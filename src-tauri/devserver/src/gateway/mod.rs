//! The WebSocket gateway at `/gateway` (PROTOCOL.md §7, gateway.txt).
//!
//! Flow per socket: HELLO → (heartbeats allowed any time) → IDENTIFY → READY, or RESUME →
//! RESUMED + replay / op 9. One task owns the socket; it reads client frames, drains the
//! [`hub::Outbound`] queue that dispatches feed, and closes with 4009 when nothing was heard for
//! twice the heartbeat interval. With `compress:true` every server frame after IDENTIFY is a
//! binary chunk of ONE zlib stream, sync-flushed per message.

mod conn;
pub(crate) mod frame;
pub(crate) mod hub;

use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;

/// Largest client frame accepted; bigger ones close with 4002.
pub(crate) const MAX_FRAME: usize = 64 * 1024;

/// Highest valid intents bitmask.
pub(crate) const INTENTS_MASK: u64 = 1_900_543;

/// Upgrades `/gateway` (no query or subprotocol needed; any query is ignored).
pub(crate) async fn upgrade(State(state): State<Arc<AppState>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(1 << 20)
        .max_frame_size(1 << 20)
        .on_upgrade(move |socket| conn::run(socket, state))
}
