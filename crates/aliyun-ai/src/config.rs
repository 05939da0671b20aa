//! Client configuration: credentials, endpoints, timeouts, retries, transport.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai_auth::env::{Environment, ProcessEnvironment};
use aliyun_ai_auth::provider::EnvApiKeyProvider;
use aliyun_ai_auth::sign::{Clock, NonceSource, RandomNonce, SystemClock};
use aliyun_ai_auth::{AccessKeyProvider, ApiKeyProvider, DefaultChain, HttpContext};
use aliyun_ai_transport::retry::{Timer, TokioTimer};
use aliyun_ai_transport::{HttpTransport, RetryPolicy};

use crate::error::Error;

/// The services this SDK covers, for per-service settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Service {
    /// ContactCenterAI (CCAI).
    ContactCenterAi,
    /// DianJin.
    DianJin,
    /// RetailBot.
    RetailBot,
    /// DashScope (Tingwu).
    DashScope,
}

impl Service {
    /// The service's key, as in `ALIYUN_AI_<KEY>_ENDPOINT`.
    pub fn key(self) -> &'static str {
        match self {
            Service::ContactCenterAi => "contactcenterai",
            Service::DianJin => "dianjin",
            Service::RetailBot => "retailbot",
            Service::DashScope => "dashscope",
        }
    }

    /// The default endpoint (`reference/apis.md`); RetailBot publishes none.
    pub fn default_endpoint(self) -> Option<&'static str> {
        match self {
            Service::ContactCenterAi => Some("contactcenterai.cn-shanghai.aliyuncs.com"),
            Service::DianJin => Some("dianjin.cn-beijing.aliyuncs.com"),
            Service::RetailBot => None,
            Service::DashScope => Some("dashscope.aliyuncs.com"),
        }
    }

    /// Every service.
    pub const ALL: [Service; 4] = [
        Service::ContactCenterAi,
        Service::DianJin,
        Service::RetailBot,
        Service::DashScope,
    ];
}

/// A checked endpoint: scheme and authority (`host[:port]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
}

/// Whether `host` is a loopback name or address.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host part of an authority (`host:port`, `[::1]:port`).
pub(crate) fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                host
            } else {
                authority
            }
        })
}

impl Endpoint {
    /// Parses `host`, `host:port`, `https://host[:port]` or `http://...`;
    /// plain HTTP is refused unless the host is loopback or `allow_http`.
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, Error> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_owned(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(Error::build(format!(
                "endpoint `{text}`: the scheme must be https or http"
            )));
        }
        if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('@') {
            return Err(Error::build(format!(
                "endpoint `{text}`: expected a host with an optional port, and no path"
            )));
        }
        if scheme == "http" && !allow_http && !is_loopback(host_of(rest)) {
            return Err(Error::build(format!(
                "endpoint `{text}`: plain http is refused for a non-loopback host (credentials would travel unencrypted); use https or opt in with allow_insecure_http"
            )));
        }
        Ok(Self {
            scheme,
            authority: rest.to_owned(),
        })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// `scheme://authority`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

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
#[derive(Clone)]
pub struct Config {
    pub(crate) access_keys: Option<Arc<dyn AccessKeyProvider>>,
    pub(crate) api_keys: Option<Arc<dyn ApiKeyProvider>>,
    pub(crate) endpoints: BTreeMap<Service, Endpoint>,
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) dashscope_workspace: Option<String>,
    pub(crate) rpc_signature: RpcSignature,
    pub(crate) allow_insecure_http: bool,
    pub(crate) result_size_limit: usize,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) nonces: Arc<dyn NonceSource>,
    pub(crate) timer: Arc<dyn Timer>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("access_keys", &self.access_keys)
            .field("api_keys", &self.api_keys)
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .field("dashscope_workspace", &self.dashscope_workspace)
            .field("rpc_signature", &self.rpc_signature)
            .field("allow_insecure_http", &self.allow_insecure_http)
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
    /// (`CONTACTCENTERAI`, `DIANJIN`, `RETAILBOT`, `DASHSCOPE`; the vendor's
    /// `DASHSCOPE_HTTP_BASE_URL` too), the workspace from
    /// `DASHSCOPE_WORKSPACE_ID`, and the reqwest transport.
    #[cfg(feature = "reqwest")]
    pub fn from_env() -> Result<Config, Error> {
        Self::builder()
            .from_environment(Arc::new(ProcessEnvironment))
            .build()
    }

    /// The endpoint used for `service`.
    pub fn endpoint(&self, service: Service) -> Result<&Endpoint, Error> {
        self.endpoints.get(&service).ok_or_else(|| {
            Error::build(format!(
                "no endpoint is configured for {} (the vendor publishes none): set one with ConfigBuilder::endpoint or ALIYUN_AI_{}_ENDPOINT",
                service.key(),
                service.key().to_ascii_uppercase()
            ))
        })
    }
}

