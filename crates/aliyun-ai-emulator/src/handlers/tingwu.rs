//! Tingwu OpenAPI 2023-09-30: offline and realtime tasks with their
//! lifecycle (`ONGOING`, then `COMPLETED` or `FAILED` with a `TSC.*` code),
//! result documents behind pre-signed expiring URLs, and vocabularies
//! (TranscriptionPhrases). What the emulator answers where the vendor's
//! sources are silent is its own choice, said at each place
//! ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §5 lists what is unconfirmed).

mod documents;
pub(super) mod meeting;

use std::time::Instant;

use aliyun_ai_auth::sign::sha256_hex;
use http::Response;
use serde_json::{Value, json};

use super::storage::result_url;
use super::table::{Emulated, ErrorAnswer, Params, from_the_table, stateless};
use crate::call::Call;
use crate::responders::{Body, json_response};
use crate::state::TingwuTask;

/// The result documents, each produced when its feature is enabled
/// (`Transcription` always): `(Data.Result key, Parameters flag)`
/// ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §2.2).
const DOCUMENTS: &[(&str, &str)] = &[
    ("Transcription", ""),
    ("Translation", "TranslationEnabled"),
    ("AutoChapters", "AutoChaptersEnabled"),
    ("MeetingAssistance", "MeetingAssistanceEnabled"),
    ("Summarization", "SummarizationEnabled"),
    ("PptExtraction", "PptExtractionEnabled"),
    ("TextPolish", "TextPolishEnabled"),
    ("ServiceInspection", "ServiceInspectionEnabled"),
    ("CustomPrompt", "CustomPromptEnabled"),
    ("ContentExtraction", "ContentExtractionEnabled"),
    ("IdentityRecognition", "IdentityRecognitionEnabled"),
];

/// The code of an id the emulator does not hold (a task to stop, a
/// vocabulary): the vendor publishes none, so this is the emulator's choice.
const UNKNOWN_ID: &str = "ResourceNotFound";

/// The most vocabularies an account holds before `PHS.Exceed` (the vendor's
/// limit is unconfirmed: the emulator's choice).
const MAX_PHRASES: usize = 10;

/// A 32-hex id, as the vendor's task and phrase ids look.
fn hex_id(call: &Call<'_>, kind: &str) -> String {
    sha256_hex(call.inner.state.next_id(kind).as_bytes())[..32].to_owned()
}

/// A request refused the way Tingwu answers a bad parameter (the exact code
/// is unconfirmed; [docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §5.1).
fn invalid(call: &Call<'_>, message: &str) -> ErrorAnswer {
    Box::new(call.error(400, "InvalidParameter", message))
}

