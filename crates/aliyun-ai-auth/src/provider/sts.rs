//! STS: AssumeRole (V1-signed, for role ARNs) and AssumeRoleWithOIDC
//! (anonymous, for Kubernetes RRSA), both cached and renewed ahead of expiry.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai_core::encoding::encode_form;
use aliyun_ai_transport::{TransportError, http};
use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;

use super::{AccessKeyProvider, HttpContext, parse_json, service_error};
use crate::cache::CredentialCache;
use crate::credentials::AccessKey;
use crate::error::CredentialsError;
use crate::sign::{V1Signer, canonical_query};
use crate::time::{format_iso8601, parse_iso8601};

/// The global STS endpoint (`sts.<region>.aliyuncs.com` also works).
pub const STS_ENDPOINT: &str = "https://sts.aliyuncs.com";

/// The STS endpoint the environment asks for, as the vendor's credential
/// SDKs read it (and ACK's RRSA webhook injects it into pods that may only
/// reach VPC endpoints):
///
/// - `ALIBABA_CLOUD_STS_ENDPOINT`: that endpoint (`https://` added when no
///   scheme is given);
/// - else `ALIBABA_CLOUD_STS_REGION`: `sts.<region>.aliyuncs.com`, or
///   `sts-vpc.<region>.aliyuncs.com` when `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`
///   is `true` (or `1`);
/// - else the global [`STS_ENDPOINT`].
pub fn sts_endpoint_from_env(env: &dyn crate::env::Environment) -> String {
    let set = |name: &str| {
        env.var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if let Some(endpoint) = set("ALIBABA_CLOUD_STS_ENDPOINT") {
        let endpoint = endpoint.trim_end_matches('/');
        return if endpoint.contains("://") {
            endpoint.to_owned()
        } else {
            format!("https://{endpoint}")
        };
    }
    match set("ALIBABA_CLOUD_STS_REGION") {
        Some(region) => {
            let vpc = set("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
            let prefix = if vpc { "sts-vpc" } else { "sts" };
            format!("https://{prefix}.{region}.aliyuncs.com")
        }
        None => STS_ENDPOINT.to_owned(),
    }
}
const STS_VERSION: &str = "2015-04-01";
const FORM: &str = "application/x-www-form-urlencoded";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: String,
    expiration: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsAnswer {
    credentials: Option<StsCredentials>,
}

/// Reads an STS answer into credentials.
fn sts_credentials(what: &str, status: u16, body: &[u8]) -> Result<AccessKey, CredentialsError> {
    if !(200..300).contains(&status) {
        return Err(service_error(what, status, body));
    }
    let answer: StsAnswer = parse_json(what, body)?;
    let credentials = answer
        .credentials
        .ok_or_else(|| CredentialsError::fetch(format!("{what} answered without Credentials")))?;
    let expiration = parse_iso8601(&credentials.expiration).ok_or_else(|| {
        CredentialsError::fetch(format!("{what} answered an unreadable Expiration"))
    })?;
    Ok(
        AccessKey::new(credentials.access_key_id, credentials.access_key_secret)
            .with_security_token(credentials.security_token)
            .with_expiration(expiration),
    )
}

fn session_duration(duration: Duration) -> u64 {
    // STS accepts 900 seconds at the least (`docs/vendor/auth.md`).
    duration.as_secs().max(900)
}

/// Credentials from STS AssumeRole, signed with V1 by the source credentials.
pub struct AssumeRoleProvider {
    http: HttpContext,
    source: Arc<dyn AccessKeyProvider>,
    role_arn: String,
    session_name: String,
    duration: Duration,
    endpoint: String,
    cache: CredentialCache<AccessKey>,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("endpoint", &self.endpoint)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with the credentials of `source`.
    pub fn new(
        http: HttpContext,
        source: Arc<dyn AccessKeyProvider>,
        role_arn: impl Into<String>,
    ) -> Self {
        let cache = CredentialCache::new(http.time.clone());
        Self {
            http,
            source,
            role_arn: role_arn.into(),
            session_name: "aliyun-ai-rust".into(),
            duration: Duration::from_secs(3600),
            endpoint: STS_ENDPOINT.into(),
            cache,
        }
    }

    /// The session name (default `aliyun-ai-rust`).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// How long the credentials last (900 s at the least; default 3600 s).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// Another STS endpoint (a regional one, or a test server).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch(&self) -> Result<AccessKey, CredentialsError> {
        let source = self.source.access_key().await?;
        let duration = session_duration(self.duration).to_string();
        let form = encode_form([
            ("RoleArn", self.role_arn.as_str()),
            ("RoleSessionName", self.session_name.as_str()),
            ("DurationSeconds", duration.as_str()),
        ]);
        let signer = V1Signer::new(self.http.time.clone(), self.http.nonces.clone());
        let url = format!("{}/", self.endpoint);
        let (status, body) = self
            .http
            .call("STS AssumeRole", Duration::from_secs(30), |_| {
                let mut request = http::Request::post(url.as_str())
                    .header(http::header::CONTENT_TYPE, FORM)
                    .body(Bytes::from(form.clone()))
                    .map_err(|e| TransportError::other("invalid STS request").with_source(e))?;
                signer
                    .sign(&mut request, &source, "AssumeRole", STS_VERSION)
                    .map_err(|e| {
                        TransportError::other("could not sign the STS request").with_source(e)
                    })?;
                Ok(request)
            })
            .await?;
        let echoed = [
            source.secret().expose(),
            source.security_token().map_or("", |t| t.expose()),
        ];
        sts_credentials("STS AssumeRole", status, &body).map_err(|e| e.redacting(&echoed))
    }
}

#[async_trait]
impl AccessKeyProvider for AssumeRoleProvider {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }
}

