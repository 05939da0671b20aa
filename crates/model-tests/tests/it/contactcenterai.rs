//! Golden tests of the ContactCenterAI models against the doc's examples.

use aliyun_ai_core::{Operation, Problem};
use aliyun_ai_model_tests::{RequestFixture, body_json, decode_fixture, fixture, wire};
use aliyun_ai_models_contactcenterai::analyze_conversation::{Example, ExampleSentence};
use aliyun_ai_models_contactcenterai::create_task;
use aliyun_ai_models_contactcenterai::get_task_result::{RequiredField, TaskStatus};
use aliyun_ai_models_contactcenterai::{
    AnalyzeConversationRequest, AnalyzeConversationResponse, CreateTaskRequest, CreateTaskResponse,
    GetTaskResultRequest, GetTaskResultResponse,
};
use aliyun_ai_models_contactcenterai::{
    Dialogue, EnumValue, Field, InspectionContent, ModelCode, ResultType, Role, Sentence,
    ServiceInspection,
};
use serde_json::json;

fn analyze_conversation_fixture() -> AnalyzeConversationRequest {
    let fixture = RequestFixture::load("contactcenterai/AnalyzeConversation/request.json");
    let mut request: AnalyzeConversationRequest = fixture.body_as();
    request.workspace_id = fixture.path_param("workspaceId");
    request.app_id = fixture.path_param("appId");
    request
}

#[test]
fn analyze_conversation_example_request_wire_form() {
    let request = analyze_conversation_fixture();
    request.validate().unwrap();
    insta::assert_snapshot!(wire(&request));
    assert!(!request.wants_stream());
    // `*` in a path parameter is encoded once, on its own.
    assert_eq!(
        request.path(),
        "/llm-368%2A%2A%2A%2A%2A%2A3ifum/ccai/app/a070a49c681f4a95a0f0%2A%2A%2A%2A%2A%2A%2A%2A%2A35c/analyze_conversation"
    );
}

#[test]
fn analyze_conversation_builder_matches_the_fixture() {
    let built = AnalyzeConversationRequest::builder()
        .workspace_id("llm-368******3ifum")
        .app_id("a070a49c681f4a95a0f0*********35c")
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new(Role::User, "请问怎么申请新卡"),
                    Sentence::new("agent", "您好,您可以在App首页点击申请新卡。"),
                ])
                .session_id("session-01")
                .build()
                .unwrap(),
        )
        .examples([Example::builder()
            .output("问题描述:询问2.2更新时间 处理方案:已告知")
            .sentences([ExampleSentence::builder()
                .chat_id("chat-01")
                .role("user")
                .text("什么时候更新")
                .build()
                .unwrap()])
            .build()
            .unwrap()])
        .fields([Field::builder()
            .code("phoneNumber")
            .desc("用户来电咨询的原因分类,主要有投诉、咨询、政策建议等。")
            .enum_values([EnumValue::new(
                "客户有新的需求/新的场景,客服跟进沟通需求细节",
                "新业务拓展",
            )])
            .name("来电原因类型")
            .build()
            .unwrap()])
        .model_code(ModelCode::TyxmTurbo)
        .result_types([ResultType::Summary, ResultType::Fields])
        .scene_name("阿里云工单质检场景")
        .service_inspection(
            ServiceInspection::builder()
                .inspection_contents([InspectionContent::new(
                    "客服在服务客户过程中,基于已有的服务标准是否存在过度承诺的行为,如:最快到货时间是12小时,无法给客户承诺更快的到货时间。",
                    "客服是否过度承诺",
                )])
                .inspection_introduction(
                    "请检测客服是否存在服务不当的行为,包括:过度承诺、故意套取客户隐私信息等",
                )
                .scene_introduction("保险销售场景")
                .build()
                .unwrap(),
        )
        .stream(false)
        .build()
        .unwrap();
    assert_eq!(built, analyze_conversation_fixture());
}

#[test]
fn analyze_conversation_body_round_trips_the_fixture() {
    let fixture = RequestFixture::load("contactcenterai/AnalyzeConversation/request.json");
    assert_eq!(body_json(&analyze_conversation_fixture()), fixture.body);
}

