//! The HTTP layer of the `aliyun-ai` SDK: one small trait, a reqwest
//! implementation, a mock for everyone's tests, retries and server-sent events.
//!
//! - [`HttpTransport`]: one object-safe async method, `http::Request<Bytes>` in,
//!   `http::Response<HttpBody>` out (headers first, body whole or streamed),
//!   held as `Arc<dyn HttpTransport>`. Bring your own client by implementing it.
//! - [`TransportError`]: could not connect (never sent), timed out (may have
//!   been sent), failed mid-response, other; the source error is kept.
//! - `HyperTransport` (feature `hyper`, on by default): hyper's pooled client
//!   with rustls, connect/request/idle timeouts, proxies (`Proxies`: the
//!   environment by default), user agent `aliyun-ai/<version>`.
//! - `ReqwestTransport` (feature `reqwest`): the same over reqwest, for an
//!   application already built on it.
//! - TLS crypto by *ring* (feature `ring`, on by default) or aws-lc-rs
//!   (feature `aws-lc-rs`), one rustls configuration for every transport.
//! - `mock::MockTransport` (feature `mock`): canned responses, SSE bodies in
//!   chunks, faults, and a record of every request.
//! - [`RetryPolicy`]: the one place that retries: backoff with full jitter,
//!   attempt and time budgets, a pluggable classifier following the vendor's
//!   throttling codes, `Retry-After`, an injectable clock.
//! - [`sse`]: an incremental server-sent-events decoder and stream.
//! - [`awap`]: the AWAP message format of DianJin's real-time dialogue over
//!   WebSocket (header lines, a blank line, JSON or audio bytes).
//! - [`nls`]: the NLS message format of Tingwu's live meetings over WebSocket
//!   (a JSON header and payload per text frame, audio in binary frames).
//!
//! No reqwest type appears in any public signature but
//! `ReqwestTransport::from_client`, which takes your own `reqwest::Client`.
//!
//! ## Features
#![doc = document_features::document_features!()]
// docs.rs (nightly) marks what each feature adds ("Available on crate feature ...").
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod awap;
mod body;
#[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
mod connect;
mod error;
#[cfg(feature = "hyper")]
mod hyper_proxy;
#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod idle;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(all(feature = "mock", feature = "websocket"))]
mod mock_websocket;
pub mod nls;
#[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
mod proxy;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
pub mod retry;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod settings;
pub mod sse;
mod transport;
#[cfg(feature = "websocket")]
pub mod websocket;

pub use body::HttpBody;
pub use error::{TransportError, TransportErrorKind};
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
#[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
pub use proxy::Proxies;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::{ReqwestTransport, ReqwestTransportBuilder};

/// The user agent every request of the SDK's transports carries:
/// `aliyun-ai/<version>`, plus the caller's suffix if any.
pub const USER_AGENT: &str = concat!("aliyun-ai/", env!("CARGO_PKG_VERSION"));

/// [`USER_AGENT`], plus `suffix` if any: every built-in transport's.
#[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
pub(crate) fn user_agent(suffix: Option<&str>) -> String {
    match suffix {
        Some(suffix) => format!("{USER_AGENT} {suffix}"),
        None => USER_AGENT.to_owned(),
    }
}
pub use retry::{RetryError, RetryPolicy};
pub use transport::{HttpRequest, HttpResponse, HttpTransport, UploadBody, UploadRequest};

// Re-exported so users can name request and response parts without adding
// `http` and `bytes` themselves.
pub use bytes;
pub use http;
