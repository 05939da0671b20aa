//! The 14 DianJin operations the vendor's current SDK adds beside the
//! metadata (issue 23), through the facade against the emulator over real
//! HTTP with real signatures: the media task pairs and their waiters, the
//! report tasks with a retry, the entitlements kept in state and paged, and
//! the pass-through answers kept whole.

use aliyun_ai::ErrorKind;
use aliyun_ai::dianjin::{
    CommercializeFetchRequest, CreateImageDetectionTaskRequest, CreateVideoCreationTaskRequest,
    DashscopeAsyncTaskFinishEventRequest, ExchangeEntitlementRequest, GetReportResponseRequest,
    GetUsageRequest, MediaFileInfo, QueryAmountRequest, QueryApiKeysRequest,
    QueryRedemptionRecordsRequest, ReportTask, RetryReportTaskRequest,
};
use serde_json::json;

use crate::support::{quick_wait, setup};

const WORKSPACE: &str = "llm-workspace";
const TENANT: &str = "10086";

fn image(file_name: &str) -> CreateImageDetectionTaskRequest {
    CreateImageDetectionTaskRequest::builder()
        .workspace_id(WORKSPACE)
        .request_id(format!("req-{file_name}"))
        .file_info(
            MediaFileInfo::builder()
                .file_id("file-01")
                .file_name(file_name)
                .build(),
        )
        .build()
        .unwrap()
}

fn video(detection_id: &str) -> CreateVideoCreationTaskRequest {
    CreateVideoCreationTaskRequest::builder()
        .workspace_id(WORKSPACE)
        .request_id("req-video")
        .image_detection_task_id(detection_id)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_image_passes_detection_and_becomes_a_video_both_waited_for() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let created = dianjin
        .create_image_detection_task(image("portrait.jpg"))
        .await
        .unwrap();
    let detection_id = created.data.unwrap().task_id.unwrap();
    let detection = dianjin
        .wait_for_image_detection(WORKSPACE, &detection_id, &quick_wait())
        .await
        .unwrap();
    let data = detection.data.unwrap();
    assert_eq!(data.task_status.as_deref(), Some("SUCCESS"));
    assert_eq!(data.detection_conclusion.as_deref(), Some("PASS"));
    assert_eq!(
        data.file_info.unwrap().file_name.as_deref(),
        Some("portrait.jpg")
    );

    let created = dianjin
        .create_video_creation_task(video(&detection_id))
        .await
        .unwrap();
    let video_id = created.data.unwrap().task_id.unwrap();
    let done = dianjin
        .wait_for_video_creation(WORKSPACE, &video_id, &quick_wait())
        .await
        .unwrap();
    let data = done.data.unwrap();
    assert_eq!(data.task_status.as_deref(), Some("SUCCESS"));
    let url = data.video_url.unwrap();
    assert!(url.expose().ends_with(&format!("{video_id}.mp4")), "{url}");
    assert_eq!(
        data.media_detection_task_result.unwrap().task_id.as_deref(),
        Some(detection_id.as_str())
    );
}

