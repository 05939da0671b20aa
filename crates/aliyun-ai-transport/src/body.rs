//! Response bodies that can be read whole or as a stream of chunks.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::error::TransportError;

type ChunkStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

enum Inner {
    Full(Option<Bytes>),
    Stream(ChunkStream),
}

/// A response body: already in memory, or arriving as chunks.
///
/// Read it whole with [`HttpBody::collect`] (or [`HttpBody::collect_limited`]
/// for untrusted sizes), or chunk by chunk through its [`Stream`] impl.
/// Dropping it closes the underlying connection's stream.
pub struct HttpBody {
    inner: Inner,
}

impl HttpBody {
    /// An empty body.
    pub fn empty() -> Self {
        Self::full(Bytes::new())
    }

    /// A body already in memory.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Self {
            inner: Inner::Full(Some(bytes.into())),
        }
    }

    /// A body arriving as a stream of chunks.
    pub fn from_stream<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, TransportError>> + Send + 'static,
    {
        Self {
            inner: Inner::Stream(Box::pin(stream)),
        }
    }

    /// The bytes, if the body is already in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.inner {
            Inner::Full(bytes) => bytes.as_ref(),
            Inner::Stream(_) => None,
        }
    }

    /// Reads the whole body.
    pub async fn collect(self) -> Result<Bytes, TransportError> {
        self.collect_limited(usize::MAX).await
    }

    /// Reads the whole body, failing with a [`TransportErrorKind::TooLarge`](crate::TransportErrorKind::TooLarge)
    /// error (not retryable: the same body would come again) as soon as it
    /// exceeds `limit` bytes.
    pub async fn collect_limited(mut self, limit: usize) -> Result<Bytes, TransportError> {
        let too_large = || {
            TransportError::too_large(format!(
                "the response body exceeds the limit of {limit} bytes"
            ))
        };
        if let Inner::Full(bytes) = &mut self.inner {
            let bytes = bytes.take().unwrap_or_default();
            return if bytes.len() > limit {
                Err(too_large())
            } else {
                Ok(bytes)
            };
        }
        // A body that arrives in one chunk (most answers) is returned as it
        // is, without a copy; a second chunk starts a buffer.
        let mut first: Option<Bytes> = None;
        let mut buffer = BytesMut::new();
        let mut length = 0usize;
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let chunk = chunk?;
            length = length.saturating_add(chunk.len());
            if length > limit {
                return Err(too_large());
            }
            match first.take() {
                None if buffer.is_empty() => first = Some(chunk),
                None => buffer.extend_from_slice(&chunk),
                Some(earlier) => {
                    buffer.reserve(earlier.len() + chunk.len());
                    buffer.extend_from_slice(&earlier);
                    buffer.extend_from_slice(&chunk);
                }
            }
        }
        Ok(first.unwrap_or_else(|| buffer.freeze()))
    }

    /// Reads at most `limit` bytes: the whole body when it is shorter, else
    /// its first `limit` bytes (the rest is dropped). For error excerpts.
    pub async fn collect_prefix(mut self, limit: usize) -> Result<Bytes, TransportError> {
        let mut buffer = BytesMut::new();
        while buffer.len() < limit {
            match std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
                Some(chunk) => buffer.extend_from_slice(&chunk?),
                None => break,
            }
        }
        buffer.truncate(limit);
        Ok(buffer.freeze())
    }
}

impl Stream for HttpBody {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.inner {
            Inner::Full(bytes) => Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(Ok)),
            Inner::Stream(stream) => stream.as_mut().poll_next(cx),
        }
    }
}

/// The same chunks as the [`Stream`] impl, as `http_body` data frames: the
/// body passes through tower and hyper middleware (`http_body_util::BodyExt`
/// and the like). A body in memory reports its exact size.
impl http_body::Body for HttpBody {
    type Data = Bytes;
    type Error = TransportError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, TransportError>>> {
        self.poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        matches!(&self.inner, Inner::Full(bytes) if bytes.as_ref().is_none_or(Bytes::is_empty))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.inner {
            Inner::Full(bytes) => {
                http_body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Inner::Stream(_) => http_body::SizeHint::default(),
        }
    }
}

impl Default for HttpBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for HttpBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Full(Some(bytes)) => write!(f, "HttpBody::Full({} bytes)", bytes.len()),
            Inner::Full(None) => f.write_str("HttpBody::Full(taken)"),
            Inner::Stream(_) => f.write_str("HttpBody::Stream"),
        }
    }
}

impl From<Bytes> for HttpBody {
    fn from(bytes: Bytes) -> Self {
        Self::full(bytes)
    }
}

impl From<Vec<u8>> for HttpBody {
    fn from(bytes: Vec<u8>) -> Self {
        Self::full(bytes)
    }
}

impl From<String> for HttpBody {
    fn from(text: String) -> Self {
        Self::full(text)
    }
}

impl From<&'static str> for HttpBody {
    fn from(text: &'static str) -> Self {
        Self::full(Bytes::from_static(text.as_bytes()))
    }
}

#[cfg(test)]
mod http_body_tests {
    use super::*;
    use http_body::Body as _;

    #[tokio::test]
    async fn an_http_body_is_an_http_body_body() {
        let full = HttpBody::full("hello");
        assert_eq!(http_body::Body::size_hint(&full).exact(), Some(5));
        assert!(!full.is_end_stream());
        assert_eq!(
            http_body_util::BodyExt::collect(full)
                .await
                .unwrap()
                .to_bytes(),
            "hello"
        );
        assert!(HttpBody::empty().is_end_stream());

        let chunks = futures_util::stream::iter([Ok(Bytes::from("a")), Ok(Bytes::from("bc"))]);
        let streamed = HttpBody::from_stream(chunks);
        assert_eq!(http_body::Body::size_hint(&streamed).exact(), None);
        // Through http-body-util's adapters, as middleware would.
        let collected = http_body_util::BodyExt::collect(streamed).await.unwrap();
        assert_eq!(collected.to_bytes(), "abc");
    }
}
