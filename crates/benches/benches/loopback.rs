//! The loopback call benchmark: client CPU and wall time per call, and
//! allocations per call, for the same AnalyzeConversation call made by
//!
//! - a bare hyper client sending a pre-built request (the limit),
//! - reqwest sending the same pre-built request,
//! - the facade (`analyze_conversation`: build, serialize, sign, send, typed decode),
//!   over its default transport (`HyperTransport`) and over `ReqwestTransport`,
//! - each transport alone with the pre-built request,
//! - the facade over a canned in-process transport (no socket at all),
//!
//! sequentially on a `current_thread` runtime, then 256 at a time on the
//! multi-thread runtime (throughput), and the emulator's capacity (the facade
//! against an in-process emulator, 64 at a time). The server is a child process (this
//! binary again), so the process's CPU time is the client's alone. It prints
//! every figure and its ratio to the bare client; `docs/PERFORMANCE.md`
//! holds the results.
//!
//! `cargo bench -p aliyun-ai-benches --bench loopback` (`LOOPBACK_CALLS` sets
//! the number of calls, 4000 by default).

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aliyun_ai::transport::{HttpBody, HttpRequest, HttpResponse, HttpTransport, TransportError};
use aliyun_ai::{AccessKey, Client, Config, RetryPolicy};
use aliyun_ai_benches::{ALLOCATIONS, CountingAllocator, analyze_request, process_cpu};
use aliyun_ai_core::Operation;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The answer every call gets: the AnalyzeConversation fixture.
const ANSWER: &str =
    include_str!("../../../fixtures/contactcenterai/AnalyzeConversation/seed-response.json");
const SERVER_ENV: &str = "ALIYUN_AI_BENCH_SERVER";
/// The DashScope endpoint both the facade's getTask and `async-dashscope`'s
/// multimodal call post to.
const DASHSCOPE_PATH: &str = "/api/v1/services/aigc/multimodal-generation/generation";
const BENCH_API_KEY: &str = "sk-bench-0123456789abcdef";
/// The task the facade's getTask asks about.
const DATA_ID: &str = "wkb-bench-3cx2a3o4n8y45iee";
/// The text of `async-dashscope`'s one message: its request body is then
/// about the size of the facade's (both are printed).
const ASYNC_DASHSCOPE_TEXT: &str = "这辆车的画像结果";

