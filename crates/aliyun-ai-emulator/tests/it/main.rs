//! The emulator's own integration tests, one binary (one link) for all: the
//! vendor SDKs' captured requests and the wire details of every service.

mod binary;
mod hardening;
mod raw;
mod realtime;
mod vendor_requests;
mod wire_fidelity;
