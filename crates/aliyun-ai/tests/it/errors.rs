//! Every error family of `docs/vendor/apis.md` maps to the right error kind and
//! retry decision (one test each). Retries run on an injected clock.

use crate::common;

use aliyun_ai::ErrorKind;
use aliyun_ai::mock::{MockResponse, MockTransport};
use common::{client, fixture};
use serde_json::json;

async fn dianjin_call(mock: &MockTransport) -> aliyun_ai::Error {
    let (client, _) = client(mock);
    let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("llm-ws")
        .biz_type("attitude")
        .conversation("##客户##:嗯")
        .build()
        .unwrap();
    client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err()
}

async fn ccai_call(mock: &MockTransport) -> aliyun_ai::Error {
    let (client, _) = client(mock);
    let request = aliyun_ai::contactcenterai::GetTaskResultRequest::builder()
        .task_id("t-1")
        .build()
        .unwrap();
    client
        .contact_center_ai()
        .get_task_result(request)
        .await
        .unwrap_err()
}

async fn customer_profile_call(mock: &MockTransport) -> aliyun_ai::Error {
    let (client, _) = client(mock);
    client
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb-1"))
        .await
        .unwrap_err()
}

/// Queues `response` three times (the default policy's attempts).
fn repeated(response: MockResponse) -> MockTransport {
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push(response.clone());
    }
    mock
}

fn assert_family(
    error: &aliyun_ai::Error,
    status: u16,
    code: &str,
    throttling: bool,
    retryable: bool,
    attempts: u32,
) {
    assert_eq!(error.kind(), ErrorKind::Service, "{error}");
    assert_eq!(
        (error.status(), error.code()),
        (Some(status), Some(code)),
        "{error}"
    );
    assert_eq!(
        (error.is_throttling(), error.is_retryable()),
        (throttling, retryable),
        "{error}"
    );
    assert_eq!(error.attempts(), attempts, "{error}");
}

/// Each service's codes are its own (its doc tables' `## Errors`): a CCAI
/// throttling code is no throttling from DianJin, whose gateway throttles
/// with `Throttling.User`.
#[tokio::test]
async fn a_code_is_read_against_its_own_service() {
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        400,
        "CCAI.Throttling.Qps",
        "QPS",
    )))
    .await;
    assert_family(&error, 400, "CCAI.Throttling.Qps", false, false, 1);
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        400,
        "Throttling.User",
        "Request was denied due to user flow control.",
    )))
    .await;
    assert_family(&error, 400, "Throttling.User", true, true, 3);
}

#[tokio::test]
async fn ccai_throttling_qps_with_http_400_is_throttling_and_retried() {
    let mock = repeated(MockResponse::pop_error(
        400,
        "CCAI.Throttling.Qps",
        "Trigger current QPS limit",
    ));
    let error = ccai_call(&mock).await;
    assert_family(&error, 400, "CCAI.Throttling.Qps", true, true, 3);
    assert_eq!(error.request_id(), Some("mock-request-id"));
}

#[tokio::test]
async fn ccai_throttling_qpm_with_http_400_is_throttling_and_retried() {
    let error = ccai_call(&repeated(MockResponse::pop_error(
        400,
        "CCAI.Throttling.Qpm",
        "QPM",
    )))
    .await;
    assert_family(&error, 400, "CCAI.Throttling.Qpm", true, true, 3);
}

#[tokio::test]
async fn ccai_mixed_case_throttling_with_http_429_is_retried() {
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        429,
        "Ccai.Throttling.Qps",
        "QPS",
    )))
    .await;
    assert_family(&error, 429, "Ccai.Throttling.Qps", true, true, 3);
}

#[tokio::test]
async fn ccai_invalid_parameter_is_not_retried() {
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        400,
        "CCAI.InvalidParam.NotExist",
        "The specified parameter x is not valid.",
    )))
    .await;
    assert_family(&error, 400, "CCAI.InvalidParam.NotExist", false, false, 1);
    assert_eq!(
        error.message(),
        Some("The specified parameter x is not valid.")
    );
}

#[tokio::test]
async fn ccai_illegal_param_value_is_not_retried() {
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        400,
        "CCAI.ParamInvalid.IllegalParamValue",
        "illegal",
    )))
    .await;
    assert_family(
        &error,
        400,
        "CCAI.ParamInvalid.IllegalParamValue",
        false,
        false,
        1,
    );
}

#[tokio::test]
async fn ccai_permission_and_missing_parameter_403s_are_not_retried() {
    for code in [
        "CCAI.TenantPermission.NoAuth",
        "CCAI.ParamNotfound.MissParam",
        "CCAI.IllegalPermission.NoAuth",
    ] {
        let error = dianjin_call(&repeated(MockResponse::pop_error(403, code, "no"))).await;
        assert_family(&error, 403, code, false, false, 1);
    }
}

