//! Streamed answers: server-sent events decoded into an operation's output.

use std::pin::Pin;
use std::task::{Context, Poll};

use aliyun_ai_core::{BusinessFailure, StreamEvent};
use aliyun_ai_transport::HttpBody;
use aliyun_ai_transport::sse::{SseError, SseLimits, SseStream};
use futures_core::Stream;
use serde::de::DeserializeOwned;

use crate::error::{Error, ServiceError, excerpt};

/// Events of a streamed answer, each decoded into `T`; it ends with an
/// [`ErrorKind::IncompleteStream`](crate::ErrorKind::IncompleteStream) error
/// if the body ends before an event marked final. Dropping it closes the
/// connection.
///
/// It is a [`futures_core::Stream`]: read it with `next()` from
/// [`StreamExt`](crate::StreamExt), re-exported so that no other dependency
/// is needed.
///
/// ```no_run
/// use aliyun_ai::dianjin::RunLibraryChatGenerationRequest;
/// use aliyun_ai::{Client, StreamExt as _};
///
/// async fn answer(client: &Client, request: RunLibraryChatGenerationRequest) -> Result<(), aliyun_ai::Error> {
///     let mut events = client.dianjin().run_library_chat_generation_stream(request).await?;
///     while let Some(event) = events.next().await {
///         let event = event?; // a failure the service reports mid-stream ends it here
///         println!("{:?}", event.data);
///     }
///     Ok(())
/// }
/// ```
pub struct EventStream<T> {
    events: SseStream<HttpBody>,
    is_final: fn(&T) -> Option<bool>,
    failure: fn(&T) -> Option<BusinessFailure>,
    finished: bool,
    done: bool,
    request_id: Option<String>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("finished", &self.finished)
            .field("done", &self.done)
            .finish()
    }
}

impl<T> EventStream<T> {
    pub(crate) fn new(
        body: HttpBody,
        limits: SseLimits,
        is_final: fn(&T) -> Option<bool>,
        failure: fn(&T) -> Option<BusinessFailure>,
        request_id: Option<String>,
    ) -> Self {
        Self {
            events: SseStream::with_limits(body, limits),
            is_final,
            failure,
            finished: false,
            done: false,
            request_id,
        }
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            let item = match Pin::new(&mut this.events).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            };
            let result = match item {
                Some(Ok(event)) => {
                    let data = event.data.trim();
                    if data.is_empty() || data == "[DONE]" {
                        continue;
                    }
                    match serde_json::from_str::<T>(data) {
                        Ok(value) => match (this.failure)(&value) {
                            Some(failure) => {
                                this.done = true;
                                Err(Error::service(
                                    ServiceError {
                                        status: 200,
                                        code: failure.code,
                                        message: failure.message,
                                        request_id: failure
                                            .request_id
                                            .or_else(|| this.request_id.clone()),
                                        body_excerpt: excerpt(data.as_bytes()),
                                    },
                                    1,
                                ))
                            }
                            None => {
                                // An operation that marks no last event ends
                                // normally wherever its body ends.
                                this.finished |= (this.is_final)(&value).unwrap_or(true);
                                Ok(value)
                            }
                        },
                        Err(error) => {
                            this.done = true;
                            Err(Error::decode(
                                200,
                                this.request_id.clone(),
                                excerpt(data.as_bytes()),
                                error,
                            ))
                        }
                    }
                }
                Some(Err(SseError::Server { data })) => {
                    this.done = true;
                    let parsed = aliyun_ai_core::error_body::ErrorBody::parse(data.as_bytes());
                    Err(Error::service(
                        ServiceError {
                            status: 200,
                            code: parsed.code,
                            message: parsed.message,
                            request_id: parsed.request_id.or_else(|| this.request_id.clone()),
                            body_excerpt: excerpt(data.as_bytes()),
                        },
                        1,
                    ))
                }
                Some(Err(SseError::Transport(error))) => {
                    this.done = true;
                    Err(Error::transport(error, 1))
                }
                Some(Err(SseError::TooLarge { what, limit })) => {
                    this.done = true;
                    let error = aliyun_ai_transport::TransportError::too_large(format!(
                        "an event stream {what} exceeds the limit of {limit} bytes (ConfigBuilder::sse_limits)"
                    ))
                    .with_request_id(this.request_id.clone());
                    Err(Error::transport(error, 1))
                }
                Some(Err(other)) => {
                    this.done = true;
                    Err(Error::incomplete_stream(other.to_string()))
                }
                None => {
                    this.done = true;
                    if this.finished {
                        return Poll::Ready(None);
                    }
                    Err(Error::incomplete_stream(
                        "the event stream ended before its final event",
                    ))
                }
            };
            return Poll::Ready(Some(result));
        }
    }
}

impl<T: StreamEvent> EventStream<T> {
    /// The answer's text as it grows: each item is the new piece of one
    /// event, and [`TextDeltas::text_so_far`] the whole text so far; steps
    /// before the answer (a retrieval, a tool call) are skipped.
    ///
    /// What an event carries comes from the operation's doc table (its
    /// `events:` mark): the new piece, the text so far, or both. An event
    /// declared cumulative whose text does not extend the text so far is
    /// read as a new piece, so a service that sends pieces where the table
    /// says cumulative loses nothing.
    ///
    /// ```no_run
    /// use aliyun_ai::dianjin::RunLibraryChatGenerationRequest;
    /// use aliyun_ai::{Client, StreamExt as _};
    ///
    /// async fn answer(client: &Client, request: RunLibraryChatGenerationRequest) -> Result<String, aliyun_ai::Error> {
    ///     let mut text = client.dianjin().run_library_chat_generation_stream(request).await?.text_deltas();
    ///     while let Some(piece) = text.next().await {
    ///         print!("{}", piece?);
    ///     }
    ///     Ok(text.text_so_far().to_owned())
    /// }
    /// ```
    pub fn text_deltas(self) -> TextDeltas<Self> {
        TextDeltas::new(self)
    }
}

