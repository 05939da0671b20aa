//! How the transports connect: TCP by hyper's connector for those built on
//! hyper-util (`HyperTransport`, `TungsteniteTransport`), and for every
//! transport (reqwest's too) one TLS configuration: rustls with the crypto
//! provider the `ring` or `aws-lc-rs` feature picks, the platform's verifier.

use std::sync::Arc;
#[cfg(any(feature = "hyper", feature = "websocket"))]
use std::time::Duration;

#[cfg(any(feature = "hyper", feature = "websocket"))]
use hyper_util::client::legacy::connect::HttpConnector;

use crate::error::TransportError;

/// TCP without Nagle's delay, within `timeout`, for `http` and `https`
/// destinations alike (TLS is added on top).
#[cfg(any(feature = "hyper", feature = "websocket"))]
pub(crate) fn http_connector(timeout: Duration) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(timeout));
    http
}

/// The TLS client configuration of every transport: rustls with the crypto
/// provider of the `aws-lc-rs` or `ring` feature (aws-lc-rs when both are
/// on), the safe default protocol versions, the platform's certificate
/// verifier, no client certificate.
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, TransportError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    Ok(
        rustls::ClientConfig::builder_with_provider(crypto_provider()?)
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_platform_verifier())
            .map_err(|e| TransportError::other("could not set up TLS").with_source(e))?
            .with_no_client_auth(),
    )
}

/// The crypto provider the features choose; with neither feature, the one
/// the application installed as the process default, else an error that
/// says how to get one.
fn crypto_provider() -> Result<Arc<rustls::crypto::CryptoProvider>, TransportError> {
    #[cfg(feature = "aws-lc-rs")]
    return Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    return Ok(Arc::new(rustls::crypto::ring::default_provider()));
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .ok_or_else(|| {
            TransportError::other(
                "no TLS crypto provider: enable the `ring` or `aws-lc-rs` feature, or install one with rustls::crypto::CryptoProvider::install_default",
            )
        })
}
