//! One error type a program can act on.

use std::error::Error as StdError;
use std::fmt;

use aliyun_ai_auth::{CredentialsError, SignError};
use aliyun_ai_core::{EncodeError, ErrorClass, ServiceInfo, ValidationError};
use aliyun_ai_transport::retry::ErrorCodes;
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
///
/// ```no_run
/// use aliyun_ai::{Client, ErrorKind};
/// use aliyun_ai::dianjin::GetLibraryListRequest;
///
/// # async fn run(client: Client, request: GetLibraryListRequest) {
/// match client.dianjin().get_library_list(request).await {
///     Ok(list) => println!("{:?}", list.data),
///     // Refused before anything was sent: a missing field, a bad value.
///     Err(error) if error.kind() == ErrorKind::Build => eprintln!("fix the request: {error}"),
///     // Throttled (after the retries): slow down.
///     Err(error) if error.is_throttling() => eprintln!("slow down: {error}"),
///     // What the service said, with its request id for a support ticket.
///     Err(error) => eprintln!("{error} (code {:?}, request id {:?})", error.code(), error.request_id()),
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    message: String,
    attempts: u32,
    /// What made the attempt before the last one retry (transport errors).
    retried_on: Option<String>,
    source: Option<Box<dyn StdError + Send + Sync>>,
    payload: Payload,
}

/// What each kind of error carries: one payload per kind, so no error holds
/// a combination that means nothing (a decode error's status beside a
/// transport error's kind).
#[derive(Debug)]
enum Payload {
    Build,
    Credentials,
    Transport {
        kind: TransportErrorKind,
        /// When the answer's headers arrived before its body broke.
        request_id: Option<String>,
    },
    Service {
        error: ServiceError,
        /// What the service's documented codes say of this one.
        class: Option<ErrorClass>,
    },
    Decode {
        status: u16,
        request_id: Option<String>,
        excerpt: String,
    },
    TaskFailed(ServiceError),
    TaskTimeout,
    ResultExpired,
    IncompleteStream,
}

