//! No AccessKey secret, API key, security token or signature appears in the
//! `Debug`, `Display` or error messages of any public type.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aliyun_ai_auth::env::MapEnvironment;
use aliyun_ai_auth::provider::{AssumeRoleProvider, EnvNames, TemporaryTokenProvider};
use aliyun_ai_auth::sign::{FixedNonce, V1Signer};
use aliyun_ai_auth::{
    AccessKey, AccessKeyProvider, ApiKey, ApiKeyProvider, DefaultChain, EnvProvider, HttpContext,
    Secret, V3Signer, apply_bearer,
};
use aliyun_ai_core::time::ManualTimer;
use aliyun_ai_transport::RetryPolicy;
use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::http;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};

const SECRET: &str = "SECRET-ak-value-0001";
const TOKEN: &str = "SECRET-sts-token-0002";
const API_KEY: &str = "sk-SECRET-api-key-0003";

fn assert_clean(text: &str, signature: Option<&str>) {
    for secret in [SECRET, TOKEN, API_KEY, "SECRET-temporary"] {
        assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
    }
    if let Some(signature) = signature {
        assert!(
            !text.contains(signature),
            "the signature leaked into: {text}"
        );
    }
}

fn key() -> AccessKey {
    AccessKey::new("LTAI-visible-id", SECRET)
        .with_security_token(TOKEN)
        .with_expiration(UNIX_EPOCH + Duration::from_secs(2_000_000_000))
}

fn context(mock: &MockTransport) -> HttpContext {
    HttpContext::new(Arc::new(mock.clone())).with_retry(RetryPolicy::disabled())
}

#[test]
fn credential_types_show_the_id_and_never_the_secret() {
    let key = key();
    let debug = format!("{key:?}");
    assert!(debug.contains("LTAI-visible-id"));
    assert_clean(&debug, None);
    assert_eq!(key.to_string(), "AccessKey(LTAI-visible-id)");
    assert_clean(&format!("{:?}", key.secret()), None);
    assert_clean(&format!("{:?}", Secret::new(SECRET)), None);

    let api = ApiKey::new(API_KEY);
    assert_eq!(api.to_string(), "ApiKey(sk-***)");
    assert_clean(&format!("{api:?}"), None);
    let temporary = ApiKey::temporary("st-SECRET-temporary", UNIX_EPOCH);
    assert_eq!(temporary.to_string(), "ApiKey(st-***)");
    assert_clean(&format!("{temporary:?}"), None);
}

#[test]
fn signatures_and_signed_headers_stay_out_of_debug_output() {
    let signer = V3Signer::new(
        Arc::new(ManualTimer::at(UNIX_EPOCH)),
        Arc::new(FixedNonce("n".into())),
    );
    let mut request =
        http::Request::post("https://dianjin.cn-beijing.aliyuncs.com/w/api/recog/intent")
            .header("content-type", "application/json; charset=utf-8")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
    let signature = signer
        .sign(&mut request, &key(), "RecognizeIntention", "2024-06-28")
        .unwrap();
    let value = signature.signature.clone();
    assert_clean(&format!("{signature:?}"), Some(&value));
    assert_clean(&format!("{:?}", request.headers()), Some(&value));
    assert_clean(&format!("{signer:?}"), None);

    let mut request = http::Request::post("https://dashscope.aliyuncs.com/api/v1/x")
        .body(Bytes::new())
        .unwrap();
    apply_bearer(&mut request, &ApiKey::new(API_KEY)).unwrap();
    assert_clean(&format!("{:?}", request.headers()), None);
    assert_clean(&format!("{:?}", V1Signer::default()), None);
}

#[tokio::test]
async fn providers_environments_and_their_errors_never_print_secrets() {
    let env = MapEnvironment::new()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-visible-id")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
        .with_var("DASHSCOPE_API_KEY", API_KEY);
    assert_clean(&format!("{env:?}"), None);
    let provider = EnvProvider::new(Arc::new(env.clone()));
    assert_clean(&format!("{provider:?}"), None);
    assert_clean(&format!("{:?}", provider.access_key().await.unwrap()), None);

    let mock = MockTransport::new();
    // A service answering garbage that quotes the secrets back.
    mock.push(MockResponse::new(
        200,
        format!(
            "{{\"Credentials\": {{\"AccessKeySecret\": \"{SECRET}\", \"SecurityToken\": {TOKEN}}}}}"
        ),
    ));
    let assume = AssumeRoleProvider::new(context(&mock), Arc::new(key()), "acs:ram::1:role/r");
    assert_clean(&format!("{assume:?}"), None);
    let error = assume.access_key().await.unwrap_err();
    assert_clean(&error.to_string(), None);
    assert_clean(&format!("{error:?}"), None);

    mock.push(MockResponse::json(
        401,
        &serde_json::json!({"code": "InvalidApiKey", "message": "bad key", "request_id": "R"}),
    ));
    let tokens = TemporaryTokenProvider::new(context(&mock), Arc::new(ApiKey::new(API_KEY)));
    assert_clean(&format!("{tokens:?}"), None);
    let error = tokens.api_key().await.unwrap_err();
    assert_clean(&format!("{error} {error:?}"), None);
    // The token request itself carried the key: only as the Authorization header.
    let sent = mock.last_request().unwrap();
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert!(!sent.uri.to_string().contains(API_KEY));

    let chain = DefaultChain::with_environment(context(&mock), Arc::new(env), EnvNames::default());
    assert_clean(&format!("{chain:?} {:?}", context(&mock)), None);
}
