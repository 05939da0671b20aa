//! What went wrong while sending a request or reading its response.

use std::error::Error as StdError;
use std::fmt;

/// The kind of a [`TransportError`]: what happened, and therefore whether the
/// request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (refused, DNS, TLS handshake): the request
    /// was never sent, so retrying is always safe.
    Connect,
    /// No answer in time: the request may have been sent and processed.
    Timeout,
    /// The request went out, then the connection broke before the answer
    /// ended: closed or reset before the response's headers, or in the
    /// middle of its body. The request may have been processed.
    Body,
    /// The response's body exceeded the limit the caller set: it arrived
    /// whole and fine, so a retry gets the same body and fails again.
    TooLarge,
    /// Anything else (an invalid request, a transport bug).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Body => "failed mid-response",
            TransportErrorKind::TooLarge => "response too large",
            TransportErrorKind::Other => "transport error",
        })
    }
}

/// A transport failure, with the underlying error kept as its `source()`.
///
/// Its message never contains request headers, so no credential or signature
/// can leak through it.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    request_id: Option<String>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// A new error of `kind` with a short message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            request_id: None,
            source: None,
        }
    }

    /// Records the request id of the answer that failed (a body broken after
    /// its headers arrived carries one).
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// The request id of the answer that failed, when its headers arrived.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Could not connect; never sent.
    pub fn connect(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Connect, message)
    }

    /// Timed out; may have been sent.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Timeout, message)
    }

    /// Failed mid-response.
    pub fn body(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Body, message)
    }

    /// A body over the caller's limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::TooLarge, message)
    }

    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Other, message)
    }

    /// What happened.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The short message (without the source's).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the request certainly never reached the server.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // "could not connect", not "could not connect: could not connect".
        if self.message.starts_with(&self.kind.to_string()) {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.kind, self.message)
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// What a cause in an HTTP client's error chain says happened to the
/// connection, for the kinds the retry policy tells apart.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrokenConnection {
    /// Sent (perhaps processed), then the connection closed or reset before
    /// the answer: hyper's incomplete message or canceled request, or a
    /// reset, abort, broken pipe or early EOF. Retried for idempotent
    /// operations only.
    Lost,
    /// hyper's own timeout.
    TimedOut,
}

/// Walks `error`'s chain of causes (itself included) for a
/// [`BrokenConnection`]: the one classification both built-in transports use.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
pub(crate) fn broken_connection(error: &(dyn StdError + 'static)) -> Option<BrokenConnection> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(hyper_error) = current.downcast_ref::<hyper::Error>() {
            if hyper_error.is_incomplete_message() || hyper_error.is_canceled() {
                return Some(BrokenConnection::Lost);
            }
            if hyper_error.is_timeout() {
                return Some(BrokenConnection::TimedOut);
            }
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return Some(BrokenConnection::Lost);
            }
        }
        cause = current.source();
    }
    None
}