/// The answer to both DashScope calls, one body that each reads: the
/// customer-profile getTask fixture with the `choices` and token `usage` of
/// a multimodal answer added (each client ignores the other's fields).
fn dashscope_answer() -> &'static Bytes {
    static ANSWER: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    ANSWER.get_or_init(|| {
        let mut answer: serde_json::Value = serde_json::from_str(include_str!(
            "../../../fixtures/customerprofile/getTask/response.json"
        ))
        .expect("the fixture is JSON");
        answer["output"]["choices"] = serde_json::json!([{
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": [{"text": "画像已生成。"}]}
        }]);
        answer["usage"] =
            serde_json::json!({"input_tokens": 12, "output_tokens": 6, "total_tokens": 18});
        Bytes::from(serde_json::to_vec(&answer).expect("encodes"))
    })
}
const CONCURRENCY: usize = 256;

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        serve();
        return;
    }
    let calls: usize = std::env::var("LOOPBACK_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    // The server: this binary again, in its own process.
    let mut server = Server(
        std::process::Command::new(std::env::current_exe().expect("own path"))
            .env(SERVER_ENV, "1")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the server process starts"),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the server prints its port");
    let base = format!("http://{}", line.trim());
    // `LOOPBACK_PROFILE=canned`: only the facade over the canned transport,
    // sequentially; `hyper`: only the facade over HyperTransport (the
    // default), 256 at a time; any other value: only the facade over
    // ReqwestTransport, 256 at a time. For a profiler.
    if std::env::var_os("LOOPBACK_PROFILE").is_some_and(|v| v == "canned") {
        let m = measure_sequential_rounds(calls, &[Bare::Mock], &base)[0];
        println!(
            "facade, canned transport: {:.1} us CPU per call, {:.0} allocations per call",
            m.cpu_us, m.allocations
        );
        return;
    }
    // `LOOPBACK_PROFILE=get-task`: only the facade's DashScope getTask over
    // the canned transport, sequentially, for a profiler.
    if std::env::var_os("LOOPBACK_PROFILE").is_some_and(|v| v == "get-task") {
        let m = measure_sequential_rounds(calls, &[Bare::DashScopeCanned], &base)[0];
        println!(
            "facade getTask, canned transport: {:.1} us CPU per call, {:.0} allocations per call",
            m.cpu_us, m.allocations
        );
        return;
    }
    // `LOOPBACK_PROFILE=dashscope`: only the DashScope rows.
    if std::env::var_os("LOOPBACK_PROFILE").is_some_and(|v| v == "dashscope") {
        dashscope_rows(calls, (calls * 5).max(CONCURRENCY * 8), &base);
        return;
    }
    if let Some(profile) = std::env::var_os("LOOPBACK_PROFILE") {
        let kind = if profile == "hyper" {
            Bare::FacadeOverHyper
        } else {
            Bare::Facade
        };
        let m = measure_concurrent(calls, kind, &base);
        println!(
            "facade: {:.0} calls/s, {:.1} us CPU per call, {} new connections",
            m.per_second, m.cpu_us, m.connections
        );
        return;
    }
    println!(
        "loopback benchmark: {calls} calls each after 200 warm-up calls (sequential clients take turns in {ROUNDS} rounds), server {base}\n"
    );

    let kinds = [
        ("bare hyper, pre-built request", Bare::Hyper),
        ("reqwest, pre-built request", Bare::Reqwest),
        (
            "the facade's ReqwestTransport, pre-built request",
            Bare::Transport,
        ),
        (
            "the facade's RetryPolicy over its transport, pre-built request",
            Bare::Retry,
        ),
        (
            "the facade's two halves in turn: no-socket call, then the transport",
            Bare::Halves,
        ),
        ("aliyun-ai facade over ReqwestTransport", Bare::Facade),
        (
            "the facade's HyperTransport, pre-built request",
            Bare::HyperTransport,
        ),
        (
            "aliyun-ai facade, default transport (HyperTransport)",
            Bare::FacadeOverHyper,
        ),
        (
            "the same, typed request built once (execute(&request))",
            Bare::PrebuiltOverHyper,
        ),
        ("aliyun-ai facade, canned transport (no socket)", Bare::Mock),
        (
            "the same, typed request built once (execute(&request))",
            Bare::PrebuiltMock,
        ),
        (
            "aliyun-ai facade over MockTransport (records every request)",
            Bare::MockTransport,
        ),
    ];
    let measured = measure_sequential_rounds(calls, &kinds.map(|(_, kind)| kind), &base);
    let sequential: Vec<(&str, Sequential)> =
        kinds.iter().map(|(name, _)| *name).zip(measured).collect();
    let limit = sequential[0].1;
    println!("sequential, current_thread runtime:");
    println!(
        "| client | CPU per call | x bare hyper | wall per call | allocations per call | new connections |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, m) in &sequential {
        println!(
            "| {name} | {:.1} us | {:.2}x | {:.1} us | {:.0} | {} |",
            m.cpu_us,
            m.cpu_us / limit.cpu_us,
            m.wall_us,
            m.allocations,
            m.connections
        );
    }

    // Five times the sequential count: at 40,000 calls a second, 4,000
    // concurrent calls are over in a tenth of a second, too short to settle.
    let total = (calls * 5).max(CONCURRENCY * 8);
    let concurrent = [
        (
            "bare hyper, pre-built request",
            measure_concurrent(total, Bare::Hyper, &base),
        ),
        (
            "reqwest, pre-built request",
            measure_concurrent(total, Bare::Reqwest, &base),
        ),
        (
            "the facade's ReqwestTransport, pre-built request",
            measure_concurrent(total, Bare::Transport, &base),
        ),
        (
            "aliyun-ai facade over ReqwestTransport",
            measure_concurrent(total, Bare::Facade, &base),
        ),
        (
            "the facade's HyperTransport, pre-built request",
            measure_concurrent(total, Bare::HyperTransport, &base),
        ),
        (
            "aliyun-ai facade, default transport (HyperTransport)",
            measure_concurrent(total, Bare::FacadeOverHyper, &base),
        ),
        (
            "the same, typed request built once (execute(&request))",
            measure_concurrent(total, Bare::PrebuiltOverHyper, &base),
        ),
        (
            "aliyun-ai facade, canned transport (no socket)",
            measure_concurrent(total, Bare::Mock, &base),
        ),
    ];
    let limit = concurrent[0].1;
    println!("\n{CONCURRENCY} concurrent calls, multi-thread runtime ({total} calls):");
    println!("| client | calls per second | x bare hyper | CPU per call | new connections |");
    println!("|---|---|---|---|---|");
    for (name, m) in &concurrent {
        println!(
            "| {name} | {:.0} | {:.2}x | {:.1} us | {} |",
            m.per_second,
            m.per_second / limit.per_second,
            m.cpu_us,
            m.connections
        );
    }
    dashscope_rows(calls, total, &base);
    drop(server);

    let emulator = emulator_capacity(total / 4);
    println!(
        "\nEmulator capacity: the facade (default transport) calling AnalyzeConversation (20 sentences, \
         analysed by the emulator) on an in-process emulator, {EMULATOR_CONCURRENCY} in flight, multi-thread runtime \
         ({} calls): {:.0} calls per second, {:.1} us of process CPU per call (client and emulator together; \
         the fixture server above answers the same client at 256 in flight {:.2}x as fast)",
        emulator.calls,
        emulator.per_second,
        emulator.cpu_us,
        concurrent
            .iter()
            .find(|(name, _)| name.contains("default transport"))
            .map_or(0.0, |(_, m)| m.per_second / emulator.per_second),
    );

    let (median, worst) = sse_latency(500);
    println!(
        "\nSSE: from an event's bytes arriving at the transport to the caller's stream yielding it \
         (AnalyzeConversation, 500 events, current_thread): median {median:.1} us, 99th percentile {worst:.1} us"
    );
}

