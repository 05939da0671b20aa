//! Credential providers: static, environment, the credentials and CLI files,
//! the ECS instance role, STS AssumeRole, OIDC (RRSA), DashScope keys and
//! temporary tokens, and the default chain in the vendor's order.

mod dashscope;
mod ecs;
mod files;
#[doc(hidden)]
pub(crate) use files::fuzzing as files_fuzzing;
mod sts;
mod uri;

use aliyun_ai_core::time::Timer;
use aliyun_ai_transport::retry::TokioTimer;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai_transport::{HttpRequest, HttpTransport, RetryPolicy};
use async_trait::async_trait;
use bytes::Bytes;

use crate::credentials::{AccessKey, ApiKey};
use crate::env::{Environment, ProcessEnvironment};
use crate::error::{CredentialsError, json_error};
use crate::sign::{NonceSource, RandomNonce};

pub use dashscope::{ApiKeyChain, EnvApiKeyProvider, TemporaryTokenProvider};
pub use ecs::EcsRoleProvider;
pub use files::{CliConfigProvider, CredentialsFileProvider};
pub use sts::{AssumeRoleProvider, OidcProvider, STS_ENDPOINT, sts_endpoint_from_env};
pub use uri::UriProvider;

/// Supplies AccessKey credentials (for the POP services).
#[async_trait]
pub trait AccessKeyProvider: Send + Sync + fmt::Debug {
    /// Current credentials.
    async fn access_key(&self) -> Result<AccessKey, CredentialsError>;
}

/// Supplies DashScope API keys or temporary tokens.
#[async_trait]
pub trait ApiKeyProvider: Send + Sync + fmt::Debug {
    /// A current key.
    async fn api_key(&self) -> Result<ApiKey, CredentialsError>;
}

#[async_trait]
impl AccessKeyProvider for AccessKey {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        Ok(self.clone())
    }
}

#[async_trait]
impl ApiKeyProvider for ApiKey {
    async fn api_key(&self) -> Result<ApiKey, CredentialsError> {
        Ok(self.clone())
    }
}

/// What providers that call a credentials service share: the transport,
/// the retry policy, the time source and the nonces (all injectable for tests).
#[derive(Clone)]
pub struct HttpContext {
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) time: Arc<dyn Timer>,
    pub(crate) nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for HttpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpContext")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl HttpContext {
    /// Credentials services reached through `transport`, with the default
    /// retry policy, real time (tokio) and random nonces.
    pub fn new(transport: Arc<dyn HttpTransport>) -> Self {
        Self {
            transport,
            retry: RetryPolicy::default(),
            time: Arc::new(TokioTimer),
            nonces: Arc::new(RandomNonce),
        }
    }

    /// Replaces the retry policy (it sleeps on this context's time).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry.with_timer(self.time.clone());
        self
    }

    /// Replaces the time source: expiry checks, signature dates and the
    /// retry policy's sleeps.
    pub fn with_time(mut self, time: Arc<dyn Timer>) -> Self {
        self.retry = self.retry.with_timer(time.clone());
        self.time = time;
        self
    }

    /// Replaces the nonce source.
    pub fn with_nonces(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// Sends a request built by `make` (once per attempt), with an overall
    /// `timeout`, and returns the status and the body, refused past
    /// [`ENDPOINT_BODY_LIMIT`](crate::bounded::ENDPOINT_BODY_LIMIT).
    pub(crate) async fn call(
        &self,
        what: &str,
        timeout: Duration,
        make: impl FnMut(u32) -> Result<HttpRequest, aliyun_ai_transport::TransportError> + Send,
    ) -> Result<(u16, Bytes), CredentialsError> {
        let sending = async {
            // Read whole inside each attempt: an answer that breaks or
            // stalls halfway is retried like a reset (these calls are reads).
            let response = self
                .retry
                .send_buffered(
                    self.transport.as_ref(),
                    true,
                    crate::bounded::ENDPOINT_BODY_LIMIT,
                    make,
                )
                .await
                .map_err(|e| CredentialsError::fetch(format!("{what}: {e}")))?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect_limited(crate::bounded::ENDPOINT_BODY_LIMIT)
                .await
                .map_err(|e| CredentialsError::fetch(format!("{what}: {e}")))?;
            Ok((status, body))
        };
        tokio::time::timeout(timeout, sending)
            .await
            .map_err(|_| CredentialsError::fetch(format!("{what}: no answer within {timeout:?}")))?
    }
}

