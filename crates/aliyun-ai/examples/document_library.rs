//! DianJin document libraries: create one, upload a local file into it (the
//! OpenPlatform upload authorization, then an OSS form upload streamed from
//! disk, then UploadDocument), list and parse its documents, rename one,
//! then delete the library.
//!
//! `cargo run -p aliyun-ai --example document_library [-- --live] [FILE]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::dianjin::{
    CreateLibraryRequest, DeleteLibraryRequest, GetDocumentListRequest, GetParseResultRequest,
    UpdateDocumentRequest,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live` (credentials and endpoints from the
    // environment, see the README); otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let dianjin = client.dianjin();
    let workspace = &support::dianjin_workspace();

    // The file to upload: the first argument that is not a flag, or a small
    // one written here.
    let given = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let path = match given {
        Some(path) => std::path::PathBuf::from(path),
        None => {
            let path = std::env::temp_dir().join("aliyun-ai-example-report.txt");
            std::fs::write(
                &path,
                "2024 年报：营业收入同比增长 12%，净利润 3.2 亿元。\n".repeat(200),
            )?;
            path
        }
    };

    let library = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id(workspace)
                .library_name("年报库")
                .description("上市公司年度报告")
                .build()?,
        )
        .await?
        .data
        .ok_or("CreateLibrary answered no id")?;
    println!("library {library} created");

    let document = dianjin
        .upload_document_from_file(workspace, &library, &path)
        .await?
        .data
        .ok_or("UploadDocument answered no id")?;
    println!("uploaded {} as document {document}", path.display());

    dianjin
        .update_document(
            UpdateDocumentRequest::builder()
                .workspace_id(workspace)
                .library_id(&library)
                .doc_id(&document)
                .title("2024 年报")
                .build()?,
        )
        .await?;
    let listed = dianjin
        .get_document_list(
            GetDocumentListRequest::builder()
                .workspace_id(workspace)
                .library_id(&library)
                .build()?,
        )
        .await?
        .data
        .unwrap_or_default();
    for record in listed.records.unwrap_or_default() {
        println!(
            "  {} {} ({})",
            record.doc_id.unwrap_or_default(),
            record.title.unwrap_or_default(),
            record.status_code.unwrap_or_default()
        );
    }
    let parsed = dianjin
        .get_parse_result(
            GetParseResultRequest::builder()
                .workspace_id(workspace)
                .library_id(&library)
                .doc_id(&document)
                .build()?,
        )
        .await?
        .data
        .unwrap_or_default();
    let result = parsed.result.unwrap_or_default();
    let first_line = result
        .get("text")
        .and_then(|t| t.as_str())
        .and_then(|t| t.lines().next())
        .unwrap_or_default();
    println!(
        "parse status {}: {} bytes, first line: {first_line}",
        parsed.status.unwrap_or_default(),
        result
            .get("size")
            .map(ToString::to_string)
            .unwrap_or_default(),
    );

    dianjin
        .delete_library(
            DeleteLibraryRequest::builder()
                .workspace_id(workspace)
                .library_id(&library)
                .build()?,
        )
        .await?;
    println!("library {library} deleted");
    Ok(())
}
