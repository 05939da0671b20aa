//! The transport-free description of a call: what every generated request
//! implements and what the transport and signing layers read.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::validation::ValidationError;

/// How an API is called on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Style {
    /// REST-like POP API: the path names the resource, the body is JSON,
    /// signed with `ACS3-HMAC-SHA256`.
    Roa,
    /// Action-style POP API: `POST /`, the action travels in `x-acs-action`,
    /// parameters in a form body, signed with `ACS3-HMAC-SHA256` (or V1).
    Rpc,
    /// DashScope: one JSON URL per model family, `Authorization: Bearer`.
    DashScope,
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Style::Roa => "ROA",
            Style::Rpc => "RPC",
            Style::DashScope => "DashScope",
        })
    }
}

/// How a request is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// AccessKey credentials, signature V3 `ACS3-HMAC-SHA256`.
    Acs3HmacSha256,
    /// `Authorization: Bearer <DashScope API key or st- token>`.
    Bearer,
}

/// The HTTP methods the covered APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, e.g. `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Facts about one service (product) shared by all its operations.
/// Constructed by the generated model crates (a new field is a breaking change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Short key used for crate names and configuration, e.g. `contactcenterai`.
    pub key: &'static str,
    /// The vendor's product code, e.g. `ContactCenterAI`.
    pub product: &'static str,
    /// The API version sent in `x-acs-version` (empty for DashScope).
    pub version: &'static str,
    /// How the API is called.
    pub style: Style,
    /// How requests are authenticated.
    pub auth: AuthScheme,
    /// The default endpoint host (https), or `None` where the vendor publishes
    /// none and the endpoint must be configured (RetailBot).
    pub default_endpoint: Option<&'static str>,
    /// The error codes the service documents (its doc tables' `## Errors`),
    /// with what each says about trying again.
    pub errors: &'static [ErrorCode],
}

/// The environment variable that overrides the endpoint with this key (a
/// service's [`ServiceInfo::key`], or `oss` for uploads): `dianjin` reads
/// `ALIYUN_AI_DIANJIN_ENDPOINT`. One naming rule for the client that reads
/// them and the emulator that prints them.
pub fn endpoint_variable(key: &str) -> String {
    format!("ALIYUN_AI_{}_ENDPOINT", key.to_ascii_uppercase())
}

impl ServiceInfo {
    /// What the service documents `code` to mean for a retry, when it
    /// documents the code with a class.
    pub fn error_class(&self, code: &str) -> Option<ErrorClass> {
        self.errors
            .iter()
            .find(|e| e.code == code)
            .and_then(|e| e.class)
    }

    /// The first error the service documents of `class`, such as the
    /// answer a server gives when it throttles.
    pub fn first_error_of(&self, class: ErrorClass) -> Option<&'static ErrorCode> {
        self.errors.iter().find(|e| e.class == Some(class))
    }
}

/// One error code a service documents.
/// Constructed by the generated model crates (a new field is a breaking change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The HTTP status it arrives with (CCAI's throttling arrives with 400).
    pub status: u16,
    /// The vendor's code, e.g. `Throttling.User`.
    pub code: &'static str,
    /// What it says about trying again, when the tables say.
    pub class: Option<ErrorClass>,
    /// What it means, as the tables say (the vendor's message where known).
    pub meaning: &'static str,
}

/// What an error code says about trying the same request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// Slow down and try again: the request was refused before it ran.
    Throttling,
    /// May succeed later.
    Transient,
    /// Fails again, though it may look transient (arrears, an exhausted quota).
    Permanent,
}

/// Static facts about one operation.
/// Constructed by the generated model crates (a new field is a breaking change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The service the operation belongs to.
    pub service: &'static ServiceInfo,
    /// The operation's name as the vendor spells it (`x-acs-action` for POP
    /// APIs; the `input.task` value for DashScope).
    pub action: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template from the doc table, e.g. `/{workspaceId}/api/recog/intent`.
    pub path_template: &'static str,
    /// Whether the operation can answer with server-sent events.
    pub can_stream: bool,
    /// The boolean request-body field that asks for the stream (`stream`),
    /// when one does; `None` for an operation that cannot stream, or whose
    /// stream is asked for by the `Accept: text/event-stream` header alone.
    pub stream_field: Option<&'static str>,
    /// Whether sending the request twice is harmless (a timed-out idempotent
    /// call may be retried).
    pub idempotent: bool,
    /// For an operation held as a WebSocket session, its sub-protocol
    /// (`awap` for DianJin's EndToEndRealTimeDialog): the request is the
    /// upgrade, signed like a GET, and the answer a session, not a body.
    pub websocket: Option<&'static str>,
    /// The doc table the operation is generated from, e.g.
    /// [`docs/apis/dianjin/RecognizeIntention.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/apis/dianjin/RecognizeIntention.md).
    pub doc_table: &'static str,
}