/// The DashScope rows: the facade's getTask against `async-dashscope` on the
/// same endpoint and answer, sequentially and 256 at a time.
fn dashscope_rows(calls: usize, total: usize, base: &str) {
    let kinds = [
        (
            "bare hyper, the facade's pre-built getTask request",
            Bare::DashScopeHyper,
        ),
        (
            "async-dashscope 0.13, multi_modal_conversation().call",
            Bare::AsyncDashScope,
        ),
        (
            "the facade's HyperTransport, the same pre-built request",
            Bare::DashScopeTransport,
        ),
        (
            "aliyun-ai facade, default transport: customer_profile().get_task",
            Bare::DashScopeFacade,
        ),
        (
            "aliyun-ai facade getTask, canned transport (no socket)",
            Bare::DashScopeCanned,
        ),
    ];
    let facade_body = facade_dashscope_request(base).body().len();
    let peer_body = serde_json::to_vec(&async_dashscope_param())
        .expect("encodes")
        .len();
    println!(
        "\nDashScope, POST {DASHSCOPE_PATH} (Bearer), one {}-byte answer both read; request bodies: \
         the facade's getTask {facade_body} bytes, async-dashscope's {peer_body} bytes",
        dashscope_answer().len()
    );
    let measured = measure_sequential_rounds(calls, &kinds.map(|(_, kind)| kind), base);
    let (limit, peer) = (measured[0], measured[1]);
    println!("sequential, current_thread runtime:");
    println!(
        "| client | CPU per call | x bare hyper | x async-dashscope | wall per call | allocations per call | new connections |"
    );
    println!("|---|---|---|---|---|---|---|");
    for ((name, _), m) in kinds.iter().zip(&measured) {
        println!(
            "| {name} | {:.1} us | {:.2}x | {:.2}x | {:.1} us | {:.0} | {} |",
            m.cpu_us,
            m.cpu_us / limit.cpu_us,
            m.cpu_us / peer.cpu_us,
            m.wall_us,
            m.allocations,
            m.connections
        );
    }
    let concurrent: Vec<Concurrent> = kinds
        .iter()
        .map(|(_, kind)| measure_concurrent(total, *kind, base))
        .collect();
    let (limit, peer) = (concurrent[0], concurrent[1]);
    println!("{CONCURRENCY} concurrent calls, multi-thread runtime ({total} calls):");
    println!(
        "| client | calls per second | x bare hyper | x async-dashscope | CPU per call | new connections |"
    );
    println!("|---|---|---|---|---|---|");
    for ((name, _), m) in kinds.iter().zip(&concurrent) {
        println!(
            "| {name} | {:.0} | {:.2}x | {:.2}x | {:.1} us | {} |",
            m.per_second,
            m.per_second / limit.per_second,
            m.per_second / peer.per_second,
            m.cpu_us,
            m.connections
        );
    }
}

/// A transport whose answer's body is fed by the benchmark, chunk by chunk.
struct Channel(std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Bytes>>>);

#[async_trait::async_trait]
impl HttpTransport for Channel {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let receiver = self.0.lock().expect("lock").take().expect("one call");
        let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|chunk| (Ok(chunk), receiver))
        });
        let mut response = HttpResponse::new(HttpBody::from_stream(body));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/event-stream"),
        );
        Ok(response)
    }
}

