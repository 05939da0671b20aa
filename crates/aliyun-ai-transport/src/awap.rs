//! The AWAP message format, as DianJin's real-time dialogue
//! (EndToEndRealTimeDialog) speaks it over WebSocket: one message per frame,
//! header lines, a blank line, then the payload, JSON in a text frame or raw
//! bytes (audio) in a binary frame.
//!
//! ```text
//! type:StartTranscription
//! timestamp:1796179420756
//! id:605602b968863e4c162773a782d4daeb
//!
//! {"playCode":"c00aa8467a","metaData":{"name":"\u5f20\u4e09"},"selfDirected":true}
//! ```
//!
//! Sources: the frames the vendor's SDK sends (`alibabacloud-tea-openapi`
//! 0.4.6, captured in `vendor-requests/dianjin-EndToEndRealTimeDialog-frames.txt`:
//! `\n` line ends, `type`, `timestamp` in milliseconds, `id` of 32 hex digits,
//! `ack:required` when an answer is awaited) and the operation's metadata
//! (`docs/openmeta/dianjin-2024-06-28.zh_cn.json`, which adds `seq` and shows
//! server messages written `seq: 3` and `type:SentenceEnd ` with spaces
//! around the value). Decoding is lenient: `\r\n` or `\n`, spaces around keys
//! and values, headers in any order, unknown headers kept. Encoding writes
//! the SDK's exact form. This module knows the format only; which message
//! types exist is the session's business.

use std::fmt;

use bytes::Bytes;

/// The payload of a message: JSON text (a text frame) or raw bytes (a binary
/// frame, such as audio).
#[derive(Clone, PartialEq, Eq)]
pub enum AwapPayload {
    /// The text after the blank line of a text frame (JSON for every message
    /// the vendor documents; empty or `{}` for those without fields).
    Text(String),
    /// The bytes after the blank line of a binary frame.
    Binary(Bytes),
}

impl fmt::Debug for AwapPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.debug_tuple("Text").field(text).finish(),
            // Audio is long and says nothing in a log.
            Self::Binary(bytes) => write!(f, "Binary({} bytes)", bytes.len()),
        }
    }
}

/// One AWAP message: its headers, in order, and its payload.
///
/// ```
/// use aliyun_ai_transport::awap::{AwapLimits, AwapMessage};
///
/// let message = AwapMessage::text("StopTranscription", "{}")
///     .with_header("timestamp", "1796179421360")
///     .with_header("id", "3040a75c58d85dfa45029bb23abc0b61");
/// let frame = message.encode_text().unwrap();
/// assert_eq!(
///     frame,
///     "type:StopTranscription\ntimestamp:1796179421360\nid:3040a75c58d85dfa45029bb23abc0b61\n\n{}"
/// );
/// let decoded = AwapMessage::decode_text(&frame, &AwapLimits::default()).unwrap();
/// assert_eq!(decoded, message);
/// assert_eq!(decoded.kind(), "StopTranscription");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwapMessage {
    /// `(key, value)` pairs in order; `type` first.
    headers: Vec<(String, String)>,
    payload: AwapPayload,
}

/// How large a received message may be before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwapLimits {
    /// The most bytes of header lines (up to the blank line). Default 8 KiB.
    pub max_header_bytes: usize,
    /// The most payload bytes. Default 4 MiB: a reply's synthesised audio
    /// comes in pieces far smaller.
    pub max_payload_bytes: usize,
}

impl AwapLimits {
    /// Limits of your own.
    pub const fn new(max_header_bytes: usize, max_payload_bytes: usize) -> Self {
        Self {
            max_header_bytes,
            max_payload_bytes,
        }
    }
}

impl Default for AwapLimits {
    fn default() -> Self {
        Self::new(8 * 1024, 4 * 1024 * 1024)
    }
}

/// Why a frame is not an AWAP message (or a message cannot be written).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwapError {
    /// The header lines never end with a blank line.
    NoBlankLine,
    /// A header line has no `:`. Holds the line's number (from 1).
    MalformedHeader(usize),
    /// No `type` header.
    MissingType,
    /// The header lines of a binary frame are not UTF-8.
    HeadersNotUtf8,
    /// The header lines are longer than the limit.
    HeadersTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The payload is longer than the limit.
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The payload's length.
        actual: usize,
    },
    /// A header key or value to write holds a line break or a `:` in its
    /// key, or the key is empty: it would change the message's structure.
    InvalidHeader(String),
    /// `encode_text` of a binary payload, or `encode_binary` of a text one.
    WrongFrameKind,
}

