//! DianJin: paging through a document library. Creates a library, adds a
//! dozen documents by URL, then reads the library five documents a page,
//! first page by page, then as one stream of documents; deletes the
//! library at the end.
//!
//! `cargo run -p aliyun-ai --example document_library_pages [-- --live]`
//!
//! Live, the dozen documents are `https://example.com/report-N.pdf`: give
//! the workspace's own URLs for a real test.

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;
use aliyun_ai::StreamExt as _;
use aliyun_ai::dianjin::{
    CreateLibraryRequest, DeleteLibraryRequest, GetDocumentListRequest, UploadDocumentRequest,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live`; otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let workspace = &support::dianjin_workspace();
    let dianjin = client.dianjin();
    let library = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id(workspace)
                .library_name("季度报告")
                .description("paged by the aliyun-ai example")
                .build()?,
        )
        .await?
        .data
        .ok_or("CreateLibrary answered no id")?;
    for n in 1..=12 {
        dianjin
            .upload_document(
                UploadDocumentRequest::builder()
                    .workspace_id(workspace)
                    .library_id(&library)
                    .file_name(format!("report-{n}.pdf"))
                    .file_url(format!("https://example.com/report-{n}.pdf"))
                    .build()?,
            )
            .await?;
    }
    let request = GetDocumentListRequest::builder()
        .workspace_id(workspace)
        .library_id(&library)
        .build()?;

    // Page by page: each page is one GetDocumentList call, with its retries.
    let mut pages = dianjin
        .get_document_list_paginator(request.clone())
        .page_size(5)
        .pages();
    while let Some(page) = pages.next().await {
        let data = page?.data.unwrap_or_default();
        println!(
            "page {} of {}: {} documents",
            data.current_page.unwrap_or_default(),
            data.total_pages.unwrap_or_default(),
            data.records.map_or(0, |r| r.len())
        );
    }

    // Or every document, the pages read as the stream is.
    let mut documents = dianjin
        .get_document_list_paginator(request)
        .page_size(5)
        .items();
    let mut count = 0;
    while let Some(document) = documents.next().await {
        let document = document?;
        count += 1;
        println!(
            "  {} {}",
            document.doc_id.unwrap_or_default(),
            document.title.unwrap_or_default()
        );
    }
    println!("{count} documents in library {library}");

    dianjin
        .delete_library(
            DeleteLibraryRequest::builder()
                .workspace_id(workspace)
                .library_id(&library)
                .build()?,
        )
        .await?;
    Ok(())
}