/// The latency of each SSE event through the facade's `EventStream`:
/// median and 99th percentile, in microseconds.
fn sse_latency(events: usize) -> (f64, f64) {
    use futures_util::StreamExt;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let config = Config::builder()
            .endpoint_for_all("http://127.0.0.1:1")
            .access_key(AccessKey::new("LTAI5tBench", "bench-secret"))
            .transport(Arc::new(Channel(std::sync::Mutex::new(Some(receiver)))))
            .build()
            .expect("config");
        let client = Client::new(config);
        let mut request = analyze_request();
        request.stream = Some(true);
        let mut stream = client
            .contact_center_ai()
            .analyze_conversation_stream(request)
            .await
            .expect("a stream");
        let mut latencies = Vec::with_capacity(events);
        for i in 0..events {
            let last = i + 1 == events;
            let event = serde_json::json!({"finishReason": if last { Some("stop") } else { None },
                "requestId": "968A8634", "success": true, "text": format!("第{i}段")});
            let bytes = Bytes::from(format!("id:{i}\nevent:result\ndata:{event}\n\n"));
            let sent = Instant::now();
            sender.send(bytes).expect("the stream is open");
            let item = stream.next().await.expect("an event").expect("decodes");
            latencies.push(sent.elapsed().as_secs_f64() * 1e6);
            assert!(item.text.is_some());
        }
        latencies.sort_by(f64::total_cmp);
        (latencies[events / 2], latencies[events * 99 / 100])
    })
}

/// The server process, stopped (killed and reaped) when dropped, panics included.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Clone, Copy)]
enum Bare {
    Hyper,
    Reqwest,
    Transport,
    /// The facade's retry policy over its transport, the pre-built request.
    Retry,
    /// The facade over no socket, then the pre-built request through the
    /// transport: the two halves of a facade call, run one after the other.
    Halves,
    /// The facade with `ReqwestTransport`.
    Facade,
    /// The facade's hyper transport, the pre-built request.
    HyperTransport,
    /// The facade with `HyperTransport`.
    FacadeOverHyper,
    Mock,
    /// The facade over the crate's `MockTransport` answering the fixture.
    MockTransport,
    /// The facade over `HyperTransport`, the typed request built once.
    PrebuiltOverHyper,
    /// The facade over no socket, the typed request built once.
    PrebuiltMock,
    /// Bare hyper sending the facade's own DashScope getTask request.
    DashScopeHyper,
    /// `async-dashscope` 0.13 calling the same endpoint
    /// (`multi_modal_conversation().call`, one text message).
    AsyncDashScope,
    /// The facade over its default transport: `customer_profile().get_task`.
    DashScopeFacade,
    /// The facade's getTask over a canned transport (no socket).
    DashScopeCanned,
    /// `HyperTransport` alone sending the facade's pre-built getTask request.
    DashScopeTransport,
}

#[derive(Clone, Copy)]
struct Sequential {
    cpu_us: f64,
    wall_us: f64,
    allocations: f64,
    /// New connections the server accepted during the measured calls.
    connections: usize,
}

#[derive(Clone, Copy)]
struct Concurrent {
    per_second: f64,
    cpu_us: f64,
    /// New connections the server accepted during the measured calls.
    connections: usize,
}

/// One way to make the call, ready to be repeated.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // built once per measurement
enum Caller {
    Hyper(
        hyper_util::client::legacy::Client<
            hyper_util::client::legacy::connect::HttpConnector,
            Full<Bytes>,
        >,
        http::Request<Bytes>,
    ),
    Reqwest(reqwest::Client, Arc<reqwest::Request>),
    Transport(Arc<dyn HttpTransport>, http::Request<Bytes>),
    Retry(
        Arc<aliyun_ai::transport::ReqwestTransport>,
        http::Request<Bytes>,
    ),
    Halves(
        Client,
        Arc<aliyun_ai::transport::ReqwestTransport>,
        http::Request<Bytes>,
    ),
    Facade(Client),
    /// The facade executing one typed request built once.
    Execute(
        Client,
        Arc<aliyun_ai::contactcenterai::AnalyzeConversationRequest>,
    ),
    /// The community crate, its request built anew for each call as the
    /// facade's is.
    AsyncDashScope(async_dashscope::Client),
    /// The facade's DashScope getTask.
    CustomerProfile(Client),
}

/// The headers the facade sends for the benchmark's call (signed once,
/// through a canned transport that records them), so the baselines send a
/// request of the same size: 13 headers, a V3 `Authorization` among them.
/// The server checks no signature.
fn facade_headers(base: &str) -> http::HeaderMap {
    let base = base.to_owned();
    std::thread::spawn(move || {
        let mock = aliyun_ai::mock::MockTransport::with_handler(|_| {
            aliyun_ai::mock::MockResponse::new(200, ANSWER)
        });
        let config = Config::builder()
            .endpoint_for_all(base)
            .access_key(AccessKey::new("LTAI5tBench", "bench-secret"))
            .retry_policy(RetryPolicy::disabled())
            .transport(Arc::new(mock.clone()))
            .build()
            .expect("config");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(Client::new(config).execute(&analyze_request()))
            .expect("the canned answer decodes");
        mock.last_request().expect("a request").headers
    })
    .join()
    .expect("headers")
}

