//! The model crates of the synthetic services, one per style, generated at
//! build time from `xtask/tests/features/docs/apis/<service>/` by the real
//! generator (see `build.rs`), each as a module of this crate. Nothing here
//! is written by hand: the tests call their operations through the facade
//! against the emulator.

// The generated enums' `Unknown` payload, one per crate (each generated
// crate declares its own; here the three modules share this one).
aliyun_ai_core::unknown_value!();

/// `sampleroa`: a ROA service (path and query parameters in every style,
/// JSON bodies with rules, shared types, quirks).
pub mod sampleroa {
    include!(concat!(env!("OUT_DIR"), "/sampleroa.rs"));
}

/// `samplerpc`: an RPC service (a form body whose complex fields are JSON
/// strings, PascalCase keys).
pub mod samplerpc {
    include!(concat!(env!("OUT_DIR"), "/samplerpc.rs"));
}

/// `sampledash`: a DashScope service (Bearer, values fixed by the API, an
/// always-sent object, a result document whose top level is an array).
pub mod sampledash {
    include!(concat!(env!("OUT_DIR"), "/sampledash.rs"));
}
