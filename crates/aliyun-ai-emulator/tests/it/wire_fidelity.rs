//! The emulator decides from what a gateway accepts, not from what this SDK's
//! client happens to send. Requests are signed here with the SDK's signers
//! over chosen headers, then written to the socket byte for byte, varied in
//! the ways real clients vary: extra signed headers, header case, query
//! order, repeated query names, trailing slashes, form encodings, STS tokens,
//! V1 signature methods and placements.

use crate::raw;

use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::AccessKey;
use aliyun_ai::auth::V1Signer;
use aliyun_ai::auth::sign::{
    HeaderSelection, RandomNonce, V3Signer, sha256_hex, string_to_sign_v1,
};
use aliyun_ai::contactcenterai::{AnalyzeConversationResponse, GetTaskResultResponse};
use aliyun_ai::retailbot::RecognizeMessageResponse;
use aliyun_ai::time::TokioTimer;
use aliyun_ai::transport::bytes::Bytes;
use aliyun_ai::transport::http;
use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig, StsCredentials};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use raw::{RawResponse, lowercase, replace_once, send, serialize, title_case};
use serde_json::json;

const DIANJIN_BODY: &str = r###"{"bizType":"common","conversation":"##客户##:我忘记还款了","intentionList":[{"intention":"忘记还款","intentionCode":"1001","description":"客户表示忘记还款"}]}"###;
const ANALYZE_BODY: &str = r#"{"dialogue":{"sentences":[{"role":"user","text":"我想退款"},{"role":"agent","text":"好的"}]},"resultTypes":["summary"],"stream":false}"#;

async fn emulator(debug: bool) -> Emulator {
    let sts = StsCredentials::new("STS.emulator-id", "sts-secret", "sts-token-value");
    Emulator::start_with(
        EmulatorConfig::default()
            .with_credentials(Credentials::default().with_sts(sts))
            .with_task_delay(Duration::ZERO)
            .with_stream_event_delay(Duration::from_millis(1))
            .with_debug_signatures(debug),
    )
    .await
    .expect("emulator")
}

fn key(emulator: &Emulator) -> AccessKey {
    let credentials = emulator.credentials();
    AccessKey::new(
        &credentials.access_key_id,
        credentials.access_key_secret.as_str(),
    )
}

fn v3(selection: HeaderSelection) -> V3Signer {
    V3Signer::new(Arc::new(TokioTimer), Arc::new(RandomNonce)).with_signed_headers(selection)
}

fn vendor_like() -> HeaderSelection {
    HeaderSelection::standard()
        .also("accept")
        .also("user-agent")
}

/// A DianJin RecognizeIntention request to `path`, with `accept` and
/// `user-agent` set as the vendor's SDKs set them.
fn dianjin_request(emulator: &Emulator, path: &str) -> http::Request<Bytes> {
    http::Request::post(format!("{}{path}", emulator.base_url()))
        .header("content-type", "application/json; charset=utf-8")
        .header("accept", "application/json")
        .header("user-agent", "AlibabaCloud (Linux; x86_64) Rust/test")
        .body(Bytes::from_static(DIANJIN_BODY.as_bytes()))
        .unwrap()
}

fn signed_dianjin(emulator: &Emulator, selection: HeaderSelection) -> http::Request<Bytes> {
    let mut request = dianjin_request(emulator, "/ws-1/api/recog/intent");
    v3(selection)
        .sign(
            &mut request,
            &key(emulator),
            "RecognizeIntention",
            "2024-06-28",
        )
        .unwrap();
    request
}

fn assert_refused(response: &RawResponse, status: u16, code: &str) {
    assert_eq!(
        (response.status, response.code().as_str()),
        (status, code),
        "{}",
        String::from_utf8_lossy(&response.body)
    );
}

#[tokio::test]
async fn our_signer_over_accept_and_user_agent_is_accepted_and_a_changed_user_agent_refused() {
    let emulator = emulator(false).await;
    let request = signed_dianjin(&emulator, vendor_like());
    let authorization = request.headers()["authorization"].to_str().unwrap();
    assert!(authorization.contains("SignedHeaders=accept;content-type;host;user-agent;x-acs-"));
    let bytes = serialize(&request, None, lowercase);
    let accepted = send(emulator.addr(), &bytes).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.json());
    assert_eq!(accepted.json()["data"]["intentionCode"], "1001");

    let request = signed_dianjin(&emulator, vendor_like());
    let changed = replace_once(
        &serialize(&request, None, lowercase),
        b"Rust/test",
        b"Rust/tesT",
    );
    assert_refused(
        &send(emulator.addr(), &changed).await,
        403,
        "SignatureDoesNotMatch",
    );
}

