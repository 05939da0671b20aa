//! Plays a table answer as the service streams it: the steps first, then
//! the answer's text in pieces (each event carrying its new piece, the text
//! so far, or both, as the table's `events:` mark declares), the last event
//! alone marked last; or, for a stream of snapshots, the answer with a
//! pending status until the last event (docs/EMULATOR.md, "Streams").

use aliyun_ai_core::server::EventShape;
use serde_json::Value;

use crate::json_path::{get, set};

/// How many pieces the answer's text arrives in (fewer for a short text).
const PIECES: usize = 6;

/// How many pending snapshots come before the finished one.
const PENDING_SNAPSHOTS: usize = 2;

/// The events of `answer`, played as `shape` declares.
pub(crate) fn events(answer: &Value, shape: &EventShape) -> Vec<Value> {
    if let Some((path, pending)) = shape.snapshots {
        let mut waiting = answer.clone();
        set(&mut waiting, path, Value::String(pending.to_owned()));
        unmark(&mut waiting, shape.last);
        let mut events = vec![waiting; PENDING_SNAPSHOTS];
        events.push(answer.clone());
        return events;
    }
    let text = [shape.whole, shape.cumulative, shape.increment]
        .into_iter()
        .flatten()
        .find_map(|path| get(answer, path).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    let mut base = answer.clone();
    for path in [shape.increment, shape.cumulative].into_iter().flatten() {
        set(&mut base, path, Value::Null);
    }
    unmark(&mut base, shape.last);
    let mut events = Vec::new();
    if let Some(steps) = shape.steps {
        for kind in steps.kinds {
            let mut step = base.clone();
            set(&mut step, steps.field, Value::String((*kind).to_owned()));
            events.push(step);
        }
        set(
            &mut base,
            steps.field,
            Value::String(steps.answer.to_owned()),
        );
    }
    let so_far = crate::text::cumulative_parts(&text, PIECES);
    let mut previous = "";
    for whole in &so_far {
        let mut event = base.clone();
        if let Some(path) = shape.increment {
            let piece = whole.strip_prefix(previous).unwrap_or(whole);
            set(&mut event, path, Value::String(piece.to_owned()));
        }
        if let Some(path) = shape.cumulative {
            set(&mut event, path, Value::String(whole.clone()));
        }
        previous = whole;
        events.push(event);
    }
    // The last event keeps the answer's own "last" mark (`stop`, `true`).
    let last_mark = shape.last.and_then(|path| get(answer, path)).cloned();
    if let (Some(event), Some(path)) = (events.last_mut(), shape.last) {
        set(event, path, last_mark.unwrap_or(Value::Bool(true)));
    }
    events
}

/// Clears the "last" mark of an event that is not the last: `false` where
/// the answer has a boolean, `null` otherwise.
fn unmark(event: &mut Value, last: Option<&str>) {
    let Some(path) = last else { return };
    let cleared = match get(event, path) {
        Some(Value::Bool(_)) => Value::Bool(false),
        _ => Value::Null,
    };
    set(event, path, cleared);
}

#[cfg(test)]
mod tests {
    use aliyun_ai_core::server::{EventShape, EventSteps};
    use serde_json::json;

    use super::events;

    const NONE: EventShape = EventShape {
        increment: None,
        cumulative: None,
        steps: None,
        snapshots: None,
        last: None,
        whole: None,
    };

    #[test]
    fn increments_and_cumulative_text_grow_to_the_answer() {
        let answer = json!({"data": {"message": "是的，有效期不得低于三年。", "text": "是的，有效期不得低于三年。", "finish": true}, "dataType": "message"});
        let shape = EventShape {
            increment: Some("data.message"),
            cumulative: Some("data.text"),
            last: Some("data.finish"),
            steps: Some(EventSteps {
                field: "dataType",
                kinds: &["copilotStep", "queryResult"],
                answer: "message",
            }),
            ..NONE
        };
        let events = events(&answer, &shape);
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| e["dataType"].as_str().unwrap())
            .collect();
        assert_eq!(&kinds[..3], ["copilotStep", "queryResult", "message"]);
        assert!(events[..2].iter().all(|e| e["data"]["message"].is_null()));
        let answer_events = &events[2..];
        assert!(answer_events.len() > 2);
        let joined: String = answer_events
            .iter()
            .map(|e| e["data"]["message"].as_str().unwrap())
            .collect();
        assert_eq!(joined, "是的，有效期不得低于三年。");
        assert_eq!(answer_events.last().unwrap()["data"]["text"], json!(joined));
        let finals: Vec<bool> = events
            .iter()
            .map(|e| e["data"]["finish"] == json!(true))
            .collect();
        assert_eq!(finals.iter().filter(|f| **f).count(), 1);
        assert!(finals.last().copied().unwrap());
    }

    #[test]
    fn a_path_through_an_array_reaches_its_first_item() {
        let answer = json!({"choices": [{"delta": {"selfDirectedScriptFullContent": "一二三四五六七"}, "finishReason": "stop"}]});
        let shape = EventShape {
            increment: Some("choices[].delta.selfDirectedScript"),
            cumulative: Some("choices[].delta.selfDirectedScriptFullContent"),
            last: Some("choices[].finishReason"),
            ..NONE
        };
        let events = events(&answer, &shape);
        assert_eq!(events.len(), 6);
        assert!(
            events[..5]
                .iter()
                .all(|e| e["choices"][0]["finishReason"].is_null())
        );
        assert_eq!(events[5]["choices"][0]["finishReason"], "stop");
        let pieces: String = events
            .iter()
            .map(|e| {
                e["choices"][0]["delta"]["selfDirectedScript"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(pieces, "一二三四五六七");
    }

    #[test]
    fn snapshots_are_pending_until_the_last() {
        let answer = json!({"data": {"list": [{"status": "success", "labels": ["a"]}]}});
        let shape = EventShape {
            snapshots: Some(("data.list[].status", "pending")),
            ..NONE
        };
        let events = events(&answer, &shape);
        let statuses: Vec<&str> = events
            .iter()
            .map(|e| e["data"]["list"][0]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["pending", "pending", "success"]);
        assert_eq!(events[2], answer);
    }

    #[test]
    fn an_answer_without_text_is_one_event() {
        let answer = json!({"text": null, "finishReason": "stop"});
        let shape = EventShape {
            cumulative: Some("text"),
            last: Some("finishReason"),
            ..NONE
        };
        let events = events(&answer, &shape);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["finishReason"], "stop");
    }
}
