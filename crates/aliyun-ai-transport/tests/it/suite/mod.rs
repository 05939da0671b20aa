//! The tests every transport of this crate passes, against real HTTP
//! servers on loopback (wiremock, and a raw TCP server for the faults
//! wiremock cannot produce). Each transport's test file provides
//! `transport()` (short timeouts), `with_user_agent_suffix(suffix)` and
//! `with_proxies(proxies)`.

mod proxy;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::{HttpRequest, HttpTransport, TransportErrorKind, USER_AGENT, http};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn get(url: String) -> HttpRequest {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn success_sends_method_headers_body_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/a%2Fb/ccai"))
        .and(header("user-agent", USER_AGENT))
        .and(header("x-acs-action", "AnalyzeConversation"))
        .and(body_string("{\"stream\":false}"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-acs-request-id", "R1")
                .set_body_string("{\"ok\":true}"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let request = http::Request::post(format!("{}/a%2Fb/ccai", server.uri()))
        .header("x-acs-action", "AnalyzeConversation")
        .body(Bytes::from_static(b"{\"stream\":false}"))
        .unwrap();
    let response = super::transport().send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-acs-request-id"], "R1");
    assert_eq!(
        response.into_body().collect().await.unwrap(),
        "{\"ok\":true}"
    );
    assert!(USER_AGENT.starts_with("aliyun-ai/"));
}

#[tokio::test]
async fn user_agent_suffix_is_appended() {
    let server = MockServer::start().await;
    Mock::given(header(
        "user-agent",
        format!("{USER_AGENT} my-app/2.1").as_str(),
    ))
    .respond_with(ResponseTemplate::new(204))
    .expect(1)
    .mount(&server)
    .await;
    let transport = super::with_user_agent_suffix("my-app/2.1");
    assert_eq!(
        transport.send(get(server.uri())).await.unwrap().status(),
        204
    );
}

#[tokio::test]
async fn connect_failure_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = super::transport()
        .send(get(format!("http://{address}/")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    assert!(
        std::error::Error::source(&error).is_some(),
        "the source error is kept"
    );

    // Nothing in the error chain repeats the URL, whose query may carry signatures.
    let url = format!("http://{address}/?Signature=SECRET-SIG&SecurityToken=SECRET-TOKEN");
    let error = super::transport().send(get(url)).await.unwrap_err();
    let mut chain = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        chain.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!chain.contains("SECRET"), "{chain}");
}

#[tokio::test]
async fn slow_headers_are_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let error = super::transport()
        .send(get(server.uri()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn a_large_body_streams_in_chunks() {
    let server = MockServer::start().await;
    let body: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body.clone()))
        .mount(&server)
        .await;
    let response = super::transport().send(get(server.uri())).await.unwrap();
    let mut stream = response.into_body();
    let mut received = Vec::with_capacity(body.len());
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert!(chunks > 1, "8 MiB arrived in {chunks} chunk(s)");
    assert_eq!(received, body);
}

#[tokio::test]
async fn body_limit_is_enforced_while_reading() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 100_000]))
        .mount(&server)
        .await;
    let response = super::transport().send(get(server.uri())).await.unwrap();
    let error = response
        .into_body()
        .collect_limited(10_000)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::TooLarge);
    assert!(
        error
            .to_string()
            .contains("exceeds the limit of 10000 bytes"),
        "{error}"
    );
}

/// A TCP forwarder in front of `target` that counts the connections it accepts.
async fn counting_proxy(target: std::net::SocketAddr) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{address}"), count)
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("pong"))
        .mount(&server)
        .await;
    let (url, connections) = counting_proxy(*server.address()).await;
    let transport = super::transport();
    for _ in 0..200 {
        let response = transport.send(get(format!("{url}/ping"))).await.unwrap();
        assert_eq!(response.into_body().collect().await.unwrap(), "pong");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 200);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "200 sequential calls opened more than one connection"
    );
}

/// A server that sends `head` and part of a body, then stalls or hangs up.
async fn raw_server(response: &'static [u8], hang_up: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let _ = socket.write_all(response).await;
            if hang_up {
                drop(socket);
            } else {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    });
    format!("http://{address}/")
}

#[tokio::test]
async fn a_stalled_body_hits_the_idle_timeout() {
    let url = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\ndata: partial",
        false,
    )
    .await;
    let response = super::transport().send(get(url)).await.unwrap();
    let error = response.into_body().collect().await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_body_error() {
    let url = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\ndata: partial",
        true,
    )
    .await;
    let response = super::transport().send(get(url)).await.unwrap();
    let error = response.into_body().collect().await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Body, "{error}");
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_is_a_body_error() {
    // Sent, perhaps processed, then the connection closed: the retry policy
    // re-sends only idempotent operations, so the kind must say so.
    let url = raw_server(b"", true).await;
    let error = super::transport().send(get(url)).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Body, "{error}");
}

#[tokio::test]
async fn an_upload_streams_its_chunks_with_their_length() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(header("content-length", "10"))
        .and(body_string("0123456789"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let chunks = futures_util::stream::iter(
        ["012", "3456", "789"].map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
    );
    let request = http::Request::put(format!("{}/upload", server.uri()))
        .body(aliyun_ai_transport::UploadBody::new(chunks, 10))
        .unwrap();
    let response = super::transport().send_upload(request).await.unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn https_is_tls_and_a_server_without_it_is_a_connect_error() {
    // A plain-HTTP server behind an `https` URL: the TLS handshake fails, so
    // nothing was sent (the request never left in clear text).
    let url = raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", false)
        .await
        .replace("http://", "https://");
    let error = super::transport().send(get(url)).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
}

#[tokio::test]
async fn the_idle_timeout_counts_each_silence_not_the_whole_body() {
    // Four bytes 300 ms apart: 1.2 s in all, never 500 ms (the idle timeout)
    // without data. The deadline must restart with every chunk.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
                .await;
            for byte in b"abcd" {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let _ = socket.write_all(&[*byte]).await;
            }
        }
    });
    let response = super::transport()
        .send(get(format!("http://{address}/")))
        .await
        .unwrap();
    assert_eq!(response.into_body().collect().await.unwrap(), "abcd");
}

#[tokio::test]
async fn the_idle_timeout_never_caps_the_wait_for_the_headers() {
    // Request timeout 2 s, read-idle 300 ms, headers after 700 ms: the
    // answer is the caller's (the request timeout covers time to the
    // headers; read-idle only silences inside the body). Then a silence of
    // 700 ms inside the body is the idle timeout.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nab")
                .await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            let _ = socket.write_all(b"cd").await;
        }
    });
    let transport = super::with_timeouts(Duration::from_secs(2), Duration::from_millis(300));
    let response = transport
        .send(get(format!("http://{address}/")))
        .await
        .expect("headers within the request timeout");
    assert_eq!(response.status(), 200);
    let error = response.into_body().collect().await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains("idle"), "{error}");
}
