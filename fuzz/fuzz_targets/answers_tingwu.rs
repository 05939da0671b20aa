//! `cargo fuzz run answers_tingwu`: see `aliyun_ai_fuzz::answers_tingwu`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_tingwu(data));
