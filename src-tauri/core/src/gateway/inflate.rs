//! zlib-stream inflater: one per socket, reset on every dial.
//!
//! With `compress: true` the server sends every frame after IDENTIFY as a binary chunk of
//! one shared zlib stream, each ending in a sync flush (`00 00 ff ff`) (PROTOCOL.md §7).
//! Chunks without that suffix are buffered until it arrives. Output is capped so a hostile
//! or corrupt stream cannot exhaust memory; any error means the stream is unusable and the
//! socket must be replaced.

use flate2::{Decompress, FlushDecompress, Status};

const SYNC_FLUSH: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Largest decompressed frame accepted (the server never sends more than a few hundred KiB).
pub(crate) const MAX_INFLATED: usize = 8 * 1024 * 1024;

/// Why a compressed frame could not be inflated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InflateError {
    /// Not a valid continuation of the zlib stream.
    #[error("corrupt zlib stream: {0}")]
    Corrupt(String),
    /// The frame inflates past [`MAX_INFLATED`] bytes.
    #[error("inflated frame exceeds {MAX_INFLATED} bytes")]
    TooLarge,
}

/// The zlib context of one socket.
pub(crate) struct Inflater {
    zlib: Decompress,
    pending: Vec<u8>,
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    pub(crate) fn new() -> Self {
        Self {
            zlib: Decompress::new(true),
            pending: Vec::new(),
        }
    }

    /// Feeds one binary frame; returns the inflated message once a sync flush completes it.
    ///
    /// # Errors
    /// [`InflateError`] when the stream is corrupt or a message is too large.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<Option<Vec<u8>>, InflateError> {
        self.pending.extend_from_slice(chunk);
        if self.pending.len() > MAX_INFLATED {
            self.pending.clear();
            return Err(InflateError::TooLarge);
        }
        if !self.pending.ends_with(&SYNC_FLUSH) {
            return Ok(None);
        }
        let input = std::mem::take(&mut self.pending);
        self.inflate(&input).map(Some)
    }

    fn inflate(&mut self, mut input: &[u8]) -> Result<Vec<u8>, InflateError> {
        let mut out = Vec::with_capacity(input.len().saturating_mul(4).clamp(256, MAX_INFLATED));
        loop {
            if out.len() > MAX_INFLATED {
                return Err(InflateError::TooLarge);
            }
            if out.len() == out.capacity() {
                // Grow geometrically, but never far past the cap.
                out.reserve_exact(out.len().min(MAX_INFLATED + 1 - out.len()).max(256));
            }
            let (in_before, out_before) = (self.zlib.total_in(), out.len());
            let status = self
                .zlib
                .decompress_vec(input, &mut out, FlushDecompress::Sync)
                .map_err(|e| InflateError::Corrupt(e.to_string()))?;
            let consumed = usize::try_from(self.zlib.total_in() - in_before).unwrap_or(input.len());
            input = input.get(consumed..).unwrap_or_default();
            let progressed = consumed > 0 || out.len() > out_before;
            let room_left = out.len() < out.capacity();
            if out.len() > MAX_INFLATED {
                return Err(InflateError::TooLarge);
            }
            if status == Status::StreamEnd || (input.is_empty() && room_left) {
                return Ok(out);
            }
            if !progressed && room_left {
                return Err(InflateError::Corrupt("stream stalled".into()));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use flate2::{write::ZlibEncoder, Compression};

    use super::*;

    /// Compresses messages the way the server does: one stream, a sync flush after each.
    pub(crate) fn zlib_stream(messages: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
        let mut frames = Vec::new();
        for m in messages {
            enc.write_all(m).unwrap();
            enc.flush().unwrap();
            frames.push(std::mem::take(enc.get_mut()));
        }
        frames
    }

    #[test]
    fn inflates_a_shared_stream_frame_by_frame() {
        let msgs: [&[u8]; 3] = [
            br#"{"op": 11}"#,
            &[b'x'; 100_000],
            br#"{"op": 0, "t": "X"}"#,
        ];
        let mut inf = Inflater::new();
        for (frame, expected) in zlib_stream(&msgs).iter().zip(msgs) {
            assert!(frame.ends_with(&SYNC_FLUSH));
            assert_eq!(inf.push(frame).unwrap().as_deref(), Some(expected));
        }
    }

    #[test]
    fn split_frames_wait_for_the_flush_suffix() {
        let frames = zlib_stream(&[b"hello world"]);
        let (a, b) = frames[0].split_at(frames[0].len() - 2);
        let mut inf = Inflater::new();
        assert_eq!(inf.push(a).unwrap(), None);
        assert_eq!(inf.push(b).unwrap().as_deref(), Some(&b"hello world"[..]));
    }

    #[test]
    fn recorded_heartbeat_ack_needs_the_stream_context() {
        // The recorded ACK (`aa86c48aa1612d000000ffff`) only inflates after the stream's
        // header and earlier frames: a fresh inflater must reject it, not panic.
        let ack = [
            0xaa, 0x86, 0xc4, 0x8a, 0xa1, 0x61, 0x2d, 0x00, 0x00, 0x00, 0xff, 0xff,
        ];
        assert!(Inflater::new().push(&ack).is_err());
    }

    #[test]
    fn garbage_is_an_error() {
        let mut inf = Inflater::new();
        assert!(inf
            .push(&[0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0xff, 0xff])
            .is_err());
    }

    #[test]
    fn bombs_are_cut_off() {
        let big = vec![0u8; MAX_INFLATED + 10];
        let frames = zlib_stream(&[&big]);
        assert_eq!(
            Inflater::new().push(&frames[0]),
            Err(InflateError::TooLarge)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        /// Arbitrary bytes, with or without the flush suffix, never panic the inflater.
        #[test]
        fn inflating_any_bytes_never_panics(
            chunks in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..200), 1..5),
            suffix in proptest::bool::ANY,
        ) {
            let mut inf = Inflater::new();
            for mut chunk in chunks {
                if suffix {
                    chunk.extend_from_slice(&SYNC_FLUSH);
                }
                if inf.push(&chunk).is_err() {
                    break;
                }
            }
        }

        /// A real stream with bytes flipped or cut never panics, and an intact one round-trips.
        #[test]
        fn damaged_real_streams_never_panic(
            messages in proptest::collection::vec("\\PC{0,400}", 1..6),
            flip in proptest::option::of((0usize..10_000, proptest::num::u8::ANY)),
            cut in proptest::option::of(0usize..10_000),
        ) {
            let raw: Vec<&[u8]> = messages.iter().map(String::as_bytes).collect();
            let mut frames = zlib_stream(&raw);
            let intact = flip.is_none() && cut.is_none();
            if let Some((at, byte)) = flip {
                let total: usize = frames.iter().map(Vec::len).sum();
                let mut at = at % total.max(1);
                for f in &mut frames {
                    if at < f.len() { f[at] ^= byte | 1; break; }
                    at -= f.len();
                }
            }
            if let Some(cut) = cut {
                let f = &mut frames[0];
                let keep = cut % (f.len() + 1);
                f.truncate(keep);
            }
            let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
            let result = crate::gateway::testing::inflate_frames(&refs);
            if intact {
                let out = result.unwrap();
                proptest::prop_assert_eq!(out.len(), messages.len());
                for (o, m) in out.iter().zip(&messages) {
                    proptest::prop_assert_eq!(o.as_slice(), m.as_bytes());
                }
            }
        }
    }
}
