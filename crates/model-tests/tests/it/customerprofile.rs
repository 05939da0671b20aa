//! Golden tests of the Tingwu models against the doc's examples.

use aliyun_ai_core::{Operation, Problem};
use aliyun_ai_model_tests::{RequestFixture, body_json, decode_fixture, wire};
use aliyun_ai_models_customerprofile::create_task::{
    ContentExtractionParameters, ExtractionContent, IdentityContent, IdentityRecognitionParameters,
    Parameters,
};
use aliyun_ai_models_customerprofile::get_task::{Input, TaskStatus};
use aliyun_ai_models_customerprofile::{
    ContentExtractions, CreateTaskRequest, CreateTaskResponse, CustomerProfile, GetTaskRequest,
    GetTaskResponse, IdentityRecognition, Transcription, create_task,
};
use serde_json::json;

#[test]
fn get_task_example_request_wire_form() {
    let request = GetTaskRequest::builder()
        .input(Input::new("wkb***"))
        .build()
        .unwrap();
    insta::assert_snapshot!(wire(&request));
    // The model, the task and an empty `parameters` are always sent (docs/vendor/apis.md).
    let fixture = RequestFixture::load("customerprofile/getTask/request.json");
    assert_eq!(body_json(&request), fixture.body);
    assert_eq!(fixture.body_as::<GetTaskRequest>(), request);
}

#[test]
fn get_task_refuses_a_foreign_model_or_task() {
    let result: Result<GetTaskRequest, _> = serde_json::from_value(json!({
        "model": "another-model", "input": { "task": "getTask", "dataId": "x" }
    }));
    assert!(result.is_err());
    let result: Result<GetTaskRequest, _> = serde_json::from_value(json!({
        "model": "tingwu-automotive-customer-profile", "input": { "task": "createTask", "dataId": "x" }
    }));
    assert!(result.is_err());
}

#[test]
fn get_task_example_response_decodes() {
    let response: GetTaskResponse = decode_fixture("customerprofile/getTask/response.json");
    let output = response.output.as_ref().unwrap();
    // The doc's example sends the number 0 where the table documents the string "0".
    assert_eq!(output.status, Some(TaskStatus::Done));
    assert_eq!(output.content_extractions_path.as_ref().unwrap().len(), 1);
    insta::assert_debug_snapshot!(response);
}

#[test]
fn get_task_quirk_status_as_string_or_number() {
    for (status, expected) in [
        (json!("1"), TaskStatus::Running),
        (json!(2), TaskStatus::Failed),
        (json!("0"), TaskStatus::Done),
    ] {
        let response: GetTaskResponse =
            serde_json::from_value(json!({ "output": { "status": status } })).unwrap();
        assert_eq!(response.output.unwrap().status, Some(expected));
    }
    let failed: GetTaskResponse = serde_json::from_value(json!({
        "output": { "status": "2", "errorCode": "TSC.FileError", "errorMessage": "File cannot be read." }
    }))
    .unwrap();
    assert_eq!(
        failed.output.unwrap().error_code.as_deref(),
        Some("TSC.FileError")
    );
}

#[test]
fn get_task_quirk_content_extractions_path_string_or_array() {
    let response: GetTaskResponse = serde_json::from_value(json!({
        "output": { "contentExtractionsPath": ["https://a/1", "https://a/2"] }
    }))
    .unwrap();
    let paths = response.output.unwrap().content_extractions_path.unwrap();
    assert_eq!(paths.as_slice(), ["https://a/1", "https://a/2"]);
}

fn create_task_fixture() -> CreateTaskRequest {
    RequestFixture::load("customerprofile/createTask/request.json").body_as()
}

#[test]
fn create_task_example_request_wire_form() {
    let request = create_task_fixture();
    request.validate().unwrap();
    insta::assert_snapshot!(wire(&request));
    assert_eq!(
        body_json(&request),
        RequestFixture::load("customerprofile/createTask/request.json").body
    );
}

