//! How a call ends when the network misbehaves: a default whole-call
//! deadline, and errors that say which call failed, where, and why it was
//! retried (issue 21 #5, #9, #10).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aliyun_ai::dianjin::GetLibraryListRequest;
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::time::ManualTimer;
use aliyun_ai::{AccessKey, Client, Config, DEFAULT_CALL_TIMEOUT, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn list() -> GetLibraryListRequest {
    GetLibraryListRequest::builder()
        .workspace_id("llm-ws")
        .build()
        .unwrap()
}

fn key() -> AccessKey {
    AccessKey::new("LTAI-test-id", "test-secret")
}

#[test]
fn every_client_has_a_call_deadline_by_default() {
    let config = Config::builder().access_key(key()).build().unwrap();
    assert_eq!(config.call_timeout(), Some(DEFAULT_CALL_TIMEOUT));
    assert_eq!(DEFAULT_CALL_TIMEOUT, Duration::from_secs(120));
    let none = Config::builder()
        .access_key(key())
        .call_timeout(None)
        .build()
        .unwrap();
    assert_eq!(none.call_timeout(), None);
}

/// A server that answers the headers at once, then one body byte every
/// 50 ms: no idle timeout ever fires.
async fn trickling_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 8192];
                let _ = socket.read(&mut buffer).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_trickled_answer_ends_at_the_call_deadline_naming_the_call() {
    let base = trickling_server().await;
    let client = Client::new(
        Config::builder()
            .endpoint_for_all(&base)
            .access_key(key())
            .call_timeout(Some(Duration::from_millis(600)))
            .build()
            .unwrap(),
    );
    let started = Instant::now();
    let error = client.dianjin().get_library_list(list()).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "{error}");
    let text = error.to_string();
    assert!(
        text.starts_with("DianJin GetLibraryList to 127.0.0.1: "),
        "{text}"
    );
    assert!(
        !text.contains("llm-ws"),
        "no path or query in messages: {text}"
    );
    // Per call, through a derived client.
    let started = Instant::now();
    let error = client
        .with_call_timeout(Duration::from_millis(200))
        .dianjin()
        .get_library_list(list())
        .await
        .unwrap_err();
    assert!(error.is_timeout() && started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_connect_failure_names_the_call_once_and_why_it_was_retried() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::new(
        Config::builder()
            .endpoint_for_all(format!("http://{address}"))
            .access_key(key())
            .retry_policy(RetryPolicy::default().with_timer(Arc::new(ManualTimer::new())))
            .build()
            .unwrap(),
    );
    let error = client.dianjin().get_library_list(list()).await.unwrap_err();
    let text = error.to_string();
    assert_eq!(
        text,
        "DianJin GetLibraryList to 127.0.0.1: could not connect \
         (after 3 attempts; attempt 2 was retried on could not connect)"
    );
}

#[tokio::test]
async fn a_mock_without_an_answer_for_a_retry_says_so() {
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(400, "Throttling.User", "slow down"));
    let client = Client::new(
        Config::builder()
            .transport(Arc::new(mock.clone()))
            .access_key(key())
            .retry_policy(RetryPolicy::default().with_timer(Arc::new(ManualTimer::new())))
            .build()
            .unwrap(),
    );
    let error = client.dianjin().get_library_list(list()).await.unwrap_err();
    let text = error.to_string();
    for expected in [
        "request 2 it received",
        "RetryPolicy::disabled()",
        "attempt 1 was retried on HTTP 400 `Throttling.User`",
    ] {
        assert!(text.contains(expected), "`{expected}` missing: {text}");
    }
    // Without retries, the queued answer is the error the test meant.
    mock.push(MockResponse::pop_error(400, "Throttling.User", "slow down"));
    let error = client
        .with_retry_policy(RetryPolicy::disabled())
        .dianjin()
        .get_library_list(list())
        .await
        .unwrap_err();
    assert!(error.is_throttling(), "{error}");
}

#[test]
fn credentials_and_header_values_that_would_break_a_header_are_refused_at_build() {
    // Issue 21 #4 and #13: these passed `build()` and failed at call time as
    // "could not sign the request", or went out unescaped.
    let cases: [(&str, aliyun_ai::ConfigBuilder); 7] = [
        (
            "AccessKey id",
            Config::builder().access_key(AccessKey::new("", "s")),
        ),
        (
            "AccessKey id",
            Config::builder().access_key(AccessKey::new("  ", "s")),
        ),
        (
            "AccessKey id",
            Config::builder().access_key(AccessKey::new("id,SignedHeaders=host", "s")),
        ),
        (
            "AccessKey secret",
            Config::builder().access_key(AccessKey::new("id", "secret\r\n")),
        ),
        (
            "security token",
            Config::builder()
                .access_key(AccessKey::new("STS.id", "s").with_security_token("t\nx-evil: 1")),
        ),
        (
            "DashScope API key",
            Config::builder().api_key(aliyun_ai::ApiKey::new("sk-1\0")),
        ),
        (
            "DashScope workspace",
            Config::builder().dashscope_workspace(" "),
        ),
    ];
    // Base64 tokens keep their `=`, `+` and `/`.
    Config::builder()
        .access_key(
            AccessKey::new("STS.NUx9", "s").with_security_token("CAIS+Ab/9x0eQ1Y2h==".to_owned()),
        )
        .api_key(aliyun_ai::ApiKey::new("st-AbC/12+x=="))
        .build()
        .expect("valid base64 tokens");
    for (names, builder) in cases {
        let error = builder.build().unwrap_err();
        assert_eq!(error.kind(), aliyun_ai::ErrorKind::Build, "{error}");
        let text = error.to_string();
        assert!(text.contains(names), "{names}: {text}");
        assert!(
            !text.contains("secret\r") && !text.contains("sk-1"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_providers_malformed_key_is_a_credentials_error_before_sending() {
    #[derive(Debug)]
    struct Pasted;
    #[async_trait::async_trait]
    impl aliyun_ai::auth::AccessKeyProvider for Pasted {
        async fn access_key(&self) -> Result<AccessKey, aliyun_ai::auth::CredentialsError> {
            Ok(AccessKey::new("LTAI-id\n", "secret"))
        }
    }
    let mock = MockTransport::new();
    let client = Client::new(
        Config::builder()
            .transport(Arc::new(mock.clone()))
            .access_key_provider(Arc::new(Pasted))
            .build()
            .unwrap(),
    );
    let error = client.dianjin().get_library_list(list()).await.unwrap_err();
    assert_eq!(error.kind(), aliyun_ai::ErrorKind::Credentials, "{error}");
    assert!(error.to_string().contains("AccessKey id"), "{error}");
    assert!(mock.requests().is_empty());
}
