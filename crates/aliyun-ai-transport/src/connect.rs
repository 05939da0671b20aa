//! How the transports built on hyper-util connect, the same for HTTP
//! (`HyperTransport`) and WebSocket (`TungsteniteTransport`): TCP by hyper's
//! connector, TLS by rustls (aws-lc-rs) with the platform's verifier.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;

use crate::error::TransportError;

/// TCP without Nagle's delay, within `timeout`, for `http` and `https`
/// destinations alike (TLS is added on top).
pub(crate) fn http_connector(timeout: Duration) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(timeout));
    http
}

/// The TLS client configuration: rustls with aws-lc-rs, the safe default
/// protocol versions, the platform's certificate verifier, no client
/// certificate.
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, TransportError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|builder| builder.with_platform_verifier())
    .map_err(|e| TransportError::other("could not set up TLS").with_source(e))?
    .with_no_client_auth())
}
