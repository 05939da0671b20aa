//! `cargo fuzz run cli_config`: see `aliyun_ai_fuzz::cli_config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::cli_config(data));
