//! Golden tests of the DianJin models against the doc's examples.

use aliyun_ai_core::{Operation, Problem};
use aliyun_ai_model_tests::{RequestFixture, body_json, decode_fixture, wire};
use aliyun_ai_models_dianjin::Intention;
use aliyun_ai_models_dianjin::recognize_intention::{BizType, OpType};
use aliyun_ai_models_dianjin::{RecognizeIntentionRequest, RecognizeIntentionResponse};
use serde_json::json;

const CONVERSATION: &str = "##客服##:您好,请问是朱杰先生吗?这里是诚信财务的周莉。我们发现您有一项款项昨天是账单日,但您还没还款,这很可能是一个小小的疏忽。来电是提醒您尽快完成还款,避免影响您的信用记录。\n ##客户##:今天天气怎么样呢?";

fn fixture_request() -> RecognizeIntentionRequest {
    let fixture = RequestFixture::load("dianjin/RecognizeIntention/request.json");
    let mut request: RecognizeIntentionRequest = fixture.body_as();
    request.workspace_id = fixture.path_param("workspaceId");
    request
}

#[test]
fn example_request_wire_form() {
    let request = fixture_request();
    request.validate().unwrap();
    insta::assert_snapshot!(wire(&request));
    let fixture = RequestFixture::load("dianjin/RecognizeIntention/request.json");
    assert_eq!(body_json(&request), fixture.body);
}

#[test]
fn builder_matches_the_fixture() {
    let built = RecognizeIntentionRequest::builder()
        .workspace_id("llm-xxxx")
        .analysis(false)
        .biz_type(BizType::Common)
        .conversation(CONVERSATION)
        .intention_list([Intention::builder()
            .description("客户表示忘记还款")
            .intention("客户表示忘记还款")
            .intention_code("1808766224000262144")
            .build()])
        .op_type(OpType::Common)
        .recommend(false)
        .build()
        .unwrap();
    assert_eq!(built, fixture_request());
}

#[test]
fn intention_list_is_required_unless_attitude() {
    let base = || {
        RecognizeIntentionRequest::builder()
            .workspace_id("w")
            .conversation("##客户##:嗯")
    };
    let error = base().biz_type("common").build().unwrap_err();
    assert_eq!(error.field(), "intentionList");
    assert_eq!(
        error.problem(),
        &Problem::MissingWhen(
            "`bizType` is not `attitude` and `opType` is not `hierarchical`".into()
        )
    );
    assert!(
        error
            .to_string()
            .contains("required when `bizType` is not `attitude`"),
        "{error}"
    );
    base().biz_type(BizType::Attitude).build().unwrap();
}

#[test]
fn hierarchical_lists_are_required_when_op_type_is_hierarchical() {
    let error = RecognizeIntentionRequest::builder()
        .workspace_id("w")
        .conversation("c")
        .biz_type("common")
        .intention_list([Intention::default()])
        .op_type(OpType::Hierarchical)
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "globalIntentionList");
    // validate() re-checks a request whose public fields changed after building.
    let mut request = fixture_request();
    request.intention_list = None;
    assert_eq!(request.validate().unwrap_err().field(), "intentionList");
}

#[test]
fn hierarchical_lists_replace_the_intention_list() {
    // Issue 14 #19: with opType hierarchical, the two hierarchical lists are
    // asked for and intentionList is not (the page does not ask for it then).
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("w")
        .conversation("c")
        .biz_type("common")
        .op_type(OpType::Hierarchical)
        .global_intention_list([Intention::default()])
        .hierarchical_intention_list([Intention::default()])
        .build()
        .unwrap();
    assert_eq!(request.intention_list, None);
    // Common recognition still needs it, and the error says why.
    let error = RecognizeIntentionRequest::builder()
        .workspace_id("w")
        .conversation("c")
        .biz_type("common")
        .build()
        .unwrap_err();
    assert_eq!(error.field(), "intentionList");
    assert!(
        error.to_string().contains("`opType` is not `hierarchical`"),
        "{error}"
    );
}

#[test]
fn example_response_decodes() {
    let response: RecognizeIntentionResponse =
        decode_fixture("dianjin/RecognizeIntention/seed-response.json");
    assert_eq!(response.success, Some(true));
    assert_eq!(response.err_code.as_deref(), Some("0"));
    assert_eq!(
        response.data.as_ref().unwrap().intention_name.as_deref(),
        Some("其它")
    );
    insta::assert_debug_snapshot!(response);
}

#[test]
fn quirk_cost_null_and_business_failure() {
    // docs/vendor/apis.md: `cost` may be null; failure is `success: false` with `errCode` on HTTP 200.
    let response: RecognizeIntentionResponse = serde_json::from_value(
        json!({ "cost": null, "success": false, "errCode": "E1001", "message": "bad" }),
    )
    .unwrap();
    assert_eq!((response.cost, response.success), (None, Some(false)));
    assert_eq!(response.err_code.as_deref(), Some("E1001"));
    let response: RecognizeIntentionResponse =
        serde_json::from_value(json!({ "cost": "12" })).unwrap();
    assert_eq!(response.cost, Some(12));
}

/// The settings GetLibrary reads are the type UpdateLibrary takes: one shared
/// `IndexSetting` (the importer's shared shapes), passed on unchanged.
#[test]
fn the_settings_get_library_reads_go_into_update_library_unchanged() {
    use aliyun_ai_models_dianjin::{GetLibraryResponse, IndexSetting, UpdateLibraryRequest};

    /// Without `null`s, and numbers as floats (`rankThreshold` is a double,
    /// which encodes `0` as `0.0`: the same number).
    fn normal(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normal(v)))
                .collect(),
            serde_json::Value::Number(n) => json!(n.as_f64()),
            other => other,
        }
    }

    let read: GetLibraryResponse = decode_fixture("dianjin/GetLibrary/response.json");
    let setting: IndexSetting = read.data.unwrap().index_setting.unwrap();
    let request = UpdateLibraryRequest::builder()
        .workspace_id("llm-ws")
        .library_id("lib-1")
        .index_setting(setting.clone())
        .build()
        .unwrap();
    request.validate().unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&aliyun_ai_model_tests::fixture(
        "dianjin/GetLibrary/response.json",
    ))
    .unwrap();
    let sent = body_json(&request);
    assert_eq!(
        normal(sent["indexSetting"].clone()),
        normal(fixture["data"]["indexSetting"].clone()),
        "every setting read goes out as it came"
    );
    assert_eq!(
        sent["indexSetting"]["chunkStrategy"]["size"],
        json!(256),
        "a nested value, for the record"
    );
}
