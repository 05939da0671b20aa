//! One span per operation call (`aliyun_ai.operation`: service, operation,
//! request id, attempts, error code) above the per-attempt HTTP spans.

// Alone in its binary: tracing caches each callsite's interest process-wide,
// so a thread-local subscriber does not see spans first met by other tests.
#[path = "it/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::dianjin::recognize_intention::BizType;
use aliyun_ai::mock::{MockResponse, MockTransport};
use common::client;
use tracing_subscriber::fmt::format::FmtSpan;

/// Captures what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_call_has_an_operation_span_with_its_outcome() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = MockTransport::new();
    mock.push(MockResponse::json(
        200,
        &serde_json::json!({"success": false, "errCode": "InvalidBizType", "message": "no", "requestId": "REQ-9"}),
    ));
    let (client, _) = client(&mock);
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-ws")
        .biz_type(BizType::Attitude)
        .conversation("##客户##:好的")
        .build()
        .unwrap();
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidBizType"));

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.contains("aliyun_ai.operation")
                && l.contains("close")
                && !l.contains("aliyun_ai.http")
        })
        .unwrap_or_else(|| panic!("no operation span closed:\n{text}"));
    for field in [
        "service=\"dianjin\"",
        "operation=\"RecognizeIntention\"",
        "attempts=1",
        "error_code=\"InvalidBizType\"",
        "request_id=\"REQ-9\"",
    ] {
        assert!(line.contains(field), "`{field}` missing in: {line}");
    }
    // The per-attempt span is inside it.
    assert!(
        text.lines()
            .any(|l| l.contains("aliyun_ai.operation") && l.contains("aliyun_ai.http")),
        "{text}"
    );
}