/// `async-dashscope`'s request: one text message, built anew for each call
/// as a caller would (the facade's rows build theirs too).
fn async_dashscope_param()
-> async_dashscope::operation::multi_modal_conversation::MultiModalConversationParam {
    use async_dashscope::operation::multi_modal_conversation::{
        Element, InputBuilder, MessageBuilder, MultiModalConversationParamBuilder,
    };
    let message = MessageBuilder::default()
        .role("user")
        .contents(vec![Element::Text(ASYNC_DASHSCOPE_TEXT.into())])
        .build()
        .expect("a message");
    MultiModalConversationParamBuilder::default()
        .model("qwen-vl-max")
        .input(
            InputBuilder::default()
                .messages(vec![message])
                .build()
                .expect("an input"),
        )
        .build()
        .expect("a request")
}

/// The limit: hyper's pooled client as `HyperTransport` sets it up
/// (TCP_NODELAY on), with nothing on top.
fn bare_hyper_client() -> hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
> {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector)
}

/// The facade's getTask request, built anew for each call as a caller would.
fn get_task_request() -> aliyun_ai::customerprofile::GetTaskRequest {
    aliyun_ai::customerprofile::GetTaskRequest::builder()
        .input(aliyun_ai::customerprofile::get_task::Input::new(DATA_ID))
        .build()
        .expect("a request")
}

/// The facade's own DashScope getTask request (captured once through a
/// recording transport), for the bare hyper row: same URL, headers and body.
fn facade_dashscope_request(base: &str) -> http::Request<Bytes> {
    let base = base.to_owned();
    std::thread::spawn(move || {
        let mock = aliyun_ai::mock::MockTransport::with_handler(|_| {
            aliyun_ai::mock::MockResponse::new(200, dashscope_answer().clone())
        });
        let config = Config::builder()
            .endpoint_for_all(&base)
            .api_key(aliyun_ai::ApiKey::new(BENCH_API_KEY))
            .retry_policy(RetryPolicy::disabled())
            .transport(Arc::new(mock.clone()))
            .build()
            .expect("config");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(
                Client::new(config)
                    .customer_profile()
                    .get_task(get_task_request()),
            )
            .expect("the canned answer decodes");
        let recorded = mock.last_request().expect("a request");
        let mut request = http::Request::post(recorded.uri)
            .body(recorded.body)
            .expect("valid");
        *request.headers_mut() = recorded.headers;
        request
    })
    .join()
    .expect("the request")
}

