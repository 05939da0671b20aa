//! DianJin's upload from a local file, as the vendor SDKs'
//! `upload_document_advance` does it: OpenPlatform `AuthorizeFileUpload`
//! grants an OSS PostObject policy, the file is posted to the granted bucket
//! as a `multipart/form-data` form, and `UploadDocument` is called with the
//! file's URL. The file is streamed from disk in 64 KiB chunks: memory stays
//! flat whatever its size.

use std::path::Path;

use aliyun_ai_auth::sign::sha256_hex;
use aliyun_ai_core::SecretText;
use aliyun_ai_models_dianjin::{UploadDocumentRequest, UploadDocumentResponse};
use aliyun_ai_models_openplatform::{AuthorizeFileUploadRequest, AuthorizeFileUploadResponse};
use aliyun_ai_transport::{UploadBody, UploadRequest};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use super::DianJin;
use crate::client::service_error;
use crate::error::Error;

/// The product code AuthorizeFileUpload is asked for.
const PRODUCT: &str = "DianJin";
/// DianJin's only region ([`docs/apis/dianjin/README.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/apis/dianjin/README.md)).
const REGION: &str = "cn-beijing";
/// How much of the file is read at a time.
const CHUNK: usize = 64 * 1024;

/// The PostObject grant, each field checked present.
struct Grant {
    access_key_id: String,
    bucket: String,
    endpoint: String,
    object_key: String,
    policy: String,
    signature: String,
    security_token: Option<String>,
    accelerate: bool,
}

impl Grant {
    fn from_answer(answer: AuthorizeFileUploadResponse) -> Result<Self, Error> {
        let need = |value: Option<String>, name: &str| {
            value.filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::build(format!(
                    "AuthorizeFileUpload answered without `{name}`: no upload is possible"
                ))
            })
        };
        Ok(Self {
            access_key_id: need(answer.access_key_id, "AccessKeyId")?,
            bucket: need(answer.bucket, "Bucket")?,
            endpoint: need(answer.endpoint, "Endpoint")?,
            object_key: need(answer.object_key, "ObjectKey")?,
            policy: need(
                answer.encoded_policy.map(SecretText::into_exposed),
                "EncodedPolicy",
            )?,
            signature: need(answer.signature.map(SecretText::into_exposed), "Signature")?,
            security_token: answer
                .security_token
                .map(SecretText::into_exposed)
                .filter(|t| !t.is_empty()),
            accelerate: answer.use_accelerate.unwrap_or(false),
        })
    }
}

/// The form around the file: everything before its bytes, and after.
fn form(grant: &Grant, key: &str, file_name: &str, boundary: &str) -> (Bytes, Bytes) {
    let mut head = String::new();
    let mut field = |name: &str, value: &str| {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    };
    field("OSSAccessKeyId", &grant.access_key_id);
    field("policy", &grant.policy);
    field("Signature", &grant.signature);
    if let Some(token) = &grant.security_token {
        field("x-oss-security-token", token);
    }
    field("key", key);
    field("success_action_status", "201");
    // A quote or line break would end the header early.
    let safe_name: String = file_name
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect();
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{safe_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    ));
    (
        Bytes::from(head),
        Bytes::from(format!("\r\n--{boundary}--\r\n")),
    )
}

impl DianJin<'_> {
    /// Uploads a local file into a document library and returns
    /// UploadDocument's answer (its `data` is the new document's id), as the
    /// vendor SDKs' `upload_document_advance` does:
    ///
    /// 1. OpenPlatform `AuthorizeFileUpload` (`Product=DianJin`) grants an
    ///    OSS PostObject policy for one object key;
    /// 2. the file is posted to the granted bucket as a form (`OSSAccessKeyId`,
    ///    `policy`, `Signature`, `key`, `success_action_status=201`, `file`),
    ///    streamed from disk: a file of any size keeps memory flat;
    /// 3. `UploadDocument` is called with the file's URL and name.
    ///
    /// The upload is not retried (a file is read once); the two API calls
    /// retry as any call does. A file that cannot be read is a
    /// [`ErrorKind::Build`](crate::ErrorKind::Build) error naming it; OSS
    /// refusing the form is a service error with OSS's code.
    pub async fn upload_document_from_file(
        self,
        workspace_id: impl Into<String>,
        library_id: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> Result<UploadDocumentResponse, Error> {
        let path = path.as_ref();
        let unreadable = |e: std::io::Error| {
            Error::build(format!("cannot read {}", path.display())).with_source(e)
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::build(format!("{} names no file", path.display())))?;
        let file = tokio::fs::File::open(path).await.map_err(unreadable)?;
        let length = file.metadata().await.map_err(unreadable)?.len();

        let authorize = AuthorizeFileUploadRequest::builder()
            .product(PRODUCT)
            .region_id(REGION)
            .build()?;
        let grant = Grant::from_answer(self.client.execute(&authorize).await?)?;
        let key = format!("{}/{file_name}", grant.object_key.trim_end_matches('/'));
        let (url, file_url) = match &self.client.config.oss_endpoint {
            Some(base) => {
                let base = base.base_url();
                (
                    format!("{base}/oss/{}", grant.bucket),
                    format!("{base}/oss/{}/{key}", grant.bucket),
                )
            }
            None => {
                let host = if grant.accelerate {
                    "oss-accelerate.aliyuncs.com"
                } else {
                    grant.endpoint.as_str()
                };
                let base = format!("https://{}.{host}", grant.bucket);
                (format!("{base}/"), format!("{base}/{key}"))
            }
        };
        let boundary = format!(
            "aliyun-ai-{}",
            &sha256_hex(format!("{key}:{length}").as_bytes())[..24]
        );
        let (head, tail) = form(&grant, &key, &file_name, &boundary);
        let total = head.len() as u64 + length + tail.len() as u64;
        let chunks = futures_util::stream::unfold((file, length), |(mut file, left)| async move {
            if left == 0 {
                return None;
            }
            let mut buffer = vec![0u8; CHUNK.min(left as usize)];
            match file.read(&mut buffer).await {
                Ok(0) => Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file shrank while it was uploaded",
                    )),
                    (file, 0),
                )),
                Ok(read) => {
                    buffer.truncate(read);
                    Some((Ok(Bytes::from(buffer)), (file, left - read as u64)))
                }
                Err(error) => Some((Err(error), (file, 0))),
            }
        });
        let body = futures_util::stream::once(async move { Ok(head) })
            .chain(chunks)
            .chain(futures_util::stream::once(async move { Ok(tail) }));
        let request: UploadRequest = http::Request::post(&url)
            .header(
                http::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(UploadBody::new(body, total))
            .map_err(|e| {
                Error::build(format!("the upload URL `{url}` is not valid")).with_source(e)
            })?;
        let response = self
            .client
            .config
            .transport
            .send_upload(request)
            .await
            .map_err(|e| Error::transport(e, 1))?;
        if !response.status().is_success() {
            return Err(service_error(response).await);
        }

        let upload = UploadDocumentRequest::builder()
            .workspace_id(workspace_id)
            .library_id(library_id)
            .file_name(file_name)
            .file_url(file_url)
            .build()?;
        self.upload_document(upload).await
    }
}
