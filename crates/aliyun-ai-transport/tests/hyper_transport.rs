//! `HyperTransport` against real HTTP servers on loopback: the suite every
//! transport passes (`suite/mod.rs`).
#![cfg(feature = "hyper")]

use std::time::Duration;

use aliyun_ai_transport::HyperTransport;

mod suite;

fn transport() -> HyperTransport {
    HyperTransport::builder()
        .request_timeout(Some(Duration::from_millis(500)))
        .read_idle_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap()
}

fn with_user_agent_suffix(suffix: &str) -> HyperTransport {
    HyperTransport::builder()
        .user_agent_suffix(suffix)
        .build()
        .unwrap()
}
