//! EndToEndRealTimeDialog as a session: the caller's audio goes up, the
//! recognition, the intention and the synthesised reply come back, live,
//! over one WebSocket speaking AWAP (`aliyun_ai_transport::awap`).
//!
//! The session is two halves joined by a task that owns the socket:
//! [`DialogSender`] (start, audio, stop: it waits when the socket drains
//! slower than audio comes, on a bounded queue, never buffering without
//! limit) and [`DialogEvents`] (a stream of typed [`DialogEvent`]s). The task
//! sends a ping every [`PING_INTERVAL`], answers the server's `RECONNECT` by
//! reconnecting with a fresh signature and sending the start again (the
//! events stream goes on), and ends the events with a typed error when the
//! socket breaks, after the events already delivered.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use aliyun_ai_models_dianjin::EndToEndRealTimeDialogRequest;
use aliyun_ai_transport::TransportError;
use aliyun_ai_transport::awap::{AwapLimits, AwapMessage, AwapPayload};
use aliyun_ai_transport::websocket::{WebSocketConnection, WebSocketTransport, WsMessage};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};

use super::DianJin;
use crate::client::Client;
use crate::error::Error;
use crate::session::{closed_error, connect, websocket_transport};

/// The sub-protocol the upgrade asks for.
const PROTOCOL: &str = "awap";
/// How often the session pings the server.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// How long [`DialogSender::send_audio_acknowledged`] waits for the answer.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// Audio chunks queued before [`DialogSender::send_audio`] waits.
const OUTGOING_QUEUE: usize = 16;
/// Events queued before the session stops reading the socket.
const EVENT_QUEUE: usize = 256;
/// How many times in a row a `RECONNECT` is followed.
const MAX_RECONNECTS: u32 = 5;

/// The first message of a session: the scene and its placeholders.
///
/// ```
/// use aliyun_ai::dianjin::realtime::StartTranscription;
///
/// let start = StartTranscription::new("c00aa8467a")
///     .meta_data("name", "张三")
///     .self_directed(true);
/// # let _ = start;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct StartTranscription {
    play_code: String,
    meta_data: Map<String, Value>,
    self_directed: Option<bool>,
}

impl StartTranscription {
    /// The scene's code (`playCode`).
    pub fn new(play_code: impl Into<String>) -> Self {
        Self {
            play_code: play_code.into(),
            meta_data: Map::new(),
            self_directed: None,
        }
    }

    /// A placeholder of the opening remarks (`${name}` takes `name`).
    pub fn meta_data(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta_data
            .insert(key.into(), Value::String(value.into()));
        self
    }

    /// Whether the model answers by itself when the intention is "other".
    pub fn self_directed(mut self, on: bool) -> Self {
        self.self_directed = Some(on);
        self
    }

    fn payload(&self) -> String {
        let mut payload = json!({"playCode": self.play_code, "metaData": self.meta_data});
        if let Some(on) = self.self_directed {
            payload["selfDirected"] = Value::Bool(on);
        }
        payload.to_string()
    }
}

/// What the server says during a session.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DialogEvent {
    /// The session is open: its id and the opening remarks to play.
    TranscriptionStarted {
        /// The service's session id.
        session_id: String,
        /// The opening remarks, placeholders filled.
        opening_remarks: String,
    },
    /// The recognised text of the caller's sentence so far.
    TranscriptionResultChanged {
        /// The text so far.
        content: String,
        /// The sentence's id.
        message_id: String,
    },
    /// A piece of the synthesised reply: audio in the requested format.
    SentenceEnd {
        /// The audio bytes.
        audio: Bytes,
        /// The reply's id.
        message_id: String,
        /// Whether this is the reply's last piece.
        message_end: bool,
    },
    /// The intention recognised, as the service sends it (`choices[].delta`
    /// holds `intentionCode`, `intentionName`, `intentionScript`...).
    BizProcessing(Value),
    /// The caller spoke over the reply: stop playing it.
    SentenceInterrupted,
    /// The agent judges the dialogue can end.
    TranscriptionEnd,
    /// The session is over (after a stop): the socket closes.
    TranscriptionCompleted,
    /// The service's error message.
    Error {
        /// Its code (`400`, `401`, `500`).
        code: String,
        /// Its message.
        message: String,
    },
    /// A message of another type, kept whole.
    Unknown(AwapMessage),
}

