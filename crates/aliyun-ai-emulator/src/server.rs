//! The HTTP side: one address for every operation, routing, faults, QPS
//! limits, authentication, and the answers.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_models_contactcenterai::analyze_conversation::AnalyzeConversationRequest;
use aliyun_ai_models_contactcenterai::create_task::{
    CreateTaskRequest as CcaiCreateTask, TaskType,
};
use aliyun_ai_models_contactcenterai::get_task_result::RequiredField;
use aliyun_ai_models_dianjin::recognize_intention::RecognizeIntentionRequest;
use aliyun_ai_models_retailbot::recognize_message::RecognizeMessageRequest;
use aliyun_ai_models_tingwu::create_task::CreateTaskRequest as TingwuCreateTask;
use aliyun_ai_models_tingwu::get_task::GetTaskRequest;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};

use crate::auth::{Received, Refusal, Verifier};
use crate::services;
use crate::state::{CcaiTask, Fault, Shared, TingwuTask};
use crate::{Credentials, EmulatorConfig};

pub type Body = BoxBody<Bytes, std::io::Error>;

/// What the handlers share.
pub struct Inner {
    pub config: EmulatorConfig,
    pub state: Shared,
    pub base_url: String,
}

/// The families of error bodies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Pop,
    DashScope,
    Storage,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Route {
    AnalyzeConversation,
    CreateTask,
    GetTaskResult,
    RecognizeIntention,
    RecognizeMessage,
    DashScope,
    Tokens,
    Storage,
}

impl Route {
    fn family(self) -> Family {
        match self {
            Route::DashScope | Route::Tokens => Family::DashScope,
            Route::Storage => Family::Storage,
            _ => Family::Pop,
        }
    }
}

/// Dropping the connection: returned as the service's error so hyper closes it.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn respond(
    status: u16,
    content_type: &str,
    body: impl Into<Bytes>,
    request_id: &str,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(value) = content_type.parse() {
        headers.insert(http::header::CONTENT_TYPE, value);
    }
    if let Ok(value) = request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}

fn json_response(status: u16, body: &Value, request_id: &str) -> Response<Body> {
    respond(
        status,
        "application/json;charset=utf-8",
        body.to_string(),
        request_id,
    )
}

/// An error answer in the body format of the route's service.
fn error_response(
    family: Family,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
    host: &str,
    extra: &[(&str, String)],
) -> Response<Body> {
    match family {
        Family::Pop => {
            let mut body = json!({"RequestId": request_id, "HostId": host, "Code": code, "Message": message,
                "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=emulator")});
            for (key, value) in extra {
                body[*key] = json!(value);
            }
            json_response(status, &body, request_id)
        }
        Family::DashScope => json_response(
            status,
            &json!({"code": code, "message": message, "request_id": request_id}),
            request_id,
        ),
        Family::Storage => respond(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n  <HostId>{host}</HostId>\n</Error>\n"
            ),
            request_id,
        ),
    }
}

fn route_of(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Option<Route> {
    // A gateway routes `/a/b/` as `/a/b` (the vendor's DashScope SDK adds the
    // slash, `reference/apis.md`); the signature still covers the path as sent.
    let trimmed = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let segments: Vec<&str> = trimmed.split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST | &Method::GET, ["", ""]) => {
            // RPC: the action in `x-acs-action` (V3), or an `Action`
            // parameter in the query or the form body (V1).
            let action = headers
                .get("x-acs-action")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| query_values(query, "Action").into_iter().next())
                .or_else(|| {
                    std::str::from_utf8(body)
                        .ok()
                        .and_then(|text| query_values(text, "Action").into_iter().next())
                });
            (action.as_deref() == Some("RecognizeMessage")).then_some(Route::RecognizeMessage)
        }
        (
            &Method::POST,
            [
                "",
                "api",
                "v1",
                "services",
                "aigc",
                "multimodal-generation",
                "generation",
            ],
        ) => Some(Route::DashScope),
        (&Method::POST, ["", "api", "v1", "tokens"]) => Some(Route::Tokens),
        (&Method::GET, ["", "storage", _, _]) => Some(Route::Storage),
        (&Method::GET, ["", "ccai", "app", "getTaskResult"]) => Some(Route::GetTaskResult),
        (&Method::POST, ["", _, "ccai", "app", _, "analyze_conversation"]) => {
            Some(Route::AnalyzeConversation)
        }
        (&Method::POST, ["", _, "ccai", "app", _, "createTask"]) => Some(Route::CreateTask),
        (&Method::POST, ["", _, "api", "recog", "intent"]) => Some(Route::RecognizeIntention),
        _ => None,
    }
}

