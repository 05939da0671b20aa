//! The server side of an operation: decoding a request as it arrives on the
//! wire with the generated model, and an answer built from the doc table's
//! examples. The generated model crates implement [`ServerOperation`] behind
//! their `server` feature and list their operations in `SERVER_OPERATIONS`;
//! the emulator serves any operation from that list, so a new table is served
//! as soon as it is generated.

use std::fmt;

use serde_json::Value;

use crate::encoding::percent_decode;
use crate::operation::{Operation, OperationInfo};
use crate::validation::ValidationError;

/// A request as a server received it: the path parameters its route
/// captured (still percent-encoded), the decoded query pairs, and the body.
#[derive(Debug, Clone, Copy)]
pub struct WireRequest<'a> {
    /// `(name, value)` of each path parameter, as received.
    pub path_params: &'a [(String, String)],
    /// The decoded query, in order (a name may repeat).
    pub query: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl WireRequest<'_> {
    /// A path parameter, percent-decoded; a missing one is a [`WireError`].
    pub fn path_param(&self, name: &str) -> Result<String, WireError> {
        let (_, raw) = self
            .path_params
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| WireError::Missing(name.to_owned()))?;
        percent_decode(raw, false).map_err(|e| WireError::Invalid(format!("`{name}`: {e}")))
    }

    /// Every value of a query parameter: repeated names and comma-joined
    /// values (`a=x,y` or `a=x&a=y`) alike; `None` when absent.
    pub fn query_list(&self, name: &str) -> Option<Vec<String>> {
        let values: Vec<String> = self
            .query
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(',').map(str::to_owned))
            .collect();
        (!values.is_empty()).then_some(values)
    }

    /// The value of a scalar query parameter; `None` when absent.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A scalar query parameter parsed as `T`.
    pub fn query_parsed<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, WireError> {
        self.query_value(name)
            .map(|text| {
                text.parse()
                    .map_err(|_| WireError::Invalid(format!("`{name}` = `{text}` is not valid")))
            })
            .transpose()
    }

    /// The body, or `{}` when there is none (a request with only path and
    /// query parameters).
    pub fn json_body(&self) -> &[u8] {
        if self.body.is_empty() {
            b"{}"
        } else {
            self.body
        }
    }
}

/// Why a received request does not fit its operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireError {
    /// A required field is missing (its wire name).
    Missing(String),
    /// A value does not decode, or a rule of the operation is broken.
    Invalid(String),
}

impl WireError {
    /// The error of a body that does not decode into the model (serde's
    /// "missing field" becomes [`WireError::Missing`]).
    pub fn body(error: impl fmt::Display) -> Self {
        let text = error.to_string();
        match text
            .split_once("missing field `")
            .and_then(|(_, rest)| rest.split('`').next())
        {
            Some(field) => WireError::Missing(field.to_owned()),
            None => WireError::Invalid(text),
        }
    }
}

impl From<ValidationError> for WireError {
    fn from(error: ValidationError) -> Self {
        match error.problem() {
            crate::Problem::Missing | crate::Problem::Empty => {
                WireError::Missing(error.field().to_owned())
            }
            _ => WireError::Invalid(error.to_string()),
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Missing(field) => write!(f, "missing field `{field}`"),
            WireError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for WireError {}

/// An operation a server can decode and answer.
pub trait ServerOperation: Operation + Sized {
    /// The typed request from what was received (then [`Operation::validate`]
    /// is checked by [`answer_with_example`]).
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, WireError>;

    /// A successful answer built from the doc table's example values.
    fn example_response() -> Value;

    /// A request built from the doc table's example values, decoded as a
    /// server would decode it: what a test sends to exercise the operation.
    /// An error names a required field whose example the table lacks (or an
    /// RPC operation, whose form bodies are not built from examples).
    fn example_request() -> Result<Self, WireError> {
        Err(WireError::Invalid(format!(
            "{}: no example request",
            Self::INFO.action
        )))
    }
}

/// One servable operation: its facts and how to answer it.
#[derive(Clone, Copy)]
pub struct ServerEntry {
    /// The operation.
    pub info: &'static OperationInfo,
    /// Decodes and checks a request, then answers it.
    pub answer: fn(&WireRequest<'_>) -> Result<Value, WireError>,
    /// Decodes an answer's body as a client does, into the generated output
    /// type ([`decode_answer`]): what the fuzz targets feed every operation.
    pub decode_answer: fn(&[u8]) -> Result<(), serde_json::Error>,
    /// What the events of a streamed answer carry (the table's `events:`
    /// mark); `None` for an operation that does not stream.
    pub events: Option<EventShape>,
}

/// How a streaming operation's events carry its answer, for a server that
/// plays the answer as the service does. Paths are dotted wire keys; `[]`
/// after a key stands for the array's first item (`choices[].delta.content`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventShape {
    /// Where each event carries only its new piece of text.
    pub increment: Option<&'static str>,
    /// Where each event carries the text so far.
    pub cumulative: Option<&'static str>,
    /// Steps sent before the answer.
    pub steps: Option<EventSteps>,
    /// Each event is the whole answer so far, with this path holding this
    /// value on every event but the last (a status such as `pending`).
    pub snapshots: Option<(&'static str, &'static str)>,
    /// Where the last event says it is the last (`true`, or a non-empty
    /// string such as `stop`); earlier events hold `false` or `null` there.
    pub last: Option<&'static str>,
    /// Where a non-streamed answer holds the whole text, when the events
    /// carry it in fields of their own (RunAgent's `content`).
    pub whole: Option<&'static str>,
}

/// The steps of a stream with steps before its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSteps {
    /// The field naming each event's kind (`dataType`, `messageType`).
    pub field: &'static str,
    /// The kinds of the steps, in the order the service sends them.
    pub kinds: &'static [&'static str],
    /// The kind of the answer's events.
    pub answer: &'static str,
}

impl fmt::Debug for ServerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerEntry")
            .field("action", &self.info.action)
            .finish_non_exhaustive()
    }
}

/// Decodes `body` into the operation's output type, as the client does with
/// an answer, and drops it: `Ok` when it decodes.
pub fn decode_answer<O: Operation>(body: &[u8]) -> Result<(), serde_json::Error> {
    serde_json::from_slice::<O::Output>(body).map(drop)
}

/// Decodes the request with the model (a missing required field is a
/// [`WireError::Missing`] naming it, as the gateway answers), checks its
/// rules, and answers with the table's example.
pub fn answer_with_example<O: ServerOperation>(wire: &WireRequest<'_>) -> Result<Value, WireError> {
    let request = O::from_wire(wire)?;
    request.validate()?;
    Ok(O::example_response())
}
