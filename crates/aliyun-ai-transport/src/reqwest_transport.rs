//! [`HttpTransport`] over reqwest (rustls), with pooling, timeouts and
//! proxies ([`Proxies`](crate::Proxies)). No reqwest type appears in its
//! public API.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;

use crate::body::HttpBody;
use crate::error::{BrokenConnection, TransportError, broken_connection};
use crate::idle::IdleTimeout;
use crate::settings::{ClientSettings, client_settings_methods};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, UploadRequest};

/// Configures a [`ReqwestTransport`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ReqwestTransportBuilder {
    settings: ClientSettings,
}

impl ReqwestTransportBuilder {
    client_settings_methods!();

    /// Builds the transport.
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let settings = self.settings;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .user_agent(settings.user_agent())
            // The SDK decides about redirects itself (an error, not a silent
            // re-send of a signed request elsewhere).
            .redirect(reqwest::redirect::Policy::none())
            // The TLS configuration (and crypto provider) of every transport
            // of this crate.
            .tls_backend_preconfigured(crate::connect::tls_config()?);
        // The read-idle timeout is this crate's (`IdleTimeout`), not
        // reqwest's `read_timeout`, whose timer starts at send and so also
        // capped the wait for the headers.
        // The proxies are this crate's rule (`proxy.rs`), the same for both
        // transports, not reqwest's own reading of the environment.
        builder = builder.no_proxy();
        let routes = settings.proxies.resolve()?;
        if !routes.is_empty() {
            builder = builder.proxy(reqwest::Proxy::custom(move |url| {
                let destination: http::Uri = url.as_str().parse().ok()?;
                routes
                    .target_for(&destination)
                    .map(|target| target.url.clone())
            }));
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::other("could not build the HTTP client").with_source(e))?;
        Ok(ReqwestTransport {
            client,
            request_timeout: settings.request_timeout,
            read_idle_timeout: settings.read_idle_timeout,
        })
    }
}

/// The default transport: reqwest with rustls.
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    request_timeout: Option<Duration>,
    read_idle_timeout: Option<Duration>,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("request_timeout", &self.request_timeout)
            .field("read_idle_timeout", &self.read_idle_timeout)
            .finish_non_exhaustive()
    }
}

impl ReqwestTransport {
    /// A transport with the default settings.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change the settings.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }

    /// A transport over your own reqwest client: its proxies, custom CA,
    /// mTLS identity, timeouts and user agent are used as they are (this
    /// crate's builder settings do not apply; no whole-request timeout is
    /// added). Redirects: the SDK expects none to be followed (a signed
    /// request must not be re-sent elsewhere), so build it with
    /// `redirect(reqwest::redirect::Policy::none())`.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self {
            client,
            request_timeout: None,
            read_idle_timeout: None,
        }
    }
}

/// Sorts a reqwest error into the transport's kinds. The URL is stripped
/// first: V1 signatures, STS tokens and pre-signed storage signatures travel
/// in query strings, and reqwest prints the URL in its errors.
fn convert(error: reqwest::Error, during_body: bool) -> TransportError {
    let error = error.without_url();
    let message = if error.is_connect() {
        return TransportError::connect("could not connect").with_source(error);
    } else if error.is_timeout() {
        return TransportError::timeout(if during_body {
            "no data arrived within the read idle timeout"
        } else {
            "no response within the timeout"
        })
        .with_source(error);
    } else if during_body || error.is_body() || error.is_decode() {
        return TransportError::body("the response body failed").with_source(error);
    } else if broken_connection(&error) == Some(BrokenConnection::Lost) {
        // Sent (perhaps processed), then the connection closed or reset
        // before the answer: retried for idempotent operations only.
        return TransportError::body("the connection closed before the response")
            .with_source(error);
    } else if error.is_builder() || error.is_request() {
        "could not send the request"
    } else {
        "HTTP error"
    };
    TransportError::other(message).with_source(error)
}

/// A reqwest byte stream as a transport stream.
struct BodyStream<S>(S);

impl<S> Stream for BodyStream<S>
where
    S: Stream<Item = Result<Bytes, reqwest::Error>> + Unpin,
{
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0)
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map_err(|e| convert(e, true))))
    }
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError::other("the request is not valid").with_source(e))?;
        let sending = self.client.execute(request);
        let response = match self.request_timeout {
            Some(timeout) => tokio::time::timeout(timeout, sending)
                .await
                .map_err(|_| TransportError::timeout(format!("no response within {timeout:?}")))?,
            None => sending.await,
        }
        .map_err(|e| convert(e, false))?;
        into_response(response, self.read_idle_timeout)
    }

    async fn send_upload(&self, request: UploadRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let length = body.len();
        let mut request =
            http::Request::from_parts(parts, reqwest::Body::wrap_stream(body.into_stream()));
        request.headers_mut().insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(length),
        );
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError::other("the request is not valid").with_source(e))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| convert(e, false))?;
        into_response(response, self.read_idle_timeout)
    }
}

/// The `http` form of a reqwest response, its body streamed.
fn into_response(
    response: reqwest::Response,
    read_idle_timeout: Option<Duration>,
) -> Result<HttpResponse, TransportError> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        headers.extend(
            response
                .headers()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    let body = HttpBody::from_stream(IdleTimeout::new(
        BodyStream(Box::pin(response.bytes_stream())),
        read_idle_timeout,
    ));
    builder
        .body(body)
        .map_err(|e| TransportError::other("could not build the response").with_source(e))
}
