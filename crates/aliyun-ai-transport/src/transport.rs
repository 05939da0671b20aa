//! The one trait every HTTP stack implements.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;

use crate::body::HttpBody;
use crate::error::TransportError;

/// A request: `http` types with the exact body bytes (retries resend them).
pub type HttpRequest = http::Request<Bytes>;

/// A request whose body is produced while it is sent: an upload from a file.
pub type UploadRequest = http::Request<UploadBody>;

/// The body of an [`UploadRequest`]: a stream of chunks of a known total
/// length (sent as `Content-Length`), read once.
pub struct UploadBody {
    stream: Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>,
    length: u64,
}

impl UploadBody {
    /// A body of `length` bytes, produced by `stream`.
    pub fn new(
        stream: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
        length: u64,
    ) -> Self {
        Self {
            stream: Box::pin(stream),
            length,
        }
    }

    /// The total length in bytes.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The chunks, as they are produced.
    pub fn into_stream(self) -> Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>> {
        self.stream
    }

    /// Reads the whole body into memory (what the default
    /// [`HttpTransport::send_upload`] does).
    pub async fn collect(self) -> Result<Bytes, std::io::Error> {
        let mut stream = self.stream;
        let mut all = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            all.extend_from_slice(&chunk?);
        }
        Ok(all.freeze())
    }
}

impl fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadBody")
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// A response whose body can be read whole or streamed.
pub type HttpResponse = http::Response<HttpBody>;

/// Sends one HTTP request and returns the response as soon as its headers
/// have arrived. Implementations own timeouts, TLS and connection pooling;
/// they never retry (retries are [`RetryPolicy`](crate::RetryPolicy)'s job, so
/// that each attempt can be signed anew).
///
/// It is object-safe and held as `Arc<dyn HttpTransport>`: bring your own HTTP
/// client, proxy or middleware by implementing it.
///
/// ```
/// use aliyun_ai_transport::{HttpBody, HttpRequest, HttpResponse, HttpTransport, TransportError};
///
/// /// A transport that answers every request with 204, e.g. for a dry run.
/// struct NoContent;
///
/// #[async_trait::async_trait]
/// impl HttpTransport for NoContent {
///     async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
///         let mut response = HttpResponse::new(HttpBody::empty());
///         *response.status_mut() = http::StatusCode::NO_CONTENT;
///         Ok(response)
///     }
/// }
///
/// let transport: std::sync::Arc<dyn HttpTransport> = std::sync::Arc::new(NoContent);
/// # drop(transport);
/// ```
#[async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request`; resolves when the response headers have arrived.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Sends a request whose body is streamed (an upload from a file); it is
    /// never retried, as its body can be read only once. The default reads
    /// the body into memory and calls [`HttpTransport::send`]: right for a
    /// mock and for small bodies. The reqwest transport streams it, holding
    /// one chunk at a time, and does not apply its whole-request timeout (the
    /// answer of a large upload only comes once every byte is sent).
    async fn send_upload(&self, request: UploadRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let bytes = body
            .collect()
            .await
            .map_err(|e| TransportError::body("could not read the upload").with_source(e))?;
        self.send(http::Request::from_parts(parts, bytes)).await
    }
}

#[async_trait]
impl<T: HttpTransport + ?Sized> HttpTransport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }

    async fn send_upload(&self, request: UploadRequest) -> Result<HttpResponse, TransportError> {
        (**self).send_upload(request).await
    }
}