fn create_task(call: &Call<'_>, request: &Params, mut answer: Value) -> Result<Value, ErrorAnswer> {
    let kind = request.text("type").unwrap_or_default();
    let body = &request.body;
    let input = &body["Input"];
    let text = |name: &str| input.get(name).and_then(Value::as_str).unwrap_or("");
    if request.text("operation").as_deref() == Some("stop") {
        let id = text("TaskId");
        if id.is_empty() {
            return Err(invalid(
                call,
                "Input.TaskId is required with operation=stop",
            ));
        }
        let stopped = call.inner.state.with(|s| match s.tingwu_tasks.get_mut(id) {
            Some(task) if task.realtime && task.stopped.is_none() => {
                task.stopped = Some(Instant::now());
                Ok(task.request["Input"]["TaskKey"].clone())
            }
            Some(_) => Err(false),
            None => Err(true),
        });
        let task_key = stopped.map_err(|unknown| match unknown {
            true => Box::new(call.error(404, UNKNOWN_ID, &format!("task {id} does not exist"))),
            false => invalid(call, "the task is not a running realtime meeting"),
        })?;
        answer["Data"] = json!({"TaskId": id, "TaskKey": task_key, "TaskStatus": "ONGOING"});
        return Ok(answer);
    }
    let realtime = match kind.as_str() {
        "offline" => false,
        "realtime" => true,
        _ => return Err(invalid(call, "type must be offline or realtime")),
    };
    if text("SourceLanguage").is_empty() {
        return Err(invalid(call, "Input.SourceLanguage is required"));
    }
    let mut failure = None;
    if realtime {
        if text("Format").is_empty() {
            return Err(invalid(
                call,
                "Input.Format is required for a realtime task",
            ));
        }
        let rate = input.get("SampleRate").and_then(Value::as_i64);
        if !matches!(rate, Some(8000 | 16000)) {
            return Err(invalid(call, "Input.SampleRate must be 8000 or 16000"));
        }
    } else {
        let url = text("FileUrl");
        if url.is_empty() {
            return Err(invalid(
                call,
                "Input.FileUrl is required for an offline task",
            ));
        }
        // A file the emulator treats as not audio: the task fails as the
        // service's does, with its TSC code (`docs/vendor/tingwu.md` §2.6).
        let path = url.split('?').next().unwrap_or(url).to_ascii_lowercase();
        if [".txt", ".pdf", ".doc", ".html"]
            .iter()
            .any(|e| path.ends_with(e))
        {
            failure = Some((
                "TSC.AudioFormat".to_owned(),
                "Audio format invalid.".to_owned(),
            ));
        }
    }
    let prompts = body["Parameters"]["CustomPrompt"]["Contents"].as_array();
    if prompts.is_some_and(|p| p.len() > 3) {
        return Err(invalid(call, "CustomPrompt.Contents holds at most 3 items"));
    }
    let id = hex_id(call, "tingwu-task");
    call.inner.state.with(|s| {
        s.tingwu_tasks.insert(
            id.clone(),
            TingwuTask {
                created: Instant::now(),
                realtime,
                stopped: None,
                failure,
                request: body.clone(),
                meeting_code: None,
                heard_ms: 0,
            },
        )
    });
    let mut data = json!({"TaskId": id, "TaskKey": input.get("TaskKey"), "TaskStatus": "ONGOING"});
    if realtime {
        let code = hex_id(call, "mc");
        let base = call.inner.base_url.replacen("http", "ws", 1);
        data["MeetingJoinUrl"] = json!(format!("{base}{}?mc={code}", crate::router::MEETING_PATH));
        call.inner.state.with(|s| {
            if let Some(task) = s.tingwu_tasks.get_mut(&id) {
                task.meeting_code = Some(code);
            }
        });
    }
    answer["Data"] = data;
    Ok(answer)
}

fn get_task_info(call: &Call<'_>, _: &Params, mut answer: Value) -> Result<Value, ErrorAnswer> {
    let id = call.path_param("TaskId").unwrap_or_default();
    let Some(task) = call.inner.state.with(|s| s.tingwu_tasks.get(&id).cloned()) else {
        // The metadata's `INVALID` ("invalid task"); what the service answers
        // for an id it never issued is unconfirmed (§5.1).
        answer["Data"] = json!({"TaskId": id, "TaskStatus": "INVALID"});
        return Ok(answer);
    };
    let delay = call.inner.config.task_delay;
    let finished = match (task.realtime, task.stopped) {
        (false, _) => task.created.elapsed() >= delay,
        (true, Some(stopped)) => stopped.elapsed() >= delay,
        (true, None) => false,
    };
    let task_key = task.request["Input"]["TaskKey"].clone();
    let mut data = json!({"TaskId": id, "TaskKey": task_key, "TaskStatus": "ONGOING"});
    if finished {
        if let Some((code, message)) = &task.failure {
            data["TaskStatus"] = json!("FAILED");
            data["ErrorCode"] = json!(code);
            data["ErrorMessage"] = json!(message);
        } else {
            let parameters = &task.request["Parameters"];
            let mut result = serde_json::Map::new();
            for (kind, flag) in DOCUMENTS {
                if flag.is_empty() || parameters[*flag].as_bool() == Some(true) {
                    let url = result_url(call.inner, &format!("tingwu-{kind}"), &id);
                    result.insert((*kind).to_owned(), json!(url));
                }
            }
            data["TaskStatus"] = json!("COMPLETED");
            data["Result"] = Value::Object(result);
        }
    }
    answer["Data"] = data;
    Ok(answer)
}

/// A result document of a completed task (already checked: signature and
/// expiry), wrapped `{TaskId, <Kind>}` as the service's files are (§3.0).
pub(super) fn document(call: &Call<'_>, kind: &str, task_id: &str) -> Response<Body> {
    let task = call
        .inner
        .state
        .with(|s| s.tingwu_tasks.get(task_id).cloned());
    let Some(payload) = task.and_then(|task| {
        let heard = if task.realtime {
            task.heard_ms
        } else {
            documents::WHOLE
        };
        documents::payload(kind, &task.request, heard)
    }) else {
        return call.error(404, "NoSuchKey", "The specified key does not exist.");
    };
    json_response(
        200,
        &json!({"TaskId": task_id, kind: payload}),
        &call.request_id,
    )
}

