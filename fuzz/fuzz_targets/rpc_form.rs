//! `cargo fuzz run rpc_form`: see `aliyun_ai_fuzz::rpc_form`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::rpc_form(data));
