//! Wire models shared by the REST client, the gateway and the UI.
//!
//! The server sends snowflake ids as JSON strings (they exceed 2^53) but some listings send
//! integers (PROTOCOL.md §6), so every id deserialises from either and is kept as a string.
//! Timestamps are milliseconds since the Unix epoch.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

/// Deserialises an id that may arrive as a JSON string or a JSON integer.
///
/// # Errors
/// Fails when the value is neither a string nor an integer.
pub fn id_from_str_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::I(i) => i.to_string(),
        Raw::U(u) => u.to_string(),
    })
}

/// A Plexichat user as the UI needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct User {
    /// Snowflake id, always a string.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Unique user name.
    pub username: String,
    /// Display name, when the user set one.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Relative or absolute avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// Deserialises an optional id that may arrive as a string, an integer or null.
///
/// # Errors
/// Fails when the value is not a string, an integer or null.
pub fn opt_id_from_str_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "id_from_str_or_int")] String);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

/// Reads a list of ids sent as strings or numbers (or `null`, read as empty).
///
/// # Errors
/// When an entry is neither a string nor an integer.
pub fn ids_from_str_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "id_from_str_or_int")] String);
    Ok(Option::<Vec<Wrap>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|w| w.0)
        .collect())
}

/// A server (guild) the user belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Server {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Optional description.
    #[serde(default)]
    pub description: Option<String>,
    /// Relative or absolute icon URL.
    #[serde(default)]
    pub icon_url: Option<String>,
    /// Owner's user id.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub owner_id: Option<String>,
    /// Member count as the server last reported it.
    #[serde(default)]
    pub member_count: Option<u32>,
}

/// Kind of channel: the server sends strings such as `text`, `voice`, `category`, `dm`.
pub type ChannelKind = String;

/// A channel in a server, or a DM channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Channel {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Owning server; `None` for DMs.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub server_id: Option<String>,
    /// Channel name; DMs have none (show the recipient instead).
    #[serde(default)]
    pub name: Option<String>,
    /// `text`, `voice`, `category`, `dm`, … (kept as sent so unknown kinds survive).
    #[serde(default = "default_channel_type")]
    pub channel_type: ChannelKind,
    /// Topic line.
    #[serde(default)]
    pub topic: Option<String>,
    /// Sort position inside the server.
    #[serde(default)]
    pub position: i32,
    /// Parent category id.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub category_id: Option<String>,
    /// For DMs: the other user's id.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub recipient_id: Option<String>,
    /// For DMs: the other user.
    #[serde(default)]
    pub recipient: Option<UserRef>,
    /// Id of the newest message, when the server says.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub last_message_id: Option<String>,
    /// Seconds a member waits between two messages (0: off). The reference stores it but does
    /// not enforce it, so the composer keeps the countdown itself.
    #[serde(default)]
    pub slowmode_seconds: u32,
}

fn default_channel_type() -> String {
    "text".to_owned()
}

/// A short reference to a user, as embedded in other objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserRef {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// User name.
    #[serde(default)]
    pub username: String,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attachment {
    /// Snowflake id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Original file name.
    pub filename: String,
    /// MIME type as the server reports it (an uploaded PNG may come back as `image/webp`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Download URL; needs the Bearer token, so the core fetches it, never the webview.
    pub url: String,
}

/// One emoji's reaction count on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Reaction {
    /// The emoji (a Unicode emoji or a name such as `heart`).
    pub emoji: String,
    /// How many users reacted with it.
    pub count: u32,
    /// Whether the signed-in user is one of them.
    #[serde(default)]
    pub me: bool,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Message {
    /// Snowflake id; ids grow with time, so ordering by id is ordering by creation.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub id: String,
    /// Channel id as the server sent it (may differ from the id that was asked for: key
    /// caches by the requested id, PROTOCOL.md §6).
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub channel_id: String,
    /// Author's user id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub author_id: String,
    /// Author's user name, when the server includes it.
    #[serde(default)]
    pub author_username: Option<String>,
    /// Text exactly as sent: render as text, never as HTML.
    #[serde(default)]
    pub content: String,
    /// Creation time (ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// Last edit time (ms).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub edited_at: Option<i64>,
    /// The message this one replies to.
    #[serde(default, deserialize_with = "opt_id_from_str_or_int")]
    pub reply_to_id: Option<String>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Reaction counts.
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// Whether the message is pinned.
    #[serde(default)]
    pub pinned: bool,
    /// The poll the message carries, if any (the card loads its results by id).
    #[serde(
        default,
        deserialize_with = "crate::poll::poll_ref",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional)]
    pub poll: Option<crate::poll::PollRef>,
    /// Link previews the server attached. The reference always sends `[]`, read as `None`
    /// and never serialised, so the common message costs nothing; malformed embeds are
    /// dropped one by one, never the message.
    #[serde(
        default,
        deserialize_with = "embeds_from_wire",
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional)]
    pub embeds: Option<Vec<Embed>>,
}

