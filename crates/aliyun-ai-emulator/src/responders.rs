//! How the emulator answers: JSON, the error body of each service family
//! (POP, DashScope, object storage's XML), and a dropped connection.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

/// A response body: whole, or streamed (SSE).
pub type Body = BoxBody<Bytes, std::io::Error>;

/// The families of error bodies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Family {
    Pop,
    DashScope,
    Storage,
}

/// Dropping the connection: returned as the service's error so hyper closes it.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

pub fn respond(
    status: u16,
    content_type: &str,
    body: impl Into<Bytes>,
    request_id: &str,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(value) = content_type.parse() {
        headers.insert(http::header::CONTENT_TYPE, value);
    }
    if let Ok(value) = request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}

pub fn json_response(status: u16, body: &Value, request_id: &str) -> Response<Body> {
    respond(
        status,
        "application/json;charset=utf-8",
        body.to_string(),
        request_id,
    )
}

/// An error answer in the body format of the route's service.
pub fn error_response(
    family: Family,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
    host: &str,
    extra: &[(&str, String)],
) -> Response<Body> {
    match family {
        Family::Pop => {
            let mut body = json!({"RequestId": request_id, "HostId": host, "Code": code, "Message": message,
                "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=emulator")});
            for (key, value) in extra {
                body[*key] = json!(value);
            }
            json_response(status, &body, request_id)
        }
        Family::DashScope => json_response(
            status,
            &json!({"code": code, "message": message, "request_id": request_id}),
            request_id,
        ),
        Family::Storage => respond(
            status,
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n  <HostId>{host}</HostId>\n</Error>\n"
            ),
            request_id,
        ),
    }
}

/// A server-sent-events answer: one `data:` event per value, paced by the
/// configured event delay. With `truncate`, the stream breaks (a reset)
/// after that many events, before the last.
pub fn sse_response(
    call: &crate::server::Call<'_>,
    events: Vec<Value>,
    truncate: Option<usize>,
) -> Response<Body> {
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    let count = events.len();
    let mut frames: Vec<Result<Bytes, std::io::Error>> = events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            Ok(Bytes::from(format!(
                "id:{}\nevent:result\ndata:{event}\n\n",
                index + 1
            )))
        })
        .collect();
    if let Some(keep) = truncate {
        frames.truncate(keep.min(count.saturating_sub(1)));
        frames.push(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "stream truncated by fault injection",
        )));
    }
    let delay = call.inner.config.stream_event_delay;
    let stream = futures_util::stream::unfold(frames.into_iter(), move |mut frames| async move {
        let frame = frames.next()?;
        tokio::time::sleep(delay).await;
        Some((frame.map(Frame::data), frames))
    });
    let mut response = Response::new(StreamBody::new(stream).boxed());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream;charset=UTF-8"),
    );
    if let Ok(value) = call.request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}
