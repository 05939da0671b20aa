//! `ReqwestTransport` against real HTTP servers on loopback: the suite every
//! transport passes (`suite/mod.rs`).

use std::time::Duration;

use aliyun_ai_transport::ReqwestTransport;

// Compiled once per transport on purpose: its `super::transport()` is this file's.
#[allow(clippy::duplicate_mod)]
#[path = "suite/mod.rs"]
mod suite;

fn transport() -> ReqwestTransport {
    ReqwestTransport::builder()
        .proxies(aliyun_ai_transport::Proxies::none())
        .request_timeout(Some(Duration::from_millis(500)))
        .read_idle_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap()
}

fn with_timeouts(request: Duration, idle: Duration) -> ReqwestTransport {
    ReqwestTransport::builder()
        .proxies(aliyun_ai_transport::Proxies::none())
        .request_timeout(Some(request))
        .read_idle_timeout(Some(idle))
        .build()
        .unwrap()
}

fn with_proxies(
    proxies: aliyun_ai_transport::Proxies,
) -> Result<ReqwestTransport, aliyun_ai_transport::TransportError> {
    ReqwestTransport::builder()
        .proxies(proxies)
        .connect_timeout(Duration::from_millis(300))
        .request_timeout(Some(Duration::from_secs(2)))
        .build()
}

fn with_user_agent_suffix(suffix: &str) -> ReqwestTransport {
    ReqwestTransport::builder()
        .proxies(aliyun_ai_transport::Proxies::none())
        .user_agent_suffix(suffix)
        .build()
        .unwrap()
}
