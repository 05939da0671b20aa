//! A Tingwu live meeting's audio stream at its `MeetingJoinUrl`: a WebSocket
//! speaking the NLS `SpeechTranscriber` protocol
//! ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §4).
//!
//! - The upgrade is authenticated by the URL's `mc` alone (no signature):
//!   only a code the emulator issued, of a meeting not yet stopped, opens;
//!   any other is refused with 403 `Forbidden.MeetingCode` (the real
//!   gateway's answer is unconfirmed: the emulator's choice).
//! - `StartTranscription` → `TranscriptionStarted`. Every command's header is
//!   checked as the NLS gateway checks it: 32-hex `message_id` and
//!   `task_id`, one `task_id` per connection, namespace `SpeechTranscriber`;
//!   a wrong one, audio before the start, a second start or an unknown
//!   command → `TaskFailed` `40000002` and a close.
//! - Binary frames are audio in the task's format (16-bit mono at its
//!   `SampleRate`). The emulator hears nothing: the audio's length is
//!   matched to the fixed meeting of `documents` (the emulator's choice):
//!   when it passes a sentence's start, `SentenceBegin`; every 400 ms within
//!   one, a growing `TranscriptionResultChanged` (with the task's
//!   `OutputLevel` 2 or `enable_intermediate_result`); at its end,
//!   `SentenceEnd` with words, then `ResultTranslated` when the task has
//!   translation.
//! - `StopTranscription` → the sentence under way ends where the audio
//!   stopped, then `TranscriptionCompleted` and a close.
//! - No message for `EmulatorConfig::realtime_idle_timeout` → `TaskFailed`
//!   `40000004` and a close; an oversized frame → a 1009 close; the
//!   emulator's shutdown → a 1001 close.
//! - The audio heard is kept on the task: a second connection (before the
//!   task is stopped) goes on where the first ended, and the task's
//!   Transcription and Translation hold what the streams reached.

use std::sync::Arc;

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_transport::nls::{NlsHeader, NlsMessage, SPEECH_TRANSCRIBER, STATUS_OK, is_nls_id};
use futures_util::{SinkExt as _, StreamExt as _};
use http::Response;
use hyper::upgrade::OnUpgrade;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{self, Message};

use super::documents::{Spoken, split_words, spoken, translated};
use crate::call::{Call, Inner};
use crate::query::query_param;
use crate::responders::Body;
use crate::state::SessionSignal;
use crate::upgrade::{MAX_MESSAGE_BYTES, Socket, going_away, switch, too_big};

/// How often a partial result comes within a sentence, in ms of audio.
const PARTIAL_EVERY_MS: u64 = 400;

/// The NLS gateway's status texts (`Gateway:<WHAT>:<message>`, §4.5, §4.6).
const INVALID: u32 = 40_000_002;
const IDLE_TIMEOUT: u32 = 40_000_004;

/// Answers a request at [`MEETING_PATH`](crate::router::MEETING_PATH): the meeting's socket for a known `mc`.
pub(crate) fn accept(call: &Call<'_>, on_upgrade: Option<OnUpgrade>) -> Response<Body> {
    let code = query_param(&call.query, "mc").unwrap_or_default();
    let meeting = call.inner.state.with(|s| {
        s.tingwu_tasks
            .iter()
            .find(|(_, task)| {
                task.stopped.is_none()
                    && !code.is_empty()
                    && task.meeting_code == Some(code.clone())
            })
            .map(|(id, task)| (id.clone(), task.request.clone(), task.heard_ms))
    });
    let Some((task_id, request, heard_ms)) = meeting else {
        return call.error(
            403,
            "Forbidden.MeetingCode",
            "the meeting code is unknown or its meeting has ended",
        );
    };
    let Some(on_upgrade) = on_upgrade else {
        return call.error(
            400,
            "InvalidParameter",
            "a MeetingJoinUrl is opened as a WebSocket",
        );
    };
    let session = Session {
        inner: call.inner.clone(),
        options: Options::from_task(&request),
        task_id,
        session_id: sha256_hex(call.inner.state.next_id("meeting").as_bytes())[..32].to_owned(),
        connection_id: None,
        started: false,
        heard_ms,
        message_counter: 0,
    };
    let signal = call.inner.sessions.subscribe();
    switch(call, on_upgrade, None, move |socket| {
        session.run(socket, signal)
    })
}

/// The task's audio and output settings.
struct Options {
    /// Bytes of 16-bit mono audio per second.
    bytes_per_second: u64,
    /// Partial results (`OutputLevel` 2).
    intermediate: bool,
    source_lang: String,
    /// The translation's target language, when the task translates.
    target_lang: Option<String>,
}

