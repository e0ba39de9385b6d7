//! Gateway frame codec: `{"op", "d", "s", "t"}` in, typed outbound frames out.
//!
//! Inbound decoding borrows from the frame text and keeps `d` as raw JSON until the event
//! name is known, so a dispatch is parsed once, straight into its typed payload
//! ([`crate::event::Event::from_dispatch`]). Unknown fields and unknown opcodes are tolerated;
//! anything that is not a JSON object with a numeric `op` is an error, never a panic.
//!
//! Outbound frames are encoded here and refused when they would reach 64 KiB, because the
//! server closes the socket with 4002 for larger frames (PROTOCOL.md §7).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::Presence;
use crate::session::Token;

/// The server closes any frame of 64 KiB or more with 4002; we stay strictly below.
pub const MAX_OUTBOUND_FRAME: usize = 64 * 1024;

/// Intents the desktop client asks for (PROTOCOL.md §7); above the server's mask → 4013.
pub const DEFAULT_INTENTS: u64 = 1_900_543;

/// A decoded server frame, borrowing from the text it came from.
#[derive(Debug)]
pub(crate) enum Inbound<'a> {
    /// op 0.
    Dispatch {
        /// Sequence number, when present.
        seq: Option<u64>,
        /// Event name.
        name: Cow<'a, str>,
        /// Raw payload (`None` when absent or null).
        data: Option<&'a RawValue>,
    },
    /// op 1: the server asks for a heartbeat now.
    HeartbeatRequest,
    /// op 7: the server asks us to reconnect (and resume).
    Reconnect,
    /// op 9: the session cannot be resumed (`d: true` would mean it can).
    InvalidSession {
        /// Whether the server says a resume may still work.
        resumable: bool,
    },
    /// op 10.
    Hello {
        /// Milliseconds between heartbeats.
        heartbeat_interval_ms: u64,
    },
    /// op 11.
    HeartbeatAck,
    /// Any other opcode: ignored.
    Unknown(u64),
}

/// Why an inbound frame could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("malformed gateway frame: {0}")]
pub struct DecodeError(String);

#[derive(Deserialize)]
struct RawFrame<'a> {
    op: u64,
    #[serde(default)]
    s: Option<u64>,
    #[serde(default, borrow)]
    t: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    d: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct HelloData {
    heartbeat_interval: u64,
}

/// Decodes one inbound text frame.
///
/// # Errors
/// Fails on anything that is not a JSON object with a numeric `op`, on a dispatch without an
/// event name, and on a HELLO without a heartbeat interval.
pub(crate) fn decode(text: &str) -> Result<Inbound<'_>, DecodeError> {
    // serde also reads a struct from a JSON array (`[0, 1]`); a frame must be an object.
    if !text.trim_start().starts_with('{') {
        return Err(DecodeError("frame is not a JSON object".into()));
    }
    let raw: RawFrame<'_> = serde_json::from_str(text).map_err(|e| DecodeError(e.to_string()))?;
    Ok(match raw.op {
        0 => Inbound::Dispatch {
            seq: raw.s,
            name: raw
                .t
                .ok_or_else(|| DecodeError("dispatch without `t`".into()))?,
            data: raw.d.filter(|d| d.get() != "null"),
        },
        1 => Inbound::HeartbeatRequest,
        7 => Inbound::Reconnect,
        9 => Inbound::InvalidSession {
            resumable: raw.d.is_some_and(|d| d.get() == "true"),
        },
        10 => {
            let d = raw
                .d
                .ok_or_else(|| DecodeError("HELLO without `d`".into()))?;
            let hello: HelloData =
                serde_json::from_str(d.get()).map_err(|e| DecodeError(e.to_string()))?;
            if hello.heartbeat_interval == 0 {
                return Err(DecodeError("HELLO with a zero heartbeat interval".into()));
            }
            Inbound::Hello {
                heartbeat_interval_ms: hello.heartbeat_interval,
            }
        }
        11 => Inbound::HeartbeatAck,
        other => Inbound::Unknown(other),
    })
}

