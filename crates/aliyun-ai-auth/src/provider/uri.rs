//! Credentials from a URI (`ALIBABA_CLOUD_CREDENTIALS_URI`, the last source of
//! the vendor's default chain): a GET answering the ECS metadata service's
//! shape, `{"Code": "Success", "AccessKeyId", "AccessKeySecret",
//! "SecurityToken", "Expiration"}`; cached and renewed ahead of expiry like
//! the instance role's.

use std::fmt;
use std::time::Duration;

use aliyun_ai_transport::{TransportError, http};
use async_trait::async_trait;
use bytes::Bytes;

use super::ecs::ImdsCredentials;
use super::{AccessKeyProvider, HttpContext, parse_json, service_error};
use crate::cache::CredentialCache;
use crate::credentials::AccessKey;
use crate::error::CredentialsError;

/// Temporary credentials served by a URI of your own (a sidecar, a local
/// credentials agent).
pub struct UriProvider {
    http: HttpContext,
    uri: String,
    timeout: Duration,
    cache: CredentialCache<AccessKey>,
}

impl fmt::Debug for UriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URI may carry a token in its query: never printed.
        f.debug_struct("UriProvider").finish_non_exhaustive()
    }
}

impl UriProvider {
    /// Credentials from `uri` (the vendor's readers give it 5 s).
    pub fn new(http: HttpContext, uri: impl Into<String>) -> Self {
        let cache = CredentialCache::new(http.time.clone());
        Self {
            http,
            uri: uri.into(),
            timeout: Duration::from_secs(5),
            cache,
        }
    }

    /// The timeout of each request (default 5 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn fetch(&self) -> Result<AccessKey, CredentialsError> {
        const WHAT: &str = "the credentials URI";
        let (status, body) = self
            .http
            .call(WHAT, self.timeout, |_| {
                http::Request::get(self.uri.as_str())
                    .body(Bytes::new())
                    .map_err(|e| {
                        TransportError::other("ALIBABA_CLOUD_CREDENTIALS_URI is not a valid URI")
                            .with_source(e)
                    })
            })
            .await?;
        if status != 200 {
            return Err(service_error(WHAT, status, &body));
        }
        let answer: ImdsCredentials = parse_json(WHAT, &body)?;
        answer.into_access_key(WHAT)
    }
}

#[async_trait]
impl AccessKeyProvider for UriProvider {
    async fn access_key(&self) -> Result<AccessKey, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }
}
