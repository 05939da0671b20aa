//! Every operation end to end through the mock transport: the request it
//! sends (snapshot, with nonce, date and signature redacted) and the decoding
//! of the doc's example response.

use crate::common;

use aliyun_ai::RpcSignature;
use aliyun_ai::auth::sign::{canonical_query_from_encoded, compute_v3, sha256_hex};
use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::get_task_result::{RequiredField, TaskStatus};
use aliyun_ai::contactcenterai::{
    AnalyzeConversationRequest, CreateTaskRequest, GetTaskResultRequest,
};
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
use aliyun_ai::customerprofile::CreateTaskRequest as CustomerProfileCreateTask;
use aliyun_ai::customerprofile::create_task::Input as CreateInput;
use aliyun_ai::dianjin::Intention;
use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::dianjin::recognize_intention::BizType;
use aliyun_ai::mock::{MockResponse, MockTransport, RecordedRequest};
use aliyun_ai::retailbot::RecognizeMessageRequest;
use aliyun_ai::retailbot::recognize_message::ContentType;
use common::{SECRET, captured, client, fixture, fixture_json};

/// Recomputes the V3 signature of a captured request with the test secret.
fn assert_v3_signature_verifies(request: &RecordedRequest) {
    let authorization = request.header("authorization").unwrap();
    let signed: Vec<&str> = authorization
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .split(';')
        .collect();
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .map(|name| (*name, request.header(name).unwrap()))
        .collect();
    assert_eq!(
        request.header("x-acs-content-sha256").unwrap(),
        sha256_hex(&request.body)
    );
    let expected = compute_v3(
        request.method.as_str(),
        request.uri.path(),
        &canonical_query_from_encoded(request.uri.query().unwrap_or("")),
        headers,
        &sha256_hex(&request.body),
        "LTAI-test-id",
        SECRET,
    );
    assert_eq!(authorization, expected.authorization);
}

fn analyze_request() -> AnalyzeConversationRequest {
    AnalyzeConversationRequest::builder()
        .workspace_id("llm-368/ws")
        .app_id("a070a49c")
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new(Role::User, "请问怎么申请新卡"),
                    Sentence::new(Role::Agent, "您好,可以在App首页申请"),
                ])
                .session_id("session-01")
                .build()
                .unwrap(),
        )
        .result_types([ResultType::Summary])
        .stream(false)
        .build()
        .unwrap()
}

#[tokio::test]
async fn analyze_conversation() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("contactcenterai/AnalyzeConversation/seed-response.json"),
    ));
    let (client, _) = client(&mock);
    let answer = client
        .contact_center_ai()
        .analyze_conversation(analyze_request())
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));
    assert_eq!(
        answer.request_id.as_deref(),
        Some("968A8634-FA2C-5381-9B3E-C552DED7E8BF")
    );
    let request = mock.last_request().unwrap();
    assert_v3_signature_verifies(&request);
    insta::assert_json_snapshot!(captured(&request));
}

#[tokio::test]
async fn create_task() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("contactcenterai/CreateTask/response.json"),
    ));
    let (client, _) = client(&mock);
    let request = CreateTaskRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .task_type(TaskType::Text)
        .model_code("tyxmTurbo")
        .result_types(["summary"])
        .build()
        .unwrap();
    let answer = client
        .contact_center_ai()
        .create_task(request)
        .await
        .unwrap();
    assert_eq!(
        answer.data.unwrap().task_id.as_deref(),
        Some("20240905-********-93E9-5D45-B4EF-045743A34071")
    );
    let request = mock.last_request().unwrap();
    assert_v3_signature_verifies(&request);
    insta::assert_json_snapshot!(captured(&request));
}

#[tokio::test]
async fn get_task_result() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("contactcenterai/GetTaskResult/seed-response.json"),
    ));
    let (client, _) = client(&mock);
    let answer = client
        .contact_center_ai()
        .get_task_result(
            GetTaskResultRequest::builder()
                .task_id("20240905-task")
                .required_field_list([RequiredField::AsrResult, RequiredField::Debug])
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.data.unwrap().task_status, Some(TaskStatus::Finish));
    let request = mock.last_request().unwrap();
    assert_eq!(
        request.uri.query(),
        Some("requiredFieldList=asr_result%2Cdebug&taskId=20240905-task")
    );
    assert_v3_signature_verifies(&request);
    insta::assert_json_snapshot!(captured(&request));
}

#[tokio::test]
async fn recognize_intention() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("dianjin/RecognizeIntention/seed-response.json"),
    ));
    let (client, _) = client(&mock);
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-xxxx")
        .biz_type(BizType::Common)
        .conversation("##客服##:您好\n##客户##:我忘记还款了")
        .intention_list([Intention::builder()
            .intention("忘记还款")
            .description("客户表示忘记还款")
            .intention_code("1")
            .build()])
        .build()
        .unwrap();
    let answer = client.dianjin().recognize_intention(request).await.unwrap();
    assert_eq!(answer.data.unwrap().intention_name.as_deref(), Some("其它"));
    let request = mock.last_request().unwrap();
    assert_eq!(request.uri.host(), Some("dianjin.cn-beijing.aliyuncs.com"));
    assert_v3_signature_verifies(&request);
    insta::assert_json_snapshot!(captured(&request));
}

fn message_request() -> RecognizeMessageRequest {
    let fixture = fixture_json("retailbot/RecognizeMessage/request.json");
    serde_json::from_value(fixture["body"].clone()).unwrap()
}

