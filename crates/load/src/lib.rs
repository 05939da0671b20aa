//! The load run (`docs/RELIABILITY.md`): calls mixed across every operation
//! of every model crate, at a fixed concurrency, through the default (hyper)
//! transport to the emulator, while the emulator injects a steady share of
//! faults (throttling, 5xx, resets before and in the middle of an answer,
//! stalls) and the credentials are refreshed mid-run. It accounts for every
//! call and checks each outcome is one the SDK should give:
//!
//! - a success, or the emulator's "no such resource" answer (the doc tables'
//!   example ids name resources a fresh emulator does not hold);
//! - after a fault: a typed error that says what happened, with the retry
//!   count the rules imply (a non-idempotent call whose request may have been
//!   processed is never re-sent);
//!
//! and that no non-idempotent request was handled twice, that the open
//! connections and the process's memory stay within bounds, and that no
//! call failed for want of credentials while they were being refreshed.
//!
//! `cargo run --release -p aliyun-ai-load --example load` runs the full
//! form (10,000 calls at concurrency 200); `cargo test` runs a short form.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aliyun_ai::auth::provider::{EcsRoleProvider, TemporaryTokenProvider};
use aliyun_ai::auth::time::format_iso8601;
use aliyun_ai::auth::{ApiKey, HttpContext};
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::time::Timer;
use aliyun_ai::transport::{HyperTransport, TransportErrorKind};
use aliyun_ai::{Client, Config, ErrorKind, RetryPolicy};
use aliyun_ai_core::Operation;
use aliyun_ai_core::server::ServerOperation;
use aliyun_ai_emulator::{
    Credentials, Emulator, EmulatorConfig, Fault, FaultRule, StsCredentials, unknown_id_code,
};
use futures_util::StreamExt;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// How many calls in all.
    pub calls: usize,
    /// How many run at once.
    pub concurrency: usize,
    /// Faults per hundred requests the emulator receives (at most 5: one
    /// share each of throttling, HTTP 503, a reset before the answer, a
    /// reset in its middle and a stall in its middle).
    pub faults_per_hundred: u64,
    /// How many times the credentials are made due for renewal mid-run.
    pub credential_refreshes: usize,
}

impl Default for LoadConfig {
    /// The full form: 10,000 calls at concurrency 200 with 5% faults and
    /// five credential refreshes.
    fn default() -> Self {
        Self {
            calls: 10_000,
            concurrency: 200,
            faults_per_hundred: 5,
            credential_refreshes: 5,
        }
    }
}

mod every_operation;

/// The bounds a run must hold.
pub mod bounds {
    /// Open connections at the emulator at any moment, as a multiple of the
    /// concurrency (a stalled connection is held 10 s after its client gave up).
    pub const PEAK_CONNECTIONS_PER_CALLER: usize = 2;
    /// Growth of the process's resident memory over the run, in MiB.
    pub const MEMORY_GROWTH_MIB: u64 = 128;
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Calls started.
    pub calls: usize,
    /// Calls that ended (with any outcome).
    pub accounted: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latency percentiles of the calls.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// The slowest call.
    pub max: Duration,
    /// Outcome counts by name (`ok`, `not-found`, `throttled-exhausted`...).
    pub outcomes: BTreeMap<String, usize>,
    /// Outcomes the SDK should never give, with a description of each kind.
    pub unexpected: BTreeMap<String, usize>,
    /// Non-idempotent actions the emulator handled more often than the client called them.
    pub duplicated: Vec<String>,
    /// Credential fetches from the metadata service, and DashScope token fetches.
    pub access_key_fetches: usize,
    /// DashScope temporary tokens issued.
    pub token_fetches: u64,
    /// Calls that failed for want of credentials.
    pub credential_failures: usize,
    /// The most open connections seen at the emulator.
    pub peak_connections: usize,
    /// Resident memory before and after, in MiB (0 where not measurable).
    pub rss_before_mib: u64,
    /// After.
    pub rss_after_mib: u64,
    /// Operations in the mix.
    pub operations: usize,
    /// Operations left out of the mix: their doc table has no valid example request.
    pub skipped: Vec<&'static str>,
}

