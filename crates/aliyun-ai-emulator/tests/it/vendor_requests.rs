//! The emulator accepts what the real gateways accept: the vendor's own SDKs'
//! requests (`fixtures/vendor-requests/`, captured byte for byte with their
//! credentials) are replayed over TCP, unchanged, against an emulator whose
//! clock is set to each request's `x-acs-date`. Each is accepted once with a
//! 200 the matching model decodes; the same bytes again are a reused nonce;
//! one changed body byte fails the content hash; one changed signed header
//! fails the signature.

use crate::raw;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::auth::time::parse_iso8601;
use aliyun_ai::contactcenterai::{
    AnalyzeConversationResponse, CreateTaskResponse, GetTaskResultResponse,
};
use aliyun_ai::customerprofile::GetTaskResponse;
use aliyun_ai::dianjin::RecognizeIntentionResponse;
use aliyun_ai::retailbot::RecognizeMessageResponse;
use aliyun_ai::transport::sse::SseDecoder;
use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig, ManualTimer};
use raw::{RawResponse, replace_once, request_body, request_header, send};
use serde::de::DeserializeOwned;
use serde_json::json;

/// The credentials that signed the captures (`fixtures/vendor-requests/README.md`).
fn capture_credentials() -> Credentials {
    Credentials::new(
        "LTAI5tVendorSdkCapture",
        "VendorSdkCaptureSecret",
        "sk-vendor-sdk-capture",
    )
}

fn capture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendor-requests")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An emulator whose clock stands at the capture's `x-acs-date` (the
/// DashScope capture has none: its clock is irrelevant), holding the tasks
/// the captures read.
async fn emulator_for(raw: &[u8]) -> Emulator {
    let mut config = EmulatorConfig::default()
        .with_credentials(capture_credentials())
        .with_task_delay(Duration::ZERO)
        .with_stream_event_delay(Duration::from_millis(1));
    if let Some(date) = request_header(raw, "x-acs-date") {
        let instant = parse_iso8601(&date).expect("a vendor date");
        config = config.with_time(Arc::new(ManualTimer::at(instant)));
    }
    let emulator = Emulator::start_with(config).await.expect("emulator");
    emulator
        .insert_contact_center_task(
            "20240905-7CA8C9E1",
            json!({"taskType": "text", "modelCode": "tyxmTurbo", "resultTypes": ["summary"],
                   "dialogue": {"sentences": [{"role": "user", "text": "我要退款"},
                                              {"role": "agent", "text": "好的,马上为您办理"}]}}),
        )
        .expect("a valid CreateTask body");
    emulator.insert_customer_profile_task("wkb-1", "客户: 我想试驾一下\n销售: 好的,周六可以");
    emulator
}

fn decode<T: DeserializeOwned>(response: &RawResponse) -> T {
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    serde_json::from_slice(&response.body).unwrap_or_else(|e| {
        panic!(
            "the model does not decode the answer ({e}): {}",
            String::from_utf8_lossy(&response.body)
        )
    })
}

/// One byte of the body changed (same length), its hash no longer matching.
fn with_changed_body_byte(raw: &[u8]) -> Vec<u8> {
    let body = request_body(raw);
    let at = raw.len() - body.len()
        + body
            .iter()
            .rposition(u8::is_ascii_alphanumeric)
            .expect("the body has an ASCII letter or digit");
    let mut out = raw.to_vec();
    out[at] = if out[at] == b'x' { b'y' } else { b'x' };
    out
}

/// One byte of the signed `user-agent` changed.
fn with_changed_user_agent(raw: &[u8]) -> Vec<u8> {
    replace_once(raw, b"(Linux; x86_64)", b"(Linux; x86_65)")
}

/// The four checks every V3 capture must pass; returns the accepted answer.
async fn replay_v3(name: &str) -> RawResponse {
    let raw = capture(name);
    let signed = request_header(&raw, "authorization").expect("signed");
    assert!(
        signed.contains("SignedHeaders=accept;") && signed.contains(";user-agent;"),
        "the capture signs accept and user-agent: {signed}"
    );

    let emulator = emulator_for(&raw).await;
    let accepted = send(emulator.addr(), &raw).await;
    assert_eq!(
        accepted.status,
        200,
        "{name}: {}",
        String::from_utf8_lossy(&accepted.body)
    );
    let again = send(emulator.addr(), &raw).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (400, "SignatureNonceUsed"),
        "{name}: the same bytes twice"
    );

    if !request_body(&raw).is_empty() {
        let emulator = emulator_for(&raw).await;
        let changed = send(emulator.addr(), &with_changed_body_byte(&raw)).await;
        assert_eq!(
            (changed.status, changed.code().as_str()),
            (400, "ContentSha256Mismatch"),
            "{name}: one body byte changed"
        );
    }

    let emulator = emulator_for(&raw).await;
    let changed = send(emulator.addr(), &with_changed_user_agent(&raw)).await;
    assert_eq!(
        (changed.status, changed.code().as_str()),
        (403, "SignatureDoesNotMatch"),
        "{name}: a signed header changed"
    );
    accepted
}

