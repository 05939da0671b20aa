//! What the WebSocket sessions share (DianJin's real-time dialogue, Tingwu's
//! live meetings): the config's WebSocket transport, opening a socket with a
//! refused upgrade read as a service error, and the error of a session
//! that ended early.

use std::sync::Arc;

use aliyun_ai_transport::websocket::{WebSocketConnection, WebSocketError, WebSocketTransport};
use aliyun_ai_transport::{HttpBody, TransportError};

use crate::client::Client;
use crate::error::Error;

/// The config's WebSocket transport (built at the first session).
pub(crate) fn websocket_transport(client: &Client) -> Result<Arc<dyn WebSocketTransport>, Error> {
    client
        .config()
        .settings
        .websocket
        .as_ref()
        .ok_or_else(|| Error::build("this Config has no WebSocket transport"))?
        .transport()
}

/// Opens the socket `upgrade` describes. A refused upgrade (a wrong
/// signature, an unknown meeting) is a `Service` error with its status,
/// code and request id, like any call's.
pub(crate) async fn connect(
    transport: &dyn WebSocketTransport,
    upgrade: http::Request<()>,
) -> Result<WebSocketConnection, Error> {
    match transport.connect(upgrade).await {
        Ok(connection) => Ok(connection),
        Err(WebSocketError::Refused(response)) => {
            let (parts, body) = response.into_parts();
            let response = http::Response::from_parts(parts, HttpBody::from(body));
            Err(crate::client::service_error(response).await)
        }
        Err(WebSocketError::Transport(error)) => Err(Error::transport(error, 1)),
        Err(other) => Err(Error::transport(
            TransportError::other(other.to_string()),
            1,
        )),
    }
}

/// The session's socket failed, closed early or carried a malformed message:
/// a transport error of kind `Body` (after the events already delivered).
pub(crate) fn closed_error(message: &str) -> Error {
    Error::transport(TransportError::body(message), 1)
}