impl DialogEvent {
    fn from_message(message: AwapMessage) -> Self {
        let payload: Value = message
            .text_payload()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        let text = |key: &str| payload[key].as_str().unwrap_or_default().to_owned();
        match message.kind() {
            "TranscriptionStarted" => Self::TranscriptionStarted {
                session_id: text("sessionId"),
                opening_remarks: text("openingRemarks"),
            },
            "TranscriptionResultChanged" => Self::TranscriptionResultChanged {
                content: text("content"),
                message_id: text("messageId"),
            },
            "SentenceEnd" => {
                // The metadata writes the audio as a JSON array of bytes; a
                // binary frame carries it raw.
                let audio = match message.payload() {
                    AwapPayload::Binary(bytes) => bytes.clone(),
                    AwapPayload::Text(_) => payload["data"]
                        .as_array()
                        .map(|data| {
                            data.iter()
                                .filter_map(Value::as_u64)
                                .filter_map(|b| u8::try_from(b).ok())
                                .collect::<Vec<u8>>()
                        })
                        .unwrap_or_default()
                        .into(),
                };
                Self::SentenceEnd {
                    audio,
                    message_id: text("messageId"),
                    message_end: payload["messageEnd"].as_bool().unwrap_or(false),
                }
            }
            "BizProcessing" => Self::BizProcessing(payload),
            "SentenceInterrupted" => Self::SentenceInterrupted,
            "TranscriptionEnd" => Self::TranscriptionEnd,
            "TranscriptionCompleted" => Self::TranscriptionCompleted,
            "Error" => Self::Error {
                code: match &payload["code"] {
                    Value::String(code) => code.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                },
                message: text("message"),
            },
            _ => Self::Unknown(message),
        }
    }
}

/// One thing for the socket task to send.
enum Outgoing {
    Start(StartTranscription),
    Audio {
        audio: Bytes,
        acknowledged: Option<oneshot::Sender<()>>,
    },
    Stop,
    Close,
}

/// Sends to the session; cheap to clone.
#[derive(Debug, Clone)]
pub struct DialogSender {
    queue: mpsc::Sender<Outgoing>,
}

impl DialogSender {
    async fn push(&self, outgoing: Outgoing) -> Result<(), Error> {
        self.queue
            .send(outgoing)
            .await
            .map_err(|_| closed_error("the real-time dialogue session has ended"))
    }

    /// Starts the transcription (`StartTranscription`).
    pub async fn start(&self, start: StartTranscription) -> Result<(), Error> {
        self.push(Outgoing::Start(start)).await
    }

    /// Sends a piece of the caller's audio, in the upgrade's `inputFormat`
    /// (a binary `ProcessTranscription` frame, as the vendor's SDK sends it).
    /// Waits while the queue to the socket is full.
    pub async fn send_audio(&self, audio: impl Into<Bytes>) -> Result<(), Error> {
        self.push(Outgoing::Audio {
            audio: audio.into(),
            acknowledged: None,
        })
        .await
    }

    /// Sends audio with `ack:required` and waits (up to [`ACK_TIMEOUT`]) for
    /// the server's message answering it through `ack-id`.
    pub async fn send_audio_acknowledged(&self, audio: impl Into<Bytes>) -> Result<(), Error> {
        let (acknowledged, answered) = oneshot::channel();
        self.push(Outgoing::Audio {
            audio: audio.into(),
            acknowledged: Some(acknowledged),
        })
        .await?;
        match tokio::time::timeout(ACK_TIMEOUT, answered).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(closed_error(
                "the session ended before the audio was acknowledged",
            )),
            Err(_) => Err(Error::transport(
                TransportError::timeout(format!("no acknowledgement within {ACK_TIMEOUT:?}")),
                1,
            )),
        }
    }

    /// Ends the transcription (`StopTranscription`); the server answers
    /// `TranscriptionCompleted` and closes.
    pub async fn stop(&self) -> Result<(), Error> {
        self.push(Outgoing::Stop).await
    }

    /// Closes the socket now, without a stop.
    pub async fn close(&self) -> Result<(), Error> {
        self.push(Outgoing::Close).await
    }
}

/// The server's events, as they arrive; ends when the socket closes.
pub struct DialogEvents {
    events: mpsc::Receiver<Result<DialogEvent, Error>>,
}

impl std::fmt::Debug for DialogEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DialogEvents").finish_non_exhaustive()
    }
}

impl Stream for DialogEvents {
    type Item = Result<DialogEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}

/// An open real-time dialogue: [`RealtimeDialog::split`] it to send from one
/// task and read events in another.
#[derive(Debug)]
pub struct RealtimeDialog {
    /// Sends start, audio and stop.
    pub sender: DialogSender,
    /// The server's events.
    pub events: DialogEvents,
}

