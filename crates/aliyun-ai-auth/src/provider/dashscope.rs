//! DashScope API keys and temporary `st-` tokens.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aliyun_ai_transport::{TransportError, http};
use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;

use super::{ApiKeyProvider, HttpContext, parse_json, service_error};
use crate::cache::CredentialCache;
use crate::credentials::ApiKey;
use crate::env::{Environment, ProcessEnvironment};
use crate::error::CredentialsError;

/// The DashScope API base URL (Beijing).
pub const DASHSCOPE_BASE_URL: &str = "https://dashscope.aliyuncs.com";

/// The API key from `DASHSCOPE_API_KEY`, else the file named by
/// `DASHSCOPE_API_KEY_FILE_PATH`, else `~/.dashscope/api_key` (the vendor's
/// fallbacks, [`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)).
#[derive(Clone)]
pub struct EnvApiKeyProvider {
    env: Arc<dyn Environment>,
}

impl fmt::Debug for EnvApiKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvApiKeyProvider").finish_non_exhaustive()
    }
}

impl Default for EnvApiKeyProvider {
    fn default() -> Self {
        Self::new(Arc::new(ProcessEnvironment))
    }
}

impl EnvApiKeyProvider {
    /// Reads `env`.
    pub fn new(env: Arc<dyn Environment>) -> Self {
        Self { env }
    }

    fn read(path: &std::path::Path) -> Result<Option<ApiKey>, CredentialsError> {
        match crate::bounded::read_to_string(path, crate::bounded::TOKEN_FILE_LIMIT) {
            Ok(text) if !text.trim().is_empty() => Ok(Some(ApiKey::new(text.trim()))),
            Ok(_) => Err(CredentialsError::invalid(format!(
                "{} is empty",
                path.display()
            ))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(
                CredentialsError::invalid(format!("cannot read {}", path.display()))
                    .with_source(error),
            ),
        }
    }
}

#[async_trait]
impl ApiKeyProvider for EnvApiKeyProvider {
    async fn api_key(&self) -> Result<ApiKey, CredentialsError> {
        if let Some(key) = self.env.var("DASHSCOPE_API_KEY") {
            return Ok(ApiKey::new(key));
        }
        if let Some(path) = self.env.var("DASHSCOPE_API_KEY_FILE_PATH") {
            let path = PathBuf::from(path);
            return Self::read(&path)?.ok_or_else(|| {
                CredentialsError::invalid(format!(
                    "DASHSCOPE_API_KEY_FILE_PATH names {}, which does not exist",
                    path.display()
                ))
            });
        }
        if let Some(home) = self.env.home_dir() {
            if let Some(key) = Self::read(&home.join(".dashscope").join("api_key"))? {
                return Ok(key);
            }
        }
        Err(CredentialsError::not_found(
            "no DashScope API key: DASHSCOPE_API_KEY, DASHSCOPE_API_KEY_FILE_PATH and ~/.dashscope/api_key are all unset",
        ))
    }
}

/// Tries DashScope API key providers in order; the first key found wins.
#[derive(Debug, Clone)]
pub struct ApiKeyChain {
    providers: Vec<Arc<dyn ApiKeyProvider>>,
}

impl ApiKeyChain {
    /// A chain over `providers`.
    pub fn new(providers: Vec<Arc<dyn ApiKeyProvider>>) -> Self {
        Self { providers }
    }
}

#[async_trait]
impl ApiKeyProvider for ApiKeyChain {
    async fn api_key(&self) -> Result<ApiKey, CredentialsError> {
        let mut failures = Vec::new();
        for provider in &self.providers {
            match provider.api_key().await {
                Ok(key) => return Ok(key),
                Err(error) if error.is_not_found() => failures.push(error.to_string()),
                Err(error) => return Err(error),
            }
        }
        Err(CredentialsError::not_found(format!(
            "no DashScope API key ({})",
            failures.join("; ")
        )))
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: Option<String>,
    expires_at: Option<u64>,
}

/// Trades the API key for short-lived `st-` tokens
/// (`POST {base}/api/v1/tokens?expire_in_seconds=N`), caches them and renews
/// them before they expire. Hand the tokens, never the key, to another process.
pub struct TemporaryTokenProvider {
    http: HttpContext,
    source: Arc<dyn ApiKeyProvider>,
    base_url: String,
    expire_in: Duration,
    cache: CredentialCache<ApiKey>,
}

impl fmt::Debug for TemporaryTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryTokenProvider")
            .field("base_url", &self.base_url)
            .field("expire_in", &self.expire_in)
            .finish_non_exhaustive()
    }
}

impl TemporaryTokenProvider {
    /// Tokens obtained with the key of `source`, lasting 300 s each.
    pub fn new(http: HttpContext, source: Arc<dyn ApiKeyProvider>) -> Self {
        let cache = CredentialCache::new(http.time.clone());
        Self {
            http,
            source,
            base_url: DASHSCOPE_BASE_URL.into(),
            expire_in: Duration::from_secs(300),
            cache,
        }
    }

    /// Another base URL (another region, a test server).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// How long each token lasts, 1 to 1800 seconds (clamped).
    pub fn with_expire_in(mut self, expire_in: Duration) -> Self {
        self.expire_in = expire_in.clamp(Duration::from_secs(1), Duration::from_secs(1800));
        self
    }

    async fn fetch(&self) -> Result<ApiKey, CredentialsError> {
        let key = self.source.api_key().await?;
        let url = format!(
            "{}/api/v1/tokens?expire_in_seconds={}",
            self.base_url,
            self.expire_in.as_secs()
        );
        let (status, body) = self
            .http
            .call(
                "the DashScope token service",
                Duration::from_secs(30),
                |_| {
                    let mut request = http::Request::post(url.as_str())
                        .body(Bytes::new())
                        .map_err(|e| {
                            TransportError::other("invalid token request").with_source(e)
                        })?;
                    crate::sign::apply_bearer(&mut request, &key)
                        .map_err(|e| TransportError::other("invalid API key").with_source(e))?;
                    Ok(request)
                },
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(service_error("the DashScope token service", status, &body)
                .redacting(&[key.secret().expose()]));
        }
        let answer: TokenAnswer = parse_json("the DashScope token answer", &body)?;
        let token = answer
            .token
            .filter(|t| t.starts_with("st-"))
            .ok_or_else(|| {
                CredentialsError::fetch("the DashScope token answer holds no st- token")
            })?;
        let expires_at = answer.expires_at.ok_or_else(|| {
            CredentialsError::fetch("the DashScope token answer lacks expires_at")
        })?;
        Ok(ApiKey::temporary(
            token,
            UNIX_EPOCH + Duration::from_secs(expires_at),
        ))
    }
}

#[async_trait]
impl ApiKeyProvider for TemporaryTokenProvider {
    async fn api_key(&self) -> Result<ApiKey, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }
}