impl Caller {
    fn new(kind: Bare, base: &str) -> Self {
        if let Some(caller) = Self::dashscope(kind, base) {
            return caller;
        }
        let request = analyze_request();
        let headers = facade_headers(base);
        let body = match request.body() {
            Ok(aliyun_ai_core::RequestBody::Json(bytes)) => Bytes::from(bytes),
            _ => unreachable!("a JSON body"),
        };
        let url = format!("{base}{}", request.path());
        match kind {
            Bare::Hyper => {
                let mut prebuilt = http::Request::post(&url).body(body).expect("valid");
                *prebuilt.headers_mut() = headers;
                Caller::Hyper(bare_hyper_client(), prebuilt)
            }
            Bare::Reqwest => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let client = reqwest::Client::new();
                let prebuilt = client
                    .post(&url)
                    .headers(headers)
                    .body(body)
                    .build()
                    .expect("valid");
                Caller::Reqwest(client, Arc::new(prebuilt))
            }
            Bare::Transport | Bare::HyperTransport => {
                let mut prebuilt = http::Request::post(&url).body(body).expect("valid");
                *prebuilt.headers_mut() = headers;
                let transport: Arc<dyn HttpTransport> = if matches!(kind, Bare::Transport) {
                    Arc::new(aliyun_ai::transport::ReqwestTransport::new().expect("transport"))
                } else {
                    Arc::new(aliyun_ai::transport::HyperTransport::new().expect("transport"))
                };
                Caller::Transport(transport, prebuilt)
            }
            Bare::Retry | Bare::Halves => {
                let mut prebuilt = http::Request::post(&url).body(body).expect("valid");
                *prebuilt.headers_mut() = headers;
                let transport =
                    Arc::new(aliyun_ai::transport::ReqwestTransport::new().expect("transport"));
                if matches!(kind, Bare::Retry) {
                    Caller::Retry(transport, prebuilt)
                } else {
                    let canned = Config::builder()
                        .endpoint_for_all(base)
                        .access_key(AccessKey::new("LTAI5tBench", "bench-secret"))
                        .retry_policy(RetryPolicy::disabled())
                        .transport(Arc::new(Canned::analyze()))
                        .build()
                        .expect("config");
                    Caller::Halves(Client::new(canned), transport, prebuilt)
                }
            }
            Bare::PrebuiltOverHyper | Bare::PrebuiltMock => {
                let transport: Arc<dyn HttpTransport> = if matches!(kind, Bare::PrebuiltMock) {
                    Arc::new(Canned::analyze())
                } else {
                    Arc::new(aliyun_ai::transport::HyperTransport::new().expect("transport"))
                };
                let config = Config::builder()
                    .endpoint_for_all(base)
                    .access_key(AccessKey::new("LTAI5tBench", "bench-secret"))
                    .retry_policy(RetryPolicy::disabled())
                    .transport(transport)
                    .build()
                    .expect("config");
                Caller::Execute(Client::new(config), Arc::new(request))
            }
            Bare::Facade | Bare::FacadeOverHyper | Bare::Mock | Bare::MockTransport => {
                let mut builder = Config::builder()
                    .endpoint_for_all(base)
                    .access_key(AccessKey::new("LTAI5tBench", "bench-secret"))
                    .retry_policy(RetryPolicy::disabled());
                if matches!(kind, Bare::Mock) {
                    builder = builder.transport(Arc::new(Canned::analyze()));
                }
                if matches!(kind, Bare::MockTransport) {
                    builder = builder.transport(Arc::new(
                        aliyun_ai::mock::MockTransport::with_handler(|_| {
                            aliyun_ai::mock::MockResponse::new(200, ANSWER)
                                .header("content-type", "application/json")
                        }),
                    ));
                }
                // Both transports are compiled into the benchmark, where the
                // config's default would be reqwest: each row names its own.
                if matches!(kind, Bare::FacadeOverHyper) {
                    builder = builder.transport(Arc::new(
                        aliyun_ai::transport::HyperTransport::new().expect("transport"),
                    ));
                }
                if matches!(kind, Bare::Facade) {
                    builder = builder.transport(Arc::new(
                        aliyun_ai::transport::ReqwestTransport::new().expect("transport"),
                    ));
                }
                Caller::Facade(Client::new(builder.build().expect("config")))
            }
            Bare::DashScopeHyper
            | Bare::AsyncDashScope
            | Bare::DashScopeFacade
            | Bare::DashScopeCanned
            | Bare::DashScopeTransport => {
                unreachable!("built by Caller::dashscope above")
            }
        }
    }

    /// The DashScope callers, or `None` for the AnalyzeConversation ones.
    fn dashscope(kind: Bare, base: &str) -> Option<Self> {
        Some(match kind {
            Bare::DashScopeHyper => {
                Caller::Hyper(bare_hyper_client(), facade_dashscope_request(base))
            }
            Bare::DashScopeTransport => Caller::Transport(
                Arc::new(aliyun_ai::transport::HyperTransport::new().expect("transport")),
                facade_dashscope_request(base),
            ),
            Bare::AsyncDashScope => {
                let config = async_dashscope::config::ConfigBuilder::default()
                    .api_base(format!("{base}/api/v1"))
                    .api_key(BENCH_API_KEY)
                    .build()
                    .expect("config");
                Caller::AsyncDashScope(async_dashscope::Client::with_config(config))
            }
            Bare::DashScopeFacade | Bare::DashScopeCanned => {
                let transport: Arc<dyn HttpTransport> = if matches!(kind, Bare::DashScopeCanned) {
                    Arc::new(Canned(dashscope_answer().clone()))
                } else {
                    Arc::new(aliyun_ai::transport::HyperTransport::new().expect("transport"))
                };
                let config = Config::builder()
                    .endpoint_for_all(base)
                    .api_key(aliyun_ai::ApiKey::new(BENCH_API_KEY))
                    .retry_policy(RetryPolicy::disabled())
                    .transport(transport)
                    .build()
                    .expect("config");
                Caller::CustomerProfile(Client::new(config))
            }
            _ => return None,
        })
    }

    async fn call(&self) {
        match self {
            Caller::Hyper(client, prebuilt) => {
                let mut request = http::Request::new(Full::new(prebuilt.body().clone()));
                *request.method_mut() = prebuilt.method().clone();
                *request.uri_mut() = prebuilt.uri().clone();
                *request.headers_mut() = prebuilt.headers().clone();
                let response = client.request(request).await.expect("answered");
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes();
                assert!(!body.is_empty());
            }
            Caller::Reqwest(client, prebuilt) => {
                let request = prebuilt.try_clone().expect("a clonable request");
                let response = client.execute(request).await.expect("answered");
                let body = response.bytes().await.expect("body");
                assert!(!body.is_empty());
            }
            Caller::Transport(transport, prebuilt) => {
                let response = transport.send(prebuilt.clone()).await.expect("answered");
                let body = response.into_body().collect().await.expect("body");
                assert!(!body.is_empty());
            }
            Caller::Retry(transport, prebuilt) => {
                let response = RetryPolicy::disabled()
                    .send_buffered(transport.as_ref(), true, 32 << 20, |_| Ok(prebuilt.clone()))
                    .await
                    .expect("answered");
                let body = response.into_body().collect().await.expect("body");
                assert!(!body.is_empty());
            }
            Caller::Halves(canned, transport, prebuilt) => {
                let answer = canned
                    .contact_center_ai()
                    .analyze_conversation(analyze_request())
                    .await
                    .expect("answered");
                assert!(answer.text.is_some());
                let response = transport.send(prebuilt.clone()).await.expect("answered");
                let body = response.into_body().collect().await.expect("body");
                assert!(!body.is_empty());
            }
            Caller::AsyncDashScope(client) => {
                let param = async_dashscope_param();
                let answer = client
                    .multi_modal_conversation()
                    .call(param)
                    .await
                    .expect("answered");
                assert!(!answer.output.choices.is_empty());
            }
            Caller::CustomerProfile(client) => {
                let answer = client
                    .customer_profile()
                    .get_task(get_task_request())
                    .await
                    .expect("answered");
                assert!(
                    answer
                        .output
                        .is_some_and(|o| o.transcription_path.is_some())
                );
            }
            Caller::Execute(client, request) => {
                let answer = client.execute(request.as_ref()).await.expect("answered");
                assert!(answer.text.is_some());
            }
            Caller::Facade(client) => {
                let answer = client
                    .contact_center_ai()
                    .analyze_conversation(analyze_request())
                    .await
                    .expect("answered");
                assert!(answer.text.is_some());
            }
        }
    }
}

