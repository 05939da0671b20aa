//! Client configuration: credentials, endpoints, timeouts, retries, transport.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai_core::{ServiceInfo, Style};

use aliyun_ai_auth::env::{Environment, ProcessEnvironment};
use aliyun_ai_auth::provider::EnvApiKeyProvider;
use aliyun_ai_auth::sign::{NonceSource, RandomNonce};
use aliyun_ai_auth::{AccessKeyProvider, ApiKeyProvider, DefaultChain, HttpContext};
use aliyun_ai_core::time::Timer;
use aliyun_ai_transport::retry::TokioTimer;
use aliyun_ai_transport::sse::SseLimits;
use aliyun_ai_transport::{HttpTransport, RetryPolicy};

use crate::endpoint::Endpoint;
use crate::error::Error;

/// The regions of DashScope (Tingwu's platform), each with its own base URL
/// ([`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md), "Base URLs per region"). Only Beijing is
/// documented for the Tingwu automotive model; the others serve DashScope's
/// international accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DashScopeRegion {
    /// `dashscope.aliyuncs.com` (the default).
    #[default]
    Beijing,
    /// `dashscope-intl.aliyuncs.com`.
    Singapore,
    /// `dashscope-us.aliyuncs.com`.
    Virginia,
    /// `cn-hongkong.dashscope.aliyuncs.com`.
    HongKong,
}

impl DashScopeRegion {
    /// The region's host.
    pub fn host(self) -> &'static str {
        match self {
            DashScopeRegion::Beijing => "dashscope.aliyuncs.com",
            DashScopeRegion::Singapore => "dashscope-intl.aliyuncs.com",
            DashScopeRegion::Virginia => "dashscope-us.aliyuncs.com",
            DashScopeRegion::HongKong => "cn-hongkong.dashscope.aliyuncs.com",
        }
    }
}

/// The `ConfigBuilder::endpoint` key of the OSS uploads (not a service).
pub(crate) const OSS_ENDPOINT_KEY: &str = "oss";

pub(crate) use crate::services::compiled_services;

/// The signature RetailBot's RPC calls use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RpcSignature {
    /// `ACS3-HMAC-SHA256` (default).
    #[default]
    V3,
    /// The legacy HMAC-SHA1 signature, still accepted by RPC gateways.
    V1,
}

/// Everything a [`Client`](crate::Client) needs. Build it with [`Config::builder`]
/// or [`Config::from_env`].
///
/// ```no_run
/// // Credentials from the vendor's default chain, endpoints from the environment.
/// let client = aliyun_ai::Client::new(aliyun_ai::Config::from_env()?);
/// # let _ = client;
/// # Ok::<(), aliyun_ai::Error>(())
/// ```
#[derive(Clone)]
pub struct Config {
    /// What the builder collected and the config keeps as it is.
    pub(crate) settings: Settings,
    /// By service key (`ServiceInfo::key`).
    pub(crate) endpoints: BTreeMap<&'static str, Endpoint>,
    /// Where OSS PostObject uploads go instead of `https://<bucket>.<endpoint>`
    /// (`ConfigBuilder::endpoint("oss", ...)`, or `endpoint_for_all`): the
    /// form is posted to `<base>/oss/<bucket>`, as the emulator serves it.
    pub(crate) oss_endpoint: Option<Endpoint>,
    pub(crate) transport: Arc<dyn HttpTransport>,
    /// The one time source: retries, task waiting, deadlines, signature
    /// dates, credential and result-URL expiry.
    pub(crate) time: Arc<dyn Timer>,
}

