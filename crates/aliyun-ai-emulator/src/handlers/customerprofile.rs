//! DashScope Tingwu: createTask and getTask on one URL, temporary tokens, and
//! the pre-signed, expiring result files.

mod answers;

/// DashScope's code for a `dataId` it does not hold (also its code for a
/// malformed request).
const UNKNOWN_ID: &str = "InvalidParameter";

pub(crate) use answers::transcript_lines;

use std::time::{Duration, Instant, UNIX_EPOCH};

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_models_customerprofile::create_task::CreateTaskRequest as CustomerProfileCreateTask;
use aliyun_ai_models_customerprofile::get_task::GetTaskRequest;
use http::Response;
use serde_json::{Value, json};

use super::storage::result_url;
use super::table::Emulated;
use crate::call::Call;
use crate::query::query_param;
use crate::responders::{Body, json_response, respond};
use crate::state::CustomerProfileTask;

pub(super) fn dashscope(call: &Call<'_>) -> Response<Body> {
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
        "createTask" => customer_profile_create_task(call),
        "getTask" => customer_profile_get_task(call),
        other => call.error(
            400,
            "InvalidParameter",
            &format!("input.task `{other}` is not createTask or getTask"),
        ),
    }
}

pub(super) fn customer_profile_create_task(call: &Call<'_>) -> Response<Body> {
    let request: CustomerProfileCreateTask = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return CustomerProfileApp.invalid_body(call, &error),
    };
    if let Err(error) = aliyun_ai_core::Operation::validate(&request) {
        return call.error(400, "InvalidParameter", &error.to_string());
    }
    let input = &request.input;
    let (lines, failure) = if let Some(text) = &input.text {
        (answers::transcript_lines(text), None)
    } else if let Some(data_id) = &input.data_id {
        match call.inner.state.with(|s| {
            s.customer_profile_tasks
                .get(data_id)
                .map(|t| t.lines.clone())
        }) {
            Some(lines) => (lines, None),
            None => {
                return call.error(400, UNKNOWN_ID, &format!("dataId {data_id} does not exist"));
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
        s.customer_profile_tasks.insert(
            data_id.clone(),
            CustomerProfileTask {
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

pub(super) fn customer_profile_get_task(call: &Call<'_>) -> Response<Body> {
    let request: GetTaskRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return CustomerProfileApp.invalid_body(call, &error),
    };
    let data_id = request.input.data_id;
    let Some(task) = call
        .inner
        .state
        .with(|s| s.customer_profile_tasks.get(&data_id).cloned())
    else {
        return call.error(400, UNKNOWN_ID, &format!("dataId {data_id} does not exist"));
    };
    if task.created.elapsed() < call.inner.config.task_delay {
        return call.ok(json!({"output": {"status": "1"}, "usage": {}}));
    }
    if let Some((code, message)) = task.failure {
        return call.ok(json!({"output": {"status": "2", "errorCode": code, "errorMessage": message}, "usage": {}}));
    }
    let inner = call.inner;
    // The documented form is the string "0"; the doc's example shows the number 0 (`docs/vendor/apis.md`).
    call.ok(json!({"output": {
        "status": 0,
        "transcriptionPath": result_url(inner, "transcription", &data_id),
        "customerProfilePath": result_url(inner, "customer-profile", &data_id),
        "identityRecognitionPath": result_url(inner, "identity-recognition", &data_id),
        "contentExtractionsPath": result_url(inner, "content-extractions", &data_id),
    }, "usage": {}}))
}

pub(super) fn tokens(call: &Call<'_>) -> Response<Body> {
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

/// A customer-profile result file (the URL already checked by `storage`).
pub(super) fn document(call: &Call<'_>, kind: &str, data_id: &str) -> Response<Body> {
    let Some(task) = call
        .inner
        .state
        .with(|s| s.customer_profile_tasks.get(data_id).cloned())
    else {
        return call.error(404, "NoSuchKey", "The specified key does not exist.");
    };
    let extractions = answers::content_extractions(&task.lines, &task.extractions);
    let document = match kind {
        "transcription" => answers::transcription(&task.lines),
        "customer-profile" => answers::customer_profile(&task.lines, &extractions),
        "identity-recognition" => answers::identity_recognition(&task.lines, &task.identities),
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

/// DashScope Tingwu: customer-profile tasks and their result files.
pub(super) struct CustomerProfileApp;

impl Emulated for CustomerProfileApp {
    fn key(&self) -> &'static str {
        "customerprofile"
    }

    /// DashScope checks the body's model and input first, then the task.
    fn answer(&self, call: &Call<'_>, _truncate: Option<usize>) -> Response<Body> {
        dashscope(call)
    }

    /// DashScope's `InvalidParameter` ("dataId ... does not exist"), which it
    /// also answers for a malformed request.
    fn unknown_id_code(&self) -> Option<&'static str> {
        Some(UNKNOWN_ID)
    }
}
