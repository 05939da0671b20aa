//! The SDK end to end against the emulator, one binary (one link) for all but
//! the memory test (`upload_memory.rs`, alone so that the process's peak
//! memory is its own).

mod credential_refresh;
mod dianjin_sdk;
mod every_operation;
mod facade;
mod fault_matrix;
mod overrides;
mod paging;
mod realtime;
mod stateful;
mod streams;
mod support;
mod tingwu;
mod tingwu_meeting;
mod upload;