impl Error {
    fn new(payload: Payload, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                message: message.into(),
                attempts: 1,
                retried_on: None,
                source: None,
                payload,
            }),
        }
    }

    pub(crate) fn build(message: impl Into<String>) -> Self {
        Self::new(Payload::Build, message)
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

    /// Names the call a transport error happened in: the product, the
    /// action and the host (never the path's ids nor the query, where V1
    /// signatures and tokens travel).
    pub(crate) fn in_call(mut self, info: &aliyun_ai_core::OperationInfo, host: &str) -> Self {
        self.inner.message = format!(
            "{} {} to {host}: {}",
            info.service.product, info.action, self.inner.message
        );
        self
    }

    /// A transport failure the retry policy gave up on.
    pub(crate) fn retried(error: aliyun_ai_transport::RetryError) -> Self {
        let retried_on = error.retried_on;
        let mut this = Self::transport(error.error, error.attempts);
        this.inner.retried_on = retried_on;
        this
    }

    pub(crate) fn transport(error: TransportError, attempts: u32) -> Self {
        let payload = Payload::Transport {
            kind: error.kind(),
            request_id: error.request_id().map(str::to_owned),
        };
        Self::new(payload, error.to_string())
            .with_attempts(attempts)
            .with_source(error)
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
        Self::new(Payload::Service { error, class: None }, message).with_attempts(attempts)
    }

    /// Reads the service error's code against the service's documented codes
    /// (generated from its doc tables): throttling, transient or permanent.
    pub(crate) fn classified(mut self, service: &ServiceInfo) -> Self {
        if let Payload::Service { error, class } = &mut self.inner.payload {
            *class = error.code.as_deref().and_then(|c| service.error_class(c));
        }
        self
    }

    pub(crate) fn decode(
        status: u16,
        request_id: Option<String>,
        excerpt: String,
        source: serde_json::Error,
    ) -> Self {
        Self::new(
            Payload::Decode {
                status,
                request_id,
                excerpt,
            },
            format!("the answer (HTTP {status}) could not be decoded"),
        )
        .with_source(source)
    }

    pub(crate) fn task_failed(task_id: &str, detail: ServiceError) -> Self {
        let message = format!(
            "task {task_id} failed: {}",
            detail.message.as_deref().unwrap_or("no reason given")
        );
        Self::new(Payload::TaskFailed(detail), message)
    }

    pub(crate) fn task_timeout(message: impl Into<String>) -> Self {
        Self::new(Payload::TaskTimeout, message)
    }

    pub(crate) fn result_expired(message: impl Into<String>) -> Self {
        Self::new(Payload::ResultExpired, message)
    }

    pub(crate) fn incomplete_stream(message: impl Into<String>) -> Self {
        Self::new(Payload::IncompleteStream, message)
    }

    /// The error's family.
    pub fn kind(&self) -> ErrorKind {
        match &self.inner.payload {
            Payload::Build => ErrorKind::Build,
            Payload::Credentials => ErrorKind::Credentials,
            Payload::Transport { .. } => ErrorKind::Transport,
            Payload::Service { .. } => ErrorKind::Service,
            Payload::Decode { .. } => ErrorKind::Decode,
            Payload::TaskFailed(_) => ErrorKind::TaskFailed,
            Payload::TaskTimeout => ErrorKind::TaskTimeout,
            Payload::ResultExpired => ErrorKind::ResultExpired,
            Payload::IncompleteStream => ErrorKind::IncompleteStream,
        }
    }

    /// The service's error, for service errors and failed tasks.
    fn service_details(&self) -> Option<&ServiceError> {
        match &self.inner.payload {
            Payload::Service { error, .. } | Payload::TaskFailed(error) => Some(error),
            _ => None,
        }
    }

    /// The service error's details, for [`ErrorKind::Service`].
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.service_details()
    }

    /// The vendor's error code, if the service gave one.
    pub fn code(&self) -> Option<&str> {
        self.service_details()?.code.as_deref()
    }

    /// The vendor's message, if the service gave one.
    pub fn message(&self) -> Option<&str> {
        self.service_details()?.message.as_deref()
    }

    /// The request id, if the service returned one (for a transport error:
    /// when the answer's headers arrived before its body broke).
    pub fn request_id(&self) -> Option<&str> {
        match &self.inner.payload {
            Payload::Service { error, .. } | Payload::TaskFailed(error) => {
                error.request_id.as_deref()
            }
            Payload::Decode { request_id, .. } | Payload::Transport { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status, for service and decode errors.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.payload {
            Payload::Service { error, .. } | Payload::TaskFailed(error) => Some(error.status),
            Payload::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A capped, redacted excerpt of the answer's body, for service and decode errors.
    pub fn body_excerpt(&self) -> Option<&str> {
        match &self.inner.payload {
            Payload::Service { error, .. } | Payload::TaskFailed(error) => {
                Some(error.body_excerpt.as_str())
            }
            Payload::Decode { excerpt, .. } => Some(excerpt.as_str()),
            _ => None,
        }
    }

    /// Whether the service reported a failure inside a successful (HTTP 2xx)
    /// answer (`success: false`, a failed task's status...).
    pub(crate) fn is_business_failure(&self) -> bool {
        matches!(&self.inner.payload, Payload::Service { error, .. } if (200..300).contains(&error.status))
    }

    /// How many attempts the call made (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether the service throttled the call: a code its doc tables class as
    /// throttling (whatever the status), or HTTP 429 with no permanent code.
    pub fn is_throttling(&self) -> bool {
        match &self.inner.payload {
            Payload::Service { error, class } => match class {
                Some(ErrorClass::Throttling) => true,
                Some(ErrorClass::Permanent) => false,
                _ => error.status == 429,
            },
            _ => false,
        }
    }

    /// Whether the request never reached the server or may be retried later
    /// with the same result expected to change: throttling, 5xx (except 501),
    /// connect errors and timeouts. Permanent quota errors and other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        match &self.inner.payload {
            // A request that could not be built or signed (`Other`) fails again.
            Payload::Transport { kind, .. } => matches!(
                kind,
                TransportErrorKind::Connect
                    | TransportErrorKind::Timeout
                    | TransportErrorKind::Body
            ),
            Payload::Service { error, class } => match class {
                Some(ErrorClass::Permanent) => false,
                Some(ErrorClass::Throttling | ErrorClass::Transient) => true,
                _ => self.is_throttling() || matches!(error.status, 500 | 502 | 503 | 504),
            },
            _ => false,
        }
    }

    /// Whether the transport timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.inner.payload,
            Payload::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if self.inner.attempts > 1 {
            write!(f, " (after {} attempts", self.inner.attempts)?;
            if let Some(reason) = &self.inner.retried_on {
                write!(
                    f,
                    "; attempt {} was retried on {reason}",
                    self.inner.attempts - 1
                )?;
            }
            f.write_str(")")?;
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
            Payload::Credentials,
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
/// A service's documented error codes (generated from its doc tables), as
/// the retry classifier reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceCodes(pub(crate) &'static ServiceInfo);

impl ErrorCodes for ServiceCodes {
    fn is_throttling(&self, code: &str) -> bool {
        self.0.error_class(code) == Some(ErrorClass::Throttling)
    }

    fn is_permanent(&self, code: &str) -> bool {
        self.0.error_class(code) == Some(ErrorClass::Permanent)
    }
}

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
    let text = aliyun_ai_core::error_body::scrub(&text);
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