/// The settings a [`ConfigBuilder`] collects and a [`Config`] keeps as they
/// are: one set of fields, not two copies of them.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) access_keys: Option<Arc<dyn AccessKeyProvider>>,
    pub(crate) api_keys: Option<Arc<dyn ApiKeyProvider>>,
    pub(crate) retry: RetryPolicy,
    pub(crate) dashscope_workspace: Option<String>,
    pub(crate) rpc_signature: RpcSignature,
    pub(crate) allow_insecure_http: bool,
    pub(crate) result_size_limit: usize,
    pub(crate) response_size_limit: usize,
    pub(crate) sse_limits: SseLimits,
    pub(crate) nonces: Arc<dyn NonceSource>,
    /// A deadline for a whole call, retries included
    /// (`ConfigBuilder::call_timeout`, `Client::with_call_timeout`).
    pub(crate) call_timeout: Option<Duration>,
    /// What opens WebSocket sessions (DianJin's real-time dialogue):
    /// `ConfigBuilder::websocket_transport`, or one like the built-in HTTP
    /// transport (its proxies, connect timeout and user agent).
    #[cfg(feature = "websocket")]
    pub(crate) websocket: Option<WebSocketSource>,
}

/// The default deadline of a whole non-streaming call, retries included:
/// two minutes. The longest vendor operations answer within the transports'
/// 60 s request timeout (the DianJin and CCAI generation operations that can
/// take longer are streamed, and a stream is bounded by its read-idle timeout
/// instead); two minutes leaves room for one such attempt, its body, and the
/// retries of fast failures, while a server that trickles a body a byte at a
/// time (which no idle timeout catches) can no longer hold a call for ever.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_keys: None,
            api_keys: None,
            retry: RetryPolicy::default(),
            dashscope_workspace: None,
            rpc_signature: RpcSignature::default(),
            allow_insecure_http: false,
            result_size_limit: 16 * 1024 * 1024,
            response_size_limit: 32 * 1024 * 1024,
            sse_limits: SseLimits::DEFAULT,
            nonces: Arc::new(RandomNonce),
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            #[cfg(feature = "websocket")]
            websocket: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.settings;
        f.debug_struct("Config")
            .field("access_keys", &settings.access_keys)
            .field("api_keys", &settings.api_keys)
            .field("endpoints", &self.endpoints)
            .field("oss_endpoint", &self.oss_endpoint)
            .field("retry", &settings.retry)
            .field("dashscope_workspace", &settings.dashscope_workspace)
            .field("rpc_signature", &settings.rpc_signature)
            .field("allow_insecure_http", &settings.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A builder with nothing set.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The conventional configuration: AccessKey credentials from the vendor's
    /// default chain, the DashScope key from `DASHSCOPE_API_KEY` (and its file
    /// fallbacks), endpoints from `ALIYUN_AI_<SERVICE>_ENDPOINT`
    /// (`CONTACTCENTERAI`, `DIANJIN`, `OPENPLATFORM`, `RETAILBOT`, `CUSTOMER_PROFILE`:
    /// the service's key; the vendor's `DASHSCOPE_HTTP_BASE_URL` for every
    /// DashScope service) and `ALIYUN_AI_OSS_ENDPOINT` (where an upload from
    /// a local file posts its form), the workspace from
    /// `DASHSCOPE_WORKSPACE_ID`, and the default transport (hyper's client,
    /// or reqwest with the `reqwest` feature).
    #[cfg(any(feature = "reqwest", feature = "hyper"))]
    pub fn from_env() -> Result<Config, Error> {
        Self::builder()
            .from_environment(Arc::new(ProcessEnvironment))
            .build()
    }

    /// The deadline of each whole call ([`ConfigBuilder::call_timeout`]).
    pub fn call_timeout(&self) -> Option<Duration> {
        self.settings.call_timeout
    }

    /// The endpoint used for `service` (an operation's `O::INFO.service`).
    pub fn endpoint(&self, service: &ServiceInfo) -> Result<&Endpoint, Error> {
        self.endpoints.get(service.key).ok_or_else(|| {
            Error::build(format!(
                "no endpoint is configured for {} (the vendor publishes none): set one with ConfigBuilder::endpoint(\"{}\", ...) or {}",
                service.product,
                service.key,
                aliyun_ai_core::endpoint_variable(service.key)
            ))
        })
    }
}

