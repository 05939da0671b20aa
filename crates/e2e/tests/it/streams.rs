//! Streams that grow like the service's (issue 23): for the DianJin streams,
//! the emulator's events follow what each table's `events:` mark declares
//! (steps first, then the answer in pieces, increments concatenating to the
//! text so far, the last event alone marked last), the answer names the
//! request's question, and the facade's `text_deltas()` rebuilds the text
//! either way. The CCAI streams (cumulative) and every other streaming
//! operation are checked by the generated `every_operation` tests.

use aliyun_ai::dianjin::{
    RealTimeDialogRequest, RunAgentRequest, RunChatResultGenerationRequest,
    RunDialogAnalysisRequest, RunLibraryChatGenerationRequest,
};
use aliyun_ai::{Operation, StreamEvent, StreamExt as _};
use aliyun_ai_core::server::ServerOperation;

use crate::support;

/// Every event of a stream, none an error.
async fn all<T>(stream: aliyun_ai::EventStream<T>) -> Vec<T>
where
    T: serde::de::DeserializeOwned,
{
    stream.map(|event| event.expect("an event")).collect().await
}

/// The pieces `text_deltas()` yields and the text so far at the end.
async fn pieces<T>(stream: aliyun_ai::EventStream<T>) -> (Vec<String>, String)
where
    T: serde::de::DeserializeOwned + StreamEvent,
{
    let mut deltas = stream.text_deltas();
    let mut pieces = Vec::new();
    while let Some(piece) = deltas.next().await {
        pieces.push(piece.expect("a piece"));
    }
    (pieces, deltas.into_text())
}

#[tokio::test]
async fn library_chat_sends_its_steps_then_the_answer_as_increments_and_text_so_far() {
    let (_emulator, client) = support::setup().await;
    let mut request = RunLibraryChatGenerationRequest::example_request().expect("example");
    request.query = "预付卡的有效期是多久？".to_owned();
    let dianjin = client.dianjin();
    let events = all(dianjin
        .run_library_chat_generation_stream(request.clone())
        .await
        .expect("stream"))
    .await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e.data_type.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(&kinds[..2], ["copilotStep", "queryResult"], "{kinds:?}");
    assert!(
        kinds[2..].len() >= 3 && kinds[2..].iter().all(|k| *k == "message"),
        "{kinds:?}"
    );
    assert!(events[..2].iter().all(StreamEvent::is_step));
    let text = events
        .last()
        .and_then(StreamEvent::cumulative)
        .expect("text")
        .to_owned();
    assert!(
        text.starts_with("关于「预付卡的有效期是多久？」："),
        "{text}"
    );
    let increments: String = events.iter().filter_map(StreamEvent::increment).collect();
    assert_eq!(increments, text, "the increments make the text");
    let finals: Vec<bool> = events
        .iter()
        .map(|e| RunLibraryChatGenerationRequest::is_final_event(e) == Some(true))
        .collect();
    assert_eq!(finals.iter().filter(|f| **f).count(), 1, "{finals:?}");
    assert_eq!(finals.last(), Some(&true));

    let (pieces, so_far) = pieces(
        dianjin
            .run_library_chat_generation_stream(request.clone())
            .await
            .expect("stream"),
    )
    .await;
    assert!(pieces.len() >= 3, "{pieces:?}");
    assert_eq!(pieces.concat(), text);
    assert_eq!(so_far, text);

    let whole = dianjin
        .run_library_chat_generation(request)
        .await
        .expect("answer");
    assert_eq!(
        whole.data.as_ref().and_then(|d| d["text"].as_str()),
        Some(text.as_str())
    );
}

