//! What each Tingwu result document holds, in the shapes of
//! [docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §3 (PascalCase). The emulator hears no audio: every
//! task's transcript is the same short meeting (the emulator's choice), and
//! every other document is derived from it and from the task's `Parameters`
//! (the names, titles and identities the request asked for). A live
//! meeting's transcript and translation hold only what its audio stream
//! reached ([`spoken`], shared with the stream's own sentences).

use serde_json::{Value, json};

/// `(speaker, start ms, end ms, sentence)`: the meeting every task "heard".
const MEETING: &[(&str, u64, u64, &str)] = &[
    ("1", 120, 2900, "大家早，我们开始周会。"),
    ("2", 3100, 6400, "预算执行在计划之内。"),
    ("1", 6600, 9800, "李雷周五前发出方案草稿。"),
    ("2", 10000, 12800, "好的，没有问题。"),
];

/// A sentence of the meeting as far as it was heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spoken {
    pub speaker: &'static str,
    pub start: u64,
    pub end: u64,
    pub text: String,
}

/// The meeting's sentences heard in the first `until` ms of audio: those
/// begun, the last one cut where the audio stops (its characters in
/// proportion to its time heard, at least one).
pub(super) fn spoken(until: u64) -> Vec<Spoken> {
    MEETING
        .iter()
        .filter(|(_, start, _, _)| *start < until)
        .map(|&(speaker, start, end, text)| {
            if end <= until {
                return Spoken {
                    speaker,
                    start,
                    end,
                    text: text.to_owned(),
                };
            }
            let total = text.chars().count() as u64;
            let heard = (total * (until - start))
                .div_ceil(end - start)
                .clamp(1, total);
            Spoken {
                speaker,
                start,
                end: until,
                text: text.chars().take(heard as usize).collect(),
            }
        })
        .collect()
}

/// The whole meeting, as an offline task hears it.
pub(super) const WHOLE: u64 = u64::MAX;

/// Two characters a word, the times spread evenly over the sentence:
/// `(text, start, end)`.
pub(super) fn split_words(text: &str, start: u64, end: u64) -> Vec<(String, u64, u64)> {
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = chars.chunks(2).map(|c| c.iter().collect()).collect();
    let step = (end - start) / pieces.len().max(1) as u64;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let from = start + step * i as u64;
            (piece, from, from + step)
        })
        .collect()
}

fn words(text: &str, start: u64, end: u64, sentence: usize) -> Vec<Value> {
    split_words(text, start, end)
        .into_iter()
        .enumerate()
        .map(|(i, (piece, from, to))| {
            json!({"Id": (sentence * 100 + i + 1) * 10, "SentenceId": sentence,
                "Start": from, "End": to, "Text": piece})
        })
        .collect()
}

fn transcription(heard: &[Spoken]) -> Value {
    let paragraphs: Vec<Value> = heard
        .iter()
        .enumerate()
        .map(|(i, sentence)| {
            json!({"ParagraphId": format!("{}", 900_000_001 + i), "SpeakerId": sentence.speaker,
                "Words": words(&sentence.text, sentence.start, sentence.end, i + 1)})
        })
        .collect();
    let end = heard.last().map_or(0, |m| m.end);
    json!({"AudioInfo": {"Size": end * 32, "Duration": end, "SampleRate": 16000, "Language": "cn"},
        "AudioSegments": heard.iter().map(|m| json!([m.start, m.end])).collect::<Vec<_>>(),
        "Paragraphs": paragraphs})
}

fn translation(heard: &[Spoken]) -> Value {
    let paragraphs: Vec<Value> = heard
        .iter()
        .enumerate()
        .map(|(i, sentence)| {
            json!({"ParagraphId": format!("{}", 900_000_001 + i), "Sentences": [
                {"SentenceId": i + 1, "Start": sentence.start, "End": sentence.end,
                 "Text": translated(&sentence.text)}]})
        })
        .collect();
    json!({"Paragraphs": paragraphs})
}

/// The emulator's "translation" of a sentence: the sentence, marked.
pub(super) fn translated(text: &str) -> String {
    format!("[en] {text}")
}

/// The sentences naming a to-do (the emulator's rule: they mention a deadline).
fn actions() -> Vec<Value> {
    MEETING
        .iter()
        .enumerate()
        .filter(|(_, m)| m.3.contains('前'))
        .map(|(i, (_, start, end, text))| {
            json!({"Id": 1, "SentenceId": i + 1, "Start": start, "End": end, "Text": text})
        })
        .collect()
}