#[tokio::test]
async fn recognize_message_v3() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("retailbot/RecognizeMessage/response.json"),
    ));
    let (client, _) = client(&mock);
    let answer = client
        .retail_bot()
        .recognize_message(message_request())
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));
    let request = mock.last_request().unwrap();
    assert_eq!((request.uri.path(), request.uri.query()), ("/", None));
    assert_eq!(request.header("x-acs-action"), Some("RecognizeMessage"));
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        RecognizeMessageRequest::from_form(&request.body_text()).unwrap(),
        message_request()
    );
    assert_v3_signature_verifies(&request);
    insta::assert_json_snapshot!(captured(&request));
}

#[tokio::test]
async fn recognize_message_v1() {
    use aliyun_ai::auth::encoding::decode_form;
    use aliyun_ai::auth::sign::{signature_v1, string_to_sign_v1};
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("retailbot/RecognizeMessage/response.json"),
    ));
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .access_key(aliyun_ai::AccessKey::new("LTAI-test-id", SECRET))
        .endpoint("retailbot", "retailbot.cn-shanghai.aliyuncs.com")
        .rpc_signature(RpcSignature::V1)
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let request = RecognizeMessageRequest::builder()
        .robot_code("r")
        .session_id("s")
        .chat_id("c")
        .round(1)
        .content("你好")
        .content_type(ContentType::Text)
        .user_nick("u")
        .staff_nick("st")
        .seller_nick("se")
        .service_mode("AUTO")
        .build()
        .unwrap();
    client
        .retail_bot()
        .recognize_message(request)
        .await
        .unwrap();
    let sent = mock.last_request().unwrap();
    let mut params = decode_form(sent.uri.query().unwrap()).unwrap();
    let signature = params
        .iter()
        .position(|(n, _)| n == "Signature")
        .map(|i| params.remove(i).1)
        .unwrap();
    assert!(params.contains(&("Action".into(), "RecognizeMessage".into())));
    assert!(params.contains(&("Version".into(), "2021-02-24".into())));
    params.extend(decode_form(&sent.body_text()).unwrap());
    let string_to_sign =
        string_to_sign_v1("POST", params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(signature, signature_v1(&string_to_sign, SECRET));
    assert_eq!(sent.header("authorization"), None);
}

#[tokio::test]
async fn customer_profile_create_task() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("customerprofile/createTask/response.json"),
    ));
    let (client, _) = client(&mock);
    let request = CustomerProfileCreateTask::builder()
        .input(
            CreateInput::builder()
                .app_id("app-1")
                .text("销售: 您好\n客户: 我想看看SUV")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let answer = client
        .customer_profile()
        .create_task(request)
        .await
        .unwrap();
    assert_eq!(answer.output.unwrap().data_id.as_deref(), Some("wkb***"));
    let request = mock.last_request().unwrap();
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk-test-api-key")
    );
    insta::assert_json_snapshot!(captured(&request));
}

#[tokio::test]
async fn customer_profile_get_task() {
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("customerprofile/getTask/response.json"),
    ));
    let (client, _) = client(&mock);
    let answer = client
        .customer_profile()
        .get_task(common::customer_profile_get_task("wkb-1"))
        .await
        .unwrap();
    assert!(answer.output.unwrap().transcription_path.is_some());
    let request = mock.last_request().unwrap();
    assert_eq!(request.header("x-dashscope-workspace"), Some("ws-123"));
    insta::assert_json_snapshot!(captured(&request));
}

/// Path parameters live on the request alone: a request built without one
/// is refused by its builder, naming it, like any other required field.
#[test]
fn a_missing_path_parameter_is_a_build_error_naming_it() {
    let error = RecognizeIntentionRequest::builder()
        .biz_type(BizType::Attitude)
        .conversation("##客户##:好的")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("`workspaceId`"), "{error}");
    let error = AnalyzeConversationRequest::builder()
        .workspace_id("llm-ws")
        .result_types(["summary"])
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("`appId`"), "{error}");
}

#[tokio::test]
async fn an_endpoint_with_a_path_prefix_sends_and_signs_under_it() {
    // Issue 14 #5: a gateway mounting the API under a path.
    let mock = MockTransport::new();
    mock.push(MockResponse::new(
        200,
        fixture("dianjin/RecognizeIntention/seed-response.json"),
    ));
    let config = aliyun_ai::Config::builder()
        .transport(std::sync::Arc::new(mock.clone()))
        .access_key(aliyun_ai::AccessKey::new("LTAI-test-id", SECRET))
        .endpoint("dianjin", "https://gw.example.com/aliyun/")
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-ws")
        .biz_type(BizType::Attitude)
        .conversation("##客户##:好的")
        .build()
        .unwrap();
    client.dianjin().recognize_intention(request).await.unwrap();
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.uri.path(), "/aliyun/llm-ws/api/recog/intent");
    assert_eq!(sent.uri.host(), Some("gw.example.com"));
    assert!(
        sent.header("authorization")
            .unwrap()
            .starts_with("ACS3-HMAC-SHA256")
    );

    // A malformed endpoint fails when the config is built, naming it.
    let error = aliyun_ai::Config::builder()
        .access_key(aliyun_ai::AccessKey::new("LTAI-test-id", SECRET))
        .endpoint("dianjin", "ho st")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("endpoint `ho st`"), "{error}");
}
