//! The read-idle timeout both transports apply to a response body: each
//! silence between chunks is bounded, never the wait for the headers (the
//! request timeout's job) nor the whole body. reqwest's own `read_timeout`
//! is not used: its timer starts when the request is sent, so it also cut
//! a slow-to-answer call short of its request timeout.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::error::TransportError;

/// `inner`'s chunks, each within `idle` of the one before (or of the first
/// poll); no limit when `idle` is `None`.
pub(crate) struct IdleTimeout<S> {
    inner: S,
    idle: Option<Duration>,
    /// The idle deadline: made once, re-armed when a wait starts.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether `sleep` counts the current wait (a chunk disarms it).
    armed: bool,
}

impl<S> IdleTimeout<S> {
    pub(crate) fn new(inner: S, idle: Option<Duration>) -> Self {
        Self {
            inner,
            idle,
            sleep: None,
            armed: false,
        }
    }
}

impl<S> Stream for IdleTimeout<S>
where
    S: Stream<Item = Result<Bytes, TransportError>> + Unpin,
{
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                this.armed = false;
                Poll::Ready(item)
            }
            Poll::Pending => {
                let Some(idle) = this.idle else {
                    return Poll::Pending;
                };
                let sleep = match &mut this.sleep {
                    Some(sleep) => {
                        if !this.armed {
                            sleep.as_mut().reset(tokio::time::Instant::now() + idle);
                        }
                        sleep
                    }
                    None => this.sleep.insert(Box::pin(tokio::time::sleep(idle))),
                };
                this.armed = true;
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.armed = false;
                        Poll::Ready(Some(Err(TransportError::timeout(format!(
                            "no data arrived within the read idle timeout ({idle:?})"
                        )))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}
