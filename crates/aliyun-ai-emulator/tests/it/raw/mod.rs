//! Raw HTTP/1.1 over TCP for wire-fidelity tests: write exactly the bytes
//! given, read one response (framed by `Content-Length` or chunked transfer
//! encoding). Nothing in between may normalise the request.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use aliyun_ai::transport::bytes::Bytes;
use aliyun_ai::transport::http;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One response as read off the socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Lowercase names, values as sent.
    pub headers: Vec<(String, String)>,
    /// The body, with any chunked framing removed.
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The vendor error code of a POP error body.
    pub fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_owned()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Writes `bytes` to a new connection to `addr` and reads one response.
pub async fn send(addr: SocketAddr, bytes: &[u8]) -> RawResponse {
    tokio::time::timeout(Duration::from_secs(20), exchange(addr, bytes))
        .await
        .expect("the emulator answered within 20 s")
}

async fn exchange(addr: SocketAddr, bytes: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(bytes).await.expect("write the request");
    stream.flush().await.expect("flush");
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut chunk).await.expect("read");
        assert!(
            read > 0,
            "the connection closed before the response headers"
        );
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut rest = buffer[head_end + 4..].to_vec();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let body = if let Some(length) = get("content-length") {
        let length: usize = length.parse().expect("content-length");
        while rest.len() < length {
            let read = stream.read(&mut chunk).await.expect("read");
            assert!(read > 0, "the connection closed mid-body");
            rest.extend_from_slice(&chunk[..read]);
        }
        rest.truncate(length);
        rest
    } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            // A chunk: size line, data, CRLF; the last has size 0.
            let line_end = loop {
                if let Some(end) = find(&rest, b"\r\n") {
                    break end;
                }
                let read = stream.read(&mut chunk).await.expect("read");
                assert!(read > 0, "the connection closed mid-chunk");
                rest.extend_from_slice(&chunk[..read]);
            };
            let size_text = String::from_utf8_lossy(&rest[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
            rest.drain(..line_end + 2);
            while rest.len() < size + 2 {
                let read = stream.read(&mut chunk).await.expect("read");
                assert!(read > 0, "the connection closed mid-chunk");
                rest.extend_from_slice(&chunk[..read]);
            }
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest.drain(..size + 2);
        }
        body
    } else {
        stream.read_to_end(&mut rest).await.expect("read to end");
        rest
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

/// The value of header `name` (case-insensitive) in a raw request.
pub fn request_header(raw: &[u8], name: &str) -> Option<String> {
    let head_end = find(raw, b"\r\n\r\n")?;
    String::from_utf8_lossy(&raw[..head_end])
        .split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
}

/// The raw request's body.
pub fn request_body(raw: &[u8]) -> &[u8] {
    find(raw, b"\r\n\r\n").map_or(&[], |end| &raw[end + 4..])
}

/// Replaces the first occurrence of `from` with `to` (same length, so that
/// `Content-Length` stays right) in the raw request; panics when absent.
pub fn replace_once(raw: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "same-length edits keep the framing");
    let at = find(raw, from)
        .unwrap_or_else(|| panic!("{:?} is not in the request", String::from_utf8_lossy(from)));
    let mut out = raw.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

/// Serialises a signed request as HTTP/1.1 bytes: the request target as its
/// URI says (or `target` when given), header names as `name_case` writes them.
pub fn serialize(
    request: &http::Request<Bytes>,
    target: Option<&str>,
    name_case: fn(&str) -> String,
) -> Vec<u8> {
    let target = target.map(str::to_owned).unwrap_or_else(|| {
        request
            .uri()
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned())
    });
    let mut out = format!("{} {target} HTTP/1.1\r\n", request.method()).into_bytes();
    for (name, value) in request.headers() {
        out.extend_from_slice(name_case(name.as_str()).as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", request.body().len()).as_bytes());
    out.extend_from_slice(request.body());
    out
}

/// Header names as given (lowercase, as `http` keeps them).
pub fn lowercase(name: &str) -> String {
    name.to_owned()
}

/// `X-Acs-Date`-style header names.
pub fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}
