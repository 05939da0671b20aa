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