impl RealtimeDialog {
    /// The two halves.
    pub fn split(self) -> (DialogSender, DialogEvents) {
        (self.sender, self.events)
    }
}

impl DianJin<'_> {
    /// Opens an EndToEndRealTimeDialog session: signs the upgrade (V3, the
    /// request's query, `sec-websocket-protocol: awap`), opens the socket
    /// through the config's WebSocket transport and returns the session. A
    /// refused upgrade (a wrong secret, an unknown workspace) is a `Service`
    /// error with its status, code and request id, like any call's.
    ///
    /// ```no_run
    /// use aliyun_ai::dianjin::EndToEndRealTimeDialogRequest;
    /// use aliyun_ai::dianjin::realtime::{DialogEvent, StartTranscription};
    /// use aliyun_ai::StreamExt as _;
    ///
    /// # async fn run(client: aliyun_ai::Client, audio: Vec<Vec<u8>>) -> Result<(), aliyun_ai::Error> {
    /// let request = EndToEndRealTimeDialogRequest::builder()
    ///     .workspace_id("llm-workspace")
    ///     .sample_rate("SAMPLE_RATE_16K")
    ///     .input_format("pcm")
    ///     .output_format("wav")
    ///     .build()?;
    /// let (sender, mut events) = client
    ///     .dianjin()
    ///     .end_to_end_real_time_dialog(request)
    ///     .await?
    ///     .split();
    /// sender.start(StartTranscription::new("c00aa8467a").meta_data("name", "张三")).await?;
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
    ///         DialogEvent::TranscriptionResultChanged { content, .. } => println!("caller: {content}"),
    ///         DialogEvent::SentenceEnd { audio, .. } => println!("reply: {} bytes", audio.len()),
    ///         DialogEvent::TranscriptionCompleted => break,
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub(crate) async fn open_awap_session(
        &self,
        request: EndToEndRealTimeDialogRequest,
    ) -> Result<RealtimeDialog, Error> {
        let client = self.client.clone();
        let transport = websocket_transport(&client)?;
        let connection = open(&client, transport.as_ref(), &request).await?;
        let (queue, outgoing) = mpsc::channel(OUTGOING_QUEUE);
        let (events_in, events) = mpsc::channel(EVENT_QUEUE);
        let task = SessionTask {
            client,
            transport,
            request,
            start: None,
            acks: HashMap::new(),
            completed: false,
        };
        tokio::spawn(task.run(connection, outgoing, events_in));
        Ok(RealtimeDialog {
            sender: DialogSender { queue },
            events: DialogEvents { events },
        })
    }
}

/// Signs the upgrade and opens the socket.
async fn open(
    client: &Client,
    transport: &dyn WebSocketTransport,
    request: &EndToEndRealTimeDialogRequest,
) -> Result<WebSocketConnection, Error> {
    let upgrade = client.websocket_upgrade(request, PROTOCOL).await?;
    connect(transport, upgrade).await
}

/// The task that owns the socket.
struct SessionTask {
    client: Client,
    transport: Arc<dyn WebSocketTransport>,
    request: EndToEndRealTimeDialogRequest,
    /// The start, sent again after a reconnect.
    start: Option<StartTranscription>,
    /// Messages waiting for their `ack-id`, by id.
    acks: HashMap<String, oneshot::Sender<()>>,
    /// Whether `TranscriptionCompleted` came: a close before it is an error.
    completed: bool,
}

/// Why the loop over one connection ended.
enum Ended {
    /// The caller closed, or the server closed after its last message.
    Done,
    /// The server asked to reconnect.
    Reconnect,
}

impl SessionTask {
    async fn run(
        mut self,
        mut connection: WebSocketConnection,
        mut outgoing: mpsc::Receiver<Outgoing>,
        events: mpsc::Sender<Result<DialogEvent, Error>>,
    ) {
        let mut reconnects = 0;
        loop {
            match self.serve(&mut connection, &mut outgoing, &events).await {
                Ok(Ended::Done) => return,
                Ok(Ended::Reconnect) if reconnects < MAX_RECONNECTS => {
                    reconnects += 1;
                    let _ = connection.sender.close().await;
                    match open(&self.client, self.transport.as_ref(), &self.request).await {
                        Ok(fresh) => connection = fresh,
                        Err(error) => {
                            let _ = events.send(Err(error)).await;
                            return;
                        }
                    }
                    if let Some(start) = self.start.clone() {
                        if let Err(error) = self.send(&mut connection, Outgoing::Start(start)).await
                        {
                            let _ = events.send(Err(error)).await;
                            return;
                        }
                    }
                }
                Ok(Ended::Reconnect) => {
                    let _ = events
                        .send(Err(closed_error(
                            "the server asked to reconnect too many times in a row",
                        )))
                        .await;
                    return;
                }
                Err(error) => {
                    let _ = events.send(Err(error)).await;
                    return;
                }
            }
        }
    }