impl Report {
    /// Calls per second.
    pub fn calls_per_second(&self) -> f64 {
        self.accounted as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Every check the run must pass; the failures, described.
    pub fn violations(&self, config: &LoadConfig) -> Vec<String> {
        let mut problems = Vec::new();
        if self.accounted != self.calls {
            problems.push(format!(
                "{} calls started, {} accounted for",
                self.calls, self.accounted
            ));
        }
        if !self.unexpected.is_empty() {
            problems.push(format!("unexpected outcomes: {:?}", self.unexpected));
        }
        if !self.duplicated.is_empty() {
            problems.push(format!("handled twice: {:?}", self.duplicated));
        }
        if self.credential_failures > 0 {
            problems.push(format!(
                "{} calls failed for want of credentials",
                self.credential_failures
            ));
        }
        if config.credential_refreshes > 0 && self.access_key_fetches < 2 {
            problems.push("the credentials were never refreshed".into());
        }
        let peak = bounds::PEAK_CONNECTIONS_PER_CALLER * config.concurrency;
        if self.peak_connections > peak {
            problems.push(format!(
                "{} open connections (bound {peak})",
                self.peak_connections
            ));
        }
        if self.rss_after_mib > self.rss_before_mib + bounds::MEMORY_GROWTH_MIB {
            problems.push(format!(
                "memory grew from {} to {} MiB (bound +{})",
                self.rss_before_mib,
                self.rss_after_mib,
                bounds::MEMORY_GROWTH_MIB
            ));
        }
        problems
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} calls over {} operations (left out, no example request: {:?}) in {:.2} s: {:.0} calls/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.accounted,
            self.operations,
            self.skipped,
            self.elapsed.as_secs_f64(),
            self.calls_per_second(),
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3,
        )?;
        for (outcome, count) in &self.outcomes {
            writeln!(f, "  {outcome:<34} {count}")?;
        }
        for (outcome, count) in &self.unexpected {
            writeln!(f, "  UNEXPECTED {outcome:<23} {count}")?;
        }
        writeln!(
            f,
            "credentials: {} AccessKey fetches, {} DashScope tokens, {} calls failed for want of them",
            self.access_key_fetches, self.token_fetches, self.credential_failures
        )?;
        write!(
            f,
            "peak open connections {}; resident memory {} -> {} MiB; handled twice: {:?}",
            self.peak_connections, self.rss_before_mib, self.rss_after_mib, self.duplicated
        )
    }
}

type CallFuture = Pin<Box<dyn Future<Output = Result<(), aliyun_ai::Error>> + Send>>;
type DebugFuture = Pin<Box<dyn Future<Output = String> + Send>>;

/// One operation of the mix.
struct Op {
    action: &'static str,
    service: &'static str,
    idempotent: bool,
    /// Whether its example request asks for a stream.
    streams: bool,
    call: fn(Client) -> CallFuture,
    /// The same call, its outcome (answer or error) as `Debug` text.
    debug: fn(Client) -> DebugFuture,
}

/// Calls `O` with its doc table's example request: streamed (and drained)
/// when the request asks for a stream.
fn call<O>(client: Client) -> CallFuture
where
    O: ServerOperation + Send + Sync + 'static,
    O::Output: Send + Unpin + 'static,
{
    Box::pin(async move {
        let request = O::example_request()
            .unwrap_or_else(|e| panic!("{}: the example request: {e}", O::INFO.action));
        if request.wants_stream() {
            let mut events = client.execute_stream(&request).await?;
            while let Some(event) = events.next().await {
                event?;
            }
            Ok(())
        } else {
            client.execute(&request).await.map(drop)
        }
    })
}

/// Calls `O` with its example request and formats the outcome with
/// `Debug`: every answer (each event of a stream) or error.
fn call_debug<O>(client: Client) -> DebugFuture
where
    O: ServerOperation + fmt::Debug + Send + Sync + 'static,
    O::Output: Send + Unpin + fmt::Debug + 'static,
{
    Box::pin(async move {
        let Ok(request) = O::example_request() else {
            return String::new();
        };
        let mut text = format!("{request:?}\n");
        if request.wants_stream() {
            match client.execute_stream(&request).await {
                Ok(mut events) => {
                    while let Some(event) = events.next().await {
                        text.push_str(&format!("{event:?}\n"));
                    }
                }
                Err(error) => text.push_str(&format!("{error:?}\n{error}\n")),
            }
        } else {
            match client.execute(&request).await {
                Ok(answer) => text.push_str(&format!("{answer:?}\n")),
                Err(error) => text.push_str(&format!("{error:?}\n{error}\n")),
            }
        }
        text
    })
}

