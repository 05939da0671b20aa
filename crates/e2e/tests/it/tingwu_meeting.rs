//! Tingwu live meetings end to end (issue 23): a realtime task created over
//! signed HTTP, its `MeetingJoinUrl` opened over loopback WebSocket, generated
//! PCM streamed up, the NLS events read typed, the task stopped and its
//! transcript downloaded; what is refused, and why.

use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::mock::MockWebSocket;
use aliyun_ai::tingwu::create_task::{
    Input, Parameters, SourceLanguage, TargetLanguage, Transcription, Translation, Type,
};
use aliyun_ai::tingwu::meeting::{LiveMeeting, MeetingEvent, StartTranscription};
use aliyun_ai::tingwu::{CreateTaskRequest, TingwuResults};
use aliyun_ai::transport::http;
use aliyun_ai::transport::nls::{NlsHeader, NlsMessage};
use aliyun_ai::transport::websocket::{TungsteniteTransport, WebSocketTransport, WsMessage};
use aliyun_ai::{AccessKey, ApiKey, Client, Config, ErrorKind, RetryPolicy, SignedUrl};
use aliyun_ai_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;

use crate::support::{quick_wait, setup};

const APP_KEY: &str = "emulator-app";
/// 100 ms of 16 kHz 16-bit mono.
const CHUNK: usize = 3200;

/// A realtime task; with translation to English and partial results when
/// `rich`. Returns its id and join URL.
async fn create_meeting(client: &Client, rich: bool) -> (String, SignedUrl) {
    let mut parameters = Parameters::builder();
    if rich {
        parameters = parameters
            .transcription(Transcription::builder().output_level(2).build())
            .translation_enabled(true)
            .translation(
                Translation::builder()
                    .target_languages([TargetLanguage::En])
                    .build(),
            );
    }
    let request = CreateTaskRequest::builder()
        .type_(Type::Realtime)
        .app_key(APP_KEY)
        .input(
            Input::builder()
                .source_language(SourceLanguage::Cn)
                .format("pcm")
                .sample_rate(16000)
                .build(),
        )
        .parameters(parameters.build().unwrap())
        .build()
        .unwrap();
    let data = client
        .tingwu()
        .create_task(request)
        .await
        .unwrap()
        .data
        .unwrap();
    (data.task_id.unwrap(), data.meeting_join_url.unwrap())
}

/// `seconds` of a 440 Hz tone, 16-bit little-endian mono at 16 kHz.
fn tone(seconds: f64) -> Vec<u8> {
    let samples = (16_000.0 * seconds) as usize;
    (0..samples)
        .flat_map(|n| {
            let t = n as f64 / 16_000.0;
            (((t * 440.0 * std::f64::consts::TAU).sin() * 8_000.0) as i16).to_le_bytes()
        })
        .collect()
}

/// Streams `audio` in 100 ms chunks, stops, and reads every event up to
/// `Completed` (the stream must then end without an error).
async fn stream_meeting(meeting: LiveMeeting, audio: Vec<u8>) -> Vec<MeetingEvent> {
    let (sender, mut events) = meeting.split();
    sender
        .start(StartTranscription::new("pcm", 16_000))
        .await
        .unwrap();
    let first = next(&mut events).await;
    assert!(matches!(first, MeetingEvent::Started { .. }), "{first:?}");
    let feeder = tokio::spawn(async move {
        for chunk in audio.chunks(CHUNK) {
            sender.send_audio(chunk.to_vec()).await.unwrap();
        }
        sender.stop().await.unwrap();
    });
    let mut seen = vec![first];
    loop {
        let event = next(&mut events).await;
        let completed = event == MeetingEvent::Completed;
        seen.push(event);
        if completed {
            break;
        }
    }
    feeder.await.unwrap();
    let after = tokio::time::timeout(Duration::from_secs(5), events.next()).await;
    assert!(
        matches!(after, Ok(None)),
        "the stream ends cleanly: {after:?}"
    );
    seen
}

async fn next(events: &mut aliyun_ai::tingwu::meeting::MeetingEvents) -> MeetingEvent {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream is open")
        .expect("an event, not an error")
}

