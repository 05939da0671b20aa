//! [`MockTransport`]: canned responses and faults for tests, recording every
//! request. Made for downstream test suites, not only the SDK's own.
//!
//! Each request takes the next queued answer. A retry is a request too: with
//! a retrying policy, a queued throttling or 5xx answer is retried and the
//! retry finds the queue empty (its error says so). Give the code under test
//! `RetryPolicy::disabled()` unless the test is about retries.
//!
//! ```
//! use std::sync::Arc;
//! use aliyun_ai_transport::mock::{MockResponse, MockTransport};
//! use aliyun_ai_transport::{http, HttpTransport, RetryPolicy};
//!
//! /// The user's own code: asks the service for a task's status.
//! async fn task_status(transport: &dyn HttpTransport, task_id: &str) -> Result<String, String> {
//!     let policy = RetryPolicy::default();
//!     let response = policy
//!         .send(transport, true, |_attempt| {
//!             http::Request::get(format!("https://ccai.example/ccai/app/getTaskResult?taskId={task_id}"))
//!                 .body(bytes::Bytes::new())
//!                 .map_err(|e| aliyun_ai_transport::TransportError::other(e.to_string()))
//!         })
//!         .await
//!         .map_err(|e| e.to_string())?;
//!     let body = response.into_body().collect().await.map_err(|e| e.to_string())?;
//!     let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
//!     Ok(json["data"]["taskStatus"].as_str().unwrap_or("?").to_owned())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // The user's test: no network, a canned answer, and assertions on what was sent.
//! let mock = MockTransport::new();
//! mock.push(MockResponse::json(200, &serde_json::json!({"data": {"taskStatus": "FINISH"}})));
//! assert_eq!(task_status(&mock, "t-1").await.unwrap(), "FINISH");
//! let sent = mock.requests();
//! assert_eq!(sent.len(), 1);
//! assert_eq!(sent[0].uri.query(), Some("taskId=t-1"));
//! # });
//! ```
//!
//! With the `aliyun-ai` facade, pass the mock as the client's transport
//! (`ConfigBuilder::transport`) and test your code exactly the same way: the
//! rustdoc of `aliyun_ai::mock` shows a user's function that calls the SDK,
//! tested with a canned answer and assertions on the signed request it sent.

#[cfg(feature = "websocket")]
pub use crate::mock_websocket::MockWebSocket;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

use crate::body::HttpBody;
use crate::error::TransportError;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport};

/// A request the mock received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The full URI.
    pub uri: Uri,
    /// The headers (including `Authorization`: this is test data).
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl RecordedRequest {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn body_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

/// A transport failure the mock can simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The connection is refused: nothing was sent.
    ConnectRefused,
    /// No answer in time.
    Timeout,
    /// The connection is reset while the body is being read.
    ResetMidBody,
}

impl Fault {
    fn error(self) -> TransportError {
        match self {
            Fault::ConnectRefused => TransportError::connect("connection refused (mock)"),
            Fault::Timeout => TransportError::timeout("no response within the timeout (mock)"),
            Fault::ResetMidBody => TransportError::body("connection reset mid-body (mock)"),
        }
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    Response {
        status: StatusCode,
        headers: HeaderMap,
        chunks: Vec<Bytes>,
        chunk_delay: Option<Duration>,
        then: Option<Fault>,
    },
    Fault(Fault),
}

/// A canned answer: a response (whole, in chunks, optionally slow, optionally
/// broken mid-body) or a fault.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockResponse {
    outcome: Outcome,
}

