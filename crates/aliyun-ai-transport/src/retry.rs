//! Retries, in one place: exponential backoff with full jitter, a maximum
//! number of attempts and a maximum total time, a pluggable classifier, and
//! `Retry-After` / `x-acs-retry-after` hints.
//!
//! The policy *runs* the attempts rather than wrapping a transport: each
//! attempt asks the caller for a fresh request, because Alibaba Cloud's
//! gateways reject a reused signature nonce ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)), so every
//! attempt must be signed anew. The facade and the credential providers use
//! [`RetryPolicy::send`]; nothing else in the SDK retries.
//!
//! Only the response *headers* are retried on: once a response with a
//! successful status is handed out, nothing is retried, so a stream is never
//! retried after its first event.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aliyun_ai_core::error_body::{ErrorBody, REQUEST_ID_HEADERS};
use aliyun_ai_core::time::Timer;
use http::{HeaderMap, StatusCode};
use tracing::Instrument as _;

use crate::body::HttpBody;
use crate::error::{TransportError, TransportErrorKind};
use crate::transport::{HttpRequest, HttpResponse, HttpTransport};

/// How much of an error response's body is read to classify it (and kept).
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// What a service's error codes say about a retry. The transport knows no
/// vendor code: the caller passes the vocabulary of the service it calls
/// (the facade: the one generated from the service's doc tables, `## Errors`).
pub trait ErrorCodes: Send + Sync + fmt::Debug {
    /// Whether `code` means "slow down and try again", whatever the status
    /// (CCAI's throttling arrives with HTTP 400).
    fn is_throttling(&self, code: &str) -> bool;
    /// Whether `code` fails again though it may look transient (arrears, an
    /// exhausted quota): never retried, even with HTTP 429.
    fn is_permanent(&self, code: &str) -> bool;
}

/// No vendor codes: statuses and headers alone decide.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoErrorCodes;

impl ErrorCodes for NoErrorCodes {
    fn is_throttling(&self, _code: &str) -> bool {
        false
    }

    fn is_permanent(&self, _code: &str) -> bool {
        false
    }
}

/// HTTP statuses retried for idempotent operations whatever the body says
/// (unless the code is permanent).
pub const RETRYABLE_STATUSES: &[u16] = &[429, 500, 502, 503, 504];

/// HTTP statuses that prove the request was refused before it was processed,
/// the only ones retried for non-idempotent operations (with the service's
/// throttling codes and a positive `x-acs-retry-after`). A 500, 502, 503 or
/// 504 does not prove it: a gateway that gave up waiting for the backend
/// answers 502/504 after a CreateTask ran, and a retry would create a
/// duplicate ([`docs/RELIABILITY.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/RELIABILITY.md), "Retries").
pub const REFUSAL_STATUSES: &[u16] = &[429];

// ---------------------------------------------------------------------------
// Time

/// Real time: the system clocks, with tokio's sleep. The default [`Timer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioTimer;

impl Timer for TokioTimer {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

// ---------------------------------------------------------------------------
// Classification

/// What one attempt produced, as the classifier sees it.
#[derive(Debug)]
#[non_exhaustive]
pub enum AttemptOutcome<'a> {
    /// A response with an error status; `body` holds at most
    /// [`ERROR_BODY_LIMIT`] bytes of it.
    Response {
        /// The status.
        status: StatusCode,
        /// The headers.
        headers: &'a HeaderMap,
        /// The (start of the) body.
        body: &'a [u8],
        /// What the called service's error codes say about a retry.
        codes: &'a dyn ErrorCodes,
    },
    /// The transport failed.
    Error(&'a TransportError),
}

/// A classifier's verdict on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Try again (after the backoff or the server's hint).
    Retry,
    /// Stop and hand the outcome to the caller.
    DontRetry,
}