impl fmt::Display for AwapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoBlankLine => f.write_str("AWAP message: no blank line ends its headers"),
            Self::MalformedHeader(line) => {
                write!(f, "AWAP message: header line {line} has no `:`")
            }
            Self::MissingType => f.write_str("AWAP message: no `type` header"),
            Self::HeadersNotUtf8 => f.write_str("AWAP message: its header lines are not UTF-8"),
            Self::HeadersTooLarge { limit } => {
                write!(f, "AWAP message: header lines over {limit} bytes")
            }
            Self::PayloadTooLarge { limit, actual } => write!(
                f,
                "AWAP message: a payload of {actual} bytes is over the limit of {limit}"
            ),
            Self::InvalidHeader(key) => write!(
                f,
                "AWAP message: header `{key}` would break the format (an empty key, a `:` in the key, or a line break)"
            ),
            Self::WrongFrameKind => f.write_str(
                "AWAP message: a text payload goes in a text frame, bytes in a binary one",
            ),
        }
    }
}

impl std::error::Error for AwapError {}

impl AwapMessage {
    /// A message of type `kind` with a text (JSON) payload, for a text frame.
    pub fn text(kind: impl Into<String>, payload: impl Into<String>) -> Self {
        Self {
            headers: vec![("type".to_owned(), kind.into())],
            payload: AwapPayload::Text(payload.into()),
        }
    }

    /// A message of type `kind` with raw bytes (audio), for a binary frame.
    pub fn binary(kind: impl Into<String>, payload: impl Into<Bytes>) -> Self {
        Self {
            headers: vec![("type".to_owned(), kind.into())],
            payload: AwapPayload::Binary(payload.into()),
        }
    }

    /// Adds a header after the others (or replaces the value of one already
    /// there, keeping its place).
    #[must_use]
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match self.headers.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((key, value)),
        }
        self
    }

    /// The `type` header: `StartTranscription`, `SentenceEnd`, `RECONNECT`...
    pub fn kind(&self) -> &str {
        self.header("type").unwrap_or_default()
    }

    /// A header's value, by key (exact, as the vendor writes them in lower case).
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every header, in order.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The `id` header: 32 hex digits in the SDK's messages.
    pub fn id(&self) -> Option<&str> {
        self.header("id")
    }

    /// The `seq` header, when it is a number.
    pub fn seq(&self) -> Option<u64> {
        self.header("seq")?.parse().ok()
    }

    /// The `timestamp` header (milliseconds since the epoch), when a number.
    pub fn timestamp_ms(&self) -> Option<u64> {
        self.header("timestamp")?.parse().ok()
    }

    /// Whether the sender awaits an answer (`ack:required`).
    pub fn ack_required(&self) -> bool {
        self.header("ack") == Some("required")
    }

    /// The `ack-id` header: the `id` of the message this one answers.
    pub fn ack_id(&self) -> Option<&str> {
        self.header("ack-id")
    }

    /// The payload.
    pub fn payload(&self) -> &AwapPayload {
        &self.payload
    }

    /// The payload as text; `None` for a binary message.
    pub fn text_payload(&self) -> Option<&str> {
        match &self.payload {
            AwapPayload::Text(text) => Some(text),
            AwapPayload::Binary(_) => None,
        }
    }

    /// Whether this is a binary-frame message.
    pub fn is_binary(&self) -> bool {
        matches!(self.payload, AwapPayload::Binary(_))
    }

    /// The header lines and the blank line, as the SDK writes them.
    fn encode_headers(&self, out: &mut Vec<u8>) -> Result<(), AwapError> {
        for (key, value) in &self.headers {
            let breaks = |text: &str| text.contains(['\n', '\r']);
            if key.trim().is_empty() || key.contains(':') || breaks(key) || breaks(value) {
                return Err(AwapError::InvalidHeader(key.clone()));
            }
            out.extend_from_slice(key.as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        Ok(())
    }

    /// The text frame of a text message.
    pub fn encode_text(&self) -> Result<String, AwapError> {
        let AwapPayload::Text(text) = &self.payload else {
            return Err(AwapError::WrongFrameKind);
        };
        let mut out = Vec::with_capacity(96 + text.len());
        self.encode_headers(&mut out)?;
        out.extend_from_slice(text.as_bytes());
        // Headers and payload are `str`s joined with ASCII: UTF-8 throughout.
        String::from_utf8(out).map_err(|_| AwapError::HeadersNotUtf8)
    }

    /// The binary frame of a binary message.
    pub fn encode_binary(&self) -> Result<Vec<u8>, AwapError> {
        let AwapPayload::Binary(bytes) = &self.payload else {
            return Err(AwapError::WrongFrameKind);
        };
        let mut out = Vec::with_capacity(96 + bytes.len());
        self.encode_headers(&mut out)?;
        out.extend_from_slice(bytes);
        Ok(out)
    }

    /// Decodes a text frame.
    pub fn decode_text(frame: &str, limits: &AwapLimits) -> Result<Self, AwapError> {
        let (headers, rest) = split(frame.as_bytes(), limits)?;
        let headers = parse_headers(headers)?;
        check_payload(rest.len(), limits)?;
        // `split` cuts after an ASCII newline, so `rest` is whole UTF-8.
        let text = String::from_utf8_lossy(rest).into_owned();
        Ok(Self {
            headers,
            payload: AwapPayload::Text(text),
        })
    }

    /// Decodes a binary frame.
    pub fn decode_binary(frame: &[u8], limits: &AwapLimits) -> Result<Self, AwapError> {
        let (headers, rest) = split(frame, limits)?;
        let headers = parse_headers(headers)?;
        check_payload(rest.len(), limits)?;
        Ok(Self {
            headers,
            payload: AwapPayload::Binary(Bytes::copy_from_slice(rest)),
        })
    }
}

/// The header bytes (without the blank line) and the payload.
fn split<'a>(frame: &'a [u8], limits: &AwapLimits) -> Result<(&'a [u8], &'a [u8]), AwapError> {
    let too_large = AwapError::HeadersTooLarge {
        limit: limits.max_header_bytes,
    };
    // The blank line is looked for only where headers within the limit
    // could end, so a huge frame without one is not scanned to its end.
    let window = &frame[..frame.len().min(limits.max_header_bytes.saturating_add(2))];
    // A blank line: `\n\n`, or `\n\r\n` with CRLF line ends; a frame that
    // starts with it has no headers (and so no type).
    let mut line_start = 0;
    loop {
        let rest = &window[line_start..];
        let blank = if rest.starts_with(b"\n") {
            Some(1)
        } else if rest.starts_with(b"\r\n") {
            Some(2)
        } else {
            None
        };
        if let Some(length) = blank {
            if line_start > limits.max_header_bytes {
                return Err(too_large);
            }
            return Ok((&frame[..line_start], &frame[line_start + length..]));
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(end) => line_start += end + 1,
            None if frame.len() > window.len() => return Err(too_large),
            None => return Err(AwapError::NoBlankLine),
        }
    }
}