#[tokio::test]
async fn an_internal_error_500_of_a_non_idempotent_call_is_reported_once_and_retryable() {
    // RecognizeIntention is a POST (not idempotent): a 500 does not prove
    // it was not processed, so the caller decides (`is_retryable()`).
    let error = dianjin_call(&repeated(MockResponse::pop_error(
        500,
        "CCAI.InternalError",
        "unknown error",
    )))
    .await;
    assert_family(&error, 500, "CCAI.InternalError", false, true, 1);
}

#[tokio::test]
async fn dianjin_success_false_with_http_200_is_a_service_error() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &json!({"success": false, "errCode": "DJ.Intent.Failed", "message": "intent failed", "requestId": "R-dj"})));
    let error = dianjin_call(&mock).await;
    assert_family(&error, 200, "DJ.Intent.Failed", false, false, 1);
    assert_eq!(error.request_id(), Some("R-dj"));
}

#[tokio::test]
async fn retailbot_throttling_api_429_and_internal_error_500() {
    let (client, _) = client(&repeated(MockResponse::pop_error(
        429,
        "Throttling.Api",
        "The request was denied due to API flow control.",
    )));
    let request: aliyun_ai::retailbot::RecognizeMessageRequest = serde_json::from_value(
        common::fixture_json("retailbot/RecognizeMessage/request.json")["body"].clone(),
    )
    .unwrap();
    let error = client
        .retail_bot()
        .recognize_message(request.clone())
        .await
        .unwrap_err();
    assert_family(&error, 429, "Throttling.Api", true, true, 3);
    let (client, _) = common::client(&repeated(MockResponse::pop_error(
        500,
        "InternalError",
        "internal",
    )));
    let error = client
        .retail_bot()
        .recognize_message(request)
        .await
        .unwrap_err();
    // Not idempotent: reported once, still retryable at the caller's choice.
    assert_family(&error, 500, "InternalError", false, true, 1);
}

#[tokio::test]
async fn pop_xml_error_bodies_are_read_too() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>R-xml</RequestId><HostId>h</HostId><Code>Throttling.User</Code><Message>Request was denied due to user flow control.</Message></Error>";
    let error = dianjin_call(&repeated(
        MockResponse::new(400, xml).header("content-type", "text/xml"),
    ))
    .await;
    assert_family(&error, 400, "Throttling.User", true, true, 3);
    assert_eq!(error.request_id(), Some("R-xml"));
}

fn dashscope_error(status: u16, code: &str) -> MockResponse {
    MockResponse::json(
        status,
        &json!({"code": code, "message": format!("{code} message"), "request_id": "R-ds"}),
    )
}

#[tokio::test]
async fn dashscope_invalid_api_key_401_is_not_retried() {
    let error = customer_profile_call(&repeated(dashscope_error(401, "InvalidApiKey"))).await;
    assert_family(&error, 401, "InvalidApiKey", false, false, 1);
    assert_eq!(error.request_id(), Some("R-ds"));
}

#[tokio::test]
async fn dashscope_access_denied_403_is_not_retried() {
    let error = customer_profile_call(&repeated(dashscope_error(403, "AccessDenied"))).await;
    assert_family(&error, 403, "AccessDenied", false, false, 1);
}

#[tokio::test]
async fn dashscope_bad_requests_are_not_retried() {
    for code in [
        "InvalidParameter",
        "BadRequest.EmptyInput",
        "BadRequest.EmptyParameters",
        "BadRequest.EmptyModel",
        "DataInspectionFailed",
    ] {
        let error = customer_profile_call(&repeated(dashscope_error(400, code))).await;
        assert_family(&error, 400, code, false, false, 1);
    }
}

#[tokio::test]
async fn dashscope_arrearage_is_permanent() {
    let error = customer_profile_call(&repeated(dashscope_error(400, "Arrearage"))).await;
    assert_family(&error, 400, "Arrearage", false, false, 1);
}

#[tokio::test]
async fn dashscope_rate_throttling_429_is_retried() {
    for code in ["Throttling", "Throttling.RateQuota"] {
        let error = customer_profile_call(&repeated(dashscope_error(429, code))).await;
        assert_family(&error, 429, code, true, true, 3);
    }
}

#[tokio::test]
async fn dashscope_allocation_quota_429_is_permanent() {
    let error = customer_profile_call(&repeated(dashscope_error(
        429,
        "Throttling.AllocationQuota",
    )))
    .await;
    assert_family(&error, 429, "Throttling.AllocationQuota", false, false, 1);
}