/// Builds a [`Config`].
#[derive(Default)]
#[must_use]
pub struct ConfigBuilder {
    access_keys: Option<Arc<dyn AccessKeyProvider>>,
    api_keys: Option<Arc<dyn ApiKeyProvider>>,
    endpoints: BTreeMap<Service, String>,
    transport: Option<Arc<dyn HttpTransport>>,
    retry: Option<RetryPolicy>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    read_idle_timeout: Option<Duration>,
    user_agent_suffix: Option<String>,
    dashscope_workspace: Option<String>,
    rpc_signature: RpcSignature,
    allow_insecure_http: bool,
    result_size_limit: Option<usize>,
    clock: Option<Arc<dyn Clock>>,
    nonces: Option<Arc<dyn NonceSource>>,
    timer: Option<Arc<dyn Timer>>,
    default_chain_env: Option<Arc<dyn Environment>>,
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
        self.access_keys = Some(provider);
        self
    }

    /// A static AccessKey.
    pub fn access_key(self, key: aliyun_ai_auth::AccessKey) -> Self {
        self.access_key_provider(Arc::new(key))
    }

    /// DashScope API keys or temporary tokens.
    pub fn api_key_provider(mut self, provider: Arc<dyn ApiKeyProvider>) -> Self {
        self.api_keys = Some(provider);
        self
    }

    /// A static DashScope API key.
    pub fn api_key(self, key: aliyun_ai_auth::ApiKey) -> Self {
        self.api_key_provider(Arc::new(key))
    }

    /// Overrides a service's endpoint (`host`, `https://host:port`, or
    /// `http://127.0.0.1:port` for a local emulator).
    pub fn endpoint(mut self, service: Service, endpoint: impl Into<String>) -> Self {
        self.endpoints.insert(service, endpoint.into());
        self
    }

    /// Points every service at one base URL (an emulator serves all four).
    pub fn endpoint_for_all(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        for service in Service::ALL {
            self.endpoints.insert(service, endpoint.clone());
        }
        self
    }

    /// A custom transport (your own client, a proxy, middleware, or a mock).
    pub fn transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Connect timeout of the built-in transport.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time to the response headers, for the built-in transport.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Longest silence between body chunks, for the built-in transport.
    pub fn read_idle_timeout(mut self, timeout: Duration) -> Self {
        self.read_idle_timeout = Some(timeout);
        self
    }

    /// Appended to the user agent `aliyun-ai/<version>`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The DashScope workspace (`X-DashScope-WorkSpace`).
    pub fn dashscope_workspace(mut self, workspace: impl Into<String>) -> Self {
        self.dashscope_workspace = Some(workspace.into());
        self
    }

    /// The signature RetailBot's calls use (default V3).
    pub fn rpc_signature(mut self, signature: RpcSignature) -> Self {
        self.rpc_signature = signature;
        self
    }

    /// Allows plain `http://` endpoints and result URLs on non-loopback hosts.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest Tingwu result file downloaded (default 16 MiB).
    pub fn result_size_limit(mut self, bytes: usize) -> Self {
        self.result_size_limit = Some(bytes);
        self
    }

    /// The clock the signers read (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The signature nonce source (tests).
    pub fn nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = Some(nonces);
        self
    }

    /// The clock and sleep of task waiting (tests use `ManualTimer`).
    pub fn timer(mut self, timer: Arc<dyn Timer>) -> Self {
        self.timer = Some(timer);
        self
    }

    /// Fills what is unset from `env` (see [`Config::from_env`]).
    pub fn from_environment(mut self, env: Arc<dyn Environment>) -> Self {
        for service in Service::ALL {
            let name = format!("ALIYUN_AI_{}_ENDPOINT", service.key().to_ascii_uppercase());
            if let Some(value) = env.var(&name) {
                self.endpoints.entry(service).or_insert(value);
            }
        }
        if let Some(base) = env.var("DASHSCOPE_HTTP_BASE_URL") {
            let base = base
                .trim_end_matches('/')
                .trim_end_matches("/api/v1")
                .to_owned();
            self.endpoints.entry(Service::DashScope).or_insert(base);
        }
        if self.dashscope_workspace.is_none() {
            self.dashscope_workspace = env.var("DASHSCOPE_WORKSPACE_ID");
        }
        if self.api_keys.is_none() {
            self.api_keys = Some(Arc::new(EnvApiKeyProvider::new(env.clone())));
        }
        self.default_chain_env = Some(env);
        self
    }

    /// Checks and builds the configuration.
    pub fn build(self) -> Result<Config, Error> {
        let retry = self.retry.unwrap_or_default();
        let transport: Arc<dyn HttpTransport> = match self.transport {
            Some(transport) => transport,
            None => default_transport(
                self.connect_timeout,
                self.request_timeout,
                self.read_idle_timeout,
                self.user_agent_suffix.as_deref(),
            )?,
        };
        let mut endpoints = BTreeMap::new();
        for service in Service::ALL {
            let text = self
                .endpoints
                .get(&service)
                .map(String::as_str)
                .or(service.default_endpoint());
            if let Some(text) = text {
                endpoints.insert(service, Endpoint::parse(text, self.allow_insecure_http)?);
            }
        }
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let nonces = self.nonces.unwrap_or_else(|| Arc::new(RandomNonce));
        let access_keys = match (self.access_keys, self.default_chain_env) {
            (Some(provider), _) => Some(provider),
            (None, Some(env)) => {
                let http = HttpContext::new(transport.clone())
                    .with_retry(retry.clone())
                    .with_clock(clock.clone())
                    .with_nonces(nonces.clone());
                Some(Arc::new(DefaultChain::with_environment(
                    http,
                    env,
                    Default::default(),
                )) as Arc<dyn AccessKeyProvider>)
            }
            (None, None) => None,
        };
        Ok(Config {
            access_keys,
            api_keys: self.api_keys,
            endpoints,
            transport,
            retry,
            dashscope_workspace: self.dashscope_workspace,
            rpc_signature: self.rpc_signature,
            allow_insecure_http: self.allow_insecure_http,
            result_size_limit: self.result_size_limit.unwrap_or(16 * 1024 * 1024),
            clock,
            nonces,
            timer: self.timer.unwrap_or_else(|| Arc::new(TokioTimer)),
        })
    }
}

