//! The retry policy, run against the mock transport with an injected clock:
//! every wait is recorded and no test sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};
use aliyun_ai_transport::retry::{ErrorCodes, attempts};
use aliyun_ai_transport::{HttpRequest, RetryPolicy, TransportError, TransportErrorKind, http};

fn policy(timer: &Arc<ManualTimer>) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_backoff(Duration::from_millis(100), Duration::from_secs(2))
        .with_jitter(Arc::new(|| 0.5))
        .with_timer(timer.clone())
}

/// A service's error vocabulary, as the facade passes the generated one.
#[derive(Debug)]
struct Codes;

impl ErrorCodes for Codes {
    fn is_throttling(&self, code: &str) -> bool {
        ["CCAI.Throttling.Qps", "Throttling.User"].contains(&code)
    }

    fn is_permanent(&self, code: &str) -> bool {
        code == "Throttling.AllocationQuota"
    }
}

/// One idempotent call with the service's error vocabulary.
async fn send_with_codes(
    policy: &RetryPolicy,
    mock: &MockTransport,
) -> Result<aliyun_ai_transport::HttpResponse, aliyun_ai_transport::retry::RetryError> {
    policy
        .send_each_attempt(mock, true, &Codes, None, |attempt| async move {
            request(attempt)
        })
        .await
}

fn request(_attempt: u32) -> Result<HttpRequest, TransportError> {
    Ok(http::Request::post(
        "https://contactcenterai.cn-shanghai.aliyuncs.com/w/ccai/app/a/analyze_conversation",
    )
    .body(Bytes::from_static(b"{}"))
    .unwrap())
}

#[tokio::test]
async fn succeeds_on_the_third_attempt_after_two_503s() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::status(503))
        .push(MockResponse::status(503))
        .push(MockResponse::new(200, "ok"));
    let response = policy(&timer).send(&mock, true, request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(attempts(&response), 3);
    assert_eq!(mock.requests().len(), 3);
    // Full jitter over 100 ms then 200 ms, with the jitter fixed at 0.5.
    assert_eq!(
        timer.sleeps(),
        [Duration::from_millis(50), Duration::from_millis(100)]
    );
}

#[tokio::test]
async fn ccai_throttling_with_http_400_is_retried() {
    // The same answer without the service's vocabulary is a plain 400.
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(400, "CCAI.Throttling.Qps", "QPS"));
    let response = policy(&timer).send(&mock, false, request).await.unwrap();
    assert_eq!((response.status().as_u16(), attempts(&response)), (400, 1));

    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(
        400,
        "CCAI.Throttling.Qps",
        "Trigger current QPS limit",
    ))
    .push(MockResponse::new(200, "ok"));
    let response = send_with_codes(&policy(&timer), &mock).await.unwrap();
    assert_eq!((response.status().as_u16(), attempts(&response)), (200, 2));
}

#[tokio::test]
async fn invalid_parameter_with_http_400_is_not_retried() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(
        400,
        "CCAI.InvalidParam.NotExist",
        "The specified parameter x is not valid.",
    ))
    .push(MockResponse::new(200, "never used"));
    let response = send_with_codes(&policy(&timer), &mock).await.unwrap();
    assert_eq!((response.status().as_u16(), attempts(&response)), (400, 1));
    assert_eq!(mock.remaining(), 1);
    assert!(timer.sleeps().is_empty());
    // The error body is kept for the caller.
    let body = response.into_body().collect().await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("CCAI.InvalidParam.NotExist"));
}

#[tokio::test]
async fn permanent_quota_codes_are_not_retried_even_with_429() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        429,
        &serde_json::json!({"code": "Throttling.AllocationQuota", "message": "quota"}),
    ));
    let response = send_with_codes(&policy(&timer), &mock).await.unwrap();
    assert_eq!(attempts(&response), 1);
}

#[tokio::test]
async fn retry_after_2_waits_2_seconds_of_injected_time() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::status(429).header("Retry-After", "2"))
        .push(MockResponse::new(200, "ok"));
    let response = policy(&timer).send(&mock, false, request).await.unwrap();
    assert_eq!(attempts(&response), 2);
    assert_eq!(timer.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn acs_retry_after_is_milliseconds_and_hints_are_clamped() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(
        MockResponse::pop_error(400, "Throttling.User", "x").header("x-acs-retry-after", "1500"),
    )
    .push(MockResponse::status(503).header("Retry-After", "3600"))
    .push(MockResponse::new(200, "ok"));
    let policy = policy(&timer)
        .with_max_retry_after(Duration::from_secs(5))
        .with_max_elapsed(Duration::from_secs(60));
    let response = send_with_codes(&policy, &mock).await.unwrap();
    assert_eq!(attempts(&response), 3);
    assert_eq!(
        timer.sleeps(),
        [Duration::from_millis(1500), Duration::from_secs(5)]
    );
}

