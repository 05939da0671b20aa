//! `cargo fuzz run emulator_request`: see `aliyun_ai_fuzz::emulator_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::emulator_request(data));
