//! `MockTransport`: queues, handlers, recording and every fault.

use std::time::{Duration, Instant};

use aliyun_ai_transport::bytes::Bytes;
use aliyun_ai_transport::mock::{MockResponse, MockTransport};
use aliyun_ai_transport::{HttpRequest, HttpTransport, TransportErrorKind, http};
use futures_util::StreamExt;

fn post(path: &str, body: &'static str) -> HttpRequest {
    http::Request::post(format!("https://example.com{path}"))
        .header("authorization", "Bearer sk-test")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

#[tokio::test]
async fn answers_in_order_and_records_every_request() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &serde_json::json!({"n": 1})))
        .push(MockResponse::status(404));
    let first = mock.send(post("/one", "{\"a\":1}")).await.unwrap();
    assert_eq!(first.headers()["content-type"], "application/json");
    assert_eq!(first.into_body().collect().await.unwrap(), "{\"n\":1}");
    assert_eq!(mock.send(post("/two", "")).await.unwrap().status(), 404);
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].uri.path(), "/one");
    assert_eq!(requests[0].header("authorization"), Some("Bearer sk-test"));
    assert_eq!(requests[0].body_json().unwrap()["a"], 1);
    assert_eq!(mock.last_request().unwrap().method, http::Method::POST);
}

#[tokio::test]
async fn an_empty_queue_is_a_clear_error() {
    let error = MockTransport::new()
        .send(post("/nothing", ""))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no response queued for POST /nothing"),
        "{error}"
    );
}

#[tokio::test]
async fn a_handler_answers_from_the_request() {
    let mock = MockTransport::with_handler(|request| {
        if request.uri.path() == "/ok" {
            MockResponse::new(200, request.body.clone())
        } else {
            MockResponse::status(400)
        }
    });
    let echoed = mock
        .send(post("/ok", "echo"))
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap();
    assert_eq!(echoed, "echo");
    assert_eq!(mock.send(post("/bad", "")).await.unwrap().status(), 400);
}

#[tokio::test]
async fn faults_connect_refused_timeout_and_reset_mid_body() {
    let mock = MockTransport::new();
    mock.push(MockResponse::connect_refused())
        .push(MockResponse::timeout())
        .push(MockResponse::new(200, "0123456789").reset_after(4));
    assert_eq!(
        mock.send(post("/", "")).await.unwrap_err().kind(),
        TransportErrorKind::Connect
    );
    assert_eq!(
        mock.send(post("/", "")).await.unwrap_err().kind(),
        TransportErrorKind::Timeout
    );
    let mut body = mock.send(post("/", "")).await.unwrap().into_body();
    assert_eq!(body.next().await.unwrap().unwrap(), "0123");
    assert_eq!(
        body.next().await.unwrap().unwrap_err().kind(),
        TransportErrorKind::Body
    );
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn sse_bodies_arrive_in_chunks_with_delays() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::sse(["{\"text\":\"你好\"}", "{\"text\":\"你好,世界\"}"])
            .chunked(5)
            .with_chunk_delay(Duration::from_millis(5)),
    );
    let response = mock.send(post("/", "")).await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let started = Instant::now();
    let chunks: Vec<Bytes> = response.into_body().map(|c| c.unwrap()).collect().await;
    assert!(chunks.len() > 5 && chunks.iter().all(|c| c.len() <= 5));
    assert!(started.elapsed() >= Duration::from_millis(5 * chunks.len() as u64 - 5));
    let whole: Vec<u8> = chunks.concat();
    assert_eq!(
        String::from_utf8(whole).unwrap(),
        "data: {\"text\":\"你好\"}\n\ndata: {\"text\":\"你好,世界\"}\n\n"
    );
}
