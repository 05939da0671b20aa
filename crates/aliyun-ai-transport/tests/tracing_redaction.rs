//! The per-attempt tracing spans carry method, host, path, status, attempt and
//! latency, and never the Authorization header, tokens or signatures.
//!
//! Alone in its binary: tracing caches each callsite's interest process-wide,
//! so a thread-local subscriber does not see spans first met by other tests.

use std::io::Write;
use std::sync::{Arc, Mutex};

use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};
use aliyun_ai_transport::{RetryPolicy, http};
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn spans_record_the_attempt_but_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let mock = MockTransport::new();
    mock.push(MockResponse::status(503))
        .push(MockResponse::new(200, "ok"));
    let policy = RetryPolicy::default().with_timer(Arc::new(ManualTimer::new()));
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            policy
                .send(&mock, true, |_| {
                    Ok(http::Request::post(
                        "https://retailbot.aliyuncs.com/?Signature=TOP-SECRET-SIGNATURE&SecurityToken=STS-TOKEN-VALUE",
                    )
                    .header("authorization", "ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host,Signature=deadbeefcafe")
                    .header("x-acs-security-token", "STS-TOKEN-VALUE")
                    .body(Bytes::from_static(b"AccessKeySecret=SECRET-IN-BODY"))
                    .unwrap())
                })
                .await
                .unwrap();
        });
    });
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "aliyun_ai.http",
        "method=POST",
        "host=\"retailbot.aliyuncs.com\"",
        "path=\"/\"",
        "attempt=1",
        "attempt=2",
        "status=503",
        "status=200",
        "latency_ms=",
        "retrying",
    ] {
        assert!(log.contains(expected), "missing `{expected}` in:\n{log}");
    }
    for secret in [
        "TOP-SECRET-SIGNATURE",
        "STS-TOKEN-VALUE",
        "deadbeefcafe",
        "AKID",
        "SECRET-IN-BODY",
        "Signature",
        "authorization",
    ] {
        assert!(!log.contains(secret), "`{secret}` leaked into:\n{log}");
    }
}