#[cfg(feature = "reqwest")]
fn default_transport(
    connect: Option<Duration>,
    request: Option<Duration>,
    idle: Option<Duration>,
    suffix: Option<&str>,
) -> Result<Arc<dyn HttpTransport>, Error> {
    let mut builder = aliyun_ai_transport::ReqwestTransport::builder();
    if let Some(timeout) = connect {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = request {
        builder = builder.request_timeout(Some(timeout));
    }
    if let Some(timeout) = idle {
        builder = builder.read_idle_timeout(Some(timeout));
    }
    if let Some(suffix) = suffix {
        builder = builder.user_agent_suffix(suffix);
    }
    let transport = builder
        .build()
        .map_err(|e| Error::build("could not build the HTTP transport").with_source(e))?;
    Ok(Arc::new(transport))
}

#[cfg(not(feature = "reqwest"))]
fn default_transport(
    _connect: Option<Duration>,
    _request: Option<Duration>,
    _idle: Option<Duration>,
    _suffix: Option<&str>,
) -> Result<Arc<dyn HttpTransport>, Error> {
    Err(Error::build(
        "no transport: enable the `reqwest` feature or pass one with ConfigBuilder::transport",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_refuse_plain_http_unless_loopback_or_opted_in() {
        assert_eq!(
            Endpoint::parse("dianjin.cn-beijing.aliyuncs.com", false)
                .unwrap()
                .base_url(),
            "https://dianjin.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8080/", false)
                .unwrap()
                .authority(),
            "127.0.0.1:8080"
        );
        assert!(Endpoint::parse("http://localhost:9", false).is_ok());
        assert!(Endpoint::parse("http://[::1]:9", false).is_ok());
        let error = Endpoint::parse("http://proxy.internal:8080", false).unwrap_err();
        assert!(
            error.to_string().contains("plain http is refused"),
            "{error}"
        );
        assert!(Endpoint::parse("http://proxy.internal:8080", true).is_ok());
        assert!(Endpoint::parse("https://host/path", false).is_err());
        assert!(Endpoint::parse("ftp://host", false).is_err());
    }
}
