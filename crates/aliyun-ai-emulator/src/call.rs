//! A request as the handlers see it (`Call`), what they share (`Inner`), and
//! the answers every service gives alike: errors in the service's body
//! format, refusals, the throttling answer, a 200 with the request id.

use std::time::{SystemTime, UNIX_EPOCH};

use aliyun_ai_core::Style;
use bytes::Bytes;
use http::{HeaderMap, Method, Response};
use serde_json::{Value, json};

use crate::auth::Refusal;
use crate::config::EmulatorConfig;
use crate::responders::{Body, Family, error_response, json_response, sse_response};
use crate::router::Target;
use crate::state::Shared;

/// What the handlers share.
pub struct Inner {
    pub config: EmulatorConfig,
    pub state: Shared,
    pub base_url: String,
    /// Client connections open now.
    pub open_connections: std::sync::atomic::AtomicUsize,
    /// The live real-time sessions' shared signals.
    pub(crate) sessions: crate::state::Sessions,
}

impl Inner {
    /// The emulator's wall clock ([`EmulatorConfig::time`]).
    pub fn now(&self) -> SystemTime {
        self.config.time.system_time()
    }

    pub fn unix_now(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The request as the handlers see it.
pub struct Call<'a> {
    pub inner: &'a std::sync::Arc<Inner>,
    pub target: Target,
    pub action: String,
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub request_id: String,
    pub host: String,
}

impl Call<'_> {
    /// A path parameter of the operation's template, percent-decoded.
    pub fn path_param(&self, name: &str) -> Option<String> {
        let Target::Operation { path_params, .. } = &self.target else {
            return None;
        };
        let wire = aliyun_ai_core::server::WireRequest {
            path_params,
            query: &[],
            body: &[],
        };
        wire.path_param(name).ok()
    }

    /// The family of error bodies this request gets.
    pub fn family(&self) -> Family {
        match &self.target {
            Target::Storage => Family::Storage,
            Target::Tokens => Family::DashScope,
            other => match other.service().map(|s| s.style) {
                Some(Style::DashScope) => Family::DashScope,
                _ => Family::Pop,
            },
        }
    }

    /// An error answer in the body format of the request's service.
    pub fn error(&self, status: u16, code: &str, message: &str) -> Response<Body> {
        error_response(
            self.family(),
            status,
            code,
            message,
            &self.request_id,
            &self.host,
            &[],
        )
    }

    /// An authentication refusal, with what the emulator computed when it
    /// debugs signatures.
    pub fn refusal(&self, refusal: Refusal) -> Response<Body> {
        // With --debug-signatures: what the emulator computed, so a user can
        // diff their canonical request against it line by line.
        let mut extra = Vec::new();
        if let Some(expected) = refusal.expected {
            if let Some(canonical) = expected.canonical_request {
                extra.push(("CanonicalRequest", canonical));
            }
            extra.push(("StringToSign", expected.string_to_sign));
        }
        error_response(
            self.family(),
            refusal.status,
            refusal.code,
            &refusal.message,
            &self.request_id,
            &self.host,
            &extra,
        )
    }

    /// The service's own throttling answer: its first documented throttling
    /// code (`ServiceInfo::errors`).
    pub fn throttled(&self) -> Response<Body> {
        // The first throttling code the service's doc tables document
        // (`ServiceInfo::errors`), with its status and the vendor's message.
        let throttling = self
            .target
            .service()
            .and_then(|s| s.first_error_of(aliyun_ai_core::ErrorClass::Throttling));
        match throttling {
            Some(code) => self.error(code.status, code.code, code.meaning),
            None => self.error(429, "Throttling", "Request was denied due to flow control."),
        }
    }

    /// A server-sent-events answer, paced by the configured event delay.
    pub fn sse(&self, events: Vec<Value>, truncate: Option<usize>) -> Response<Body> {
        sse_response(
            self.inner.config.stream_event_delay,
            &self.request_id,
            events,
            truncate,
        )
    }

    /// A 200 answer, with the request id where the service puts it.
    pub fn ok(&self, mut body: Value) -> Response<Body> {
        match self.family() {
            Family::DashScope => body["request_id"] = json!(self.request_id),
            _ if body.get("Success").is_some() || body.get("RequestId").is_some() => {
                body["RequestId"] = json!(self.request_id)
            }
            _ => body["requestId"] = json!(self.request_id),
        }
        json_response(200, &body, &self.request_id)
    }
}
