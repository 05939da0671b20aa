//! `cargo fuzz run answers_contactcenterai`: see `aliyun_ai_fuzz::answers_contactcenterai`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_contactcenterai(data));