#[test]
fn analyze_conversation_missing_required_fields_are_named() {
    let error = AnalyzeConversationRequest::builder()
        .workspace_id("w")
        .app_id("a")
        .build()
        .unwrap_err();
    assert_eq!(error.operation(), "AnalyzeConversation");
    assert_eq!(error.field(), "resultTypes");
    assert_eq!(error.problem(), &Problem::Missing);
    // `stream` is not the caller's to set (issue 14 #3): the facade's plain
    // and streaming methods set it; a request builds without it.
    let request = AnalyzeConversationRequest::builder()
        .workspace_id("w")
        .app_id("a")
        .result_types(["summary"])
        .build()
        .unwrap();
    assert_eq!(request.stream, None);

    // A shared type names itself and the field inside it.
    let error = Sentence::builder().text("hi").build().unwrap_err();
    assert_eq!((error.operation(), error.field()), ("Sentence", "role"));
    assert_eq!(
        error.to_string(),
        "invalid Sentence: `role` is required but was not set"
    );

    // Inside a request, a shared type's error names the operation and the
    // whole path (issue 21 #13: it said "invalid Dialogue request").
    let mut sentence = Sentence::new(Role::User, "hi");
    sentence.text.clear();
    let error = Dialogue::builder()
        .sentences([sentence.clone()])
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid Dialogue: `sentences[].text` was set but is empty"
    );
    let mut dialogue = Dialogue::builder()
        .sentences([Sentence::new(Role::User, "hi")])
        .build()
        .unwrap();
    dialogue.sentences[0] = sentence;
    let error = AnalyzeConversationRequest::builder()
        .workspace_id("w")
        .app_id("a")
        .result_types(["summary"])
        .dialogue(dialogue)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid AnalyzeConversation request: `dialogue.sentences[].text` was set but is empty"
    );
    assert_eq!(error.operation(), "AnalyzeConversation");

    // A path parameter is required like any other field; an empty one is
    // refused by `validate`, which runs before anything is sent.
    let error = AnalyzeConversationRequest::builder()
        .app_id("a")
        .result_types(["summary"])
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid AnalyzeConversation request: `workspaceId` is required but was not set"
    );
    let request = AnalyzeConversationRequest::builder()
        .workspace_id("")
        .app_id("a")
        .result_types(["summary"])
        .stream(true)
        .build()
        .unwrap();
    let error = request.validate().unwrap_err();
    assert_eq!(
        (error.field(), error.problem()),
        ("workspaceId", &Problem::Empty)
    );
}

#[test]
fn analyze_conversation_streaming_is_read_from_the_request() {
    let mut request = analyze_conversation_fixture();
    assert!(AnalyzeConversationRequest::INFO.can_stream);
    request.stream = Some(true);
    assert!(request.wants_stream());
}

#[test]
fn analyze_conversation_example_response_decodes() {
    let response: AnalyzeConversationResponse =
        decode_fixture("contactcenterai/AnalyzeConversation/seed-response.json");
    assert_eq!(response.success, Some(true));
    assert_eq!(response.finish_reason.as_deref(), Some("stop"));
    insta::assert_debug_snapshot!(response);
}

#[test]
fn analyze_conversation_stream_transcript_events_decode() {
    let transcript = fixture("contactcenterai/AnalyzeConversation/stream.sse");
    let events: Vec<AnalyzeConversationResponse> = transcript
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    assert!(events[..2].iter().all(|e| e.finish_reason.is_none()));
    let last = events.last().unwrap();
    assert_eq!(last.finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        (last.input_tokens, last.output_tokens, last.total_tokens),
        (Some(120), Some(31), Some(151))
    );
    // Cumulative text: each event extends the previous one.
    assert!(events.windows(2).all(|w| {
        w[1].text
            .as_ref()
            .unwrap()
            .starts_with(w[0].text.as_ref().unwrap())
    }));
}

#[test]
fn analyze_conversation_quirk_success_as_string_and_tokens_as_strings() {
    // docs/vendor/apis.md: the doc's example says `True`; the vendor models type tokens as strings.
    let response: AnalyzeConversationResponse = serde_json::from_value(json!({
        "success": "True", "inputTokens": "520", "outputTokens": 664, "totalTokens": ""
    }))
    .unwrap();
    assert_eq!(response.success, Some(true));
    assert_eq!(
        (
            response.input_tokens,
            response.output_tokens,
            response.total_tokens
        ),
        (Some(520), Some(664), None)
    );
    // Tokens encode back as strings, as the vendor types them.
    assert_eq!(
        serde_json::to_value(&response).unwrap()["inputTokens"],
        json!("520")
    );
}

#[test]
fn analyze_conversation_unknown_result_type_round_trips() {
    let request: AnalyzeConversationRequest = serde_json::from_value(
        json!({"stream": false, "resultTypes": ["summary", "brand_new_type"]}),
    )
    .unwrap();
    assert_eq!(
        request.result_types,
        vec![ResultType::Summary, ResultType::from("brand_new_type")]
    );
    assert_eq!(
        body_json(&request)["resultTypes"],
        json!(["summary", "brand_new_type"])
    );
}