/// A link preview ("embed") as the UI shows it: text plus an image the core fetches.
///
/// The server's shape is not documented (the reference only ever sends `[]`), so
/// [`Embed::from_value`] reads the common ones: Discord-style nested `provider`, `image` and
/// `thumbnail` objects, OpenGraph-style flat `site_name`, and this type's own flat fields
/// (how the local cache stores it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Embed {
    /// The page the embed describes (opened in the browser after the usual confirm).
    pub url: Option<String>,
    /// The page's title.
    pub title: Option<String>,
    /// A short description, shown as plain text.
    pub description: Option<String>,
    /// The site or provider name, e.g. "Example News".
    pub site_name: Option<String>,
    /// The preview image's URL (fetched by the core, without the session's token).
    pub image_url: Option<String>,
    /// The image's width in pixels, when the server says.
    pub image_width: Option<u32>,
    /// The image's height in pixels, when the server says.
    pub image_height: Option<u32>,
}

/// Most embeds kept per message: more is noise, and bounds the work a hostile message causes.
const MAX_EMBEDS: usize = 10;

impl Embed {
    /// Reads one embed from whatever shape the server sent; `None` when it is not an object
    /// or carries nothing to show (no URL, title, description or image).
    #[must_use]
    pub fn from_value(v: &serde_json::Value) -> Option<Self> {
        let o = v.as_object()?;
        let text = |key: &str, max: usize| -> Option<String> {
            let s = o.get(key)?.as_str()?.trim();
            (!s.is_empty()).then(|| s.chars().take(max).collect())
        };
        // Too long a URL is dropped, not cut: a cut URL points elsewhere.
        let link = |v: Option<&serde_json::Value>| -> Option<String> {
            let s = v?.as_str()?.trim();
            (!s.is_empty() && s.len() <= MAX_URL).then(|| s.to_owned())
        };
        let dim = |v: Option<&serde_json::Value>| -> Option<u32> {
            v?.as_u64()
                .filter(|n| (1..=16_384).contains(n))
                .and_then(|n| u32::try_from(n).ok())
        };
        let provider: Option<String> = match o.get("provider") {
            Some(serde_json::Value::String(s)) => Some(s.as_str()),
            Some(serde_json::Value::Object(p)) => p.get("name").and_then(serde_json::Value::as_str),
            _ => None,
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(MAX_SHORT).collect());
        // `image` (a URL or `{url, width, height}`), then `thumbnail`, then flat fields.
        let picture = ["image", "thumbnail"]
            .iter()
            .find_map(|k| match o.get(*k) {
                Some(s @ serde_json::Value::String(_)) => link(Some(s)).map(|u| (u, None, None)),
                Some(serde_json::Value::Object(i)) => {
                    link(i.get("url")).map(|u| (u, dim(i.get("width")), dim(i.get("height"))))
                }
                _ => None,
            })
            .or_else(|| {
                link(o.get("image_url"))
                    .map(|u| (u, dim(o.get("image_width")), dim(o.get("image_height"))))
            });
        let (image_url, image_width, image_height) = match picture {
            Some((u, w, h)) => (Some(u), w, h),
            None => (None, None, None),
        };
        let embed = Self {
            url: link(o.get("url")),
            title: text("title", MAX_SHORT),
            description: text("description", MAX_DESCRIPTION),
            site_name: text("site_name", MAX_SHORT).or(provider),
            image_url,
            image_width,
            image_height,
        };
        let is_empty = embed.url.is_none()
            && embed.title.is_none()
            && embed.description.is_none()
            && embed.image_url.is_none();
        (!is_empty).then_some(embed)
    }
}

/// Longest URL kept, in bytes.
const MAX_URL: usize = 2_048;
/// Longest title or site name kept, in characters.
const MAX_SHORT: usize = 256;
/// Longest description kept, in characters.
const MAX_DESCRIPTION: usize = 1_024;

/// Reads a message's `embeds`: `null`, `[]` or anything but a list is `None`; each entry is
/// read by [`Embed::from_value`] and dropped when unreadable.
fn embeds_from_wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Embed>>, D::Error> {
    let Some(serde_json::Value::Array(items)) = Option::<serde_json::Value>::deserialize(d)? else {
        return Ok(None);
    };
    let list: Vec<Embed> = items
        .iter()
        .filter_map(Embed::from_value)
        .take(MAX_EMBEDS)
        .collect();
    Ok((!list.is_empty()).then_some(list))
}