/// Decides which outcomes are retried. Replace it to change the rules.
pub trait RetryClassifier: Send + Sync {
    /// The verdict on `outcome`; `idempotent` says whether sending the
    /// request twice is harmless.
    fn classify(&self, outcome: &AttemptOutcome<'_>, idempotent: bool) -> RetryDecision;
}

/// The rules: retry connect errors, the service's throttling codes
/// ([`ErrorCodes`]) whatever the status, a positive `x-acs-retry-after`, and
/// HTTP 429; for idempotent calls only, also timeouts, broken bodies and HTTP
/// 500, 502, 503 and 504 ([`RETRYABLE_STATUSES`]), which do not prove the
/// request was not processed. Never the service's permanent codes nor any
/// other 4xx.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultClassifier;

impl RetryClassifier for DefaultClassifier {
    fn classify(&self, outcome: &AttemptOutcome<'_>, idempotent: bool) -> RetryDecision {
        let retry = match outcome {
            AttemptOutcome::Error(error) => match error.kind() {
                TransportErrorKind::Connect => true,
                TransportErrorKind::Timeout | TransportErrorKind::Body => idempotent,
                _ => false,
            },
            AttemptOutcome::Response {
                status,
                headers,
                body,
                codes,
            } => {
                let code = ErrorBody::parse(body).code;
                match code.as_deref() {
                    Some(code) if codes.is_permanent(code) => false,
                    Some(code) if codes.is_throttling(code) => true,
                    _ => {
                        let statuses = if idempotent {
                            RETRYABLE_STATUSES
                        } else {
                            REFUSAL_STATUSES
                        };
                        statuses.contains(&status.as_u16())
                            || acs_retry_after(headers).is_some_and(|d| !d.is_zero())
                    }
                }
            }
        };
        if retry {
            RetryDecision::Retry
        } else {
            RetryDecision::DontRetry
        }
    }
}

/// `x-acs-retry-after`, in milliseconds (the unit is *uncertain* per
/// [`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md); milliseconds is the cautious reading, and the value is clamped).
fn acs_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get("x-acs-retry-after")?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_millis)
}

/// `Retry-After`: seconds, or an HTTP date (RFC 9110), read against `now`
/// (the policy's injected wall clock); a date already past means no wait.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(86_400)),
    )
}

/// The server's hint of how long to wait, if any.
fn server_hint(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    retry_after(headers, now).or_else(|| acs_retry_after(headers).filter(|d| !d.is_zero()))
}

// ---------------------------------------------------------------------------
// Jitter

/// A source of numbers in `[0, 1)` for full jitter; injected for tests.
pub type JitterSource = Arc<dyn Fn() -> f64 + Send + Sync>;

/// A small xorshift generator seeded from the standard library's random
/// hasher keys: jitter needs spread, not cryptographic quality.
fn default_jitter() -> JitterSource {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x9E37_79B9_7F4A_7C15);
    let state = Mutex::new(hasher.finish() | 1);
    Arc::new(move || {
        let mut x = state.lock().map(|s| *s).unwrap_or(0x2545_F491_4F6C_DD1D);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if let Ok(mut s) = state.lock() {
            *s = x;
        }
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

// ---------------------------------------------------------------------------
// The policy

/// How many attempts a call took; present in the extensions of every response
/// [`RetryPolicy::send`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempts(pub u32);

/// The number of attempts recorded on a response (1 when none is recorded).
pub fn attempts(response: &HttpResponse) -> u32 {
    response.extensions().get::<Attempts>().map_or(1, |a| a.0)
}

/// A transport failure after the retry budget was spent (or a failure that
/// is not retried), with the number of attempts made.
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryError {
    /// The last attempt's error.
    pub error: TransportError,
    /// How many attempts were made.
    pub attempts: u32,
    /// What the attempt before the last one met, which made it retry
    /// (`HTTP 400 Throttling.User`, `could not connect`...), if any.
    pub retried_on: Option<String>,
}

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.attempts > 1 {
            write!(f, "{} (after {} attempts", self.error, self.attempts)?;
            if let Some(reason) = &self.retried_on {
                write!(f, "; attempt {} was retried on {reason}", self.attempts - 1)?;
            }
            f.write_str(")")
        } else {
            fmt::Display::fmt(&self.error, f)
        }
    }
}