fn get_task_result_fixture() -> GetTaskResultRequest {
    let fixture = RequestFixture::load("contactcenterai/GetTaskResult/request.json");
    let mut request: GetTaskResultRequest = fixture.body_as();
    request.task_id = fixture.query["taskId"].as_str().unwrap().to_owned();
    request.required_field_list =
        Some(serde_json::from_value(fixture.query["requiredFieldList"].clone()).unwrap());
    request
}

#[test]
fn get_task_result_example_request_wire_form() {
    let request = get_task_result_fixture();
    insta::assert_snapshot!(wire(&request));
    // docs/vendor/apis.md: one comma-joined value, not repeated keys.
    let query = request.query();
    assert_eq!(query.len(), 2);
    assert_eq!(
        (query[1].name, query[1].value.as_str()),
        ("requiredFieldList", "asr_result,debug")
    );
    assert!(GetTaskResultRequest::INFO.idempotent);
}

#[test]
fn get_task_result_builder_matches_the_fixture() {
    let built = GetTaskResultRequest::builder()
        .task_id("20240905-********-93E9-5D45-B4EF-045743A34071")
        .required_field_list([RequiredField::AsrResult, RequiredField::Debug])
        .build()
        .unwrap();
    assert_eq!(built, get_task_result_fixture());
    let error = GetTaskResultRequest::builder().build().unwrap_err();
    assert_eq!(error.field(), "taskId");
}

#[test]
fn get_task_result_example_response_decodes() {
    let response: GetTaskResultResponse =
        decode_fixture("contactcenterai/GetTaskResult/seed-response.json");
    let data = response.data.as_ref().unwrap();
    assert_eq!(response.success, Some(true));
    assert_eq!(data.task_status, Some(TaskStatus::Finish));
    assert_eq!(data.asr_result.as_ref().unwrap()[0].end, Some(8480));
    // `extra` is a JSON document inside a string.
    let extra = data.extra.as_ref().unwrap().value().unwrap();
    assert_eq!(extra["roleConfig"]["role2Name"], "客服");
    insta::assert_debug_snapshot!(response);
}

#[test]
fn get_task_result_quirk_success_string_encodes_as_the_vendor_sends_it() {
    // docs/vendor/apis.md: `success` is the string "True"; decode a boolean too.
    for (wire, expected) in [
        (json!("True"), true),
        (json!(true), true),
        (json!("false"), false),
    ] {
        let response: GetTaskResultResponse =
            serde_json::from_value(json!({ "success": wire })).unwrap();
        assert_eq!(response.success, Some(expected));
    }
    let response: GetTaskResultResponse =
        serde_json::from_value(json!({ "success": true })).unwrap();
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({ "success": "True" })
    );
}

#[test]
fn get_task_result_quirk_64_bit_offsets() {
    let response: GetTaskResultResponse = serde_json::from_value(
        json!({ "data": { "asrResult": [{ "begin": 9007199254740993_i64, "end": 9007199254740995_i64 }] } }),
    )
    .unwrap();
    let sentence = &response.data.unwrap().asr_result.unwrap()[0];
    assert_eq!(
        (sentence.begin, sentence.end),
        (Some(9_007_199_254_740_993), Some(9_007_199_254_740_995))
    );
}

#[test]
fn get_task_result_unknown_task_status_round_trips() {
    let response: GetTaskResultResponse =
        serde_json::from_value(json!({ "data": { "taskStatus": "RUNNING" } })).unwrap();
    let status = response.data.as_ref().unwrap().task_status.clone().unwrap();
    assert!(matches!(&status, TaskStatus::Unknown(value) if value.as_str() == "RUNNING"));
    assert_eq!(status.as_str(), "RUNNING");
    assert_eq!(TaskStatus::try_parse("RUNNING"), None);
    // A known value never decodes to Unknown, and From keeps to the known variant.
    assert_eq!(TaskStatus::from("FINISH"), TaskStatus::Finish);
    assert_eq!("ERROR".parse(), Ok(TaskStatus::Error));
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        json!({ "data": { "taskStatus": "RUNNING" } })
    );
}

fn create_task_fixture() -> CreateTaskRequest {
    let fixture = RequestFixture::load("contactcenterai/CreateTask/request.json");
    let mut request: CreateTaskRequest = fixture.body_as();
    request.workspace_id = fixture.path_param("workspaceId");
    request.app_id = fixture.path_param("appId");
    request
}

