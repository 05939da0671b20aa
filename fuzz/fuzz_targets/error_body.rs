//! `cargo fuzz run error_body`: see `aliyun_ai_fuzz::error_body`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::error_body(data));
