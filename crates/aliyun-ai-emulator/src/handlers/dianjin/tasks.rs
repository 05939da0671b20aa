//! DianJin's asynchronous tasks, each with a lifecycle: created, `running`
//! until the configured task delay has passed, then `success` (or `evict`
//! once evicted; rebuilt tasks start again). Summaries (documents, annual,
//! financial report), PDF translation, quality checks and dialog analyses.
//!
//! Answers start from the table examples and are rewritten from the state;
//! an unknown id answers `success: false` with `ResourceNotFound`.

use std::time::Instant;

use serde_json::{Value, json};

use super::library::not_found;
use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};
use crate::state::DianJinTask;

const CREATES: &[(&str, &str)] = &[
    ("CreateDocsSummaryTask", "summary"),
    ("CreateAnnualDocSummaryTask", "summary"),
    ("CreateFinReportSummaryTask", "summary"),
    ("CreatePdfTranslateTask", "pdf"),
    ("CreateQualityCheckTask", "quality"),
    ("CreateDialogAnalysisTask", "dialog"),
];

const READS: &[&str] = &[
    "GetTaskStatus",
    "GetSummaryTaskResult",
    "GetTaskResult",
    "GetQualityCheckTaskResult",
    "GetDialogAnalysisResult",
    "EvictTask",
    "RebuildTask",
];

pub(super) fn handles(action: &str) -> bool {
    CREATES.iter().any(|(a, _)| *a == action) || READS.contains(&action)
}

/// A task's status as GetTaskStatus spells it.
fn status(call: &Call<'_>, task: &DianJinTask) -> &'static str {
    if task.evicted {
        "evict"
    } else if task.started.elapsed() < call.inner.config.task_delay {
        "running"
    } else {
        "success"
    }
}

fn find(call: &Call<'_>, id: &str) -> Option<DianJinTask> {
    call.inner.state.with(|s| s.dianjin_tasks.get(id).cloned())
}

fn create(call: &Call<'_>, kind: &'static str, request: Value) -> String {
    // Numeric ids, as the vendor's examples show (`17071319`).
    let id = format!(
        "{}",
        1_700_000_000u64 + call.inner.state.with(|s| s.dianjin_tasks.len() as u64 + 1)
    );
    call.inner.state.with(|s| {
        s.dianjin_tasks.insert(
            id.clone(),
            DianJinTask {
                kind,
                started: Instant::now(),
                evicted: false,
                request,
            },
        )
    });
    id
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    if let Some((_, kind)) = CREATES.iter().find(|(a, _)| *a == call.action) {
        let body = request.body.clone();
        match *kind {
            "quality" => answer["data"] = json!({"taskId": create(call, kind, body)}),
            "dialog" => {
                // One session (and task) per conversation.
                let count = request
                    .body("conversationList")
                    .and_then(Value::as_array)
                    .map_or(1, Vec::len);
                let ids: Vec<String> = (0..count)
                    .map(|index| {
                        let conversation = body["conversationList"][index].clone();
                        create(call, kind, conversation)
                    })
                    .collect();
                answer["data"] = json!(ids);
            }
            _ => answer["data"] = json!(create(call, kind, body)),
        }
        return Ok(answer);
    }
    if call.action == "GetDialogAnalysisResult" {
        let mut items = Vec::new();
        for id in request.list("sessionIds") {
            let Some(task) = find(call, &id).filter(|t| t.kind == "dialog") else {
                return Err(not_found(call, "dialog analysis session", &id));
            };
            let done = status(call, &task) == "success";
            let mut item = answer["data"]["dialogAnalysisRespList"][0].clone();
            item["sessionId"] = json!(id);
            item["status"] = json!(if done { "success" } else { "running" });
            if !done {
                item["analysisResp"] = Value::Null;
            } else if let Some(resp) = item.get_mut("analysisResp").and_then(Value::as_object_mut) {
                let turns = task.request["dialogueList"].as_array().map_or(0, Vec::len);
                resp.insert(
                    "dialogSummary".into(),
                    json!(format!("会话共 {turns} 轮 (emulator summary)")),
                );
            }
            items.push(item);
        }
        answer["data"]["dialogAnalysisRespList"] = json!(items);
        return Ok(answer);
    }
    if call.action == "RebuildTask" {
        let ids = request.list("taskIds");
        for id in &ids {
            if find(call, id).is_none() {
                return Err(not_found(call, "task", id));
            }
        }
        call.inner.state.with(|s| {
            for id in &ids {
                if let Some(task) = s.dianjin_tasks.get_mut(id) {
                    task.started = Instant::now();
                    task.evicted = false;
                }
            }
        });
        return Ok(answer);
    }
    let id = request.text("taskId").unwrap_or_default();
    let Some(task) = find(call, &id) else {
        return Err(not_found(call, "task", &id));
    };
    let state = status(call, &task);
    match call.action.as_str() {
        "GetTaskStatus" => answer["data"] = json!(state),
        "EvictTask" => {
            call.inner.state.with(|s| {
                if let Some(task) = s.dianjin_tasks.get_mut(&id) {
                    task.evicted = true;
                }
            });
            answer["data"] = json!(id);
        }
        "GetSummaryTaskResult" | "GetTaskResult" if state != "success" => {
            return Err(Box::new(call.ok(json!({
                "success": false,
                "errCode": "TaskNotFinished",
                "message": format!("task `{id}` is {state}"),
                "data": null,
            }))));
        }
        "GetSummaryTaskResult" => {
            let documents = task.request["docInfos"].as_array().map_or(1, Vec::len);
            let instruction = task.request["instruction"].as_str().unwrap_or("总结");
            let content = format!("### 总结 ({documents} 份文档)\n{instruction}");
            if let Some(choice) = answer["data"]["choices"].get_mut(0) {
                choice["message"]["content"] = json!(content);
                choice["finishReason"] = json!("stop");
            }
        }
        "GetTaskResult" => {
            answer["data"] = json!({
                "file_url": format!("http://{}/oss/translated/{id}.pdf", call.host),
            });
        }
        "GetQualityCheckTaskResult" => {
            if let Some(data) = answer.get_mut("data").and_then(Value::as_object_mut) {
                let status = match state {
                    "success" => "COMPLETED",
                    "evict" => "CANCELLED",
                    _ => "PROCESSING",
                };
                data.insert("status".into(), json!(status));
                data.insert(
                    "conversationList".into(),
                    task.request["conversationList"].clone(),
                );
                if status != "COMPLETED" {
                    data.insert("qualityCheckList".into(), json!([]));
                }
            }
        }
        _ => {}
    }
    Ok(answer)
}