impl std::error::Error for RetryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// When and how often to retry.
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    max_retry_after: Duration,
    classifier: Arc<dyn RetryClassifier>,
    timer: Arc<dyn Timer>,
    jitter: JitterSource,
    retry_non_idempotent: bool,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_elapsed", &self.max_elapsed)
            .field("max_retry_after", &self.max_retry_after)
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 5 s with full jitter, at
    /// most 30 s in all, server hints clamped to 10 s, [`DefaultClassifier`],
    /// real time.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(10),
            classifier: Arc::new(DefaultClassifier),
            timer: Arc::new(TokioTimer),
            jitter: default_jitter(),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retry at all: one attempt.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// At most `attempts` attempts in all (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the second attempt, doubling each time up to `max`.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// No retry starts once this much time has passed since the first attempt
    /// (or would pass during the wait before it).
    pub fn with_max_elapsed(mut self, max: Duration) -> Self {
        self.max_elapsed = max;
        self
    }

    /// The longest server hint (`Retry-After`, `x-acs-retry-after`) obeyed;
    /// longer hints are clamped to it.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Replaces the classifier.
    pub fn with_classifier(mut self, classifier: impl RetryClassifier + 'static) -> Self {
        self.classifier = Arc::new(classifier);
        self
    }

    /// Replaces the clock and the sleep (e.g. with a [`ManualTimer`](aliyun_ai_core::time::ManualTimer) in tests).
    pub fn with_timer(mut self, timer: Arc<dyn Timer>) -> Self {
        self.timer = timer;
        self
    }

    /// Replaces the jitter source (numbers in `[0, 1)`).
    pub fn with_jitter(mut self, jitter: JitterSource) -> Self {
        self.jitter = jitter;
        self
    }

    /// Opts in to retrying timeouts, broken answers and HTTP 500/502/503/504
    /// of non-idempotent operations too (CreateTask, CreateVocab...), which
    /// by default are reported instead: the first request may have been
    /// processed, so a retry may create a duplicate. Turn it on only where a duplicate is
    /// harmless to you.
    pub fn with_non_idempotent_retries(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// The maximum number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `next` (2, 3...) absent a server hint: full
    /// jitter over the capped exponential backoff.
    fn backoff(&self, next: u32) -> Duration {
        let exponent = next.saturating_sub(2).min(31);
        let cap = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let factor = (self.jitter)().clamp(0.0, 1.0);
        cap.mul_f64(factor)
    }

    /// Sends a request, retrying as the policy says.
    ///
    /// `make_request(attempt)` builds (and signs) the request for each attempt,
    /// numbered from 1; an error from it ends the call at once (not retried). `idempotent` says whether a timed-out request may be
    /// sent again. The returned response carries [`Attempts`]; an error
    /// response that was not retried (or exhausted the budget) is returned as
    /// a response, with at most [`ERROR_BODY_LIMIT`] bytes of its body.
    ///
    /// Each attempt runs in a `tracing` span `aliyun_ai.http` with the method,
    /// host, path (never the query, headers or body, which may carry
    /// signatures), attempt number, status and latency.
    pub async fn send<F>(
        &self,
        transport: &dyn HttpTransport,
        idempotent: bool,
        mut make_request: F,
    ) -> Result<HttpResponse, RetryError>
    where
        F: FnMut(u32) -> Result<HttpRequest, TransportError> + Send,
    {
        self.send_attempts(transport, idempotent, &NoErrorCodes, None, |attempt| {
            std::future::ready(make_request(attempt))
        })
        .await
    }

    /// Like [`RetryPolicy::send`], but a successful answer's body is read
    /// whole (at most `limit` bytes) inside the attempt, so a body that breaks
    /// or stalls halfway is classified like any transport failure: retried
    /// when the operation is idempotent, reported with the answer's request
    /// id otherwise. A body over `limit` is a
    /// [`TransportErrorKind::TooLarge`] error, never retried. The returned
    /// response's body is in memory ([`HttpBody::as_bytes`]).
    pub async fn send_buffered<F>(
        &self,
        transport: &dyn HttpTransport,
        idempotent: bool,
        limit: usize,
        mut make_request: F,
    ) -> Result<HttpResponse, RetryError>
    where
        F: FnMut(u32) -> Result<HttpRequest, TransportError> + Send,
    {
        self.send_attempts(
            transport,
            idempotent,
            &NoErrorCodes,
            Some(limit),
            |attempt| std::future::ready(make_request(attempt)),
        )
        .await
    }

    /// The most general form: `make_request(attempt)` is asynchronous, so
    /// each attempt can obtain credentials anew (a retry after the cached
    /// ones were renewed signs with the new ones); `buffer_limit` reads a
    /// successful answer whole inside the attempt, as
    /// [`RetryPolicy::send_buffered`] does, when set.
    pub async fn send_each_attempt<F, Fut>(
        &self,
        transport: &dyn HttpTransport,
        idempotent: bool,
        codes: &dyn ErrorCodes,
        buffer_limit: Option<usize>,
        make_request: F,
    ) -> Result<HttpResponse, RetryError>
    where
        F: FnMut(u32) -> Fut + Send,
        Fut: Future<Output = Result<HttpRequest, TransportError>> + Send,
    {
        self.send_attempts(transport, idempotent, codes, buffer_limit, make_request)
            .await
    }

    async fn send_attempts<F, Fut>(
        &self,
        transport: &dyn HttpTransport,
        idempotent: bool,
        codes: &dyn ErrorCodes,
        buffer_limit: Option<usize>,
        mut make_request: F,
    ) -> Result<HttpResponse, RetryError>
    where
        F: FnMut(u32) -> Fut + Send,
        Fut: Future<Output = Result<HttpRequest, TransportError>> + Send,
    {
        let idempotent = idempotent || self.retry_non_idempotent;
        let started = self.timer.now();
        let mut attempt = 0;
        let mut retried_on: Option<String> = None;
        loop {
            attempt += 1;
            let request = make_request(attempt).await.map_err(|error| RetryError {
                error,
                attempts: attempt,
                retried_on: retried_on.clone(),
            })?;
            let span = tracing::info_span!(
                "aliyun_ai.http",
                method = %request.method(),
                host = request.uri().host().unwrap_or(""),
                path = request.uri().path(),
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let sent_at = Instant::now();
            let result = async {
                match transport.send(request).await {
                    Ok(response) if response.status().as_u16() >= 400 => {
                        buffer_error_body(response).await
                    }
                    Ok(response) => match buffer_limit {
                        Some(limit) => buffer_body(response, limit).await,
                        None => Ok(response),
                    },
                    other => other,
                }
            }
            .instrument(span.clone())
            .await;
            span.record("latency_ms", sent_at.elapsed().as_millis() as u64);
            let (decision, hint) = match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    if response.status().as_u16() < 400 {
                        (RetryDecision::DontRetry, None)
                    } else {
                        let body = response
                            .body()
                            .as_bytes()
                            .map(|b| b.as_ref())
                            .unwrap_or(&[]);
                        let outcome = AttemptOutcome::Response {
                            status: response.status(),
                            headers: response.headers(),
                            body,
                            codes,
                        };
                        (
                            self.classifier.classify(&outcome, idempotent),
                            server_hint(response.headers(), self.timer.system_time()),
                        )
                    }
                }
                Err(error) => (
                    self.classifier
                        .classify(&AttemptOutcome::Error(error), idempotent),
                    None,
                ),
            };
            let give_up = |result: Result<HttpResponse, TransportError>| match result {
                Ok(mut response) => {
                    response.extensions_mut().insert(Attempts(attempt));
                    Ok(response)
                }
                Err(error) => Err(RetryError {
                    error,
                    attempts: attempt,
                    retried_on: retried_on.clone(),
                }),
            };
            if decision == RetryDecision::DontRetry || attempt >= self.max_attempts {
                return give_up(result);
            }
            let delay = match hint {
                Some(hint) => hint.min(self.max_retry_after),
                None => self.backoff(attempt + 1),
            };
            let elapsed = self.timer.now().saturating_duration_since(started);
            if elapsed + delay > self.max_elapsed {
                return give_up(result);
            }
            retried_on = Some(describe(&result));
            span.in_scope(|| {
                tracing::debug!(
                    delay_ms = delay.as_millis() as u64,
                    next_attempt = attempt + 1,
                    "retrying"
                );
            });
            self.timer.sleep(delay).await;
        }
    }
}

