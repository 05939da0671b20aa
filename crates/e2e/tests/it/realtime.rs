//! DianJin's EndToEndRealTimeDialog through the facade (issue 22): a whole
//! session against the emulator over loopback WebSocket, a refused upgrade,
//! a reconnect, and sessions over `MockWebSocket`.

use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::dianjin::EndToEndRealTimeDialogRequest;
use aliyun_ai::dianjin::realtime::{DialogEvent, RealtimeDialog, StartTranscription};
use aliyun_ai::mock::MockWebSocket;
use aliyun_ai::transport::TransportErrorKind;
use aliyun_ai::transport::awap::AwapMessage;
use aliyun_ai::transport::websocket::{WebSocketTransport, WsMessage};
use aliyun_ai::{AccessKey, Client, Config, ErrorKind, RetryPolicy};
use futures_util::StreamExt;

use crate::support::setup;

fn request() -> EndToEndRealTimeDialogRequest {
    EndToEndRealTimeDialogRequest::builder()
        .workspace_id("llm-workspace")
        .sample_rate("SAMPLE_RATE_16K")
        .input_format("pcm")
        .output_format("wav")
        .build()
        .unwrap()
}

/// The next event, within 10 s.
async fn next(dialog: &mut RealtimeDialog) -> DialogEvent {
    tokio::time::timeout(Duration::from_secs(10), dialog.events.next())
        .await
        .expect("an event within 10 s")
        .expect("the session is open")
        .expect("an event, not an error")
}

fn kind(event: &DialogEvent) -> &'static str {
    match event {
        DialogEvent::TranscriptionStarted { .. } => "TranscriptionStarted",
        DialogEvent::TranscriptionResultChanged { .. } => "TranscriptionResultChanged",
        DialogEvent::SentenceEnd { .. } => "SentenceEnd",
        DialogEvent::BizProcessing(_) => "BizProcessing",
        DialogEvent::SentenceInterrupted => "SentenceInterrupted",
        DialogEvent::TranscriptionEnd => "TranscriptionEnd",
        DialogEvent::TranscriptionCompleted => "TranscriptionCompleted",
        DialogEvent::Error { .. } => "Error",
        _ => "Unknown",
    }
}

/// A tenth of a second of 16 kHz 16-bit audio: silence, or "speech".
fn tenth(speech: bool) -> Vec<u8> {
    vec![u8::from(speech) * 9; 3200]
}

#[tokio::test]
async fn a_whole_session_against_the_emulator_sees_every_event_kind() {
    let (emulator, client) = setup().await;
    let mut dialog = client
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    dialog
        .sender
        .start(
            StartTranscription::new("c00aa8467a")
                .meta_data("name", "张三")
                .self_directed(true),
        )
        .await
        .unwrap();
    let DialogEvent::TranscriptionStarted {
        opening_remarks,
        session_id,
    } = next(&mut dialog).await
    else {
        panic!("the session did not start");
    };
    assert!(opening_remarks.contains("张三"), "{opening_remarks}");
    assert!(!session_id.is_empty());
    // A second start is misuse: the service's Error message, typed.
    dialog
        .sender
        .start(StartTranscription::new("again"))
        .await
        .unwrap();
    let DialogEvent::Error { code, message } = next(&mut dialog).await else {
        panic!("a second start was not refused");
    };
    assert_eq!(code, "400");
    assert!(message.contains("started already"), "{message}");

    // Two seconds and more of audio, from another task, with speech over
    // the first reply; then the stop.
    let sender = dialog.sender.clone();
    let feeding = tokio::spawn(async move {
        for i in 0..25 {
            sender.send_audio(tenth(i == 10)).await.unwrap();
        }
        sender.send_audio_acknowledged(tenth(false)).await.unwrap();
        sender.stop().await.unwrap();
    });
    let mut seen = vec!["TranscriptionStarted", "Error"];
    let mut reply_audio = Vec::new();
    loop {
        let event = next(&mut dialog).await;
        if let DialogEvent::SentenceEnd {
            audio, message_end, ..
        } = &event
        {
            assert!(message_end);
            reply_audio = audio.to_vec();
        }
        seen.push(kind(&event));
        if matches!(event, DialogEvent::TranscriptionCompleted) {
            break;
        }
    }
    feeding.await.unwrap();
    for expected in [
        "TranscriptionStarted",
        "Error",
        "TranscriptionResultChanged",
        "BizProcessing",
        "SentenceEnd",
        "SentenceInterrupted",
        "TranscriptionEnd",
        "TranscriptionCompleted",
    ] {
        assert!(seen.contains(&expected), "no {expected} in {seen:?}");
    }
    assert_eq!(&reply_audio[..4], b"RIFF", "the reply is a WAV file");
    // The server closes after the completion: the events end cleanly.
    let end = tokio::time::timeout(Duration::from_secs(10), dialog.events.next())
        .await
        .unwrap();
    assert!(end.is_none(), "{end:?}");
    assert_eq!(emulator.handled("EndToEndRealTimeDialog"), 1);
}

