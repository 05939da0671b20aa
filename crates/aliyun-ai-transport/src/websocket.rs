//! WebSocket connections beside HTTP: one small object-safe trait,
//! [`WebSocketTransport`], that opens a socket from a signed
//! `http::Request<()>` (the upgrade's method, URI and headers, already signed)
//! and hands back a sink of outgoing and a stream of incoming messages; an
//! implementation over tokio-tungstenite, [`TungsteniteTransport`], and a
//! mock for tests (`mock::MockWebSocket`, feature `mock`).
//!
//! Protocol-agnostic: DianJin's AWAP ([`crate::awap`]) is one codec on top.
//! The upgrade's own headers (`Connection`, `Upgrade`, `Sec-WebSocket-Key`,
//! `Sec-WebSocket-Version`) are added here, after signing: the vendor's
//! gateway does not sign them (the captured upgrade of
//! `vendor-requests/dianjin-EndToEndRealTimeDialog-ws.http`).

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{Sink, SinkExt as _, Stream, StreamExt as _};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite;
use tower_service::Service as _;

use crate::error::TransportError;
use crate::proxy::{Proxies, ProxyRoutes};

/// A WebSocket message, either way.
#[derive(Clone, PartialEq, Eq)]
pub enum WsMessage {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Bytes),
    /// A ping (answered by the implementation; seen for keep-alive logic).
    Ping(Bytes),
    /// A pong.
    Pong(Bytes),
    /// A close frame, with its code and reason if any.
    Close(Option<WsClose>),
}

impl fmt::Debug for WsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.debug_tuple("Text").field(text).finish(),
            // Audio is long and says nothing in a log.
            Self::Binary(bytes) => write!(f, "Binary({} bytes)", bytes.len()),
            Self::Ping(bytes) => write!(f, "Ping({} bytes)", bytes.len()),
            Self::Pong(bytes) => write!(f, "Pong({} bytes)", bytes.len()),
            Self::Close(close) => f.debug_tuple("Close").field(close).finish(),
        }
    }
}

/// A close frame's code (RFC 6455, 1000 is a normal close) and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsClose {
    /// The close code.
    pub code: u16,
    /// The reason, possibly empty.
    pub reason: String,
}

/// Where messages to the peer go.
pub type WsSender = Pin<Box<dyn Sink<WsMessage, Error = TransportError> + Send>>;
/// The peer's messages, as they arrive; it ends when the socket closes (after
/// the peer's close frame, if any), or with an error when it breaks.
pub type WsReceiver = Pin<Box<dyn Stream<Item = Result<WsMessage, TransportError>> + Send>>;

/// An open WebSocket: the upgrade's answer and the two halves, so one task can
/// send while another reads.
#[non_exhaustive]
pub struct WebSocketConnection {
    /// The headers of the `101 Switching Protocols` answer (the sub-protocol
    /// chosen, the request id).
    pub headers: http::HeaderMap,
    /// Sends messages to the peer.
    pub sender: WsSender,
    /// Receives the peer's messages.
    pub receiver: WsReceiver,
}

impl WebSocketConnection {
    /// A connection from its parts (for your own [`WebSocketTransport`]).
    pub fn new(headers: http::HeaderMap, sender: WsSender, receiver: WsReceiver) -> Self {
        Self {
            headers,
            sender,
            receiver,
        }
    }
}

impl fmt::Debug for WebSocketConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketConnection")
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a WebSocket did not open.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebSocketError {
    /// The server answered the upgrade with something else than `101
    /// Switching Protocols` (a 401 for a wrong signature, a 404...): its
    /// answer, for the caller to read as it reads any HTTP error answer.
    Refused(http::Response<Bytes>),
    /// No answer: could not connect, timed out, a broken handshake.
    Transport(TransportError),
}

impl fmt::Display for WebSocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(response) => write!(
                f,
                "the WebSocket upgrade was refused with HTTP {}",
                response.status().as_u16()
            ),
            Self::Transport(error) => write!(f, "the WebSocket did not open: {error}"),
        }
    }
}

impl std::error::Error for WebSocketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(_) => None,
            Self::Transport(error) => Some(error),
        }
    }
}

impl From<TransportError> for WebSocketError {
    fn from(error: TransportError) -> Self {
        Self::Transport(error)
    }
}

/// Opens WebSocket connections. Object-safe: held as
/// `Arc<dyn WebSocketTransport>`.
#[async_trait]
pub trait WebSocketTransport: Send + Sync + fmt::Debug {
    /// Opens the socket `request` describes: a `GET` of a `ws://` or `wss://`
    /// URI (`http`/`https` are taken as the same) with its signed headers.
    async fn connect(
        &self,
        request: http::Request<()>,
    ) -> Result<WebSocketConnection, WebSocketError>;
}

/// Configures a [`TungsteniteTransport`]; the defaults are those of the HTTP
/// transports where they share a setting.
#[derive(Debug, Clone)]
#[must_use]
pub struct TungsteniteTransportBuilder {
    connect_timeout: Duration,
    handshake_timeout: Duration,
    max_message_bytes: usize,
    user_agent_suffix: Option<String>,
    proxies: Proxies,
}

