//! A live meeting's audio stream: the `MeetingJoinUrl` a realtime CreateTask
//! returns, opened as a WebSocket speaking the NLS `SpeechTranscriber`
//! protocol (`aliyun_ai_transport::nls`), the meeting's audio going up and
//! its sentences and translations coming back, live.
//!
//! As with the real-time dialogue, the session is two halves joined by a
//! task that owns the socket: [`MeetingSender`] (start, audio, control, stop,
//! on a bounded queue that waits when the socket drains slower than audio
//! comes) and [`MeetingEvents`] (a stream of typed [`MeetingEvent`]s). The
//! task pings every [`PING_INTERVAL`] (the NLS SDK's default) and ends the
//! events with a typed error when the socket closes before
//! `TranscriptionCompleted` or `TaskFailed`, after the events already
//! delivered.
//!
//! The protocol's facts and what is unconfirmed about them are in
//! [docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md)
//! §4. Ending the socket does not end the task: after
//! [`MeetingSender::stop`] and `TranscriptionCompleted`, stop the task with
//! [`Tingwu::stop_realtime_task`] and wait for its documents.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_core::SignedUrl;
use aliyun_ai_transport::nls::{NlsHeader, NlsMessage, SPEECH_TRANSCRIBER, is_nls_id};
use aliyun_ai_transport::websocket::{WebSocketConnection, WsMessage};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::Tingwu;
use crate::client::Client;
use crate::endpoint::{host_of, is_loopback};
use crate::error::Error;
use crate::session::{closed_error, connect, websocket_transport};

/// How often the session pings the server (the NLS Python SDK's default).
pub const PING_INTERVAL: Duration = Duration::from_secs(8);
/// The longest event the session reads.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;
/// The `appkey` of every command: the vendor's Tingwu samples send
/// `default`, the meeting being named by the URL's `mc` (§4.2).
const APPKEY: &str = "default";
/// Audio chunks queued before [`MeetingSender::send_audio`] waits.
const OUTGOING_QUEUE: usize = 16;
/// Events queued before the session stops reading the socket.
const EVENT_QUEUE: usize = 256;

/// The `StartTranscription` command: the audio's format and the NLS
/// options. The task's own settings (CreateTask's `Input` and `Parameters`)
/// come first; how many of these the gateway honours is unconfirmed (§4.3).
///
/// ```
/// use aliyun_ai::tingwu::meeting::StartTranscription;
///
/// let start = StartTranscription::new("pcm", 16_000)
///     .intermediate_results(true)
///     .option("max_sentence_silence", 800);
/// # let _ = start;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct StartTranscription {
    payload: Map<String, Value>,
}

impl StartTranscription {
    /// Audio of `format` (`pcm`: 16-bit little-endian mono) at
    /// `sample_rate` Hz, as the task was created with.
    pub fn new(format: impl Into<String>, sample_rate: u32) -> Self {
        let mut payload = Map::new();
        payload.insert("format".into(), Value::String(format.into()));
        payload.insert("sample_rate".into(), sample_rate.into());
        Self { payload }
    }

    /// Whether partial results come (`TranscriptionResultChanged`); the
    /// task's `OutputLevel` 2 asks for them too.
    pub fn intermediate_results(self, on: bool) -> Self {
        self.option("enable_intermediate_result", on)
    }

    /// Any other NLS option of the payload (`enable_words`,
    /// `max_sentence_silence`...), as the protocol names it.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.payload.insert(key.into(), value.into());
        self
    }
}

/// One word of a sentence, with its times in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Word {
    /// The word.
    pub text: String,
    /// Its start, ms from the start of the audio.
    #[serde(rename = "startTime", alias = "start_time")]
    pub start_time: i64,
    /// Its end, ms.
    #[serde(rename = "endTime", alias = "end_time")]
    pub end_time: i64,
}

