//! Paginators against the emulator over real HTTP (issue 23): a document
//! library with more documents than a page, libraries, the lists the
//! emulator pages from its examples, and redemption records.

use aliyun_ai::dianjin::{
    CreateLibraryRequest, ExchangeEntitlementRequest, GetDocumentChunkListRequest,
    GetDocumentListRequest, GetHistoryListByBizTypeRequest, GetLibraryListRequest,
    QueryRedemptionRecordsRequest, UploadDocumentRequest,
};
use futures_util::StreamExt;

use crate::support::setup;

const WS: &str = "llm-workspace";

#[tokio::test]
async fn a_library_of_seven_documents_is_read_three_a_page() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let library = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id(WS)
                .library_name("年报")
                .description("上市公司年报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let mut uploaded = Vec::new();
    for n in 1..=7 {
        let answer = dianjin
            .upload_document(
                UploadDocumentRequest::builder()
                    .workspace_id(WS)
                    .library_id(&library)
                    .file_name(format!("report-{n}.pdf"))
                    .file_url(format!("https://example.com/report-{n}.pdf"))
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        uploaded.push(answer.data.unwrap());
    }
    let request = GetDocumentListRequest::builder()
        .workspace_id(WS)
        .library_id(&library)
        .build()
        .unwrap();
    let pages: Vec<_> = dianjin
        .get_document_list_paginator(request.clone())
        .page_size(3)
        .pages()
        .collect()
        .await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| {
            let data = p.as_ref().unwrap().data.as_ref().unwrap();
            data.records.as_ref().map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [3, 3, 1]);
    let ids: Vec<String> = dianjin
        .get_document_list_paginator(request)
        .page_size(3)
        .items()
        .map(|d| d.unwrap().doc_id.unwrap())
        .collect()
        .await;
    let mut expected = uploaded.clone();
    let mut seen = ids.clone();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected, "every document once");
}

#[tokio::test]
async fn libraries_chunks_and_history_are_walked_page_by_page() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    for n in 0..5 {
        dianjin
            .create_library(
                CreateLibraryRequest::builder()
                    .workspace_id(WS)
                    .library_name(format!("库{n}"))
                    .description("d")
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
    }
    let libraries: Vec<_> = dianjin
        .get_library_list_paginator(
            GetLibraryListRequest::builder()
                .workspace_id(WS)
                .build()
                .unwrap(),
        )
        .page_size(2)
        .items()
        .collect()
        .await;
    assert_eq!(libraries.len(), 5);

    let chunks: Vec<String> = dianjin
        .get_document_chunk_list_paginator(
            GetDocumentChunkListRequest::builder()
                .workspace_id(WS)
                .doc_id("doc-1")
                .library_id("lib-1")
                .build()
                .unwrap(),
        )
        .page_size(3)
        .items()
        .map(|c| c.unwrap().chunk_id.unwrap())
        .collect()
        .await;
    assert_eq!(chunks, ["1", "2", "3", "4", "5", "6", "7"]);

    let history = dianjin
        .get_history_list_by_biz_type_paginator(
            GetHistoryListByBizTypeRequest::builder()
                .workspace_id(WS)
                .biz_type("LibraryChat")
                .biz_id("lib-1")
                .build()
                .unwrap(),
        )
        .page_size(4)
        .pages()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(history.len(), 2);
}

#[tokio::test]
async fn redemption_records_are_paged_by_their_own_field_names() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    for n in 0..5 {
        dianjin
            .exchange_entitlement(
                ExchangeEntitlementRequest::builder()
                    .workspace_id(WS)
                    .tenant_id("10086")
                    .external_user_id("alice")
                    .request_id(format!("r-{n}"))
                    .template_id(7)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
    }
    let orders: Vec<String> = dianjin
        .query_redemption_records_paginator(
            QueryRedemptionRecordsRequest::builder()
                .workspace_id(WS)
                .tenant_id("10086")
                .build()
                .unwrap(),
        )
        .page_size(2)
        .items()
        .map(|r| r.unwrap().redemption_order_no.unwrap())
        .collect()
        .await;
    assert_eq!(
        orders,
        ["RO-0001", "RO-0002", "RO-0003", "RO-0004", "RO-0005"]
    );
}
