//! A local emulator of the four services the `aliyun-ai` SDK covers —
//! ContactCenterAI, DianJin, RetailBot and DashScope Tingwu — on one loopback
//! address, so the SDK runs and is tested with no cloud account.
//!
//! It checks authentication the way the real gateways do (V3 signatures
//! recomputed from the request as received, dates within 15 minutes, no
//! reused nonce, V1 for RPC, Bearer keys and the `st-` tokens it issued),
//! answers deterministically from the input, and injects faults on demand.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use aliyun_ai_emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! // Point the SDK at it:
//! //   Config::builder().endpoint_for_all(emulator.base_url())
//! //       .access_key(AccessKey::new(&creds.access_key_id, &creds.access_key_secret))
//! //       .api_key(ApiKey::new(&creds.api_key))
//! let creds = emulator.credentials();
//! println!("{} {}", emulator.base_url(), creds.access_key_id);
//! # Ok(())
//! # }
//! ```
//!
//! Every behaviour, default credential and fault switch is described in
//! `docs/EMULATOR.md`.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod auth;
mod handlers;
mod models;
mod oss;
mod responders;
mod router;
mod server;
mod services;
mod state;

/// Entry points for the fuzz targets (`fuzz/`): the emulator's parsing of
/// a request's bytes, without a socket. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use aliyun_ai_core::server::WireRequest;
    use http::{HeaderMap, HeaderValue, Method};

    use crate::router::{self, Target};

    /// Routes a request as the server does and decodes it with its
    /// operation's model, as the handlers do; parses its `Authorization`
    /// header as the verifier does. Returns whether the request decoded.
    pub fn request(
        method: &[u8],
        path: &str,
        query: &str,
        authorization: &[u8],
        body: &[u8],
    ) -> bool {
        let Ok(method) = Method::from_bytes(method) else {
            return false;
        };
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(authorization) {
            if let Ok(text) = value.to_str() {
                let _ = crate::auth::parse_authorization(text);
            }
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let Some(Target::Operation { info, path_params }) =
            router::route(&[], &method, path, &headers, query, body)
        else {
            return false;
        };
        let Some(entry) = router::entries(&[]).find(|entry| std::ptr::eq(entry.info, info)) else {
            return false;
        };
        let query = aliyun_ai_core::encoding::decode_form(query).unwrap_or_default();
        let wire = WireRequest {
            path_params: &path_params,
            query: &query,
            body,
        };
        (entry.answer)(&wire).is_ok()
    }
}

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The error codes the emulator answers for an id it does not hold (a task,
/// a library, a document, a vocabulary): CCAI's own `CCAI.InvalidParam.NotExist`
/// (its metadata's error codes) and, for DianJin, whose failures arrive as
/// `success: false` with an `errCode`, `ResourceNotFound` (the vendor
/// publishes no code for it; the emulator's choice).
pub const UNKNOWN_ID_CODES: &[&str] = &["CCAI.InvalidParam.NotExist", "ResourceNotFound"];

/// The error code the emulator answers, for one service (its key, as in
/// `ServiceInfo::key`), for an id it does not hold; `None` for a service
/// whose operations name no id the emulator keeps. Tingwu's is DashScope's
/// `InvalidParameter` ("dataId ... does not exist"), which it also answers
/// for a malformed request: a test checking for an unknown id of Tingwu
/// should read the message too.
pub fn unknown_id_code(service: &str) -> Option<&'static str> {
    handlers::unknown_id_code(service)
}

pub use aliyun_ai_auth::sign::{Clock, FixedClock, SystemClock};
pub use state::{Fault, FaultRule};

/// The default AccessKey id (override with `--access-key-id` or
/// `ALIYUN_AI_EMULATOR_ACCESS_KEY_ID`).
pub const DEFAULT_ACCESS_KEY_ID: &str = "emulator-access-key-id";
/// The default AccessKey secret (`--access-key-secret`, `ALIYUN_AI_EMULATOR_ACCESS_KEY_SECRET`).
pub const DEFAULT_ACCESS_KEY_SECRET: &str = "emulator-access-key-secret";
/// The default DashScope API key (`--api-key`, `ALIYUN_AI_EMULATOR_API_KEY`).
pub const DEFAULT_API_KEY: &str = "sk-emulator-api-key";