/// The text of a sentence, partial (`TranscriptionResultChanged`) or final
/// (`SentenceEnd`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Sentence {
    /// The sentence's number in the meeting (from 0 in the Tingwu samples,
    /// from 1 on the NLS page).
    pub index: i64,
    /// Ms of audio processed so far (partial) or the sentence's end (final).
    pub time: i64,
    /// The sentence's start, ms (final sentences; NLS).
    #[serde(alias = "beginTime")]
    pub begin_time: Option<i64>,
    /// The text.
    pub result: String,
    /// The recogniser's confidence, 0 to 1 (NLS).
    pub confidence: Option<f64>,
    /// The words with their times (with `enable_words`).
    pub words: Vec<Word>,
    /// The speaker, with diarization (seen by third-party clients; unconfirmed).
    #[serde(alias = "speakerId")]
    pub speaker_id: Option<String>,
    /// The event's `message_id` (a translation names it as its
    /// [`Translation::source_message_id`]).
    #[serde(skip)]
    pub message_id: String,
}

/// One translated sentence of a `ResultTranslated` event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TranslatedSentence {
    /// The translation.
    pub text: String,
    /// The sentence it translates.
    #[serde(alias = "sentenceId")]
    pub index: i64,
    /// Its start, ms.
    #[serde(rename = "beginTime", alias = "begin_time")]
    pub begin_time: i64,
    /// Its end, ms.
    #[serde(rename = "endTime", alias = "end_time")]
    pub end_time: i64,
    /// Whether the source sentence is not final yet.
    pub partial: bool,
}

/// A `ResultTranslated` event: the translations of one source message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Translation {
    /// The speaker.
    #[serde(alias = "speakerId")]
    pub speaker_id: Option<String>,
    /// The source language (`cn`, `en`...).
    pub source_lang: String,
    /// The target language.
    pub target_lang: String,
    /// The translated sentences.
    pub translate_result: Vec<TranslatedSentence>,
    /// The `message_id` of the event the translation belongs to (from the
    /// header's `source_message_id`).
    #[serde(skip)]
    pub source_message_id: Option<String>,
}

/// What the server says during a meeting.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MeetingEvent {
    /// The transcription runs: audio may flow (`TranscriptionStarted`).
    Started {
        /// The server's session id.
        session_id: String,
    },
    /// A sentence starts (`SentenceBegin`).
    SentenceBegin {
        /// Its number.
        index: i64,
        /// Its start, ms.
        time: i64,
    },
    /// A partial result (`TranscriptionResultChanged`, with intermediate
    /// results on): the sentence's text so far.
    ResultChanged(Sentence),
    /// A sentence is final (`SentenceEnd`).
    SentenceEnd(Sentence),
    /// A translation is ready (`ResultTranslated`).
    Translated(Translation),
    /// Everything is flushed after the stop (`TranscriptionCompleted`); the
    /// server closes.
    Completed,
    /// The server failed the stream (`TaskFailed`), then closes: its status
    /// (`40000004` for an idle timeout...) and text.
    Failed {
        /// `header.status`.
        status: u32,
        /// `header.status_text`.
        status_text: String,
    },
    /// A known event whose payload did not decode: the message, whole, and
    /// why (nothing is lost).
    Malformed {
        /// The message as received.
        message: NlsMessage,
        /// The decoder's complaint.
        error: String,
    },
    /// An event of another name, kept whole.
    Unknown(NlsMessage),
}