/// A transport that answers every request at once with one body.
struct Canned(Bytes);

impl Canned {
    /// Answers the AnalyzeConversation fixture.
    fn analyze() -> Self {
        Self(Bytes::from_static(ANSWER.as_bytes()))
    }
}

#[async_trait::async_trait]
impl HttpTransport for Canned {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut response = HttpResponse::new(HttpBody::full(self.0.clone()));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(response)
    }
}

/// How many rounds the sequential clients take turns in.
const ROUNDS: usize = 8;

/// Every sequential client on one `current_thread` runtime, measured in
/// [`ROUNDS`] rounds in which each makes `calls / ROUNDS` calls in turn, so a
/// drift of the machine (frequency, neighbours, the server warming up)
/// spreads over all of them instead of favouring the rows that come first.
fn measure_sequential_rounds(calls: usize, kinds: &[Bare], base: &str) -> Vec<Sequential> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let callers: Vec<Caller> = kinds.iter().map(|kind| Caller::new(*kind, base)).collect();
        for caller in &callers {
            for _ in 0..200 {
                caller.call().await;
            }
        }
        let per_round = (calls / ROUNDS).max(1);
        let mut totals = vec![(Duration::ZERO, Duration::ZERO, 0u64, 0usize); callers.len()];
        for _ in 0..ROUNDS {
            for (caller, total) in callers.iter().zip(&mut totals) {
                let connections = accepted_connections(base);
                let allocations = ALLOCATIONS.load(Ordering::Relaxed);
                let cpu = process_cpu().unwrap_or_default();
                let started = Instant::now();
                for _ in 0..per_round {
                    caller.call().await;
                }
                total.1 += started.elapsed();
                total.0 += process_cpu().unwrap_or_default().saturating_sub(cpu);
                total.2 += ALLOCATIONS.load(Ordering::Relaxed) - allocations;
                // The question's own connection is not the client's.
                total.3 += accepted_connections(base) - connections - 1;
            }
        }
        let made = per_round * ROUNDS;
        totals
            .into_iter()
            .map(|(cpu, wall, allocations, connections)| Sequential {
                cpu_us: per_call(cpu, made),
                wall_us: per_call(wall, made),
                allocations: allocations as f64 / made as f64,
                connections,
            })
            .collect()
    })
}