#[test]
fn create_task_example_request_wire_form() {
    let request = create_task_fixture();
    request.validate().unwrap();
    insta::assert_snapshot!(wire(&request));
    let fixture = RequestFixture::load("contactcenterai/CreateTask/request.json");
    assert_eq!(body_json(&request), fixture.body);
}

#[test]
fn create_task_examples_is_one_object_and_required_fields_are_named() {
    let request = create_task_fixture();
    let examples: &create_task::Example = request.examples.as_ref().unwrap();
    assert_eq!(examples.sentences.as_ref().unwrap().len(), 1);

    let error = CreateTaskRequest::builder()
        .workspace_id("w")
        .app_id("a")
        .task_type(create_task::TaskType::Audio)
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "modelCode");
    let error = create_task::Transcription::builder()
        .file_name("a.mp3")
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "transcription.voiceFileUrl");
}

#[test]
fn create_task_example_response_decodes() {
    let response: CreateTaskResponse = decode_fixture("contactcenterai/CreateTask/response.json");
    assert_eq!(response.success, Some(true));
    insta::assert_debug_snapshot!(response);
}

#[test]
fn responses_tolerate_unknown_missing_and_null_fields() {
    let response: GetTaskResultResponse = serde_json::from_value(json!({
        "data": { "taskId": null, "taskStatus": "QUEUE", "aBrandNewField": [1, 2] },
        "requestId": null,
        "somethingElse": { "nested": true }
    }))
    .unwrap();
    let data = response.data.unwrap();
    assert_eq!(
        (data.task_id, data.task_status),
        (None, Some(TaskStatus::Queue))
    );
    assert_eq!(response.request_id, None);
    let empty: AnalyzeConversationResponse = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, AnalyzeConversationResponse::default());
}

#[test]
fn one_dialogue_value_serves_both_analyze_conversation_and_create_task() {
    // Shared shapes (docs/apis/contactcenterai/types.md) are one type.
    let dialogue = Dialogue::builder()
        .sentences([Sentence::new(Role::User, "我想退款")])
        .session_id("s-1")
        .build()
        .unwrap();
    let inspection = aliyun_ai_models_contactcenterai::ServiceInspection::builder()
        .inspection_contents([
            aliyun_ai_models_contactcenterai::types::InspectionContent::new(
                "是否承诺",
                "客服是否过度承诺",
            ),
        ])
        .inspection_introduction("检测服务")
        .scene_introduction("售后")
        .build()
        .unwrap();
    let analyze = AnalyzeConversationRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .dialogue(dialogue.clone())
        .service_inspection(inspection.clone())
        .result_types([ResultType::Summary])
        .stream(false)
        .build()
        .unwrap();
    let task = CreateTaskRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .task_type("text")
        .model_code(aliyun_ai_models_contactcenterai::ModelCode::TyxmTurbo)
        .dialogue(dialogue)
        .service_inspection(inspection)
        .build()
        .unwrap();
    assert_eq!(
        body_json(&analyze)["dialogue"],
        body_json(&task)["dialogue"]
    );
    assert_eq!(
        body_json(&analyze)["serviceInspection"],
        body_json(&task)["serviceInspection"]
    );
}

#[test]
fn an_empty_extra_reads_as_no_value() {
    // The vendor metadata's own example of `extra` is "", which is no JSON.
    for body in [
        json!({"data": {"extra": ""}}),
        json!({"data": {"extra": "  "}}),
        json!({"data": {"extra": null}}),
        json!({"data": {}}),
    ] {
        let response: GetTaskResultResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(response.data.unwrap().extra, None, "{body}");
    }
    let response: GetTaskResultResponse =
        serde_json::from_value(json!({"data": {"extra": "{\"a\":1}"}})).unwrap();
    let extra = response.data.unwrap().extra.unwrap();
    assert_eq!(extra.value().unwrap()["a"], 1);
}

#[test]
fn an_empty_required_id_is_refused_as_empty() {
    let error = GetTaskResultRequest::builder()
        .task_id("")
        .build()
        .unwrap_err();
    assert_eq!(
        (error.field(), error.problem()),
        ("taskId", &Problem::Empty)
    );
    // Fields are public: validate() checks the value as it is now.
    let mut request = GetTaskResultRequest::builder()
        .task_id("t-1")
        .build()
        .unwrap();
    request.task_id.clear();
    assert_eq!(request.validate().unwrap_err().field(), "taskId");
}