/// Stops the task, waits for it, and downloads its documents.
async fn results(client: &Client, task_id: &str) -> TingwuResults {
    let tingwu = client.tingwu();
    tingwu.stop_realtime_task(APP_KEY, task_id).await.unwrap();
    let done = tingwu.wait_for_task(task_id, &quick_wait()).await.unwrap();
    tingwu.download_results(&done).await.unwrap()
}

/// The text of each paragraph of a transcript.
fn paragraphs(results: &TingwuResults) -> Vec<String> {
    let transcription = results.transcription.as_ref().expect("a transcript");
    transcription
        .paragraphs
        .iter()
        .flatten()
        .map(|p| {
            p.words
                .iter()
                .flatten()
                .filter_map(|w| w.text.clone())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_whole_meeting_streams_growing_sentences_and_translations_then_its_transcript() {
    let (_emulator, client) = setup().await;
    let (task_id, join_url) = create_meeting(&client, true).await;
    let meeting = client.tingwu().join_meeting(&join_url).await.unwrap();
    let events = stream_meeting(meeting, tone(13.0)).await;

    let finals: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            MeetingEvent::SentenceEnd(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(finals.len(), 4, "{events:#?}");
    let begins = events
        .iter()
        .filter(|e| matches!(e, MeetingEvent::SentenceBegin { .. }))
        .count();
    assert_eq!(begins, 4);
    for (i, sentence) in finals.iter().enumerate() {
        assert_eq!(sentence.index, i as i64 + 1);
        assert!(!sentence.words.is_empty());
        let words: String = sentence.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, sentence.result);
        assert!(sentence.begin_time.unwrap() < sentence.time);
        assert!(sentence.speaker_id.is_some());
    }
    // Partial results grow toward their sentence's final text.
    let partials: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            MeetingEvent::ResultChanged(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(partials.len() >= 8, "{} partials", partials.len());
    for partial in &partials {
        let full = &finals[partial.index as usize - 1].result;
        assert!(full.starts_with(&partial.result), "{partial:?} of {full}");
    }
    let first_sentence: Vec<usize> = partials
        .iter()
        .filter(|p| p.index == 1)
        .map(|p| p.result.chars().count())
        .collect();
    assert!(
        first_sentence.windows(2).all(|w| w[0] <= w[1]) && first_sentence.len() >= 2,
        "{first_sentence:?}"
    );
    // Each translation names the sentence it translates.
    let translations: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            MeetingEvent::Translated(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(translations.len(), 4);
    for (translation, sentence) in translations.iter().zip(&finals) {
        assert_eq!(
            translation.source_message_id.as_deref(),
            Some(sentence.message_id.as_str())
        );
        assert_eq!(translation.target_lang, "en");
        assert!(
            translation.translate_result[0]
                .text
                .ends_with(&sentence.result)
        );
    }

    // After the stop, the task's transcript is what the stream said.
    let results = results(&client, &task_id).await;
    let said: Vec<String> = finals.iter().map(|s| s.result.clone()).collect();
    assert_eq!(paragraphs(&results), said);
    assert_eq!(
        results
            .translation
            .unwrap()
            .paragraphs
            .unwrap_or_default()
            .len(),
        4
    );
}

#[tokio::test]
async fn a_meeting_stopped_mid_sentence_ends_that_sentence_where_the_audio_stopped() {
    let (_emulator, client) = setup().await;
    let (task_id, join_url) = create_meeting(&client, false).await;
    let meeting = client.tingwu().join_meeting(&join_url).await.unwrap();
    // 5 s: the first sentence (to 2.9 s) whole, the second (3.1 to 6.4 s) cut.
    let events = stream_meeting(meeting, tone(5.0)).await;
    let finals: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            MeetingEvent::SentenceEnd(s) => Some(s.result.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(finals.len(), 2, "{events:#?}");
    // Without OutputLevel 2 or enable_intermediate_result: no partials.
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, MeetingEvent::ResultChanged(_)))
    );
    assert_eq!(paragraphs(&results(&client, &task_id).await), finals);
    // 9 characters over 3.3 s, 1.9 s heard: 6 of them.
    assert_eq!(finals[1], "预算执行在计");
}

#[tokio::test]
async fn a_second_connection_goes_on_where_the_first_ended() {
    let (_emulator, client) = setup().await;
    let (task_id, join_url) = create_meeting(&client, false).await;
    let first = client.tingwu().join_meeting(&join_url).await.unwrap();
    let before = stream_meeting(first, tone(3.0)).await;
    let second = client.tingwu().join_meeting(&join_url).await.unwrap();
    let after = stream_meeting(second, tone(10.0)).await;
    let indexes = |events: &[MeetingEvent]| -> Vec<i64> {
        events
            .iter()
            .filter_map(|e| match e {
                MeetingEvent::SentenceEnd(s) => Some(s.index),
                _ => None,
            })
            .collect()
    };
    assert_eq!(indexes(&before), [1]);
    assert_eq!(indexes(&after), [2, 3, 4]);
    assert_eq!(paragraphs(&results(&client, &task_id).await).len(), 4);
}

#[tokio::test]
async fn an_unknown_or_ended_meeting_is_refused_without_printing_its_code() {
    let (_emulator, client) = setup().await;
    let (task_id, join_url) = create_meeting(&client, false).await;
    let forged = SignedUrl::new(join_url.expose().replace("mc=", "mc=0"));
    let error = client.tingwu().join_meeting(&forged).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(403));
    assert_eq!(error.code(), Some("Forbidden.MeetingCode"));
    let code = join_url.expose().split("mc=").nth(1).unwrap().to_owned();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(&code), "{text}");
    }

    client
        .tingwu()
        .stop_realtime_task(APP_KEY, &task_id)
        .await
        .unwrap();
    let error = client.tingwu().join_meeting(&join_url).await.unwrap_err();
    assert_eq!(error.status(), Some(403));
}