impl Options {
    fn from_task(request: &Value) -> Self {
        let parameters = &request["Parameters"];
        let rate = request["Input"]["SampleRate"].as_u64().unwrap_or(16_000);
        let target_lang = (parameters["TranslationEnabled"].as_bool() == Some(true)).then(|| {
            parameters["Translation"]["TargetLanguages"][0]
                .as_str()
                .unwrap_or("en")
                .to_owned()
        });
        Self {
            bytes_per_second: rate * 2,
            intermediate: parameters["Transcription"]["OutputLevel"].as_i64() == Some(2),
            source_lang: request["Input"]["SourceLanguage"]
                .as_str()
                .unwrap_or("cn")
                .to_owned(),
            target_lang,
        }
    }
}

/// One connection's state.
struct Session {
    inner: Arc<Inner>,
    options: Options,
    /// The Tingwu task the meeting belongs to.
    task_id: String,
    session_id: String,
    /// The `task_id` of the connection's first command.
    connection_id: Option<String>,
    started: bool,
    /// Ms of the meeting's audio heard (by every connection of the task).
    heard_ms: u64,
    message_counter: u64,
}

/// What a client message leads to.
enum Next {
    Continue,
    Close,
}

impl Session {
    async fn run(mut self, mut socket: Socket, mut signal: watch::Receiver<SessionSignal>) {
        signal.mark_unchanged();
        let idle = self.inner.config.realtime_idle_timeout;
        loop {
            let message = tokio::select! {
                message = tokio::time::timeout(idle, socket.next()) => message,
                changed = signal.changed() => {
                    // The meetings have no RECONNECT; only a shutdown ends them.
                    if changed.is_err() || signal.borrow_and_update().closing {
                        going_away(&mut socket).await;
                        return;
                    }
                    continue;
                }
            };
            let (events, next) = match message {
                Err(_) => (
                    vec![self.failed(IDLE_TIMEOUT, "Gateway:IDLE_TIMEOUT:Idle timeout.")],
                    Next::Close,
                ),
                Ok(Some(Err(tungstenite::Error::Capacity(_)))) => {
                    too_big(socket).await;
                    return;
                }
                Ok(None | Some(Err(_))) => return,
                Ok(Some(Ok(Message::Text(text)))) => self.on_command(text.as_str()),
                Ok(Some(Ok(Message::Binary(audio)))) if self.started => {
                    (self.on_audio(audio.len()), Next::Continue)
                }
                Ok(Some(Ok(Message::Binary(_)))) => (
                    vec![self.failed(
                        INVALID,
                        "Gateway:MESSAGE_INVALID:audio before StartTranscription.",
                    )],
                    Next::Close,
                ),
                // Pings are answered by tungstenite; a close ends the loop
                // once tungstenite has answered it.
                Ok(Some(Ok(_))) => (Vec::new(), Next::Continue),
            };
            for event in events {
                if socket.send(Message::text(event.encode())).await.is_err() {
                    return;
                }
            }
            if let Next::Close = next {
                let _ = socket.close(None).await;
                return;
            }
        }
    }

    fn on_command(&mut self, text: &str) -> (Vec<NlsMessage>, Next) {
        let message = match NlsMessage::decode(text, MAX_MESSAGE_BYTES) {
            Ok(message) => message,
            Err(error) => {
                let why = format!("Gateway:MESSAGE_INVALID:{error}.");
                return (vec![self.failed(INVALID, &why)], Next::Close);
            }
        };
        let header = &message.header;
        let refusal = if !is_nls_id(&header.message_id) {
            Some("Invalid message id")
        } else if !is_nls_id(&header.task_id) {
            Some("Invalid task id")
        } else if self
            .connection_id
            .as_ref()
            .is_some_and(|id| *id != header.task_id)
        {
            Some("task id changed within the connection")
        } else if header.namespace != SPEECH_TRANSCRIBER {
            Some("Invalid namespace")
        } else {
            None
        };
        if let Some(why) = refusal {
            let why = format!("Gateway:MESSAGE_INVALID:{why}.");
            return (vec![self.failed(INVALID, &why)], Next::Close);
        }
        self.connection_id = Some(header.task_id.clone());
        match (message.name(), self.started) {
            ("StartTranscription", false) => {
                self.started = true;
                if message.payload["enable_intermediate_result"].as_bool() == Some(true) {
                    self.options.intermediate = true;
                }
                let session_id = self.session_id.clone();
                let started = self.event("TranscriptionStarted", json!({"session_id": session_id}));
                (vec![started], Next::Continue)
            }
            ("StopTranscription", true) => {
                let mut events = self.finish_sentence();
                events.push(self.event("TranscriptionCompleted", Value::Null));
                (events, Next::Close)
            }
            // Accepted without an answer: its payload keys are unconfirmed.
            ("ControlTranscriber", true) => (Vec::new(), Next::Continue),
            (name, started) => {
                let why = match (name, started) {
                    ("StartTranscription", _) => "the transcription has started already".to_owned(),
                    ("StopTranscription" | "ControlTranscriber", _) => {
                        format!("{name} before StartTranscription")
                    }
                    _ => format!("unknown command {name:?}"),
                };
                let why = format!("Gateway:MESSAGE_INVALID:{why}.");
                (vec![self.failed(INVALID, &why)], Next::Close)
            }
        }
    }

