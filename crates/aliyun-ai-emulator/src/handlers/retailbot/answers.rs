//! What RetailBot's RecognizeMessage answers: a scene chosen from the message.

use aliyun_ai_models_retailbot::recognize_message::RecognizeMessageRequest;
use serde_json::{Value, json};

/// Scenes the emulator recognises, by keyword.
const SCENES: &[(&str, &[&str], &str)] = &[
    (
        "sc_wenhou",
        &["你好", "您好", "在吗", "hi"],
        "亲,您好!很高兴为您服务。",
    ),
    (
        "sc_tuikuan",
        &["退款", "退货"],
        "亲,退款申请提交后会在1-3个工作日内处理。",
    ),
    (
        "sc_wuliu",
        &["发货", "物流", "快递", "到哪"],
        "亲,您的订单已发货,请留意物流信息。",
    ),
    (
        "sc_chima",
        &["尺码", "身高", "多大", "cm"],
        "亲,根据您的身高,建议选择合适的尺码。",
    ),
    (
        "sc_youhuo",
        &["有货", "库存", "现货"],
        "亲,这款目前有现货,下单后48小时内发货。",
    ),
];

pub(crate) fn recognize_message(request: &RecognizeMessageRequest) -> Value {
    let content = request.content.to_lowercase();
    let (scene, answer) = SCENES
        .iter()
        .find(|(_, words, _)| words.iter().any(|w| content.contains(w)))
        .map_or(
            ("sc_other", "亲,您的问题已收到,客服稍后为您解答。"),
            |(scene, _, answer)| (*scene, *answer),
        );
    // A number followed by cm is a body-height slot.
    let mut spans = Vec::new();
    let text = &request.content;
    if let Some(position) = text.find("cm") {
        let digits: String = text[..position]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(number) = digits.parse::<f64>() {
            let start = text[..position].chars().count() - digits.chars().count();
            spans.push(json!({
                "Start": start, "End": start + digits.chars().count() + 2, "SlotKey": "sys.number.bodyheight",
                "SlotValue": format!("{digits}cm"), "Source": "model", "Score": 0.9, "Alias": "身高",
                "NumericSlotValue": {"Num": number, "Unit": {"UnitKey": "length_si_cm", "UnitName": "厘米"}}
            }));
        }
    }
    json!({
        "Data": {
            "Scene": {
                "SceneDTOs": [{"SceneKey": scene, "SceneSource": "singleRound", "contextModule": "context_scene_e2e"}],
                "PackageCode": "sg_common",
                "EmotionTag": if content.contains("差") || content.contains("投诉") { "fq_fennu" } else { "fq_pingjing" },
                "SemanticComplete": "SEMANTIC_COMPLETE",
                "ItemId": request.focus_item_id,
                "OrderId": request.focus_order_id,
            },
            "Knowledges": [{
                "KnowledgeId": 9_007_199_254_740_993_i64,
                "KnowledgeTitle": scene,
                "SceneKey": scene,
                "Solutions": [{
                    "SolutionId": 1, "KnowledgeId": 9_007_199_254_740_993_i64, "SolutionType": "text", "SolutionSource": "emulator",
                    "SolutionContent": answer, "Conditions": [{"ConditionType": "EffectiveMode", "ConditionValue": "auto"}],
                    "ExtraContent": "[]", "SolutionVariables": []
                }]
            }],
            "OutputMessages": [{"OutputContentType": "TEXT", "OutputContent": {"text": answer}, "OutputContentSource": "FAQ"}],
            "UnitSlots": {"UnitSpans": spans},
        },
        "Success": true,
        "Code": "200",
        "Message": "successful",
    })
}