#[tokio::test]
async fn only_wss_opens_off_loopback_and_nothing_is_sent_for_a_refused_url() {
    let (_emulator, client) = setup().await;
    for url in [
        "ws://tingwu-realtime.example/api/ws/v1?mc=secret-code",
        "https://tingwu-realtime.example/api/ws/v1?mc=secret-code",
        "not a url ?mc=secret-code",
    ] {
        let error = client
            .tingwu()
            .join_meeting(&SignedUrl::new(url))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Build, "{url}: {error}");
        assert!(!error.to_string().contains("secret-code"), "{error}");
    }
}

#[tokio::test]
async fn audio_before_the_start_fails_the_stream_with_the_gateways_status() {
    let (_emulator, client) = setup().await;
    let (_, join_url) = create_meeting(&client, false).await;
    let (sender, mut events) = client
        .tingwu()
        .join_meeting(&join_url)
        .await
        .unwrap()
        .split();
    sender.send_audio(vec![0u8; CHUNK]).await.unwrap();
    let MeetingEvent::Failed {
        status,
        status_text,
    } = next(&mut events).await
    else {
        panic!("no TaskFailed");
    };
    assert_eq!(status, 40_000_002);
    assert!(status_text.contains("MESSAGE_INVALID"), "{status_text}");
    // The server closes after TaskFailed: the stream ends, with no error.
    let after = tokio::time::timeout(Duration::from_secs(5), events.next()).await;
    assert!(matches!(after, Ok(None)), "{after:?}");
}

#[tokio::test]
async fn a_silent_meeting_times_out_with_40000004() {
    let emulator = Emulator::start_with(
        EmulatorConfig::default().with_realtime_idle_timeout(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let credentials = emulator.credentials();
    let client = Client::new(
        Config::builder()
            .endpoint_for_all(emulator.base_url())
            .access_key(AccessKey::new(
                &credentials.access_key_id,
                credentials.access_key_secret.as_str(),
            ))
            .api_key(ApiKey::new(credentials.api_key.as_str()))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap(),
    );
    let (_, join_url) = create_meeting(&client, false).await;
    let (sender, mut events) = client
        .tingwu()
        .join_meeting(&join_url)
        .await
        .unwrap()
        .split();
    sender
        .start(StartTranscription::new("pcm", 16_000))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut events).await,
        MeetingEvent::Started { .. }
    ));
    let event = next(&mut events).await;
    assert!(
        matches!(
            event,
            MeetingEvent::Failed {
                status: 40_000_004,
                ..
            }
        ),
        "{event:?}"
    );
}

