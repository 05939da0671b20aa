//! DianJin's report tasks (`/{workspaceId}/api/firefly/v1/{sceneCode}/
//! {fundProduct}/tasks/{outRequestNo}`): GetReportTaskStatus,
//! GetReportResponse and RetryReportTask, from the vendor's current SDK.
//! No operation of the SDK creates a report task (the partner's flow does),
//! so the emulator registers one the first time its `outRequestNo` is asked
//! about (its own choice): `PROCESSING` until the task delay has passed,
//! then `SUCCESS`, or `FAILED` with `errorCode` `REPORT_FAILED` when the
//! `outRequestNo` starts with `FAIL`. A retry of a failed task starts it
//! again, and it then succeeds; a retry of any other is refused
//! (`retryAvailable: false`). Asking for the report of an unfinished task
//! answers `errorCode` `REPORT_NOT_READY`.

use std::time::Instant;

use serde_json::{Value, json};

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};
use crate::state::ReportTask;

const ACTIONS: &[&str] = &[
    "GetReportTaskStatus",
    "GetReportResponse",
    "RetryReportTask",
];

pub(super) fn handles(action: &str) -> bool {
    ACTIONS.contains(&action)
}

fn status(call: &Call<'_>, task: &ReportTask) -> &'static str {
    if task.started.elapsed() < call.inner.config.task_delay {
        "PROCESSING"
    } else if task.fails {
        "FAILED"
    } else {
        "SUCCESS"
    }
}

pub(super) fn answer(call: &Call<'_>, _: &Params, mut answer: Value) -> Result<Value, ErrorAnswer> {
    let param = |name: &str| call.path_param(name).unwrap_or_default();
    let out_request_no = param("outRequestNo");
    let key = format!(
        "{}/{}/{}/{out_request_no}",
        param("workspaceId"),
        param("sceneCode"),
        param("fundProduct")
    );
    let task = call.inner.state.with(|s| {
        s.report_tasks
            .entry(key.clone())
            .or_insert_with(|| ReportTask {
                started: Instant::now(),
                fails: out_request_no.starts_with("FAIL"),
                retries: 0,
                created: call.inner.now(),
            })
            .clone()
    });
    let mut state = status(call, &task);
    answer["outRequestNo"] = json!(out_request_no);
    answer["errorCode"] = json!("");
    answer["errorMessage"] = json!("");
    match call.action.as_str() {
        "RetryReportTask" if state == "FAILED" => {
            let retries = call.inner.state.with(|s| {
                let task = s.report_tasks.get_mut(&key)?;
                task.started = Instant::now();
                task.fails = false;
                task.retries += 1;
                Some(task.retries)
            });
            state = "PROCESSING";
            answer["retryAvailable"] = json!(true);
            answer["retryCount"] = json!(retries.unwrap_or(1));
        }
        "RetryReportTask" => {
            answer["retryAvailable"] = json!(false);
            answer["retryCount"] = json!(task.retries);
            answer["errorCode"] = json!("RETRY_NOT_AVAILABLE");
            answer["errorMessage"] = json!(format!("the task is {state}, not FAILED"));
        }
        "GetReportResponse" if state == "SUCCESS" => {
            answer["reportUrl"] = json!(format!(
                "{}/oss/reports/{out_request_no}.pdf",
                call.inner.base_url
            ));
        }
        "GetReportResponse" => {
            answer["reportUrl"] = Value::Null;
            answer["errorCode"] = json!("REPORT_NOT_READY");
            answer["errorMessage"] = json!(format!("the task is {state}"));
        }
        _ => {
            let created = aliyun_ai_auth::time::format_iso8601(task.created);
            answer["gmtCreate"] = json!(created);
            answer["gmtModified"] = json!(aliyun_ai_auth::time::format_iso8601(call.inner.now()));
        }
    }
    if state == "FAILED" && call.action != "RetryReportTask" {
        answer["errorCode"] = json!("REPORT_FAILED");
        answer["errorMessage"] =
            json!("the report could not be made (emulator: outRequestNo starts with FAIL)");
    }
    if call.action != "GetReportResponse" {
        answer["taskStatus"] = json!(state);
    }
    Ok(answer)
}
