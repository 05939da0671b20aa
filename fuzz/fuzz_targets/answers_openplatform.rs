//! `cargo fuzz run answers_openplatform`: see `aliyun_ai_fuzz::answers_openplatform`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_openplatform(data));
