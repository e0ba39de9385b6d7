//! Send later, forward, custom emojis and stickers (issue 16; shared/recorded/messaging.txt).
//!
//! What the real server does and how we build on it:
//! - scheduled messages are accepted (`POST /features/scheduled-messages`, at least a minute
//!   ahead) but never delivered, so the app keeps its own ([`crate::outbox::Outbox::schedule`])
//!   and also adopts and delivers the server-held ones (scheduled elsewhere, e.g. by
//!   `plexi schedule`). [`ScheduledMessage`] is one row of the single "Scheduled" list;
//! - `POST /features/forward` loses a forward sent to a channel id and copies the stored
//!   ciphertext into the new message, so a forward is a normal message: a quoted copy with a
//!   link back ([`forward_text`]);
//! - custom emojis list with an empty `url`: they show as `:name:` unless a server gives an
//!   image ([`emoji_image_path`]); stickers are grouped in packs with an attachments URL,
//!   fetched by the core (the webview never loads a remote image).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{id_from_str_or_int, opt_id_from_str_or_int, Message};

/// Who keeps a scheduled message until its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ScheduledHolder {
    /// This device's outbox: sent by the app at its time (or at the next start).
    Device,
    /// The server's list (scheduled from elsewhere); the app adopts it when it is due.
    Server,
}

/// Where a scheduled message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ScheduledStatus {
    /// Waiting for its time.
    Pending,
    /// Handed to the outbox at its time.
    Sent,
    /// Handed to the outbox after its time because the app was closed then.
    SentLate,
}

/// One row of the "Scheduled" list, whichever side holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScheduledMessage {
    /// `device:N` or `server:ID`: pass it back to edit or cancel.
    pub id: String,
    /// The channel (or DM channel) it goes to.
    pub channel_id: String,
    /// The text.
    pub content: String,
    /// When it is (or was) due (ms).
    #[ts(type = "number")]
    pub scheduled_at: i64,
    /// Who keeps it.
    pub held_by: ScheduledHolder,
    /// Where it stands.
    pub status: ScheduledStatus,
    /// When it went into the outbox (ms).
    #[ts(type = "number | null")]
    pub sent_at: Option<i64>,
}

/// The "Scheduled" list: rows from both sides, and whether the server's side could be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScheduledList {
    /// Soonest first.
    pub items: Vec<ScheduledMessage>,
    /// Why the server's list is missing (offline, …); the device's rows are still complete.
    pub server_unavailable: Option<crate::UiState>,
}

/// A scheduled message as the server stores it (ids are JSON numbers there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerScheduled {
    /// Its id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// The target: whatever id it was scheduled with (a channel id from us).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub conversation_id: String,
    /// Who scheduled it.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub author_id: Option<String>,
    /// The text.
    #[serde(default)]
    pub content: String,
    /// Due time (ms).
    pub scheduled_at: i64,
    /// `pending`, `cancelled`, `sent`, …
    #[serde(default)]
    pub status: String,
}

/// `{"scheduled_messages":[…]}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ServerScheduledList {
    #[serde(default)]
    pub scheduled_messages: Vec<ServerScheduled>,
}

/// `{"success":true,"scheduled_message":{…}}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ServerScheduledCreated {
    pub scheduled_message: ServerScheduled,
}

/// The server refuses a time less than this far ahead (ms).
pub const SERVER_MIN_LEAD_MS: i64 = 60_000;

/// Longest text of a message (the server's limit).
pub const MAX_CONTENT: usize = 4000;

/// How late a scheduled message may go out and still count as on time (ms): the scheduler
/// wakes within a second, so more than this means the app was closed or asleep.
pub const LATE_AFTER_MS: i64 = 60_000;

