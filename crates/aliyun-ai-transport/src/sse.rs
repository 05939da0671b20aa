//! An incremental decoder of server-sent events (the WHATWG `text/event-stream`
//! format) and a stream adapter over a response body.
//!
//! Chunks may split the input anywhere, even inside a UTF-8 character or
//! between `\r` and `\n`; lines end with LF, CRLF or CR; `data:` may span
//! several lines; comments (`:`) and keep-alives are skipped; a last event
//! without a trailing blank line is still delivered at the end of the stream.
//! An `event: error` becomes an error item (async-openai's lesson, see
//! [`docs/vendor/rust-sdk-lessons.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/rust-sdk-lessons.md)), and a normal end of stream is not an error.
//!
//! Hand-written rather than a dependency: the crates available either own the
//! HTTP request (eventsource clients) or allocate per line; this one is fed the
//! transport's chunks, scans each byte once, holds at most its [`SseLimits`], and
//! is fuzzed (the repository's `fuzz/`). It does
//! not accept: a `retry:` that is not a number (ignored, per the spec), an `id`
//! holding NUL (ignored, per the spec); invalid UTF-8 is replaced, not refused.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::TransportError;

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SseEvent {
    /// The `event:` field; `None` means the default type, `message`.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The `id:` field, if the event carried one.
    pub id: Option<String>,
    /// The `retry:` field (milliseconds), if the event carried one.
    pub retry: Option<u64>,
}

/// The most a decoder holds: a line without its end, and one event's data.
/// Past either, decoding fails with [`SseError::TooLarge`] instead of
/// buffering a broken or hostile upstream's bytes without bound.
///
/// ```
/// use aliyun_ai_transport::sse::SseLimits;
/// let limits = SseLimits::new(1024 * 1024, 4 * 1024 * 1024);
/// assert_eq!(limits.max_line, 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SseLimits {
    /// The longest line, in bytes (without its terminator).
    pub max_line: usize,
    /// The most data one event may carry (its `data:` lines joined), in bytes.
    pub max_event: usize,
}

impl SseEvent {
    /// An event of the default type (`message`) carrying `data`.
    pub fn new(data: impl Into<String>) -> Self {
        Self {
            data: data.into(),
            ..Self::default()
        }
    }

    /// Sets the `event:` type.
    pub fn with_event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Sets the `id:` field.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the `retry:` field (milliseconds).
    pub fn with_retry(mut self, retry: u64) -> Self {
        self.retry = Some(retry);
        self
    }
}

impl SseLimits {
    /// Limits of `max_line` bytes per line and `max_event` bytes of data per
    /// event.
    pub const fn new(max_line: usize, max_event: usize) -> Self {
        Self {
            max_line,
            max_event,
        }
    }

    /// 16 MiB per line and per event: far above the largest event the
    /// services send (a whole DianJin answer), far below what exhausts memory.
    pub const DEFAULT: SseLimits = SseLimits {
        max_line: 16 * 1024 * 1024,
        max_event: 16 * 1024 * 1024,
    };
}

impl Default for SseLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Decodes server-sent events from chunks of bytes as they arrive.
///
/// ```
/// use aliyun_ai_transport::sse::SseDecoder;
///
/// let mut decoder = SseDecoder::new();
/// let mut events = decoder.push(b"data: {\"text\":\"he")?;
/// assert!(events.is_empty());
/// events.extend(decoder.push(b"llo\"}\n\n: keep-alive\n\ndata: bye")?);
/// events.extend(decoder.finish());
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[0].data, "{\"text\":\"hello\"}");
/// assert_eq!(events[1].data, "bye");
/// # Ok::<(), aliyun_ai_transport::sse::SseError>(())
/// ```
#[derive(Debug, Default)]
pub struct SseDecoder {
    /// The most it buffers.
    limits: SseLimits,
    /// Bytes not yet forming a whole line.
    pending: Vec<u8>,
    /// How many bytes of `pending` are known to hold no line terminator.
    scanned: usize,
    /// Whether the first line has been seen (a leading BOM is dropped).
    started: bool,
    /// The event being assembled.
    event: Option<String>,
    data: String,
    has_data: bool,
    id: Option<String>,
    retry: Option<u64>,
}