#[tokio::test]
async fn the_smallest_signed_set_is_accepted_and_unsigned_headers_may_change() {
    // The standard set leaves accept and user-agent unsigned: changing them
    // changes nothing.
    let emulator = emulator(false).await;
    let request = signed_dianjin(&emulator, HeaderSelection::standard());
    let bytes = replace_once(
        &serialize(&request, None, lowercase),
        b"Rust/test",
        b"Rust/tesT",
    );
    assert_eq!(send(emulator.addr(), &bytes).await.status, 200);
}

#[tokio::test]
async fn host_and_every_x_acs_header_must_be_signed() {
    let emulator = emulator(false).await;
    for (selection, missing) in [
        (
            HeaderSelection::exactly([
                "content-type",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-version",
            ]),
            "host",
        ),
        (
            HeaderSelection::exactly([
                "content-type",
                "host",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-signature-nonce",
            ]),
            "x-acs-version",
        ),
    ] {
        let response = send(
            emulator.addr(),
            &serialize(&signed_dianjin(&emulator, selection), None, lowercase),
        )
        .await;
        assert_refused(&response, 400, "IncompleteSignature");
        assert!(
            response.json()["Message"]
                .as_str()
                .unwrap()
                .ends_with(missing)
        );
    }
    // An extra x-acs-* header sent but not signed is refused too.
    let mut request = dianjin_request(&emulator, "/ws-1/api/recog/intent");
    v3(HeaderSelection::standard())
        .sign(
            &mut request,
            &key(&emulator),
            "RecognizeIntention",
            "2024-06-28",
        )
        .unwrap();
    request
        .headers_mut()
        .insert("x-acs-extra", http::HeaderValue::from_static("1"));
    assert_refused(
        &send(emulator.addr(), &serialize(&request, None, lowercase)).await,
        400,
        "IncompleteSignature",
    );
}

#[tokio::test]
async fn debug_signatures_return_the_canonical_request_the_emulator_expected() {
    let emulator = emulator(true).await;
    let request = signed_dianjin(&emulator, vendor_like());
    let changed = replace_once(
        &serialize(&request, None, lowercase),
        b"Rust/test",
        b"Rust/tesT",
    );
    let response = send(emulator.addr(), &changed).await;
    assert_refused(&response, 403, "SignatureDoesNotMatch");
    let body = response.json();
    let canonical = body["CanonicalRequest"].as_str().expect("CanonicalRequest");
    // The line that differs from what the client signed is visible as such.
    assert!(
        canonical.contains("\nuser-agent:AlibabaCloud (Linux; x86_64) Rust/tesT\n"),
        "{canonical}"
    );
    assert!(canonical.starts_with("POST\n/ws-1/api/recog/intent\n\naccept:application/json\n"));
    assert!(canonical.contains(
        "\naccept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
    ));
    assert_eq!(
        body["StringToSign"],
        format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical.as_bytes()))
    );
    // Without the switch, neither is shown.
    let quiet = self::emulator(false).await;
    let request = signed_dianjin(&quiet, vendor_like());
    let changed = replace_once(
        &serialize(&request, None, lowercase),
        b"Rust/test",
        b"Rust/tesT",
    );
    let body = send(quiet.addr(), &changed).await.json();
    assert!(body.get("CanonicalRequest").is_none() && body.get("StringToSign").is_none());
}

#[tokio::test]
async fn header_names_in_any_case_are_accepted() {
    let emulator = emulator(false).await;
    let request = signed_dianjin(&emulator, vendor_like());
    let bytes = serialize(&request, None, title_case);
    assert!(String::from_utf8_lossy(&bytes).contains("\r\nX-Acs-Signature-Nonce: "));
    assert_eq!(send(emulator.addr(), &bytes).await.status, 200);
}

#[tokio::test]
async fn the_accept_header_does_not_decide_streaming_the_body_does() {
    let emulator = emulator(false).await;
    let mut request = http::Request::post(format!(
        "{}/ws-1/ccai/app/app-1/analyze_conversation",
        emulator.base_url()
    ))
    .header("content-type", "application/json; charset=utf-8")
    .header("accept", "text/event-stream")
    .body(Bytes::from_static(ANALYZE_BODY.as_bytes()))
    .unwrap();
    v3(vendor_like())
        .sign(
            &mut request,
            &key(&emulator),
            "AnalyzeConversation",
            "2024-06-03",
        )
        .unwrap();
    let response = send(emulator.addr(), &serialize(&request, None, lowercase)).await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap().contains("json"));
    let answer: AnalyzeConversationResponse = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(answer.finish_reason.as_deref(), Some("stop"));
}