/// Reads the start of an error response's body into memory so it can be
/// classified and reported.
async fn buffer_error_body(response: HttpResponse) -> Result<HttpResponse, TransportError> {
    let (parts, body) = response.into_parts();
    // The request id is copied only for the error (not on every answer).
    let bytes = body
        .collect_prefix(ERROR_BODY_LIMIT)
        .await
        .map_err(|e| e.with_request_id(response_request_id(&parts.headers).map(str::to_owned)))?;
    Ok(HttpResponse::from_parts(parts, HttpBody::full(bytes)))
}

/// What an attempt met, for the error of the one after it: the status and
/// the vendor's code, or the transport failure.
fn describe(result: &Result<HttpResponse, TransportError>) -> String {
    match result {
        Ok(response) => {
            let code = response
                .body()
                .as_bytes()
                .and_then(|body| ErrorBody::parse(body).code);
            match code {
                Some(code) => format!("HTTP {} `{code}`", response.status().as_u16()),
                None => format!("HTTP {}", response.status().as_u16()),
            }
        }
        Err(error) => error.to_string(),
    }
}

/// Reads a successful response's whole body (at most `limit` bytes).
async fn buffer_body(response: HttpResponse, limit: usize) -> Result<HttpResponse, TransportError> {
    let (parts, body) = response.into_parts();
    // The request id is copied only for the error (not on every answer).
    let bytes = body
        .collect_limited(limit)
        .await
        .map_err(|e| e.with_request_id(response_request_id(&parts.headers).map(str::to_owned)))?;
    Ok(HttpResponse::from_parts(parts, HttpBody::full(bytes)))
}