#[tokio::test]
async fn a_wrong_secret_fails_at_the_upgrade_with_status_code_and_request_id() {
    let (emulator, _) = setup().await;
    let credentials = emulator.credentials();
    let config = Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key(AccessKey::new(&credentials.access_key_id, "not-the-secret"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = Client::new(config)
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service, "{error}");
    assert_eq!(error.status(), Some(403), "{error}");
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"), "{error}");
    assert!(
        error.request_id().is_some_and(|id| id.starts_with("EMU-")),
        "{error}"
    );
    assert!(!format!("{error} {error:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn a_reconnect_request_is_followed_with_a_fresh_signature_and_the_events_go_on() {
    let (emulator, client) = setup().await;
    let mut dialog = client
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    dialog
        .sender
        .start(StartTranscription::new("p"))
        .await
        .unwrap();
    assert_eq!(kind(&next(&mut dialog).await), "TranscriptionStarted");
    emulator.reconnect_sessions();
    // The session signs a new upgrade (a new nonce: the emulator refuses a
    // reused one), starts again, and the same stream carries on.
    assert_eq!(kind(&next(&mut dialog).await), "TranscriptionStarted");
    assert_eq!(emulator.handled("EndToEndRealTimeDialog"), 2);
    dialog.sender.send_audio(tenth(false)).await.unwrap();
    assert_eq!(kind(&next(&mut dialog).await), "TranscriptionResultChanged");
}

/// A client whose WebSocket transport is `transport` (no emulator).
fn client_over(transport: Arc<dyn WebSocketTransport>) -> Client {
    let config = Config::builder()
        .endpoint("dianjin", "https://dianjin.example")
        .access_key(AccessKey::new("id", "secret"))
        .websocket_transport(transport)
        .build()
        .unwrap();
    Client::new(config)
}

/// A client whose WebSocket transport is `mock`.
fn mocked(mock: &MockWebSocket) -> Client {
    client_over(Arc::new(mock.clone()))
}

fn scripted(kind: &str, payload: &str) -> WsMessage {
    WsMessage::Text(AwapMessage::text(kind, payload).encode_text().unwrap())
}

#[tokio::test]
async fn a_session_over_the_mock_decodes_scripted_events_and_records_the_frames() {
    let mock = MockWebSocket::new();
    mock.push_message(scripted(
        "TranscriptionStarted",
        r#"{"sessionId":"s-1","openingRemarks":"你好"}"#,
    ))
    .push_message(scripted(
        "SentenceEnd",
        r#"{"data":[1,2,3],"messageId":"m","messageEnd":true}"#,
    ))
    .push_message(scripted("Surprise", "{}"));
    let mut dialog = mocked(&mock)
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    dialog
        .sender
        .start(StartTranscription::new("p").meta_data("name", "李四"))
        .await
        .unwrap();
    dialog.sender.send_audio(vec![0u8; 640]).await.unwrap();
    assert_eq!(
        next(&mut dialog).await,
        DialogEvent::TranscriptionStarted {
            session_id: "s-1".into(),
            opening_remarks: "你好".into()
        }
    );
    let DialogEvent::SentenceEnd { audio, .. } = next(&mut dialog).await else {
        panic!("no SentenceEnd");
    };
    assert_eq!(&audio[..], [1, 2, 3]);
    let DialogEvent::Unknown(message) = next(&mut dialog).await else {
        panic!("no Unknown");
    };
    assert_eq!(message.kind(), "Surprise");

    // What was sent: the upgrade signed over sec-websocket-protocol, then
    // the start and the audio as AWAP.
    let upgrade = &mock.requests()[0];
    assert_eq!(upgrade.uri.scheme_str(), Some("wss"));
    assert!(upgrade.uri.query().unwrap().contains("outputFormat=wav"));
    assert_eq!(upgrade.headers["sec-websocket-protocol"], "awap");
    let authorization = upgrade.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.contains("sec-websocket-protocol"),
        "{authorization}"
    );
    // The caller's closing ends the session (the mock's peer is silent).
    dialog.sender.close().await.unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), dialog.events.next())
        .await
        .unwrap();
    assert!(end.is_none(), "{end:?}");
    let sent = mock.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    let WsMessage::Text(start) = &sent[0] else {
        panic!("{sent:?}")
    };
    assert!(
        start.starts_with("type:StartTranscription\ntimestamp:"),
        "{start}"
    );
    assert!(start.contains("\"name\":\"李四\""), "{start}");
    let WsMessage::Binary(audio) = &sent[1] else {
        panic!("{sent:?}")
    };
    assert!(audio.starts_with(b"type:ProcessTranscription\n"));
    assert!(matches!(sent[2], WsMessage::Close(_)));
}

