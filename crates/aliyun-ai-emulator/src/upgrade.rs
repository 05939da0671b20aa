//! Switching a verified request to a WebSocket, for both kinds of session
//! (DianJin's real-time dialogue in `realtime`, Tingwu's live meetings in
//! `meeting`): the `101` answer, the socket handed to the session's task,
//! and the closes every session shares.

use std::future::Future;
use std::time::Duration;

use http::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};

use crate::call::Call;
use crate::responders::Body;

/// The largest message the emulator reads (a tenth of a second of 16 kHz
/// audio is 3,200 bytes).
pub(crate) const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// A session's socket.
pub(crate) type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// Whether the request asks for a WebSocket.
pub(crate) fn is_upgrade(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// The `101` answer to a verified upgrade; `session` runs on the socket once
/// the connection is switched. `protocol` is echoed when the client offers it.
pub(crate) fn switch<F, Fut>(
    call: &Call<'_>,
    on_upgrade: OnUpgrade,
    protocol: Option<&'static str>,
    session: F,
) -> Response<Body>
where
    F: FnOnce(Socket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let Some(key) = call.headers.get(http::header::SEC_WEBSOCKET_KEY) else {
        return call.error(
            400,
            "InvalidParameter",
            "a WebSocket upgrade needs Sec-WebSocket-Key",
        );
    };
    let accept_key = tungstenite::handshake::derive_accept_key(key.as_bytes());
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        session(socket).await;
    });
    let mut response = Response::builder()
        .status(101)
        .header(http::header::CONNECTION, "Upgrade")
        .header(http::header::UPGRADE, "websocket")
        .header(http::header::SEC_WEBSOCKET_ACCEPT, accept_key)
        .header("x-acs-request-id", &call.request_id);
    if let Some(protocol) = protocol {
        let offered = call
            .headers
            .get(http::header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|p| p.trim() == protocol));
        if offered {
            response = response.header(http::header::SEC_WEBSOCKET_PROTOCOL, protocol);
        }
    }
    response
        .body(crate::responders::empty())
        .unwrap_or_else(|_| call.error(500, "InternalError", "could not answer the upgrade"))
}

/// Closes with 1001 (going away): the emulator is shutting down.
pub(crate) async fn going_away<S>(socket: &mut WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code: CloseCode::Away,
        reason: "the emulator is shutting down".into(),
    };
    let _ = socket.close(Some(frame)).await;
}

/// Closes with 1009 (message too big) after an oversized frame, then reads
/// away what the client still sends (the rest of that frame) for a moment,
/// so the close frame is not lost to a reset.
pub(crate) async fn too_big<S>(mut socket: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::AsyncReadExt as _;
    let close = CloseFrame {
        code: CloseCode::Size,
        reason: format!("a message over {MAX_MESSAGE_BYTES} bytes").into(),
    };
    let _ = socket.close(Some(close)).await;
    let raw = socket.get_mut();
    let mut sink = [0u8; 16 * 1024];
    let drained = async { while matches!(raw.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drained).await;
}