#[test]
fn create_task_builder_matches_the_fixture() {
    let built = CreateTaskRequest::builder()
        .input(
            create_task::Input::builder()
                .app_id("app-***")
                .text("销售: 您好,欢迎光临,想看看什么车?\n客户: 我想了解一下SUV,价位大概多少?")
                .build()
                .unwrap(),
        )
        .parameters(
            Parameters::builder()
                .identity_recognition(
                    IdentityRecognitionParameters::builder()
                        .identity_contents([
                            IdentityContent::builder()
                                .name("客户")
                                .description("购车的客户")
                                .build(),
                            IdentityContent::builder()
                                .name("销售")
                                .description("4S店的销售顾问")
                                .build(),
                        ])
                        .build()
                        .unwrap(),
                )
                .content_extraction(
                    ContentExtractionParameters::builder()
                        .extraction_contents([ExtractionContent::builder()
                            .title("用车成本")
                            .content("客户对购车费用、油耗等成本的关注")
                            .identity("客户")
                            .build()])
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_eq!(built, create_task_fixture());
}

#[test]
fn create_task_needs_exactly_one_source() {
    let none = create_task::Input::builder()
        .app_id("app")
        .build()
        .unwrap_err();
    assert_eq!(none.field(), "input.fileUrl");
    assert_eq!(
        none.problem(),
        &Problem::OneOfMissing(vec!["input.text", "input.dataId"])
    );
    let two = create_task::Input::builder()
        .app_id("app")
        .text("a: b")
        .data_id("d")
        .build()
        .unwrap_err();
    assert_eq!(
        (two.field(), two.problem()),
        ("input.text", &Problem::ConflictsWith(vec!["input.dataId"]))
    );
}

#[test]
fn create_task_identity_contents_hold_at_most_five() {
    let six = (0..6).map(|i| IdentityContent::builder().name(format!("角色{i}")).build());
    let error = IdentityRecognitionParameters::builder()
        .identity_contents(six)
        .build()
        .unwrap_err();
    assert_eq!(
        error.field(),
        "parameters.identityRecognition.identityContents"
    );
    assert_eq!(
        error.problem(),
        &Problem::TooManyItems { max: 5, actual: 6 }
    );
}

#[test]
fn create_task_quirk_uncertain_key_spellings_decode() {
    // docs/vendor/apis.md: `Name`/`Description` and `appid` are *uncertain* spellings; both decode.
    let request: CreateTaskRequest = serde_json::from_value(json!({
        "model": "tingwu-automotive-customer-profile",
        "input": { "task": "createTask", "appid": "app", "fileUrl": "https://x/a.mp3" },
        "parameters": { "identityRecognition": { "identityContents": [{ "Name": "客户", "Description": "买车的人" }] } }
    }))
    .unwrap();
    assert_eq!(request.input.app_id, "app");
    let contents = request
        .parameters
        .identity_recognition
        .as_ref()
        .unwrap()
        .identity_contents
        .as_ref()
        .unwrap();
    assert_eq!(contents[0].name.as_deref(), Some("客户"));
    // Encoded in the documented spelling.
    let body = body_json(&request);
    assert_eq!(body["input"]["appId"], "app");
    assert_eq!(
        body["parameters"]["identityRecognition"]["identityContents"][0]["name"],
        "客户"
    );
}

#[test]
fn create_task_example_response_decodes() {
    let response: CreateTaskResponse = decode_fixture("customerprofile/createTask/response.json");
    assert_eq!(
        response.output.as_ref().unwrap().data_id.as_deref(),
        Some("wkb***")
    );
    insta::assert_debug_snapshot!(response);
}

#[test]
fn result_files_decode() {
    let transcription: Transcription = decode_fixture("customerprofile/results/transcription.json");
    let words = transcription.paragraphs.as_ref().unwrap()[0]
        .words
        .as_ref()
        .unwrap();
    assert_eq!((words[0].start, words[0].end), (Some(4970), Some(5560)));
    insta::assert_debug_snapshot!("transcription", transcription);

    let profile: CustomerProfile = decode_fixture("customerprofile/results/customer_profile.json");
    assert_eq!(
        profile
            .sale_clue_classify
            .as_ref()
            .unwrap()
            .classify
            .as_deref(),
        Some("B")
    );
    insta::assert_debug_snapshot!("customer_profile", profile);

    let identities: IdentityRecognition =
        decode_fixture("customerprofile/results/identity_recognition.json");
    assert_eq!(identities.identity_results.as_ref().unwrap().len(), 2);
    insta::assert_debug_snapshot!("identity_recognition", identities);

    let extractions: ContentExtractions =
        decode_fixture("customerprofile/results/content_extractions.json");
    assert_eq!(extractions[1].matched_sentence_ids, Some(vec![1, 2]));
    insta::assert_debug_snapshot!("content_extractions", extractions);
}

#[test]
fn an_empty_data_id_is_refused_before_sending() {
    // `Input::new` cannot fail; the request's builder checks it.
    let error = GetTaskRequest::builder()
        .input(Input::new(""))
        .build()
        .unwrap_err();
    assert_eq!(
        (error.field(), error.problem()),
        ("input.dataId", &Problem::Empty)
    );
    // And validate(), which the client runs before sending, checks the value as it is now.
    let mut request = GetTaskRequest::builder()
        .input(Input::new("wkb-1"))
        .build()
        .unwrap();
    request.input.data_id.clear();
    assert_eq!(request.validate().unwrap_err().field(), "input.dataId");
    assert!(Input::builder().data_id("").build().is_err());
}