fn measure_concurrent(total: usize, kind: Bare, base: &str) -> Concurrent {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let caller = Caller::new(kind, base);
        let run = |count: usize| {
            let caller = caller.clone();
            async move {
                let per_task = count / CONCURRENCY;
                let tasks: Vec<_> = (0..CONCURRENCY)
                    .map(|_| {
                        let caller = caller.clone();
                        tokio::spawn(async move {
                            for _ in 0..per_task {
                                caller.call().await;
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("a task");
                }
                per_task * CONCURRENCY
            }
        };
        // Enough warm-up for the pool to hold a connection per task.
        run(CONCURRENCY * 4).await;
        let connections = accepted_connections(base);
        let cpu = process_cpu().unwrap_or_default();
        let started = Instant::now();
        let done = run(total).await;
        let wall = started.elapsed();
        let cpu = process_cpu().unwrap_or_default().saturating_sub(cpu);
        Concurrent {
            per_second: done as f64 / wall.as_secs_f64(),
            cpu_us: per_call(cpu, done),
            connections: accepted_connections(base) - connections - 1,
        }
    })
}

/// How many calls the emulator capacity row keeps in flight (issue 24: what a
/// user's test suite leaning on the emulator sees).
const EMULATOR_CONCURRENCY: usize = 64;

/// The emulator capacity row.
struct EmulatorCapacity {
    calls: usize,
    per_second: f64,
    cpu_us: f64,
}

/// Calls per second the emulator serves to the facade over its default
/// transport, [`EMULATOR_CONCURRENCY`] at a time; both run in this process,
/// so the CPU per call is the client's and the emulator's together.
fn emulator_capacity(total: usize) -> EmulatorCapacity {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let emulator = aliyun_ai_emulator::Emulator::start()
            .await
            .expect("the emulator starts");
        let credentials = emulator.credentials();
        let config = Config::builder()
            .endpoint_for_all(emulator.base_url())
            .access_key(AccessKey::new(
                &credentials.access_key_id,
                credentials.access_key_secret.as_str(),
            ))
            .retry_policy(RetryPolicy::disabled())
            .transport(Arc::new(
                aliyun_ai::transport::HyperTransport::new().expect("transport"),
            ))
            .build()
            .expect("config");
        let client = Client::new(config);
        let run = |count: usize| {
            let client = client.clone();
            async move {
                let per_task = count / EMULATOR_CONCURRENCY;
                let tasks: Vec<_> = (0..EMULATOR_CONCURRENCY)
                    .map(|_| {
                        let client = client.clone();
                        tokio::spawn(async move {
                            for _ in 0..per_task {
                                let answer = client
                                    .contact_center_ai()
                                    .analyze_conversation(analyze_request())
                                    .await
                                    .expect("the emulator answers");
                                assert!(answer.text.is_some());
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("a task");
                }
                per_task * EMULATOR_CONCURRENCY
            }
        };
        run(EMULATOR_CONCURRENCY * 4).await;
        let cpu = process_cpu().unwrap_or_default();
        let started = Instant::now();
        let calls = run(total).await;
        let wall = started.elapsed();
        let cpu = process_cpu().unwrap_or_default().saturating_sub(cpu);
        EmulatorCapacity {
            calls,
            per_second: calls as f64 / wall.as_secs_f64(),
            cpu_us: per_call(cpu, calls),
        }
    })
}

fn per_call(time: Duration, calls: usize) -> f64 {
    time.as_secs_f64() * 1e6 / calls as f64
}

/// Connections the server has accepted, read at [`CONNECTIONS_PATH`].
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
const CONNECTIONS_PATH: &str = "/__bench/connections";

/// How many connections the server has accepted so far, this question's own
/// connection (plain HTTP/1.0) included.
fn accepted_connections(base: &str) -> usize {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
    write!(
        stream,
        "GET {CONNECTIONS_PATH} HTTP/1.0\r\nHost: {address}\r\n\r\n"
    )
    .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answered");
    let count = answer.rsplit("\r\n\r\n").next().unwrap_or_default();
    count.trim().parse::<usize>().expect("a count")
}

/// The child process: a hyper HTTP/1 server answering every request with the
/// fixture, on an ephemeral loopback port it prints first.
fn serve() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("an address"));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        if request.uri().path() == CONNECTIONS_PATH {
                            let count = ACCEPTED.load(Ordering::Relaxed).to_string();
                            return Ok(hyper::Response::new(Full::new(Bytes::from(count))));
                        }
                        let dashscope = request.uri().path() == DASHSCOPE_PATH;
                        let _ = request.into_body().collect().await;
                        let answer = if dashscope {
                            dashscope_answer().clone()
                        } else {
                            Bytes::from_static(ANSWER.as_bytes())
                        };
                        let mut response = hyper::Response::new(Full::new(answer));
                        response.headers_mut().insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static("application/json;charset=utf-8"),
                        );
                        response.headers_mut().insert(
                            "x-acs-request-id",
                            http::HeaderValue::from_static("968A8634-FA2C-5381-9B3E-C552DED7E8BF"),
                        );
                        Ok::<_, std::convert::Infallible>(response)
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
