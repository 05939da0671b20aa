//! The emulated OSS bucket behind AuthorizeFileUpload: `POST /oss/<bucket>`
//! takes a PostObject form (`multipart/form-data`: `OSSAccessKeyId`,
//! `policy`, `Signature`, `key`, `success_action_status`, then `file`),
//! checks the policy and signature against the ones AuthorizeFileUpload
//! issued and the key against its prefix, and keeps the object's size,
//! SHA-256 and first bytes. The body is read as it arrives and never held
//! whole: a 1 GiB upload costs the emulator a few kilobytes.

use http::Response;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use sha2::{Digest, Sha256};

use crate::call::Inner;
use crate::responders::{Body, respond};
use crate::state::StoredObject;

/// How many bytes of an object the emulator keeps (for GetParseResult).
const HEAD: usize = 4096;
/// The largest form field other than `file`, and the largest part header.
const FIELD_LIMIT: usize = 64 * 1024;

fn oss_error(status: u16, code: &str, message: &str, request_id: &str) -> Response<Body> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n</Error>\n"
    );
    respond(status, "application/xml", xml, request_id)
}

/// Reads a multipart body part by part.
struct Multipart {
    body: Incoming,
    buffer: Vec<u8>,
    done: bool,
}

impl Multipart {
    /// Reads more of the body into the buffer; false at its end.
    async fn fill(&mut self) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        loop {
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffer.extend_from_slice(&data);
                        return Ok(true);
                    }
                }
                Some(Err(error)) => return Err(format!("the body broke: {error}")),
                None => {
                    self.done = true;
                    return Ok(false);
                }
            }
        }
    }

    /// Reads until `pattern` is in the buffer (at most `limit` bytes before
    /// it); returns what precedes it and drops both from the buffer.
    async fn until(&mut self, pattern: &[u8], limit: usize) -> Result<Vec<u8>, String> {
        loop {
            if let Some(at) = find(&self.buffer, pattern) {
                let head: Vec<u8> = self.buffer.drain(..at + pattern.len()).collect();
                return Ok(head[..at].to_vec());
            }
            if self.buffer.len() > limit + pattern.len() {
                return Err("a form part is too large".into());
            }
            if !self.fill().await? {
                return Err("the form ends early".into());
            }
        }
    }

    /// Streams the content up to `pattern` into `sink`, holding no more than
    /// a frame and the pattern's length.
    async fn stream_until(
        &mut self,
        pattern: &[u8],
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), String> {
        loop {
            if let Some(at) = find(&self.buffer, pattern) {
                sink(&self.buffer[..at]);
                self.buffer.drain(..at + pattern.len());
                return Ok(());
            }
            let keep = pattern.len().saturating_sub(1).min(self.buffer.len());
            let flush = self.buffer.len() - keep;
            sink(&self.buffer[..flush]);
            self.buffer.drain(..flush);
            if !self.fill().await? {
                return Err("the file part ends without its boundary".into());
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `name="..."` and `filename="..."` of a part's headers.
fn disposition(headers: &str, key: &str) -> Option<String> {
    let marker = format!("{key}=\"");
    let start = headers.find(&marker)? + marker.len();
    let end = headers[start..].find('"')? + start;
    Some(headers[start..end].to_owned())
}

pub async fn post_object(
    inner: &Inner,
    bucket: &str,
    content_type: &str,
    body: Incoming,
    request_id: &str,
) -> Response<Body> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
    else {
        return oss_error(
            400,
            "InvalidArgument",
            "not a multipart/form-data body",
            request_id,
        );
    };
    let mut form = Multipart {
        body,
        buffer: Vec::new(),
        done: false,
    };
    match read_form(inner, &boundary, &mut form).await {
        Ok((key, object)) => {
            let etag = format!("\"{}\"", &object.sha256[..32]);
            inner
                .state
                .with(|s| s.objects.insert(format!("{bucket}/{key}"), object));
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>\n  <Bucket>{bucket}</Bucket>\n  <Location>/oss/{bucket}/{key}</Location>\n  <Key>{key}</Key>\n  <ETag>{etag}</ETag>\n</PostResponse>\n"
            );
            respond(201, "application/xml", xml, request_id)
        }
        Err((status, code, message)) => oss_error(status, code, &message, request_id),
    }
}

type Refused = (u16, &'static str, String);

async fn read_form(
    inner: &Inner,
    boundary: &str,
    form: &mut Multipart,
) -> Result<(String, StoredObject), Refused> {
    let broken = |message: String| (400, "MalformedPOSTRequest", message);
    let first = format!("--{boundary}\r\n");
    let delimiter = format!("\r\n--{boundary}");
    let preamble = form
        .until(first.as_bytes(), FIELD_LIMIT)
        .await
        .map_err(broken)?;
    if !preamble.is_empty() {
        return Err(broken("text before the first boundary".into()));
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        let headers = form.until(b"\r\n\r\n", FIELD_LIMIT).await.map_err(broken)?;
        let headers = String::from_utf8_lossy(&headers).into_owned();
        let name =
            disposition(&headers, "name").ok_or_else(|| broken("a part without a name".into()))?;
        if name == "file" {
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            // OSS checks the form before it reads the file.
            let policy = field("policy");
            let grant = inner.state.with(|s| s.grants.get(&policy).cloned());
            let Some(grant) = grant else {
                return Err((
                    403,
                    "AccessDenied",
                    "the policy was not issued by AuthorizeFileUpload".into(),
                ));
            };
            if field("OSSAccessKeyId") != grant.access_key_id
                || field("Signature") != grant.signature
            {
                return Err((
                    403,
                    "SignatureDoesNotMatch",
                    "the signature of the policy does not match".into(),
                ));
            }
            let key = field("key");
            if !key.starts_with(&grant.key_prefix) || key.len() == grant.key_prefix.len() {
                return Err((
                    403,
                    "AccessDenied",
                    format!("key `{key}` is outside the policy's prefix"),
                ));
            }
            if field("success_action_status") != "201" {
                return Err(broken("success_action_status must be 201".into()));
            }
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut head = Vec::new();
            form.stream_until(delimiter.as_bytes(), |chunk| {
                hasher.update(chunk);
                size += chunk.len() as u64;
                if head.len() < HEAD {
                    let take = (HEAD - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
            })
            .await
            .map_err(broken)?;
            let sha256: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            return Ok((key, StoredObject { size, sha256, head }));
        }
        let value = form
            .until(delimiter.as_bytes(), FIELD_LIMIT)
            .await
            .map_err(broken)?;
        fields.push((name, String::from_utf8_lossy(&value).into_owned()));
        // After a delimiter: `\r\n` (another part) or `--` (the end).
        let next = form.until(b"\r\n", 2).await.map_err(broken)?;
        if next == b"--" {
            return Err(broken("the form has no `file` part".into()));
        }
    }
}
