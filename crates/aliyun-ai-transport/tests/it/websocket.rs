//! `TungsteniteTransport` against WebSocket servers of the test's own on
//! loopback (tokio-tungstenite's server side, and raw TCP where a server
//! must misbehave), and `MockWebSocket`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai_transport::awap::{AwapLimits, AwapMessage};
use aliyun_ai_transport::mock::MockWebSocket;
use aliyun_ai_transport::websocket::{
    TungsteniteTransport, WebSocketError, WebSocketTransport, WsMessage,
};
use aliyun_ai_transport::{Proxies, TransportErrorKind, http};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::{self, handshake::server};

/// What a server saw of the upgrade: its headers.
type Seen = Arc<Mutex<Vec<http::HeaderMap>>>;

/// A WebSocket server on loopback that answers the `awap` sub-protocol and
/// echoes every text and binary message; on the text `big` it sends 2 KiB;
/// on `drop` it sends one message and drops the connection without a close
/// frame; on `close` it closes normally.
async fn echo_server() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let seen: Seen = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                // tungstenite's callback type returns its whole error response.
                #[allow(clippy::result_large_err)]
                let callback = |request: &server::Request, mut response: server::Response| {
                    record.lock().unwrap().push(request.headers().clone());
                    response.headers_mut().insert(
                        http::header::SEC_WEBSOCKET_PROTOCOL,
                        http::HeaderValue::from_static("awap"),
                    );
                    Ok(response)
                };
                let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await
                else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    match message {
                        tungstenite::Message::Text(text) if text.as_str() == "big" => {
                            let _ = socket
                                .send(tungstenite::Message::binary(vec![1u8; 2048]))
                                .await;
                        }
                        tungstenite::Message::Text(text) if text.as_str() == "drop" => {
                            let _ = socket.send(tungstenite::Message::text("last")).await;
                            return;
                        }
                        tungstenite::Message::Text(text) if text.as_str() == "close" => {
                            let _ = socket.close(None).await;
                        }
                        message @ (tungstenite::Message::Text(_)
                        | tungstenite::Message::Binary(_)) => {
                            let _ = socket.send(message).await;
                        }
                        _ => {}
                    }
                }
            });
        }
    });
    (address, seen)
}

/// A socket open to a fresh echo server.
async fn echo_socket() -> aliyun_ai_transport::websocket::WebSocketConnection {
    let (address, _) = echo_server().await;
    transport()
        .connect(upgrade(&format!("ws://{address}/ws")))
        .await
        .unwrap()
}

fn transport() -> TungsteniteTransport {
    TungsteniteTransport::builder()
        .proxies(Proxies::none())
        .connect_timeout(Duration::from_secs(2))
        .handshake_timeout(Duration::from_secs(2))
        .max_message_bytes(1024)
        .build()
        .unwrap()
}

fn upgrade(url: &str) -> http::Request<()> {
    http::Request::get(url)
        .header("sec-websocket-protocol", "awap")
        .header("x-acs-signature-nonce", "n-1")
        .body(())
        .unwrap()
}

#[tokio::test]
async fn a_session_sends_and_receives_text_and_binary_then_closes() {
    let (address, seen) = echo_server().await;
    let mut socket = transport()
        .connect(upgrade(&format!("ws://{address}/ws/dialog?x=1")))
        .await
        .unwrap();
    assert_eq!(socket.headers["sec-websocket-protocol"], "awap");
    let headers = seen.lock().unwrap()[0].clone();
    assert_eq!(headers["x-acs-signature-nonce"], "n-1");
    assert_eq!(headers["sec-websocket-protocol"], "awap");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("aliyun-ai/")
    );

    let start = AwapMessage::text("StartTranscription", "{}")
        .with_header("id", "605602b968863e4c162773a782d4daeb")
        .encode_text()
        .unwrap();
    socket
        .sender
        .send(WsMessage::Text(start.clone()))
        .await
        .unwrap();
    let audio = AwapMessage::binary("ProcessTranscription", vec![7u8; 640])
        .encode_binary()
        .unwrap();
    socket
        .sender
        .send(WsMessage::Binary(audio.clone().into()))
        .await
        .unwrap();
    assert_eq!(
        socket.receiver.next().await.unwrap().unwrap(),
        WsMessage::Text(start)
    );
    let Some(Ok(WsMessage::Binary(echoed))) = socket.receiver.next().await else {
        panic!("no binary echo");
    };
    let decoded = AwapMessage::decode_binary(&echoed, &AwapLimits::default()).unwrap();
    assert_eq!(decoded.kind(), "ProcessTranscription");

    socket
        .sender
        .send(WsMessage::Text("close".into()))
        .await
        .unwrap();
    assert!(matches!(
        socket.receiver.next().await,
        Some(Ok(WsMessage::Close(_)))
    ));
    assert!(
        socket.receiver.next().await.is_none(),
        "the stream ends after the close"
    );
}