#[tokio::test]
async fn a_trailing_slash_on_a_roa_path_is_routed_and_signed_as_sent() {
    let emulator = emulator(false).await;
    let mut request = dianjin_request(&emulator, "/ws-1/api/recog/intent/");
    v3(vendor_like())
        .sign(
            &mut request,
            &key(&emulator),
            "RecognizeIntention",
            "2024-06-28",
        )
        .unwrap();
    let response = send(emulator.addr(), &serialize(&request, None, lowercase)).await;
    assert_eq!(response.status, 200, "{:?}", response.json());
}

async fn get_task_result(emulator: &Emulator, target_query: &str) -> RawResponse {
    let mut request = http::Request::get(format!(
        "{}/ccai/app/getTaskResult?{target_query}",
        emulator.base_url()
    ))
    .header("accept", "application/json")
    .body(Bytes::new())
    .unwrap();
    v3(vendor_like())
        .sign(&mut request, &key(emulator), "GetTaskResult", "2024-06-03")
        .unwrap();
    // The signer sorted the query; send it in the caller's order instead.
    let target = format!("/ccai/app/getTaskResult?{target_query}");
    send(
        emulator.addr(),
        &serialize(&request, Some(&target), lowercase),
    )
    .await
}

#[tokio::test]
async fn query_order_and_repeated_query_names_are_accepted() {
    let emulator = emulator(false).await;
    emulator
        .insert_contact_center_task(
            "task-1",
            json!({"taskType": "text", "modelCode": "tyxmTurbo",
                   "dialogue": {"sentences": [{"role": "user", "text": "你好"}]}}),
        )
        .unwrap();
    for query in [
        "taskId=task-1&requiredFieldList=asr_result%2Cdebug",
        "requiredFieldList=asr_result%2Cdebug&taskId=task-1",
        "requiredFieldList=debug&requiredFieldList=asr_result&taskId=task-1",
    ] {
        let response = get_task_result(&emulator, query).await;
        assert_eq!(response.status, 200, "{query}: {:?}", response.json());
        let answer: GetTaskResultResponse = serde_json::from_slice(&response.body).unwrap();
        assert!(
            answer.data.and_then(|d| d.asr_result).is_some(),
            "{query}: the ASR result was asked for"
        );
    }
}

#[tokio::test]
async fn sts_keys_need_their_signed_security_token() {
    let emulator = emulator(false).await;
    let sts = AccessKey::new("STS.emulator-id", "sts-secret");
    let sign = |key: &AccessKey, selection: HeaderSelection| {
        let mut request = dianjin_request(&emulator, "/ws-1/api/recog/intent");
        v3(selection)
            .sign(&mut request, key, "RecognizeIntention", "2024-06-28")
            .unwrap();
        serialize(&request, None, lowercase)
    };
    let good = sts.clone().with_security_token("sts-token-value");
    assert_eq!(
        send(emulator.addr(), &sign(&good, vendor_like()))
            .await
            .status,
        200
    );
    assert_refused(
        &send(emulator.addr(), &sign(&sts, vendor_like())).await,
        400,
        "MissingSecurityToken",
    );
    let wrong = sts.clone().with_security_token("another-token");
    assert_refused(
        &send(emulator.addr(), &sign(&wrong, vendor_like())).await,
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    );
    // A token sent but left out of SignedHeaders could be swapped: refused.
    let unsigned = HeaderSelection::exactly([
        "content-type",
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ]);
    assert_refused(
        &send(emulator.addr(), &sign(&good, unsigned)).await,
        400,
        "IncompleteSignature",
    );
}

const RETAILBOT_FORM: &str = "RobotCode=r-1&SessionId=s-1&ChatId=c-1&Round=1&ContentType=TEXT&UserNick=buyer&SellerNick=shop&Content=";