/// The phrase's fields from a Create/Update body, checked as the metadata
/// documents them (`Name` 1-50 chars, `Description` up to 250, `WordWeights`
/// a JSON object in a string).
fn phrase_fields(call: &Call<'_>, body: &Value) -> Result<Value, ErrorAnswer> {
    let name = body["Name"].as_str().unwrap_or("");
    let description = body["Description"].as_str().unwrap_or("");
    let weights = body["WordWeights"].as_str().unwrap_or("");
    if name.is_empty() || name.chars().count() > 50 {
        return Err(invalid(call, "Name must be 1 to 50 characters"));
    }
    if description.chars().count() > 250 {
        return Err(invalid(call, "Description must be at most 250 characters"));
    }
    if !serde_json::from_str::<Value>(weights).is_ok_and(|w| w.is_object()) {
        return Err(invalid(
            call,
            "WordWeights must be a JSON object in a string",
        ));
    }
    Ok(json!({"Name": name, "Description": description, "WordWeights": weights}))
}

fn phrases(call: &Call<'_>, request: &Params, mut answer: Value) -> Result<Value, ErrorAnswer> {
    let id = call.path_param("PhraseId").unwrap_or_default();
    let ok = json!({"Status": "SUCCEEDED", "ErrorCode": "0", "ErrorMessage": "success"});
    let missing = || -> ErrorAnswer {
        Box::new(call.error(404, UNKNOWN_ID, &format!("phrase {id} does not exist")))
    };
    match call.action.as_str() {
        "CreateTranscriptionPhrases" => {
            let mut phrase = phrase_fields(call, &request.body)?;
            if call.inner.state.with(|s| s.phrases.len()) >= MAX_PHRASES {
                return Err(Box::new(call.error(
                    400,
                    "PHS.Exceed",
                    "The num of the phrase exceeds the upper limit.",
                )));
            }
            let id = hex_id(call, "phrase");
            phrase["PhraseId"] = json!(id);
            call.inner
                .state
                .with(|s| s.phrases.insert(id.clone(), phrase));
            answer["Data"] = ok;
            answer["Data"]["PhraseId"] = json!(id);
        }
        "UpdateTranscriptionPhrases" => {
            let mut phrase = phrase_fields(call, &request.body)?;
            phrase["PhraseId"] = json!(id);
            let found = call
                .inner
                .state
                .with(|s| s.phrases.get_mut(&id).map(|p| *p = phrase));
            found.ok_or_else(missing)?;
            answer["Data"] = ok;
        }
        "GetTranscriptionPhrases" => {
            let phrase = call.inner.state.with(|s| s.phrases.get(&id).cloned());
            answer["Data"] = ok;
            answer["Data"]["Phrases"] = json!([phrase.ok_or_else(missing)?]);
        }
        "DeleteTranscriptionPhrases" => {
            call.inner
                .state
                .with(|s| s.phrases.remove(&id))
                .ok_or_else(missing)?;
            // The metadata puts the outcome both at the top and in `Data` (§1.1).
            answer = json!({"RequestId": "", "Code": "0", "Message": "success",
                "Status": "SUCCEEDED", "ErrorCode": "0", "ErrorMessage": "success", "Data": ok});
        }
        _ => {
            // ListTranscriptionPhrases: every list, without its words.
            let listed: Vec<Value> = call.inner.state.with(|s| {
                s.phrases
                    .values()
                    .map(|p| json!({"PhraseId": p["PhraseId"], "Name": p["Name"], "Description": p["Description"]}))
                    .collect()
            });
            answer["Data"] = ok;
            answer["Data"]["Phrases"] = json!(listed);
        }
    }
    Ok(answer)
}

/// Tingwu: tasks with a lifecycle, result documents and vocabularies.
pub(super) struct Tingwu;

impl Emulated for Tingwu {
    fn key(&self) -> &'static str {
        "tingwu"
    }

    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        match call.action.as_str() {
            "CreateTask" => from_the_table(self, call, truncate, create_task),
            "GetTaskInfo" => from_the_table(self, call, truncate, get_task_info),
            action if action.ends_with("TranscriptionPhrases") => {
                from_the_table(self, call, truncate, phrases)
            }
            _ => from_the_table(self, call, truncate, stateless),
        }
    }

    fn unknown_id_code(&self) -> Option<&'static str> {
        Some(UNKNOWN_ID)
    }
}