#[tokio::test]
async fn an_exhausted_budget_returns_the_last_error_with_the_attempt_count() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push(MockResponse::connect_refused());
    }
    let error = policy(&timer)
        .send(&mock, false, request)
        .await
        .unwrap_err();
    assert_eq!(
        (error.error.kind(), error.attempts),
        (TransportErrorKind::Connect, 3)
    );
    assert!(error.to_string().contains("after 3 attempts"), "{error}");

    // An error status that stays retryable is handed back as the last response.
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push(MockResponse::status(502));
    }
    let response = policy(&timer).send(&mock, true, request).await.unwrap();
    assert_eq!((response.status().as_u16(), attempts(&response)), (502, 3));
}

#[tokio::test]
async fn timeouts_are_retried_only_for_idempotent_calls() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::timeout())
        .push(MockResponse::new(200, "ok"));
    let error = policy(&timer)
        .send(&mock, false, request)
        .await
        .unwrap_err();
    assert_eq!(
        (error.error.kind(), error.attempts),
        (TransportErrorKind::Timeout, 1)
    );

    let response = policy(&timer).send(&mock, true, request).await;
    // The queue's 200 was left over from above: an idempotent call retries a timeout.
    let mock = MockTransport::new();
    mock.push(MockResponse::timeout())
        .push(MockResponse::new(200, "ok"));
    drop(response);
    let response = policy(&timer).send(&mock, true, request).await.unwrap();
    assert_eq!(attempts(&response), 2);
}

#[tokio::test]
async fn the_total_time_budget_stops_retries() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::status(503).header("Retry-After", "8"))
        .push(MockResponse::new(200, "ok"));
    let policy = policy(&timer)
        .with_max_elapsed(Duration::from_secs(5))
        .with_max_retry_after(Duration::from_secs(10));
    let response = policy.send(&mock, false, request).await.unwrap();
    assert_eq!((response.status().as_u16(), attempts(&response)), (503, 1));
    assert!(timer.sleeps().is_empty());
}

#[tokio::test]
async fn every_attempt_builds_a_fresh_request() {
    let timer = Arc::new(ManualTimer::new());
    let mock = MockTransport::new();
    mock.push(MockResponse::status(500))
        .push(MockResponse::status(500))
        .push(MockResponse::new(200, "ok"));
    let seen = Mutex::new(Vec::new());
    policy(&timer)
        .send(&mock, true, |attempt| {
            seen.lock().unwrap().push(attempt);
            Ok(http::Request::post("https://x.example/")
                .header("x-acs-signature-nonce", format!("nonce-{attempt}"))
                .body(Bytes::new())
                .unwrap())
        })
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);
    let nonces: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").unwrap().to_owned())
        .collect();
    assert_eq!(nonces, ["nonce-1", "nonce-2", "nonce-3"]);
}

#[tokio::test]
async fn a_request_that_cannot_be_built_ends_the_call_at_once() {
    let mock = MockTransport::new();
    let error = RetryPolicy::default()
        .send(&mock, true, |_| {
            Err(TransportError::other("could not sign"))
        })
        .await
        .unwrap_err();
    assert_eq!(
        (error.error.kind(), error.attempts),
        (TransportErrorKind::Other, 1)
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_disabled_policy_makes_one_attempt() {
    let mock = MockTransport::new();
    mock.push(MockResponse::status(503));
    let response = RetryPolicy::disabled()
        .send(&mock, true, request)
        .await
        .unwrap();
    assert_eq!(attempts(&response), 1);
}

#[test]
fn a_manual_timer_moves_its_wall_clock_with_its_sleeps() {
    use aliyun_ai_core::time::{ManualTimer, Timer};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let timer = ManualTimer::at(start);
    assert_eq!(timer.system_time(), start);
    let before = timer.now();
    drop(timer.sleep(Duration::from_secs(3)));
    timer.advance(Duration::from_secs(2));
    assert_eq!(timer.system_time(), start + Duration::from_secs(5));
    assert_eq!(timer.now() - before, Duration::from_secs(5));
    // The default wall clock is the system's.
    let real = aliyun_ai_transport::retry::TokioTimer;
    assert!(real.system_time() >= SystemTime::now() - Duration::from_secs(60));
}