#[tokio::test]
async fn a_refused_upgrade_keeps_its_status_headers_and_body() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 2048];
        let _ = stream.read(&mut head).await;
        let body = r#"{"Code":"InvalidAccessKeyId.NotFound","RequestId":"R-ws"}"#;
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nx-acs-request-id: R-ws\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    });
    let error = transport()
        .connect(upgrade(&format!("ws://{address}/ws")))
        .await
        .unwrap_err();
    let WebSocketError::Refused(response) = &error else {
        panic!("not a refusal: {error}");
    };
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["x-acs-request-id"], "R-ws");
    assert!(
        std::str::from_utf8(response.body())
            .unwrap()
            .contains("NotFound")
    );
    assert_eq!(
        error.to_string(),
        "the WebSocket upgrade was refused with HTTP 401"
    );
}

#[tokio::test]
async fn an_oversized_message_is_refused_either_way() {
    let mut socket = echo_socket().await;
    let error = socket
        .sender
        .send(WsMessage::Binary(vec![0u8; 1025].into()))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::TooLarge, "{error}");
    assert!(error.to_string().contains("1025 bytes"), "{error}");

    let mut socket = echo_socket().await;
    socket
        .sender
        .send(WsMessage::Text("big".into()))
        .await
        .unwrap();
    let error = socket.receiver.next().await.unwrap().unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::TooLarge, "{error}");
}

#[tokio::test]
async fn a_peer_gone_without_a_close_ends_the_stream_with_an_error_after_its_messages() {
    let mut socket = echo_socket().await;
    socket
        .sender
        .send(WsMessage::Text("drop".into()))
        .await
        .unwrap();
    assert_eq!(
        socket.receiver.next().await.unwrap().unwrap(),
        WsMessage::Text("last".into())
    );
    let error = socket.receiver.next().await.unwrap().unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Body, "{error}");
}

#[tokio::test]
async fn a_socket_through_a_proxy_goes_through_a_connect_tunnel() {
    let (echo, _) = echo_server().await;
    // A proxy that tunnels every CONNECT to the echo server, whatever host
    // it names, and records the request line.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = lines.clone();
    tokio::spawn(async move {
        let (mut client, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            if client.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        record
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&head).into_owned());
        let mut upstream = TcpStream::connect(echo).await.unwrap();
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .unwrap();
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    });
    let transport = TungsteniteTransport::builder()
        .proxies(Proxies::none().all(format!("http://user:pw@{proxy}")))
        .build()
        .unwrap();
    // The host exists nowhere: only the tunnel reaches a server.
    let mut socket = transport
        .connect(upgrade("ws://dialog.invalid/ws"))
        .await
        .unwrap();
    socket
        .sender
        .send(WsMessage::Text("hello".into()))
        .await
        .unwrap();
    assert_eq!(
        socket.receiver.next().await.unwrap().unwrap(),
        WsMessage::Text("hello".into())
    );
    let head = lines.lock().unwrap()[0].clone();
    assert!(
        head.starts_with("CONNECT dialog.invalid:80 HTTP/1.1\r\n"),
        "{head}"
    );
    // `user:pw` in base64.
    assert!(
        head.contains("Proxy-Authorization: Basic dXNlcjpwdw=="),
        "{head}"
    );
}

#[tokio::test]
async fn the_mock_scripts_the_peer_and_records_what_was_sent() {
    let mock = MockWebSocket::new();
    mock.push_message(WsMessage::Text("one".into()))
        .push_error(TransportErrorKind::Body, "the peer went away");
    let mut socket = mock
        .connect(upgrade("wss://dianjin.example/ws"))
        .await
        .unwrap();
    assert_eq!(socket.headers["sec-websocket-protocol"], "awap");
    socket
        .sender
        .send(WsMessage::Text("hi".into()))
        .await
        .unwrap();
    assert_eq!(
        socket.receiver.next().await.unwrap().unwrap(),
        WsMessage::Text("one".into())
    );
    let error = socket.receiver.next().await.unwrap().unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Body);
    assert!(socket.receiver.next().await.is_none());
    assert_eq!(mock.sent(), vec![WsMessage::Text("hi".into())]);
    assert_eq!(mock.requests()[0].headers["x-acs-signature-nonce"], "n-1");

    let shown = format!("{mock:?}");
    assert!(
        !shown.contains("n-1") && shown.contains("requests: 1"),
        "{shown}"
    );

    mock.refuse(403, r#"{"Code":"Forbidden"}"#);
    let error = mock
        .connect(upgrade("wss://dianjin.example/ws"))
        .await
        .unwrap_err();
    assert!(matches!(error, WebSocketError::Refused(response) if response.status() == 403));
}