fn summarization(parameters: &Value) -> Value {
    let types: Vec<&str> = parameters["Summarization"]["Types"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_else(|| vec!["Paragraph"]);
    let mut out = json!({});
    let full: String = MEETING.iter().map(|m| m.3).collect();
    for kind in types {
        match kind {
            "Paragraph" => {
                out["ParagraphTitle"] = json!("周会");
                out["ParagraphSummary"] = json!(format!("会议要点：{full}"));
            }
            "Conversational" => {
                out["ConversationalSummary"] = json!(["1", "2"].iter().map(|speaker| {
                    let said: String = MEETING.iter().filter(|m| m.0 == *speaker).map(|m| m.3).collect();
                    json!({"SpeakerId": speaker, "SpeakerName": format!("发言人{speaker}"), "Summary": said})
                }).collect::<Vec<_>>());
            }
            "QuestionsAnswering" => {
                out["QuestionsAnsweringSummary"] = json!([{"Question": "预算是否在计划之内？",
                    "SentenceIdsOfQuestion": [2], "Answer": MEETING[1].3, "SentenceIdsOfAnswer": [2]}]);
            }
            "MindMap" => {
                out["MindMapSummary"] = json!([{"Title": "周会", "Topic": [
                    {"Title": "预算", "Topic": []}, {"Title": "方案草稿", "Topic": []}]}]);
            }
            _ => {}
        }
    }
    out
}

/// The `Title`s (or `Name`s) of a parameter's list of items.
fn titles(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The payload of one document kind for a task of these `Parameters`
/// whose audio reached `heard_ms` ([`WHOLE`] for an offline task).
pub(super) fn payload(kind: &str, request: &Value, heard_ms: u64) -> Option<Value> {
    let parameters = &request["Parameters"];
    let heard = spoken(heard_ms);
    let end = MEETING.last().map_or(0, |m| m.2);
    Some(match kind {
        "Transcription" => transcription(&heard),
        "Translation" => translation(&heard),
        "AutoChapters" => json!([{"Id": 1, "Start": 0, "End": end, "Headline": "周会：预算与方案",
            "Summary": "预算在计划之内，方案草稿周五前发出。"}]),
        "MeetingAssistance" => json!({"Keywords": ["预算", "方案"],
            "KeySentences": [{"Id": 1, "SentenceId": 2, "Start": MEETING[1].1, "End": MEETING[1].2, "Text": MEETING[1].3}],
            "Actions": actions(),
            "Classifications": {"Interview": 0.02, "Lecture": 0.1, "Meeting": 0.88}}),
        "Summarization" => summarization(parameters),
        "PptExtraction" => json!({"AvailableForSummary": true, "KeyFrameList": []}),
        "TextPolish" => json!(
            MEETING
                .iter()
                .enumerate()
                .map(|(i, (_, start, end, text))| json!({
            "ParagraphId": format!("{}", 900_000_001 + i), "SentenceIds": [i + 1],
            "Start": start, "End": end, "FormalParagraphText": text}))
                .collect::<Vec<_>>()
        ),
        "ServiceInspection" => json!(
            titles(
                &parameters["ServiceInspection"]["InspectionContents"],
                "Title"
            )
            .iter()
            .map(|title| json!({"Title": title, "Matched": true,
                "Remarks": "emulator: every dimension matches", "MatchedSentenceIds": [1]}))
            .collect::<Vec<_>>()
        ),
        "CustomPrompt" => json!(
            titles(&parameters["CustomPrompt"]["Contents"], "Name")
                .iter()
                .map(
                    |name| json!({"Name": name, "Result": format!("{name}: {}", MEETING[2].3),
                "Truncated": false})
                )
                .collect::<Vec<_>>()
        ),
        "ContentExtraction" => json!(
            titles(
                &parameters["ContentExtraction"]["ExtractionContents"],
                "Title"
            )
            .iter()
            .map(|title| json!({"Title": title, "Result": MEETING[1].3,
                "Remarks": "emulator", "MatchedSentenceIds": [2]}))
            .collect::<Vec<_>>()
        ),
        "IdentityRecognition" => {
            let names = titles(
                &parameters["IdentityRecognition"]["IdentityContents"],
                "Name",
            );
            let results: Vec<Value> = ["1", "2"]
                .iter()
                .enumerate()
                .map(|(i, speaker)| {
                    json!({
                "SpeakerId": speaker, "Identity": names.get(i).cloned().unwrap_or_default()})
                })
                .collect();
            json!({"IdentityResults": results})
        }
        _ => return None,
    })
}
