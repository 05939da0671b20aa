// The cases of the fault matrix, included once per transport by
// `../fault_matrix.rs` (which sets `HYPER`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::transport::TransportErrorKind;
use aliyun_ai::time::ManualTimer;
use aliyun_ai::{AccessKey, ApiKey, Client, Config, ErrorKind, RetryPolicy, SseLimits};
use aliyun_ai_core::server::ServerOperation;
use aliyun_ai_emulator::{Emulator, EmulatorConfig, Fault, FaultRule};
use futures_util::StreamExt;

use aliyun_ai::contactcenterai as ccai;
use aliyun_ai::dianjin;

/// The idempotent operation of the matrix.
const READ: &str = "GetLibraryList";
/// The non-idempotent one.
const CREATE: &str = "CreateTask";

/// How long any one call may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(20);

struct Rig {
    emulator: Emulator,
    client: Client,
    /// Records the retry policy's sleeps (backoffs, `Retry-After`) without sleeping.
    timer: Arc<ManualTimer>,
}

async fn rig() -> Rig {
    rig_with(|builder| builder).await
}

async fn rig_with(
    adjust: impl FnOnce(aliyun_ai::ConfigBuilder) -> aliyun_ai::ConfigBuilder,
) -> Rig {
    let emulator = Emulator::start_with(
        EmulatorConfig::default().with_stream_event_delay(Duration::from_millis(1)),
    )
    .await
    .expect("emulator");
    let timer = Arc::new(ManualTimer::new());
    let credentials = emulator.credentials();
    let builder = Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key(AccessKey::new(
            &credentials.access_key_id,
            credentials.access_key_secret.as_str(),
        ))
        .api_key(ApiKey::new(credentials.api_key.as_str()))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_max_retry_after(Duration::from_secs(5))
                .with_timer(timer.clone()),
        );
    // The config's timeouts configure its default (reqwest) transport; the
    // hyper transport is given the same ones directly.
    let builder = if HYPER {
        builder.transport(Arc::new(
            aliyun_ai::transport::HyperTransport::builder()
                .connect_timeout(Duration::from_millis(500))
                .request_timeout(Some(Duration::from_millis(700)))
                .read_idle_timeout(Some(Duration::from_millis(700)))
                .build()
                .expect("hyper transport"),
        ))
    } else {
        builder
            .connect_timeout(Duration::from_millis(500))
            .request_timeout(Duration::from_millis(700))
            .read_idle_timeout(Duration::from_millis(700))
    };
    let config = adjust(builder).build().expect("config");
    Rig {
        emulator,
        client: Client::new(config),
        timer,
    }
}

async fn within<T>(call: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, call)
        .await
        .expect("the call hung past the test's deadline")
}

async fn read(client: &Client) -> Result<dianjin::GetLibraryListResponse, aliyun_ai::Error> {
    let request = dianjin::GetLibraryListRequest::example_request().expect("example");
    within(client.execute(&request)).await
}

async fn create(client: &Client) -> Result<ccai::CreateTaskResponse, aliyun_ai::Error> {
    let request = ccai::CreateTaskRequest::example_request().expect("example");
    within(client.execute(&request)).await
}

fn once(action: &str, fault: Fault) -> FaultRule {
    FaultRule::for_action(action, fault).times(1)
}

fn transport_kind(error: &aliyun_ai::Error) -> Option<TransportErrorKind> {
    use std::error::Error as _;
    error
        .source()?
        .downcast_ref::<aliyun_ai::transport::TransportError>()
        .map(|e| e.kind())
}

#[track_caller]
fn assert_transport(error: &aliyun_ai::Error, kind: TransportErrorKind, attempts: u32) {
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert_eq!(transport_kind(error), Some(kind), "{error}");
    assert_eq!(error.attempts(), attempts, "{error}");
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_connect_error() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port");
    let rig = rig_with(|b| b.endpoint_for_all(format!("http://{port}"))).await;
    for error in [
        read(&rig.client).await.expect_err("refused"),
        create(&rig.client).await.map(|_| ()).expect_err("refused"),
    ] {
        // Never sent, so safe to retry for any operation.
        assert_transport(&error, TransportErrorKind::Connect, 3);
        assert!(error.is_retryable());
        assert_eq!(error.request_id(), None);
    }
}