/// A frame the client sends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outbound<'a> {
    /// op 1 with the last sequence number seen.
    Heartbeat(Option<u64>),
    /// op 2.
    Identify {
        /// Session token.
        token: &'a Token,
        /// Intent bits.
        intents: u64,
        /// Ask for a zlib-stream of binary frames.
        compress: bool,
    },
    /// op 3.
    Presence(&'a Presence),
    /// op 6.
    Resume {
        /// Session token.
        token: &'a Token,
        /// From READY.
        session_id: &'a str,
        /// Last sequence number seen.
        seq: Option<u64>,
    },
}

#[derive(Serialize)]
struct Wire<D> {
    op: u8,
    d: D,
}

#[derive(Serialize)]
struct IdentifyData<'a> {
    token: &'a str,
    intents: u64,
    compress: bool,
    properties: Properties,
}

#[derive(Serialize)]
struct Properties {
    os: &'static str,
    browser: &'static str,
    device: &'static str,
}

#[derive(Serialize)]
struct ResumeData<'a> {
    token: &'a str,
    session_id: &'a str,
    seq: Option<u64>,
}

#[derive(Serialize)]
struct PresenceData<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_status: Option<&'a str>,
    since: Option<u64>,
    activities: [(); 0],
    afk: bool,
}

/// Why an outbound frame was not sent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("gateway frame of {len} bytes is over the server's 64 KiB limit")]
pub struct FrameTooLarge {
    /// Encoded size.
    pub len: usize,
}

fn wire<D: Serialize>(op: u8, d: D) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&Wire { op, d }).unwrap_or_default()
}