/// Every value of a query (or form) parameter, in order: a name may repeat
/// (`a=x&a=y`, the `repeat` array style).
fn query_values(query: &str, name: &str) -> Vec<String> {
    aliyun_ai_auth::encoding::decode_form(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect()
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query_values(query, name).into_iter().next()
}

impl Inner {
    /// The emulator's wall clock ([`EmulatorConfig::clock`]).
    fn now(&self) -> SystemTime {
        self.config.clock.now()
    }

    fn unix_now(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The request as the handlers see it.
struct Call<'a> {
    inner: &'a Inner,
    route: Route,
    action: String,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
    request_id: String,
    host: String,
}

impl Call<'_> {
    fn error(&self, status: u16, code: &str, message: &str) -> Response<Body> {
        error_response(
            self.route.family(),
            status,
            code,
            message,
            &self.request_id,
            &self.host,
            &[],
        )
    }

    fn refusal(&self, refusal: Refusal) -> Response<Body> {
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
            self.route.family(),
            refusal.status,
            refusal.code,
            &refusal.message,
            &self.request_id,
            &self.host,
            &extra,
        )
    }

    /// The error of a request body that does not decode: a missing field is
    /// `MissParam` (403), anything else `IllegalParamValue` (400), as CCAI answers.
    fn invalid_body(&self, error: &dyn std::fmt::Display) -> Response<Body> {
        let message = error.to_string();
        match self.route.family() {
            Family::DashScope => self.error(400, "InvalidParameter", &message),
            _ if message.contains("missing field") => self.error(
                403,
                "CCAI.ParamNotfound.MissParam",
                &format!("Parameter verification failed, {message}"),
            ),
            _ => self.error(
                400,
                "CCAI.ParamInvalid.IllegalParamValue",
                &format!("The parameter value of the request API is illegal {message}"),
            ),
        }
    }

    fn throttled(&self) -> Response<Body> {
        match self.route {
            Route::RecognizeMessage => self.error(
                429,
                "Throttling.Api",
                "The request was denied due to API flow control.",
            ),
            Route::RecognizeIntention => self.error(
                400,
                "Throttling.User",
                "Request was denied due to user flow control.",
            ),
            Route::DashScope | Route::Tokens => self.error(
                429,
                "Throttling.RateQuota",
                "Requests rate limit exceeded, please try again later.",
            ),
            _ => self.error(
                400,
                "CCAI.Throttling.Qps",
                "Trigger current QPS limit, pay API please buy higher QPS.",
            ),
        }
    }

    fn ok(&self, mut body: Value) -> Response<Body> {
        match self.route.family() {
            Family::DashScope => body["request_id"] = json!(self.request_id),
            _ if body.get("Success").is_some() => body["RequestId"] = json!(self.request_id),
            _ => body["requestId"] = json!(self.request_id),
        }
        json_response(200, &body, &self.request_id)
    }
}

/// Handles one request.
pub async fn handle(
    inner: Arc<Inner>,
    request: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let request_id = format!("EMU-{}", inner.state.next_id("").to_uppercase());
    let body = match Limited::new(body, 10 * 1024 * 1024).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(error_response(
                Family::Pop,
                413,
                "RequestTooLarge",
                "the request body is too large or broken",
                &request_id,
                &host,
                &[],
            ));
        }
    };
    let Some(route) = route_of(&method, &path, &parts.headers, &query, &body) else {
        let response = error_response(
            Family::Pop,
            404,
            "InvalidAction.NotFound",
            &format!("no emulated operation at {method} {path}"),
            &request_id,
            &host,
            &[],
        );
        tracing::info!(%method, path, status = 404, "no such operation");
        return Ok(response);
    };
    let action = match route {
        Route::DashScope => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["input"]["task"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "dashscope".into()),
        other => format!("{other:?}"),
    };
    let call = Call {
        inner: &inner,
        route,
        action,
        method: method.clone(),
        path,
        query,
        headers: parts.headers,
        body,
        request_id,
        host,
    };
    let response = answer(&call).await;
    match &response {
        Ok(response) => {
            tracing::info!(%method, path = call.path, action = call.action, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request")
        }
        Err(_) => {
            tracing::info!(%method, path = call.path, action = call.action, "connection dropped (fault injection)")
        }
    }
    response
}