#[tokio::test]
async fn contactcenterai_analyze_conversation() {
    let response = replay_v3("contactcenterai-AnalyzeConversation.http").await;
    let answer: AnalyzeConversationResponse = decode(&response);
    assert_eq!(answer.success, Some(true));
    assert!(answer.text.is_some_and(|t| !t.is_empty()));
    assert_eq!(answer.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn contactcenterai_analyze_conversation_streamed_though_it_accepts_json() {
    let raw = capture("contactcenterai-AnalyzeConversation-sse.http");
    // Told apart only by `"stream":true`: it still says accept: application/json.
    assert_eq!(
        request_header(&raw, "accept").as_deref(),
        Some("application/json")
    );
    let response = replay_v3("contactcenterai-AnalyzeConversation-sse.http").await;
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream")),
        "{:?}",
        response.headers
    );
    let mut decoder = SseDecoder::new();
    let mut events = decoder.push(&response.body).expect("within the SSE limits");
    events.extend(decoder.finish());
    assert!(events.len() >= 2, "several events: {events:?}");
    let decoded: Vec<AnalyzeConversationResponse> = events
        .iter()
        .map(|event| serde_json::from_str(&event.data).expect("each event decodes"))
        .collect();
    let (last, earlier) = decoded.split_last().expect("events");
    assert!(earlier.iter().all(|e| e.finish_reason.is_none()));
    assert_eq!(last.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn contactcenterai_create_task() {
    let response = replay_v3("contactcenterai-CreateTask.http").await;
    let answer: CreateTaskResponse = decode(&response);
    assert_eq!(answer.success, Some(true));
    assert!(answer.data.and_then(|d| d.task_id).is_some());
}

#[tokio::test]
async fn contactcenterai_get_task_result_with_a_comma_joined_query_array() {
    let raw = capture("contactcenterai-GetTaskResult.http");
    assert!(String::from_utf8_lossy(&raw).contains("requiredFieldList=asrResult%2Csummary"));
    let response = replay_v3("contactcenterai-GetTaskResult.http").await;
    let answer: GetTaskResultResponse = decode(&response);
    let data = answer.data.expect("data");
    assert_eq!(data.task_id.as_deref(), Some("20240905-7CA8C9E1"));
    assert_eq!(
        data.task_status.map(|s| s.as_str().to_owned()).as_deref(),
        Some("FINISH")
    );
    assert!(
        data.asr_result
            .is_some_and(|sentences| !sentences.is_empty()),
        "asrResult was asked for"
    );
}

#[tokio::test]
async fn contactcenterai_get_task_result_with_a_changed_query_byte_is_refused() {
    let raw = capture("contactcenterai-GetTaskResult.http");
    let emulator = emulator_for(&raw).await;
    let changed = replace_once(&raw, b"7CA8C9E1", b"7CA8C9E2");
    let response = send(emulator.addr(), &changed).await;
    assert_eq!(
        (response.status, response.code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
}

#[tokio::test]
async fn dianjin_recognize_intention() {
    let response = replay_v3("dianjin-RecognizeIntention.http").await;
    let answer: RecognizeIntentionResponse = decode(&response);
    assert_eq!(answer.success, Some(true));
    let data = answer.data.expect("data");
    assert_eq!(data.intention_code.as_deref(), Some("1001"));
}

#[tokio::test]
async fn retailbot_recognize_message_with_plus_and_percent_2a_in_its_form() {
    let raw = capture("retailbot-RecognizeMessage.http");
    let body = String::from_utf8_lossy(request_body(&raw)).into_owned();
    assert!(body.contains("%3A+%22") && body.contains("%2A"), "{body}");
    let response = replay_v3("retailbot-RecognizeMessage.http").await;
    let answer: RecognizeMessageResponse = decode(&response);
    assert_eq!(answer.success, Some(true));
}

#[tokio::test]
async fn customer_profile_get_task_with_a_trailing_slash() {
    let raw = capture("customerprofile-getTask.http");
    assert!(raw.starts_with(b"POST /api/v1/services/aigc/multimodal-generation/generation/ "));
    let emulator = emulator_for(&raw).await;
    let response = send(emulator.addr(), &raw).await;
    let answer: GetTaskResponse = decode(&response);
    let output = answer.output.expect("output");
    assert!(output.transcription_path.is_some(), "{output:?}");
    // DashScope's Bearer keys carry no nonce: the same bytes are served again.
    assert_eq!(send(emulator.addr(), &raw).await.status, 200);
    // A changed key is refused.
    let changed = replace_once(&raw, b"sk-vendor-sdk-capture", b"sk-vendor-sdk-captury");
    let refused = send(emulator.addr(), &changed).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["code"], "InvalidApiKey");
}

#[tokio::test]
async fn a_clock_more_than_15_minutes_away_refuses_the_capture() {
    let raw = capture("dianjin-RecognizeIntention.http");
    let date = parse_iso8601(&request_header(&raw, "x-acs-date").unwrap()).unwrap();
    let emulator = Emulator::start_with(
        EmulatorConfig::default()
            .with_credentials(capture_credentials())
            .with_time(Arc::new(ManualTimer::at(
                date + Duration::from_secs(16 * 60),
            ))),
    )
    .await
    .unwrap();
    let response = send(emulator.addr(), &raw).await;
    assert_eq!(
        (response.status, response.code().as_str()),
        (400, "InvalidTimeStamp.Expired")
    );
}
