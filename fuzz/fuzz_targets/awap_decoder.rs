//! `cargo fuzz run awap_decoder`: see `aliyun_ai_fuzz::awap_decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::awap_decoder(data));
