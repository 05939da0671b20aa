//! `cargo fuzz run answers_dianjin`: see `aliyun_ai_fuzz::answers_dianjin`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_dianjin(data));
