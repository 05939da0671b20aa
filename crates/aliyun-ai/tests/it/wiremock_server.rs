//! One ROA operation, RecognizeMessage and a DashScope operation through the
//! real reqwest transport against wiremock; the matchers check the signature
//! headers, and one recomputes the V3 signature from the request as received.

use crate::common;

use aliyun_ai::auth::sign::{canonical_query_from_encoded, compute_v3, sha256_hex};
use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::{AccessKey, ApiKey, Client, Config};
use common::{SECRET, fixture, fixture_json};
use wiremock::matchers::{
    body_json, body_partial_json, header, header_exists, header_regex, method, path,
};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

/// Matches a request whose V3 signature verifies with the test secret.
struct SignatureVerifies;

impl Match for SignatureVerifies {
    fn matches(&self, request: &Request) -> bool {
        let Some(authorization) = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some(signed) = authorization
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
        else {
            return false;
        };
        let headers: Vec<(String, String)> = signed
            .split(';')
            .filter_map(|name| {
                Some((
                    name.to_owned(),
                    request.headers.get(name)?.to_str().ok()?.to_owned(),
                ))
            })
            .collect();
        let hash = sha256_hex(&request.body);
        let query = canonical_query_from_encoded(request.url.query().unwrap_or(""));
        let expected = compute_v3(
            request.method.as_str(),
            request.url.path(),
            &query,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &hash,
            "LTAI-wire",
            SECRET,
        );
        expected.authorization == authorization
            && request
                .headers
                .get("x-acs-content-sha256")
                .and_then(|v| v.to_str().ok())
                == Some(hash.as_str())
    }
}

fn client(server: &MockServer) -> Client {
    let config = Config::builder()
        .endpoint_for_all(server.uri())
        .access_key(AccessKey::new("LTAI-wire", SECRET))
        .api_key(ApiKey::new("sk-wire"))
        .build()
        .unwrap();
    Client::new(config)
}

#[tokio::test]
async fn roa_recognize_intention_over_reqwest() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/llm-xxxx/api/recog/intent"))
        .and(header("x-acs-action", "RecognizeIntention"))
        .and(header("x-acs-version", "2024-06-28"))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(header_exists("x-acs-date"))
        .and(header_exists("x-acs-signature-nonce"))
        .and(header_regex("authorization", "^ACS3-HMAC-SHA256 Credential=LTAI-wire,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$"))
        .and(body_partial_json(serde_json::json!({"bizType": "attitude", "conversation": "##客户##:好的"})))
        .and(SignatureVerifies)
        .respond_with(ResponseTemplate::new(200).set_body_string(fixture("dianjin/RecognizeIntention/seed-response.json")))
        .expect(1)
        .mount(&server)
        .await;
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-xxxx")
        .biz_type("attitude")
        .conversation("##客户##:好的")
        .build()
        .unwrap();
    let answer = client(&server)
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap();
    assert_eq!(answer.err_code.as_deref(), Some("0"));
}

#[tokio::test]
async fn rpc_recognize_message_over_reqwest() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("x-acs-action", "RecognizeMessage"))
        .and(header("x-acs-version", "2021-02-24"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header_exists("x-acs-signature-nonce"))
        .and(SignatureVerifies)
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("retailbot/RecognizeMessage/response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request: aliyun_ai::retailbot::RecognizeMessageRequest = serde_json::from_value(
        fixture_json("retailbot/RecognizeMessage/request.json")["body"].clone(),
    )
    .unwrap();
    let answer = client(&server)
        .retail_bot()
        .recognize_message(request.clone())
        .await
        .unwrap();
    assert_eq!(answer.code.as_deref(), Some("200"));
    let received = &server.received_requests().await.unwrap()[0];
    let body = String::from_utf8(received.body.clone()).unwrap();
    assert!(!body.contains('+'), "a space is %20, never +: {body}");
    assert_eq!(
        aliyun_ai::retailbot::RecognizeMessageRequest::from_form(&body).unwrap(),
        request
    );
}

#[tokio::test]
async fn dashscope_get_task_over_reqwest() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/api/v1/services/aigc/multimodal-generation/generation",
        ))
        .and(header("authorization", "Bearer sk-wire"))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(body_json(serde_json::json!({
            "model": "tingwu-automotive-customer-profile",
            "input": { "task": "getTask", "dataId": "wkb-42" },
            "parameters": {}
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("customerprofile/getTask/response.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let answer = client(&server)
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb-42"))
        .await
        .unwrap();
    assert_eq!(
        answer.request_id.as_deref(),
        Some("fb9f5972-0dc0-9d7f-afe6-3120b46419f4")
    );
}