/// The text of a forwarded copy: who wrote it and where, the original quoted line by line,
/// and a link back (`plexichat://message/CHANNEL/MESSAGE`) the app opens in place.
#[must_use]
pub fn forward_text(original: &Message, from_label: &str, comment: &str) -> String {
    let author = original
        .author_username
        .as_deref()
        .unwrap_or(original.author_id.as_str());
    let mut out = String::new();
    let comment = comment.trim();
    if !comment.is_empty() {
        out.push_str(comment);
        out.push_str("\n\n");
    }
    out.push_str(&format!("↪ Forwarded from @{author} in {from_label}\n"));
    for line in original.content.lines() {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    if original.content.is_empty() {
        out.push_str("> (no text)\n");
    }
    // A blank line ends the quote (markdown would carry the link into it otherwise).
    out.push('\n');
    out.push_str(&message_link(&original.channel_id, &original.id));
    out
}

/// The app's link to a message.
#[must_use]
pub fn message_link(channel_id: &str, message_id: &str) -> String {
    format!("plexichat://message/{channel_id}/{message_id}")
}

/// Whether a stored text is ciphertext the server failed to decrypt (it cannot be quoted).
#[must_use]
pub fn is_ciphertext(content: &str) -> bool {
    content.trim_start().starts_with("ENC:1:") || content.contains("\nENC:1:")
}

/// Reads a time given on a command line, as ms since the epoch: `+90s`, `+10m`, `+2h`,
/// `+1d` (from `now`), `2026-12-03T20:00Z` / `2026-12-03T20:00:30Z` / `2026-12-03 20:00` (UTC),
/// or a bare number of ms.
#[must_use]
pub fn parse_when(text: &str, now: i64) -> Option<i64> {
    let t = text.trim();
    if let Some(rel) = t.strip_prefix('+') {
        let (n, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = n.parse().ok()?;
        let ms = match unit {
            "s" => 1_000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        return now.checked_add(n.checked_mul(ms)?);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = t.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, mo, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut hms = time.splitn(3, ':').map(str::parse::<i64>);
    let (h, mi) = (hms.next()?.ok()?, hms.next()?.ok()?);
    let sec = match hms.next() {
        Some(s) => s.ok()?,
        None => 0,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1_000)
}

/// A server's custom emoji.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomEmoji {
    /// Emoji id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Its server.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub server_id: Option<String>,
    /// Name used as `:name:`.
    pub name: String,
    /// Animated (GIF).
    #[serde(default)]
    pub animated: bool,
    /// The server's URL for the image; empty on the reference server.
    #[serde(default)]
    pub url: String,
    /// Whether it can be used now.
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

/// A sticker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Sticker {
    /// Sticker id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Its pack.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub pack_id: Option<String>,
    /// Name.
    pub name: String,
    /// `png`, `apng`, `gif`, `lottie`, …
    #[serde(default)]
    pub format: String,
    /// Search tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The image's server path (`/api/v1/media/attachments/…`, needs the token).
    #[serde(default)]
    pub url: String,
    /// Pixel width, if known.
    #[serde(default)]
    pub width: Option<u32>,
    /// Pixel height, if known.
    #[serde(default)]
    pub height: Option<u32>,
}

/// A sticker pack as `GET /servers/{id}/stickers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StickerPack {
    /// Pack id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Pack name.
    #[serde(default)]
    pub name: String,
    /// Its stickers.
    #[serde(default)]
    pub stickers: Vec<Sticker>,
}

/// A server's custom emojis and stickers, for the picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerEmojis {
    /// The server.
    pub server_id: String,
    /// Custom emojis (only the available ones).
    pub emojis: Vec<CustomEmoji>,
    /// Sticker packs (possibly empty).
    pub sticker_packs: Vec<StickerPack>,
}

/// The server path of a custom emoji's image, when the server gives one (the reference
/// answers `url: ""`: such emojis show as `:name:`).
#[must_use]
pub fn emoji_image_path(emoji: &CustomEmoji) -> Option<&str> {
    let url = emoji.url.trim();
    (!url.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(content: &str) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": "15", "channel_id": "7", "author_id": "2", "author_username": "bob",
            "content": content, "created_at": 1
        }))
        .expect("message")
    }

    #[test]
    fn a_forward_quotes_every_line_and_links_back() {
        let t = forward_text(&msg("one\ntwo"), "#general", " look ");
        assert_eq!(
            t,
            "look\n\n↪ Forwarded from @bob in #general\n> one\n> two\n\nplexichat://message/7/15"
        );
        assert!(is_ciphertext("ENC:1:abc"));
        assert!(is_ciphertext("🔄 Forwarded\nENC:1:abc"));
        assert!(!is_ciphertext("hello ENC"));
    }

    #[test]
    fn command_line_times_parse() {
        assert_eq!(parse_when("+10m", 1_000), Some(601_000));
        assert_eq!(parse_when("+2h", 0), Some(7_200_000));
        assert_eq!(parse_when("1796315327886", 0), Some(1_796_315_327_886));
        assert_eq!(parse_when("1970-01-02T00:00Z", 0), Some(86_400_000));
        assert_eq!(
            parse_when("2026-12-03T20:00:00Z", 0),
            Some(1_796_328_000_000)
        );
        assert_eq!(parse_when("2026-12-03 20:00", 0), Some(1_796_328_000_000));
        assert_eq!(parse_when("tomorrow", 0), None);
        assert_eq!(parse_when("+5x", 0), None);
        assert_eq!(parse_when("2026-13-01T00:00Z", 0), None);
    }

    #[test]
    fn server_rows_take_numeric_ids() {
        let list: ServerScheduledList = serde_json::from_str(
            r#"{"scheduled_messages":[{"id":386901592416325632,"conversation_id":386901094594383872,"author_id":386896041988984832,"content":"x","scheduled_at":1796315327886,"status":"pending","message_id":null,"created_at":1,"updated_at":1,"attachments":null}]}"#,
        )
        .expect("list");
        assert_eq!(list.scheduled_messages[0].id, "386901592416325632");
        assert_eq!(
            list.scheduled_messages[0].conversation_id,
            "386901094594383872"
        );
        let e: CustomEmoji = serde_json::from_str(
            r#"{"id":"3","server_id":"1","name":"dot","animated":false,"url":"","available":true}"#,
        )
        .expect("emoji");
        assert_eq!(emoji_image_path(&e), None);
    }
}