/// Calls every operation once with its doc table's example request, in
/// table order, and returns each outcome's `Debug` text (request, then
/// answer, events or error): what the no-secret test scans.
pub async fn call_every_operation(client: &Client) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for op in operations() {
        out.push((op.action, (op.debug)(client.clone()).await));
    }
    out
}

fn operations() -> Vec<Op> {
    operations_and_skipped().0
}

/// The operations of the mix, and the actions left out (no example request).
fn operations_and_skipped() -> (Vec<Op>, Vec<&'static str>) {
    let mut ops = Vec::new();
    let mut skipped = Vec::new();
    macro_rules! add {
        ($request:ty) => {
            // An operation whose table gives no example request (OpenPlatform's
            // AuthorizeFileUpload takes none) is called through the facade's
            // upload instead, elsewhere; it cannot join a generic mix.
            let example = <$request as ServerOperation>::example_request();
            if example.is_err() {
                skipped.push(<$request as Operation>::INFO.action);
            }
            if let Ok(example) = example {
                ops.push(Op {
                    streams: example.wants_stream(),
                    action: <$request as Operation>::INFO.action,
                    service: <$request as Operation>::INFO.service.key,
                    idempotent: <$request as Operation>::INFO.idempotent,
                    call: call::<$request>,
                    debug: call_debug::<$request>,
                });
            }
        };
    }
    every_operation::every_operation!(add);
    (ops, skipped)
}

/// What one call ended in, by name; `Err` names an outcome the SDK should
/// never give.
fn classify(
    op: &Op,
    outcome: &Result<(), aliyun_ai::Error>,
    max_attempts: u32,
) -> Result<&'static str, String> {
    let error = match outcome {
        Ok(()) => return Ok("ok"),
        Err(error) => error,
    };
    let transport = transport_kind(error);
    match error.kind() {
        // The emulator's own code, for this service, for an id it does not
        // hold (the customer-profile application's is read with its message, below).
        ErrorKind::Service
            if op.service != "customerprofile"
                && error.code().is_some()
                && error.code() == unknown_id_code(op.service) =>
        {
            Ok("not-found (example ids)")
        }
        // The customer-profile getTask of an unknown dataId, as the emulator answers it.
        ErrorKind::Service
            if op.service == "customerprofile"
                && error.code() == Some("InvalidParameter")
                && error
                    .message()
                    .is_some_and(|m| m.contains("does not exist")) =>
        {
            Ok("not-found (example ids)")
        }
        // Tingwu's limit of vocabularies, reached by the run's many creates.
        ErrorKind::Service if error.code() == Some("PHS.Exceed") => {
            Ok("limit reached (PHS.Exceed)")
        }
        // A 5xx does not prove a non-idempotent call was not processed: it
        // is reported at once (still retryable at the caller's choice).
        ErrorKind::Service
            if !op.idempotent
                && error.is_retryable()
                && !error.is_throttling()
                && error.status().is_some_and(|s| (500..600).contains(&s)) =>
        {
            Ok("5xx reported, not re-sent (non-idempotent)")
        }
        // Refused before the handler: retried, so seen only once the budget
        // is spent.
        ErrorKind::Service if error.is_retryable() && error.attempts() == max_attempts => {
            Ok("retryable, budget spent")
        }
        // Sent, then broken: an idempotent call spends its budget; a
        // non-idempotent one is reported at once, never re-sent.
        ErrorKind::Transport
            if matches!(
                transport,
                Some(TransportErrorKind::Body | TransportErrorKind::Timeout)
            ) =>
        {
            match (op.idempotent, error.attempts()) {
                // Events already delivered cannot be taken back: a stream
                // broken after its start ends the call, idempotent or not.
                _ if op.streams => Ok("stream broken after its start"),
                // Earlier attempts may have been refused (throttled, 5xx)
                // before the handler; the broken one ends the call. That it
                // was never re-sent is what the handled-twice check proves.
                (false, n) if n <= max_attempts => Ok("broken, not re-sent (non-idempotent)"),
                (true, n) if n == max_attempts => Ok("broken, budget spent (idempotent)"),
                (_, n) => Err(format!(
                    "{} {:?} after {n} attempts (idempotent: {})",
                    op.action, transport, op.idempotent
                )),
            }
        }
        ErrorKind::Credentials => Err(format!("credentials: {error}")),
        _ => Err(format!("{}: {:?} {error}", op.action, error.kind())),
    }
}