/// Builds a [`Config`].
///
/// ```
/// use std::time::Duration;
/// use aliyun_ai::{AccessKey, Config};
///
/// let config = Config::builder()
///     .access_key(AccessKey::new("LTAI-your-id", "your-secret"))
///     .endpoint("dianjin", "dianjin.cn-hangzhou.aliyuncs.com")
///     .call_timeout(Some(Duration::from_secs(30)))
///     .build()?;
/// # Ok::<(), aliyun_ai::Error>(())
/// ```
///
/// `Config::builder().from_env()` starts from the environment instead, as
/// [`Config::from_env`] reads it, keeping what the builder sets.
#[derive(Default)]
#[must_use]
pub struct ConfigBuilder {
    /// The settings the config keeps as they are.
    settings: Settings,
    /// By service key.
    endpoints: BTreeMap<String, String>,
    /// `endpoint_for_all`, for services registered after it.
    endpoint_for_all: Option<String>,
    /// The DashScope region, for DashScope services without an endpoint.
    dashscope_region: Option<DashScopeRegion>,
    /// Services of model crates the facade has no feature for.
    extra_services: Vec<&'static ServiceInfo>,
    transport: Option<Arc<dyn HttpTransport>>,
    built_in: BuiltInSettings,
    time_source: Option<Arc<dyn Timer>>,
    default_chain_env: Option<Arc<dyn Environment>>,
    /// The first credential or header value refused as it was set,
    /// reported by `build`.
    refused: Option<String>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// AccessKey credentials for the POP services (a static `AccessKey` or any provider).
    pub fn access_key_provider(mut self, provider: Arc<dyn AccessKeyProvider>) -> Self {
        self.settings.access_keys = Some(provider);
        self
    }

    /// A static AccessKey.
    pub fn access_key(mut self, key: aliyun_ai_auth::AccessKey) -> Self {
        if let Err(error) = key.check() {
            self.refuse(error.to_string());
        }
        self.access_key_provider(Arc::new(key))
    }

    fn refuse(&mut self, problem: String) {
        self.refused.get_or_insert(problem);
    }

    /// DashScope API keys or temporary tokens.
    pub fn api_key_provider(mut self, provider: Arc<dyn ApiKeyProvider>) -> Self {
        self.settings.api_keys = Some(provider);
        self
    }

    /// A static DashScope API key.
    pub fn api_key(mut self, key: aliyun_ai_auth::ApiKey) -> Self {
        if let Err(error) = key.check() {
            self.refuse(error.to_string());
        }
        self.api_key_provider(Arc::new(key))
    }

    /// Overrides the endpoint of the service with this key (`"dianjin"`,
    /// or `aliyun_ai::dianjin::SERVICE.key`): `host`, `https://host:port`, or
    /// `http://127.0.0.1:port` for a local emulator. An unknown key fails
    /// [`ConfigBuilder::build`], naming the known ones.
    ///
    /// The key `"oss"` is not a service: it sends the OSS PostObject of an
    /// upload from a local file (`DianJin::upload_document_from_file`) to
    /// `<endpoint>/oss/<bucket>` instead of `https://<bucket>.<oss endpoint>`
    /// (an emulator, or a proxy); `endpoint_for_all` sets it too.
    pub fn endpoint(mut self, service: impl Into<String>, endpoint: impl Into<String>) -> Self {
        self.endpoints.insert(service.into(), endpoint.into());
        self
    }

    /// The DashScope region (Tingwu's platform): its base URL serves every
    /// DashScope service that has no endpoint of its own
    /// ([`ConfigBuilder::endpoint`], `endpoint_for_all` or the environment).
    pub fn dashscope_region(mut self, region: DashScopeRegion) -> Self {
        self.dashscope_region = Some(region);
        self
    }

    /// Points every service at one base URL (an emulator serves them all).
    pub fn endpoint_for_all(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        for service in compiled_services() {
            self.endpoints
                .insert(service.key.to_owned(), endpoint.clone());
        }
        self.endpoint_for_all = Some(endpoint);
        self
    }

