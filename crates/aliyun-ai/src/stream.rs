//! Streamed answers: server-sent events decoded into an operation's output.

use std::pin::Pin;
use std::task::{Context, Poll};

use aliyun_ai_core::BusinessFailure;
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

/// Only the newly added text of each event, whether the server sends the
/// text so far (cumulative) or only the new part (delta): an event whose text
/// starts with everything received so far is taken as cumulative.
pub struct TextDeltas<S: Stream> {
    inner: S,
    text: fn(&<S as Stream>::Item) -> Option<&str>,
    so_far: String,
}

impl<S: Stream> std::fmt::Debug for TextDeltas<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextDeltas")
            .field("so_far", &self.so_far.len())
            .finish_non_exhaustive()
    }
}

impl<S: Stream> TextDeltas<S> {
    pub(crate) fn new(inner: S, text: fn(&S::Item) -> Option<&str>) -> Self {
        Self {
            inner,
            text,
            so_far: String::new(),
        }
    }

    /// Everything received so far.
    pub fn text_so_far(&self) -> &str {
        &self.so_far
    }
}

/// The new part of `text` given everything received so far.
pub(crate) fn new_part(so_far: &mut String, text: &str) -> String {
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
{
    type Item = Result<String, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let item = match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(item)) => item,
            };
            if item.is_err() {
                return Poll::Ready(Some(item.map(|_| String::new())));
            }
            let Some(text) = (this.text)(&item).map(str::to_owned) else {
                continue;
            };
            let delta = new_part(&mut this.so_far, &text);
            if delta.is_empty() {
                continue;
            }
            return Poll::Ready(Some(Ok(delta)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::new_part;

    #[test]
    fn cumulative_and_delta_texts_give_the_same_deltas() {
        let mut so_far = String::new();
        let cumulative: Vec<String> = ["这段", "这段对话", "这段对话很好"]
            .iter()
            .map(|t| new_part(&mut so_far, t))
            .collect();
        assert_eq!(cumulative, ["这段", "对话", "很好"]);
        let mut so_far = String::new();
        let deltas: Vec<String> = ["这段", "对话", "很好"]
            .iter()
            .map(|t| new_part(&mut so_far, t))
            .collect();
        assert_eq!(deltas, ["这段", "对话", "很好"]);
        assert_eq!(so_far, "这段对话很好");
    }
}
