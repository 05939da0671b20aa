//! The SDK's end-to-end tests live in `tests/`: the facade (`aliyun-ai`) over
//! its real transports against the emulator (`aliyun-ai-emulator`) on
//! loopback, with real signatures. The emulator's own crate tests the
//! emulator; this one tests the SDK through it. Nothing here is published.