    /// Calls the operations of another model crate too (its `SERVICE`): one
    /// generated from your own doc tables, or a service this build has no
    /// feature for. Its endpoint comes from [`ConfigBuilder::endpoint`] with
    /// its key, [`ConfigBuilder::endpoint_for_all`], or its default.
    pub fn service(mut self, service: &'static ServiceInfo) -> Self {
        if !self.extra_services.iter().any(|s| s.key == service.key) {
            self.extra_services.push(service);
        }
        self
    }

    /// A custom transport (your own client, middleware, or a mock). The
    /// built-in transport's settings (`connect_timeout`, `request_timeout`,
    /// `read_idle_timeout`, `user_agent_suffix`, `proxies`) do not apply to
    /// it: combining them fails [`ConfigBuilder::build`] rather than ignoring
    /// them.
    pub fn transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.settings.retry = retry;
        self
    }

    /// Connect timeout of the built-in transport.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.built_in.connect_timeout = Some(timeout);
        self
    }

    /// Time to the response headers, for the built-in transport.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.built_in.request_timeout = Some(timeout);
        self
    }

    /// Longest silence between body chunks, for the built-in transport.
    pub fn read_idle_timeout(mut self, timeout: Duration) -> Self {
        self.built_in.read_idle_timeout = Some(timeout);
        self
    }

    /// Appended to the user agent `aliyun-ai/<version>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.built_in.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The built-in transport's proxies, as the vendor's SDK config has
    /// `httpProxy`, `httpsProxy` and `noProxy`. Default:
    /// [`Proxies::from_env`](crate::Proxies::from_env) (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`). Loopback endpoints and the
    /// instance metadata service (`100.100.100.200`, where ECS RAM role
    /// credentials come from) are always reached directly.
    ///
    /// ```
    /// use aliyun_ai::{AccessKey, Config, Proxies};
    ///
    /// let config = Config::builder()
    ///     .access_key(AccessKey::new("my-access-key-id", "my-access-key-secret"))
    ///     .proxies(Proxies::none().https("http://proxy.corp.example:3128"))
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), aliyun_ai::Error>(())
    /// ```
    #[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
    pub fn proxies(mut self, proxies: aliyun_ai_transport::Proxies) -> Self {
        self.built_in.proxies = Some(proxies);
        self
    }

    /// What opens WebSocket sessions (DianJin's
    /// [`end_to_end_real_time_dialog`](crate::dianjin::DianJin::end_to_end_real_time_dialog)):
    /// your own, or a `MockWebSocket` in tests. Default: tokio-tungstenite
    /// with this builder's proxies, connect timeout and user agent suffix.
    #[cfg(feature = "websocket")]
    pub fn websocket_transport(
        mut self,
        transport: Arc<dyn aliyun_ai_transport::websocket::WebSocketTransport>,
    ) -> Self {
        self.settings.websocket = Some(WebSocketSource::Given(transport));
        self
    }

    /// The DashScope workspace (`X-DashScope-WorkSpace`).
    pub fn dashscope_workspace(mut self, workspace: impl Into<String>) -> Self {
        let workspace = workspace.into();
        if let Err(error) = aliyun_ai_auth::check_header_value("DashScope workspace", &workspace) {
            self.refuse(error.to_string());
        }
        self.settings.dashscope_workspace = Some(workspace);
        self
    }

    /// The signature RetailBot's calls use (default V3).
    pub fn rpc_signature(mut self, signature: RpcSignature) -> Self {
        self.settings.rpc_signature = signature;
        self
    }

    /// Allows plain `http://` endpoints and result URLs on non-loopback hosts.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.settings.allow_insecure_http = allow;
        self
    }

    /// The largest Tingwu result file downloaded (default 16 MiB).
    pub fn result_size_limit(mut self, bytes: usize) -> Self {
        self.settings.result_size_limit = bytes;
        self
    }

    /// The deadline of each whole call, retries and reading the answer
    /// included (default [`DEFAULT_CALL_TIMEOUT`], two minutes; `None`: no
    /// deadline). For a stream it bounds the wait for the first event; the
    /// events after it are bounded by the transport's read-idle timeout. A
    /// call past it ends with a timeout error ([`Error::is_timeout`](crate::Error::is_timeout)).
    /// The deadline runs on real time, not on [`time_source`](Self::time_source):
    /// a `ManualTimer`'s sleeps return at once, and would end every call that
    /// waits on a socket. Per call: [`Client::with_call_timeout`](crate::Client::with_call_timeout).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = aliyun_ai::Config::builder()
    ///     .access_key(aliyun_ai::AccessKey::new("id", "secret"))
    ///     .call_timeout(Some(Duration::from_secs(30)))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(config.call_timeout(), Some(Duration::from_secs(30)));
    /// ```
    pub fn call_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.settings.call_timeout = timeout;
        self
    }

    /// The largest answer read into memory (default 32 MiB); a longer one is
    /// a [`Transport`](crate::ErrorKind::Transport) error of kind
    /// `TooLarge`, never retried.
    pub fn response_size_limit(mut self, bytes: usize) -> Self {
        self.settings.response_size_limit = bytes;
        self
    }

    /// The longest server-sent-events line and event data a stream holds
    /// (default 16 MiB each, [`SseLimits::DEFAULT`]); past either the stream
    /// ends with a `TooLarge` transport error instead of buffering without bound.
    pub fn sse_limits(mut self, limits: SseLimits) -> Self {
        self.settings.sse_limits = limits;
        self
    }

    /// The signature nonce source (tests).
    pub fn nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.settings.nonces = nonces;
        self
    }

    /// The one source of time (default: the system clock and tokio's
    /// sleep): the retry policy's backoff and deadlines, task waiting,
    /// signature dates, credential and result-URL expiry all read it. Tests
    /// pass a [`ManualTimer`](crate::time::ManualTimer) (`ManualTimer::at(date)` for a fixed wall clock)
    /// to run instantly and deterministically. It replaces the timer of the
    /// retry policy too.
    pub fn time_source(mut self, time: Arc<dyn Timer>) -> Self {
        self.time_source = Some(time);
        self
    }

    /// Fills what is unset from the process environment, as [`Config::from_env`]
    /// reads it, keeping what was set on the builder (before or after):
    /// `Config::builder().from_env().endpoint("dianjin", proxy).build()`.
    pub fn from_env(self) -> Self {
        self.from_environment(Arc::new(ProcessEnvironment))
    }

    /// Fills what is unset from `env` (see [`Config::from_env`]).
    pub fn from_environment(mut self, env: Arc<dyn Environment>) -> Self {
        // The vendor's variable names the API root (`.../api/v1`); the tables'
        // paths start with `/api/v1`, so what comes before is the endpoint
        // (with any proxy prefix kept).
        let dashscope_base = env.var("DASHSCOPE_HTTP_BASE_URL").map(|base| {
            base.trim_end_matches('/')
                .trim_end_matches("/api/v1")
                .to_owned()
        });
        for service in compiled_services() {
            let from_env = env
                .var(&aliyun_ai_core::endpoint_variable(service.key))
                .or_else(|| {
                    (service.style == Style::DashScope)
                        .then(|| dashscope_base.clone())
                        .flatten()
                });
            if let Some(value) = from_env {
                self.endpoints
                    .entry(service.key.to_owned())
                    .or_insert(value);
            }
        }
        // Where an upload from a local file posts its form instead of the
        // bucket's own host (an emulator, a proxy): the `"oss"` endpoint.
        if let Some(value) = env.var(&aliyun_ai_core::endpoint_variable(OSS_ENDPOINT_KEY)) {
            self.endpoints
                .entry(OSS_ENDPOINT_KEY.to_owned())
                .or_insert(value);
        }
        if self.settings.dashscope_workspace.is_none() {
            self.settings.dashscope_workspace = env.var("DASHSCOPE_WORKSPACE_ID");
        }
        if self.settings.api_keys.is_none() {
            self.settings.api_keys = Some(Arc::new(EnvApiKeyProvider::new(env.clone())));
        }
        self.default_chain_env = Some(env);
        self
    }

    /// Checks and builds the configuration.
    pub fn build(self) -> Result<Config, Error> {
        if let Some(problem) = self.refused {
            return Err(Error::build(problem));
        }
        let mut settings = self.settings;
        let built_in_only = self.built_in.names_set();
        if self.transport.is_some() && !built_in_only.is_empty() {
            // They would be silently ignored: a custom transport has its own.
            return Err(Error::build(format!(
                "{} configure the built-in transport, not a custom one: set them on your transport instead",
                built_in_only.join(", ")
            )));
        }
        #[cfg(feature = "websocket")]
        if settings.websocket.is_none() {
            settings.websocket = Some(WebSocketSource::built_in(&self.built_in));
        }
        let transport: Arc<dyn HttpTransport> = match self.transport {
            Some(transport) => transport,
            None => default_transport(self.built_in)?,
        };
        let services: Vec<&'static ServiceInfo> = compiled_services()
            .iter()
            .copied()
            .chain(self.extra_services.iter().copied())
            .collect();
        if let Some(unknown) = self
            .endpoints
            .keys()
            .filter(|key| key.as_str() != OSS_ENDPOINT_KEY)
            .find(|key| !services.iter().any(|s| s.key == key.as_str()))
        {
            let known: Vec<&str> = services.iter().map(|s| s.key).collect();
            return Err(Error::build(format!(
                "ConfigBuilder::endpoint: no service `{unknown}` in this build (known: {})",
                known.join(", ")
            )));
        }
        let mut endpoints = BTreeMap::new();
        for service in services.iter().copied() {
            let text = self
                .endpoints
                .get(service.key)
                .or(self.endpoint_for_all.as_ref())
                .map(String::as_str)
                .or_else(|| {
                    self.dashscope_region
                        .filter(|_| service.style == Style::DashScope)
                        .map(DashScopeRegion::host)
                })
                .or(service.default_endpoint);
            if let Some(text) = text {
                endpoints.insert(
                    service.key,
                    Endpoint::parse(text, settings.allow_insecure_http)?,
                );
            }
        }
        let oss_endpoint = self
            .endpoints
            .get(OSS_ENDPOINT_KEY)
            .or(self.endpoint_for_all.as_ref())
            .map(|text| Endpoint::parse(text, settings.allow_insecure_http))
            .transpose()?;
        // One time source for everything that reads time; given, it also
        // replaces the retry policy's own timer.
        if let Some(time) = &self.time_source {
            settings.retry = settings.retry.with_timer(time.clone());
        }
        let time: Arc<dyn Timer> = self.time_source.unwrap_or_else(|| Arc::new(TokioTimer));
        if let (None, Some(env)) = (&settings.access_keys, self.default_chain_env) {
            let http = HttpContext::new(transport.clone())
                .with_retry(settings.retry.clone())
                .with_time(time.clone())
                .with_nonces(settings.nonces.clone());
            settings.access_keys = Some(Arc::new(DefaultChain::with_environment(
                http,
                env,
                Default::default(),
            )));
        }
        Ok(Config {
            settings,
            endpoints,
            oss_endpoint,
            transport,
            time,
        })
    }
}

