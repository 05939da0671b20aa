//! Every byte the providers read from disk or a credentials endpoint is
//! bounded: each limit + 1 byte is refused with an error naming the limit,
//! and the limit itself is accepted.

use crate::common;

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aliyun_ai_auth::bounded::{CREDENTIALS_FILE_LIMIT, ENDPOINT_BODY_LIMIT, TOKEN_FILE_LIMIT};
use aliyun_ai_auth::env::MapEnvironment;
use aliyun_ai_auth::provider::{
    CliConfigProvider, CredentialsFileProvider, EcsRoleProvider, EnvApiKeyProvider, EnvNames,
    OidcProvider,
};
use aliyun_ai_auth::sign::FixedNonce;
use aliyun_ai_auth::{AccessKeyProvider, ApiKeyProvider, CredentialsError, HttpContext};
use aliyun_ai_transport::RetryPolicy;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};
use common::{TempDir, TestClock};

fn context(mock: &MockTransport) -> HttpContext {
    let clock = Arc::new(TestClock::at(
        UNIX_EPOCH + Duration::from_secs(1_763_700_000),
    ));
    HttpContext::new(Arc::new(mock.clone()))
        .with_retry(RetryPolicy::disabled())
        .with_time(clock)
        .with_nonces(Arc::new(FixedNonce("nonce".into())))
}

/// The error and its sources, as one line.
fn chain(error: &CredentialsError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Accepted at the limit (`ok`), refused over it with an error naming it.
#[track_caller]
fn assert_at_or_over<T>(outcome: &Result<T, CredentialsError>, ok: bool, limit: u64) {
    match outcome {
        Ok(_) => assert!(ok, "accepted over the limit of {limit} bytes"),
        Err(error) => {
            assert!(!ok, "{}", chain(error));
            assert!(
                chain(error).contains(&format!("limit of {limit} bytes")),
                "{}",
                chain(error)
            );
        }
    }
}

/// `len` bytes of text that start like a valid file of its kind and are
/// padded with spaces (ini, JSON and key files ignore trailing blanks).
fn padded(start: &str, len: u64) -> String {
    let mut text = start.to_owned();
    text.push_str(&" ".repeat(len as usize - start.len()));
    text
}

#[tokio::test]
async fn credentials_file_at_and_over_its_limit() {
    let dir = TempDir::new("limit-ini");
    let start = "[default]\naccess_key_id = LTAI-limit\naccess_key_secret = s\n";
    for (len, ok) in [
        (CREDENTIALS_FILE_LIMIT, true),
        (CREDENTIALS_FILE_LIMIT + 1, false),
    ] {
        let file = dir.write("credentials", &padded(start, len));
        let env = MapEnvironment::new()
            .with_var("ALIBABA_CLOUD_CREDENTIALS_FILE", file.to_str().unwrap());
        let outcome = CredentialsFileProvider::new(
            context(&MockTransport::new()),
            Arc::new(env),
            EnvNames::default(),
        )
        .access_key()
        .await;
        assert_at_or_over(&outcome, ok, CREDENTIALS_FILE_LIMIT);
        if let Ok(key) = outcome {
            assert_eq!(key.id(), "LTAI-limit");
        }
    }
}

#[tokio::test]
async fn cli_config_at_and_over_its_limit() {
    let dir = TempDir::new("limit-cli");
    let start = r#"{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"LTAI-cli","access_key_secret":"s"}]}"#;
    for (len, ok) in [
        (CREDENTIALS_FILE_LIMIT, true),
        (CREDENTIALS_FILE_LIMIT + 1, false),
    ] {
        let file = dir.write("config.json", &padded(start, len));
        let env =
            MapEnvironment::new().with_var("ALIBABA_CLOUD_CONFIG_FILE", file.to_str().unwrap());
        let outcome = CliConfigProvider::new(
            context(&MockTransport::new()),
            Arc::new(env),
            EnvNames::default(),
        )
        .access_key()
        .await;
        assert_at_or_over(&outcome, ok, CREDENTIALS_FILE_LIMIT);
    }
}

#[tokio::test]
async fn api_key_file_at_and_over_its_limit() {
    let dir = TempDir::new("limit-key");
    for (len, ok) in [(TOKEN_FILE_LIMIT, true), (TOKEN_FILE_LIMIT + 1, false)] {
        let file = dir.write("key", &padded("sk-limit", len));
        let env =
            MapEnvironment::new().with_var("DASHSCOPE_API_KEY_FILE_PATH", file.to_str().unwrap());
        let outcome = EnvApiKeyProvider::new(Arc::new(env)).api_key().await;
        assert_at_or_over(&outcome, ok, TOKEN_FILE_LIMIT);
    }
}

#[tokio::test]
async fn oidc_token_file_over_its_limit_is_refused_before_any_request() {
    let dir = TempDir::new("limit-oidc");
    let file = dir.write("token", &padded("eyJ", TOKEN_FILE_LIMIT + 1));
    let mock = MockTransport::new();
    let error = OidcProvider::new(context(&mock), "role", "provider", &file)
        .access_key()
        .await
        .unwrap_err();
    assert!(chain(&error).contains("limit of"), "{}", chain(&error));
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_metadata_answer_over_its_limit_is_refused() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_700_000);
    let expiration = aliyun_ai_auth::time::format_iso8601(now + Duration::from_secs(3600));
    let start = format!(
        r#"{{"Code":"Success","AccessKeyId":"STS.limit","AccessKeySecret":"s","SecurityToken":"t","Expiration":"{expiration}"}}"#
    );
    for (len, ok) in [
        (ENDPOINT_BODY_LIMIT, true),
        (ENDPOINT_BODY_LIMIT + 1, false),
    ] {
        let mock = MockTransport::new();
        mock.push(MockResponse::new(200, "token"))
            .push(MockResponse::new(200, padded(&start, len as u64)));
        let outcome = EcsRoleProvider::new(context(&mock))
            .with_endpoint("http://imds.test")
            .with_role_name("r")
            .access_key()
            .await;
        assert_at_or_over(&outcome, ok, ENDPOINT_BODY_LIMIT as u64);
    }
}