/// A RetailBot request signed with V3 over a form body written by hand.
fn retailbot_v3(emulator: &Emulator, content: &str) -> Vec<u8> {
    let mut request = http::Request::post(format!("{}/", emulator.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(format!("{RETAILBOT_FORM}{content}")))
        .unwrap();
    v3(vendor_like())
        .sign(
            &mut request,
            &key(emulator),
            "RecognizeMessage",
            "2021-02-24",
        )
        .unwrap();
    serialize(&request, None, lowercase)
}

#[tokio::test]
async fn form_encodings_of_the_same_text_all_decode_the_same() {
    let emulator = emulator(false).await;
    // "你好 a*b": %20 or + for the space; %2A, %2a or a bare * for the star.
    for content in [
        "%E4%BD%A0%E5%A5%BD%20a%2Ab",
        "%E4%BD%A0%E5%A5%BD+a%2ab",
        "%e4%bd%a0%e5%a5%bd+a*b",
    ] {
        let response = send(emulator.addr(), &retailbot_v3(&emulator, content)).await;
        assert_eq!(response.status, 200, "{content}: {:?}", response.json());
        let answer: RecognizeMessageResponse = serde_json::from_slice(&response.body).unwrap();
        // Greetings are the sc_wenhou scene whichever encoding carried them.
        let scene = answer.data.and_then(|d| d.scene).expect("a scene");
        let dtos = scene.scene_dtos.unwrap_or_default();
        assert_eq!(
            dtos.first().and_then(|d| d.scene_key.as_deref()),
            Some("sc_wenhou"),
            "{content}"
        );
    }
}

/// V1 parameters for a RetailBot call sent with `http_method`, signed with
/// `method`'s digest.
fn v1_params(
    emulator: &Emulator,
    http_method: &str,
    method: &str,
    version: &str,
) -> Vec<(String, String)> {
    let credentials = emulator.credentials();
    let mut params: Vec<(String, String)> = vec![
        ("Action".into(), "RecognizeMessage".into()),
        ("Version".into(), "2021-02-24".into()),
        ("Format".into(), "JSON".into()),
        ("AccessKeyId".into(), credentials.access_key_id.clone()),
        ("SignatureMethod".into(), method.into()),
        ("SignatureVersion".into(), version.into()),
        (
            "SignatureNonce".into(),
            format!("nonce-{http_method}-{method}-{version}"),
        ),
        (
            "Timestamp".into(),
            aliyun_ai::auth::time::format_iso8601(std::time::SystemTime::now()),
        ),
    ];
    for pair in RETAILBOT_FORM.split('&') {
        let (name, value) = pair.split_once('=').unwrap();
        params.push((name.into(), value.into()));
    }
    params.last_mut().unwrap().1 = "你好".into();
    let string_to_sign = string_to_sign_v1(
        http_method,
        params.iter().map(|(n, v)| (n.as_str(), v.as_str())),
    );
    let key = format!("{}&", credentials.access_key_secret);
    let signature = if method == "HMAC-SHA256" {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(string_to_sign.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    } else {
        aliyun_ai::auth::sign::signature_v1(&string_to_sign, &credentials.access_key_secret)
    };
    params.push(("Signature".into(), signature));
    params
}

fn form(params: &[(String, String)]) -> String {
    aliyun_ai::auth::encoding::encode_form(params.iter().map(|(n, v)| (n.as_str(), v.as_str())))
}

fn raw_post(target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn v1_signatures_in_the_query_or_the_body_with_either_method() {
    let emulator = emulator(false).await;
    // Common parameters in the query, business ones in the form (our V1Signer).
    let mut request = http::Request::post(format!("{}/", emulator.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Bytes::from(format!("{RETAILBOT_FORM}%E4%BD%A0%E5%A5%BD")))
        .unwrap();
    V1Signer::default()
        .sign(
            &mut request,
            &key(&emulator),
            "RecognizeMessage",
            "2021-02-24",
        )
        .unwrap();
    let response = send(emulator.addr(), &serialize(&request, None, lowercase)).await;
    assert_eq!(response.status, 200, "{:?}", response.json());

    // Everything, Signature included, in the form body; HMAC-SHA1 and HMAC-SHA256.
    for method in ["HMAC-SHA1", "HMAC-SHA256"] {
        let params = v1_params(&emulator, "POST", method, "1.0");
        let response = send(emulator.addr(), &raw_post("/", &form(&params))).await;
        assert_eq!(response.status, 200, "{method}: {:?}", response.json());
    }
    // In the query of a GET (the string to sign starts with the method).
    let params = v1_params(&emulator, "GET", "HMAC-SHA1", "1.0");
    let get = format!(
        "GET /?{} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n",
        form(&params)
    );
    let response = send(emulator.addr(), get.as_bytes()).await;
    assert_eq!(response.status, 200, "GET: {:?}", response.json());

    // An unknown method or version is refused, naming it.
    for (method, version, named) in [("HMAC-MD5", "1.0", "HMAC-MD5"), ("HMAC-SHA1", "2.0", "2.0")] {
        let params = v1_params(&emulator, "POST", method, version);
        let response = send(emulator.addr(), &raw_post("/", &form(&params))).await;
        assert_refused(&response, 400, "InvalidParameter");
        assert!(response.json()["Message"].as_str().unwrap().contains(named));
    }
}