fn transport_kind(error: &aliyun_ai::Error) -> Option<TransportErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(transport) = cause.downcast_ref::<aliyun_ai::transport::TransportError>() {
            return Some(transport.kind());
        }
        source = cause.source();
    }
    None
}

/// One wall clock for the emulator, the client's signatures and both
/// credential providers: real time plus an offset the run moves forward in
/// jumps, so credentials fall due mid-run as they would after half an hour,
/// while every party still agrees on the time.
#[derive(Default)]
struct JumpingClock {
    offset: Mutex<Duration>,
}

impl JumpingClock {
    fn jump(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Timer for JumpingClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn system_time(&self) -> SystemTime {
        self.wall()
    }
}

/// How long each issued STS credential and DashScope token lives.
const LIFETIME: Duration = Duration::from_secs(1000);

/// Each jump leaves this much of the current credentials' life: under the
/// five minutes at which they are renewed, so the next call renews them,
/// while calls in flight still hold valid ones (as in real time). The jump
/// itself (800 s) stays inside the 15 minutes of clock skew a gateway
/// allows, so a request signed just before it is still accepted after it.
const LEFT_AFTER_JUMP: Duration = Duration::from_secs(200);

/// Resident memory of this process, in MiB (Linux; 0 elsewhere).
fn rss_mib() -> u64 {
    let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}

/// Starts an emulator, runs the load, and reports. Must run on a
/// multi-thread tokio runtime.
pub async fn run(config: &LoadConfig) -> Result<Report, String> {
    // The emulator accepts every STS credential the mocked metadata service
    // may issue during the run.
    let mut credentials = Credentials::default();
    for n in 0..=config.credential_refreshes + 2 {
        credentials = credentials.with_sts(StsCredentials::new(
            format!("STS.load-{n}"),
            format!("sts-secret-{n}"),
            format!("sts-token-{n}"),
        ));
    }
    let clock = Arc::new(JumpingClock::default());
    let emulator = Emulator::start_with(
        EmulatorConfig::default()
            .with_time(clock.clone())
            .with_credentials(credentials)
            .with_stream_event_delay(Duration::from_millis(1))
            .with_task_delay(Duration::from_millis(50)),
    )
    .await
    .map_err(|e| format!("the emulator: {e}"))?;
    // A steady share of faults over every request the emulator receives.
    let faults = [
        // Each service's own throttling answer.
        Fault::Throttle,
        Fault::Error {
            status: 503,
            code: "ServiceUnavailable".into(),
        },
        Fault::DropConnection,
        Fault::ResetMidBody,
        Fault::StallMidBody,
    ];
    for (offset, fault) in faults
        .into_iter()
        .take(config.faults_per_hundred.min(5) as usize)
        .enumerate()
    {
        emulator.inject(FaultRule::always(fault).every(100, offset as u64 * 20 + 7));
    }

    let fetches = Arc::new(AtomicUsize::new(0));
    let metadata = {
        let (clock, fetches) = (clock.clone(), fetches.clone());
        MockTransport::with_handler(move |request| {
            if request.uri.path() == "/latest/api/token" {
                return MockResponse::new(200, "session");
            }
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            MockResponse::json(
                200,
                &serde_json::json!({
                    "Code": "Success",
                    "AccessKeyId": format!("STS.load-{n}"),
                    "AccessKeySecret": format!("sts-secret-{n}"),
                    "SecurityToken": format!("sts-token-{n}"),
                    "Expiration": format_iso8601(clock.wall() + LIFETIME),
                    "LastUpdated": format_iso8601(clock.wall()),
                }),
            )
        })
    };
    let access_keys = EcsRoleProvider::new(
        HttpContext::new(Arc::new(metadata))
            .with_retry(RetryPolicy::disabled())
            .with_time(clock.clone()),
    )
    .with_endpoint("http://imds.test")
    .with_role_name("load");
    // DashScope temporary tokens, issued by the emulator itself.
    let token_transport = HyperTransport::builder()
        .request_timeout(Some(Duration::from_millis(1500)))
        .read_idle_timeout(Some(Duration::from_millis(500)))
        .build()
        .map_err(|e| e.to_string())?;
    let api_keys = TemporaryTokenProvider::new(
        HttpContext::new(Arc::new(token_transport))
            .with_retry(RetryPolicy::default())
            .with_time(clock.clone()),
        Arc::new(ApiKey::new(emulator.credentials().api_key.as_str())),
    )
    .with_base_url(emulator.base_url())
    .with_expire_in(LIFETIME);
    let retry = RetryPolicy::default()
        .with_max_attempts(3)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(50));
    let max_attempts = retry.max_attempts();
    let client = Client::new(
        Config::builder()
            .time_source(clock.clone())
            .endpoint_for_all(emulator.base_url())
            .access_key_provider(Arc::new(access_keys))
            .api_key_provider(Arc::new(api_keys))
            .retry_policy(retry)
            .request_timeout(Duration::from_millis(1500))
            .read_idle_timeout(Duration::from_millis(500))
            .build()
            .map_err(|e| format!("the client: {e}"))?,
    );

