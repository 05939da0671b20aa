//! ContactCenterAI: AnalyzeConversation (JSON or SSE), CreateTask and
//! GetTaskResult over an in-memory task store.

mod answers;

/// CCAI's code for an id it does not hold (its metadata's error codes): what
/// the task and vocabulary handlers answer, and what the registry reports.
const UNKNOWN_ID: &str = "CCAI.InvalidParam.NotExist";

mod vocabulary;

use std::time::Instant;

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_models_contactcenterai::analyze_conversation::AnalyzeConversationRequest;
use aliyun_ai_models_contactcenterai::create_task::{
    CreateTaskRequest as CcaiCreateTask, TaskType,
};
use aliyun_ai_models_contactcenterai::get_task_result::RequiredField;
use http::Response;

use serde_json::{Value, json};

use super::table::{Emulated, from_the_table, stateless};
use crate::call::Call;
use crate::query::{query_param, query_values};
use crate::responders::{Body, json_response};
use crate::state::CcaiTask;

pub(super) fn analyze_conversation(call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
    let request: AnalyzeConversationRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return ContactCenterAi.invalid_body(call, &error),
    };
    if request.result_types.is_empty() {
        return call.error(
            400,
            "CCAI.InvalidParam.NotExist",
            "The specified parameter resultTypes is not valid.",
        );
    }
    let text = answers::analyze_conversation(&request);
    let input = request.dialogue.as_ref().map_or(0, |d| {
        d.sentences
            .iter()
            .map(|s| crate::text::tokens(&s.text))
            .sum()
    });
    let output = crate::text::tokens(&text);
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
    if request.stream != Some(true) {
        return json_response(200, &event(&text, true), &call.request_id);
    }
    // Cumulative text in several events, the last saying `stop`.
    let parts = crate::text::cumulative_parts(&text, 4);
    let count = parts.len();
    let events = parts
        .iter()
        .enumerate()
        .map(|(index, part)| event(part, index + 1 == count))
        .collect();
    call.sse(events, truncate)
}

pub(super) fn create_task(call: &Call<'_>) -> Response<Body> {
    let request: CcaiCreateTask = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return ContactCenterAi.invalid_body(call, &error),
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

pub(super) fn get_task_result(call: &Call<'_>) -> Response<Body> {
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
            UNKNOWN_ID,
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
    let turns = answers::turns_of_create_task(&request);
    let text = answers::analysis_text(&answers::create_task_types(&request), &turns, None);
    let mut data = json!({"taskId": task_id, "taskStatus": "FINISH", "text": text,
        "extra": json!({"roleConfig": {"role1Name": "客户", "role2Name": "客服"}}).to_string()});
    if wants_asr {
        data["asrResult"] = answers::asr_result(&turns);
    }
    call.ok(json!({"data": data, "success": "True"}))
}

/// ContactCenterAI: analysis from the dialogue, task lifecycles, vocabularies.
pub(super) struct ContactCenterAi;

impl Emulated for ContactCenterAi {
    fn key(&self) -> &'static str {
        "contactcenterai"
    }

    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        match call.action.as_str() {
            "AnalyzeConversation" => analyze_conversation(call, truncate),
            "CreateTask" => create_task(call),
            "GetTaskResult" => get_task_result(call),
            action if vocabulary::handles(action) => {
                from_the_table(self, call, truncate, vocabulary::answer)
            }
            _ => from_the_table(self, call, truncate, stateless),
        }
    }

    /// CCAI's metadata lists its own 403 for a missing parameter.
    fn missing_parameter(&self, call: &Call<'_>, _field: &str, message: &str) -> Response<Body> {
        call.error(
            403,
            "CCAI.ParamNotfound.MissParam",
            &format!("Parameter verification failed, {message}"),
        )
    }

    /// CCAI's own code (its metadata's error codes).
    fn unknown_id_code(&self) -> Option<&'static str> {
        Some(UNKNOWN_ID)
    }
}