impl Default for TungsteniteTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(60),
            max_message_bytes: 16 * 1024 * 1024,
            user_agent_suffix: None,
            proxies: Proxies::from_env(),
        }
    }
}

impl TungsteniteTransportBuilder {
    /// How long establishing the connection (TCP, a proxy's tunnel, TLS) may
    /// take. Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long the server may take to answer the upgrade. Default 60 s.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// The largest message either side may send; a larger one from the peer
    /// ends the receiver with a `TooLarge` error, a larger one to send is
    /// refused. Default 16 MiB.
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// Appended to the user agent: `aliyun-ai/<version> <suffix>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The proxies (default [`Proxies::from_env`]); a socket through a proxy
    /// goes through a `CONNECT` tunnel, `ws://` and `wss://` alike. Only
    /// `http://` proxies.
    pub fn proxies(mut self, proxies: Proxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// Builds the transport: TLS by rustls (the `ring` or `aws-lc-rs` provider) with the platform's
    /// certificate verifier, as the HTTP transports.
    pub fn build(self) -> Result<TungsteniteTransport, TransportError> {
        let routes = self.proxies.resolve()?;
        routes.plain_http_proxies_only("TungsteniteTransport", "")?;
        let tls = crate::connect::tls_config()?;
        let user_agent = crate::user_agent(self.user_agent_suffix.as_deref());
        let user_agent = http::HeaderValue::from_str(&user_agent)
            .map_err(|e| TransportError::other("invalid user agent").with_source(e))?;
        Ok(TungsteniteTransport {
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            tcp: crate::connect::http_connector(self.connect_timeout),
            routes: Arc::new(routes),
            user_agent,
            connect_timeout: self.connect_timeout,
            handshake_timeout: self.handshake_timeout,
            max_message_bytes: self.max_message_bytes,
        })
    }
}

/// [`WebSocketTransport`] over tokio-tungstenite, with rustls and the HTTP
/// transports' proxy rule.
#[derive(Clone)]
pub struct TungsteniteTransport {
    tls: tokio_rustls::TlsConnector,
    tcp: HttpConnector,
    routes: Arc<ProxyRoutes>,
    user_agent: http::HeaderValue,
    connect_timeout: Duration,
    handshake_timeout: Duration,
    max_message_bytes: usize,
}

impl fmt::Debug for TungsteniteTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TungsteniteTransport")
            .field("proxies", &self.routes)
            .field("connect_timeout", &self.connect_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_message_bytes", &self.max_message_bytes)
            .finish_non_exhaustive()
    }
}

/// A byte stream the handshake runs over: TCP, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

impl TungsteniteTransport {
    /// A transport with the default settings.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to change the settings.
    pub fn builder() -> TungsteniteTransportBuilder {
        TungsteniteTransportBuilder::default()
    }

    /// TCP to the host or through the proxy's `CONNECT` tunnel (hyper-util's
    /// connector and `Tunnel`, as `HyperTransport` connects), then TLS for
    /// `wss`.
    async fn open(&self, uri: &http::Uri, tls: bool) -> Result<Box<dyn Io>, TransportError> {
        let host = uri
            .host()
            .ok_or_else(|| TransportError::other("the WebSocket URI names no host"))?;
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        // The connector and the proxy rule read `http`/`https` destinations.
        let destination = http::Uri::builder()
            .scheme(if tls { "https" } else { "http" })
            .authority(format!("{host}:{port}"))
            .path_and_query("/")
            .build()
            .map_err(|e| TransportError::other("the WebSocket URI is invalid").with_source(e))?;
        let tcp = match self.routes.intercept(&destination) {
            None => self
                .tcp
                .clone()
                .call(destination)
                .await
                .map_err(|e| TransportError::connect("could not connect").with_source(e))?,
            Some(intercept) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), self.tcp.clone());
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                tunnel.call(destination).await.map_err(|e| {
                    TransportError::connect("the proxy's tunnel failed").with_source(e)
                })?
            }
        }
        .into_inner();
        if !tls {
            return Ok(Box::new(tcp));
        }
        let name =
            rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
                .map_err(|e| {
                    TransportError::connect("the host is no TLS server name").with_source(e)
                })?;
        let stream = self
            .tls
            .connect(name, tcp)
            .await
            .map_err(|e| TransportError::connect("the TLS handshake failed").with_source(e))?;
        Ok(Box::new(stream))
    }
}

