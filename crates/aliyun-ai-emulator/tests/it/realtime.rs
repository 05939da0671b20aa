//! EndToEndRealTimeDialog as the emulator holds it (issue 22): the vendor
//! SDK's captured upgrade, accepted at its `x-acs-date` and refused when
//! replayed or changed, then its captured frames played over the socket; and
//! the session's script, driven by a raw WebSocket client.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::auth::time::parse_iso8601;
use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig, ManualTimer};
use aliyun_ai_transport::awap::{AwapLimits, AwapMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::raw::{replace_once, request_header, send};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/vendor-requests")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const UPGRADE: &str = "dianjin-EndToEndRealTimeDialog-ws.http";

async fn emulator_at_the_capture() -> Emulator {
    emulator_at_the_capture_with(|config| config).await
}

/// An emulator that accepts the capture (its credentials, its clock), with
/// `adjust` applied to its config.
async fn emulator_at_the_capture_with(adjust: fn(EmulatorConfig) -> EmulatorConfig) -> Emulator {
    let raw = fixture(UPGRADE);
    let date = request_header(&raw, "x-acs-date").expect("a date");
    let config = EmulatorConfig::default()
        .with_credentials(Credentials::new(
            "LTAI5tVendorSdkCapture",
            "VendorSdkCaptureSecret",
            "sk-vendor-sdk-capture",
        ))
        .with_time(Arc::new(ManualTimer::at(parse_iso8601(&date).unwrap())));
    Emulator::start_with(adjust(config)).await.unwrap()
}

/// The frames of the capture's `-frames.txt`, as the SDK sent them: each
/// text frame's exact bytes, each binary frame's header text then its bytes
/// from hex.
fn captured_frames() -> Vec<Message> {
    let text = String::from_utf8(fixture("dianjin-EndToEndRealTimeDialog-frames.txt")).unwrap();
    let mut frames = Vec::new();
    for section in text.split("\n--- ").skip(1) {
        let (description, content) = section.split_once('\n').unwrap();
        let length: usize = description
            .rsplit(", ")
            .next()
            .and_then(|last| last.strip_suffix(" bytes"))
            .and_then(|n| n.parse().ok())
            .unwrap();
        if description.starts_with("text frame") {
            frames.push(Message::text(&content[..length]));
        } else if description.starts_with("binary frame") {
            let (headers, hex) = content.split_once("\n\n").unwrap();
            let mut bytes = format!("{headers}\n\n").into_bytes();
            let hex = hex.trim();
            bytes.extend(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()),
            );
            assert_eq!(bytes.len(), length, "{description}");
            frames.push(Message::binary(bytes));
        } else if description.starts_with("ping frame") {
            frames.push(Message::Ping(Default::default()));
        }
    }
    frames
}

/// Writes the raw upgrade, reads the answer's head; the socket when it is 101.
async fn upgrade(emulator: &Emulator, raw: &[u8]) -> (String, TcpStream) {
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    stream.write_all(raw).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "closed before the head"
        );
        head.push(byte[0]);
    }
    (String::from_utf8(head).unwrap(), stream)
}

