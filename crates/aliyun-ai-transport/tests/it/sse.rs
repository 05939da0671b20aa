//! The SSE decoder: a property test (any split of a valid stream yields the
//! same events) and the stream adapter over bodies with faults.

use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};
use aliyun_ai_transport::sse::{SseDecoder, SseError, SseEvent, SseStream};
use aliyun_ai_transport::{HttpTransport, http};
use futures_util::StreamExt;
use proptest::prelude::*;

/// Writes events in the wire format with the given line ending, with a comment
/// and a keep-alive between events.
fn encode(events: &[SseEvent], newline: &str, trailing_blank_line: bool) -> Vec<u8> {
    let mut out = String::from(": stream start");
    out.push_str(newline);
    for (index, event) in events.iter().enumerate() {
        if let Some(name) = &event.event {
            out.push_str(&format!("event: {name}{newline}"));
        }
        if let Some(id) = &event.id {
            out.push_str(&format!("id: {id}{newline}"));
        }
        if let Some(retry) = event.retry {
            out.push_str(&format!("retry: {retry}{newline}"));
        }
        for line in event.data.split('\n') {
            out.push_str(&format!("data: {line}{newline}"));
        }
        let last = index + 1 == events.len();
        if !last || trailing_blank_line {
            out.push_str(newline);
            out.push_str(&format!(":{newline}{newline}"));
        }
    }
    out.into_bytes()
}

fn decode_chunks(input: &[u8], cuts: &[usize]) -> Vec<SseEvent> {
    let mut decoder = SseDecoder::new();
    let mut events = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        events.extend(decoder.push(&input[start..cut]).unwrap());
        start = cut;
    }
    events.extend(decoder.push(&input[start..]).unwrap());
    events.extend(decoder.finish());
    events
}

fn text() -> impl Strategy<Value = String> {
    // Any characters but line breaks; includes multi-byte UTF-8.
    proptest::string::string_regex("[^\r\n]{0,12}").unwrap()
}

fn event() -> impl Strategy<Value = SseEvent> {
    (
        proptest::option::of(proptest::string::string_regex("[a-z]{1,8}").unwrap()),
        proptest::collection::vec(text(), 1..4),
        proptest::option::of(proptest::string::string_regex("[a-z0-9-]{1,8}").unwrap()),
        proptest::option::of(0u64..100_000),
    )
        .prop_map(|(event, lines, id, retry)| {
            let mut built = SseEvent::new(lines.join("\n"));
            if let Some(event) = event.filter(|e| e != "error") {
                built = built.with_event(event);
            }
            if let Some(id) = id {
                built = built.with_id(id);
            }
            if let Some(retry) = retry {
                built = built.with_retry(retry);
            }
            built
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_split_yields_the_same_events(
        events in proptest::collection::vec(event(), 1..6),
        newline in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        trailing in any::<bool>(),
        cut_fractions in proptest::collection::vec(0.0f64..1.0, 0..12),
    ) {
        let input = encode(&events, newline, trailing);
        let mut cuts: Vec<usize> = cut_fractions.iter().map(|f| (f * input.len() as f64) as usize).collect();
        cuts.sort_unstable();
        let whole = decode_chunks(&input, &[]);
        prop_assert_eq!(&whole, &events);
        prop_assert_eq!(decode_chunks(&input, &cuts), whole);
        // Byte by byte, the extreme split.
        let every_byte: Vec<usize> = (1..input.len()).collect();
        prop_assert_eq!(decode_chunks(&input, &every_byte), events);
    }

    #[test]
    fn arbitrary_bytes_decode_the_same_in_any_chunks(
        bytes in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'\r'), Just(b'\n'), Just(b':')], 0..256),
        size in 1usize..17,
    ) {
        let cuts: Vec<usize> = (size..bytes.len()).step_by(size).collect();
        prop_assert_eq!(decode_chunks(&bytes, &cuts), decode_chunks(&bytes, &[]));
    }
}

async fn stream_of(response: MockResponse) -> SseStream<aliyun_ai_transport::HttpBody> {
    let mock = MockTransport::new();
    mock.push(response);
    let request = http::Request::post("https://example.com/")
        .body(Bytes::new())
        .unwrap();
    SseStream::new(mock.send(request).await.unwrap().into_body())
}

#[tokio::test]
async fn a_chunked_stream_yields_events_then_ends_cleanly() {
    let mut stream =
        stream_of(MockResponse::sse(["{\"a\":1}", "{\"a\":2}", "[DONE]"]).chunked(3)).await;
    let mut data = Vec::new();
    while let Some(event) = stream.next().await {
        data.push(event.unwrap().data);
    }
    assert_eq!(data, ["{\"a\":1}", "{\"a\":2}", "[DONE]"]);
}

#[tokio::test]
async fn an_error_event_becomes_an_error_item_and_ends_the_stream() {
    let body = "data: first\n\nevent: error\ndata: {\"code\":\"InternalError\"}\n\ndata: never\n\n";
    let mut stream = stream_of(MockResponse::new(200, body).chunked(7)).await;
    assert_eq!(stream.next().await.unwrap().unwrap().data, "first");
    match stream.next().await.unwrap() {
        Err(SseError::Server { data }) => assert!(data.contains("InternalError")),
        other => panic!("expected an error event, got {other:?}"),
    }
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_truncated_stream_yields_its_events_then_a_transport_error() {
    let response = MockResponse::sse(["one", "two", "three"]).reset_after(26);
    let mut stream = stream_of(response).await;
    assert_eq!(stream.next().await.unwrap().unwrap().data, "one");
    assert_eq!(stream.next().await.unwrap().unwrap().data, "two");
    assert!(matches!(
        stream.next().await.unwrap(),
        Err(SseError::Transport(_))
    ));
    assert!(stream.next().await.is_none());
}