async fn answer(call: &Call<'_>) -> Result<Response<Body>, DropConnection> {
    let config = &call.inner.config;
    // Faults: the request's header first, then the configured rules.
    let fault = call
        .headers
        .get("x-emulator-fault")
        .and_then(|v| v.to_str().ok())
        .and_then(Fault::parse)
        .or_else(|| call.inner.state.take_fault(&call.action));
    let mut truncate = None;
    match fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Error { status, code }) => {
            return Ok(call.error(status, &code, &format!("{code} (injected by the emulator)")));
        }
        Some(Fault::DropConnection) => return Err(DropConnection),
        Some(Fault::TruncateStream(events)) => truncate = Some(events),
        None => {}
    }
    if let Some(limit) = config.qps_limit {
        if call.route != Route::Storage && call.inner.state.over_qps(&call.action, limit) {
            return Ok(call.throttled());
        }
    }
    let credentials = &config.credentials;
    let verifier = Verifier {
        credentials,
        state: &call.inner.state,
        clock: config.clock.as_ref(),
        debug: config.debug_signatures,
    };
    let checked = match call.route {
        Route::DashScope => verifier.check_bearer(&call.headers, false),
        Route::Tokens => verifier.check_bearer(&call.headers, true),
        Route::Storage => Ok(()),
        route => verifier.check_access_key(
            &Received {
                method: call.method.as_str(),
                path: &call.path,
                query: &call.query,
                headers: &call.headers,
                body: &call.body,
            },
            route == Route::RecognizeMessage,
        ),
    };
    if let Err(refusal) = checked {
        return Ok(call.refusal(refusal));
    }
    Ok(match call.route {
        Route::AnalyzeConversation => analyze_conversation(call, truncate),
        Route::CreateTask => ccai_create_task(call),
        Route::GetTaskResult => ccai_get_task_result(call),
        Route::RecognizeIntention => recognize_intention(call),
        Route::RecognizeMessage => recognize_message(call),
        Route::DashScope => dashscope(call),
        Route::Tokens => tokens(call),
        Route::Storage => storage(call, credentials),
    })
}

// ---------------------------------------------------------------------------
// ContactCenterAI

fn analyze_conversation(call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
    let request: AnalyzeConversationRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    if request.result_types.is_empty() {
        return call.error(
            400,
            "CCAI.InvalidParam.NotExist",
            "The specified parameter resultTypes is not valid.",
        );
    }
    let text = services::analyze_conversation(&request);
    let input = request.dialogue.as_ref().map_or(0, |d| {
        d.sentences.iter().map(|s| services::tokens(&s.text)).sum()
    });
    let output = services::tokens(&text);
    let event = |text: &str, last: bool| {
        let mut event = json!({"errorCode": "success", "errorInfo": "success", "finishReason": if last { Some("stop") } else { None },
            "requestId": call.request_id, "success": true, "text": text});
        if last {
            event["inputTokens"] = json!(input.to_string());
            event["outputTokens"] = json!(output.to_string());
            event["totalTokens"] = json!((input + output).to_string());
        }
        event
    };
    if !request.stream {
        return json_response(200, &event(&text, true), &call.request_id);
    }
    // Cumulative text in several events, the last saying `stop`.
    let parts = services::cumulative_parts(&text, 4);
    let count = parts.len();
    let mut frames: Vec<Result<Bytes, std::io::Error>> = parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            Ok(Bytes::from(format!(
                "id:{}\nevent:result\ndata:{}\n\n",
                index + 1,
                event(part, index + 1 == count)
            )))
        })
        .collect();
    if let Some(keep) = truncate {
        frames.truncate(keep.min(count.saturating_sub(1)));
        frames.push(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "stream truncated by fault injection",
        )));
    }
    let delay = call.inner.config.stream_event_delay;
    let stream = futures_util::stream::unfold(frames.into_iter(), move |mut frames| async move {
        let frame = frames.next()?;
        tokio::time::sleep(delay).await;
        Some((frame.map(Frame::data), frames))
    });
    let mut response = Response::new(StreamBody::new(stream).boxed());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream;charset=UTF-8"),
    );
    if let Ok(value) = call.request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}

