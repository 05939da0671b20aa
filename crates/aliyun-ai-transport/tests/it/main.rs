//! The transport crate's integration tests, one binary (one link) for all.

#[cfg(feature = "hyper")]
mod hyper_transport;
mod mock;
mod reqwest_transport;
mod retry;
mod sse;
mod websocket;
