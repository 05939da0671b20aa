//! `cargo fuzz run sse_decoder`: see `aliyun_ai_fuzz::sse_decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::sse_decoder(data));