impl SseDecoder {
    /// A decoder at the start of a stream, with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder at the start of a stream, holding at most `limits`.
    pub fn with_limits(limits: SseLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Feeds a chunk; returns the events it completed. Each byte is scanned
    /// once: a long line arriving in many chunks costs no rescans.
    ///
    /// A line or an event over the decoder's [`SseLimits`] is an
    /// [`SseError::TooLarge`] as soon as the chunk that crosses the limit
    /// arrives; the decoder then holds nothing and should be dropped.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, SseError> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        // Bytes before `scanned` hold no line terminator (already looked at).
        let mut index = self.scanned.min(pending.len());
        loop {
            let Some(offset) = pending[index..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
            else {
                index = pending.len();
                break;
            };
            let at = index + offset;
            // A `\r` at the very end may be the first half of `\r\n`: wait.
            if pending[at] == b'\r' && at + 1 == pending.len() {
                index = at;
                break;
            }
            let next = if pending[at] == b'\r' && pending[at + 1] == b'\n' {
                at + 2
            } else {
                at + 1
            };
            if at - start > self.limits.max_line {
                return Err(self.too_large("line", self.limits.max_line));
            }
            if let Some(event) = self.line(&pending[start..at]) {
                events.push(event);
            }
            if self.data.len() > self.limits.max_event {
                return Err(self.too_large("event", self.limits.max_event));
            }
            start = next;
            index = next;
        }
        // The unfinished line (a `\r` waiting for its `\n` is not part of it).
        if index - start > self.limits.max_line {
            return Err(self.too_large("line", self.limits.max_line));
        }
        pending.drain(..start);
        self.scanned = index - start;
        self.pending = pending;
        Ok(events)
    }

    /// Drops what the decoder holds and reports the limit crossed.
    fn too_large(&mut self, what: &'static str, limit: usize) -> SseError {
        *self = Self::with_limits(self.limits);
        SseError::TooLarge { what, limit }
    }

    /// Ends the stream: returns the last event if it lacked its trailing blank line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let mut rest = std::mem::take(&mut self.pending);
        self.scanned = 0;
        if rest.last() == Some(&b'\r') {
            rest.pop();
        }
        let mut event = None;
        if !rest.is_empty() {
            event = self.line(&rest);
        }
        event.or_else(|| self.dispatch())
    }

    /// Handles one line (without its terminator).
    fn line(&mut self, line: &[u8]) -> Option<SseEvent> {
        let mut line = line;
        if !self.started {
            self.started = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&value);
                self.has_data = true;
            }
            b"event" => self.event = Some(value.into_owned()),
            b"id" if !value.contains('\0') => self.id = Some(value.into_owned()),
            b"retry" => {
                if let Ok(retry) = value.parse::<u64>() {
                    self.retry = Some(retry);
                }
            }
            _ => {}
        }
        None
    }

    /// Ends the current event at a blank line. An event without data is not
    /// delivered (the spec's rule), except an `error` event.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let id = self.id.take();
        let retry = self.retry.take();
        let data = std::mem::take(&mut self.data);
        let has_data = std::mem::replace(&mut self.has_data, false);
        (has_data || event.as_deref() == Some("error")).then_some(SseEvent {
            event,
            data,
            id,
            retry,
        })
    }
}

/// Why an event stream ended early.
#[derive(Debug)]
#[non_exhaustive]
pub enum SseError {
    /// The server sent `event: error`; `data` is its payload.
    Server {
        /// The error event's data.
        data: String,
    },
    /// The body failed mid-stream.
    Transport(TransportError),
    /// A line or an event exceeded the decoder's [`SseLimits`].
    TooLarge {
        /// What was too large: `"line"` or `"event"`.
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::Server { data } => write!(f, "the server sent an error event: {data}"),
            SseError::Transport(error) => write!(f, "the event stream broke: {error}"),
            SseError::TooLarge { what, limit } => write!(
                f,
                "an event stream {what} exceeds the limit of {limit} bytes"
            ),
        }
    }
}

impl std::error::Error for SseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SseError::Server { .. } | SseError::TooLarge { .. } => None,
            SseError::Transport(error) => Some(error),
        }
    }
}

/// The events of a body stream. It ends after an error item. Dropping it
/// drops the body, which closes the connection.
pub struct SseStream<S> {
    body: Option<S>,
    decoder: SseDecoder,
    ready: VecDeque<SseEvent>,
}

impl<S> SseStream<S> {
    /// Decodes the events of `body`, with the default limits.
    pub fn new(body: S) -> Self {
        Self::with_limits(body, SseLimits::DEFAULT)
    }

    /// Decodes the events of `body`, holding at most `limits`.
    pub fn with_limits(body: S, limits: SseLimits) -> Self {
        Self {
            body: Some(body),
            decoder: SseDecoder::with_limits(limits),
            ready: VecDeque::new(),
        }
    }
}

impl<S> fmt::Debug for SseStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseStream")
            .field("open", &self.body.is_some())
            .field("ready", &self.ready.len())
            .finish()
    }
}

