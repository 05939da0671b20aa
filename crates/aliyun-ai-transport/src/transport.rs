//! The one trait every HTTP stack implements.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use crate::body::HttpBody;
use crate::error::TransportError;

/// A request: `http` types with the exact body bytes (retries resend them).
pub type HttpRequest = http::Request<Bytes>;

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
}

#[async_trait]
impl<T: HttpTransport + ?Sized> HttpTransport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}