/// The built-in transport's settings, as the builder was given them.
#[derive(Default)]
struct BuiltInSettings {
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    read_idle_timeout: Option<Duration>,
    user_agent_suffix: Option<String>,
    #[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
    proxies: Option<aliyun_ai_transport::Proxies>,
}

impl BuiltInSettings {
    /// The builder methods that set something, by name.
    fn names_set(&self) -> Vec<&'static str> {
        #[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
        let proxies = self.proxies.is_some();
        #[cfg(not(any(feature = "reqwest", feature = "hyper", feature = "websocket")))]
        let proxies = false;
        [
            ("connect_timeout", self.connect_timeout.is_some()),
            ("request_timeout", self.request_timeout.is_some()),
            ("read_idle_timeout", self.read_idle_timeout.is_some()),
            ("user_agent_suffix", self.user_agent_suffix.is_some()),
            ("proxies", proxies),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// The transport a config gets when none is given: hyper's client (feature
/// `hyper`, the default: the least CPU per call, [`docs/PERFORMANCE.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/PERFORMANCE.md)), or
/// reqwest when the application turns `reqwest` on (it asked for it), each
/// with the config's timeouts, user agent and proxies.
#[cfg(any(feature = "reqwest", feature = "hyper"))]
fn default_transport(settings: BuiltInSettings) -> Result<Arc<dyn HttpTransport>, Error> {
    #[cfg(feature = "reqwest")]
    let mut builder = aliyun_ai_transport::ReqwestTransport::builder();
    #[cfg(not(feature = "reqwest"))]
    let mut builder = aliyun_ai_transport::HyperTransport::builder();
    if let Some(timeout) = settings.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = settings.request_timeout {
        builder = builder.request_timeout(Some(timeout));
    }
    if let Some(timeout) = settings.read_idle_timeout {
        builder = builder.read_idle_timeout(Some(timeout));
    }
    if let Some(suffix) = settings.user_agent_suffix {
        builder = builder.user_agent_suffix(suffix);
    }
    if let Some(proxies) = settings.proxies {
        builder = builder.proxies(proxies);
    }
    let transport = builder
        .build()
        .map_err(|e| Error::build("could not build the HTTP transport").with_source(e))?;
    Ok(Arc::new(transport))
}

/// Where a config's WebSocket sessions come from: the caller's transport, or
/// tokio-tungstenite with the built-in HTTP transport's proxies, connect
/// timeout and user agent, built at the first session (its TLS setup reads the
/// platform's roots: no cost to a config that never opens one).
#[cfg(feature = "websocket")]
#[derive(Clone)]
pub(crate) enum WebSocketSource {
    Given(Arc<dyn aliyun_ai_transport::websocket::WebSocketTransport>),
    BuiltIn {
        builder: aliyun_ai_transport::websocket::TungsteniteTransportBuilder,
        built:
            Arc<std::sync::OnceLock<Arc<dyn aliyun_ai_transport::websocket::WebSocketTransport>>>,
    },
}

#[cfg(feature = "websocket")]
impl WebSocketSource {
    fn built_in(settings: &BuiltInSettings) -> Self {
        let mut builder = aliyun_ai_transport::websocket::TungsteniteTransport::builder();
        if let Some(timeout) = settings.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(suffix) = &settings.user_agent_suffix {
            builder = builder.user_agent_suffix(suffix.clone());
        }
        if let Some(proxies) = &settings.proxies {
            builder = builder.proxies(proxies.clone());
        }
        Self::BuiltIn {
            builder,
            built: Arc::default(),
        }
    }

    /// The transport, built now if it is the built-in one and not yet built.
    pub(crate) fn transport(
        &self,
    ) -> Result<Arc<dyn aliyun_ai_transport::websocket::WebSocketTransport>, Error> {
        match self {
            Self::Given(transport) => Ok(transport.clone()),
            Self::BuiltIn { builder, built } => {
                if let Some(transport) = built.get() {
                    return Ok(transport.clone());
                }
                let transport: Arc<dyn aliyun_ai_transport::websocket::WebSocketTransport> =
                    Arc::new(builder.clone().build().map_err(|e| {
                        Error::build("could not build the WebSocket transport").with_source(e)
                    })?);
                // Two first sessions at once: both built one, the first kept.
                Ok(built.get_or_init(|| transport).clone())
            }
        }
    }
}

#[cfg(not(any(feature = "reqwest", feature = "hyper")))]
fn default_transport(_settings: BuiltInSettings) -> Result<Arc<dyn HttpTransport>, Error> {
    Err(Error::build(
        "no transport: enable the `reqwest` or `hyper` feature, or pass one with ConfigBuilder::transport",
    ))
}

#[cfg(all(
    test,
    any(feature = "hyper", feature = "reqwest"),
    feature = "dianjin",
    feature = "retailbot",
    feature = "customerprofile"
))]
mod tests {
    use super::*;
    use aliyun_ai_auth::env::MapEnvironment;