/// Credentials from STS AssumeRoleWithOIDC with the token in a file (RRSA in
/// Kubernetes). The file is read at each renewal, as the token rotates.
pub struct OidcProvider {
    http: HttpContext,
    role_arn: String,
    provider_arn: String,
    token_file: PathBuf,
    session_name: String,
    duration: Duration,
    endpoint: String,
    cache: CredentialCache<AccessKey>,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("role_arn", &self.role_arn)
            .field("provider_arn", &self.provider_arn)
            .field("token_file", &self.token_file)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl OidcProvider {
    /// Assumes `role_arn` with the OIDC token in `token_file`.
    pub fn new(
        http: HttpContext,
        role_arn: impl Into<String>,
        provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> Self {
        let cache = CredentialCache::new(http.time.clone());
        Self {
            http,
            role_arn: role_arn.into(),
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            session_name: "aliyun-ai-rust".into(),
            duration: Duration::from_secs(3600),
            endpoint: STS_ENDPOINT.into(),
            cache,
        }
    }

    /// The session name (default `aliyun-ai-rust`).
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    pub(crate) fn with_session_name_opt(self, name: Option<String>) -> Self {
        match name {
            Some(name) => self.with_session_name(name),
            None => self,
        }
    }

    /// How long the credentials last (900 s at the least; default 3600 s).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// Another STS endpoint.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    async fn fetch(&self) -> Result<AccessKey, CredentialsError> {
        let token =
            crate::bounded::read_to_string(&self.token_file, crate::bounded::TOKEN_FILE_LIMIT)
                .map_err(|e| {
                    CredentialsError::invalid(format!(
                        "cannot read the OIDC token file {}",
                        self.token_file.display()
                    ))
                    .with_source(e)
                })?;
        let token = token.trim().to_owned();
        let duration = session_duration(self.duration).to_string();
        let form = encode_form([
            ("RoleArn", self.role_arn.as_str()),
            ("OIDCProviderArn", self.provider_arn.as_str()),
            ("OIDCToken", token.as_str()),
            ("RoleSessionName", self.session_name.as_str()),
            ("DurationSeconds", duration.as_str()),
        ]);
        let (status, body) = self
            .http
            .call("STS AssumeRoleWithOIDC", Duration::from_secs(30), |_| {
                let timestamp = format_iso8601(self.http.time.system_time());
                let query = canonical_query([
                    ("Action", "AssumeRoleWithOIDC"),
                    ("Format", "JSON"),
                    ("Version", STS_VERSION),
                    ("Timestamp", timestamp.as_str()),
                ]);
                http::Request::post(format!("{}/?{query}", self.endpoint))
                    .header(http::header::CONTENT_TYPE, FORM)
                    .body(Bytes::from(form.clone()))
                    .map_err(|e| TransportError::other("invalid STS request").with_source(e))
            })
            .await?;
        sts_credentials("STS AssumeRoleWithOIDC", status, &body)
            .map_err(|e| e.redacting(&[token.as_str()]))
    }
}

#[async_trait]
impl AccessKeyProvider for OidcProvider {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }
}

#[cfg(test)]
mod endpoint_tests {
    use super::*;
    use crate::env::MapEnvironment;

    #[test]
    fn the_sts_endpoint_follows_the_vendor_variables() {
        let env = |pairs: &[(&str, &str)]| {
            let mut env = MapEnvironment::new();
            for (k, v) in pairs {
                env = env.with_var(*k, *v);
            }
            sts_endpoint_from_env(&env)
        };
        assert_eq!(env(&[]), "https://sts.aliyuncs.com");
        assert_eq!(
            env(&[("ALIBABA_CLOUD_STS_REGION", "cn-beijing")]),
            "https://sts.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            env(&[
                ("ALIBABA_CLOUD_STS_REGION", "cn-beijing"),
                ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true")
            ]),
            "https://sts-vpc.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            env(&[
                ("ALIBABA_CLOUD_STS_ENDPOINT", "sts.example.internal/"),
                ("ALIBABA_CLOUD_STS_REGION", "cn-beijing")
            ]),
            "https://sts.example.internal"
        );
    }
}