fn parse_headers(bytes: &[u8]) -> Result<Vec<(String, String)>, AwapError> {
    let text = std::str::from_utf8(bytes).map_err(|_| AwapError::HeadersNotUtf8)?;
    let mut headers = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or(AwapError::MalformedHeader(index + 1))?;
        // The metadata writes `seq: 3` and `type:SentenceEnd ` (sources above).
        let key = key.trim();
        if key.is_empty() {
            return Err(AwapError::MalformedHeader(index + 1));
        }
        headers.push((key.to_owned(), value.trim().to_owned()));
    }
    if !headers.iter().any(|(k, _)| k == "type") {
        return Err(AwapError::MissingType);
    }
    Ok(headers)
}

fn check_payload(length: usize, limits: &AwapLimits) -> Result<(), AwapError> {
    if length > limits.max_payload_bytes {
        return Err(AwapError::PayloadTooLarge {
            limit: limits.max_payload_bytes,
            actual: length,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_binary_frame_round_trips_byte_for_byte() {
        let audio: Vec<u8> = (0..640).map(|i| (i % 16) as u8).collect();
        let mut frame = b"type:ProcessTranscription\ntimestamp:1796179421059\nid:9d22810f46a575e3f9141a7740d96205\n\n".to_vec();
        frame.extend_from_slice(&audio);
        assert_eq!(frame.len(), 727, "the captured frame's length");
        let message = AwapMessage::decode_binary(&frame, &AwapLimits::default()).unwrap();
        assert_eq!(message.kind(), "ProcessTranscription");
        assert_eq!(message.timestamp_ms(), Some(1_796_179_421_059));
        assert_eq!(message.id(), Some("9d22810f46a575e3f9141a7740d96205"));
        assert_eq!(message.payload(), &AwapPayload::Binary(Bytes::from(audio)));
        assert_eq!(message.encode_binary().unwrap(), frame);
    }

    #[test]
    fn server_messages_as_the_metadata_writes_them() {
        let frame = "type:SentenceEnd \r\nseq: 3 \r\ntimestamp: 1754659629166\r\nack-id:605602b968863e4c162773a782d4daeb\r\nx-extra:kept\r\n\r\n{\"messageEnd\":true}";
        let message = AwapMessage::decode_text(frame, &AwapLimits::default()).unwrap();
        assert_eq!(message.kind(), "SentenceEnd");
        assert_eq!(message.seq(), Some(3));
        assert_eq!(message.timestamp_ms(), Some(1_754_659_629_166));
        assert_eq!(message.ack_id(), Some("605602b968863e4c162773a782d4daeb"));
        assert_eq!(message.header("x-extra"), Some("kept"));
        assert_eq!(message.text_payload(), Some("{\"messageEnd\":true}"));
        assert!(!message.ack_required());
    }

    #[test]
    fn a_payload_may_hold_blank_lines_and_may_be_empty() {
        let message =
            AwapMessage::decode_text("type:RECONNECT\n\n", &AwapLimits::default()).unwrap();
        assert_eq!(message.kind(), "RECONNECT");
        assert_eq!(message.text_payload(), Some(""));
        let message =
            AwapMessage::decode_text("type:X\nack:required\n\n{\n\n}", &AwapLimits::default())
                .unwrap();
        assert_eq!(message.text_payload(), Some("{\n\n}"));
        assert!(message.ack_required());
    }

    #[test]
    fn malformed_frames_say_what_is_wrong() {
        let limits = AwapLimits::default();
        let decode = |frame: &str| AwapMessage::decode_text(frame, &limits).unwrap_err();
        assert_eq!(decode("type:X\n{}"), AwapError::NoBlankLine);
        assert_eq!(
            decode("type:X\nno colon\n\n{}"),
            AwapError::MalformedHeader(2)
        );
        assert_eq!(decode("seq:1\n\n{}"), AwapError::MissingType);
        assert_eq!(decode("\n{}"), AwapError::MissingType);
        assert_eq!(decode(":v\ntype:X\n\n"), AwapError::MalformedHeader(1));
        assert_eq!(
            AwapMessage::decode_binary(b"type:\xff\n\n", &limits).unwrap_err(),
            AwapError::HeadersNotUtf8
        );
    }

    #[test]
    fn limits_refuse_oversized_headers_and_payloads() {
        let limits = AwapLimits::new(64, 16);
        let long_header = format!("type:X\nx:{}\n\n{{}}", "a".repeat(100));
        assert_eq!(
            AwapMessage::decode_text(&long_header, &limits).unwrap_err(),
            AwapError::HeadersTooLarge { limit: 64 }
        );
        // Without any newline at all: refused at the limit.
        assert_eq!(
            AwapMessage::decode_binary(&[b'a'; 1000], &limits).unwrap_err(),
            AwapError::HeadersTooLarge { limit: 64 }
        );
        let error =
            AwapMessage::decode_binary(b"type:X\n\n0123456789abcdefXYZ", &limits).unwrap_err();
        assert_eq!(
            error,
            AwapError::PayloadTooLarge {
                limit: 16,
                actual: 19
            }
        );
        assert!(error.to_string().contains("19 bytes"), "{error}");
    }

    #[test]
    fn headers_that_would_break_the_format_are_not_written() {
        for (key, value) in [
            ("a\nb", "v"),
            ("k", "v\r\ntype:Other"),
            ("a:b", "v"),
            (" ", "v"),
        ] {
            let message = AwapMessage::text("X", "{}").with_header(key, value);
            assert_eq!(
                message.encode_text().unwrap_err(),
                AwapError::InvalidHeader(key.to_owned())
            );
        }
        assert_eq!(
            AwapMessage::binary("X", vec![1u8])
                .encode_text()
                .unwrap_err(),
            AwapError::WrongFrameKind
        );
    }

    #[test]
    fn with_header_replaces_in_place_and_debug_hides_audio() {
        let message = AwapMessage::binary("ProcessTranscription", vec![7u8; 640])
            .with_header("seq", "1")
            .with_header("type", "Other");
        assert_eq!(
            message.headers().collect::<Vec<_>>(),
            [("type", "Other"), ("seq", "1")]
        );
        let shown = format!("{message:?}");
        assert!(shown.contains("Binary(640 bytes)"), "{shown}");
    }
}