/// The next AWAP message from the server, skipping pongs.
async fn next(socket: &mut WebSocketStream<TcpStream>) -> AwapMessage {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the server answered")
            .expect("the socket is open")
            .expect("a message");
        match message {
            Message::Text(text) => {
                return AwapMessage::decode_text(text.as_str(), &AwapLimits::default()).unwrap();
            }
            Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_vendors_captured_upgrade_and_frames_hold_a_session() {
    let raw = fixture(UPGRADE);
    let frames = captured_frames();
    assert_eq!(frames.len(), 4, "ping, start, audio, stop");
    // Every captured frame is an AWAP message the codec reads.
    let limits = AwapLimits::default();
    let kinds: Vec<String> = frames
        .iter()
        .filter_map(|frame| match frame {
            Message::Text(text) => Some(AwapMessage::decode_text(text.as_str(), &limits).unwrap()),
            Message::Binary(bytes) => Some(AwapMessage::decode_binary(bytes, &limits).unwrap()),
            _ => None,
        })
        .map(|message| message.kind().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "StartTranscription",
            "ProcessTranscription",
            "StopTranscription"
        ]
    );

    let emulator = emulator_at_the_capture().await;
    let (head, stream) = upgrade(&emulator, &raw).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("sec-websocket-protocol: awap\r\n"), "{head}");
    // RFC 6455's accept key of the capture's `Sec-WebSocket-Key`.
    let key = request_header(&raw, "sec-websocket-key").unwrap();
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    assert!(
        lower.contains(&format!(
            "sec-websocket-accept: {}\r\n",
            accept.to_ascii_lowercase()
        )),
        "{head}"
    );

    let mut socket = WebSocketStream::from_raw_socket(stream, Role::Client, None).await;
    let mut frames = frames.into_iter();
    socket.send(frames.next().unwrap()).await.unwrap(); // ping
    socket.send(frames.next().unwrap()).await.unwrap(); // start
    let started = next(&mut socket).await;
    assert_eq!(started.kind(), "TranscriptionStarted");
    let payload: serde_json::Value = serde_json::from_str(started.text_payload().unwrap()).unwrap();
    // `metaData.name` of the capture (张三) fills the opening remarks.
    assert!(
        payload["openingRemarks"].as_str().unwrap().contains("张三"),
        "{payload}"
    );
    assert!(
        payload["sessionId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(started.seq(), Some(1));
    socket.send(frames.next().unwrap()).await.unwrap(); // 640 bytes: no partial yet
    socket.send(frames.next().unwrap()).await.unwrap(); // stop
    assert_eq!(next(&mut socket).await.kind(), "TranscriptionCompleted");
    // Then the server closes normally.
    let closing = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .unwrap();
    assert!(
        matches!(closing, Some(Ok(Message::Close(_))) | None),
        "{closing:?}"
    );

    // The same bytes again: a reused nonce, refused before any upgrade.
    let again = send(emulator.addr(), &raw).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (400, "SignatureNonceUsed")
    );
    // A signed header changed: the signature fails.
    let emulator = emulator_at_the_capture().await;
    let changed = replace_once(&raw, b"(Linux; x86_64)", b"(Linux; x86_65)");
    let refused = send(emulator.addr(), &changed).await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
}

/// A session opened from the capture (at its clock), the start sent.
async fn started_session(emulator: &Emulator) -> WebSocketStream<TcpStream> {
    let (head, stream) = upgrade(emulator, &fixture(UPGRADE)).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let mut socket = WebSocketStream::from_raw_socket(stream, Role::Client, None).await;
    let start = AwapMessage::text("StartTranscription", r#"{"playCode":"p","metaData":{}}"#)
        .with_header("id", "00000000000000000000000000000001")
        .with_header("ack", "required");
    socket
        .send(Message::text(start.encode_text().unwrap()))
        .await
        .unwrap();
    let started = next(&mut socket).await;
    assert_eq!(started.kind(), "TranscriptionStarted");
    assert_eq!(started.ack_id(), Some("00000000000000000000000000000001"));
    socket
}

fn audio(bytes: Vec<u8>) -> Message {
    Message::binary(
        AwapMessage::binary("ProcessTranscription", bytes)
            .encode_binary()
            .unwrap(),
    )
}

#[tokio::test]
async fn audio_drives_partials_sentences_replies_interruptions_and_the_end() {
    let emulator = emulator_at_the_capture().await;
    let mut socket = started_session(&emulator).await;
    // One second of 16 kHz 16-bit silence, in tenths: ten partials, then the
    // intention and the reply audio (a WAV file: `outputFormat=wav`).
    for _ in 0..10 {
        socket.send(audio(vec![0u8; 3200])).await.unwrap();
    }
    let mut kinds = Vec::new();
    let mut reply_audio = Vec::new();
    while kinds.last().map(String::as_str) != Some("SentenceEnd") {
        let message = next(&mut socket).await;
        if message.kind() == "SentenceEnd" {
            let payload: serde_json::Value =
                serde_json::from_str(message.text_payload().unwrap()).unwrap();
            reply_audio = payload["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_u64().unwrap() as u8)
                .collect();
            assert_eq!(payload["messageEnd"], true);
        }
        kinds.push(message.kind().to_owned());
    }
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "TranscriptionResultChanged")
            .count(),
        10,
        "{kinds:?}"
    );
    assert_eq!(&kinds[kinds.len() - 2..], ["BizProcessing", "SentenceEnd"]);
    assert_eq!(&reply_audio[..4], b"RIFF");
    assert_eq!(&reply_audio[8..12], b"WAVE");

    // Speech over the reply interrupts it.
    socket.send(audio(vec![9u8; 3200])).await.unwrap();
    assert_eq!(next(&mut socket).await.kind(), "SentenceInterrupted");
    assert_eq!(next(&mut socket).await.kind(), "TranscriptionResultChanged");
    // The second sentence ends the dialogue: TranscriptionEnd.
    for _ in 0..9 {
        socket.send(audio(vec![0u8; 3200])).await.unwrap();
    }
    let mut kinds = Vec::new();
    while kinds.last().map(String::as_str) != Some("TranscriptionEnd") {
        kinds.push(next(&mut socket).await.kind().to_owned());
    }
    assert!(kinds.contains(&"SentenceEnd".to_owned()), "{kinds:?}");

    // The metadata's text form of audio is accepted too, with its ack.
    let text_audio = AwapMessage::text(
        "ProcessTranscription",
        r#"{"dataSourceType":"customer","data":[0,0,0,0]}"#,
    )
    .with_header("id", "00000000000000000000000000000002")
    .with_header("ack", "required");
    socket
        .send(Message::text(text_audio.encode_text().unwrap()))
        .await
        .unwrap();
    let ack = next(&mut socket).await;
    assert_eq!(
        (ack.kind(), ack.ack_id()),
        ("Ack", Some("00000000000000000000000000000002"))
    );
}

#[tokio::test]
async fn misuse_gets_error_messages_and_an_oversized_frame_closes_the_socket() {
    let emulator = emulator_at_the_capture().await;
    let mut socket = started_session(&emulator).await;
    let second = AwapMessage::text("StartTranscription", "{}")
        .encode_text()
        .unwrap();
    socket.send(Message::text(second)).await.unwrap();
    let error = next(&mut socket).await;
    assert_eq!(error.kind(), "Error");
    assert!(
        error.text_payload().unwrap().contains("\"code\":\"400\""),
        "{error:?}"
    );
    socket
        .send(Message::text(
            AwapMessage::text("Dance", "{}").encode_text().unwrap(),
        ))
        .await
        .unwrap();
    assert!(
        next(&mut socket)
            .await
            .text_payload()
            .unwrap()
            .contains("unknown message type")
    );
    socket
        .send(Message::text("no headers at all"))
        .await
        .unwrap();
    assert_eq!(next(&mut socket).await.kind(), "Error");
    // Over the emulator's 1 MiB: closed with 1009 (message too big).
    let _ = socket.send(audio(vec![0u8; 2 * 1024 * 1024])).await;
    let closing = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .unwrap();
    match closing {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1009),
        other => panic!("not closed as too big: {other:?}"),
    }
}

#[tokio::test]
async fn a_reconnect_request_reaches_the_open_session() {
    let emulator = emulator_at_the_capture().await;
    let mut socket = started_session(&emulator).await;
    emulator.reconnect_sessions();
    assert_eq!(next(&mut socket).await.kind(), "RECONNECT");
}

#[tokio::test]
async fn an_idle_session_gets_an_error_then_a_close() {
    let emulator = emulator_at_the_capture_with(|config| {
        config.with_realtime_idle_timeout(Duration::from_millis(200))
    })
    .await;
    let mut socket = started_session(&emulator).await;
    // Nothing more is sent.
    let error = next(&mut socket).await;
    assert_eq!(error.kind(), "Error");
    assert!(error.text_payload().unwrap().contains("idle"), "{error:?}");
    let closing = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .unwrap();
    assert!(
        matches!(closing, Some(Ok(Message::Close(_))) | None),
        "{closing:?}"
    );
}
