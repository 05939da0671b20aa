//! What ContactCenterAI's operations answer, derived from the request: a
//! summary built from the dialogue, keywords, ASR sentences.

use std::collections::BTreeMap;

use aliyun_ai_models_contactcenterai::analyze_conversation::AnalyzeConversationRequest;
use aliyun_ai_models_contactcenterai::create_task::CreateTaskRequest as CcaiCreateTask;
use aliyun_ai_models_contactcenterai::{ResultType, Role};
use serde_json::{Value, json};

use crate::text::*;

/// One analysed sentence: the role and the text.
pub type Turn = (String, String);

pub(crate) fn turns_of_analyze(request: &AnalyzeConversationRequest) -> Vec<Turn> {
    request
        .dialogue
        .as_ref()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| (s.role.as_str().to_owned(), s.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn turns_of_create_task(request: &CcaiCreateTask) -> Vec<Turn> {
    request
        .dialogue
        .as_ref()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| (s.role.as_str().to_owned(), s.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn said_by<'a>(turns: &'a [Turn], role: &str) -> Vec<&'a str> {
    turns
        .iter()
        .filter(|(r, _)| r == role)
        .map(|(_, t)| t.as_str())
        .collect()
}

/// The most frequent bigrams of the dialogue, as keywords.
pub(crate) fn keywords(turns: &[Turn]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, text) in turns {
        let chars: Vec<char> = text.chars().filter(|c| is_word_char(*c)).collect();
        for pair in chars.windows(2) {
            *counts.entry(pair.iter().collect()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(3).map(|(k, _)| k).collect()
}

/// The answer to one result type, built from the dialogue.
pub(crate) fn result_for(
    result_type: &str,
    turns: &[Turn],
    request: Option<&AnalyzeConversationRequest>,
) -> Value {
    let user = said_by(turns, "user");
    let agent = said_by(turns, "agent");
    let first_user = user.first().copied().unwrap_or("(无客户发言)");
    let first_agent = agent.first().copied().unwrap_or("(无客服发言)");
    match result_type {
        "summary" => json!(format!(
            "客户共发言{}次,主要诉求:{};客服共发言{}次,答复:{}",
            user.len(),
            truncate(&user.join(""), 40),
            agent.len(),
            truncate(first_agent, 40)
        )),
        "title" => json!(truncate(first_user, 20)),
        "keywords" => json!(keywords(turns)),
        "question_solution" => {
            json!({"问题": truncate(first_user, 40), "解决方案": truncate(first_agent, 40)})
        }
        "fields" => {
            let mut fields = serde_json::Map::new();
            let all: String = turns.iter().map(|(_, t)| t.as_str()).collect();
            for field in request
                .and_then(|r| r.fields.as_ref())
                .into_iter()
                .flatten()
            {
                let best = field
                    .enum_values
                    .iter()
                    .flatten()
                    .map(|e| {
                        (
                            similarity(&all, &format!("{}{}", e.enum_value, e.desc)),
                            e.enum_value.clone(),
                        )
                    })
                    .filter(|(score, _)| *score > 0)
                    .max_by_key(|(score, _)| *score)
                    .map_or_else(|| "未提及".to_owned(), |(_, value)| value);
                fields.insert(field.name.clone(), json!(best));
            }
            Value::Object(fields)
        }
        "service_inspection" => {
            let mut verdicts = serde_json::Map::new();
            let agent_text = agent.join("");
            let inspection = request.and_then(|r| r.service_inspection.as_ref());
            for content in inspection
                .map(|i| i.inspection_contents.as_slice())
                .unwrap_or_default()
            {
                let hit = similarity(&agent_text, &content.content) >= 3;
                verdicts.insert(content.title.clone(), json!(if hit { "是" } else { "否" }));
            }
            Value::Object(verdicts)
        }
        "emotion_detection" => {
            let negative = ["不满", "投诉", "生气", "差"]
                .iter()
                .any(|w| user.iter().any(|t| t.contains(w)));
            json!(if negative { "负面" } else { "中性" })
        }
        "satisfaction" => json!(if user.iter().any(|t| t.contains("谢谢")) {
            "满意"
        } else {
            "一般"
        }),
        other => json!(format!("{other}: 已分析{}句对话", turns.len())),
    }
}

/// The text of an analysis: one result as text, several as a JSON object.
pub(crate) fn analysis_text(
    result_types: &[String],
    turns: &[Turn],
    request: Option<&AnalyzeConversationRequest>,
) -> String {
    let results: Vec<(String, Value)> = result_types
        .iter()
        .map(|t| (t.clone(), result_for(t, turns, request)))
        .collect();
    match results.as_slice() {
        [(_, Value::String(text))] => text.clone(),
        _ => Value::Object(results.into_iter().collect()).to_string(),
    }
}

/// AnalyzeConversation's answer text.
pub(crate) fn analyze_conversation(request: &AnalyzeConversationRequest) -> String {
    let types: Vec<String> = request
        .result_types
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    analysis_text(&types, &turns_of_analyze(request), Some(request))
}

/// The ASR sentences of a text dialogue: 250 ms per character.
pub(crate) fn asr_result(turns: &[Turn]) -> Value {
    let mut begin = 0i64;
    let sentences: Vec<Value> = turns
        .iter()
        .map(|(role, text)| {
            let end = begin + 250 * text.chars().count() as i64;
            let (track, name) = if role == Role::Agent.as_str() { ("0", "客服") } else { ("1", "客户") };
            let sentence = json!({"begin": begin, "end": end, "role": track, "roleName": name, "words": text, "emotionValue": 5, "speechRate": 240});
            begin = end + 300;
            sentence
        })
        .collect();
    Value::Array(sentences)
}

/// The result types of a CreateTask (summary when none is given).
pub(crate) fn create_task_types(request: &CcaiCreateTask) -> Vec<String> {
    let types: Vec<String> = request
        .result_types
        .iter()
        .flatten()
        .map(|t| t.as_str().to_owned())
        .collect();
    if types.is_empty() {
        vec![ResultType::Summary.as_str().to_owned()]
    } else {
        types
    }
}