#[tokio::test]
async fn an_agent_reports_its_tool_frames_then_answers_in_pieces_until_stop() {
    let (_emulator, client) = support::setup().await;
    let mut request = RunAgentRequest::example_request().expect("example");
    request.user_content = "下周天气如何？".to_owned();
    let dianjin = client.dianjin();
    let events = all(dianjin
        .run_agent_stream(request.clone())
        .await
        .expect("stream"))
    .await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e.message_type.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        &kinds[..6],
        [
            "ToolDiscovery",
            "FunctionCall",
            "ToolResponse",
            "ToolStartStep",
            "ToolEmitStepData",
            "CompleteStep"
        ]
    );
    assert!(
        kinds[6..].len() >= 3 && kinds[6..].iter().all(|k| *k == "Answer"),
        "{kinds:?}"
    );
    let stops: Vec<bool> = events.iter().map(|e| e.stop == Some(true)).collect();
    assert_eq!(stops.iter().filter(|s| **s).count(), 1);
    assert_eq!(stops.last(), Some(&true));

    let whole = dianjin.run_agent(request.clone()).await.expect("answer");
    let answer = whole
        .data
        .and_then(|d| d.response)
        .and_then(|r| r.choices)
        .and_then(|c| c.into_iter().next())
        .and_then(|c| c.message)
        .and_then(|m| m.content)
        .expect("the answer's text");
    assert!(answer.starts_with("关于「下周天气如何？」："), "{answer}");
    let increments: String = events[6..]
        .iter()
        .filter_map(StreamEvent::increment)
        .collect();
    assert_eq!(increments, answer);
    let (pieces, so_far) = pieces(dianjin.run_agent_stream(request).await.expect("stream")).await;
    assert_eq!(
        pieces.concat(),
        answer,
        "the tool frames are not part of the text"
    );
    assert_eq!(so_far, answer);
}

#[tokio::test]
async fn a_realtime_dialog_grows_its_script_by_delta_beside_the_full_content() {
    let (_emulator, client) = support::setup().await;
    let request = RealTimeDialogRequest::example_request().expect("example");
    let asked = request
        .conversation_model
        .last()
        .map(|t| t.content.clone())
        .expect("a turn");
    let dianjin = client.dianjin();
    let events = all(dianjin
        .real_time_dialog_stream(request.clone())
        .await
        .expect("stream"))
    .await;
    assert!(events.len() >= 3, "{} events", events.len());
    let mut so_far = String::new();
    for event in &events {
        let full = event.cumulative().expect("the full content");
        let piece = event.increment().expect("the delta");
        assert_eq!(
            full,
            format!("{so_far}{piece}"),
            "delta and full content agree"
        );
        so_far = full.to_owned();
    }
    assert!(
        so_far.starts_with(&format!("关于「{asked}」：")),
        "{so_far}"
    );
    let reasons: Vec<Option<&str>> = events
        .iter()
        .map(|e| e.choices.as_ref()?.first()?.finish_reason.as_deref())
        .collect();
    assert_eq!(reasons.last(), Some(&Some("stop")));
    assert!(
        reasons[..reasons.len() - 1].iter().all(Option::is_none),
        "{reasons:?}"
    );
    let (pieces, text) = pieces(
        dianjin
            .real_time_dialog_stream(request)
            .await
            .expect("stream"),
    )
    .await;
    assert_eq!(pieces.concat(), so_far);
    assert_eq!(text, so_far);
}

#[tokio::test]
async fn a_chat_generation_streams_its_text_so_far() {
    let (_emulator, client) = support::setup().await;
    let request = RunChatResultGenerationRequest::example_request().expect("example");
    let events = all(client
        .dianjin()
        .run_chat_result_generation_stream(request)
        .await
        .expect("stream"))
    .await;
    let texts: Vec<&str> = events.iter().filter_map(StreamEvent::cumulative).collect();
    assert!(texts.len() >= 3, "{texts:?}");
    assert!(
        texts
            .windows(2)
            .all(|w| w[1].starts_with(w[0]) && w[1].len() > w[0].len()),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_dialog_analysis_is_pending_until_its_last_snapshot() {
    let (_emulator, client) = support::setup().await;
    let request = RunDialogAnalysisRequest::example_request().expect("example");
    let events = all(client
        .dianjin()
        .run_dialog_analysis_stream(request)
        .await
        .expect("stream"))
    .await;
    let statuses: Vec<String> = events
        .iter()
        .map(|e| {
            let list = e
                .data
                .as_ref()
                .and_then(|d| d.dialog_analysis_resp_list.as_ref());
            let status = list.and_then(|l| l.first()).and_then(|a| a.status.as_ref());
            status.map_or_else(String::new, |s| s.as_str().to_owned())
        })
        .collect();
    assert_eq!(statuses, ["pending", "pending", "success"]);
}