    /// Relays both ways over one connection.
    async fn serve(
        &mut self,
        connection: &mut WebSocketConnection,
        outgoing: &mut mpsc::Receiver<Outgoing>,
        events: &mpsc::Sender<Result<DialogEvent, Error>>,
    ) -> Result<Ended, Error> {
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
                        let _ = self.send(connection, Outgoing::Close).await;
                        return Ok(Ended::Done);
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
                    None | Some(Ok(WsMessage::Close(_))) if self.completed => return Ok(Ended::Done),
                    None => return Err(closed_error(
                        "the server closed the session before TranscriptionCompleted",
                    )),
                    Some(Ok(WsMessage::Close(close))) => {
                        let why = close.map_or_else(
                            || "no close code".to_owned(),
                            |close| format!("{} {}", close.code, close.reason),
                        );
                        return Err(closed_error(&format!(
                            "the server closed the session before TranscriptionCompleted ({why})"
                        )));
                    }
                    Some(Err(error)) => return Err(Error::transport(error, 1)),
                    Some(Ok(WsMessage::Text(text))) => {
                        let message = AwapMessage::decode_text(&text, &AwapLimits::default())
                            .map_err(|e| closed_error(&e.to_string()))?;
                        if let Some(ended) = self.receive(message, events).await {
                            return Ok(ended);
                        }
                    }
                    Some(Ok(WsMessage::Binary(bytes))) => {
                        let message = AwapMessage::decode_binary(&bytes, &AwapLimits::default())
                            .map_err(|e| closed_error(&e.to_string()))?;
                        if let Some(ended) = self.receive(message, events).await {
                            return Ok(ended);
                        }
                    }
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// Hands a server message on; `Some` when it ends this connection.
    async fn receive(
        &mut self,
        message: AwapMessage,
        events: &mpsc::Sender<Result<DialogEvent, Error>>,
    ) -> Option<Ended> {
        if let Some(acknowledged) = message.ack_id().and_then(|id| self.acks.remove(id)) {
            let _ = acknowledged.send(());
        }
        match message.kind() {
            "RECONNECT" => return Some(Ended::Reconnect),
            "TranscriptionCompleted" => self.completed = true,
            // A bare acknowledgement is no event.
            "Ack" if message.ack_id().is_some() => return None,
            _ => {}
        }
        if events
            .send(Ok(DialogEvent::from_message(message)))
            .await
            .is_err()
        {
            // Nobody reads the events any more.
            return Some(Ended::Done);
        }
        None
    }

    /// Writes one caller message as AWAP.
    async fn send(
        &mut self,
        connection: &mut WebSocketConnection,
        outgoing: Outgoing,
    ) -> Result<(), Error> {
        let id = self.client.config().settings.nonces.nonce();
        let timestamp = self
            .client
            .config()
            .time
            .system_time()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let headers = |message: AwapMessage| {
            message
                .with_header("timestamp", timestamp.to_string())
                .with_header("id", id.clone())
        };
        let frame = match outgoing {
            Outgoing::Start(start) => {
                let message = headers(AwapMessage::text("StartTranscription", start.payload()));
                self.start = Some(start);
                WsMessage::Text(
                    message
                        .encode_text()
                        .map_err(|e| closed_error(&e.to_string()))?,
                )
            }
            Outgoing::Audio {
                audio,
                acknowledged,
            } => {
                let mut message = headers(AwapMessage::binary("ProcessTranscription", audio));
                if let Some(acknowledged) = acknowledged {
                    message = message.with_header("ack", "required");
                    self.acks.insert(id.clone(), acknowledged);
                }
                WsMessage::Binary(
                    message
                        .encode_binary()
                        .map_err(|e| closed_error(&e.to_string()))?
                        .into(),
                )
            }
            Outgoing::Stop => WsMessage::Text(
                headers(AwapMessage::text("StopTranscription", "{}"))
                    .encode_text()
                    .map_err(|e| closed_error(&e.to_string()))?,
            ),
            Outgoing::Close => WsMessage::Close(None),
        };
        connection
            .sender
            .send(frame)
            .await
            .map_err(|e| Error::transport(e, 1))
    }
}