#[tokio::test]
async fn reset_before_the_response() {
    let rig = rig().await;
    rig.emulator.inject(once(READ, Fault::DropConnection));
    let answer = read(&rig.client).await.expect("retried to success");
    assert!(answer.data.is_some());
    assert_eq!(rig.timer.sleeps().len(), 1, "one retry");
    // A create may have been processed: it is not sent again.
    rig.emulator.inject(once(CREATE, Fault::DropConnection));
    let error = create(&rig.client).await.expect_err("not retried");
    assert_transport(&error, TransportErrorKind::Body, 1);
    assert!(
        error.is_retryable(),
        "the caller may retry a create it knows is safe"
    );
}

#[tokio::test]
async fn reset_mid_body() {
    let rig = rig().await;
    rig.emulator.inject(once(READ, Fault::ResetMidBody));
    read(&rig.client).await.expect("retried to success");
    assert_eq!(rig.emulator.handled(READ), 2);

    rig.emulator.inject(once(CREATE, Fault::ResetMidBody));
    let error = create(&rig.client).await.expect_err("not retried");
    assert_transport(&error, TransportErrorKind::Body, 1);
    // The headers had arrived: the request id is kept.
    assert!(
        error.request_id().is_some_and(|id| id.starts_with("EMU-")),
        "{error:?}"
    );
    assert_eq!(rig.emulator.handled(CREATE), 1, "the create was sent once");
}

#[tokio::test]
async fn headers_that_never_come() {
    let rig = rig().await;
    rig.emulator
        .inject(once(READ, Fault::Delay(Duration::from_secs(30))));
    read(&rig.client).await.expect("retried to success");

    rig.emulator.inject(FaultRule::for_action(
        READ,
        Fault::Delay(Duration::from_secs(30)),
    ));
    let error = read(&rig.client)
        .await
        .expect_err("every attempt times out");
    assert_transport(&error, TransportErrorKind::Timeout, 3);
    rig.emulator.clear_faults();

    rig.emulator
        .inject(once(CREATE, Fault::Delay(Duration::from_secs(30))));
    let error = create(&rig.client).await.expect_err("not retried");
    assert_transport(&error, TransportErrorKind::Timeout, 1);
}

#[tokio::test]
async fn a_create_whose_answer_broke_is_sent_again_only_when_the_user_opted_in() {
    let policy = |timer| {
        RetryPolicy::default()
            .with_timer(timer)
            .with_non_idempotent_retries(true)
    };
    let timer = Arc::new(ManualTimer::new());
    let rig = rig_with(|b| b.retry_policy(policy(timer))).await;
    rig.emulator.inject(once(CREATE, Fault::ResetMidBody));
    create(&rig.client).await.expect("retried to success");
    assert_eq!(
        rig.emulator.handled(CREATE),
        2,
        "the duplicate the user accepted"
    );
}

#[tokio::test]
async fn a_body_that_stalls_halfway() {
    let rig = rig().await;
    rig.emulator.inject(once(READ, Fault::StallMidBody));
    read(&rig.client).await.expect("retried to success");
    assert_eq!(rig.emulator.handled(READ), 2);

    rig.emulator.inject(once(CREATE, Fault::StallMidBody));
    let error = create(&rig.client).await.expect_err("not retried");
    assert_transport(&error, TransportErrorKind::Timeout, 1);
    assert!(error.request_id().is_some(), "{error:?}");
    assert_eq!(rig.emulator.handled(CREATE), 1);
}

fn throttled_429(retry_after: &str) -> Fault {
    Fault::Respond {
        status: 429,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("retry-after".into(), retry_after.into()),
        ],
        body: br#"{"Code":"Throttling.User","Message":"slow down","RequestId":"R-429"}"#.to_vec(),
    }
}

#[tokio::test]
async fn status_429_with_retry_after_waits_as_told() {
    let rig = rig().await;
    rig.emulator.inject(once(READ, throttled_429("2")));
    read(&rig.client).await.expect("retried to success");
    assert_eq!(rig.timer.sleeps(), [Duration::from_secs(2)]);
    // Throttling means the request was refused, not processed: a create is
    // retried too, and created once.
    rig.emulator.inject(once(CREATE, throttled_429("1")));
    create(&rig.client).await.expect("retried to success");
    assert_eq!(rig.emulator.handled(CREATE), 1);

    rig.emulator
        .inject(FaultRule::for_action(READ, throttled_429("1")));
    let error = read(&rig.client).await.expect_err("throttled throughout");
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(
        (error.status(), error.code()),
        (Some(429), Some("Throttling.User"))
    );
    assert_eq!((error.request_id(), error.attempts()), (Some("R-429"), 3));
    assert!(error.is_throttling() && error.is_retryable());
}

