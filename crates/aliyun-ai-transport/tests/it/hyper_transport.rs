//! `HyperTransport` against real HTTP servers on loopback: the suite every
//! transport passes (`suite/mod.rs`).

use std::time::Duration;

use aliyun_ai_transport::HyperTransport;

// Compiled once per transport on purpose: its `super::transport()` is this file's.
#[allow(clippy::duplicate_mod)]
#[path = "suite/mod.rs"]
mod suite;

fn transport() -> HyperTransport {
    HyperTransport::builder()
        .request_timeout(Some(Duration::from_millis(500)))
        .read_idle_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap()
}

fn with_timeouts(request: Duration, idle: Duration) -> HyperTransport {
    HyperTransport::builder()
        .request_timeout(Some(request))
        .read_idle_timeout(Some(idle))
        .build()
        .unwrap()
}

fn with_proxies(
    proxies: aliyun_ai_transport::Proxies,
) -> Result<HyperTransport, aliyun_ai_transport::TransportError> {
    HyperTransport::builder()
        .proxies(proxies)
        .connect_timeout(Duration::from_millis(300))
        .request_timeout(Some(Duration::from_secs(2)))
        .build()
}

fn with_user_agent_suffix(suffix: &str) -> HyperTransport {
    HyperTransport::builder()
        .user_agent_suffix(suffix)
        .build()
        .unwrap()
}

#[test]
fn a_proxy_reached_over_tls_is_refused_with_the_way_out() {
    let error =
        with_proxies(aliyun_ai_transport::Proxies::none().https("https://user:s3cret@proxy:443"))
            .unwrap_err()
            .to_string();
    assert!(error.contains("plain HTTP only"), "{error}");
    assert!(error.contains("reqwest transport"), "{error}");
    assert!(error.contains("https://***@proxy:443"), "{error}");
    assert!(!error.contains("s3cret"), "{error}");
}
