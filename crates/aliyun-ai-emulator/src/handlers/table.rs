//! What every emulated service shares: the [`Emulated`] contract, answers
//! from the doc tables' examples (rewritten from state by the stateful
//! handlers), and the decoded parameters those handlers read.

use http::Response;

use aliyun_ai_core::server::WireRequest;

use serde_json::Value;

use crate::call::Call;
use crate::responders::{Body, Family};
use crate::router::Target;

/// One emulated service: what it answers beyond its tables' examples.
pub(crate) trait Emulated: Sync {
    /// Its `ServiceInfo::key`.
    fn key(&self) -> &'static str;

    /// The answer to an authenticated request for one of its operations.
    /// By default, the table's example ([`from_the_table`]).
    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        from_the_table(self, call, truncate, stateless)
    }

    /// The answer to a request missing the required `field` (`message` says
    /// so): the POP gateway's `MissingParameter` unless the service has its own.
    fn missing_parameter(&self, call: &Call<'_>, field: &str, message: &str) -> Response<Body> {
        let _ = message;
        call.error(
            400,
            "MissingParameter",
            &format!(
                "The input parameter \"{field}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    /// The code it answers for an id the emulator does not hold (a task, a
    /// library, a document, a vocabulary).
    fn unknown_id_code(&self) -> Option<&'static str> {
        None
    }

    /// The error of a request body that does not decode: a missing field is
    /// the service's [`Emulated::missing_parameter`], anything else
    /// `IllegalParamValue` (400), as CCAI answers; DashScope's
    /// `InvalidParameter`.
    fn invalid_body(&self, call: &Call<'_>, error: &dyn std::fmt::Display) -> Response<Body> {
        let message = error.to_string();
        let missing = message
            .split_once("missing field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(field, _)| field.to_owned());
        match (call.family(), missing) {
            (Family::DashScope, _) => call.error(400, "InvalidParameter", &message),
            (_, Some(field)) => self.missing_parameter(call, &field, &message),
            _ => call.error(
                400,
                "CCAI.ParamInvalid.IllegalParamValue",
                &format!("The parameter value of the request API is illegal {message}"),
            ),
        }
    }
}

/// A service with no handler of its own (the configured extra operations):
/// every answer from its tables.
pub(crate) struct TableOnly;

impl Emulated for TableOnly {
    fn key(&self) -> &'static str {
        ""
    }
}

/// Any other operation: decoded with its generated model (a missing
/// required field is refused, naming it, as the gateway does), answered with
/// the example values of its doc table, with a fresh request id; as
/// server-sent events when the operation can stream and the request asks.
/// A stateful operation (libraries, documents, vocabularies, tasks) then
/// has its answer rewritten from the emulator's state by `stateful`.
pub(crate) fn from_the_table(
    service: &(impl Emulated + ?Sized),
    call: &Call<'_>,
    truncate: Option<usize>,
    stateful: Stateful,
) -> Response<Body> {
    let Target::Operation { entry, path_params } = &call.target else {
        return call.error(404, "InvalidAction.NotFound", "no such operation");
    };
    let info = entry.info;
    let query = aliyun_ai_core::encoding::decode_form(&call.query).unwrap_or_default();
    let wire = WireRequest {
        path_params,
        query: &query,
        body: &call.body,
    };
    let answer = match (entry.answer)(&wire) {
        Ok(answer) => answer,
        Err(error) => return service.invalid_body(call, &error),
    };
    let request = Params {
        query,
        body: serde_json::from_slice(&call.body).unwrap_or(Value::Null),
    };
    let mut answer = match stateful(call, &request, answer) {
        Ok(answer) => answer,
        Err(response) => return *response,
    };
    refresh_request_id(&mut answer, &call.request_id);
    if asks_for_stream(call, info) {
        let events = match &entry.events {
            Some(shape) => super::growing::events(&answer, shape),
            None => vec![answer],
        };
        return call.sse(events, truncate);
    }
    call.ok(answer)
}

/// Rewrites a table answer from the emulator's state, or answers an error.
pub(crate) type Stateful = fn(&Call<'_>, &Params, Value) -> Result<Value, ErrorAnswer>;

/// The answer a stateful handler gives instead (boxed: a response is large).
pub(crate) type ErrorAnswer = Box<Response<Body>>;

/// The table's answer as it is.
pub(crate) fn stateless(_: &Call<'_>, _: &Params, answer: Value) -> Result<Value, ErrorAnswer> {
    Ok(answer)
}

/// A decoded request's parameters, for the stateful handlers (already
/// checked against the generated model).
pub(crate) struct Params {
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Value,
}

impl Params {
    /// A parameter by name: from the query, else a string of the body.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                self.body
                    .get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
    }

    /// A number parameter (query or body).
    pub(crate) fn number(&self, name: &str) -> Option<i64> {
        self.text(name)
            .and_then(|t| t.parse().ok())
            .or_else(|| self.body.get(name).and_then(Value::as_i64))
    }

    /// A body member.
    pub(crate) fn body(&self, name: &str) -> Option<&Value> {
        self.body.get(name).filter(|v| !v.is_null())
    }

    /// A list of strings: a body array, or a comma-joined query value.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        match self.body(name).and_then(Value::as_array) {
            Some(items) => items
                .iter()
                .filter_map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .or_else(|| Some(v.to_string()))
                })
                .collect(),
            None => self
                .text(name)
                .map(|t| t.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
        }
    }
}

/// Whether a request asks for server-sent events: the operation can stream,
/// and its stream field is true or (for an operation without one) the
/// `Accept` header names `text/event-stream`.
fn asks_for_stream(call: &Call<'_>, info: &aliyun_ai_core::OperationInfo) -> bool {
    if !info.can_stream {
        return false;
    }
    match info.stream_field {
        Some(field) => serde_json::from_slice::<Value>(&call.body)
            .ok()
            .and_then(|body| body.get(field).and_then(Value::as_bool))
            .unwrap_or(false),
        None => call
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/event-stream")),
    }
}

/// Every `requestId` / `RequestId` of an answer becomes this call's id.
fn refresh_request_id(answer: &mut Value, request_id: &str) {
    match answer {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if (key == "requestId" || key == "RequestId") && value.is_string() {
                    *value = Value::String(request_id.to_owned());
                } else {
                    refresh_request_id(value, request_id);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| refresh_request_id(item, request_id)),
        _ => {}
    }
}
