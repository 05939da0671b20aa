//! The DianJin answers that answer a question (RunLibraryChatGeneration,
//! RunChatResultGeneration, RunAgent, RealTimeDialog): the table's answer
//! text, prefixed with the question the request asked, so that a test can
//! see its own request in the answer (streamed or not). The wording is the
//! emulator's.

use serde_json::Value;

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};
use crate::json_path::{get, set};

/// For each action: where the request holds the question (the last item of
/// an array of turns, or a string), and where the answer holds its text.
const QUESTIONS: &[(&str, Question, &[&str])] = &[
    (
        "RunLibraryChatGeneration",
        Question::Field("query"),
        &["data.text", "data.message"],
    ),
    (
        "RunChatResultGeneration",
        Question::LastTurn("messages"),
        &["choices[].message.content"],
    ),
    (
        "RunAgent",
        Question::Field("userContent"),
        &["data.response.choices[].message.content"],
    ),
    (
        "RealTimeDialog",
        Question::LastTurn("conversationModel"),
        &[
            "choices[].message.selfDirectedScriptFullContent",
            "choices[].delta.selfDirectedScriptFullContent",
        ],
    ),
];

enum Question {
    /// A string of the body.
    Field(&'static str),
    /// The `content` of the last item of an array of the body.
    LastTurn(&'static str),
}

pub(super) fn handles(action: &str) -> bool {
    QUESTIONS.iter().any(|(name, _, _)| *name == action)
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    let Some((_, question, paths)) = QUESTIONS.iter().find(|(name, _, _)| *name == call.action)
    else {
        return Ok(answer);
    };
    let asked = match question {
        Question::Field(name) => request.text(name),
        Question::LastTurn(name) => request
            .body(name)
            .and_then(Value::as_array)
            .and_then(|turns| turns.last())
            .and_then(|turn| turn.get("content"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    let Some(asked) = asked.filter(|a| !a.is_empty()) else {
        return Ok(answer);
    };
    for path in *paths {
        let text = get(&answer, path)
            .and_then(Value::as_str)
            .unwrap_or_default();
        let text = format!("关于「{asked}」：{text}");
        set(&mut answer, path, Value::String(text));
    }
    Ok(answer)
}
