//! DianJin's media tasks, the operations its current SDK adds beside the
//! metadata ([docs/apis/dianjin/CreateImageDetectionTask.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/apis/dianjin/CreateImageDetectionTask.md)
//! and its three siblings): an image detection, then a video created from an image that
//! passed it. The SDK lists no status values; the emulator's are `RUNNING`
//! until the configured task delay has passed, then `SUCCESS`, or `FAILED`.
//!
//! The emulator's rules (its own choice, documented in EMULATOR.md): an
//! image whose `fileUrl` or `fileInfo.fileName` ends in `.txt` or `.pdf` is
//! no image, and its detection fails with conclusion `FAIL`; a video needs a
//! detection that exists (else `ResourceNotFound`) and it fails, with a
//! `statusReason`, when that detection did not pass.

use std::time::Instant;

use serde_json::{Value, json};

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};
use crate::state::MediaTask;

const ACTIONS: &[&str] = &[
    "CreateImageDetectionTask",
    "GetImageDetectionTaskResult",
    "CreateVideoCreationTask",
    "GetVideoCreationTaskResult",
];

pub(super) fn handles(action: &str) -> bool {
    ACTIONS.contains(&action)
}

/// A failure in the envelope of these operations (`code`, not `errCode`).
pub(super) fn failure(call: &Call<'_>, code: &str, message: &str) -> ErrorAnswer {
    Box::new(call.ok(json!({
        "success": false,
        "code": code,
        "message": message,
        "retryAble": false,
        "data": null,
    })))
}

/// `RUNNING`, then `SUCCESS` or `FAILED`.
fn status(call: &Call<'_>, task: &MediaTask) -> &'static str {
    if task.started.elapsed() < call.inner.config.task_delay {
        "RUNNING"
    } else if task.failure.is_some() {
        "FAILED"
    } else {
        "SUCCESS"
    }
}

fn is_image(body: &Value) -> bool {
    let name = body["fileUrl"]
        .as_str()
        .or_else(|| body["fileInfo"]["fileName"].as_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let path = name.split('?').next().unwrap_or_default();
    !(path.ends_with(".txt") || path.ends_with(".pdf"))
}

fn find(call: &Call<'_>, kind: &str, id: &str) -> Result<MediaTask, ErrorAnswer> {
    call.inner
        .state
        .with(|s| s.media_tasks.get(id).filter(|t| t.kind == kind).cloned())
        .ok_or_else(|| {
            failure(
                call,
                super::UNKNOWN_ID,
                &format!("{kind} task `{id}` does not exist"),
            )
        })
}

fn create(call: &Call<'_>, kind: &'static str, request: &Value, failure: Option<String>) -> String {
    let id = format!("{kind}-task-{}", call.inner.state.next_id(kind));
    let task = MediaTask {
        kind,
        started: Instant::now(),
        request: request.clone(),
        failure,
    };
    call.inner
        .state
        .with(|s| s.media_tasks.insert(id.clone(), task));
    id
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    let body = &request.body;
    let data = &mut answer["data"];
    match call.action.as_str() {
        "CreateImageDetectionTask" => {
            let failed = (!is_image(body)).then(|| "the file is not an image".to_owned());
            data["taskId"] = json!(create(call, "image", body, failed));
            data["requestId"] = body["requestId"].clone();
            data["fileInfo"] = body["fileInfo"].clone();
        }
        "GetImageDetectionTaskResult" => {
            let id = request.text("taskId").unwrap_or_default();
            let task = find(call, "image", &id)?;
            let state = status(call, &task);
            data["taskId"] = json!(id);
            data["taskStatus"] = json!(state);
            data["fileInfo"] = task.request["fileInfo"].clone();
            match state {
                "SUCCESS" => data["detectionConclusion"] = json!("PASS"),
                "FAILED" => {
                    data["detectionConclusion"] = json!("FAIL");
                    data["detectionResult"] = json!({
                        "description": task.failure,
                        "detectionDetails": [{"code": "NOT_AN_IMAGE", "confidence": 1.0, "pass": false,
                            "reason": task.failure}],
                        "suggestions": ["上传 JPG 或 PNG 图片"],
                    });
                }
                _ => {
                    data["detectionConclusion"] = Value::Null;
                    data["detectionResult"] = Value::Null;
                }
            }
        }
        "CreateVideoCreationTask" => {
            let detection_id = request.text("imageDetectionTaskId").unwrap_or_default();
            let detection = find(call, "image", &detection_id)?;
            let failed = (status(call, &detection) != "SUCCESS")
                .then(|| format!("image detection `{detection_id}` did not pass"));
            let delay = call.inner.config.task_delay.as_secs();
            data["taskId"] = json!(create(call, "video", body, failed));
            data["requestId"] = body["requestId"].clone();
            data["estimatedWaitTimeInSeconds"] = json!(delay);
        }
        "GetVideoCreationTaskResult" => {
            let id = request.text("taskId").unwrap_or_default();
            let task = find(call, "video", &id)?;
            let state = status(call, &task);
            let detection_id = task.request["imageDetectionTaskId"]
                .as_str()
                .unwrap_or_default();
            data["taskId"] = json!(id);
            data["taskStatus"] = json!(state);
            data["fileInfo"] = task.request["fileInfo"].clone();
            data["mediaDetectionTaskResult"]["taskId"] = json!(detection_id);
            data["statusReason"] = json!(task.failure.clone().filter(|_| state == "FAILED"));
            if state == "SUCCESS" {
                data["estimatedWaitTimeInSeconds"] = json!(0);
                data["videoUrl"] = json!(format!("{}/oss/videos/{id}.mp4", call.inner.base_url));
            } else {
                data["videoUrl"] = Value::Null;
                data["finishTime"] = Value::Null;
            }
        }
        _ => {}
    }
    Ok(answer)
}
