//! Task helpers: CCAI create + wait, Tingwu create + wait + download, with
//! progress, deadlines and the result-URL rules. Waits run on an injected clock.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai::contactcenterai::get_task_result::{RequiredField, TaskStatus};
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::{ErrorKind, WaitPolicy};
use common::{client, fixture};
use serde_json::json;

fn ccai_status(status: &str) -> MockResponse {
    MockResponse::json(
        200,
        &json!({"data": {"taskId": "t-1", "taskStatus": status, "taskErrorMessage": "音频文件无法解析"}, "requestId": "R", "success": "True"}),
    )
}

#[tokio::test]
async fn ccai_wait_polls_with_backoff_and_reports_progress() {
    let mock = MockTransport::new();
    mock.push(ccai_status("QUEUE"))
        .push(ccai_status("QUEUE"))
        .push(MockResponse::new(
            200,
            fixture("contactcenterai/GetTaskResult/seed-response.json"),
        ));
    let (client, timer) = client(&mock);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let policy = WaitPolicy::default()
        .with_interval(Duration::from_secs(2), Duration::from_secs(3))
        .with_multiplier(2.0)
        .on_progress(move |p| log.lock().unwrap().push((p.polls, p.status.clone())));
    let answer = client
        .contact_center_ai()
        .wait_for_task("t-1", [RequiredField::AsrResult], &policy)
        .await
        .unwrap();
    assert_eq!(answer.data.unwrap().task_status, Some(TaskStatus::Finish));
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (1, "QUEUE".to_owned()),
            (2, "QUEUE".to_owned()),
            (3, "FINISH".to_owned())
        ]
    );
    assert_eq!(
        timer.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(3)]
    );
    assert!(mock.requests().iter().all(|r| {
        r.uri
            .query()
            .unwrap()
            .contains("requiredFieldList=asr_result")
    }));
}

#[tokio::test]
async fn ccai_task_error_is_a_typed_error_with_its_message() {
    let mock = MockTransport::new();
    mock.push(ccai_status("ERROR"));
    let (client, _) = client(&mock);
    let error = client
        .contact_center_ai()
        .wait_for_task("t-1", [], &WaitPolicy::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert_eq!(error.message(), Some("音频文件无法解析"));
    assert!(error.to_string().contains("task t-1 failed"));
}

#[tokio::test]
async fn ccai_wait_stops_at_the_deadline() {
    let mock = MockTransport::with_handler(|_| ccai_status("QUEUE"));
    let (client, _) = client(&mock);
    let policy = WaitPolicy::default()
        .with_interval(Duration::from_secs(5), Duration::from_secs(5))
        .with_timeout(Duration::from_secs(12));
    let error = client
        .contact_center_ai()
        .wait_for_task("t-1", [], &policy)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskTimeout);
    assert_eq!(mock.requests().len(), 3);
}

fn customer_profile_running() -> MockResponse {
    MockResponse::json(
        200,
        &json!({"output": {"status": "1"}, "usage": {}, "request_id": "R"}),
    )
}

fn customer_profile_done(base: &str, extraction_paths: serde_json::Value) -> MockResponse {
    MockResponse::json(
        200,
        &json!({"output": {
            "status": 0,
            "transcriptionPath": format!("{base}/transcription?Expires=4102444800&OSSAccessKeyId=k&Signature=s"),
            "customerProfilePath": format!("{base}/profile?Expires=4102444800&OSSAccessKeyId=k&Signature=s"),
            "identityRecognitionPath": format!("{base}/identity?Expires=4102444800&OSSAccessKeyId=k&Signature=s"),
            "contentExtractionsPath": extraction_paths,
        }, "usage": {}, "request_id": "R"}),
    )
}