/// Parses a credentials service's JSON answer.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    what: &str,
    body: &[u8],
) -> Result<T, CredentialsError> {
    serde_json::from_slice(body).map_err(|e| json_error(what, &e))
}

/// The error of a non-2xx answer: status, code and message (never the body).
pub(crate) fn service_error(what: &str, status: u16, body: &[u8]) -> CredentialsError {
    let parsed = aliyun_ai_core::error_body::ErrorBody::parse(body);
    CredentialsError::fetch(format!(
        "{what} answered HTTP {status}{}{}",
        parsed.code.map(|c| format!(" {c}")).unwrap_or_default(),
        parsed.message.map(|m| format!(": {m}")).unwrap_or_default()
    ))
}

// ---------------------------------------------------------------------------
// Environment

/// The names of the environment variables a provider reads; overridable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvNames {
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID`
    pub access_key_id: String,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
    pub access_key_secret: String,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`
    pub security_token: String,
    /// `ALIBABA_CLOUD_PROFILE`
    pub profile: String,
    /// `ALIBABA_CLOUD_CREDENTIALS_FILE`
    pub credentials_file: String,
    /// `ALIBABA_CLOUD_CONFIG_FILE`
    pub config_file: String,
    /// `ALIBABA_CLOUD_ECS_METADATA`
    pub ecs_role_name: String,
    /// `ALIBABA_CLOUD_ECS_METADATA_DISABLED`
    pub ecs_metadata_disabled: String,
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`: `true` forbids the instance role's
    /// fallback to IMDSv1 (no session token).
    pub imdsv1_disabled: String,
    /// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED`: `true` leaves the Aliyun CLI's
    /// `config.json` out of the default chain.
    pub cli_profile_disabled: String,
    /// `ALIBABA_CLOUD_CREDENTIALS_URI`: the last source of the default chain.
    pub credentials_uri: String,
    /// `ALIBABA_CLOUD_ROLE_ARN`
    pub role_arn: String,
    /// `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`
    pub oidc_provider_arn: String,
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE`
    pub oidc_token_file: String,
    /// `ALIBABA_CLOUD_ROLE_SESSION_NAME`
    pub role_session_name: String,
}

impl Default for EnvNames {
    fn default() -> Self {
        Self {
            access_key_id: "ALIBABA_CLOUD_ACCESS_KEY_ID".into(),
            access_key_secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET".into(),
            security_token: "ALIBABA_CLOUD_SECURITY_TOKEN".into(),
            profile: "ALIBABA_CLOUD_PROFILE".into(),
            credentials_file: "ALIBABA_CLOUD_CREDENTIALS_FILE".into(),
            config_file: "ALIBABA_CLOUD_CONFIG_FILE".into(),
            ecs_role_name: "ALIBABA_CLOUD_ECS_METADATA".into(),
            ecs_metadata_disabled: "ALIBABA_CLOUD_ECS_METADATA_DISABLED".into(),
            imdsv1_disabled: "ALIBABA_CLOUD_IMDSV1_DISABLED".into(),
            cli_profile_disabled: "ALIBABA_CLOUD_CLI_PROFILE_DISABLED".into(),
            credentials_uri: "ALIBABA_CLOUD_CREDENTIALS_URI".into(),
            role_arn: "ALIBABA_CLOUD_ROLE_ARN".into(),
            oidc_provider_arn: "ALIBABA_CLOUD_OIDC_PROVIDER_ARN".into(),
            oidc_token_file: "ALIBABA_CLOUD_OIDC_TOKEN_FILE".into(),
            role_session_name: "ALIBABA_CLOUD_ROLE_SESSION_NAME".into(),
        }
    }
}

/// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `..._SECRET` and the
/// optional `ALIBABA_CLOUD_SECURITY_TOKEN`.
#[derive(Clone)]
pub struct EnvProvider {
    env: Arc<dyn Environment>,
    names: EnvNames,
}

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvProvider")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        Self::new(Arc::new(ProcessEnvironment))
    }
}

impl EnvProvider {
    /// Reads `env` with the standard names.
    pub fn new(env: Arc<dyn Environment>) -> Self {
        Self {
            env,
            names: EnvNames::default(),
        }
    }

    /// Reads other variable names.
    pub fn with_names(mut self, names: EnvNames) -> Self {
        self.names = names;
        self
    }
}

#[async_trait]
impl AccessKeyProvider for EnvProvider {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        let Some(id) = self.env.var(&self.names.access_key_id) else {
            return Err(CredentialsError::not_found(format!(
                "{} is not set",
                self.names.access_key_id
            )));
        };
        let secret = self.env.var(&self.names.access_key_secret).ok_or_else(|| {
            CredentialsError::invalid(format!(
                "{} is set but {} is not",
                self.names.access_key_id, self.names.access_key_secret
            ))
        })?;
        let key = AccessKey::new(id, secret);
        Ok(match self.env.var(&self.names.security_token) {
            Some(token) => key.with_security_token(token),
            None => key,
        })
    }
}

// ---------------------------------------------------------------------------
// The default chain

/// The vendor's default chain, first hit wins and is then reused:
/// environment -> OIDC (only when its three variables are set) -> Aliyun CLI
/// `~/.aliyun/config.json` (unless `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`)
/// -> `~/.alibabacloud/credentials` -> ECS instance role (unless
/// `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`; IMDSv2 only with
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`) -> `ALIBABA_CLOUD_CREDENTIALS_URI`
/// (when set), the order of the vendor's current credential libraries.
pub struct DefaultChain {
    providers: Vec<(&'static str, Arc<dyn AccessKeyProvider>)>,
    chosen: Mutex<Option<usize>>,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.providers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("DefaultChain")
            .field("providers", &names)
            .finish_non_exhaustive()
    }
}

