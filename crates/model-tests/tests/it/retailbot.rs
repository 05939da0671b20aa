//! Golden tests of the RetailBot models against the doc's examples.

use aliyun_ai_core::{Operation, RequestBody};
use aliyun_ai_model_tests::{RequestFixture, decode_fixture, wire};
use aliyun_ai_models_retailbot::recognize_message::{
    ClientInfo, ClientOs, ContentType, Item, Order, OutputContentType,
};
use aliyun_ai_models_retailbot::{RecognizeMessageRequest, RecognizeMessageResponse};
use serde_json::json;

fn fixture_request() -> RecognizeMessageRequest {
    RequestFixture::load("retailbot/RecognizeMessage/request.json").body_as()
}

#[test]
fn example_request_wire_form_is_a_form_with_json_string_fields() {
    let request = fixture_request();
    request.validate().unwrap();
    insta::assert_snapshot!(wire(&request));
    assert_eq!(request.path(), "/");
    assert!(
        request.query().is_empty(),
        "every parameter goes in the body"
    );
    let body = request.body().unwrap();
    assert!(matches!(body, RequestBody::Form(_)));
    let text = String::from_utf8(body.into_bytes()).unwrap();
    // Space is %20, never `+`; complex parameters are single JSON-string fields.
    assert!(
        text.contains("Content=%E4%BD%A0%E5%A5%BD%20%E6%9C%89"),
        "{text}"
    );
    assert!(text.contains("Orders=%5B%7B%22Count%22%3A1%2C"), "{text}");
    assert!(!text.contains("Orders.1"), "never flattened");
}

#[test]
fn form_body_decodes_back_into_the_request() {
    let request = fixture_request();
    let body = String::from_utf8(request.body().unwrap().into_bytes()).unwrap();
    assert_eq!(RecognizeMessageRequest::from_form(&body).unwrap(), request);
}

#[test]
fn builder_matches_the_fixture() {
    let built = RecognizeMessageRequest::builder()
        .robot_code("1cY9drMec4b2uzS2")
        .session_id("aUeafnr-scgyw28f4")
        .chat_id("c8jd-2ncpocs")
        .round(2)
        .content("你好 有货吗?")
        .content_type(ContentType::Text)
        .user_nick("買家賬號")
        .user_id("12345678")
        .staff_nick("智能助理測試賬號客服")
        .seller_nick("智能助理測試賬號")
        .service_mode("AUTO")
        .focus_item_id("13579")
        .orders([Order::builder()
            .order_id("987654321")
            .create_time(1_611_130_298_820)
            .pay_status("STATUS_PAID")
            .item_id("13579")
            .price(123.45)
            .count(1)
            .sku_property("顏色:紅;材質:棉")
            .build()])
        .items([Item::builder()
            .item_id("13579")
            .title("xxx商品")
            .shop_category_ids(["12343421"])
            .price(123.45)
            .property([("顏色", "紅")])
            .build()])
        .client_info(
            ClientInfo::builder()
                .client_version("2.0.5")
                .client_app("taobao")
                .client_os(ClientOs::Ios)
                .build(),
        )
        .stress_testing(false)
        .platform_code("RETAILBOT_PAAS")
        .build()
        .unwrap();
    assert_eq!(built, fixture_request());
}

#[test]
fn missing_required_field_is_named() {
    let error = RecognizeMessageRequest::builder()
        .robot_code("r")
        .build()
        .unwrap_err();
    assert_eq!(
        (error.operation(), error.field()),
        ("RecognizeMessage", "SessionId")
    );
}

#[test]
fn corrected_example_response_decodes() {
    // The seed's sample is not valid JSON; the fixture is the corrected one (and says so).
    let response: RecognizeMessageResponse =
        decode_fixture("retailbot/RecognizeMessage/response.json");
    let data = response.data.as_ref().unwrap();
    assert_eq!(response.success, Some(true));
    let solution = &data.knowledges.as_ref().unwrap()[0]
        .solutions
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        solution
            .extra_content
            .as_ref()
            .unwrap()
            .parse::<Vec<String>>()
            .unwrap(),
        ["emoji1", "emoji2"]
    );
    let content_type = data.output_messages.as_ref().unwrap()[0]
        .output_content_type
        .clone()
        .unwrap();
    // The seed's example value the enum now lists.
    assert_eq!(content_type, OutputContentType::AskText);
    let span = &data
        .unit_slots
        .as_ref()
        .unwrap()
        .unit_spans
        .as_ref()
        .unwrap()[0];
    assert_eq!(span.numeric_slot_value.as_ref().unwrap().num, Some(170.0));
    insta::assert_debug_snapshot!(response);
}

#[test]
fn quirk_knowledge_ids_above_2_pow_53_survive() {
    let text = r#"{"Data":{"Knowledges":[{"KnowledgeId":9007199254740993,"Solutions":[{"SolutionId":"1810566978021232640"}]}]}}"#;
    let response: RecognizeMessageResponse = serde_json::from_str(text).unwrap();
    let knowledge = &response.data.unwrap().knowledges.unwrap()[0];
    assert_eq!(knowledge.knowledge_id.unwrap().get(), 9_007_199_254_740_993);
    assert_eq!(
        knowledge.solutions.as_ref().unwrap()[0]
            .solution_id
            .unwrap()
            .get(),
        1_810_566_978_021_232_640
    );
    assert_eq!(
        serde_json::to_value(knowledge).unwrap()["KnowledgeId"],
        json!(9_007_199_254_740_993_u64)
    );
}