fn ccai_create_task(call: &Call<'_>) -> Response<Body> {
    let request: CcaiCreateTask = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    if request.task_type == TaskType::Text && request.dialogue.is_none() {
        return call.error(
            403,
            "CCAI.ParamNotfound.MissParam",
            "Parameter verification failed, The specified parameter dialogue is missing.",
        );
    }
    if request.task_type == TaskType::Audio && request.transcription.is_none() {
        return call.error(
            403,
            "CCAI.ParamNotfound.MissParam",
            "Parameter verification failed, The specified parameter transcription is missing.",
        );
    }
    let day = crate::format_day(call.inner.now());
    let task_id = format!(
        "{day}-{}-EMUL-4C1A-9D2E-{}",
        call.inner.state.next_id("").to_uppercase(),
        &sha256_hex(&call.body)[..12].to_uppercase()
    );
    let stored = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
    call.inner.state.with(|s| {
        s.ccai_tasks.insert(
            task_id.clone(),
            CcaiTask {
                created: Instant::now(),
                request: stored,
            },
        )
    });
    call.ok(json!({"data": {"taskId": task_id}, "success": "True"}))
}

fn ccai_get_task_result(call: &Call<'_>) -> Response<Body> {
    let Some(task_id) = query_param(&call.query, "taskId") else {
        return call.error(
            403,
            "CCAI.ParamNotfound.MissParam",
            "Parameter verification failed, The specified parameter taskId is missing.",
        );
    };
    let Some(task) = call
        .inner
        .state
        .with(|s| s.ccai_tasks.get(&task_id).cloned())
    else {
        return call.error(
            400,
            "CCAI.InvalidParam.NotExist",
            &format!("The specified parameter taskId {task_id} is not valid."),
        );
    };
    // Comma-joined (`simple`, as the vendor's SDKs send it) or repeated; the
    // documented `asr_result`, and the camel-case `asrResult` leniently.
    let wants_asr = query_values(&call.query, "requiredFieldList")
        .iter()
        .flat_map(|value| value.split(','))
        .any(|field| field == RequiredField::AsrResult.as_str() || field == "asrResult");
    if task.created.elapsed() < call.inner.config.task_delay {
        return call
            .ok(json!({"data": {"taskId": task_id, "taskStatus": "QUEUE"}, "success": "True"}));
    }
    let Ok(request) = serde_json::from_value::<CcaiCreateTask>(task.request) else {
        return call.error(500, "CCAI.InternalError", "the stored task is unreadable");
    };
    if request.task_type == TaskType::Audio {
        // The emulator cannot listen: audio tasks end in ERROR, deterministically.
        let file = request
            .transcription
            .as_ref()
            .map(|t| t.file_name.clone())
            .unwrap_or_default();
        return call.ok(json!({"data": {"taskId": task_id, "taskStatus": "ERROR",
            "taskErrorMessage": format!("音频文件无法解析: {file} (the emulator does not transcribe audio)")}, "success": "True"}));
    }
    let turns = services::turns_of_create_task(&request);
    let text = services::analysis_text(&services::create_task_types(&request), &turns, None);
    let mut data = json!({"taskId": task_id, "taskStatus": "FINISH", "text": text,
        "extra": json!({"roleConfig": {"role1Name": "客户", "role2Name": "客服"}}).to_string()});
    if wants_asr {
        data["asrResult"] = services::asr_result(&turns);
    }
    call.ok(json!({"data": data, "success": "True"}))
}

// ---------------------------------------------------------------------------
// DianJin and RetailBot

