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

/// Sends one GET on a new connection and keeps the connection: the stream
/// and a task reading the whole answer until the server closes it.
async fn get_in_flight(emulator: &Emulator) -> tokio::task::JoinHandle<(Vec<u8>, bool)> {
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    stream
        .write_all(b"GET /llm-ws/api/library/list HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::spawn(async move { read_for(&mut stream, Duration::from_secs(20)).await })
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish_then_refuses_connections() {
    let emulator = Emulator::start().await.unwrap();
    let addr = emulator.addr();
    emulator.inject(aliyun_ai_emulator::FaultRule::always(
        aliyun_ai_emulator::Fault::Delay(Duration::from_millis(400)),
    ));
    let in_flight = get_in_flight(&emulator).await;
    // An idle keep-alive connection must not hold the shutdown up.
    let _idle = TcpStream::connect(addr).await.unwrap();
    // Let the request reach its handler (and its delay) first.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let cut = tokio::time::timeout(
        Duration::from_secs(15),
        emulator.shutdown(Duration::from_secs(10)),
    )
    .await
    .expect("the shutdown waited past its grace");
    assert_eq!(cut, 0);
    let (answer, closed) = in_flight.await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    // Answered whole (an unsigned request: refused as such), then closed.
    assert!(text.starts_with("HTTP/1.1 "), "{text}");
    assert!(closed, "the connection stayed open after the answer");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "a connection was accepted after the shutdown"
    );
}

#[tokio::test]
async fn shutdown_cuts_what_outlives_the_grace_and_says_how_many() {
    let emulator = Emulator::start().await.unwrap();
    emulator.inject(aliyun_ai_emulator::FaultRule::always(
        aliyun_ai_emulator::Fault::Delay(Duration::from_secs(30)),
    ));
    let in_flight = get_in_flight(&emulator).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let cut = tokio::time::timeout(
        Duration::from_secs(15),
        emulator.shutdown(Duration::from_millis(200)),
    )
    .await
    .expect("the shutdown did not cut the busy connection");
    assert_eq!(cut, 1);
    let (answer, closed) = in_flight.await.unwrap();
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(closed);
}