    #[test]
    fn endpoints_are_keyed_by_the_generated_service_key() {
        let config = Config::builder()
            .endpoint("retailbot", "retailbot.cn-shanghai.aliyuncs.com")
            .build()
            .unwrap();
        let retailbot = &aliyun_ai_models_retailbot::SERVICE;
        assert_eq!(
            config.endpoint(retailbot).unwrap().base_url(),
            "https://retailbot.cn-shanghai.aliyuncs.com"
        );
        // Defaults come from the model crates.
        let dianjin = &aliyun_ai_models_dianjin::SERVICE;
        assert_eq!(
            config.endpoint(dianjin).unwrap().authority(),
            dianjin.default_endpoint.unwrap()
        );
        let error = Config::builder()
            .endpoint("dashscope", "http://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("no service `dashscope`")
                && error.to_string().contains("customerprofile"),
            "{error}"
        );
    }

    #[test]
    fn built_in_transport_settings_are_refused_with_a_custom_transport() {
        let custom: Arc<dyn HttpTransport> = Arc::new(
            aliyun_ai_transport::ReqwestTransport::builder()
                .build()
                .unwrap(),
        );
        let error = Config::builder()
            .transport(custom.clone())
            .connect_timeout(Duration::from_secs(1))
            .user_agent_suffix("my-app")
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "connect_timeout, user_agent_suffix configure the built-in transport, not a custom one: set them on your transport instead"
        );
        let error = Config::builder()
            .transport(custom.clone())
            .proxies(aliyun_ai_transport::Proxies::none())
            .build()
            .unwrap_err();
        assert!(
            error.to_string().starts_with("proxies configure"),
            "{error}"
        );
        assert!(Config::builder().transport(custom).build().is_ok());
        assert!(
            Config::builder()
                .connect_timeout(Duration::from_secs(1))
                .build()
                .is_ok()
        );
    }

    #[test]
    fn a_bad_proxy_fails_the_build_naming_it_without_its_password() {
        let error = Config::builder()
            .proxies(aliyun_ai_transport::Proxies::none().https("ftp://me:s3cret@proxy"))
            .build()
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(shown.contains("Proxies::https"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn the_dashscope_region_picks_customer_profile_s_base_url() {
        let config = Config::builder()
            .dashscope_region(DashScopeRegion::Singapore)
            .build()
            .unwrap();
        assert_eq!(
            config
                .endpoint(&aliyun_ai_models_customerprofile::SERVICE)
                .unwrap()
                .base_url(),
            "https://dashscope-intl.aliyuncs.com"
        );
        // POP services are not DashScope's: unchanged.
        assert_eq!(
            config
                .endpoint(&aliyun_ai_models_dianjin::SERVICE)
                .unwrap()
                .base_url(),
            "https://dianjin.cn-beijing.aliyuncs.com"
        );
        // An explicit endpoint wins.
        let config = Config::builder()
            .dashscope_region(DashScopeRegion::Virginia)
            .endpoint("customerprofile", "http://127.0.0.1:9")
            .build()
            .unwrap();
        assert_eq!(
            config
                .endpoint(&aliyun_ai_models_customerprofile::SERVICE)
                .unwrap()
                .base_url(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn endpoints_from_the_environment() {
        let env = MapEnvironment::new()
            .with_var("ALIYUN_AI_DIANJIN_ENDPOINT", "http://127.0.0.1:9001")
            .with_var(
                "DASHSCOPE_HTTP_BASE_URL",
                "http://127.0.0.1:9002/proxy/api/v1/",
            );
        let config = Config::builder()
            .from_environment(Arc::new(env))
            .build()
            .unwrap();
        let endpoint = |service| config.endpoint(service).unwrap().base_url();
        assert_eq!(
            endpoint(&aliyun_ai_models_dianjin::SERVICE),
            "http://127.0.0.1:9001"
        );
        assert_eq!(
            endpoint(&aliyun_ai_models_customerprofile::SERVICE),
            "http://127.0.0.1:9002/proxy"
        );
        // RetailBot publishes none: the vendor SDKs' fallback.
        assert_eq!(
            endpoint(&aliyun_ai_models_retailbot::SERVICE),
            "https://retailbot.aliyuncs.com"
        );
    }
}