/// The credentials the emulator accepts. They are test credentials, printed
/// on purpose; never put real ones here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// AccessKey id for ContactCenterAI, DianJin and RetailBot.
    pub access_key_id: String,
    /// AccessKey secret.
    pub access_key_secret: String,
    /// DashScope API key.
    pub api_key: String,
    /// STS credentials also accepted: requests signed with one must carry its
    /// security token (`x-acs-security-token`, signed; `SecurityToken` for V1).
    pub sts: Vec<StsCredentials>,
}

impl Credentials {
    /// An AccessKey pair and a DashScope API key.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            api_key: api_key.into(),
            sts: Vec::new(),
        }
    }

    /// Also accepts an STS AccessKey with its security token.
    pub fn with_sts(mut self, sts: StsCredentials) -> Self {
        self.sts.push(sts);
        self
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Self::new(
            DEFAULT_ACCESS_KEY_ID,
            DEFAULT_ACCESS_KEY_SECRET,
            DEFAULT_API_KEY,
        )
    }
}

/// A temporary (STS) AccessKey the emulator accepts, with the security token
/// it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsCredentials {
    /// The STS AccessKey id (`STS.` ...).
    pub access_key_id: String,
    /// Its secret.
    pub access_key_secret: String,
    /// The security token requests must carry.
    pub security_token: String,
}

impl StsCredentials {
    /// An STS AccessKey and its token.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: security_token.into(),
        }
    }
}

/// How the emulator behaves.
#[derive(Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Where to listen (port 0 picks a free one). Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// The credentials it accepts.
    pub credentials: Credentials,
    /// How long a task stays queued/running before it is done. Default 1.5 s.
    pub task_delay: Duration,
    /// How long result URLs stay valid. Default 10 minutes.
    pub result_url_ttl: Duration,
    /// The pause between streamed events. Default 80 ms.
    pub stream_event_delay: Duration,
    /// Include the expected string to sign in `SignatureDoesNotMatch` answers.
    pub debug_signatures: bool,
    /// Throttle each operation above this many requests per second, with the
    /// service's own throttling error. Default: no limit.
    pub qps_limit: Option<u32>,
    /// Operations of other model crates to serve too (their
    /// `SERVER_OPERATIONS`, feature `server`): routed by their templates and
    /// answered from their tables' examples.
    pub operations: Vec<aliyun_ai_core::server::ServerEntry>,
    /// The wall clock behind every date the emulator checks or issues:
    /// request dates (`x-acs-date`, V1 `Timestamp`, 15 minutes either way),
    /// token and result-URL expiry. Default: the system clock. Set it to a
    /// captured request's `x-acs-date` to replay that request.
    pub clock: Arc<dyn Clock>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: Credentials::default(),
            task_delay: Duration::from_millis(1500),
            result_url_ttl: Duration::from_secs(600),
            stream_event_delay: Duration::from_millis(80),
            debug_signatures: false,
            qps_limit: None,
            operations: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .field("task_delay", &self.task_delay)
            .field("result_url_ttl", &self.result_url_ttl)
            .field("stream_event_delay", &self.stream_event_delay)
            .field("debug_signatures", &self.debug_signatures)
            .field("qps_limit", &self.qps_limit)
            .field("operations", &self.operations)
            .finish_non_exhaustive()
    }
}

impl EmulatorConfig {
    /// Sets the address.
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Sets the credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets how long tasks take.
    pub fn with_task_delay(mut self, delay: Duration) -> Self {
        self.task_delay = delay;
        self
    }

    /// Sets how long result URLs stay valid.
    pub fn with_result_url_ttl(mut self, ttl: Duration) -> Self {
        self.result_url_ttl = ttl;
        self
    }

    /// Sets the pause between streamed events.
    pub fn with_stream_event_delay(mut self, delay: Duration) -> Self {
        self.stream_event_delay = delay;
        self
    }

    /// Also serves these operations (a model crate's `SERVER_OPERATIONS`,
    /// feature `server`): a crate generated from your own tables runs on the
    /// emulator with no handler written.
    pub fn with_operations(mut self, operations: &[aliyun_ai_core::server::ServerEntry]) -> Self {
        self.operations.extend_from_slice(operations);
        self
    }