impl Outbound<'_> {
    /// Encodes the frame as JSON text.
    ///
    /// # Errors
    /// [`FrameTooLarge`] when the text would reach 64 KiB.
    pub(crate) fn encode(&self) -> Result<String, FrameTooLarge> {
        let text = match self {
            Self::Heartbeat(seq) => wire(1, seq),
            Self::Identify {
                token,
                intents,
                compress,
            } => wire(
                2,
                IdentifyData {
                    token: token.expose(),
                    intents: *intents,
                    compress: *compress,
                    properties: Properties {
                        os: std::env::consts::OS,
                        browser: "plexichat-desktop",
                        device: "plexichat-desktop",
                    },
                },
            ),
            Self::Presence(p) => wire(
                3,
                PresenceData {
                    status: &p.status,
                    custom_status: p.custom_status.as_deref(),
                    since: None,
                    activities: [],
                    afk: p.status == "idle",
                },
            ),
            Self::Resume {
                token,
                session_id,
                seq,
            } => wire(
                6,
                ResumeData {
                    token: token.expose(),
                    session_id,
                    seq: *seq,
                },
            ),
        };
        if text.len() >= MAX_OUTBOUND_FRAME {
            return Err(FrameTooLarge { len: text.len() });
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_recorded_frames() {
        assert!(matches!(
            decode(r#"{"op":10,"d":{"heartbeat_interval":45000}}"#).unwrap(),
            Inbound::Hello {
                heartbeat_interval_ms: 45000
            }
        ));
        assert!(matches!(
            decode(r#"{"op":11}"#).unwrap(),
            Inbound::HeartbeatAck
        ));
        assert!(matches!(
            decode(r#"{"op":9,"d":false}"#).unwrap(),
            Inbound::InvalidSession { resumable: false }
        ));
        let Inbound::Dispatch { seq, name, data } =
            decode(r#"{"op":0,"t":"RESUMED","s":12,"d":{}}"#).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (seq, name.as_ref(), data.map(RawValue::get)),
            (Some(12), "RESUMED", Some("{}"))
        );
    }

    #[test]
    fn compressed_style_separators_and_unknown_fields_decode() {
        let f = decode(r#"{"op": 0, "t": "X", "s": 3, "d": null, "extra": [1, 2]}"#).unwrap();
        assert!(
            matches!(f, Inbound::Dispatch { seq: Some(3), ref name, data: None } if name == "X")
        );
        assert!(matches!(
            decode(r#"{"op":42,"d":{}}"#).unwrap(),
            Inbound::Unknown(42)
        ));
    }

    #[test]
    fn malformed_frames_are_errors() {
        for bad in [
            "",
            "{not json",
            r#"{"d":{}}"#,
            r#"{"op":"0"}"#,
            r#"{"op":-1}"#,
            r#"{"op":0,"d":{}}"#,
            r#"{"op":10,"d":{}}"#,
            r#"{"op":10,"d":{"heartbeat_interval":0}}"#,
            "[1,2]",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identify_carries_raw_token_intents_and_compress() {
        let token = Token::new("123.secret");
        let text = Outbound::Identify {
            token: &token,
            intents: DEFAULT_INTENTS,
            compress: true,
        }
        .encode()
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["op"], 2);
        assert_eq!(v["d"]["token"], "123.secret");
        assert_eq!(v["d"]["intents"], 1_900_543);
        assert_eq!(v["d"]["compress"], true);
    }

    #[test]
    fn heartbeat_and_resume_shapes() {
        assert_eq!(
            Outbound::Heartbeat(None).encode().unwrap(),
            r#"{"op":1,"d":null}"#
        );
        assert_eq!(
            Outbound::Heartbeat(Some(7)).encode().unwrap(),
            r#"{"op":1,"d":7}"#
        );
        let token = Token::new("t");
        let text = Outbound::Resume {
            token: &token,
            session_id: "abc",
            seq: Some(12),
        }
        .encode()
        .unwrap();
        assert_eq!(
            text,
            r#"{"op":6,"d":{"token":"t","session_id":"abc","seq":12}}"#
        );
    }

    #[test]
    fn oversized_presence_is_refused() {
        let p = Presence {
            status: "online".into(),
            custom_status: Some("x".repeat(70_000)),
        };
        let err = Outbound::Presence(&p).encode().unwrap_err();
        assert!(err.len > MAX_OUTBOUND_FRAME);
        let ok = Presence {
            status: "idle".into(),
            custom_status: None,
        };
        let text = Outbound::Presence(&ok).encode().unwrap();
        assert_eq!(
            text,
            r#"{"op":3,"d":{"status":"idle","since":null,"activities":[],"afk":true}}"#
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Arbitrary text never panics the decoder (it may be an error).
        #[test]
        fn decoding_any_text_never_panics(text in "\\PC{0,300}") {
            let _ = crate::gateway::testing::decode_event(&text);
        }

        /// Frame-shaped JSON with arbitrary values in every slot never panics, whatever the
        /// event name.
        #[test]
        fn decoding_frame_shaped_json_never_panics(
            op in proptest::prop_oneof![proptest::strategy::Just("0".to_owned()), "-?[0-9]{1,25}", "\"[a-z0-9]{0,5}\"", proptest::strategy::Just("null".to_owned())],
            t in proptest::prop_oneof![
                proptest::strategy::Just("MESSAGE_CREATE"), proptest::strategy::Just("READY"),
                proptest::strategy::Just("MESSAGE_DELETE"), proptest::strategy::Just("SECURITY_LOGOUT"),
                proptest::strategy::Just("TYPING_START"), proptest::strategy::Just("X"),
            ],
            s in "null|-?[0-9]{1,25}|\"1\"|1\\.5",
            d in "\\{(\"(id|channel_id|author_id|content|created_at|user|session_id)\": ?(null|-?[0-9]{1,22}|\"[0-9a-z]{0,8}\"|\\[\\]|\\{\\}|true), ?){0,7}\"z\":0\\}|null|\\[1\\]|\"s\"|7",
        ) {
            let text = format!(r#"{{"op":{op},"t":"{t}","s":{s},"d":{d}}}"#);
            let _ = crate::gateway::testing::decode_event(&text);
            if let Ok(frame) = decode(&text) {
                let mut shard = super::super::state::Shard::new();
                shard.on_dial();
                let _ = shard.on_frame(frame, tokio::time::Instant::now());
            }
        }
    }
}