fn storage(
    mock_base: &'static str,
) -> impl Fn(&aliyun_ai::mock::RecordedRequest) -> MockResponse + Send + Sync {
    move |request| {
        let path = request.uri.path();
        if request.uri.host() == Some("dashscope.aliyuncs.com") {
            return customer_profile_done(
                mock_base,
                json!([format!(
                    "{mock_base}/extractions?Expires=4102444800&Signature=s"
                )]),
            );
        }
        // The storage host never sees a credential.
        assert_eq!(
            request.header("authorization"),
            None,
            "credential sent to {path}"
        );
        assert!(
            request
                .headers
                .keys()
                .all(|k| !k.as_str().starts_with("x-acs-"))
        );
        match path {
            "/transcription" => {
                MockResponse::new(200, fixture("customerprofile/results/transcription.json"))
            }
            "/profile" => MockResponse::new(
                200,
                fixture("customerprofile/results/customer_profile.json"),
            ),
            "/identity" => MockResponse::new(
                200,
                fixture("customerprofile/results/identity_recognition.json"),
            ),
            "/extractions" | "/extractions-2" => MockResponse::new(
                200,
                fixture("customerprofile/results/content_extractions.json"),
            ),
            _ => MockResponse::status(404),
        }
    }
}

#[tokio::test]
async fn customer_profile_wait_then_download_the_four_results() {
    let mock = MockTransport::new();
    mock.push(customer_profile_running()).push(customer_profile_done(
        "https://bucket.oss-cn-hangzhou.aliyuncs.com",
        json!(
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/extractions?Expires=4102444800&Signature=s"
        ),
    ));
    let (client, _) = client(&mock);
    let polls = Arc::new(Mutex::new(0));
    let counter = polls.clone();
    let policy = WaitPolicy::default().on_progress(move |_| *counter.lock().unwrap() += 1);
    let output = client
        .customer_profile()
        .wait_for_task("wkb-1", &policy)
        .await
        .unwrap();
    assert_eq!(*polls.lock().unwrap(), 2);

    let storage_mock =
        MockTransport::with_handler(storage("https://bucket.oss-cn-hangzhou.aliyuncs.com"));
    let (client, _) = common::client(&storage_mock);
    let results = client
        .customer_profile()
        .download_results(&output)
        .await
        .unwrap();
    assert_eq!(results.transcription.unwrap().paragraphs.unwrap().len(), 1);
    assert_eq!(
        results.customer_profile.unwrap().customer_concerned,
        Some(4)
    );
    assert_eq!(
        results
            .identity_recognition
            .unwrap()
            .identity_results
            .unwrap()
            .len(),
        2
    );
    assert_eq!(results.content_extractions.len(), 1);
    assert_eq!(
        results.content_extractions[0][1].title.as_deref(),
        Some("用车成本")
    );
    assert_eq!(storage_mock.requests().len(), 4);
}

#[tokio::test]
async fn result_urls_must_be_https_unless_loopback() {
    let mock = MockTransport::with_handler(storage("http://storage.example.com"));
    let (client, _) = client(&mock);
    let output = client
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb"))
        .await
        .unwrap()
        .output
        .unwrap();
    let error = client
        .customer_profile()
        .download_results(&output)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Build);
    assert!(error.to_string().contains("must be https"), "{error}");
    assert!(
        !error.to_string().contains("Signature=s"),
        "the URL's signature is hidden: {error}"
    );
    assert_eq!(mock.requests().len(), 1, "nothing was fetched");

    let mock = MockTransport::with_handler(storage("http://127.0.0.1:9000"));
    let (client, _) = common::client(&mock);
    let output = client
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb"))
        .await
        .unwrap()
        .output
        .unwrap();
    assert!(
        client
            .customer_profile()
            .download_results(&output)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_expired_url_is_reported_as_such() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(403, "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message><RequestId>R</RequestId></Error>"));
    let (client, _) = client(&mock);
    let error = client
        .customer_profile()
        .fetch::<aliyun_ai::customerprofile::Transcription>(
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/t?Expires=1600000000&Signature=s",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ResultExpired);
}

