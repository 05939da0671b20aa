//! The emulator as a server other test suites lean on: what a careless or
//! hostile client cannot make it do (issue 21 #6).

use std::time::Duration;

use aliyun_ai_emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads what the server sends until it closes or `within` passes: the
/// bytes, and whether it closed.
async fn read_for(stream: &mut TcpStream, within: Duration) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (out, true),
            Ok(Ok(n)) => out.extend_from_slice(&buffer[..n]),
            Err(_) => return (out, false),
        }
    }
}

#[tokio::test]
async fn a_declared_oversize_body_is_refused_at_once() {
    let emulator = Emulator::start().await.unwrap();
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    // 1 GiB declared, 10 bytes sent: the answer must not wait for the rest.
    stream
        .write_all(
            b"POST /llm-ws/api/recog/intent HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n{\"a\":\"b\"}",
        )
        .await
        .unwrap();
    let (answer, _) = read_for(&mut stream, Duration::from_secs(3)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("RequestTooLarge"), "{text}");
}

#[tokio::test]
async fn headers_sent_too_slowly_are_timed_out() {
    let emulator = Emulator::start_with(
        EmulatorConfig::default().with_header_read_timeout(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    stream
        .write_all(b"GET /llm-ws/api/library/list HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    // The rest of the headers never come: the connection is closed.
    let (_, closed) = read_for(&mut stream, Duration::from_secs(3)).await;
    assert!(closed, "a connection with unfinished headers was held open");
}

#[tokio::test]
async fn the_fault_header_is_honoured_only_when_enabled() {
    let request = b"GET /llm-ws/api/library/list HTTP/1.1\r\nhost: x\r\nx-emulator-fault: error:500:Injected\r\nconnection: close\r\n\r\n";
    for (enabled, injected) in [(false, false), (true, true)] {
        let emulator = Emulator::start_with(EmulatorConfig::default().with_fault_header(enabled))
            .await
            .unwrap();
        let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
        stream.write_all(request).await.unwrap();
        let (answer, _) = read_for(&mut stream, Duration::from_secs(3)).await;
        let text = String::from_utf8_lossy(&answer);
        // Unsigned: refused by the signature check unless the fault came first.
        assert_eq!(text.starts_with("HTTP/1.1 500"), injected, "{text}");
        assert_eq!(text.contains("Injected"), injected, "{text}");
    }
}

#[tokio::test]
async fn connections_past_the_limit_wait_until_one_closes() {
    let emulator = Emulator::start_with(
        EmulatorConfig::default()
            .with_max_connections(1)
            .with_header_read_timeout(Duration::from_secs(30)),
    )
    .await
    .unwrap();
    // The first connection takes the only slot and says nothing.
    let first = TcpStream::connect(emulator.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut second = TcpStream::connect(emulator.addr()).await.unwrap();
    second
        .write_all(b"GET /llm-ws/api/library/list HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_for(&mut second, Duration::from_millis(500)).await;
    assert!(answer.is_empty(), "served past the limit");
    assert_eq!(emulator.open_connections(), 1);
    drop(first);
    let (answer, _) = read_for(&mut second, Duration::from_secs(3)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 "), "never served: {text}");
}