    let (ops, skipped) = operations_and_skipped();
    let ops = Arc::new(ops);
    let rss_before = rss_mib();
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // Credentials made due for renewal at even intervals of the run.
    let refresh_every = config.calls / (config.credential_refreshes + 1).max(1);
    let mut workers = Vec::new();
    let results = Arc::new(Mutex::new(Vec::with_capacity(config.calls)));
    for _ in 0..config.concurrency {
        let (client, ops, next, done, results, clock) = (
            client.clone(),
            ops.clone(),
            next.clone(),
            done.clone(),
            results.clone(),
            clock.clone(),
        );
        let calls = config.calls;
        let refreshes = config.credential_refreshes;
        workers.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                if index >= calls {
                    break;
                }
                if refreshes > 0 && index > 0 && index % refresh_every.max(1) == 0 {
                    clock.jump(LIFETIME - LEFT_AFTER_JUMP);
                }
                let op = &ops[index % ops.len()];
                let began = Instant::now();
                let outcome = (op.call)(client.clone()).await;
                let latency = began.elapsed();
                results.lock().unwrap_or_else(|p| p.into_inner()).push((
                    index % ops.len(),
                    outcome,
                    latency,
                ));
                done.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Sample the emulator's open connections until every call is done.
    while done.load(Ordering::SeqCst) < config.calls {
        peak.fetch_max(emulator.open_connections(), Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
        if workers.iter().all(|w| w.is_finished()) {
            break;
        }
    }
    for worker in workers {
        worker
            .await
            .map_err(|e| format!("a worker panicked: {e}"))?;
    }
    let elapsed = started.elapsed();
    let rss_after = rss_mib();

    let results = std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()));
    let mut report = Report {
        calls: config.calls,
        accounted: results.len(),
        elapsed,
        operations: ops.len(),
        skipped,
        peak_connections: peak.load(Ordering::Relaxed),
        rss_before_mib: rss_before,
        rss_after_mib: rss_after,
        ..Report::default()
    };
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.2).collect();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    report.p50 = at(0.50);
    report.p99 = at(0.99);
    report.max = latencies.last().copied().unwrap_or_default();
    let mut calls_by_action: BTreeMap<&str, u64> = BTreeMap::new();
    for (op, outcome, _) in &results {
        let op = &ops[*op];
        *calls_by_action.entry(op.action).or_default() += 1;
        if let Err(error) = outcome {
            if error.kind() == ErrorKind::Credentials {
                report.credential_failures += 1;
            }
        }
        match classify(op, outcome, max_attempts) {
            Ok(name) => *report.outcomes.entry(name.to_owned()).or_default() += 1,
            Err(description) => {
                let key = description.chars().take(160).collect::<String>();
                *report.unexpected.entry(key).or_default() += 1;
            }
        }
    }
    // A non-idempotent request is handled at most once per call: it is
    // re-sent only after an answer that proves the handler never ran.
    for op in ops.iter().filter(|op| !op.idempotent) {
        let called = calls_by_action.get(op.action).copied().unwrap_or(0);
        let handled = emulator.handled(op.action);
        if handled > called {
            report.duplicated.push(format!(
                "{}/{}: {handled} handled for {called} calls",
                op.service, op.action
            ));
        }
    }
    report.access_key_fetches = fetches.load(Ordering::SeqCst);
    report.token_fetches = emulator.handled("Tokens");
    Ok(report)
}
