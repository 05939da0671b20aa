//! DianJin's EndToEndRealTimeDialog as the gateway holds it: the upgrade is
//! verified like any request (the pipeline of `server.rs`), answered `101
//! Switching Protocols` with `Sec-WebSocket-Protocol: awap`, then the
//! session follows a deterministic script driven by what the client sends.
//!
//! The script (the messages and fields are the metadata's,
//! `docs/openmeta/dianjin-2024-06-28.zh_cn.json`; the pacing is the
//! emulator's own):
//! - `StartTranscription` → `TranscriptionStarted` with a session id and the
//!   opening remarks, `${name}`-style placeholders filled from `metaData`.
//! - audio (binary `ProcessTranscription` frames, as the SDK sends them, or
//!   the metadata's text form with `dataSourceType` and `data` as numbers) →
//!   a `TranscriptionResultChanged` for every tenth of a second of audio;
//!   after each second, `BizProcessing` with an intention, then `SentenceEnd`
//!   carrying synthesised reply audio in the requested `outputFormat`
//!   (`data` as numbers, as the metadata shows). Audio with a non-zero byte
//!   (speech, not silence) within the next half second of a reply →
//!   `SentenceInterrupted`. After the second sentence, `TranscriptionEnd`.
//! - `StopTranscription` → `TranscriptionCompleted`, then a normal close.
//! - Misuse → `Error` (`code` `400`, the metadata's list): audio or a stop
//!   before the start, a second start, an unknown type, a frame that is no
//!   AWAP message. An oversized frame closes the socket (1009).
//! - `ack:required`: the direct answer carries `ack-id` (TranscriptionStarted,
//!   TranscriptionCompleted, Error); otherwise an `Ack` message with `ack-id`
//!   answers. The sources name no type for a bare acknowledgement: `Ack` is
//!   the emulator's choice.
//! - `Emulator::reconnect_sessions` → `RECONNECT`, then a normal close.
//! - `Emulator::shutdown` (or dropping the emulator) → a close, 1001 (going
//!   away).
//! - No message for `EmulatorConfig::realtime_idle_timeout` (60 s) →
//!   `Error` and a close.

use std::sync::Arc;
use std::time::Duration;

use aliyun_ai_core::time::Timer;

use aliyun_ai_transport::awap::{AwapLimits, AwapMessage};
use futures_util::{SinkExt as _, StreamExt as _};
use http::Response;
use hyper::upgrade::OnUpgrade;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::call::Call;
use crate::responders::Body;
use crate::state::SessionSignal;
use crate::upgrade::{going_away, switch, too_big};

/// The sub-protocol this module speaks: the operations whose table says
/// `streaming: websocket awap` (DianJin's EndToEndRealTimeDialog).
pub(crate) const PROTOCOL: &str = "awap";

/// The caller's words the partial transcripts spell out, a character per
/// tenth of a second.
const UTTERANCE: &str = "我想了解一下我的贷款额度是多少";

/// Switches a verified upgrade to the session; the `101` answer.
pub(crate) fn accept(call: &Call<'_>, on_upgrade: OnUpgrade) -> Response<Body> {
    let options = Options::from_query(&call.query);
    let idle_timeout = call.inner.config.realtime_idle_timeout;
    let time = call.inner.config.time.clone();
    let session_id = call.inner.state.next_id("S");
    let reconnect = call.inner.sessions.subscribe();
    switch(call, on_upgrade, Some(PROTOCOL), move |socket| {
        Session::new(options, session_id, idle_timeout, time).run(socket, reconnect)
    })
}

/// The query's audio settings.
#[derive(Debug, Clone)]
struct Options {
    /// Bytes of 16-bit mono audio per second.
    bytes_per_second: usize,
    output_format: String,
    sample_rate: u32,
}

impl Options {
    fn from_query(query: &str) -> Self {
        let mut sample_rate = 16_000;
        let mut output_format = "pcm".to_owned();
        for (key, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
            match key {
                "sampleRate" if value.contains("8K") => sample_rate = 8_000,
                "outputFormat" => output_format = value.to_ascii_lowercase(),
                _ => {}
            }
        }
        Self {
            bytes_per_second: sample_rate as usize * 2,
            output_format,
            sample_rate,
        }
    }
}

/// One session's state.
struct Session {
    options: Options,
    idle_timeout: Duration,
    /// The emulator's clock ([`EmulatorConfig::time`](crate::EmulatorConfig)),
    /// for the messages' timestamps.
    time: Arc<dyn Timer>,
    session_id: String,
    started: bool,
    seq: u64,
    /// Audio bytes received since the start.
    audio: usize,
    sentences: u32,
    /// Audio bytes up to which the last reply is "playing".
    reply_until: Option<usize>,
    message_id: u64,
}