#[tokio::test]
async fn dashscope_internal_error_500_is_retried() {
    let error = customer_profile_call(&repeated(dashscope_error(500, "InternalError"))).await;
    assert_family(&error, 500, "InternalError", false, true, 3);
}

#[tokio::test]
async fn dashscope_task_failure_is_a_service_error_with_its_code() {
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &json!({"output": {"status": "2", "errorCode": "TSC.FileError", "errorMessage": "File cannot be read."}, "request_id": "R-t"})));
    let error = customer_profile_call(&mock).await;
    assert_family(&error, 200, "TSC.FileError", false, false, 1);
    assert_eq!(error.message(), Some("File cannot be read."));
}

#[tokio::test]
async fn throttling_then_success_is_retried_to_success() {
    let mock = MockTransport::new();
    mock.push(MockResponse::pop_error(
        400,
        "Throttling.User",
        "flow control",
    ))
    .push(MockResponse::new(
        200,
        fixture("dianjin/RecognizeIntention/seed-response.json"),
    ));
    /// Nonces `n-1`, `n-2`...: shows whether each attempt asks for a new one.
    struct CountingNonce(std::sync::atomic::AtomicU32);
    impl aliyun_ai::auth::sign::NonceSource for CountingNonce {
        fn nonce(&self) -> String {
            format!(
                "n-{}",
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
            )
        }
    }
    let timer = std::sync::Arc::new(aliyun_ai::time::ManualTimer::new());
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .access_key(aliyun_ai::AccessKey::new("LTAI-test-id", common::SECRET))
        .nonce_source(std::sync::Arc::new(CountingNonce(Default::default())))
        .retry_policy(aliyun_ai::RetryPolicy::default().with_timer(timer.clone()))
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("llm-ws")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    client.dianjin().recognize_intention(request).await.unwrap();
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(timer.sleeps().len(), 1);
    // Each attempt was signed anew: a fresh nonce, hence another signature.
    let nonces: Vec<&str> = sent
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").unwrap())
        .collect();
    assert_eq!(nonces, ["n-1", "n-2"]);
    assert_ne!(
        sent[0].header("authorization"),
        sent[1].header("authorization")
    );
}

#[tokio::test]
async fn transport_failures_are_transport_errors() {
    let mock = repeated(MockResponse::connect_refused());
    let error = dianjin_call(&mock).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_retryable() && !error.is_timeout());
    assert_eq!(error.attempts(), 3);
    let error = customer_profile_call(&repeated(MockResponse::timeout())).await;
    // getTask only reads: a timed-out attempt is retried.
    assert!(error.is_timeout());
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn undecodable_answers_keep_status_request_id_and_excerpt() {
    let mock = MockTransport::new();
    mock.push(
        MockResponse::new(200, "<html>gateway says hi</html>").header("x-acs-request-id", "R-html"),
    );
    let error = dianjin_call(&mock).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(
        (error.status(), error.request_id()),
        (Some(200), Some("R-html"))
    );
    assert_eq!(error.body_excerpt(), Some("<html>gateway says hi</html>"));
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_missing_required_field_is_reported_before_anything_is_sent() {
    let mock = MockTransport::new();
    let (client, _) = client(&mock);
    let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Build);
    assert!(
        error
            .to_string()
            .contains("`workspaceId` was set but is empty"),
        "{error}"
    );
    // Values that would change the path, or say nothing, are refused too
    // (issue 21 #3, #13): `..` would be resolved away by a URL normaliser.
    for (workspace, says) in [
        ("..", "must not be `.` or `..`"),
        (".", "must not be `.` or `..`"),
        (" ", "was set but is empty"),
    ] {
        let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
            .workspace_id(workspace)
            .biz_type("attitude")
            .conversation("c")
            .build()
            .unwrap();
        let error = client
            .dianjin()
            .recognize_intention(request)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Build, "{error}");
        assert!(error.to_string().contains(says), "{workspace:?}: {error}");
    }
    // A required text set to "" is said to be empty, not unset.
    let error = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid RecognizeIntention request: `conversation` was set but is empty"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn retailbot_without_an_endpoint_falls_back_like_the_vendor_sdks() {
    // The vendor publishes no endpoint; its SDKs fall back to
    // retailbot.aliyuncs.com (`docs/apis/retailbot/README.md`).
    let mock = MockTransport::new();
    mock.push(aliyun_ai::mock::MockResponse::json(
        200,
        &serde_json::json!({"Success": true, "Code": "200"}),
    ));
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .access_key(aliyun_ai::AccessKey::new("id", "secret"))
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let request: aliyun_ai::retailbot::RecognizeMessageRequest = serde_json::from_value(
        common::fixture_json("retailbot/RecognizeMessage/request.json")["body"].clone(),
    )
    .unwrap();
    client
        .retail_bot()
        .recognize_message(request)
        .await
        .unwrap();
    assert_eq!(
        mock.last_request()
            .unwrap()
            .uri
            .authority()
            .unwrap()
            .as_str(),
        "retailbot.aliyuncs.com"
    );
}