fn recognize_intention(call: &Call<'_>) -> Response<Body> {
    let request: RecognizeIntentionRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    // DianJin reports business failures inside HTTP 200 (`reference/apis.md`).
    let mut checked = request.clone();
    checked.workspace_id = "from-the-path".into();
    if let Err(error) = aliyun_ai_core::Operation::validate(&checked) {
        return call.ok(json!({"success": false, "errCode": "InvalidParameter", "message": error.to_string(), "data": null}));
    }
    call.ok(services::recognize_intention(&request))
}

fn recognize_message(call: &Call<'_>) -> Response<Body> {
    // RPC parameters travel in the form body, or in the query of a GET
    // (every RPC gateway accepts both); V1's common parameters are ignored.
    let text = if call.body.is_empty() {
        call.query.clone()
    } else {
        String::from_utf8_lossy(&call.body).into_owned()
    };
    let request = match RecognizeMessageRequest::from_form(&text) {
        Ok(request) => request,
        Err(error) => {
            let message = error.to_string();
            return if message.contains("missing field") {
                call.error(400, "MissingParameter", &message)
            } else {
                call.error(400, "InvalidParameter", &message)
            };
        }
    };
    call.ok(services::recognize_message(&request))
}

// ---------------------------------------------------------------------------
// DashScope

fn dashscope(call: &Call<'_>) -> Response<Body> {
    let value: Value = match serde_json::from_slice(&call.body) {
        Ok(value) => value,
        Err(_) => return call.error(400, "InvalidParameter", "the body is not JSON"),
    };
    if value.get("model").is_none() {
        return call.error(
            400,
            "BadRequest.EmptyModel",
            "Required parameter(model) missing or invalid.",
        );
    }
    if value["model"] != "tingwu-automotive-customer-profile" {
        return call.error(
            400,
            "InvalidParameter",
            "The emulator serves the model tingwu-automotive-customer-profile only.",
        );
    }
    if value.get("input").is_none() {
        return call.error(
            400,
            "BadRequest.EmptyInput",
            "Required input parameter missing from request.",
        );
    }
    match call.action.as_str() {
        "createTask" => tingwu_create_task(call),
        "getTask" => tingwu_get_task(call),
        other => call.error(
            400,
            "InvalidParameter",
            &format!("input.task `{other}` is not createTask or getTask"),
        ),
    }
}

fn tingwu_create_task(call: &Call<'_>) -> Response<Body> {
    let request: TingwuCreateTask = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    if let Err(error) = aliyun_ai_core::Operation::validate(&request) {
        return call.error(400, "InvalidParameter", &error.to_string());
    }
    let input = &request.input;
    let (lines, failure) = if let Some(text) = &input.text {
        (services::transcript_lines(text), None)
    } else if let Some(data_id) = &input.data_id {
        match call
            .inner
            .state
            .with(|s| s.tingwu_tasks.get(data_id).map(|t| t.lines.clone()))
        {
            Some(lines) => (lines, None),
            None => {
                return call.error(
                    400,
                    "InvalidParameter",
                    &format!("dataId {data_id} does not exist"),
                );
            }
        }
    } else {
        // The emulator cannot read audio: the task fails the way an unreadable file does.
        (
            Vec::new(),
            Some((
                "TSC.FileError".to_owned(),
                "File cannot be read. (the emulator does not transcribe audio)".to_owned(),
            )),
        )
    };
    let identities = request
        .parameters
        .identity_recognition
        .as_ref()
        .and_then(|i| i.identity_contents.as_ref())
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i.name.clone().unwrap_or_default(),
                        i.description.clone().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let extractions = request
        .parameters
        .content_extraction
        .as_ref()
        .and_then(|c| c.extraction_contents.as_ref())
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i.title.clone().unwrap_or_default(),
                        i.content.clone().unwrap_or_default(),
                        i.identity.clone().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let data_id = call.inner.state.next_id("wkb-emu-");
    call.inner.state.with(|s| {
        s.tingwu_tasks.insert(
            data_id.clone(),
            TingwuTask {
                created: Instant::now(),
                lines,
                failure,
                identities,
                extractions,
            },
        )
    });
    call.ok(json!({"output": {"dataId": data_id}, "usage": {}}))
}