/// The body of a request, already encoded to the bytes that will be sent
/// (and hashed for the signature).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestBody {
    /// No body.
    Empty,
    /// `application/json; charset=utf-8`.
    Json(Vec<u8>),
    /// `application/x-www-form-urlencoded`, RFC 3986-encoded (`%20` for a space).
    Form(Vec<u8>),
}

impl RequestBody {
    /// The `Content-Type` to send with this body, if any.
    pub const fn content_type(&self) -> Option<&'static str> {
        match self {
            RequestBody::Empty => None,
            RequestBody::Json(_) => Some("application/json; charset=utf-8"),
            RequestBody::Form(_) => Some("application/x-www-form-urlencoded"),
        }
    }

    /// The exact bytes to send.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            RequestBody::Empty => &[],
            RequestBody::Json(bytes) | RequestBody::Form(bytes) => bytes,
        }
    }

    /// Takes the bytes out of the body.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            RequestBody::Empty => Vec::new(),
            RequestBody::Json(bytes) | RequestBody::Form(bytes) => bytes,
        }
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, bytes) = match self {
            RequestBody::Empty => return f.write_str("Empty"),
            RequestBody::Json(bytes) => ("Json", bytes),
            RequestBody::Form(bytes) => ("Form", bytes),
        };
        f.debug_tuple(kind)
            .field(&String::from_utf8_lossy(bytes))
            .finish()
    }
}

/// A request body that could not be encoded.
#[derive(Debug)]
pub struct EncodeError {
    operation: &'static str,
    source: serde_json::Error,
}

impl EncodeError {
    /// Wraps the serializer's error for `operation`.
    pub fn new(operation: &'static str, source: serde_json::Error) -> Self {
        Self { operation, source }
    }

    /// The operation whose request could not be encoded.
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not encode the {} request body", self.operation)
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// One query parameter, not yet percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParam {
    /// The parameter's name.
    pub name: &'static str,
    /// The parameter's value, with the vendor's array style already applied
    /// (e.g. `asr_result,debug` for a comma-joined list).
    pub value: String,
}

/// A failure a service reports inside a successful (HTTP 2xx) answer, such
/// as DianJin's `success: false` with an `errCode`. Which fields say so
/// differs per service; the doc tables mark them (`{fails-when: ...}`,
/// `{error-code}`, `{error-message}`, `{request-id}`) and the generator writes
/// [`Operation::business_failure`] from those marks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BusinessFailure {
    /// The vendor's error code, if the answer carries one.
    pub code: Option<String>,
    /// The vendor's message, if any.
    pub message: Option<String>,
    /// The request id in the answer's body, if any.
    pub request_id: Option<String>,
}

impl BusinessFailure {
    /// A failure with these details.
    pub fn new(code: Option<String>, message: Option<String>, request_id: Option<String>) -> Self {
        Self {
            code,
            message,
            request_id,
        }
    }
}

/// A request to one operation of one service, described without any HTTP
/// stack. Every generated request type implements it; the facade executes any
/// `Operation` through one generic path (build, sign, send, retry, decode).
pub trait Operation {
    /// The type the response body decodes into.
    type Output: DeserializeOwned;

    /// Static facts about the operation.
    const INFO: &'static OperationInfo;

    /// The request path with every path parameter percent-encoded once, on its
    /// own (`/` inside a value becomes `%2F`). This exact string is signed and sent.
    fn path(&self) -> String;

    /// The query parameters, unencoded, in the order of the doc table.
    fn query(&self) -> Vec<QueryParam>;

    /// The encoded body.
    fn body(&self) -> Result<RequestBody, EncodeError>;

    /// Whether this request asks for a streamed (server-sent events) answer.
    /// The facade decides from this alone how to ask and how to read.
    fn wants_stream(&self) -> bool {
        false
    }

    /// The failure the service reported inside a successful answer, if any:
    /// the facade turns it into an error. Generated from the doc table's
    /// `{fails-when: ...}` marks; `None` for an operation without them.
    fn business_failure(_output: &Self::Output) -> Option<BusinessFailure> {
        None
    }

    /// For one event of a streamed answer: whether it is marked as the last
    /// (`Some(true)`), marked as not the last (`Some(false)`), or the
    /// operation marks no last event (`None`, the default), in which case the
    /// end of the body ends the stream normally. Generated from the doc
    /// table's `{stream-final}` mark.
    fn is_final_event(_event: &Self::Output) -> Option<bool> {
        None
    }

    /// Checks what the builder checked, again, on the value as it is now
    /// (fields are public and may have changed since it was built).
    fn validate(&self) -> Result<(), ValidationError>;
}