#[tokio::test]
async fn errors_never_print_credentials() {
    let mock = repeated(MockResponse::json(
        403,
        &json!({"Code": "Forbidden", "Message": "no", "SecurityToken": "echoed-token", "RequestId": "R"}),
    ));
    let error = dianjin_call(&mock).await;
    let text = format!("{error} {error:?} {}", error.body_excerpt().unwrap());
    for secret in [common::SECRET, common::API_KEY, "echoed-token"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[test]
fn client_and_config_debug_never_print_credentials() {
    let (client, _) = client(&MockTransport::new());
    let text = format!("{client:?} {:?}", client.config());
    assert!(
        text.contains("LTAI-test-id"),
        "the AccessKey id is shown: {text}"
    );
    for secret in [common::SECRET, common::API_KEY] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[tokio::test]
async fn missing_credentials_say_what_was_consulted() {
    // Built without the environment: the error must not suggest that an
    // environment variable would have been read.
    let mock = MockTransport::new();
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Build);
    let text = error.to_string();
    assert!(
        text.contains("built without reading the environment") && text.contains("Config::from_env"),
        "{text}"
    );
    let error = client
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb-1"))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("built without reading the environment"),
        "{error}"
    );
    assert!(mock.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn an_answer_one_byte_over_the_response_limit_is_too_large() {
    // A valid RecognizeIntention answer padded to the limit, then one byte more.
    let answer = br#"{"success":true,"data":{"intentionCodes":["a"]}}"#;
    let limit = 256;
    for (len, fits) in [(limit, true), (limit + 1, false)] {
        let mut body = answer.to_vec();
        body.resize(len, b' ');
        let mock = MockTransport::new();
        mock.push(MockResponse::new(200, body));
        let config = aliyun_ai::Config::builder()
            .transport(std::sync::Arc::new(mock.clone()))
            .access_key(aliyun_ai::AccessKey::new("LTAI", "secret"))
            .response_size_limit(limit)
            .build()
            .unwrap();
        let client = aliyun_ai::Client::new(config);
        let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
            .workspace_id("ws")
            .biz_type("attitude")
            .conversation("##客户##:嗯")
            .build()
            .unwrap();
        let outcome = client.dianjin().recognize_intention(request).await;
        if fits {
            outcome.expect("an answer at the limit is read");
        } else {
            let error = outcome.expect_err("one byte over");
            assert_eq!(error.kind(), ErrorKind::Transport);
            assert!(error.to_string().contains("limit of 256 bytes"), "{error}");
            assert!(!error.is_retryable());
            assert_eq!((error.attempts(), mock.requests().len()), (1, 1));
        }
    }
}

/// Hands out a new key on each request for one: `LTAI-1`, `LTAI-2`...
#[derive(Debug, Default)]
struct RotatingKeys(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl aliyun_ai::auth::AccessKeyProvider for RotatingKeys {
    async fn access_key(&self) -> Result<aliyun_ai::AccessKey, aliyun_ai::auth::CredentialsError> {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        Ok(aliyun_ai::AccessKey::new(format!("LTAI-{n}"), "secret"))
    }
}

#[tokio::test]
async fn a_retry_signs_with_the_credentials_current_at_its_attempt() {
    let mock = MockTransport::new();
    mock.push(MockResponse::status(429))
        .push(MockResponse::json(
            200,
            &json!({"success": true, "data": {"intentionCodes": ["a"]}}),
        ));
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .access_key_provider(std::sync::Arc::new(RotatingKeys::default()))
        .retry_policy(
            aliyun_ai::RetryPolicy::default()
                .with_timer(std::sync::Arc::new(aliyun_ai::time::ManualTimer::new())),
        )
        .build()
        .unwrap();
    let request = aliyun_ai::dianjin::RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("##客户##:嗯")
        .build()
        .unwrap();
    aliyun_ai::Client::new(config)
        .dianjin()
        .recognize_intention(request)
        .await
        .expect("retried to success");
    let keys: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_owned())
        .collect();
    assert!(keys[0].contains("Credential=LTAI-1,"), "{}", keys[0]);
    assert!(keys[1].contains("Credential=LTAI-2,"), "{}", keys[1]);
}