    /// The events `bytes` more of audio bring.
    fn on_audio(&mut self, bytes: usize) -> Vec<NlsMessage> {
        let before = self.heard_ms;
        let added = bytes as u64 * 1000 / self.options.bytes_per_second.max(1);
        self.heard_ms += added;
        let now = self.heard_ms;
        self.keep_heard();
        let mut events = Vec::new();
        for (index, sentence) in spoken(u64::MAX).into_iter().enumerate() {
            let index = index as u64 + 1;
            if sentence.start >= before && sentence.start < now {
                events.push(self.event(
                    "SentenceBegin",
                    json!({"index": index, "time": sentence.start}),
                ));
            }
            let within = sentence.start < now && before < sentence.end;
            if !within {
                continue;
            }
            if self.options.intermediate && now < sentence.end {
                let ticks = |ms: u64| ms.saturating_sub(sentence.start) / PARTIAL_EVERY_MS;
                if ticks(now) > ticks(before) || sentence.start >= before {
                    let so_far = spoken(now).pop().map(|s| s.text).unwrap_or_default();
                    events.push(self.event(
                        "TranscriptionResultChanged",
                        json!({"index": index, "time": now, "result": so_far, "status": 0,
                            "words": []}),
                    ));
                }
            }
            if sentence.end <= now {
                events.extend(self.sentence_end(index, &sentence));
            }
        }
        events
    }

    /// At a stop: the sentence under way ends where the audio stopped.
    fn finish_sentence(&mut self) -> Vec<NlsMessage> {
        let mut heard = spoken(self.heard_ms);
        let whole = spoken(u64::MAX);
        let index = heard.len();
        match heard.pop() {
            // Cut short: the meeting's sentence ends later.
            Some(last) if whole.get(index - 1).is_some_and(|s| s.end > last.end) => {
                self.sentence_end(index as u64, &last)
            }
            _ => Vec::new(),
        }
    }

    /// `SentenceEnd`, and its translation when the task translates.
    fn sentence_end(&mut self, index: u64, sentence: &Spoken) -> Vec<NlsMessage> {
        let words: Vec<Value> = split_words(&sentence.text, sentence.start, sentence.end)
            .into_iter()
            .map(|(text, start, end)| json!({"text": text, "startTime": start, "endTime": end}))
            .collect();
        let end = self.event(
            "SentenceEnd",
            json!({"index": index, "time": sentence.end, "begin_time": sentence.start,
                "result": sentence.text, "confidence": 0.95, "status": 0, "words": words,
                "speaker_id": sentence.speaker}),
        );
        let mut events = vec![end];
        if let Some(target) = self.options.target_lang.clone() {
            let source = self.options.source_lang.clone();
            let mut translation = self.event(
                "ResultTranslated",
                json!({"speaker_id": sentence.speaker, "source_lang": source, "target_lang": target,
                    "translate_result": [{"text": translated(&sentence.text), "index": index,
                        "beginTime": sentence.start, "endTime": sentence.end, "partial": false}]}),
            );
            translation.header.source_message_id = Some(events[0].header.message_id.clone());
            events.push(translation);
        }
        events
    }

    /// Keeps the audio heard on the task, for its documents and a next
    /// connection.
    fn keep_heard(&self) {
        let heard = self.heard_ms;
        self.inner.state.with(|s| {
            if let Some(task) = s.tingwu_tasks.get_mut(&self.task_id) {
                task.heard_ms = task.heard_ms.max(heard);
            }
        });
    }

    /// An event of the transcriber, status OK.
    fn event(&mut self, name: &str, payload: Value) -> NlsMessage {
        self.message(name, payload, STATUS_OK, "Gateway:SUCCESS:Success.")
    }

    /// `TaskFailed` with a status and its text.
    fn failed(&mut self, status: u32, text: &str) -> NlsMessage {
        self.message("TaskFailed", Value::Null, status, text)
    }

    fn message(&mut self, name: &str, payload: Value, status: u32, text: &str) -> NlsMessage {
        self.message_counter += 1;
        let message_id =
            sha256_hex(format!("{}:{}", self.session_id, self.message_counter).as_bytes())[..32]
                .to_owned();
        let task_id = self.connection_id.clone().unwrap_or_else(|| "0".repeat(32));
        let header = NlsHeader::command(SPEECH_TRANSCRIBER, name, message_id, task_id)
            .with_status(status, text);
        NlsMessage::new(header, payload)
    }
}