impl<S> Stream for SseStream<S>
where
    S: Stream<Item = Result<Bytes, TransportError>> + Unpin,
{
    type Item = Result<SseEvent, SseError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.ready.pop_front() {
                if event.event.as_deref() == Some("error") {
                    this.body = None;
                    this.ready.clear();
                    return Poll::Ready(Some(Err(SseError::Server { data: event.data })));
                }
                return Poll::Ready(Some(Ok(event)));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match Pin::new(body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => match this.decoder.push(&chunk) {
                    Ok(events) => this.ready.extend(events),
                    Err(error) => {
                        // Events completed before the limit was crossed
                        // are lost with the stream: it is broken anyway.
                        this.body = None;
                        this.ready.clear();
                        return Poll::Ready(Some(Err(error)));
                    }
                },
                Poll::Ready(Some(Err(error))) => {
                    this.body = None;
                    return Poll::Ready(Some(Err(SseError::Transport(error))));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    this.ready.extend(this.decoder.finish());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events: Vec<SseEvent> = chunks
            .iter()
            .flat_map(|c| decoder.push(c).unwrap())
            .collect();
        events.extend(decoder.finish());
        events
    }

    fn data(event: &SseEvent) -> &str {
        &event.data
    }

    #[test]
    fn multi_line_data_and_fields() {
        let events = decode(&[b"event: delta\nid: 7\nretry: 1500\ndata: a\ndata:b\ndata\n\n"]);
        assert_eq!(
            events,
            [SseEvent {
                event: Some("delta".into()),
                data: "a\nb\n".into(),
                id: Some("7".into()),
                retry: Some(1500)
            }]
        );
    }

    #[test]
    fn line_endings_lf_crlf_and_cr_even_split() {
        let expected = ["one", "two", "three"];
        for input in [&b"data: one\n\ndata: two\r\n\r\ndata: three\r\r"[..]] {
            for split in 0..=input.len() {
                let events = decode(&[&input[..split], &input[split..]]);
                assert_eq!(
                    events.iter().map(data).collect::<Vec<_>>(),
                    expected,
                    "split at {split}"
                );
            }
        }
    }

    #[test]
    fn comments_keep_alives_and_bom_are_skipped() {
        let events = decode(&[b"\xEF\xBB\xBF: hello\n\n:\n\ndata: x\n\n\n\n"]);
        assert_eq!(events.iter().map(data).collect::<Vec<_>>(), ["x"]);
    }

    #[test]
    fn last_event_without_blank_line_is_delivered() {
        assert_eq!(
            decode(&[b"data: a\n\ndata: b"])
                .iter()
                .map(data)
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(
            decode(&[b"data: a\n\ndata: b\r"])
                .iter()
                .map(data)
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(decode(&[b"event: only\n"]).is_empty());
    }

    #[test]
    fn a_line_one_byte_over_the_limit_is_refused_as_it_arrives() {
        let limits = SseLimits {
            max_line: 16,
            max_event: 64,
        };
        // Exactly at the limit: fine, split or whole.
        let mut decoder = SseDecoder::with_limits(limits);
        assert!(decoder.push(b"data: 0123456789").unwrap().is_empty());
        assert_eq!(decoder.push(b"\n\n").unwrap()[0].data, "0123456789");
        // One more byte, never terminated: refused at the chunk that crosses.
        let mut decoder = SseDecoder::with_limits(limits);
        assert!(decoder.push(b"data: 01234567").unwrap().is_empty());
        assert!(matches!(
            decoder.push(b"890"),
            Err(SseError::TooLarge {
                what: "line",
                limit: 16
            })
        ));
        // The same inside one chunk with its terminator.
        let mut decoder = SseDecoder::with_limits(limits);
        assert!(decoder.push(b"data: 01234567890\n").is_err());
    }

    #[test]
    fn an_event_one_byte_over_the_limit_is_refused() {
        let limits = SseLimits {
            max_line: 16,
            max_event: 21,
        };
        // Three lines of 7 bytes joined by two newlines: 23 > 21.
        let mut decoder = SseDecoder::with_limits(limits);
        assert!(decoder.push(b"data:aaaaaaa\ndata:bbbbbbb\n").is_ok());
        assert!(matches!(
            decoder.push(b"data:ccccccc\n"),
            Err(SseError::TooLarge { what: "event", .. })
        ));
        // 21 exactly: delivered.
        let mut decoder = SseDecoder::with_limits(limits);
        let events = decoder
            .push(b"data:aaaaaaaaaa\ndata:bbbbbbbbbb\n\n")
            .unwrap();
        assert_eq!(events[0].data.len(), 21);
    }

    #[test]
    fn utf8_split_inside_a_character() {
        let input = "data: 你好\n\n".as_bytes();
        let events = decode(&[&input[..7], &input[7..]]);
        assert_eq!(events[0].data, "你好");
    }
}
