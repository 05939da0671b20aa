//! Differential fuzzing of the SSE decoder: the first byte picks chunk sizes,
//! the rest is the stream. Decoding in chunks must give exactly the events of
//! decoding in one piece, and nothing may panic.
#![no_main]

use aliyun_ai_transport::sse::SseDecoder;
use libfuzzer_sys::fuzz_target;

fn decode(input: &[u8], chunk_size: usize) -> Vec<aliyun_ai_transport::sse::SseEvent> {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    for chunk in input.chunks(chunk_size.max(1)) {
        events.extend(decoder.push(chunk));
    }
    events.extend(decoder.finish());
    events
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, stream)) = data.split_first() else {
        return;
    };
    let whole = decode(stream, stream.len().max(1));
    let chunked = decode(stream, usize::from(selector % 17) + 1);
    assert_eq!(whole, chunked);
});
