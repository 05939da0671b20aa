//! Paginators over the mock transport: where they stop (the last page, an
//! empty page, `totalPages` missing or 0, a service that ignores the page
//! number, an error), the page numbers and size they ask for, and items.

use crate::common;

use aliyun_ai::dianjin::GetLibraryListRequest;
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::{ErrorKind, StreamExt as _};
use common::client;
use serde_json::{Value, json};

/// A GetLibraryList answer: page `current` of `total` (when given) holding
/// libraries named by `names`.
fn page(current: Option<i64>, total: Option<i64>, names: &[&str]) -> MockResponse {
    let records: Vec<Value> = names
        .iter()
        .map(|n| json!({"id": n, "libraryName": n}))
        .collect();
    let mut data = json!({"records": records, "pageSize": 2});
    if let Some(current) = current {
        data["currentPage"] = json!(current);
    }
    if let Some(total) = total {
        data["totalPages"] = json!(total);
    }
    MockResponse::json(200, &json!({"success": true, "errCode": "0", "data": data}))
}

fn request() -> GetLibraryListRequest {
    GetLibraryListRequest::builder()
        .workspace_id("llm-workspace")
        .build()
        .unwrap()
}

/// The library ids the paginator's items stream yields, and the `page`
/// parameter of each request sent.
async fn walk(mock: &MockTransport) -> (Vec<String>, Vec<String>) {
    let (client, _timer) = client(mock);
    let items: Vec<_> = client
        .dianjin()
        .get_library_list_paginator(request())
        .page_size(2)
        .items()
        .collect()
        .await;
    let ids = items
        .into_iter()
        .map(|item| item.unwrap().id.unwrap())
        .collect();
    (ids, asked_pages(mock))
}

fn asked_pages(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            let query = r.uri.query().unwrap_or_default();
            assert!(query.contains("pageSize=2"), "{query}");
            query
                .split('&')
                .find_map(|p| p.strip_prefix("page="))
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn many_pages_are_read_in_order_until_the_last() {
    let mock = MockTransport::new();
    mock.push(page(Some(1), Some(3), &["a", "b"]))
        .push(page(Some(2), Some(3), &["c", "d"]))
        .push(page(Some(3), Some(3), &["e"]))
        .push(page(Some(4), Some(3), &["never"]));
    let (ids, pages) = walk(&mock).await;
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn one_page_is_one_call() {
    let mock = MockTransport::new();
    mock.push(page(Some(1), Some(1), &["a"]));
    let (ids, pages) = walk(&mock).await;
    assert_eq!(ids, ["a"]);
    assert_eq!(pages, ["1"]);
}

#[tokio::test]
async fn an_empty_first_page_yields_no_items_and_one_page() {
    let mock = MockTransport::new();
    mock.push(page(Some(1), Some(0), &[]));
    let (client, _timer) = client(&mock);
    let pages: Vec<_> = client
        .dianjin()
        .get_library_list_paginator(request())
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert!(pages[0].as_ref().unwrap().data.is_some());
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn total_pages_of_zero_ends_after_the_first_page() {
    let mock = MockTransport::new();
    mock.push(page(Some(1), Some(0), &["a"]))
        .push(page(Some(2), Some(0), &["never"]));
    let (ids, pages) = walk(&mock).await;
    assert_eq!(ids, ["a"]);
    assert_eq!(pages, ["1"]);
}

#[tokio::test]
async fn without_total_pages_the_pages_run_until_an_empty_one() {
    let mock = MockTransport::new();
    mock.push(page(None, None, &["a", "b"]))
        .push(page(None, None, &["c"]))
        .push(page(None, None, &[]))
        .push(page(None, None, &["never"]));
    let (ids, pages) = walk(&mock).await;
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn a_service_that_answers_the_same_page_again_ends_the_walk() {
    let mock = MockTransport::new();
    mock.push(page(Some(1), Some(9), &["a"]))
        .push(page(Some(1), Some(9), &["a"]))
        .push(page(Some(1), Some(9), &["a"]));
    let (ids, pages) = walk(&mock).await;
    assert_eq!(ids, ["a", "a"]);
    assert_eq!(pages, ["1", "2"]);
}

#[tokio::test]
async fn the_walk_starts_at_the_requests_page_and_an_error_ends_it() {
    let mock = MockTransport::new();
    mock.push(page(Some(3), Some(9), &["c"]))
        .push(MockResponse::json(
            200,
            &json!({"success": false, "errCode": "Boom", "message": "no more"}),
        ));
    let (client, _timer) = client(&mock);
    let mut request = request();
    request.page = Some(3);
    let items: Vec<_> = client
        .dianjin()
        .get_library_list_paginator(request)
        .page_size(2)
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id.as_deref(), Some("c"));
    let error = items[1].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.code(), Some("Boom"));
    assert_eq!(asked_pages(&mock), ["3", "4"]);
}
