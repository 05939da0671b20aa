//! `cargo fuzz run credentials_file`: see `aliyun_ai_fuzz::credentials_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::credentials_file(data));
