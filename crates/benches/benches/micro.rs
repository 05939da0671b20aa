//! Micro benchmarks of the SDK's own work, each beside the baseline it is
//! compared with in the same run (`docs/PERFORMANCE.md`):
//!
//! `cargo bench -p aliyun-ai-benches --bench micro`

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aliyun_ai_auth::AccessKey;
use aliyun_ai_auth::V3Signer;
use aliyun_ai_auth::sign::FixedNonce;
use aliyun_ai_benches::{analyze_request, large_task_result, large_transcription, sse_stream};
use aliyun_ai_core::Operation;
use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_models_contactcenterai::GetTaskResultResponse;
use aliyun_ai_models_customerprofile::Transcription;
use aliyun_ai_models_retailbot::RecognizeMessageRequest;
use aliyun_ai_transport::sse::SseDecoder;
use bytes::Bytes;
use divan::Bencher;
use divan::black_box;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

fn main() {
    divan::main();
}

/// The AnalyzeConversation body of a 20-sentence dialogue.
fn body() -> Vec<u8> {
    match analyze_request().body() {
        Ok(aliyun_ai_core::RequestBody::Json(bytes)) => bytes,
        _ => unreachable!("AnalyzeConversation has a JSON body"),
    }
}

mod signing {
    use super::*;

    /// The baseline: SHA-256 of the body, and an HMAC-SHA256 over it.
    #[divan::bench]
    fn raw_sha256_and_hmac(bencher: Bencher) {
        let body = body();
        bencher.bench(|| {
            let digest = Sha256::digest(black_box(&body));
            let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("any key length");
            mac.update(black_box(&body));
            (digest, mac.finalize().into_bytes())
        });
    }

    /// ACS3-HMAC-SHA256 of the whole request (canonical request, headers).
    #[divan::bench]
    fn v3_sign_request(bencher: Bencher) {
        let body = Bytes::from(body());
        let signer = V3Signer::new(
            Arc::new(ManualTimer::at(
                UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            )),
            Arc::new(FixedNonce("3156853299f313e23d1673dc12e1703d".into())),
        );
        let key = AccessKey::new("LTAI5tBench", "bench-secret");
        let template = http::Request::post(
            "https://contactcenterai.cn-shanghai.aliyuncs.com/llm-bench/ccai/app/app-bench/analyze_conversation",
        )
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .expect("a valid request");
        bencher
            .with_inputs(|| template.clone())
            .bench_local_refs(|request| {
                signer
                    .sign(request, &key, "AnalyzeConversation", "2024-06-03")
                    .expect("signs")
            });
    }
}

mod encoding {
    use super::*;

    /// The request's JSON body (`aliyun_ai_core::json::to_vec`: serde_json
    /// into a kept buffer, one allocation).
    #[divan::bench]
    fn json_request_body(bencher: Bencher) {
        let request = analyze_request();
        bencher.bench(|| black_box(&request).body().expect("encodes"));
    }

    /// The baseline: `serde_json::to_vec` of the same request (its vector
    /// grows by doubling).
    #[divan::bench]
    fn json_serde_json_to_vec(bencher: Bencher) {
        let request = analyze_request();
        bencher.bench(|| serde_json::to_vec(black_box(&request)).expect("encodes"));
    }

    /// RetailBot's RPC form body (JSON-string fields).
    #[divan::bench]
    fn rpc_form_body(bencher: Bencher) {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../../fixtures/retailbot/RecognizeMessage/request.json"
        ))
        .expect("fixture");
        let request: RecognizeMessageRequest =
            serde_json::from_value(fixture["body"].clone()).expect("the fixture decodes");
        bencher.bench(|| black_box(&request).body().expect("encodes"));
    }
}

mod decoding {
    use super::*;

    const SENTENCES: usize = 2_000;

    #[divan::bench]
    fn task_result_value(bencher: Bencher) {
        let text = large_task_result(SENTENCES);
        bencher
            .bench(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).expect("JSON"));
    }

    #[divan::bench]
    fn task_result_typed(bencher: Bencher) {
        let text = large_task_result(SENTENCES);
        bencher.bench(|| {
            serde_json::from_str::<GetTaskResultResponse>(black_box(&text)).expect("decodes")
        });
    }

    #[divan::bench]
    fn transcription_value(bencher: Bencher) {
        let text = large_transcription(SENTENCES);
        bencher
            .bench(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).expect("JSON"));
    }

    #[divan::bench]
    fn transcription_typed(bencher: Bencher) {
        let text = large_transcription(SENTENCES);
        bencher.bench(|| serde_json::from_str::<Transcription>(black_box(&text)).expect("decodes"));
    }
}

mod sse {
    use super::*;

    /// The baseline: the same bytes split into lines, each `data:` line
    /// copied into a `String` (the least an SSE reader must do).
    #[divan::bench]
    fn lines_baseline(bencher: Bencher) {
        let stream = sse_stream(500);
        bencher.bench(|| {
            let mut data = 0;
            for line in black_box(&stream).split(|b| *b == b'\n') {
                if let Some(value) = line.strip_prefix(b"data:") {
                    data += String::from_utf8_lossy(value).into_owned().len();
                }
            }
            data
        });
    }

    /// 500 events fed in 1 KiB chunks, as a socket delivers them.
    #[divan::bench]
    fn decoder_500_events(bencher: Bencher) {
        let stream = sse_stream(500);
        bencher.bench(|| {
            let mut decoder = SseDecoder::new();
            let mut events = 0;
            for chunk in black_box(&stream).chunks(1024) {
                events += decoder.push(chunk).expect("within the limits").len();
            }
            events
        });
    }
}
