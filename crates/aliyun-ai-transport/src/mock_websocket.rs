//! [`MockWebSocket`]: a scripted WebSocket peer for tests, recording the
//! upgrade requests and every message sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt as _;

use crate::error::{TransportError, TransportErrorKind};
use crate::mock::RecordedRequest;
use crate::websocket::{
    WebSocketConnection, WebSocketError, WebSocketTransport, WsClose, WsMessage,
};

/// What the scripted peer does next, in order.
#[derive(Debug, Clone)]
enum Step {
    Send(WsMessage),
    Fail(TransportErrorKind, String),
}

#[derive(Default)]
struct State {
    script: VecDeque<Step>,
    refusal: Option<(u16, Bytes)>,
    requests: Vec<RecordedRequest>,
    sent: Vec<WsMessage>,
}

/// A [`WebSocketTransport`] whose peer follows a script: the messages (and
/// an error or close, if any) each connection's receiver yields, in order.
/// After the script the peer stays silent until the code under test sends a
/// close frame or drops its sender; then the stream ends. Every upgrade
/// request and every message the code under test sends are recorded. With [`MockWebSocket::refuse`], the
/// next upgrade is answered with an HTTP error instead.
///
/// ```
/// use aliyun_ai_transport::mock::MockWebSocket;
/// use aliyun_ai_transport::websocket::{WebSocketTransport, WsMessage};
/// use futures_util::{SinkExt, StreamExt};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mock = MockWebSocket::new();
/// mock.push_message(WsMessage::Text("type:TranscriptionStarted\n\n{}".into()));
/// mock.push_close(1000, "bye");
/// let request = http::Request::get("wss://dianjin.example/ws").body(()).unwrap();
/// let mut socket = mock.connect(request).await.unwrap();
/// socket.sender.send(WsMessage::Binary(vec![0u8; 640].into())).await.unwrap();
/// let first = socket.receiver.next().await.unwrap().unwrap();
/// assert!(matches!(first, WsMessage::Text(text) if text.starts_with("type:TranscriptionStarted")));
/// assert!(matches!(socket.receiver.next().await, Some(Ok(WsMessage::Close(_)))));
/// assert!(socket.receiver.next().await.is_none());
/// assert_eq!(mock.sent().len(), 1);
/// # });
/// ```
#[derive(Clone, Default)]
pub struct MockWebSocket {
    state: Arc<Mutex<State>>,
}

/// Counts only: the recorded upgrades carry their signatures.
impl std::fmt::Debug for MockWebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with(|state| {
            f.debug_struct("MockWebSocket")
                .field("scripted", &state.script.len())
                .field("requests", &state.requests.len())
                .field("sent", &state.sent.len())
                .finish()
        })
    }
}

impl MockWebSocket {
    /// A peer with an empty script.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The peer sends `message` next.
    pub fn push_message(&self, message: WsMessage) -> &Self {
        self.with(|state| state.script.push_back(Step::Send(message)));
        self
    }

    /// The peer sends a close frame next; the stream ends after it.
    pub fn push_close(&self, code: u16, reason: impl Into<String>) -> &Self {
        self.push_message(WsMessage::Close(Some(WsClose {
            code,
            reason: reason.into(),
        })))
    }

    /// The connection breaks next: the receiver yields this error, then ends.
    pub fn push_error(&self, kind: TransportErrorKind, message: impl Into<String>) -> &Self {
        self.with(|state| state.script.push_back(Step::Fail(kind, message.into())));
        self
    }

    /// The next upgrade is refused with `status` and `body` (a JSON error
    /// body, say), as a gateway refuses a bad signature.
    pub fn refuse(&self, status: u16, body: impl Into<Bytes>) -> &Self {
        self.with(|state| state.refusal = Some((status, body.into())));
        self
    }

    /// Every upgrade request, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.with(|state| state.requests.clone())
    }

    /// Every message the code under test sent, in order, over all
    /// connections.
    pub fn sent(&self) -> Vec<WsMessage> {
        self.with(|state| state.sent.clone())
    }
}

#[async_trait]
impl WebSocketTransport for MockWebSocket {
    async fn connect(
        &self,
        request: http::Request<()>,
    ) -> Result<WebSocketConnection, WebSocketError> {
        let (parts, ()) = request.into_parts();
        let (refusal, script) = self.with(|state| {
            state.requests.push(RecordedRequest {
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                headers: parts.headers.clone(),
                body: Bytes::new(),
            });
            (state.refusal.take(), std::mem::take(&mut state.script))
        });
        if let Some((status, body)) = refusal {
            let response = http::Response::builder()
                .status(status)
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body)
                .map_err(|e| TransportError::other("invalid refusal status").with_source(e))?;
            return Err(WebSocketError::Refused(response));
        }
        // The script up to its first close or error, which end the stream;
        // without one, silence until the client closes (a close frame, or
        // its sender dropped, which drops `closed`).
        let mut items = Vec::new();
        let mut ends = false;
        for step in script {
            let item = match step {
                Step::Send(message) => {
                    ends = matches!(message, WsMessage::Close(_));
                    Ok(message)
                }
                Step::Fail(kind, message) => {
                    ends = true;
                    Err(TransportError::new(kind, message))
                }
            };
            items.push(item);
            if ends {
                break;
            }
        }
        let (closed, client_closed) = tokio::sync::oneshot::channel::<()>();
        let silence = futures_util::stream::once(async move {
            if !ends {
                let _ = client_closed.await;
            }
        })
        .filter_map(|()| std::future::ready(None));
        let receiver = futures_util::stream::iter(items).chain(silence);
        let recorder = self.clone();
        let sender =
            futures_util::sink::unfold(Some(closed), move |mut closed, message: WsMessage| {
                let recorder = recorder.clone();
                async move {
                    if matches!(message, WsMessage::Close(_)) {
                        closed.take();
                    }
                    recorder.with(|state| state.sent.push(message));
                    Ok::<_, TransportError>(closed)
                }
            });
        let mut headers = http::HeaderMap::new();
        if let Some(protocol) = parts.headers.get(http::header::SEC_WEBSOCKET_PROTOCOL) {
            headers.insert(http::header::SEC_WEBSOCKET_PROTOCOL, protocol.clone());
        }
        Ok(WebSocketConnection::new(
            headers,
            Box::pin(sender),
            Box::pin(receiver),
        ))
    }
}