/// A pre-signed-looking URL of a result file that expires.
fn result_url(inner: &Inner, kind: &str, data_id: &str, ttl: Duration, secret: &str) -> String {
    let base = &inner.base_url;
    let expires = inner.unix_now() + ttl.as_secs();
    let signature = &sha256_hex(format!("{secret}:{kind}:{data_id}:{expires}").as_bytes())[..32];
    format!(
        "{base}/storage/{kind}/{data_id}?Expires={expires}&OSSAccessKeyId=emulator&Signature={signature}"
    )
}

fn tingwu_get_task(call: &Call<'_>) -> Response<Body> {
    let request: GetTaskRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    let data_id = request.input.data_id;
    let Some(task) = call
        .inner
        .state
        .with(|s| s.tingwu_tasks.get(&data_id).cloned())
    else {
        return call.error(
            400,
            "InvalidParameter",
            &format!("dataId {data_id} does not exist"),
        );
    };
    if task.created.elapsed() < call.inner.config.task_delay {
        return call.ok(json!({"output": {"status": "1"}, "usage": {}}));
    }
    if let Some((code, message)) = task.failure {
        return call.ok(json!({"output": {"status": "2", "errorCode": code, "errorMessage": message}, "usage": {}}));
    }
    let inner = call.inner;
    let ttl = call.inner.config.result_url_ttl;
    let secret = &call.inner.config.credentials.access_key_secret;
    // The documented form is the string "0"; the doc's example shows the number 0 (`reference/apis.md`).
    call.ok(json!({"output": {
        "status": 0,
        "transcriptionPath": result_url(inner, "transcription", &data_id, ttl, secret),
        "customerProfilePath": result_url(inner, "customer-profile", &data_id, ttl, secret),
        "identityRecognitionPath": result_url(inner, "identity-recognition", &data_id, ttl, secret),
        "contentExtractionsPath": result_url(inner, "content-extractions", &data_id, ttl, secret),
    }, "usage": {}}))
}

fn tokens(call: &Call<'_>) -> Response<Body> {
    let seconds =
        query_param(&call.query, "expire_in_seconds").map_or(Some(60), |v| v.parse::<u64>().ok());
    let Some(seconds) = seconds.filter(|s| (1..=1800).contains(s)) else {
        return call.error(
            400,
            "InvalidParameter",
            "expire_in_seconds must be between 1 and 1800",
        );
    };
    let token = format!(
        "st-{}",
        &sha256_hex(format!("{}:{}", call.request_id, call.inner.unix_now()).as_bytes())[..32]
    );
    let expires_at = call.inner.unix_now() + seconds;
    call.inner.state.with(|s| {
        s.tokens
            .insert(token.clone(), UNIX_EPOCH + Duration::from_secs(expires_at))
    });
    json_response(
        200,
        &json!({"token": token, "expires_at": expires_at}),
        &call.request_id,
    )
}

fn storage(call: &Call<'_>, credentials: &Credentials) -> Response<Body> {
    let segments: Vec<&str> = call.path.split('/').collect();
    let (kind, data_id) = (segments[2], segments[3]);
    let expires: u64 = query_param(&call.query, "Expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let expected = &sha256_hex(
        format!(
            "{}:{kind}:{data_id}:{expires}",
            credentials.access_key_secret
        )
        .as_bytes(),
    )[..32];
    if query_param(&call.query, "Signature").as_deref() != Some(expected) {
        return call.error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    if call.inner.unix_now() >= expires {
        return call.error(403, "AccessDenied", "Request has expired.");
    }
    let Some(task) = call
        .inner
        .state
        .with(|s| s.tingwu_tasks.get(data_id).cloned())
    else {
        return call.error(404, "NoSuchKey", "The specified key does not exist.");
    };
    let extractions = services::content_extractions(&task.lines, &task.extractions);
    let document = match kind {
        "transcription" => services::transcription(&task.lines),
        "customer-profile" => services::customer_profile(&task.lines, &extractions),
        "identity-recognition" => services::identity_recognition(&task.lines, &task.identities),
        "content-extractions" => extractions,
        _ => return call.error(404, "NoSuchKey", "The specified key does not exist."),
    };
    respond(
        200,
        "application/json",
        document.to_string(),
        &call.request_id,
    )
}
