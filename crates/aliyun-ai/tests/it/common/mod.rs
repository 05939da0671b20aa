//! Helpers for the facade's tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aliyun_ai::auth::sign::FixedNonce;
use aliyun_ai::auth::time::parse_iso8601;
use aliyun_ai::mock::{MockTransport, RecordedRequest};
use aliyun_ai::time::ManualTimer;
use aliyun_ai::{AccessKey, ApiKey, Client, Config, RetryPolicy};
use serde_json::{Value, json};

pub const SECRET: &str = "test-access-key-secret";
pub const API_KEY: &str = "sk-test-api-key";

pub fn fixture(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture_json(relative: &str) -> Value {
    serde_json::from_str(&fixture(relative)).unwrap()
}

/// A client over `mock`, with fixed clock and nonce, instant retries and task waits.
pub fn client(mock: &MockTransport) -> (Client, Arc<ManualTimer>) {
    // One time source: signature dates start at a fixed instant; retries and
    // task waits sleep instantly, moving it forward.
    let timer = Arc::new(ManualTimer::at(
        parse_iso8601("2025-11-21T08:00:00Z").unwrap(),
    ));
    let config = Config::builder()
        .transport(Arc::new(mock.clone()))
        .access_key(AccessKey::new("LTAI-test-id", SECRET))
        .api_key(ApiKey::new(API_KEY))
        .endpoint("retailbot", "retailbot.cn-shanghai.aliyuncs.com")
        .dashscope_workspace("ws-123")
        .nonce_source(Arc::new(FixedNonce(
            "0123456789abcdef0123456789abcdef".into(),
        )))
        .retry_policy(
            RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_secs(1)),
        )
        .time_source(timer.clone())
        .build()
        .unwrap();
    (Client::new(config), timer)
}

/// The captured request as JSON, with the nonce, date and signature redacted.
pub fn captured(request: &RecordedRequest) -> Value {
    let mut headers = serde_json::Map::new();
    let mut names: Vec<&str> = request.headers.keys().map(|k| k.as_str()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let value = request.header(name).unwrap_or("<binary>").to_owned();
        let value = match name {
            "x-acs-signature-nonce" => "[nonce]".to_owned(),
            "x-acs-date" => "[date]".to_owned(),
            "authorization" => match value.split_once(",Signature=") {
                Some((head, _)) => format!("{head},Signature=[signature]"),
                None if value.starts_with("Bearer ") => "Bearer [api key]".to_owned(),
                None => "[redacted]".to_owned(),
            },
            _ => value,
        };
        headers.insert(name.to_owned(), Value::String(value));
    }
    let query: Vec<Value> = request
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    let value = match name {
                        "Signature" => "[signature]",
                        "SignatureNonce" => "[nonce]",
                        "Timestamp" => "[date]",
                        _ => value,
                    };
                    json!([name, value])
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "method": request.method.as_str(),
        "host": request.uri.host(),
        "path": request.uri.path(),
        "query": query,
        "headers": headers,
        "body": request.body_text(),
    })
}

/// A Tingwu getTask request for a task id.
pub fn customer_profile_get_task(data_id: &str) -> aliyun_ai::customerprofile::GetTaskRequest {
    aliyun_ai::customerprofile::GetTaskRequest::builder()
        .input(aliyun_ai::customerprofile::get_task::Input::new(data_id))
        .build()
        .unwrap()
}