impl MeetingEvent {
    fn from_message(message: NlsMessage) -> Self {
        fn payload<T: serde::de::DeserializeOwned + Default>(
            message: &NlsMessage,
        ) -> Result<T, String> {
            match &message.payload {
                Value::Null => Ok(T::default()),
                payload => T::deserialize(payload).map_err(|e| e.to_string()),
            }
        }
        let sentence = |message: &NlsMessage| {
            payload::<Sentence>(message).map(|mut sentence| {
                sentence.message_id = message.header.message_id.clone();
                sentence
            })
        };
        let decoded = match message.name() {
            "TranscriptionStarted" => Ok(Self::Started {
                session_id: message.payload["session_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            }),
            "SentenceBegin" => payload::<Sentence>(&message).map(|sentence| Self::SentenceBegin {
                index: sentence.index,
                time: sentence.time,
            }),
            "TranscriptionResultChanged" => sentence(&message).map(Self::ResultChanged),
            "SentenceEnd" => sentence(&message).map(Self::SentenceEnd),
            "ResultTranslated" => payload::<Translation>(&message).map(|mut translation| {
                translation.source_message_id = message.header.source_message_id.clone();
                Self::Translated(translation)
            }),
            "TranscriptionCompleted" => Ok(Self::Completed),
            "TaskFailed" => Ok(Self::Failed {
                status: message.header.status.unwrap_or_default(),
                status_text: message.header.status_text.clone().unwrap_or_default(),
            }),
            _ => return Self::Unknown(message),
        };
        decoded.unwrap_or_else(|error| Self::Malformed { message, error })
    }
}

/// One thing for the socket task to send.
enum Outgoing {
    Command(&'static str, Value),
    Audio(Bytes),
    Close,
}

/// Sends to the meeting; cheap to clone.
#[derive(Debug, Clone)]
pub struct MeetingSender {
    queue: mpsc::Sender<Outgoing>,
}

impl MeetingSender {
    async fn push(&self, outgoing: Outgoing) -> Result<(), Error> {
        self.queue
            .send(outgoing)
            .await
            .map_err(|_| closed_error("the live meeting's audio stream has ended"))
    }

    /// Starts the transcription (`StartTranscription`); send audio after
    /// [`MeetingEvent::Started`].
    pub async fn start(&self, start: StartTranscription) -> Result<(), Error> {
        self.push(Outgoing::Command(
            "StartTranscription",
            Value::Object(start.payload),
        ))
        .await
    }

    /// Sends a piece of audio (a binary frame, unwrapped), in the task's
    /// format; 3,200 bytes is 100 ms of 16 kHz pcm. Waits while the queue to
    /// the socket is full.
    pub async fn send_audio(&self, audio: impl Into<Bytes>) -> Result<(), Error> {
        self.push(Outgoing::Audio(audio.into())).await
    }

    /// Sends `ControlTranscriber` with a payload of your own (switching
    /// translation during a meeting, plausibly; its keys are unconfirmed).
    pub async fn control(&self, payload: Value) -> Result<(), Error> {
        self.push(Outgoing::Command("ControlTranscriber", payload))
            .await
    }

    /// Ends the audio (`StopTranscription`): the server flushes the last
    /// sentences, answers [`MeetingEvent::Completed`] and closes.
    pub async fn stop(&self) -> Result<(), Error> {
        self.push(Outgoing::Command("StopTranscription", Value::Null))
            .await
    }

    /// Closes the socket now, without a stop (the task goes on: a meeting
    /// ends only with [`Tingwu::stop_realtime_task`]).
    pub async fn close(&self) -> Result<(), Error> {
        self.push(Outgoing::Close).await
    }
}

/// The server's events, as they arrive; ends when the socket closes.
pub struct MeetingEvents {
    events: mpsc::Receiver<Result<MeetingEvent, Error>>,
}

impl std::fmt::Debug for MeetingEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingEvents").finish_non_exhaustive()
    }
}

impl Stream for MeetingEvents {
    type Item = Result<MeetingEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}

/// An open live meeting: [`LiveMeeting::split`] it to send audio from one
/// task and read events in another.
#[derive(Debug)]
pub struct LiveMeeting {
    /// Sends start, audio and stop.
    pub sender: MeetingSender,
    /// The server's events.
    pub events: MeetingEvents,
}

impl LiveMeeting {
    /// The two halves.
    pub fn split(self) -> (MeetingSender, MeetingEvents) {
        (self.sender, self.events)
    }
}

impl Tingwu<'_> {
    /// Opens a live meeting's audio stream at `join_url`, the
    /// `MeetingJoinUrl` of a realtime CreateTask, used exactly as given: the
    /// URL's `mc` is the meeting's credential, so the upgrade is not signed
    /// (it carries `X-NLS-Token: default`, as the vendor's NLS SDKs send
    /// it). Only `wss://` is opened (`ws://` on loopback, or with
    /// `ConfigBuilder::allow_insecure_http`). A refused upgrade (an unknown
    /// or ended meeting) is a `Service` error with its status and code.
    ///
    /// ```no_run
    /// use aliyun_ai::tingwu::meeting::{MeetingEvent, StartTranscription};
    /// use aliyun_ai::SignedUrl;
    /// use aliyun_ai::StreamExt as _;
    ///
    /// # async fn run(client: aliyun_ai::Client, join_url: SignedUrl, audio: Vec<Vec<u8>>) -> Result<(), aliyun_ai::Error> {
    /// let (sender, mut events) = client.tingwu().join_meeting(&join_url).await?.split();
    /// sender.start(StartTranscription::new("pcm", 16_000)).await?;
    /// tokio::spawn(async move {
    ///     for chunk in audio {
    ///         if sender.send_audio(chunk).await.is_err() {
    ///             break;
    ///         }
    ///     }
    ///     let _ = sender.stop().await;
    /// });
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         MeetingEvent::SentenceEnd(sentence) => println!("{}", sentence.result),
    ///         MeetingEvent::Completed => break,
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn join_meeting(&self, join_url: &SignedUrl) -> Result<LiveMeeting, Error> {
        let client = self.client.clone();
        let upgrade = meeting_upgrade(&client, join_url)?;
        let transport = websocket_transport(&client)?;
        let connection = connect(transport.as_ref(), upgrade).await?;
        let (queue, outgoing) = mpsc::channel(OUTGOING_QUEUE);
        let (events_in, events) = mpsc::channel(EVENT_QUEUE);
        let task = SessionTask {
            task_id: nls_id(&client),
            client,
            ended: false,
        };
        tokio::spawn(task.run(connection, outgoing, events_in));
        Ok(LiveMeeting {
            sender: MeetingSender { queue },
            events: MeetingEvents { events },
        })
    }
}

/// The unsigned upgrade of a join URL, after its scheme is checked.
fn meeting_upgrade(client: &Client, join_url: &SignedUrl) -> Result<http::Request<()>, Error> {
    let refused = |why: &str| Error::build(format!("MeetingJoinUrl {why}: {join_url}"));
    let uri: http::Uri = join_url
        .expose()
        .parse()
        .map_err(|_| refused("is not a valid URL"))?;
    let host = uri
        .authority()
        .map(|a| host_of(a.as_str()).to_owned())
        .unwrap_or_default();
    match uri.scheme_str() {
        Some("wss") => {}
        Some("ws") if is_loopback(&host) || client.config().settings.allow_insecure_http => {}
        _ => return Err(refused("must be wss://")),
    }
    http::Request::get(uri)
        // The NLS SDKs' token header; Tingwu's samples give it `default`
        // (whether the gateway reads it is unconfirmed, §4.2).
        .header("x-nls-token", "default")
        .body(())
        .map_err(|_| refused("is not a valid request"))
}

/// A fresh NLS id (32 lowercase hex digits) from the config's nonces.
fn nls_id(client: &Client) -> String {
    let nonce = client.config().settings.nonces.nonce();
    if is_nls_id(&nonce) {
        nonce
    } else {
        // A test's nonce source may give any text: hashed to the shape the
        // gateway checks.
        sha256_hex(nonce.as_bytes())[..32].to_owned()
    }
}

/// The task that owns the socket.
struct SessionTask {
    client: Client,
    /// The connection's id, in every command's header (the NLS SDK's way: a
    /// fresh one per connection, §4.3).
    task_id: String,
    /// Whether `TranscriptionCompleted` or `TaskFailed` came: a close before
    /// either is an error.
    ended: bool,
}

impl SessionTask {
    async fn run(
        mut self,
        mut connection: WebSocketConnection,
        mut outgoing: mpsc::Receiver<Outgoing>,
        events: mpsc::Sender<Result<MeetingEvent, Error>>,
    ) {
        if let Err(error) = self.serve(&mut connection, &mut outgoing, &events).await {
            let _ = events.send(Err(error)).await;
        }
    }