#[tokio::test]
async fn server_errors_500_502_503_504_are_retried_for_idempotent_calls_only() {
    let rig = rig().await;
    for status in [500, 502, 503, 504] {
        let code = format!("Injected{status}");
        rig.emulator.inject(once(
            READ,
            Fault::Error {
                status,
                code: code.clone(),
            },
        ));
        read(&rig.client).await.expect("retried to success");
        // A create's 5xx does not prove it was not processed: reported,
        // once, and the caller may retry it knowingly.
        rig.emulator.inject(once(
            CREATE,
            Fault::Error {
                status,
                code: code.clone(),
            },
        ));
        let error = create(&rig.client).await.expect_err("not retried");
        assert_eq!((error.status(), error.attempts()), (Some(status), 1));
        assert!(error.is_retryable(), "{error}");

        rig.emulator.inject(FaultRule::for_action(
            READ,
            Fault::Error {
                status,
                code: code.clone(),
            },
        ));
        let error = read(&rig.client).await.expect_err("failing throughout");
        assert_eq!((error.status(), error.code()), (Some(status), Some(&*code)));
        assert_eq!(error.attempts(), 3);
        assert!(error.request_id().is_some_and(|id| id.starts_with("EMU-")));
        rig.emulator.clear_faults();
    }
    // The 5xx answers came before the handler: no create was made.
    assert_eq!(rig.emulator.handled(CREATE), 0);
}

#[tokio::test]
async fn a_gateway_5xx_after_the_create_ran_makes_no_duplicate() {
    let rig = rig().await;
    for status in [502, 504] {
        rig.emulator.inject(once(
            CREATE,
            Fault::ErrorAfterHandling {
                status,
                code: "GatewayTimeout".into(),
            },
        ));
        let error = create(&rig.client).await.expect_err("reported");
        assert_eq!((error.status(), error.attempts()), (Some(status), 1));
    }
    // Each create ran once, although its answer was a 5xx.
    assert_eq!(rig.emulator.handled(CREATE), 2);
    // The opt-in re-sends it, knowing a duplicate may result.
    let timer = Arc::new(ManualTimer::new());
    let policy = RetryPolicy::default()
        .with_timer(timer)
        .with_non_idempotent_retries(true);
    let rig = rig_with(|b| b.retry_policy(policy)).await;
    rig.emulator.inject(once(
        CREATE,
        Fault::ErrorAfterHandling {
            status: 502,
            code: "BadGateway".into(),
        },
    ));
    create(&rig.client).await.expect("retried to success");
    assert_eq!(rig.emulator.handled(CREATE), 2);
}

#[tokio::test]
async fn throttling_codes_inside_http_400_are_retried() {
    let rig = rig().await;
    for (action, code) in [
        (READ, "Throttling.User"),
        (CREATE, "CCAI.Throttling.Qps"),
        (CREATE, "CCAI.Throttling.Qpm"),
    ] {
        rig.emulator.inject(once(
            action,
            Fault::Error {
                status: 400,
                code: code.into(),
            },
        ));
    }
    read(&rig.client).await.expect("retried to success");
    create(&rig.client).await.expect("retried past Qps");
    create(&rig.client).await.expect("retried past Qpm");
    assert_eq!(rig.timer.sleeps().len(), 3);
    assert_eq!(rig.emulator.handled(CREATE), 2);
}

fn answer(status: u16, content_type: &str, body: &[u8]) -> Fault {
    Fault::Respond {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_vec(),
    }
}

