//! Streamed answers: AnalyzeConversation's events as they arrive, text deltas,
//! errors before the first event, error events and truncated streams; the
//! DianJin streams' steps and increments as the vendor's metadata shows them.

use crate::common;

use std::time::Duration;

use aliyun_ai::ErrorKind;
use aliyun_ai::contactcenterai::AnalyzeConversationRequest;
use aliyun_ai::mock::{MockResponse, MockTransport};
use common::{client, fixture};
use futures_util::StreamExt;

fn request() -> AnalyzeConversationRequest {
    AnalyzeConversationRequest::builder()
        .workspace_id("ws")
        .app_id("app")
        .result_types(["summary"])
        .stream(false)
        .build()
        .unwrap()
}

fn transcript_events() -> Vec<String> {
    fixture("contactcenterai/AnalyzeConversation/stream.sse")
        .lines()
        .filter_map(|l| l.strip_prefix("data: ").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn events_arrive_in_order_and_the_request_asks_for_a_stream() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::sse(transcript_events())
            .chunked(7)
            .with_chunk_delay(Duration::from_millis(1)),
    );
    let (client, _) = client(&mock);
    let stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap();
    let events: Vec<_> = stream.collect().await;
    assert_eq!(events.len(), 3);
    let last = events.last().unwrap().as_ref().unwrap();
    assert_eq!(last.finish_reason.as_deref(), Some("stop"));
    assert_eq!(last.total_tokens, Some(151));
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.header("accept"), Some("text/event-stream"));
    assert_eq!(sent.body_json().unwrap()["stream"], true);
}

#[tokio::test]
async fn text_deltas_from_cumulative_and_from_delta_events() {
    let expected = "这段对话似乎是客服与客户之间关于一个服务或产品的讨论。";
    let mock = MockTransport::new();
    mock.push(MockResponse::sse(transcript_events()).chunked(5));
    mock.push(MockResponse::sse([
        r#"{"text":"这段对话","finishReason":null}"#,
        r#"{"text":"似乎是客服与客户之间","finishReason":null}"#,
        r#"{"text":"关于一个服务或产品的讨论。","finishReason":"stop"}"#,
    ]));
    let (client, _) = client(&mock);
    for _ in 0..2 {
        let stream = client
            .contact_center_ai()
            .analyze_conversation_stream(request())
            .await
            .unwrap();
        let pieces: Vec<String> = stream.text_deltas().map(|p| p.unwrap()).collect().await;
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.concat(), expected);
    }
}

#[tokio::test]
async fn an_http_error_before_the_first_event_is_a_typed_error_of_the_call() {
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(
        403,
        "CCAI.TenantPermission.NoAuth",
        "no permission",
    ));
    let (client, _) = client(&mock);
    let error = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.code()),
        (ErrorKind::Service, Some("CCAI.TenantPermission.NoAuth"))
    );
}

#[tokio::test]
async fn a_truncated_stream_ends_with_a_typed_error() {
    let events = transcript_events();
    let first_two = events[0].len() + events[1].len() + 16;
    let mock = MockTransport::new();
    mock.push(MockResponse::sse(events.clone()).reset_after(first_two + 10));
    // Cut cleanly after two events: no final event ever came.
    mock.push(MockResponse::sse(events[..2].to_vec()));
    let (client, _) = client(&mock);
    let stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 3);
    let error = items[2].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");

    let stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(
        items[2].as_ref().unwrap_err().kind(),
        ErrorKind::IncompleteStream
    );
}

#[tokio::test]
async fn an_error_event_is_a_service_error_item() {
    let body = "data: {\"text\":\"部分\"}\n\nevent: error\ndata: {\"Code\":\"CCAI.InternalError\",\"Message\":\"boom\"}\n\n";
    let mock = MockTransport::new();
    mock.push(MockResponse::new(200, body).header("content-type", "text/event-stream"));
    let (client, _) = client(&mock);
    let mut stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap();
    assert_eq!(
        stream.next().await.unwrap().unwrap().text.as_deref(),
        Some("部分")
    );
    let error = stream.next().await.unwrap().unwrap_err();
    assert_eq!(
        (error.kind(), error.code()),
        (ErrorKind::Service, Some("CCAI.InternalError"))
    );
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn an_event_reporting_failure_ends_the_stream_with_its_code() {
    // The generated `business_failure` applies to every event of a stream.
    let mock = MockTransport::new();
    mock.push(MockResponse::sse([
        r#"{"text":"这段","finishReason":null,"success":true}"#,
        r#"{"success":false,"errorCode":"CCAI.InternalError","errorInfo":"模型调用失败","requestId":"R-9"}"#,
        r#"{"text":"never read","finishReason":"stop"}"#,
    ]));
    let (client, _) = client(&mock);
    let stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request())
        .await
        .unwrap();
    let events: Vec<_> = stream.collect().await;
    assert_eq!(events.len(), 2, "the stream ends at the failing event");
    assert!(events[0].is_ok());
    let error = events[1].as_ref().unwrap_err();
    assert_eq!(
        (error.kind(), error.code(), error.request_id()),
        (ErrorKind::Service, Some("CCAI.InternalError"), Some("R-9"))
    );
    assert_eq!(error.message(), Some("模型调用失败"));
}

