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

/// An empty body (the `101` of a WebSocket upgrade).
pub fn empty() -> Body {
    use http_body_util::BodyExt as _;
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed()
}

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
    raw(
        status,
        &[("content-type".to_owned(), content_type.to_owned())],
        body,
        request_id,
    )
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
    delay: std::time::Duration,
    request_id: &str,
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
    if let Ok(value) = request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}

/// Any answer, byte for byte (fault injection).
pub fn raw(
    status: u16,
    headers: &[(String, String)],
    body: impl Into<Bytes>,
    request_id: &str,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let map = response.headers_mut();
    if let Ok(value) = request_id.parse() {
        map.insert("x-acs-request-id", value);
    }
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    response
}

/// A 200 whose body is `prefix` then `bytes` filler bytes, generated as it
/// is sent (never held whole).
pub fn flood(
    content_type: &str,
    prefix: Vec<u8>,
    filler: u8,
    bytes: u64,
    request_id: &str,
) -> Response<Body> {
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    const CHUNK: usize = 64 * 1024;
    let block = Bytes::from(vec![filler; CHUNK]);
    let first = futures_util::stream::once(async move { Ok(Frame::data(Bytes::from(prefix))) });
    let rest = futures_util::stream::unfold(bytes, move |left| {
        let block = block.clone();
        async move {
            if left == 0 {
                return None;
            }
            let take = left.min(CHUNK as u64);
            // `take` is at most CHUNK, so the cast cannot truncate.
            Some((Ok(Frame::data(block.slice(..take as usize))), left - take))
        }
    });
    let stream = futures_util::StreamExt::chain(first, rest);
    let mut response = Response::new(StreamBody::new(stream).boxed());
    let headers = response.headers_mut();
    if let Ok(value) = content_type.parse() {
        headers.insert(http::header::CONTENT_TYPE, value);
    }
    if let Ok(value) = request_id.parse() {
        headers.insert("x-acs-request-id", value);
    }
    response
}

/// How [`cut_halfway`] ends a body.
#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// A connection reset.
    Reset,
    /// Silence, the connection held open for 10 s, then reset.
    Stall,
}

/// The answer with its headers and the first half of its body, then a
/// reset or silence. The whole body is read first (the emulator's answers
/// are small).
pub async fn cut_halfway(response: Response<Body>, cut: Cut) -> Response<Body> {
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    // The whole length is announced, so the client knows the body is short.
    parts.headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(bytes.len()),
    );
    let first = futures_util::stream::once(async move { Ok(Frame::data(half)) });
    let end = futures_util::stream::once(async move {
        // Let the headers and the half reach the client before the cut.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        match cut {
            Cut::Reset => Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "body cut halfway by fault injection",
            )),
            // Long past any sane idle timeout, yet bounded, so stalled
            // connections do not pile up in a long load run.
            Cut::Stall => {
                tokio::time::sleep(std::time::Duration::from_secs(10)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "body stalled by fault injection",
                ))
            }
        }
    });
    let stream = futures_util::StreamExt::chain(first, end);
    Response::from_parts(parts, StreamBody::new(stream).boxed())
}