#[async_trait]
impl WebSocketTransport for TungsteniteTransport {
    async fn connect(
        &self,
        request: http::Request<()>,
    ) -> Result<WebSocketConnection, WebSocketError> {
        let (mut parts, ()) = request.into_parts();
        let tls = match parts.uri.scheme_str() {
            Some("wss" | "https") => true,
            Some("ws" | "http") => false,
            _ => {
                return Err(TransportError::other("a WebSocket URI is ws:// or wss://").into());
            }
        };
        let stream = tokio::time::timeout(self.connect_timeout, self.open(&parts.uri, tls))
            .await
            .map_err(|_| {
                TransportError::connect(format!("no connection within {:?}", self.connect_timeout))
            })??;
        let headers = &mut parts.headers;
        if !headers.contains_key(http::header::HOST) {
            let authority = parts
                .uri
                .authority()
                .map(|a| a.as_str())
                .unwrap_or_default();
            let host = http::HeaderValue::from_str(authority)
                .map_err(|e| TransportError::other("invalid host").with_source(e))?;
            headers.insert(http::header::HOST, host);
        }
        if !headers.contains_key(http::header::USER_AGENT) {
            headers.insert(http::header::USER_AGENT, self.user_agent.clone());
        }
        headers.insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("Upgrade"),
        );
        headers.insert(
            http::header::UPGRADE,
            http::HeaderValue::from_static("websocket"),
        );
        headers.insert(
            http::header::SEC_WEBSOCKET_VERSION,
            http::HeaderValue::from_static("13"),
        );
        let key = tungstenite::handshake::client::generate_key();
        let key = http::HeaderValue::from_str(&key)
            .map_err(|e| TransportError::other("invalid WebSocket key").with_source(e))?;
        headers.insert(http::header::SEC_WEBSOCKET_KEY, key);
        // tungstenite writes the request's path, so a `ws` URI stays as it is.
        let request = http::Request::from_parts(parts, ());
        let config = tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(Some(self.max_message_bytes))
            .max_frame_size(Some(self.max_message_bytes));
        let handshake = tokio_tungstenite::client_async_with_config(request, stream, Some(config));
        let (socket, response) = tokio::time::timeout(self.handshake_timeout, handshake)
            .await
            .map_err(|_| {
                TransportError::timeout(format!(
                    "no answer to the WebSocket upgrade within {:?}",
                    self.handshake_timeout
                ))
            })?
            .map_err(|error| match error {
                tungstenite::Error::Http(response) => {
                    let (parts, body) = response.into_parts();
                    WebSocketError::Refused(http::Response::from_parts(
                        parts,
                        Bytes::from(body.unwrap_or_default()),
                    ))
                }
                other => WebSocketError::Transport(convert(other)),
            })?;
        let (sink, stream) = socket.split();
        let limit = self.max_message_bytes;
        let sender = sink
            .sink_map_err(convert)
            .with(move |message: WsMessage| std::future::ready(outgoing(message, limit)));
        let receiver = stream.filter_map(|item| {
            std::future::ready(match item {
                Ok(message) => incoming(message).map(Ok),
                // The peer closing without a close frame after its last
                // message is the end of the stream, as a close frame is.
                Err(tungstenite::Error::ConnectionClosed) => None,
                Err(error) => Some(Err(convert(error))),
            })
        });
        Ok(WebSocketConnection::new(
            response.headers().clone(),
            Box::pin(sender),
            Box::pin(receiver),
        ))
    }
}

fn outgoing(message: WsMessage, limit: usize) -> Result<tungstenite::Message, TransportError> {
    let length = match &message {
        WsMessage::Text(text) => text.len(),
        WsMessage::Binary(bytes) => bytes.len(),
        _ => 0,
    };
    if length > limit {
        return Err(TransportError::too_large(format!(
            "a WebSocket message of {length} bytes is over the limit of {limit}"
        )));
    }
    Ok(match message {
        WsMessage::Text(text) => tungstenite::Message::text(text),
        WsMessage::Binary(bytes) => tungstenite::Message::Binary(bytes),
        WsMessage::Ping(bytes) => tungstenite::Message::Ping(bytes),
        WsMessage::Pong(bytes) => tungstenite::Message::Pong(bytes),
        WsMessage::Close(close) => {
            tungstenite::Message::Close(close.map(|close| tungstenite::protocol::CloseFrame {
                code: close.code.into(),
                reason: close.reason.into(),
            }))
        }
    })
}

fn incoming(message: tungstenite::Message) -> Option<WsMessage> {
    Some(match message {
        tungstenite::Message::Text(text) => WsMessage::Text(text.as_str().to_owned()),
        tungstenite::Message::Binary(bytes) => WsMessage::Binary(bytes),
        tungstenite::Message::Ping(bytes) => WsMessage::Ping(bytes),
        tungstenite::Message::Pong(bytes) => WsMessage::Pong(bytes),
        tungstenite::Message::Close(close) => WsMessage::Close(close.map(|close| WsClose {
            code: close.code.into(),
            reason: close.reason.as_str().to_owned(),
        })),
        // Raw frames are never read, only written.
        tungstenite::Message::Frame(_) => return None,
    })
}

/// Sorts tungstenite's errors into the transport's kinds.
fn convert(error: tungstenite::Error) -> TransportError {
    match error {
        tungstenite::Error::Capacity(capacity) => {
            TransportError::too_large(format!("a WebSocket message over the limit: {capacity}"))
        }
        tungstenite::Error::Io(io) => {
            TransportError::body("the WebSocket connection broke").with_source(io)
        }
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            TransportError::body("the WebSocket connection is closed")
        }
        tungstenite::Error::Protocol(protocol) => {
            TransportError::body(format!("the WebSocket peer broke the protocol: {protocol}"))
        }
        other => TransportError::other("WebSocket error").with_source(other),
    }
}
