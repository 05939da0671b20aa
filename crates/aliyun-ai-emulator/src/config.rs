//! How the emulator behaves: the credentials it accepts, its delays, limits,
//! time source and fault rules.

use aliyun_ai_core::time::Timer;
use aliyun_ai_transport::retry::TokioTimer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
    /// Whether a request's own `x-emulator-fault` header injects a fault.
    /// Default: no, so that no client can make a shared emulator misbehave;
    /// rules set with `Emulator::inject` always apply.
    pub fault_header: bool,
    /// How long a client may take to send a request's headers before the
    /// connection is closed. Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a real-time (WebSocket) session waits for the client's next
    /// message before it sends an `Error` and closes. Default 60 s.
    pub realtime_idle_timeout: Duration,
    /// The most connections served at once; further ones wait in the
    /// listen backlog until one closes. Default 1,024.
    pub max_connections: usize,
    /// Throttle each operation above this many requests per second, with the
    /// service's own throttling error. Default: no limit.
    pub qps_limit: Option<u32>,
    /// Operations of other model crates to serve too (their
    /// `SERVER_OPERATIONS`, feature `server`): routed by their templates and
    /// answered from their tables' examples.
    pub operations: Vec<aliyun_ai_core::server::ServerEntry>,
    /// The time source whose wall clock is behind every date the emulator
    /// checks or issues: request dates (`x-acs-date`, V1 `Timestamp`, 15
    /// minutes either way), token and result-URL expiry. Default: real time.
    /// A `ManualTimer::at` a captured request's `x-acs-date` replays that
    /// request.
    pub time: Arc<dyn Timer>,
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
            fault_header: false,
            header_read_timeout: Duration::from_secs(10),
            realtime_idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            qps_limit: None,
            operations: Vec::new(),
            time: Arc::new(TokioTimer),
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
            .field("fault_header", &self.fault_header)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("realtime_idle_timeout", &self.realtime_idle_timeout)
            .field("max_connections", &self.max_connections)
            .field("qps_limit", &self.qps_limit)
            .field("operations", &self.operations)
            .finish_non_exhaustive()
    }
}

impl EmulatorConfig {
    /// Honours each request's `x-emulator-fault` header (see
    /// [`EmulatorConfig::fault_header`]).
    pub fn with_fault_header(mut self, on: bool) -> Self {
        self.fault_header = on;
        self
    }

    /// Sets the header read timeout (see [`EmulatorConfig::header_read_timeout`]).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets the real-time sessions' idle timeout (see
    /// [`EmulatorConfig::realtime_idle_timeout`]).
    pub fn with_realtime_idle_timeout(mut self, timeout: Duration) -> Self {
        self.realtime_idle_timeout = timeout;
        self
    }

    /// Sets the connection limit (see [`EmulatorConfig::max_connections`]).
    pub fn with_max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit.max(1);
        self
    }

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

    /// Sets the time source (see [`EmulatorConfig::time`]).
    pub fn with_time(mut self, time: Arc<dyn Timer>) -> Self {
        self.time = time;
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
