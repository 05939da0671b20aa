//! [`HttpTransport`] straight over hyper's pooled client and rustls: the
//! transport with the least work per request ([`docs/PERFORMANCE.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/PERFORMANCE.md): reqwest
//! adds URL parsing, header copies and layers of its own on every call).
//!
//! Proxies follow the same rule as the reqwest transport's
//! ([`Proxies`](crate::Proxies)), through `http://` proxies only. What it does
//! not do that [`ReqwestTransport`](crate::ReqwestTransport) does: proxies
//! reached over TLS (`https://` proxy URLs) and custom TLS settings. Use the
//! reqwest transport where you need those.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;
use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Body as _;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::HttpBody;
use crate::error::{BrokenConnection, TransportError, broken_connection};
use crate::hyper_proxy::ProxyConnector;
use crate::idle::IdleTimeout;
use crate::proxy::ProxyRoutes;
use crate::settings::{ClientSettings, client_settings_methods};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport, UploadRequest};

type Connector = hyper_rustls::HttpsConnector<ProxyConnector>;
type RequestBody = UnsyncBoxBody<Bytes, std::io::Error>;

/// Configures a [`HyperTransport`]; the defaults are those of the reqwest
/// transport.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct HyperTransportBuilder {
    settings: ClientSettings,
}

impl HyperTransportBuilder {
    client_settings_methods!();

    /// Builds the transport: TLS by rustls (the `ring` or `aws-lc-rs` provider) with the platform's
    /// certificate verifier, HTTP/1.1 and HTTP/2 by ALPN. Plain `http` is
    /// allowed (the SDK refuses it itself for non-loopback endpoints). An
    /// `https://` proxy, or a proxy URL that is not one, is refused here.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let settings = self.settings;
        let routes = Arc::new(settings.proxies.resolve()?);
        routes.plain_http_proxies_only("HyperTransport", ", or the reqwest transport")?;
        let user_agent = http::HeaderValue::from_str(&settings.user_agent())
            .map_err(|e| TransportError::other("invalid user agent").with_source(e))?;
        let tls = crate::connect::tls_config()?;
        let http = crate::connect::http_connector(settings.connect_timeout);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(ProxyConnector::new(http, routes.clone()));
        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_max_idle_per_host(settings.pool_max_idle_per_host)
            .build(connector);
        Ok(HyperTransport {
            client,
            routes,
            user_agent,
            request_timeout: settings.request_timeout,
            read_idle_timeout: settings.read_idle_timeout,
        })
    }
}

/// A transport over hyper's pooled client, with rustls: what
/// [`ReqwestTransport`](crate::ReqwestTransport) does, with less work per
/// request (proxies: `http://` ones only).
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<Connector, RequestBody>,
    routes: Arc<ProxyRoutes>,
    user_agent: http::HeaderValue,
    request_timeout: Option<Duration>,
    read_idle_timeout: Option<Duration>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("request_timeout", &self.request_timeout)
            .field("read_idle_timeout", &self.read_idle_timeout)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport with the default settings.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change the settings.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    async fn round_trip(
        &self,
        mut request: http::Request<RequestBody>,
        timeout: Option<Duration>,
    ) -> Result<HttpResponse, TransportError> {
        if !request.headers().contains_key(http::header::USER_AGENT) {
            request
                .headers_mut()
                .insert(http::header::USER_AGENT, self.user_agent.clone());
        }
        // Through an HTTP proxy a plain-HTTP request carries the proxy's
        // credentials itself (a CONNECT tunnel carries them in the CONNECT).
        // (Nothing to look up, on every call, when no proxy is configured.)
        if !self.routes.is_empty() && request.uri().scheme() == Some(&http::uri::Scheme::HTTP) {
            if let Some(auth) = self
                .routes
                .intercept(request.uri())
                .and_then(|intercept| intercept.basic_auth().cloned())
            {
                request
                    .headers_mut()
                    .insert(http::header::PROXY_AUTHORIZATION, auth);
            }
        }
        let sending = self.client.request(request);
        let response = match timeout {
            Some(timeout) => tokio::time::timeout(timeout, sending)
                .await
                .map_err(|_| TransportError::timeout(format!("no response within {timeout:?}")))?,
            None => sending.await,
        }
        .map_err(convert)?;
        let (parts, body) = response.into_parts();
        let body = HttpBody::from_stream(IdleTimeout::new(Frames { body }, self.read_idle_timeout));
        Ok(http::Response::from_parts(parts, body))
    }
}

#[async_trait]
impl HttpTransport for HyperTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = request.map(|bytes| {
            http_body_util::Full::new(bytes)
                .map_err(|never| match never {})
                .boxed_unsync()
        });
        self.round_trip(request, self.request_timeout).await
    }

    async fn send_upload(&self, request: UploadRequest) -> Result<HttpResponse, TransportError> {
        let (mut parts, body) = request.into_parts();
        parts.headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(body.len()),
        );
        let frames = http_body_util::StreamBody::new(UploadFrames(body.into_stream()));
        // No whole-request timeout: the answer of a large upload only comes
        // once every byte is sent.
        self.round_trip(
            http::Request::from_parts(parts, frames.boxed_unsync()),
            None,
        )
        .await
    }
}

/// An upload's chunks as body frames.
struct UploadFrames(Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>);

impl Stream for UploadFrames {
    type Item = Result<hyper::body::Frame<Bytes>, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map(hyper::body::Frame::data)))
    }
}

/// A response body's data frames as a stream of chunks (the idle timeout
/// wraps it: [`IdleTimeout`]).
struct Frames {
    body: hyper::body::Incoming,
}

impl Stream for Frames {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match std::task::ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers carry nothing the SDK reads.
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Some(Err(error)) => {
                    return Poll::Ready(Some(Err(TransportError::body(
                        "the response body failed",
                    )
                    .with_source(error))));
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

/// Sorts a hyper client error into the transport's kinds. Its messages
/// never carry the URL.
fn convert(error: hyper_util::client::legacy::Error) -> TransportError {
    if error.is_connect() {
        return TransportError::connect("could not connect").with_source(error);
    }
    match broken_connection(&error) {
        // Sent (perhaps processed), then the connection closed before the
        // answer: retried for idempotent operations only.
        Some(BrokenConnection::Lost) => {
            TransportError::body("the connection closed before the response").with_source(error)
        }
        Some(BrokenConnection::TimedOut) => {
            TransportError::timeout("the connection timed out").with_source(error)
        }
        None => TransportError::other("HTTP error").with_source(error),
    }
}