    /// Relays both ways until the socket closes.
    async fn serve(
        &mut self,
        connection: &mut WebSocketConnection,
        outgoing: &mut mpsc::Receiver<Outgoing>,
        events: &mpsc::Sender<Result<MeetingEvent, Error>>,
    ) -> Result<(), Error> {
        let mut ping = tokio::time::interval(PING_INTERVAL);
        ping.tick().await;
        let mut caller_gone = false;
        loop {
            tokio::select! {
                // What the caller queued goes out before what arrives is read.
                biased;
                next = outgoing.recv(), if !caller_gone => match next {
                    Some(Outgoing::Close) => {
                        // Closing a socket that already broke is no error.
                        let _ = connection.sender.send(WsMessage::Close(None)).await;
                        return Ok(());
                    }
                    Some(message) => self.send(connection, message).await?,
                    // Every sender dropped: keep reading until the server closes.
                    None => caller_gone = true,
                },
                _ = ping.tick() => {
                    connection
                        .sender
                        .send(WsMessage::Ping(Bytes::new()))
                        .await
                        .map_err(|e| Error::transport(e, 1))?;
                }
                incoming = connection.receiver.next() => match incoming {
                    None | Some(Ok(WsMessage::Close(_))) if self.ended => return Ok(()),
                    None => return Err(closed_error(
                        "the server closed the live meeting before TranscriptionCompleted",
                    )),
                    Some(Ok(WsMessage::Close(close))) => {
                        let why = close.map_or_else(
                            || "no close code".to_owned(),
                            |close| format!("{} {}", close.code, close.reason),
                        );
                        return Err(closed_error(&format!(
                            "the server closed the live meeting before TranscriptionCompleted ({why})"
                        )));
                    }
                    Some(Err(error)) => return Err(Error::transport(error, 1)),
                    Some(Ok(WsMessage::Text(text))) => {
                        let message = NlsMessage::decode(&text, MAX_EVENT_BYTES)
                            .map_err(|e| closed_error(&e.to_string()))?;
                        if matches!(message.name(), "TranscriptionCompleted" | "TaskFailed") {
                            self.ended = true;
                        }
                        if events.send(Ok(MeetingEvent::from_message(message))).await.is_err() {
                            // Nobody reads the events any more.
                            return Ok(());
                        }
                    }
                    // The protocol's events are all text.
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// Writes one caller message: a command as NLS JSON, audio raw.
    async fn send(
        &mut self,
        connection: &mut WebSocketConnection,
        outgoing: Outgoing,
    ) -> Result<(), Error> {
        let frame = match outgoing {
            Outgoing::Command(name, payload) => {
                let header = NlsHeader::command(
                    SPEECH_TRANSCRIBER,
                    name,
                    nls_id(&self.client),
                    self.task_id.clone(),
                )
                .with_appkey(APPKEY);
                WsMessage::Text(NlsMessage::new(header, payload).encode())
            }
            Outgoing::Audio(audio) => WsMessage::Binary(audio),
            Outgoing::Close => WsMessage::Close(None),
        };
        connection
            .sender
            .send(frame)
            .await
            .map_err(|e| Error::transport(e, 1))
    }
}