impl MockResponse {
    /// A response with `status` and `body`.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            outcome: Outcome::Response {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                headers: HeaderMap::new(),
                chunks: vec![body.into()],
                chunk_delay: None,
                then: None,
            },
        }
    }

    /// An empty response with `status`.
    pub fn status(status: u16) -> Self {
        Self::new(status, Bytes::new())
    }

    /// A JSON response (`content-type: application/json`).
    pub fn json(status: u16, body: &impl serde::Serialize) -> Self {
        let bytes = serde_json::to_vec(body)
            .unwrap_or_else(|e| format!("{{\"mock_error\":\"{e}\"}}").into_bytes());
        Self::new(status, bytes).header("content-type", "application/json")
    }

    /// A POP-style error body `{"RequestId", "Code", "Message"}` with `status`
    /// (e.g. `MockResponse::pop_error(400, "CCAI.Throttling.Qps", "slow down")`).
    pub fn pop_error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &serde_json::json!({ "RequestId": "mock-request-id", "Code": code, "Message": message }),
        )
        .header("x-acs-request-id", "mock-request-id")
    }

    /// A 200 `text/event-stream` response, one chunk per event, each event's
    /// `data:` being the given text.
    pub fn sse<I, S>(events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let chunks: Vec<Bytes> = events
            .into_iter()
            .map(|data| Bytes::from(format!("data: {}\n\n", data.as_ref())))
            .collect();
        let mut response = Self::status(200).header("content-type", "text/event-stream");
        if let Outcome::Response { chunks: body, .. } = &mut response.outcome {
            *body = chunks;
        }
        response
    }

    /// Fails to connect.
    pub fn connect_refused() -> Self {
        Self {
            outcome: Outcome::Fault(Fault::ConnectRefused),
        }
    }

    /// Times out before any response.
    pub fn timeout() -> Self {
        Self {
            outcome: Outcome::Fault(Fault::Timeout),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Outcome::Response { headers, .. } = &mut self.outcome {
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(name), HeaderValue::try_from(value))
            {
                headers.append(name, value);
            }
        }
        self
    }

    /// Re-splits the body into chunks of at most `size` bytes (splitting
    /// anywhere, even inside a UTF-8 character).
    pub fn chunked(mut self, size: usize) -> Self {
        if let Outcome::Response { chunks, .. } = &mut self.outcome {
            let whole: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
            *chunks = whole
                .chunks(size.max(1))
                .map(Bytes::copy_from_slice)
                .collect();
        }
        self
    }

    /// Waits `delay` before each chunk.
    pub fn with_chunk_delay(mut self, delay: Duration) -> Self {
        if let Outcome::Response { chunk_delay, .. } = &mut self.outcome {
            *chunk_delay = Some(delay);
        }
        self
    }

    /// Delivers only the first `bytes` bytes of the body, then resets the
    /// connection (a truncated stream).
    pub fn reset_after(mut self, bytes: usize) -> Self {
        if let Outcome::Response { chunks, then, .. } = &mut self.outcome {
            let mut left = bytes;
            let mut kept = Vec::new();
            for chunk in chunks.drain(..) {
                if left == 0 {
                    break;
                }
                let take = chunk.len().min(left);
                kept.push(chunk.slice(..take));
                left -= take;
            }
            *chunks = kept;
            *then = Some(Fault::ResetMidBody);
        }
        self
    }

    fn into_response(self) -> Result<HttpResponse, TransportError> {
        match self.outcome {
            Outcome::Fault(fault) => Err(fault.error()),
            Outcome::Response {
                status,
                headers,
                chunks,
                chunk_delay,
                then,
            } => {
                let items = chunks
                    .into_iter()
                    .map(Ok)
                    .chain(then.map(|fault| Err(fault.error())));
                let body = match (chunk_delay, then) {
                    (None, None) => {
                        let whole: Vec<u8> = items
                            .filter_map(Result::ok)
                            .flat_map(|c| c.to_vec())
                            .collect();
                        HttpBody::full(whole)
                    }
                    (None, Some(_)) => {
                        HttpBody::from_stream(stream::iter(items.collect::<Vec<_>>()))
                    }
                    (Some(delay), _) => {
                        let items: Vec<_> = items.collect();
                        HttpBody::from_stream(stream::unfold(
                            items.into_iter(),
                            move |mut items| async move {
                                let item = items.next()?;
                                tokio::time::sleep(delay).await;
                                Some((item, items))
                            },
                        ))
                    }
                };
                let mut response = HttpResponse::new(body);
                *response.status_mut() = status;
                *response.headers_mut() = headers;
                Ok(response)
            }
        }
    }
}

type Handler = dyn Fn(&RecordedRequest) -> MockResponse + Send + Sync;

enum Responder {
    Queue(VecDeque<MockResponse>),
    Handler(Arc<Handler>),
}

struct State {
    responder: Responder,
    /// Shared with the call that made each, so recording copies nothing.
    requests: Vec<Arc<RecordedRequest>>,
}

/// A transport that answers from a queue of canned responses or from a
/// handler closure, and records every request. Cheap to clone; clones share
/// the queue and the record.
#[derive(Clone)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        let queued = match &state.responder {
            Responder::Queue(queue) => Some(queue.len()),
            Responder::Handler(_) => None,
        };
        f.debug_struct("MockTransport")
            .field("queued", &queued)
            .field("requests", &state.requests.len())
            .finish()
    }
}

impl Default for MockTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl MockTransport {
    /// A mock answering from a queue (empty at first; see [`MockTransport::push`]).
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                responder: Responder::Queue(VecDeque::new()),
                requests: Vec::new(),
            })),
        }
    }

    /// A mock answering every request with `handler(request)`.
    pub fn with_handler<F>(handler: F) -> Self
    where
        F: Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
    {
        let mock = Self::new();
        mock.lock().responder = Responder::Handler(Arc::new(handler));
        mock
    }

    /// Queues a response (answered in order). Ignored by a handler mock.
    pub fn push(&self, response: MockResponse) -> &Self {
        if let Responder::Queue(queue) = &mut self.lock().responder {
            queue.push_back(response);
        }
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.iter().map(|r| (**r).clone()).collect()
    }

    /// The last request received.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.lock().requests.last().map(|r| (**r).clone())
    }

    /// How many queued responses are still unused.
    pub fn remaining(&self) -> usize {
        match &self.lock().responder {
            Responder::Queue(queue) => queue.len(),
            Responder::Handler(_) => 0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl HttpTransport for MockTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let recorded = Arc::new(RecordedRequest {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        });
        let (answer, number) = {
            let mut state = self.lock();
            state.requests.push(Arc::clone(&recorded));
            let number = state.requests.len();
            let answer = match &mut state.responder {
                Responder::Queue(queue) => queue.pop_front(),
                Responder::Handler(handler) => {
                    let handler = Arc::clone(handler);
                    drop(state);
                    Some(handler(&recorded))
                }
            };
            (answer, number)
        };
        match answer {
            Some(answer) => answer.into_response(),
            // Most often a retry the test did not expect: the retry policy
            // re-sent a call whose queued answer it read as retryable.
            None => Err(TransportError::other(format!(
                "MockTransport has no response queued for {} {} (request {number} it received; \
                 a retry needs one answer queued per attempt: build the client under test \
                 with RetryPolicy::disabled() unless the test is about retries)",
                recorded.method,
                recorded.uri.path()
            ))),
        }
    }
}
