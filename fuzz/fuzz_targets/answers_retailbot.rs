//! `cargo fuzz run answers_retailbot`: see `aliyun_ai_fuzz::answers_retailbot`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_retailbot(data));