/// The emulator checks each command's header as the NLS gateway does.
#[tokio::test]
async fn a_command_with_a_malformed_message_id_is_refused_by_the_emulator() {
    let (_emulator, client) = setup().await;
    let (_, join_url) = create_meeting(&client, false).await;
    let transport = TungsteniteTransport::new().unwrap();
    let upgrade = http::Request::get(join_url.expose()).body(()).unwrap();
    let mut socket = transport.connect(upgrade).await.unwrap();
    let command = r#"{"header":{"message_id":"not-hex","task_id":"aa11bb22cc33dd44ee55ff6677889900","namespace":"SpeechTranscriber","name":"StartTranscription","appkey":"default"},"payload":{"format":"pcm","sample_rate":16000}}"#;
    futures_util::SinkExt::send(&mut socket.sender, WsMessage::Text(command.into()))
        .await
        .unwrap();
    let Some(Ok(WsMessage::Text(text))) = socket.receiver.next().await else {
        panic!("no answer");
    };
    let answer = NlsMessage::decode(&text, 64 * 1024).unwrap();
    assert_eq!(answer.name(), "TaskFailed");
    assert_eq!(answer.header.status, Some(40_000_002));
    assert!(
        answer
            .header
            .status_text
            .as_deref()
            .unwrap()
            .contains("Invalid message id")
    );
}

fn event(name: &str, payload: serde_json::Value) -> WsMessage {
    let header = NlsHeader::command("SpeechTranscriber", name, "1".repeat(32), "2".repeat(32))
        .with_status(20_000_000, "Gateway:SUCCESS:Success.");
    WsMessage::Text(NlsMessage::new(header, payload).encode())
}

#[tokio::test]
async fn over_the_mock_the_upgrade_is_unsigned_and_a_close_before_completion_is_an_error() {
    let mock = MockWebSocket::new();
    mock.push_message(event(
        "TranscriptionStarted",
        serde_json::json!({"session_id": "s-1"}),
    ))
    .push_message(event(
        "SentenceEnd",
        serde_json::json!({"index": 1, "time": 900, "begin_time": "oops", "result": "x"}),
    ))
    .push_message(event("Surprise", serde_json::Value::Null))
    .push_close(1011, "server error");
    let client = Client::new(
        Config::builder()
            .access_key(AccessKey::new("id", "secret"))
            .websocket_transport(Arc::new(mock.clone()))
            .build()
            .unwrap(),
    );
    let join_url = SignedUrl::new("wss://tingwu-realtime.example/api/ws/v1?mc=the-code");
    let (sender, mut events) = client
        .tingwu()
        .join_meeting(&join_url)
        .await
        .unwrap()
        .split();
    sender
        .start(StartTranscription::new("pcm", 16_000).option("enable_words", true))
        .await
        .unwrap();
    sender.send_audio(vec![7u8; 640]).await.unwrap();
    assert_eq!(
        next(&mut events).await,
        MeetingEvent::Started {
            session_id: "s-1".into()
        }
    );
    // A payload that does not decode is kept whole, with the reason.
    let MeetingEvent::Malformed { message, error } = next(&mut events).await else {
        panic!("no Malformed");
    };
    assert_eq!(message.payload["begin_time"], "oops");
    assert!(error.contains("invalid type"), "{error}");
    assert!(matches!(next(&mut events).await, MeetingEvent::Unknown(m) if m.name() == "Surprise"));
    let error = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.to_string().contains("1011"), "{error}");
    assert!(events.next().await.is_none());

    // The upgrade: the URL as given, the NLS token header, no signature.
    let upgrade = &mock.requests()[0];
    assert_eq!(upgrade.uri.to_string(), join_url.expose());
    assert_eq!(upgrade.headers["x-nls-token"], "default");
    assert!(upgrade.headers.get("authorization").is_none());
    // The frames: the start as NLS JSON, the audio raw.
    let sent = mock.sent();
    let WsMessage::Text(start) = &sent[0] else {
        panic!("the start is text");
    };
    let start = NlsMessage::decode(start, 4096).unwrap();
    assert_eq!(start.name(), "StartTranscription");
    assert_eq!(start.header.appkey.as_deref(), Some("default"));
    assert!(aliyun_ai::transport::nls::is_nls_id(
        &start.header.message_id
    ));
    assert!(aliyun_ai::transport::nls::is_nls_id(&start.header.task_id));
    assert_eq!(start.payload["sample_rate"], 16_000);
    assert_eq!(start.payload["enable_words"], true);
    assert_eq!(sent[1], WsMessage::Binary(vec![7u8; 640].into()));
}
