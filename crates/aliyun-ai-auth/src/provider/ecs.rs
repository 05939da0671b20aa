//! The ECS instance role over the instance metadata service: IMDSv2 (a
//! session token first) with the v1 fallback, 1-second timeouts, cached and
//! renewed ahead of expiry; a failed renewal keeps serving unexpired credentials.

use std::fmt;
use std::time::Duration;

use aliyun_ai_transport::{TransportError, http};
use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;

use super::{AccessKeyProvider, HttpContext, parse_json, service_error};
use crate::cache::CredentialCache;
use crate::credentials::AccessKey;
use crate::error::CredentialsError;
use crate::time::parse_iso8601;

/// The metadata service's address ([`aliyun_ai_core::INSTANCE_METADATA_HOST`]
/// over plain HTTP).
pub const IMDS_ENDPOINT: &str = "http://100.100.100.200";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";

/// The metadata service's answer (the credentials URI answers the same).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ImdsCredentials {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

/// Credentials of the RAM role attached to this ECS instance.
pub struct EcsRoleProvider {
    http: HttpContext,
    endpoint: String,
    role_name: Option<String>,
    v1_fallback: bool,
    timeout: Duration,
    cache: CredentialCache<AccessKey>,
}

impl fmt::Debug for EcsRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRoleProvider")
            .field("endpoint", &self.endpoint)
            .field("role_name", &self.role_name)
            .field("v1_fallback", &self.v1_fallback)
            .finish_non_exhaustive()
    }
}

impl EcsRoleProvider {
    /// The instance role, discovered from the metadata service.
    pub fn new(http: HttpContext) -> Self {
        let cache = CredentialCache::new(http.time.clone());
        Self {
            http,
            endpoint: IMDS_ENDPOINT.into(),
            role_name: None,
            v1_fallback: true,
            timeout: Duration::from_secs(1),
            cache,
        }
    }

    /// A named role (skips the discovery request).
    pub fn with_role_name(mut self, role: impl Into<String>) -> Self {
        self.role_name = Some(role.into());
        self
    }

    /// Another metadata endpoint (a test server).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// Whether to fall back to IMDSv1 (no session token) when the token
    /// request fails (default: yes).
    pub fn with_v1_fallback(mut self, allowed: bool) -> Self {
        self.v1_fallback = allowed;
        self
    }

    /// The timeout of each metadata request (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn session_token(&self) -> Result<Option<String>, CredentialsError> {
        let url = format!("{}/latest/api/token", self.endpoint);
        let answer = self
            .http
            .call("the ECS metadata token service", self.timeout, |_| {
                http::Request::put(url.as_str())
                    .header("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")
                    .body(Bytes::new())
                    .map_err(|e| TransportError::other("invalid metadata request").with_source(e))
            })
            .await;
        match answer {
            Ok((200, body)) => Ok(Some(String::from_utf8_lossy(&body).trim().to_owned())),
            Ok((status, body)) if !self.v1_fallback => Err(service_error(
                "the ECS metadata token service",
                status,
                &body,
            )),
            Err(error) if !self.v1_fallback => Err(error),
            _ => {
                tracing::debug!("IMDSv2 token unavailable; falling back to IMDSv1");
                Ok(None)
            }
        }
    }

    async fn get(&self, path: &str, token: &Option<String>) -> Result<Bytes, CredentialsError> {
        let url = format!("{}{path}", self.endpoint);
        let (status, body) = self
            .http
            .call("the ECS metadata service", self.timeout, |_| {
                let mut request = http::Request::get(url.as_str());
                if let Some(token) = token {
                    request = request.header("X-aliyun-ecs-metadata-token", token.as_str());
                }
                request
                    .body(Bytes::new())
                    .map_err(|e| TransportError::other("invalid metadata request").with_source(e))
            })
            .await?;
        if status != 200 {
            return Err(service_error("the ECS metadata service", status, &body));
        }
        Ok(body)
    }

    async fn fetch(&self) -> Result<AccessKey, CredentialsError> {
        let token = self.session_token().await?;
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => {
                let body = self.get(CREDENTIALS_PATH, &token).await?;
                let text = String::from_utf8_lossy(&body);
                text.lines()
                    .next()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| {
                        CredentialsError::not_found("no RAM role is attached to this ECS instance")
                    })?
                    .to_owned()
            }
        };
        let body = self
            .get(&format!("{CREDENTIALS_PATH}{role}"), &token)
            .await?;
        let answer: ImdsCredentials = parse_json("the ECS metadata credentials", &body)?;
        answer.into_access_key(&format!("the ECS metadata service (role {role})"))
    }
}

impl ImdsCredentials {
    /// The credentials, when `Code` is `Success` and nothing is missing.
    pub(super) fn into_access_key(self, source: &str) -> Result<AccessKey, CredentialsError> {
        if self.code.as_deref() != Some("Success") {
            return Err(CredentialsError::fetch(format!(
                "{source} answered Code {:?}",
                self.code.unwrap_or_default()
            )));
        }
        let missing = |field: &str| {
            CredentialsError::fetch(format!("the credentials of {source} lack {field}"))
        };
        let expiration = self
            .expiration
            .as_deref()
            .and_then(parse_iso8601)
            .ok_or_else(|| missing("a readable Expiration"))?;
        Ok(AccessKey::new(
            self.access_key_id.ok_or_else(|| missing("AccessKeyId"))?,
            self.access_key_secret
                .ok_or_else(|| missing("AccessKeySecret"))?,
        )
        .with_security_token(
            self.security_token
                .ok_or_else(|| missing("SecurityToken"))?,
        )
        .with_expiration(expiration))
    }
}

#[async_trait]
impl AccessKeyProvider for EcsRoleProvider {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }
}
