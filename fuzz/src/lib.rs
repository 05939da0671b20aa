//! The bodies of the fuzz targets (`fuzz_targets/`), one function each, so
//! that `cargo test` replays the committed inputs (`regressions/`, and the
//! fixtures as seeds) without a fuzzer, and `cargo fuzz run <target>`
//! explores. Each function must never panic on any input; where a decoder
//! has a property beyond that, it asserts it.

use aliyun_ai_core::server::ServerEntry;
use aliyun_ai_transport::awap::{AwapLimits, AwapMessage};
use aliyun_ai_transport::sse::{SseDecoder, SseError, SseEvent, SseLimits};

mod answers;

/// A fuzz target's body: any bytes in, never a panic.
pub type Target = fn(&[u8]);

pub use answers::*;

/// The targets that are not one per service, as in `Cargo.toml` and
/// `regressions/`.
const OTHER_TARGETS: &[(&str, Target)] = &[
    ("sse_decoder", sse_decoder),
    ("awap_decoder", awap_decoder),
    ("error_body", error_body),
    ("rpc_form", rpc_form),
    ("credentials_file", credentials_file),
    ("cli_config", cli_config),
    ("emulator_request", emulator_request),
];

/// Every target's name, as in `Cargo.toml` and `regressions/`: the
/// generated answer targets (one per service) and the others.
pub fn targets() -> Vec<&'static str> {
    ANSWER_TARGETS
        .iter()
        .chain(OTHER_TARGETS)
        .map(|(name, _)| *name)
        .collect()
}

/// Runs the target named `name` on `data`; `false` for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    let Some((_, target)) = ANSWER_TARGETS
        .iter()
        .chain(OTHER_TARGETS)
        .find(|(known, _)| *known == name)
    else {
        return false;
    };
    target(data);
    true
}

fn decode(input: &[u8], chunk_size: usize, limits: SseLimits) -> Result<Vec<SseEvent>, SseError> {
    let mut decoder = SseDecoder::with_limits(limits);
    let mut events = Vec::new();
    for chunk in input.chunks(chunk_size.max(1)) {
        events.extend(decoder.push(chunk)?);
    }
    events.extend(decoder.finish());
    Ok(events)
}

/// The SSE decoder, differentially: the first byte picks a chunk size and
/// whether small limits apply; decoding in chunks must give exactly the
/// events (or the limit error) of decoding in one piece.
pub fn sse_decoder(data: &[u8]) {
    let Some((&selector, stream)) = data.split_first() else {
        return;
    };
    let limits = if selector & 0x80 != 0 {
        SseLimits::new(32, 64)
    } else {
        SseLimits::DEFAULT
    };
    let whole = decode(stream, stream.len().max(1), limits);
    let chunked = decode(stream, usize::from(selector % 17) + 1, limits);
    match (whole, chunked) {
        (Ok(whole), Ok(chunked)) => assert_eq!(whole, chunked),
        (Err(SseError::TooLarge { what: a, .. }), Err(SseError::TooLarge { what: b, .. })) => {
            assert_eq!(a, b)
        }
        (whole, chunked) => panic!("whole {whole:?} but chunked {chunked:?}"),
    }
}

/// The AWAP codec of DianJin's real-time dialogue: the first byte picks the
/// frame kind and whether small limits apply. A message that decodes and
/// encodes again decodes to itself (the encoding is the canonical form).
pub fn awap_decoder(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let limits = if selector & 0x80 != 0 {
        AwapLimits::new(48, 64)
    } else {
        AwapLimits::default()
    };
    if selector & 1 == 0 {
        let Ok(text) = std::str::from_utf8(frame) else {
            return;
        };
        if let Ok(message) = AwapMessage::decode_text(text, &limits) {
            if let Ok(encoded) = message.encode_text() {
                let again =
                    AwapMessage::decode_text(&encoded, &AwapLimits::new(usize::MAX, usize::MAX));
                assert_eq!(again.as_ref(), Ok(&message), "{encoded:?}");
            }
        }
    } else if let Ok(message) = AwapMessage::decode_binary(frame, &limits) {
        if let Ok(encoded) = message.encode_binary() {
            let again =
                AwapMessage::decode_binary(&encoded, &AwapLimits::new(usize::MAX, usize::MAX));
            assert_eq!(again.as_ref(), Ok(&message));
        }
    }
}

/// The first byte picks an operation of `entries`; the rest is an answer's
/// body, decoded into that operation's generated output type.
fn answers_of(entries: &[ServerEntry], data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    if entries.is_empty() {
        return;
    }
    let entry = &entries[usize::from(selector) % entries.len()];
    let _ = (entry.decode_answer)(body);
}

/// The error-body parser (POP JSON, DashScope JSON, XML, anything): the
/// excerpt it keeps is never longer than the body.
pub fn error_body(data: &[u8]) {
    let parsed = aliyun_ai_core::error_body::ErrorBody::parse(data);
    for field in [&parsed.code, &parsed.message, &parsed.request_id]
        .into_iter()
        .flatten()
    {
        assert!(field.len() <= data.len() * 3 + 16, "{field:?}");
    }
}

/// The RPC form decoder (`a=b&c=d`, percent-decoded), and typed decoding of
/// a form body with fields of every kind.
pub fn rpc_form(data: &[u8]) {
    use aliyun_ai_core::form::{FormFieldKind, decode_form_body};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pairs) = aliyun_ai_core::encoding::decode_form(text) {
        // Re-encoding what was decoded and decoding again gives the same pairs.
        let again = pairs
            .iter()
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    aliyun_ai_core::encoding::percent_encode(n),
                    aliyun_ai_core::encoding::percent_encode(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            aliyun_ai_core::encoding::decode_form(&again).ok(),
            Some(pairs)
        );
    }
    let fields = [
        ("Round", FormFieldKind::Integer),
        ("Score", FormFieldKind::Number),
        ("StressTesting", FormFieldKind::Boolean),
        ("Extra", FormFieldKind::Json),
    ];
    let _ = decode_form_body::<serde_json::Value>(text, &fields);
}

/// The credentials file (ini) reader.
pub fn credentials_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        aliyun_ai_auth::fuzzing::credentials_file(text);
    }
}

/// The Aliyun CLI `config.json` reader, and the ISO 8601 expiry parser the
/// credential answers use.
pub fn cli_config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        aliyun_ai_auth::fuzzing::cli_config(text);
        let _ = aliyun_ai_auth::time::parse_iso8601(text);
    }
}

/// The emulator's request parsing: NUL-separated method, path, query,
/// `Authorization` header and body, routed and decoded as the server does.
pub fn emulator_request(data: &[u8]) {
    let mut parts = data.splitn(5, |&b| b == 0);
    let method = parts.next().unwrap_or_default();
    let path = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let authorization = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    if !path.starts_with('/') {
        return;
    }
    aliyun_ai_emulator::fuzzing::request(method, &path, &query, authorization, body);
}