/// What the script does with one client message.
enum Next {
    Continue,
    Close,
}

impl Session {
    fn new(
        options: Options,
        session_id: String,
        idle_timeout: Duration,
        time: Arc<dyn Timer>,
    ) -> Self {
        Self {
            options,
            idle_timeout,
            time,
            session_id,
            started: false,
            seq: 0,
            audio: 0,
            sentences: 0,
            reply_until: None,
            message_id: 0,
        }
    }

    async fn run<S>(
        mut self,
        mut socket: WebSocketStream<S>,
        mut reconnect: watch::Receiver<SessionSignal>,
    ) where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        reconnect.mark_unchanged();
        loop {
            let message = tokio::select! {
                message = tokio::time::timeout(self.idle_timeout, socket.next()) => message,
                changed = reconnect.changed() => {
                    let closing = changed.is_err() || reconnect.borrow_and_update().closing;
                    if closing {
                        going_away(&mut socket).await;
                    } else {
                        let reconnect = self.message("RECONNECT", json!({}));
                        let _ = send(&mut socket, reconnect).await;
                        let _ = socket.close(None).await;
                    }
                    return;
                }
            };
            let replies = match message {
                Err(_) => {
                    let error = self.error(None, "the session was idle too long");
                    let _ = send(&mut socket, error).await;
                    let _ = socket.close(None).await;
                    return;
                }
                Ok(None) => return,
                Ok(Some(Err(tungstenite::Error::Capacity(_)))) => {
                    too_big(socket).await;
                    return;
                }
                Ok(Some(Err(_))) => return,
                Ok(Some(Ok(Message::Text(text)))) => {
                    match AwapMessage::decode_text(text.as_str(), &AwapLimits::default()) {
                        Ok(message) => self.on_message(message),
                        Err(error) => (vec![self.error(None, &error.to_string())], Next::Continue),
                    }
                }
                Ok(Some(Ok(Message::Binary(bytes)))) => {
                    match AwapMessage::decode_binary(&bytes, &AwapLimits::default()) {
                        Ok(message) => self.on_message(message),
                        Err(error) => (vec![self.error(None, &error.to_string())], Next::Continue),
                    }
                }
                // Pings are answered by tungstenite; a close ends the loop
                // once tungstenite has answered it.
                Ok(Some(Ok(_))) => (Vec::new(), Next::Continue),
            };
            let (messages, next) = replies;
            for message in messages {
                if send(&mut socket, message).await.is_err() {
                    return;
                }
            }
            if let Next::Close = next {
                let _ = socket.close(None).await;
                return;
            }
        }
    }

    fn on_message(&mut self, message: AwapMessage) -> (Vec<AwapMessage>, Next) {
        let ack = message
            .ack_required()
            .then(|| message.id().unwrap_or_default().to_owned());
        let with_ack = |reply: AwapMessage| match &ack {
            Some(id) => reply.with_header("ack-id", id.clone()),
            None => reply,
        };
        match message.kind() {
            "StartTranscription" if self.started => (
                vec![with_ack(
                    self.error(None, "the transcription has started already"),
                )],
                Next::Continue,
            ),
            "StartTranscription" => {
                self.started = true;
                let payload: Value = message
                    .text_payload()
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or(Value::Null);
                let name = payload["metaData"]["name"].as_str().unwrap_or("客户");
                let started = self.message(
                    "TranscriptionStarted",
                    json!({
                        "sessionId": self.session_id,
                        "openingRemarks": format!("你好，请问你是{name}吗"),
                    }),
                );
                (vec![with_ack(started)], Next::Continue)
            }
            "ProcessTranscription" if !self.started => (
                vec![with_ack(
                    self.error(None, "audio before StartTranscription"),
                )],
                Next::Continue,
            ),
            "ProcessTranscription" => {
                let audio = match message.payload() {
                    aliyun_ai_transport::awap::AwapPayload::Binary(bytes) => bytes.to_vec(),
                    aliyun_ai_transport::awap::AwapPayload::Text(text) => {
                        // The metadata's form: `{"dataSourceType", "data": [..]}`.
                        let payload: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                        if payload["dataSourceType"].as_str() == Some("service") {
                            // "not processed yet" for third-party audio (metadata).
                            Vec::new()
                        } else {
                            payload["data"]
                                .as_array()
                                .map(|data| {
                                    data.iter()
                                        .filter_map(Value::as_u64)
                                        .map(|b| b as u8)
                                        .collect()
                                })
                                .unwrap_or_default()
                        }
                    }
                };
                let mut replies = self.on_audio(&audio);
                if let Some(id) = ack {
                    replies.push(self.message("Ack", json!({})).with_header("ack-id", id));
                }
                (replies, Next::Continue)
            }
            "StopTranscription" if !self.started => (
                vec![with_ack(
                    self.error(None, "StopTranscription before StartTranscription"),
                )],
                Next::Continue,
            ),
            "StopTranscription" => (
                vec![with_ack(self.message("TranscriptionCompleted", json!({})))],
                Next::Close,
            ),
            other => {
                let text = format!("unknown message type {other:?}");
                (vec![with_ack(self.error(None, &text))], Next::Continue)
            }
        }
    }

    /// The messages a piece of audio brings.
    fn on_audio(&mut self, audio: &[u8]) -> Vec<AwapMessage> {
        let mut replies = Vec::new();
        let tenth = (self.options.bytes_per_second / 10).max(1);
        let before = self.audio;
        self.audio += audio.len();
        let speech = audio.iter().any(|&b| b != 0);
        if let Some(until) = self.reply_until {
            if before < until && speech {
                self.reply_until = None;
                replies.push(self.message("SentenceInterrupted", json!({})));
            } else if self.audio >= until {
                self.reply_until = None;
            }
        }
        for tick in (before / tenth + 1)..=(self.audio / tenth) {
            let second = self.options.bytes_per_second / tenth;
            let within = ((tick - 1) % second) + 1;
            let content: String = UTTERANCE.chars().take(within).collect();
            let message_id = self.next_message_id();
            replies.push(self.message(
                "TranscriptionResultChanged",
                json!({"content": content, "messageId": message_id}),
            ));
            if within == second {
                self.sentences += 1;
                replies.extend(self.reply());
                self.reply_until = Some(self.audio + self.options.bytes_per_second / 2);
                if self.sentences == 2 {
                    replies.push(self.message("TranscriptionEnd", json!({})));
                }
            }
        }
        replies
    }

    /// The intention and the synthesised answer to a sentence.
    fn reply(&mut self) -> Vec<AwapMessage> {
        let created = self.seq + 1_754_659_635_543;
        let biz = self.message(
            "BizProcessing",
            json!({
                "id": format!("{}{:04}", self.session_id, self.sentences),
                "choices": [{
                    "index": 0,
                    "finishReason": "stop",
                    "delta": {
                        "intentionCode": "1940679612569849856",
                        "intentionScript": "您的预审额度可以在小程序或APP中查看。",
                        "intentionName": "客户询问额度",
                        "callTime": "819",
                        "hangUpDialog": false,
                        "interrupt": false
                    }
                }],
                "created": created.to_string(),
                "success": true
            }),
        );
        let audio = synthesised(&self.options, self.sentences);
        let message_id = self.next_message_id();
        let end = self.message(
            "SentenceEnd",
            json!({"data": audio, "messageId": message_id, "messageEnd": true}),
        );
        vec![biz, end]
    }

    fn next_message_id(&mut self) -> String {
        self.message_id += 1;
        format!("{:032x}", self.message_id)
    }

    /// A server message: type, seq, timestamp, then the JSON payload.
    fn message(&mut self, kind: &str, payload: Value) -> AwapMessage {
        self.seq += 1;
        let timestamp = self
            .time
            .system_time()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        AwapMessage::text(kind, payload.to_string())
            .with_header("seq", self.seq.to_string())
            .with_header("timestamp", timestamp.to_string())
    }

    fn error(&mut self, code: Option<&str>, message: &str) -> AwapMessage {
        self.message(
            "Error",
            json!({"code": code.unwrap_or("400"), "message": message}),
        )
    }
}

async fn send<S>(socket: &mut WebSocketStream<S>, message: AwapMessage) -> Result<(), ()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    // Every server message of the script is text (JSON).
    let text = message.encode_text().map_err(|_| ())?;
    socket.send(Message::text(text)).await.map_err(|_| ())
}

/// A fifth of a second of a 440 Hz tone (its pitch rising with each
/// sentence), as 16-bit little-endian mono: a WAV file when `outputFormat`
/// is `wav`, raw PCM otherwise.
fn synthesised(options: &Options, sentence: u32) -> Vec<u8> {
    let rate = options.sample_rate;
    let samples = rate / 5;
    let pitch = 440.0 * (1.0 + f64::from(sentence) / 10.0);
    let mut pcm = Vec::with_capacity(samples as usize * 2);
    for n in 0..samples {
        let t = f64::from(n) / f64::from(rate);
        let value = (t * pitch * std::f64::consts::TAU).sin() * 8_000.0;
        pcm.extend_from_slice(&(value as i16).to_le_bytes());
    }
    if options.output_format != "wav" {
        return pcm;
    }
    let mut wav = Vec::with_capacity(44 + pcm.len());
    let data_len = pcm.len() as u32;
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.extend_from_slice(&pcm);
    wav
}
