//! DianJin's upload from a local file, end to end on loopback: OpenPlatform
//! AuthorizeFileUpload, the OSS PostObject form (checked by the emulator:
//! policy, signature, key prefix), UploadDocument, then the document listed
//! and parsed with the uploaded bytes' size and digest.

use crate::support;

use std::io::Write as _;

use aliyun_ai::auth::sign::sha256_hex;
use aliyun_ai::dianjin::{CreateLibraryRequest, GetDocumentListRequest, GetParseResultRequest};

/// A file in the system's temporary directory, removed on drop.
pub struct TempFile(pub std::path::PathBuf);

impl TempFile {
    /// Writes `content` to a fresh file named `name`.
    pub fn with(name: &str, content: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("aliyun-ai-upload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(content)
            .unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        // The folder too, once its last file is gone (fails while not empty).
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[tokio::test]
async fn a_local_file_is_uploaded_listed_and_parsed() {
    let (_emulator, client) = support::setup().await;
    let dianjin = client.dianjin();
    let library = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id("llm-ws")
                .library_name("年报")
                .description("上市公司年报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    // Several chunks, and bytes that look like a boundary's start.
    let mut content = b"2024 annual report\r\n--not-a-boundary\r\n".to_vec();
    content.extend((0..300_000u32).flat_map(|i| i.to_le_bytes()));
    let file = TempFile::with("report \"2024\".pdf", &content);

    let uploaded = dianjin
        .upload_document_from_file("llm-ws", &library, &file.0)
        .await
        .unwrap();
    let document = uploaded.data.expect("a document id");

    let listed = dianjin
        .get_document_list(
            GetDocumentListRequest::builder()
                .workspace_id("llm-ws")
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .records
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].doc_id.as_deref(), Some(document.as_str()));
    assert_eq!(listed[0].title.as_deref(), Some("report \"2024\".pdf"));
    let url = listed[0].url.clone().unwrap();
    assert!(
        url.contains("/oss/emulator-bucket/dianjin/upload/"),
        "{url}"
    );

    let parsed = dianjin
        .get_parse_result(
            GetParseResultRequest::builder()
                .workspace_id("llm-ws")
                .library_id(&library)
                .doc_id(&document)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let result = parsed.result.unwrap();
    assert_eq!(result["size"], content.len() as u64);
    assert_eq!(result["sha256"], sha256_hex(&content));
    assert!(
        result["text"]
            .as_str()
            .unwrap()
            .starts_with("2024 annual report")
    );
}

#[tokio::test]
async fn a_missing_file_is_refused_before_anything_is_sent() {
    let (_emulator, client) = support::setup().await;
    let error = client
        .dianjin()
        .upload_document_from_file("llm-ws", "lib", "/no/such/file.pdf")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), aliyun_ai::ErrorKind::Build);
    assert!(error.to_string().contains("/no/such/file.pdf"), "{error}");
}

#[tokio::test]
async fn a_form_with_a_forged_signature_is_refused_by_the_bucket() {
    let (emulator, client) = support::setup().await;
    // A grant, then a form whose signature is not the granted one.
    let grant = client
        .execute(
            &aliyun_ai::openplatform::AuthorizeFileUploadRequest::builder()
                .product("DianJin")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let boundary = "b0undary";
    let field = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let body = [
        field("OSSAccessKeyId", grant.access_key_id.as_deref().unwrap()),
        field("policy", grant.encoded_policy.as_ref().unwrap().expose()),
        field("Signature", "forged"),
        field("key", &format!("{}/x.txt", grant.object_key.as_deref().unwrap())),
        field("success_action_status", "201"),
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nhello\r\n--{boundary}--\r\n"),
    ]
    .concat();
    let response = support::own_reqwest()
        .build()
        .unwrap()
        .post(format!("{}/oss/emulator-bucket", emulator.base_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("SignatureDoesNotMatch")
    );
}
