//! One error type a program can act on.

use std::error::Error as StdError;
use std::fmt;

use aliyun_ai_auth::{CredentialsError, SignError};
use aliyun_ai_core::{EncodeError, ValidationError};
use aliyun_ai_transport::retry::{is_permanent_code, is_throttling_code};
use aliyun_ai_transport::{TransportError, TransportErrorKind};

/// How much of a response body an error keeps.
pub const EXCERPT_LIMIT: usize = 2048;

/// The broad family of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request could not be built (a missing field, a bad endpoint): nothing was sent.
    Build,
    /// No credentials could be had: nothing was sent.
    Credentials,
    /// The transport failed: could not connect, timed out, broke mid-response.
    Transport,
    /// The service answered with an error (HTTP status, or a failure inside a
    /// 200 answer such as DianJin `success: false` or a failed task).
    Service,
    /// The answer could not be decoded.
    Decode,
    /// An asynchronous task ended in failure (CCAI `taskStatus: ERROR`); the
    /// message is the task's `taskErrorMessage`.
    TaskFailed,
    /// An asynchronous task did not finish before the deadline.
    TaskTimeout,
    /// A pre-signed result URL has expired.
    ResultExpired,
    /// A streamed answer ended before its last event.
    IncompleteStream,
}

/// A service error: the status, the vendor's code and message, the request
/// id, and a capped, redacted excerpt of the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status (200 for failures reported inside a successful answer).
    pub status: u16,
    /// The vendor's error code, e.g. `CCAI.Throttling.Qps`.
    pub code: Option<String>,
    /// The vendor's message.
    pub message: Option<String>,
    /// The request id (from the body or `x-acs-request-id`).
    pub request_id: Option<String>,
    /// At most [`EXCERPT_LIMIT`] bytes of the body, secrets redacted.
    pub body_excerpt: String,
}

/// An error of the `aliyun-ai` client.
///
/// `Display` is one short line; [`std::error::Error::source`] holds the detail.
/// It is one pointer wide, so `Result<T, Error>` stays small.
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    service: Option<ServiceError>,
    transport: Option<TransportErrorKind>,
    /// For decode errors: the status, request id and excerpt.
    decode: Option<(u16, Option<String>, String)>,
    /// For transport errors: the request id of an answer whose body broke.
    request_id: Option<String>,
    attempts: u32,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                service: None,
                transport: None,
                decode: None,
                request_id: None,
                attempts: 1,
                source: None,
            }),
        }
    }

    pub(crate) fn build(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Build, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    pub(crate) fn transport(error: TransportError, attempts: u32) -> Self {
        let mut this = Self::new(ErrorKind::Transport, error.to_string()).with_attempts(attempts);
        this.inner.transport = Some(error.kind());
        this.inner.request_id = error.request_id().map(str::to_owned);
        this.with_source(error)
    }

    pub(crate) fn service(error: ServiceError, attempts: u32) -> Self {
        let message = format!(
            "{} (HTTP {}){}",
            error.code.as_deref().unwrap_or("service error"),
            error.status,
            error
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        let mut this = Self::new(ErrorKind::Service, message).with_attempts(attempts);
        this.inner.service = Some(error);
        this
    }

    pub(crate) fn decode(
        status: u16,
        request_id: Option<String>,
        excerpt: String,
        source: serde_json::Error,
    ) -> Self {
        let mut this = Self::new(
            ErrorKind::Decode,
            format!("the answer (HTTP {status}) could not be decoded"),
        );
        this.inner.decode = Some((status, request_id, excerpt));
        this.with_source(source)
    }

    pub(crate) fn task_failed(task_id: &str, detail: ServiceError) -> Self {
        let mut this = Self::new(
            ErrorKind::TaskFailed,
            format!(
                "task {task_id} failed: {}",
                detail.message.as_deref().unwrap_or("no reason given")
            ),
        );
        this.inner.service = Some(detail);
        this
    }

    pub(crate) fn task_timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TaskTimeout, message)
    }

    pub(crate) fn result_expired(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResultExpired, message)
    }

    pub(crate) fn incomplete_stream(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::IncompleteStream, message)
    }

    /// The error's family.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The service error's details, for [`ErrorKind::Service`].
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.inner.service.as_ref()
    }

    /// The vendor's error code, if the service gave one.
    pub fn code(&self) -> Option<&str> {
        self.inner.service.as_ref()?.code.as_deref()
    }

    /// The vendor's message, if the service gave one.
    pub fn message(&self) -> Option<&str> {
        self.inner.service.as_ref()?.message.as_deref()
    }

    /// The request id, if the service returned one (for a transport error:
    /// when the answer's headers arrived before its body broke).
    pub fn request_id(&self) -> Option<&str> {
        if let Some(service) = &self.inner.service {
            return service.request_id.as_deref();
        }
        if let Some(decode) = &self.inner.decode {
            return decode.1.as_deref();
        }
        self.inner.request_id.as_deref()
    }

    /// The HTTP status, for service and decode errors.
    pub fn status(&self) -> Option<u16> {
        self.inner
            .service
            .as_ref()
            .map(|s| s.status)
            .or(self.inner.decode.as_ref().map(|d| d.0))
    }

    /// A capped, redacted excerpt of the answer's body, for service and decode errors.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner
            .service
            .as_ref()
            .map(|s| s.body_excerpt.as_str())
            .or(self.inner.decode.as_ref().map(|d| d.2.as_str()))
    }

    /// Whether the service reported a failure inside a successful (HTTP 2xx)
    /// answer (`success: false`, a failed task's status...).
    pub(crate) fn is_business_failure(&self) -> bool {
        self.inner.kind == ErrorKind::Service
            && self
                .inner
                .service
                .as_ref()
                .is_some_and(|s| (200..300).contains(&s.status))
    }

    /// How many attempts the call made (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether the service throttled the call (its throttling codes, HTTP 429).
    pub fn is_throttling(&self) -> bool {
        match &self.inner.service {
            Some(service) => match service.code.as_deref() {
                Some(code) if is_permanent_code(code) => false,
                Some(code) if is_throttling_code(code) => true,
                _ => service.status == 429,
            },
            None => false,
        }
    }

    /// Whether the request never reached the server or may be retried later
    /// with the same result expected to change: throttling, 5xx (except 501),
    /// connect errors and timeouts. Permanent quota errors and other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            // A request that could not be built or signed (`Other`) fails again.
            ErrorKind::Transport => matches!(
                self.inner.transport,
                Some(
                    TransportErrorKind::Connect
                        | TransportErrorKind::Timeout
                        | TransportErrorKind::Body
                )
            ),
            ErrorKind::Service => {
                let Some(service) = &self.inner.service else {
                    return false;
                };
                if service.code.as_deref().is_some_and(is_permanent_code) {
                    return false;
                }
                self.is_throttling() || matches!(service.status, 500 | 502 | 503 | 504)
            }
            _ => false,
        }
    }

    /// Whether the transport timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.transport == Some(TransportErrorKind::Timeout)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if self.inner.attempts > 1 {
            write!(f, " (after {} attempts)", self.inner.attempts)?;
        }
        Ok(())
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<ValidationError> for Error {
    fn from(error: ValidationError) -> Self {
        Self::build(error.to_string()).with_source(error)
    }
}