    /// Sets the wall clock (see [`EmulatorConfig::clock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Shows the canonical request and string to sign the emulator expected
    /// in signature errors.
    pub fn with_debug_signatures(mut self, on: bool) -> Self {
        self.debug_signatures = on;
        self
    }

    /// Throttles each operation above `limit` requests per second.
    pub fn with_qps_limit(mut self, limit: Option<u32>) -> Self {
        self.qps_limit = limit;
        self
    }
}

/// A running emulator. It stops when dropped.
pub struct Emulator {
    addr: SocketAddr,
    inner: Arc<server::Inner>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator on an ephemeral loopback port with the defaults.
    pub async fn start() -> std::io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with `config`.
    pub async fn start_with(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(server::Inner {
            config,
            state: Default::default(),
            base_url: format!("http://{addr}"),
            open_connections: AtomicUsize::new(0),
        });
        let (shutdown, mut stop) = oneshot::channel::<()>();
        let serving = inner.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let inner = serving.clone();
                        tokio::spawn(async move {
                            inner.open_connections.fetch_add(1, Ordering::Relaxed);
                            let counted = inner.clone();
                            let service = service_fn(move |request| server::handle(inner.clone(), request));
                            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                            counted.open_connections.fetch_sub(1, Ordering::Relaxed);
                        });
                    }
                    _ = &mut stop => break,
                }
            }
        });
        Ok(Emulator {
            addr,
            inner,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`: the endpoint of every service.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }

    /// Adds a fault rule (see [`FaultRule`]).
    pub fn inject(&self, rule: FaultRule) {
        self.inner.state.add_fault(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.state.clear_faults();
    }

    /// How many requests of `action` (`CreateTask`, `getTask`, ...) reached
    /// their handler, so their effects happened (a fault that cuts the answer
    /// afterwards does not undo them): what a test counts to prove a
    /// non-idempotent call was not sent twice.
    pub fn handled(&self, action: &str) -> u64 {
        self.inner
            .state
            .with(|state| state.handled.get(action).copied().unwrap_or(0))
    }

    /// How many client connections are open now.
    pub fn open_connections(&self) -> usize {
        self.inner.open_connections.load(Ordering::Relaxed)
    }

    /// Stores a ContactCenterAI task under a task id of your choosing, as if
    /// CreateTask had been called with `request` (the JSON body of a
    /// CreateTask request), so a test can read it with GetTaskResult by that
    /// id. Fails when `request` is not a valid CreateTask body.
    pub fn insert_contact_center_task(
        &self,
        task_id: impl Into<String>,
        request: serde_json::Value,
    ) -> Result<(), serde_json::Error> {
        serde_json::from_value::<aliyun_ai_models_contactcenterai::CreateTaskRequest>(
            request.clone(),
        )?;
        self.inner.state.with(|s| {
            s.ccai_tasks.insert(
                task_id.into(),
                state::CcaiTask {
                    created: std::time::Instant::now(),
                    request,
                },
            )
        });
        Ok(())
    }

    /// Stores a Tingwu task under a `dataId` of your choosing, as if
    /// createTask had been called with `text` (lines `speaker: content`).
    pub fn insert_tingwu_task(&self, data_id: impl Into<String>, text: &str) {
        let lines = services::transcript_lines(text);
        self.inner.state.with(|s| {
            s.tingwu_tasks.insert(
                data_id.into(),
                state::TingwuTask {
                    created: std::time::Instant::now(),
                    lines,
                    failure: None,
                    identities: Vec::new(),
                    extractions: Vec::new(),
                },
            )
        });
    }

    /// Serves until the process is interrupted (Ctrl-C).
    pub async fn serve_until_interrupted(mut self) -> std::io::Result<()> {
        tokio::signal::ctrl_c().await?;
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        Ok(())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// `yyyyMMdd` of a time (for task ids).
pub(crate) fn format_day(time: SystemTime) -> String {
    let stamp = aliyun_ai_auth::time::format_iso8601(time);
    stamp[..10].replace('-', "")
}