#[tokio::test]
async fn execute_and_execute_stream_follow_the_request_s_own_stream_flag() {
    let mock = MockTransport::new();
    let (client, _) = client(&mock);
    let mut streamed = request();
    streamed.workspace_id = "ws".into();
    streamed.app_id = "app".into();
    streamed.stream = Some(true);
    let error = client.execute(&streamed).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Build);
    assert!(error.to_string().contains("execute_stream"), "{error}");
    streamed.stream = Some(false);
    let error = client.execute_stream(&streamed).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Build);
    assert!(mock.requests().is_empty(), "nothing was sent");
}

/// RunAgent's frames as the metadata's stream description shows them
/// (`docs/openmeta/dianjin-2024-06-28.zh_cn.json`, `apis.RunAgent`): tool
/// frames, then `Answer` pieces, then a last frame with `content: null` and
/// `stop: true`.
#[tokio::test]
async fn an_agents_tool_frames_are_skipped_and_its_answer_pieces_joined() {
    let frame = |kind: &str, content: Option<&str>, stop: bool| {
        serde_json::json!({"threadId": "t1", "role": "assistant", "messageType": kind,
            "content": content, "contentType": if kind == "Answer" { "TEXT" } else { "JSON" },
            "stop": stop, "time": "2025-01-21 16:57:19"})
        .to_string()
    };
    let frames = [
        frame("ToolDiscovery", Some(r#"{"toolName":"web_search"}"#), false),
        frame(
            "FunctionCall",
            Some(r#"{"functionName":"web_search"}"#),
            false,
        ),
        frame("ToolResponse", Some(r#"{"result":"晴"}"#), false),
        frame("Answer", Some("根据"), false),
        frame("Answer", Some("搜索结果，"), false),
        frame("Answer", Some("下周晴。"), false),
        frame("Answer", None, true),
    ];
    let mock = MockTransport::new();
    mock.push(MockResponse::sse(frames.clone()).chunked(11));
    mock.push(MockResponse::sse(frames[..6].to_vec()));
    let (client, _) = client(&mock);
    let request = aliyun_ai::dianjin::RunAgentRequest::builder()
        .workspace_id("ws")
        .bot_id("bot")
        .user_content("下周天气？")
        .build()
        .unwrap();
    let mut text = client
        .dianjin()
        .run_agent_stream(request.clone())
        .await
        .unwrap()
        .text_deltas();
    let mut pieces = Vec::new();
    while let Some(piece) = text.next().await {
        pieces.push(piece.unwrap());
    }
    assert_eq!(pieces, ["根据", "搜索结果，", "下周晴。"]);
    assert_eq!(text.text_so_far(), "根据搜索结果，下周晴。");

    // Without its `stop: true` frame the stream is incomplete.
    let events: Vec<_> = client
        .dianjin()
        .run_agent_stream(request)
        .await
        .unwrap()
        .collect()
        .await;
    let error = events.last().unwrap().as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::IncompleteStream);
}

/// RunLibraryChatGeneration's events as the metadata shows them: steps with
/// `dataType: copilotStep` and `queryResult`, then `message` events whose
/// `data.message` is the increment and `data.text` the answer so far.
#[tokio::test]
async fn a_library_chat_reads_increments_beside_the_text_so_far() {
    let mock = MockTransport::new();
    mock.push(MockResponse::sse([
        r#"{"success":true,"dataType":"copilotStep","data":{"stepName":"start_followup_query","data":"有效期"}}"#,
        r#"{"success":true,"dataType":"queryResult","data":{"success":true,"answer":null,"chunks":[]}}"#,
        r#"{"success":true,"dataType":"message","data":{"message":"是的，","text":"是的，","finish":false}}"#,
        r#"{"success":true,"dataType":"message","data":{"message":"不低于3年。","text":"是的，不低于3年。","finish":true}}"#,
    ]));
    let (client, _) = client(&mock);
    let request = aliyun_ai::dianjin::RunLibraryChatGenerationRequest::builder()
        .workspace_id("ws")
        .library_id("lib")
        .llm_type("qwen-max")
        .query("有效期多久？")
        .build()
        .unwrap();
    let mut text = client
        .dianjin()
        .run_library_chat_generation_stream(request)
        .await
        .unwrap()
        .text_deltas();
    let mut pieces = Vec::new();
    while let Some(piece) = text.next().await {
        pieces.push(piece.unwrap());
    }
    assert_eq!(pieces, ["是的，", "不低于3年。"]);
    assert_eq!(text.into_text(), "是的，不低于3年。");
}
