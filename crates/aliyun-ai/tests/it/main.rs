//! The facade's integration tests, one binary (one link) for all.

mod call_failures;
mod common;
mod errors;
mod operations;
mod paginators;
mod streaming;
mod tasks;
mod tingwu_results;
mod wiremock_server;