#[tokio::test]
async fn result_files_above_the_size_limit_are_refused() {
    let client_over = |mock: &MockTransport| {
        let config = aliyun_ai::Config::builder()
            .transport(Arc::new(mock.clone()))
            .api_key(aliyun_ai::ApiKey::new("sk-x"))
            .result_size_limit(1024)
            .build()
            .unwrap();
        aliyun_ai::Client::new(config)
    };
    // The limit + 1 byte.
    let mock = MockTransport::with_handler(|_| MockResponse::new(200, vec![b' '; 1025]));
    let error = client_over(&mock)
        .customer_profile()
        .fetch::<aliyun_ai::customerprofile::Transcription>(
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/t",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(
        error
            .to_string()
            .contains("exceeds the limit of 1024 bytes"),
        "{error}"
    );
    // The same file would come again: a caller retrying on the flag stops.
    assert!(!error.is_retryable());
    assert_eq!(mock.requests().len(), 1, "not retried");

    // Exactly the limit is read (and decodes).
    let mut at_limit = b"{}".to_vec();
    at_limit.resize(1024, b' ');
    let mock = MockTransport::with_handler(move |_| MockResponse::new(200, at_limit.clone()));
    client_over(&mock)
        .customer_profile()
        .fetch::<aliyun_ai::customerprofile::Transcription>(
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/t",
        )
        .await
        .expect("a file of exactly the limit");
}

#[tokio::test]
async fn a_failed_customer_profile_task_is_task_failed_like_a_ccai_one() {
    // One polling helper, one meaning: the task's failure, carrying its code.
    let mock = MockTransport::new();
    mock.push(customer_profile_running())
        .push(MockResponse::json(
            200,
            &json!({"output": {"status": "2", "errorCode": "TSC.FileError",
                "errorMessage": "File cannot be read."}, "request_id": "R-2"}),
        ));
    let (client, _) = client(&mock);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let policy =
        WaitPolicy::default().on_progress(move |p| log.lock().unwrap().push(p.status.clone()));
    let error = client
        .customer_profile()
        .wait_for_task("wkb-1", &policy)
        .await
        .unwrap_err();
    assert_eq!(
        (
            error.kind(),
            error.code(),
            error.message(),
            error.request_id()
        ),
        (
            ErrorKind::TaskFailed,
            Some("TSC.FileError"),
            Some("File cannot be read."),
            Some("R-2")
        )
    );
    assert_eq!(
        *seen.lock().unwrap(),
        ["1", "TSC.FileError"],
        "the wire status, as CCAI reports QUEUE"
    );
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn several_extraction_urls_in_one_string_are_each_downloaded() {
    // "0 or more URLs" (issue 14 #17): comma-joined, or a JSON array in the string.
    let base = "https://bucket.oss-cn-hangzhou.aliyuncs.com";
    for paths in [
        json!(format!(
            "{base}/extractions?Expires=4102444800&Signature=s,{base}/extractions-2?Expires=4102444800&Signature=t"
        )),
        json!(format!(
            r#"["{base}/extractions?Expires=4102444800&Signature=s","{base}/extractions-2?Expires=4102444800&Signature=t"]"#
        )),
    ] {
        let mock = MockTransport::new();
        mock.push(customer_profile_done(base, paths));
        let (client, _) = client(&mock);
        let output = client
            .customer_profile()
            .wait_for_task("wkb-1", &WaitPolicy::default())
            .await
            .unwrap();
        let storage_mock = MockTransport::with_handler(storage(base));
        let (client, _) = common::client(&storage_mock);
        let results = client
            .customer_profile()
            .download_results(&output)
            .await
            .unwrap();
        assert_eq!(results.content_extractions.len(), 2);
        let fetched: Vec<String> = storage_mock
            .requests()
            .iter()
            .map(|r| r.uri.path().to_owned())
            .filter(|p| p.starts_with("/extractions"))
            .collect();
        assert_eq!(fetched.len(), 2, "{fetched:?}");
        assert!(fetched.contains(&"/extractions-2".to_owned()));
    }
}