/// A member of a server, as the member list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Member {
    /// The member's user id.
    #[serde(deserialize_with = "id_from_str_or_int")]
    pub user_id: String,
    /// User name.
    #[serde(default)]
    pub username: String,
    /// Per-server nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// `online`, `idle`, `dnd`, `offline`, … The server nests it as `presence: {status}`.
    #[serde(default, alias = "presence", deserialize_with = "presence_status")]
    pub presence_status: Option<String>,
    /// Ids of the roles the member holds (the `@everyone` role included). The reference
    /// caches member lists for 30 s and sends no event for an assignment, so the client lays
    /// its own recent assignments over this.
    #[serde(default, deserialize_with = "crate::model::ids_from_str_or_int")]
    pub roles: Vec<String>,
}

/// Accepts a presence as `"online"`, `{"status": "online"}` or null.
fn presence_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        O { status: Option<String> },
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        Some(Raw::S(s)) => Some(s),
        Some(Raw::O { status }) => status,
        None => None,
    })
}

/// Orders snowflake ids numerically (they are strings of different lengths).
#[must_use]
pub fn cmp_ids(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_arrive_as_strings_or_integers() {
        let m: Message = serde_json::from_str(
            r#"{"id":1575173049194385408,"channel_id":"42","author_id":7,"content":"hi","created_at":1,"reply_to_id":12,"extra":true}"#,
        )
        .unwrap();
        assert_eq!(m.id, "1575173049194385408");
        assert_eq!(m.author_id, "7");
        assert_eq!(m.reply_to_id.as_deref(), Some("12"));
    }

    #[test]
    fn members_read_nested_presence() {
        let m: Member = serde_json::from_str(
            r#"{"member_id":"1","user_id":"384002868824379392","username":"alice_rec","nickname":null,"presence":{"status":"offline"},"roles":["9"]}"#,
        )
        .unwrap();
        assert_eq!(m.presence_status.as_deref(), Some("offline"));
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["presence_status"], "offline");
    }

    #[test]
    fn recorded_empty_embeds_are_none_and_never_written() {
        let m: Message = serde_json::from_str(
            r#"{"id":"1","channel_id":"2","author_id":"3","content":"hi","created_at":1,"embeds":[]}"#,
        )
        .unwrap();
        assert_eq!(m.embeds, None);
        let json = serde_json::to_value(&m).unwrap();
        assert!(json.get("embeds").is_none(), "{json}");
    }

    #[test]
    fn embeds_read_nested_and_flat_shapes_and_drop_bad_ones() {
        let m: Message = serde_json::from_str(
            r#"{"id":"1","channel_id":"2","author_id":"3","content":"","created_at":1,"embeds":[
                {"type":"link","url":"https://example.com/a","title":" A title ","description":"Words",
                 "provider":{"name":"Example"},"image":{"url":"https://cdn.example.com/a.png","width":640,"height":-3},"color":123},
                {"url":"https://example.com/b","site_name":"Site","thumbnail":"https://cdn.example.com/b.jpg"},
                {"title":42,"image":{"url":7}},
                "not an object", null, 5, {},
                {"description":"only text","image_url":"/img.png","image_width":10,"image_height":20}
            ]}"#,
        )
        .unwrap();
        let e = m.embeds.clone().expect("embeds kept");
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].title.as_deref(), Some("A title"));
        assert_eq!(e[0].site_name.as_deref(), Some("Example"));
        assert_eq!(
            e[0].image_url.as_deref(),
            Some("https://cdn.example.com/a.png")
        );
        assert_eq!((e[0].image_width, e[0].image_height), (Some(640), None));
        assert_eq!(e[1].site_name.as_deref(), Some("Site"));
        assert_eq!(
            e[1].image_url.as_deref(),
            Some("https://cdn.example.com/b.jpg")
        );
        assert_eq!((e[2].image_width, e[2].image_height), (Some(10), Some(20)));
        // What the cache writes reads back the same.
        let again: Message = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn any_embeds_value_keeps_the_message() {
        for embeds in [
            "null",
            "{}",
            "\"x\"",
            "[[],[1],{\"url\":{}}]",
            "[{\"image\":{\"url\":\"\",\"width\":1e308}}]",
        ] {
            let body = format!(
                r#"{{"id":"1","channel_id":"2","author_id":"3","content":"hi","created_at":1,"embeds":{embeds}}}"#
            );
            let m: Message = serde_json::from_str(&body).expect(&body);
            assert_eq!(m.embeds, None, "{embeds}");
        }
    }

    #[test]
    fn ids_sort_numerically() {
        assert_eq!(cmp_ids("99", "100"), std::cmp::Ordering::Less);
        assert_eq!(cmp_ids("100", "100"), std::cmp::Ordering::Equal);
    }
}