/// The new pieces of a streamed answer's text, and the text so far
/// ([`EventStream::text_deltas`]).
pub struct TextDeltas<S> {
    inner: S,
    so_far: String,
}

impl<S> std::fmt::Debug for TextDeltas<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextDeltas")
            .field("so_far", &self.so_far.len())
            .finish_non_exhaustive()
    }
}

impl<S> TextDeltas<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            so_far: String::new(),
        }
    }

    /// The answer's text received so far.
    pub fn text_so_far(&self) -> &str {
        &self.so_far
    }

    /// The text received so far, taken out (the stream then goes on from
    /// an empty text).
    pub fn into_text(self) -> String {
        self.so_far
    }
}

/// The new part of one event, given the text so far (which it updates).
pub(crate) fn next_piece(so_far: &mut String, event: &impl StreamEvent) -> Option<String> {
    if event.is_step() {
        return None;
    }
    let piece = match (event.increment(), event.cumulative()) {
        (Some(piece), Some(whole)) => {
            so_far.clear();
            so_far.push_str(whole);
            piece.to_owned()
        }
        (Some(piece), None) => {
            so_far.push_str(piece);
            piece.to_owned()
        }
        (None, Some(whole)) => new_part(so_far, whole),
        (None, None) => return None,
    };
    (!piece.is_empty()).then_some(piece)
}

/// The new part of cumulative `text` given everything received so far; a
/// text that does not extend it is taken as a new piece.
fn new_part(so_far: &mut String, text: &str) -> String {
    if let Some(rest) = text.strip_prefix(so_far.as_str()) {
        let rest = rest.to_owned();
        so_far.clear();
        so_far.push_str(text);
        rest
    } else {
        so_far.push_str(text);
        text.to_owned()
    }
}

impl<S, T> Stream for TextDeltas<S>
where
    S: Stream<Item = Result<T, Error>> + Unpin,
    T: StreamEvent,
{
    type Item = Result<String, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(event))) => {
                    if let Some(piece) = next_piece(&mut this.so_far, &event) {
                        return Poll::Ready(Some(Ok(piece)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use aliyun_ai_core::StreamEvent;

    use super::next_piece;

    struct Event {
        increment: Option<&'static str>,
        cumulative: Option<&'static str>,
        step: bool,
    }

    impl StreamEvent for Event {
        fn increment(&self) -> Option<&str> {
            self.increment
        }
        fn cumulative(&self) -> Option<&str> {
            self.cumulative
        }
        fn is_step(&self) -> bool {
            self.step
        }
    }

    fn pieces(events: &[Event]) -> (Vec<String>, String) {
        let mut so_far = String::new();
        let pieces = events
            .iter()
            .filter_map(|e| next_piece(&mut so_far, e))
            .collect();
        (pieces, so_far)
    }

    const fn event(increment: Option<&'static str>, cumulative: Option<&'static str>) -> Event {
        Event {
            increment,
            cumulative,
            step: false,
        }
    }

    #[test]
    fn cumulative_and_increment_events_give_the_same_pieces() {
        let cumulative = [
            event(None, Some("这段")),
            event(None, Some("这段对话")),
            event(None, Some("这段对话很好")),
        ];
        let increments = [
            event(Some("这段"), None),
            event(Some("对话"), None),
            event(Some("很好"), None),
        ];
        let both = [
            event(Some("这段"), Some("这段")),
            event(Some("对话"), Some("这段对话")),
            event(Some("很好"), Some("这段对话很好")),
        ];
        for events in [&cumulative[..], &increments[..], &both[..]] {
            let (pieces, text) = pieces(events);
            assert_eq!(pieces, ["这段", "对话", "很好"]);
            assert_eq!(text, "这段对话很好");
        }
    }

    #[test]
    fn an_increment_that_repeats_the_text_so_far_is_still_an_increment() {
        // "哈" then "哈哈": a heuristic would read the second as cumulative.
        let (pieces, text) = pieces(&[event(Some("哈"), None), event(Some("哈哈"), None)]);
        assert_eq!(pieces, ["哈", "哈哈"]);
        assert_eq!(text, "哈哈哈");
    }

    #[test]
    fn steps_and_empty_pieces_are_skipped() {
        let step = Event {
            increment: Some("{\"toolName\":\"web_search\"}"),
            cumulative: None,
            step: true,
        };
        let (pieces, text) = pieces(&[step, event(Some(""), None), event(Some("答"), None)]);
        assert_eq!(pieces, ["答"]);
        assert_eq!(text, "答");
    }

    #[test]
    fn cumulative_text_that_does_not_extend_is_read_as_a_piece() {
        let (pieces, text) = pieces(&[event(None, Some("一")), event(None, Some("二"))]);
        assert_eq!(pieces, ["一", "二"]);
        assert_eq!(text, "一二");
    }
}
