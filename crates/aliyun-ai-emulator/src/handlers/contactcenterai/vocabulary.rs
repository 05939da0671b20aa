//! ContactCenterAI vocabularies (hot words for speech recognition), kept in
//! memory: create, get, list, update, delete. An unknown `vocabularyId`
//! answers CCAI's `CCAI.InvalidParam.NotExist` (HTTP 400, its metadata's code).

use serde_json::{Value, json};

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};

const ACTIONS: &[&str] = &[
    "CreateVocab",
    "GetVocab",
    "ListVocab",
    "UpdateVocab",
    "DeleteVocab",
];

pub(super) fn handles(action: &str) -> bool {
    ACTIONS.contains(&action)
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    let state = &call.inner.state;
    let workspace = request.text("workspaceId").unwrap_or_default();
    if call.action == "CreateVocab" {
        let id = state.next_id("vocab");
        let vocabulary = json!({
            "vocabularyId": id,
            "workspaceId": workspace,
            "name": request.text("name"),
            "description": request.text("description"),
            "audioModelCode": request.text("audioModelCode"),
            "wordWeightList": request.body("wordWeightList").cloned().unwrap_or(json!([])),
        });
        state.with(|s| s.vocabularies.insert(id.clone(), vocabulary));
        answer["data"] = json!({"vocabularyId": id});
        return Ok(answer);
    }
    if call.action == "ListVocab" {
        let list: Vec<Value> = state.with(|s| {
            s.vocabularies
                .values()
                .filter(|v| v["workspaceId"] == json!(workspace))
                .map(view)
                .collect()
        });
        answer["data"] = json!(list);
        return Ok(answer);
    }
    let id = request.text("vocabularyId").unwrap_or_default();
    let known = state.with(|s| {
        s.vocabularies
            .get(&id)
            .is_some_and(|v| v["workspaceId"] == json!(workspace))
    });
    if !known {
        return Err(Box::new(call.error(
            400,
            super::UNKNOWN_ID,
            &format!("The specified parameter vocabularyId {id} is not valid."),
        )));
    }
    match call.action.as_str() {
        "GetVocab" => answer["data"] = state.with(|s| view(&s.vocabularies[&id])),
        "UpdateVocab" => {
            state.with(|s| {
                if let Some(vocabulary) = s.vocabularies.get_mut(&id) {
                    for key in ["name", "description", "wordWeightList"] {
                        if let Some(value) = request.body(key) {
                            vocabulary[key] = value.clone();
                        }
                    }
                }
            });
            answer["data"] = json!("true");
        }
        "DeleteVocab" => {
            state.with(|s| s.vocabularies.remove(&id));
            answer["data"] = json!("true");
        }
        _ => {}
    }
    Ok(answer)
}

/// A vocabulary as GetVocab answers it (without the workspace).
fn view(vocabulary: &Value) -> Value {
    let mut view = vocabulary.clone();
    if let Some(map) = view.as_object_mut() {
        map.remove("workspaceId");
    }
    view
}