#[tokio::test]
async fn a_file_that_is_no_image_fails_its_detection_and_the_video_made_from_it() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let detection_id = dianjin
        .create_image_detection_task(image("report.pdf"))
        .await
        .unwrap()
        .data
        .unwrap()
        .task_id
        .unwrap();
    let error = dianjin
        .wait_for_image_detection(WORKSPACE, &detection_id, &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed, "{error}");
    assert_eq!(error.code(), Some("FAIL"));

    let video_id = dianjin
        .create_video_creation_task(video(&detection_id))
        .await
        .unwrap()
        .data
        .unwrap()
        .task_id
        .unwrap();
    let error = dianjin
        .wait_for_video_creation(WORKSPACE, &video_id, &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert!(error.to_string().contains("did not pass"), "{error}");

    // A detection that does not exist: a business failure with its code.
    let error = dianjin
        .create_video_creation_task(video("no-such-task"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service, "{error}");
    assert_eq!(error.code(), Some("ResourceNotFound"));
}

#[tokio::test]
async fn a_failed_report_is_retried_then_waited_for_and_its_report_read() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let good = ReportTask::new(WORKSPACE, "credit", "fund-a", "OUT-0001");
    let status = dianjin.wait_for_report(&good, &quick_wait()).await.unwrap();
    assert_eq!(status.task_status.as_deref(), Some("SUCCESS"));
    let report = dianjin
        .get_report_response(
            GetReportResponseRequest::builder()
                .workspace_id(WORKSPACE)
                .scene_code("credit")
                .fund_product("fund-a")
                .out_request_no("OUT-0001")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(
        report
            .report_url
            .unwrap()
            .expose()
            .ends_with("/OUT-0001.pdf")
    );

    let bad = ReportTask::new(WORKSPACE, "credit", "fund-a", "FAIL-0002");
    let error = dianjin
        .wait_for_report(&bad, &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert_eq!(error.code(), Some("REPORT_FAILED"));
    let retry = || {
        RetryReportTaskRequest::builder()
            .workspace_id(WORKSPACE)
            .scene_code("credit")
            .fund_product("fund-a")
            .out_request_no("FAIL-0002")
            .build()
            .unwrap()
    };
    let retried = dianjin.retry_report_task(retry()).await.unwrap();
    assert_eq!(retried.retry_available, Some(true));
    assert_eq!(retried.retry_count, Some(1));
    assert_eq!(retried.task_status.as_deref(), Some("PROCESSING"));
    let status = dianjin.wait_for_report(&bad, &quick_wait()).await.unwrap();
    assert_eq!(status.task_status.as_deref(), Some("SUCCESS"));
    // A task that did not fail is not retried.
    let again = dianjin.retry_report_task(retry()).await.unwrap();
    assert_eq!(again.retry_available, Some(false));
    assert_eq!(again.error_code.as_deref(), Some("RETRY_NOT_AVAILABLE"));
}

fn exchange(user: &str, request_id: &str) -> ExchangeEntitlementRequest {
    ExchangeEntitlementRequest::builder()
        .workspace_id(WORKSPACE)
        .tenant_id(TENANT)
        .external_user_id(user)
        .request_id(request_id)
        .template_id(7)
        .build()
        .unwrap()
}

#[tokio::test]
async fn entitlements_are_redeemed_once_per_request_then_paged_listed_and_counted() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let first = dianjin
        .exchange_entitlement(exchange("alice", "r-1"))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(first.reused, Some(false));
    // The API key is a secret: printed, it is hidden.
    let key = first.api_key.clone().unwrap();
    assert!(!format!("{first:?}").contains(key.expose()));
    // The same request again answers the same redemption.
    let again = dianjin
        .exchange_entitlement(exchange("alice", "r-1"))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(again.reused, Some(true));
    assert_eq!(again.redemption_order_no, first.redemption_order_no);
    for (user, id) in [("alice", "r-2"), ("alice", "r-3"), ("bob", "r-4")] {
        dianjin
            .exchange_entitlement(exchange(user, id))
            .await
            .unwrap();
    }

    let page = |page: i64| {
        QueryRedemptionRecordsRequest::builder()
            .workspace_id(WORKSPACE)
            .tenant_id(TENANT)
            .external_user_id("alice")
            .page(page)
            .page_size(2)
            .build()
            .unwrap()
    };
    let first_page = dianjin
        .query_redemption_records(page(1))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(first_page.total, Some(3));
    assert_eq!(first_page.total_pages, Some(2));
    assert_eq!(first_page.items.unwrap().len(), 2);
    let second_page = dianjin
        .query_redemption_records(page(2))
        .await
        .unwrap()
        .data
        .unwrap();
    let items = second_page.items.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].out_biz_no.as_deref(), Some("r-3"));

    let keys = dianjin
        .query_api_keys(
            QueryApiKeysRequest::builder()
                .workspace_id(WORKSPACE)
                .tenant_id(TENANT)
                .external_user_id("bob")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(keys.len(), 1);
    let usage = dianjin
        .get_usage(
            GetUsageRequest::builder()
                .workspace_id(WORKSPACE)
                .tenant_id(TENANT)
                .external_user_id("alice")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let entitlements = usage.entitlements.unwrap();
    assert_eq!(entitlements.len(), 3);
    assert_eq!(entitlements[0].quota_remaining, Some(1_000_000));
    // Another tenant holds nothing.
    let other = dianjin
        .query_redemption_records(
            QueryRedemptionRecordsRequest::builder()
                .workspace_id(WORKSPACE)
                .tenant_id("other")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(other.total, Some(0));
    assert_eq!(other.total_pages, Some(0));
}

#[tokio::test]
async fn pass_through_answers_are_kept_whole_and_the_event_body_is_wrapped() {
    let (_emulator, client) = setup().await;
    let dianjin = client.dianjin();
    let answer = dianjin
        .commercialize_fetch(
            CommercializeFetchRequest::builder()
                .workspace_id(WORKSPACE)
                .cjf_code("cjf")
                .zjf_code("zjf")
                .channel_id("channel")
                .data("payload")
                .product_id("product")
                .request_id("r-9")
                .secret_key("partner-key")
                .sign("signature")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.other["data"], json!({"amount": "12.50"}));
    assert_eq!(answer.other["success"], json!(true));

    let event = DashscopeAsyncTaskFinishEventRequest::builder()
        .workspace_id(WORKSPACE)
        .body([
            ("task_id", json!("ds-1")),
            ("task_status", json!("SUCCEEDED")),
        ])
        .build()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"body": {"task_id": "ds-1", "task_status": "SUCCEEDED"}})
    );
    let answer = dianjin
        .dashscope_async_task_finish_event(event)
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));

    let amount = dianjin
        .query_amount(
            QueryAmountRequest::builder()
                .workspace_id(WORKSPACE)
                .aliyun_uid_list(["1234567890"])
                .start_date("2026-01-01")
                .end_date("2026-01-31")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        amount.data.unwrap().total.unwrap().total_amount.as_deref(),
        Some("100.00")
    );
}
