//! One module per service: what each operation answers. The routing is the
//! models' (`router`); this only names the handler of each action.

mod contactcenterai;
mod dianjin;
mod dianjin_tasks;
mod library;
mod openplatform;
mod retailbot;
mod tingwu;
mod vocabulary;

use http::Response;

use aliyun_ai_core::server::WireRequest;

use serde_json::Value;

use crate::responders::{Body, sse_response};
use crate::router::{self, Target};
use crate::server::Call;

/// The code a service answers for an id the emulator does not hold.
pub fn unknown_id_code(service: &str) -> Option<&'static str> {
    match service {
        "contactcenterai" => Some("CCAI.InvalidParam.NotExist"),
        "dianjin" => Some("ResourceNotFound"),
        "tingwu" => Some("InvalidParameter"),
        _ => None,
    }
}

/// The answer to an authenticated request.
pub fn dispatch(call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
    let service = match &call.target {
        Target::Tokens => return tingwu::tokens(call),
        Target::Storage => return tingwu::storage(call),
        target => target.service().map_or("", |s| s.key),
    };
    match (service, call.action.as_str()) {
        ("contactcenterai", "AnalyzeConversation") => {
            contactcenterai::analyze_conversation(call, truncate)
        }
        ("contactcenterai", "CreateTask") => contactcenterai::create_task(call),
        ("contactcenterai", "GetTaskResult") => contactcenterai::get_task_result(call),
        ("dianjin", "RecognizeIntention") => dianjin::recognize_intention(call),
        ("dianjin", action) if library::handles(action) => {
            from_the_table(call, truncate, library::answer)
        }
        ("dianjin", action) if dianjin_tasks::handles(action) => {
            from_the_table(call, truncate, dianjin_tasks::answer)
        }
        ("openplatform", "AuthorizeFileUpload") => {
            from_the_table(call, truncate, openplatform::authorize)
        }
        ("contactcenterai", action) if vocabulary::handles(action) => {
            from_the_table(call, truncate, vocabulary::answer)
        }
        ("retailbot", "RecognizeMessage") => retailbot::recognize_message(call),
        // DashScope checks the body's model and input first, then the task.
        ("tingwu", _) => tingwu::dashscope(call),
        _ => from_the_table(call, truncate, stateless),
    }
}

/// Any other operation: decoded with its generated model (a missing
/// required field is refused, naming it, as the gateway does), answered with
/// the example values of its doc table, with a fresh request id; as
/// server-sent events when the operation can stream and the request asks.
/// A stateful operation (libraries, documents, vocabularies, tasks) then
/// has its answer rewritten from the emulator's state by `stateful`.
fn from_the_table(call: &Call<'_>, truncate: Option<usize>, stateful: Stateful) -> Response<Body> {
    let Target::Operation { info, path_params } = &call.target else {
        return call.error(404, "InvalidAction.NotFound", "no such operation");
    };
    let Some(entry) = router::entries(&call.inner.config.operations)
        .find(|entry| std::ptr::eq(entry.info, *info))
    else {
        return call.error(
            501,
            "NotImplemented",
            &format!("the emulator has no answer for {}", info.action),
        );
    };
    let query = aliyun_ai_core::encoding::decode_form(&call.query).unwrap_or_default();
    let wire = WireRequest {
        path_params,
        query: &query,
        body: &call.body,
    };
    let answer = match (entry.answer)(&wire) {
        Ok(answer) => answer,
        Err(error) => return call.invalid_body(&error),
    };
    let request = Received {
        query,
        body: serde_json::from_slice(&call.body).unwrap_or(Value::Null),
    };
    let mut answer = match stateful(call, &request, answer) {
        Ok(answer) => answer,
        Err(response) => return *response,
    };
    refresh_request_id(&mut answer, &call.request_id);
    if asks_for_stream(call, info) {
        return sse_response(call, stream_events(answer, entry.stream_final), truncate);
    }
    call.ok(answer)
}

/// Rewrites a table answer from the emulator's state, or answers an error.
type Stateful = fn(&Call<'_>, &Received, Value) -> Result<Value, Refusal>;

/// The answer a stateful handler gives instead (boxed: a response is large).
pub(crate) type Refusal = Box<Response<Body>>;

/// The table's answer as it is.
fn stateless(_: &Call<'_>, _: &Received, answer: Value) -> Result<Value, Refusal> {
    Ok(answer)
}

/// A decoded request's parameters, for the stateful handlers (already
/// checked against the generated model).
pub(crate) struct Received {
    query: Vec<(String, String)>,
    body: Value,
}

impl Received {
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

/// The answer as three events: the first two with the field that marks the
/// last event (`stream_final`, a dotted path) set to `null`, then the whole
/// answer. Without such a field, three copies of the answer.
fn stream_events(answer: Value, stream_final: Option<&str>) -> Vec<Value> {
    let mut partial = answer.clone();
    if let Some(path) = stream_final {
        let mut here = Some(&mut partial);
        let segments: Vec<&str> = path.split('.').collect();
        for (index, segment) in segments.iter().enumerate() {
            let Some(Value::Object(map)) = here else {
                break;
            };
            if index + 1 == segments.len() {
                map.insert((*segment).to_owned(), Value::Null);
                break;
            }
            here = map.get_mut(*segment);
        }
    }
    vec![partial.clone(), partial, answer]
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
