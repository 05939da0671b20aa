//! Golden tests of the eleven Tingwu result documents: each example of
//! `docs/vendor/tingwu.md` §3 decodes without losing a field, and the
//! variants the sheet lists (a bare payload, camelCase keys, a `null`
//! payload) decode to the same value.

use aliyun_ai::tingwu::summarization_result::MindMapNode;
use aliyun_ai::tingwu::{
    Chapters, ContentExtractionResults, CustomPromptResults, IdentityRecognitionResult,
    InspectionResults, MeetingAssistanceResult, PolishedParagraphs, PptExtractionResult,
    SummarizationResult, TranscriptionResult, TranslationResult, decode_result,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

fn fixture(kind: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/tingwu/results/{kind}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every key's first letter lowered (the DashScope siblings' spelling).
fn camel_case(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut key = k.clone();
                    key[..1].make_ascii_lowercase();
                    (key, camel_case(v))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel_case).collect()),
        other => other.clone(),
    }
}

/// Decodes the example of `kind`, checks that re-encoding it gives back the
/// example's payload (no field lost), that the bare and camelCase forms give
/// the same value, and returns it for its snapshot.
fn golden<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(kind: &str) -> T {
    golden_with(kind, true)
}

/// [`golden`], comparing the camelCase form only when `camel_equal` (a
/// mind map's children are kept as raw JSON, in the keys they came with).
fn golden_with<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    kind: &str,
    camel_equal: bool,
) -> T {
    let bytes = fixture(kind);
    let decoded: T = decode_result(kind, &bytes).unwrap().expect("a document");
    let example: Value = serde_json::from_slice(&bytes).unwrap();
    let payload = &example[kind];
    assert_eq!(
        &serde_json::to_value(&decoded).unwrap(),
        payload,
        "{kind}: a field was lost"
    );

    let bare = serde_json::to_vec(payload).unwrap();
    assert_eq!(
        decode_result::<T>(kind, &bare).unwrap().as_ref(),
        Some(&decoded),
        "{kind} bare"
    );

    // camelCase keys inside (`TaskId`'s envelope keeps the kind's own key).
    let camel = serde_json::to_vec(&camel_case(payload)).unwrap();
    let camel_decoded = decode_result::<T>(kind, &camel).unwrap();
    assert!(camel_decoded.is_some(), "{kind} camelCase");
    if camel_equal {
        assert_eq!(
            decode_result::<T>(kind, &camel).unwrap().as_ref(),
            Some(&decoded),
            "{kind} camelCase"
        );
    }
    decoded
}

#[test]
fn transcription() {
    let document: TranscriptionResult = golden("Transcription");
    let words = &document.paragraphs.as_ref().unwrap()[0]
        .words
        .as_ref()
        .unwrap();
    assert_eq!(words[1].text.as_deref(), Some("早。"));
    insta::assert_debug_snapshot!(document);
}

#[test]
fn translation() {
    insta::assert_debug_snapshot!(golden::<TranslationResult>("Translation"));
}

#[test]
fn auto_chapters() {
    insta::assert_debug_snapshot!(golden::<Chapters>("AutoChapters"));
}

#[test]
fn meeting_assistance() {
    insta::assert_debug_snapshot!(golden::<MeetingAssistanceResult>("MeetingAssistance"));
}

#[test]
fn summarization_with_its_four_kinds() {
    let document: SummarizationResult = golden_with("Summarization", false);
    let root = &document.mind_map_summary.as_ref().unwrap()[0];
    // A node's children are nodes of the same shape.
    let children = root.topic.as_ref().unwrap();
    let child: MindMapNode = serde_json::from_value(children[0].clone()).unwrap();
    assert_eq!(child.title.as_deref(), Some("Budget"));
    // The camelCase spelling decodes at every level, children included.
    let camel = br#"{"mindMapSummary": [{"title": "Weekly sync", "topic": [{"title": "Budget", "topic": []}]}]}"#;
    let camel: SummarizationResult = decode_result("Summarization", camel).unwrap().unwrap();
    let root = &camel.mind_map_summary.as_ref().unwrap()[0];
    let child: MindMapNode =
        serde_json::from_value(root.topic.as_ref().unwrap()[0].clone()).unwrap();
    assert_eq!(child.title.as_deref(), Some("Budget"));
    assert!(document.conversational_summary.is_some());
    assert!(document.questions_answering_summary.is_some());
    assert!(document.paragraph_summary.is_some());
    insta::assert_debug_snapshot!(document);
}

#[test]
fn ppt_extraction() {
    let document: PptExtractionResult = golden("PptExtraction");
    // A slide's image URL is pre-signed: its query is hidden when printed.
    let frame = &document.key_frame_list.as_ref().unwrap()[0];
    assert!(!format!("{frame:?}").contains("Expires=1"));
    insta::assert_debug_snapshot!(document);
}

#[test]
fn text_polish() {
    insta::assert_debug_snapshot!(golden::<PolishedParagraphs>("TextPolish"));
}

#[test]
fn service_inspection() {
    insta::assert_debug_snapshot!(golden::<InspectionResults>("ServiceInspection"));
}

#[test]
fn custom_prompt() {
    insta::assert_debug_snapshot!(golden::<CustomPromptResults>("CustomPrompt"));
}

#[test]
fn content_extraction() {
    insta::assert_debug_snapshot!(golden::<ContentExtractionResults>("ContentExtraction"));
}

#[test]
fn identity_recognition() {
    insta::assert_debug_snapshot!(golden::<IdentityRecognitionResult>("IdentityRecognition"));
}

#[test]
fn a_null_payload_is_no_document_and_garbage_is_a_decode_error() {
    let none: Option<Chapters> =
        decode_result("AutoChapters", br#"{"TaskId": "t", "AutoChapters": null}"#).unwrap();
    assert_eq!(none, None);
    let error = decode_result::<Chapters>("AutoChapters", b"<html>").unwrap_err();
    assert_eq!(error.kind(), aliyun_ai::ErrorKind::Decode);
    // A document of the wrong shape names what failed.
    let error =
        decode_result::<Chapters>("AutoChapters", br#"{"AutoChapters": {"Id": 1}}"#).unwrap_err();
    assert_eq!(error.kind(), aliyun_ai::ErrorKind::Decode);
}