/// The request id an answer's headers carry (the vendor's header names are
/// core's [`REQUEST_ID_HEADERS`]).
pub fn response_request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        (
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            body.as_bytes().to_vec(),
        )
    }

    /// The vocabulary of the services the tests below stand for (the
    /// facade's is generated from the doc tables).
    #[derive(Debug)]
    struct TestCodes;

    impl ErrorCodes for TestCodes {
        fn is_throttling(&self, code: &str) -> bool {
            [
                "Throttling.RateQuota",
                "CCAI.Throttling.Qpm",
                "Ccai.Throttling.Qps",
                "Throttling.User",
            ]
            .contains(&code)
        }

        fn is_permanent(&self, code: &str) -> bool {
            ["Throttling.AllocationQuota", "Arrearage"].contains(&code)
        }
    }

    fn decide(status: u16, body: &str) -> RetryDecision {
        decide_for(status, body, false)
    }

    fn decide_for(status: u16, body: &str, idempotent: bool) -> RetryDecision {
        let (status, headers, body) = response(status, body);
        DefaultClassifier.classify(
            &AttemptOutcome::Response {
                status,
                headers: &headers,
                body: &body,
                codes: &TestCodes,
            },
            idempotent,
        )
    }

    #[test]
    fn a_5xx_is_retried_only_where_a_duplicate_is_harmless() {
        use RetryDecision::*;
        for status in [500, 502, 503, 504] {
            // The backend may have run a create before the gateway gave up.
            assert_eq!(decide_for(status, "", false), DontRetry, "{status}");
            assert_eq!(decide_for(status, "", true), Retry, "{status}");
        }
        // 429 and throttling codes prove a refusal: retried either way.
        assert_eq!(decide_for(429, "", false), Retry);
        assert_eq!(
            decide_for(503, r#"{"code":"Throttling.RateQuota"}"#, false),
            Retry
        );
    }

    #[test]
    fn default_classifier_follows_the_vendor_rules() {
        use RetryDecision::*;
        assert_eq!(decide_for(503, "", true), Retry);
        assert_eq!(decide(429, r#"{"code":"Throttling.RateQuota"}"#), Retry);
        assert_eq!(
            decide(429, r#"{"code":"Throttling.AllocationQuota"}"#),
            DontRetry
        );
        assert_eq!(decide(400, r#"{"code":"Arrearage"}"#), DontRetry);
        assert_eq!(decide(400, r#"{"Code":"CCAI.Throttling.Qpm"}"#), Retry);
        assert_eq!(decide(429, r#"{"Code":"Ccai.Throttling.Qps"}"#), Retry);
        assert_eq!(
            decide(400, r#"{"Code":"CCAI.InvalidParam.NotExist"}"#),
            DontRetry
        );
        assert_eq!(decide(403, r#"{"Code":"Throttling.User"}"#), Retry);
        assert_eq!(decide(404, ""), DontRetry);
        assert_eq!(decide(501, ""), DontRetry);
        let mut headers = HeaderMap::new();
        headers.insert("x-acs-retry-after", "1500".parse().unwrap());
        let outcome = AttemptOutcome::Response {
            status: StatusCode::BAD_REQUEST,
            headers: &headers,
            body: b"",
            codes: &NoErrorCodes,
        };
        assert_eq!(DefaultClassifier.classify(&outcome, false), Retry);
    }

    #[test]
    fn transport_errors_are_retried_by_kind_and_idempotency() {
        use RetryDecision::*;
        let classify = |error: TransportError, idempotent| {
            DefaultClassifier.classify(&AttemptOutcome::Error(&error), idempotent)
        };
        assert_eq!(classify(TransportError::connect("refused"), false), Retry);
        assert_eq!(classify(TransportError::timeout("slow"), false), DontRetry);
        assert_eq!(classify(TransportError::timeout("slow"), true), Retry);
        assert_eq!(classify(TransportError::body("reset"), true), Retry);
        assert_eq!(
            classify(TransportError::too_large("over the limit"), true),
            DontRetry
        );
        assert_eq!(classify(TransportError::other("bug"), true), DontRetry);
    }

    #[test]
    fn backoff_is_exponential_capped_and_fully_jittered() {
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(350))
            .with_jitter(Arc::new(|| 0.999_999));
        let waits: Vec<u128> = (2..=6).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(waits, [99, 199, 349, 349, 349]);
        let policy = policy.with_jitter(Arc::new(|| 0.0));
        assert_eq!(policy.backoff(4), Duration::ZERO);
        let jitter = default_jitter();
        let samples: Vec<f64> = (0..1000).map(|_| jitter()).collect();
        assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }

    #[test]
    fn hints_are_read_from_both_headers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(server_hint(&headers, now), Some(Duration::from_secs(2)));
        let mut headers = HeaderMap::new();
        headers.insert("x-acs-retry-after", "250".parse().unwrap());
        assert_eq!(server_hint(&headers, now), Some(Duration::from_millis(250)));
        // An HTTP date, 10 s after `now`.
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(server_hint(&headers, now), Some(Duration::from_secs(10)));
        // A date already past: no wait.
        let later = now + Duration::from_secs(60);
        assert_eq!(server_hint(&headers, later), Some(Duration::ZERO));
        // Neither a number nor a date: the backoff applies.
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(server_hint(&headers, now), Some(Duration::from_millis(250)));
    }
}
