//! Frame encoding: the per-connection zlib stream and client frame decoding.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use serde_json::Value;

/// One zlib stream per socket; each message ends with a sync flush (`00 00 ff ff`).
pub(crate) struct ZlibStream {
    inner: Compress,
}

impl ZlibStream {
    /// A new stream (the first chunk carries the `78 9c` header).
    pub(crate) fn new() -> Self {
        Self {
            inner: Compress::new(Compression::default(), true),
        }
    }

    /// Compresses one message and sync-flushes it.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() / 2 + 64);
        let mut input = text.as_bytes();
        loop {
            out.reserve(256);
            let before_in = self.inner.total_in();
            let status = self
                .inner
                .compress_vec(input, &mut out, FlushCompress::Sync);
            let consumed =
                usize::try_from(self.inner.total_in() - before_in).unwrap_or(input.len());
            input = &input[consumed.min(input.len())..];
            let done = input.is_empty() && out.ends_with(&[0, 0, 0xff, 0xff]);
            if status.is_err() || done {
                break;
            }
        }
        out
    }
}

/// Why a client frame was refused (close 4002).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Over [`super::MAX_FRAME`].
    TooLarge,
    /// Not zlib, not UTF-8, not JSON, or no integer `op`.
    Malformed,
}

/// Inflates a binary client frame (a complete zlib message), capped at `max` bytes.
pub(crate) fn inflate(data: &[u8], max: usize) -> Result<String, DecodeError> {
    let mut d = Decompress::new(true);
    let mut out = Vec::with_capacity(1024);
    loop {
        out.reserve(4096);
        let before_in = d.total_in();
        let before_out = d.total_out();
        let offset = usize::try_from(before_in).map_err(|_| DecodeError::Malformed)?;
        let status = d
            .decompress_vec(
                &data[offset.min(data.len())..],
                &mut out,
                FlushDecompress::Sync,
            )
            .map_err(|_| DecodeError::Malformed)?;
        if out.len() > max {
            return Err(DecodeError::TooLarge);
        }
        let progressed = d.total_in() != before_in || d.total_out() != before_out;
        if status == Status::StreamEnd || !progressed {
            break;
        }
    }
    if out.is_empty() {
        return Err(DecodeError::Malformed);
    }
    String::from_utf8(out).map_err(|_| DecodeError::Malformed)
}

/// Parses a client frame into `(op, d)`.
pub(crate) fn parse(text: &str) -> Result<(i64, Value), DecodeError> {
    if text.len() > super::MAX_FRAME {
        return Err(DecodeError::TooLarge);
    }
    let v: Value = serde_json::from_str(text).map_err(|_| DecodeError::Malformed)?;
    let op = v
        .get("op")
        .and_then(Value::as_i64)
        .ok_or(DecodeError::Malformed)?;
    Ok((op, v.get("d").cloned().unwrap_or(Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn stream_chunks_decode_with_one_inflater() {
        let mut z = ZlibStream::new();
        let a = z.encode("{\"op\":10}");
        let b = z.encode("{\"op\":11}");
        assert_eq!(&a[..2], &[0x78, 0x9c]);
        assert!(a.ends_with(&[0, 0, 0xff, 0xff]) && b.ends_with(&[0, 0, 0xff, 0xff]));
        let mut d = Decompress::new(true);
        let mut out = Vec::with_capacity(256);
        d.decompress_vec(&a, &mut out, FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out, b"{\"op\":10}");
        out.clear();
        d.decompress_vec(&b, &mut out, FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out, b"{\"op\":11}");
    }

    #[test]
    fn client_zlib_frame_inflates_and_garbage_does_not() {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(b"{\"op\":1,\"d\":null}").unwrap();
        let data = e.finish().unwrap();
        assert_eq!(inflate(&data, 1024).unwrap(), "{\"op\":1,\"d\":null}");
        assert_eq!(
            inflate(&[0xde, 0xad, 0xbe, 0xef], 1024),
            Err(DecodeError::Malformed)
        );
    }

    #[test]
    fn parse_requires_integer_op() {
        assert!(parse("{\"d\":{}}").is_err());
        assert!(parse("{not json").is_err());
        assert_eq!(parse("{\"op\":1,\"d\":null}").unwrap().0, 1);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_client_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = inflate(&data, 4096);
            let _ = parse(&String::from_utf8_lossy(&data));
        }
    }
}
