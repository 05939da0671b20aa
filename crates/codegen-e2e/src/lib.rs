//! The model crate of the synthetic service `sampleroa`, generated at build
//! time from `xtask/tests/features/docs/apis/sampleroa/` by the real
//! generator (see `build.rs`). Nothing here is written by hand: the tests
//! call its operations through the facade against the emulator.

include!(concat!(env!("OUT_DIR"), "/sampleroa.rs"));