#[track_caller]
fn assert_decode_error(error: &aliyun_ai::Error, excerpt_has: &str) {
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(error.status(), Some(200));
    assert!(
        error.request_id().is_some_and(|id| id.starts_with("EMU-")),
        "{error:?}"
    );
    assert_eq!(error.attempts(), 1, "an answer that arrived is not retried");
    let excerpt = error.body_excerpt().unwrap_or_default();
    assert!(excerpt.contains(excerpt_has), "{excerpt:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn malformed_json_empty_and_non_utf8_answers_are_decode_errors() {
    let rig = rig().await;
    rig.emulator.inject(once(
        READ,
        answer(200, "application/json", br#"{"success":true,"data":{"#),
    ));
    assert_decode_error(&read(&rig.client).await.unwrap_err(), r#"{"success":true"#);

    rig.emulator
        .inject(once(READ, answer(200, "application/json", b"")));
    assert_decode_error(&read(&rig.client).await.unwrap_err(), "");

    rig.emulator.inject(once(
        READ,
        answer(200, "application/json", b"{\"data\":\"\xff\xfe\xfd\"}"),
    ));
    // The excerpt is lossy UTF-8: the bytes are kept visible, not a panic.
    assert_decode_error(&read(&rig.client).await.unwrap_err(), "\u{FFFD}");
}

#[tokio::test]
async fn a_proxys_html_error_page_is_a_service_error_with_its_excerpt() {
    let rig = rig().await;
    let page = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    rig.emulator
        .inject(FaultRule::for_action(READ, answer(502, "text/html", page)));
    let error = read(&rig.client).await.expect_err("502 throughout");
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!((error.status(), error.code()), (Some(502), None));
    assert_eq!(error.attempts(), 3);
    assert!(
        error
            .body_excerpt()
            .is_some_and(|e| e.contains("502 Bad Gateway"))
    );
    // The proxy's request id header is the emulator's; no body id exists.
    assert!(error.request_id().is_some());
}

#[tokio::test]
async fn success_false_inside_http_200_is_a_service_error() {
    let rig = rig().await;
    rig.emulator.inject(once(
        READ,
        answer(
            200,
            "application/json",
            br#"{"success":false,"errCode":"LibraryLocked","errMessage":"try later","requestId":"R-200"}"#,
        ),
    ));
    let error = read(&rig.client).await.expect_err("success: false");
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(
        (error.status(), error.code()),
        (Some(200), Some("LibraryLocked"))
    );
    assert_eq!((error.request_id(), error.attempts()), (Some("R-200"), 1));
}

#[tokio::test]
async fn an_oversized_answer_is_too_large_and_never_retried() {
    let rig = rig_with(|b| b.response_size_limit(1024 * 1024)).await;
    rig.emulator.inject(FaultRule::for_action(
        READ,
        Fault::Flood {
            content_type: "application/json".into(),
            prefix: br#"{"data":""#.to_vec(),
            filler: b'a',
            bytes: 4 * 1024 * 1024,
        },
    ));
    let error = read(&rig.client).await.expect_err("too large");
    assert_transport(&error, TransportErrorKind::TooLarge, 1);
    assert!(!error.is_retryable());
    assert!(error.request_id().is_some());
}

async fn analyze_stream(
    client: &Client,
) -> Result<Vec<Result<ccai::AnalyzeConversationResponse, aliyun_ai::Error>>, aliyun_ai::Error> {
    let request = ccai::AnalyzeConversationRequest::example_request().expect("example");
    let stream = within(client.contact_center_ai().analyze_conversation_stream(request,
    ))
    .await?;
    Ok(within(stream.collect::<Vec<_>>()).await)
}

#[tokio::test]
async fn a_truncated_event_stream_ends_with_an_error_after_its_events() {
    let rig = rig().await;
    rig.emulator
        .inject(once("AnalyzeConversation", Fault::TruncateStream(1)));
    let events = analyze_stream(&rig.client)
        .await
        .expect("the stream starts");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].is_ok());
    let error = events[1].as_ref().expect_err("the break");
    assert!(
        matches!(
            error.kind(),
            ErrorKind::Transport | ErrorKind::IncompleteStream
        ),
        "{error}"
    );
}

#[tokio::test]
async fn an_endless_event_stream_line_is_refused_at_the_limit() {
    let limits = SseLimits::new(1024 * 1024, 1024 * 1024);
    let rig = rig_with(|b| {
        let b = b.sse_limits(limits);
        // (A custom transport keeps its own timeouts: the config refuses these.)
        if HYPER {
            b
        } else {
            b.request_timeout(Duration::from_secs(15))
        }
    })
    .await;
    // 100 MiB without a newline, generated as it is sent.
    rig.emulator.inject(FaultRule::for_action(
        "AnalyzeConversation",
        Fault::Flood {
            content_type: "text/event-stream".into(),
            prefix: b"data: ".to_vec(),
            filler: b'a',
            bytes: 100 * 1024 * 1024,
        },
    ));
    let events = analyze_stream(&rig.client)
        .await
        .expect("the stream starts");
    assert_eq!(events.len(), 1, "one error item, then the end");
    let error = events[0].as_ref().expect_err("too large");
    assert_transport(error, TransportErrorKind::TooLarge, 1);
    assert!(error.to_string().contains("line"), "{error}");
}