#[tokio::test]
async fn a_socket_that_breaks_ends_the_events_with_a_typed_error_after_those_delivered() {
    let mock = MockWebSocket::new();
    mock.push_message(scripted("TranscriptionStarted", r#"{"sessionId":"s"}"#))
        .push_error(TransportErrorKind::Body, "the peer went away");
    let mut dialog = mocked(&mock)
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    assert_eq!(kind(&next(&mut dialog).await), "TranscriptionStarted");
    let error = tokio::time::timeout(Duration::from_secs(5), dialog.events.next())
        .await
        .unwrap()
        .expect("an error item")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.to_string().contains("the peer went away"), "{error}");
    assert!(dialog.events.next().await.is_none());
}

#[tokio::test]
async fn an_emulator_that_stops_mid_session_ends_the_events_after_those_delivered() {
    let (emulator, client) = setup().await;
    let mut dialog = client
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    dialog
        .sender
        .start(StartTranscription::new("p"))
        .await
        .unwrap();
    assert_eq!(kind(&next(&mut dialog).await), "TranscriptionStarted");
    // The emulator goes away (its sessions close, 1001) before the session
    // completed: a typed error, then the end.
    emulator.shutdown(Duration::from_secs(1)).await;
    let error = tokio::time::timeout(Duration::from_secs(10), dialog.events.next())
        .await
        .unwrap()
        .expect("an error item")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(
        error
            .to_string()
            .contains("before TranscriptionCompleted (1001"),
        "{error}"
    );
    assert!(dialog.events.next().await.is_none());
}

/// A peer that takes one message every 2 ms, and counts them.
#[derive(Debug, Default)]
struct SlowPeer {
    delivered: Arc<std::sync::atomic::AtomicUsize>,
}

#[async_trait::async_trait]
impl WebSocketTransport for SlowPeer {
    async fn connect(
        &self,
        _request: aliyun_ai::transport::http::Request<()>,
    ) -> Result<
        aliyun_ai::transport::websocket::WebSocketConnection,
        aliyun_ai::transport::websocket::WebSocketError,
    > {
        let delivered = self.delivered.clone();
        let sender = futures_util::sink::unfold((), move |(), _message: WsMessage| {
            let delivered = delivered.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(2)).await;
                delivered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok::<_, aliyun_ai::transport::TransportError>(())
            }
        });
        Ok(aliyun_ai::transport::websocket::WebSocketConnection::new(
            Default::default(),
            Box::pin(sender),
            Box::pin(futures_util::stream::pending()),
        ))
    }
}

#[tokio::test]
async fn audio_sent_faster_than_the_socket_drains_waits_on_a_bounded_queue() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let peer = SlowPeer::default();
    let delivered = peer.delivered.clone();
    let dialog = client_over(Arc::new(peer))
        .dianjin()
        .end_to_end_real_time_dialog(request())
        .await
        .unwrap();
    // 150 tenths of a second of audio, pushed without pause (far more than
    // ten times real time) at a peer that takes one every 2 ms.
    let accepted = Arc::new(AtomicUsize::new(0));
    let counting = accepted.clone();
    let sender = dialog.sender.clone();
    let feeding = tokio::spawn(async move {
        for _ in 0..150 {
            sender.send_audio(tenth(false)).await.unwrap();
            counting.fetch_add(1, Ordering::SeqCst);
        }
    });
    let mut most_in_flight = 0;
    while !feeding.is_finished() {
        let sent = accepted.load(Ordering::SeqCst);
        let in_flight = sent.saturating_sub(delivered.load(Ordering::SeqCst));
        most_in_flight = most_in_flight.max(in_flight);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    feeding.await.unwrap();
    // The queue (16) plus the message being written and the one the loop
    // holds: never the 150 chunks the caller pushed.
    assert!(
        most_in_flight <= 18,
        "{most_in_flight} chunks were buffered"
    );
    assert!(
        most_in_flight >= 10,
        "the queue never filled ({most_in_flight}): no pressure was applied"
    );
}