impl DefaultChain {
    /// The chain over the process environment and home folder, calling
    /// credentials services through `http`.
    pub fn new(http: HttpContext) -> Self {
        Self::with_environment(http, Arc::new(ProcessEnvironment), EnvNames::default())
    }

    /// The chain over `env` (tests use a map and a temporary home).
    pub fn with_environment(http: HttpContext, env: Arc<dyn Environment>, names: EnvNames) -> Self {
        let mut providers: Vec<(&'static str, Arc<dyn AccessKeyProvider>)> = vec![(
            "environment",
            Arc::new(EnvProvider::new(env.clone()).with_names(names.clone())),
        )];
        if let (Some(role_arn), Some(provider_arn), Some(token_file)) = (
            env.var(&names.role_arn),
            env.var(&names.oidc_provider_arn),
            env.var(&names.oidc_token_file),
        ) {
            let session = env.var(&names.role_session_name);
            providers.push((
                "oidc",
                Arc::new(
                    OidcProvider::new(
                        http.clone(),
                        role_arn,
                        provider_arn,
                        PathBuf::from(token_file),
                    )
                    .with_endpoint(sts::sts_endpoint_from_env(env.as_ref()))
                    .with_session_name_opt(session),
                ),
            ));
        }
        let is_true = |name: &str| {
            env.var(name)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        if !is_true(&names.cli_profile_disabled) {
            providers.push((
                "aliyun-cli-config",
                Arc::new(CliConfigProvider::new(
                    http.clone(),
                    env.clone(),
                    names.clone(),
                )),
            ));
        }
        providers.push((
            "credentials-file",
            Arc::new(CredentialsFileProvider::new(
                http.clone(),
                env.clone(),
                names.clone(),
            )),
        ));
        if !is_true(&names.ecs_metadata_disabled) {
            let mut ecs = EcsRoleProvider::new(http.clone())
                .with_v1_fallback(!is_true(&names.imdsv1_disabled));
            if let Some(role) = env.var(&names.ecs_role_name) {
                ecs = ecs.with_role_name(role);
            }
            providers.push(("ecs-instance-role", Arc::new(ecs)));
        }
        if let Some(uri) = env.var(&names.credentials_uri).filter(|u| !u.is_empty()) {
            providers.push(("credentials-uri", Arc::new(UriProvider::new(http, uri))));
        }
        Self {
            providers,
            chosen: Mutex::new(None),
        }
    }

    /// The sources tried, in order.
    pub fn provider_names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|(name, _)| *name).collect()
    }

    fn chosen(&self) -> Option<usize> {
        *self
            .chosen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl AccessKeyProvider for DefaultChain {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        if let Some(index) = self.chosen() {
            return self.providers[index].1.access_key().await;
        }
        let mut failures = Vec::new();
        for (index, (name, provider)) in self.providers.iter().enumerate() {
            match provider.access_key().await {
                Ok(key) => {
                    *self
                        .chosen
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(index);
                    tracing::debug!(source = name, "credentials found");
                    return Ok(key);
                }
                Err(error) => failures.push(format!("{name}: {error}")),
            }
        }
        Err(CredentialsError::not_found(format!(
            "no credentials found in the default chain ({})",
            failures.join("; ")
        )))
    }
}