impl From<EncodeError> for Error {
    fn from(error: EncodeError) -> Self {
        Self::build(error.to_string()).with_source(error)
    }
}

impl From<CredentialsError> for Error {
    fn from(error: CredentialsError) -> Self {
        Self::new(
            ErrorKind::Credentials,
            format!("no usable credentials: {error}"),
        )
        .with_source(error)
    }
}

impl From<SignError> for Error {
    fn from(error: SignError) -> Self {
        Self::build(error.to_string()).with_source(error)
    }
}

/// Keys whose values are hidden in body excerpts.
const SENSITIVE_KEYS: &[&str] = &[
    "secret",
    "token",
    "signature",
    "authorization",
    "password",
    "credential",
    "apikey",
    "api_key",
];

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let lower = key.to_ascii_lowercase();
                if SENSITIVE_KEYS.iter().any(|k| lower.contains(k))
                    && !value.is_object()
                    && !value.is_array()
                {
                    *value = serde_json::Value::String("***".into());
                } else {
                    redact_json(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A capped excerpt of a body with the values of sensitive JSON keys hidden.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    // A value that echoes a request (`...&Signature=...`) is scrubbed too.
    let text = aliyun_ai_transport::error_body::scrub(&text);
    if text.len() <= EXCERPT_LIMIT {
        return text;
    }
    let mut end = EXCERPT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_transport_failures_are_retryable() {
        assert!(Error::transport(TransportError::connect("refused"), 1).is_retryable());
        assert!(Error::transport(TransportError::timeout("slow"), 1).is_retryable());
        assert!(Error::transport(TransportError::body("reset"), 1).is_retryable());
        // A body over the caller's limit comes again whole: retrying cannot help.
        assert!(!Error::transport(TransportError::too_large("over 16 MiB"), 1).is_retryable());
        assert!(
            !Error::transport(TransportError::other("could not sign the request"), 1)
                .is_retryable()
        );
    }

    #[test]
    fn excerpts_are_capped_and_redacted() {
        let body =
            br#"{"Code":"X","SecurityToken":"tok","nested":{"AccessKeySecret":"s"},"Message":"m"}"#;
        let text = excerpt(body);
        assert!(!text.contains("tok") && !text.contains("\"s\""), "{text}");
        assert!(text.contains("\"Code\":\"X\""));
        let long = "你".repeat(2000);
        let text = excerpt(long.as_bytes());
        assert!(text.len() <= EXCERPT_LIMIT + 3 && text.ends_with('…'));
    }
}
