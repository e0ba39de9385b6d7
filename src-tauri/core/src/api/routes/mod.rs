//! Typed routes: one method per endpoint the app uses (PROTOCOL.md §4–§6), grouped by area.
//!
//! Every path segment taken from the caller is percent-encoded, so an id or emoji can never
//! change the route.

mod account;
mod chat;
mod communities;
mod media;
mod polls;
mod rich;
mod saved;
pub mod search;
mod social;
pub(crate) mod unread;

/// Percent-encodes one path segment.
pub(crate) fn seg(raw: &str) -> String {
    // `.` and `..` (even percent-encoded) are dot segments that URL parsing resolves, which
    // would move the request to another route; no id or emoji looks like that.
    if raw.is_empty() || raw.bytes().all(|b| b == b'.') {
        return "_".to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::seg;

    #[test]
    fn path_segments_cannot_escape_their_route() {
        assert_eq!(seg("123"), "123");
        assert_eq!(seg("👍"), "%F0%9F%91%8D");
        assert_eq!(seg("../users/@me"), "..%2Fusers%2F@me");
        assert_eq!(seg("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(seg(".."), "_");
        assert_eq!(seg(""), "_");
    }
}
