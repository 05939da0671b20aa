//! Downloading pre-signed result files (the customer-profile application's
//! and Tingwu's): one rule for both.

use std::time::UNIX_EPOCH;

use aliyun_ai_core::SignedUrl;
use aliyun_ai_transport::retry::attempts;
use aliyun_ai_transport::{TransportError, http};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::client::{Client, service_error};
use crate::endpoint::{host_of, is_loopback};
use crate::error::{Error, excerpt};

/// The `Expires` parameter (Unix seconds) of a pre-signed OSS URL.
fn expires_param(url: &str) -> Option<u64> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("Expires=")?.parse().ok())
}

/// Fetches and decodes one pre-signed result file: a plain GET with no
/// `Authorization` header or credential; only `https` (loopback excepted, or
/// with `allow_insecure_http`); at most the configured result size; a 403 on
/// an expired URL is [`ErrorKind::ResultExpired`](crate::ErrorKind::ResultExpired).
pub(crate) async fn fetch_presigned<T: DeserializeOwned>(
    client: &Client,
    url: &str,
) -> Result<T, Error> {
    let (status, body) = fetch_presigned_bytes(client, url).await?;
    serde_json::from_slice(&body).map_err(|e| Error::decode(status, None, excerpt(&body), e))
}

/// [`fetch_presigned`]'s download: the status and the body.
pub(crate) async fn fetch_presigned_bytes(
    client: &Client,
    url: &str,
) -> Result<(u16, Bytes), Error> {
    let config = &client.config;
    let uri: http::Uri = url.parse().map_err(|_| {
        Error::build(format!(
            "result URL is not a valid URL: {}",
            redact_url(url)
        ))
    })?;
    let host = uri
        .authority()
        .map(|a| host_of(a.as_str()).to_owned())
        .unwrap_or_default();
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(&host) || config.settings.allow_insecure_http => {}
        _ => {
            return Err(Error::build(format!(
                "result URL must be https: {}",
                redact_url(url)
            )));
        }
    }
    let response = config
        .settings
        .retry
        .send(config.transport.as_ref(), true, |_| {
            // Deliberately unsigned: the URL carries its own signature, and
            // no credential may reach the storage host.
            http::Request::get(uri.clone())
                .body(Bytes::new())
                .map_err(|e| TransportError::other("invalid result request").with_source(e))
        })
        .await
        .map_err(|e| Error::transport(e.error, e.attempts))?;
    let status = response.status().as_u16();
    if !response.status().is_success() {
        let expired_by_clock = expires_param(url).is_some_and(|expires| {
            let now = config
                .time
                .system_time()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            now >= expires
        });
        let error = service_error(response).await;
        let says_expired = error
            .body_excerpt()
            .is_some_and(|b| b.to_ascii_lowercase().contains("expired"));
        if status == 403 && (says_expired || expired_by_clock) {
            return Err(Error::result_expired(format!(
                    "the result URL has expired (fetch results soon after the task is done, or read the task again for fresh URLs): {}",
                    redact_url(url)
                ))
                .with_source(error));
        }
        return Err(error);
    }
    let attempts = attempts(&response);
    let body = response
        .into_body()
        .collect_limited(config.settings.result_size_limit)
        .await
        .map_err(|e| Error::transport(e, attempts))?;
    Ok((status, body))
}

/// A result URL without its query (which carries the pre-signed signature).
fn redact_url(url: &str) -> String {
    SignedUrl::new(url).to_string()
}
