//! The auth crate's integration tests, one binary (one link) for all.

mod common;
mod limits;
mod properties;
mod providers;
mod secrets;
mod vectors;
