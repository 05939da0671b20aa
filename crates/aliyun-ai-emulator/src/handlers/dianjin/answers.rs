//! What DianJin's RecognizeIntention answers: the intention whose description
//! best matches the customer's words.

use aliyun_ai_models_dianjin::recognize_intention::{BizType, RecognizeIntentionRequest};
use serde_json::{Value, json};

use crate::text::*;

/// What the customer said: the turns marked `##客户##`.
pub(crate) fn customer_turns(conversation: &str) -> String {
    let mut out = String::new();
    for part in conversation.split("##客户##").skip(1) {
        let turn = part.split("##客服##").next().unwrap_or("");
        out.push_str(turn.trim_start_matches([':', ':']).trim());
        out.push(' ');
    }
    out
}

/// Built-in attitudes for `bizType: attitude` without a list.
const ATTITUDES: &[(&str, &str, &str)] = &[
    ("1", "积极配合", "好的 可以 没问题 马上 今天 还款"),
    ("2", "拒绝", "不还 没钱 不要 别打"),
    ("3", "敷衍", "嗯 再说 知道了 回头"),
];

pub(crate) fn recognize_intention(request: &RecognizeIntentionRequest) -> Value {
    let customer = customer_turns(&request.conversation);
    // (code, name, text to match, script) from every list the request gives.
    macro_rules! candidates_of {
        ($list:expr) => {
            $list.iter().flatten().map(|i| {
                let name = i.intention.clone().unwrap_or_default();
                let text = format!("{name} {}", i.description.clone().unwrap_or_default());
                (
                    i.intention_code.clone().unwrap_or_default(),
                    name,
                    text,
                    i.intention_script.clone(),
                )
            })
        };
    }
    let mut candidates: Vec<(String, String, String, Option<String>)> =
        candidates_of!(request.intention_list)
            .chain(candidates_of!(request.global_intention_list))
            .chain(candidates_of!(request.hierarchical_intention_list))
            .collect();
    if candidates.is_empty() && request.biz_type == BizType::Attitude {
        candidates = ATTITUDES
            .iter()
            .map(|(c, n, d)| (c.to_string(), n.to_string(), d.to_string(), None))
            .collect();
    }
    let best = candidates
        .iter()
        .map(|c| (similarity(&customer, &c.2), c))
        .filter(|(score, _)| *score > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.0.cmp(&a.1.0)));
    let (code, name, script, analysis) = match best {
        Some((score, (code, name, _, script))) => (
            code.clone(),
            name.clone(),
            script.clone(),
            format!(
                "客户的发言「{}」与意图「{name}」的描述有{score}处相合。",
                truncate(customer.trim(), 30)
            ),
        ),
        None => (
            "-1".to_owned(),
            "其它".to_owned(),
            None,
            format!(
                "客户的发言「{}」与提供的意图列表描述均不匹配。",
                truncate(customer.trim(), 30)
            ),
        ),
    };
    let recommend = request.recommend == Some(true);
    json!({
        "cost": 12,
        "data": {
            "analysisProcess": if request.analysis == Some(true) { Some(analysis) } else { None },
            "intentionCode": code,
            "intentionName": name,
            "intentionScript": script,
            "recommendIntention": if recommend { Some(format!("客户可能想要:{}", truncate(customer.trim(), 15))) } else { None },
            "recommendScript": if recommend { Some("您好,我理解您的情况,我们一起看看怎么处理。".to_owned()) } else { None },
        },
        "dataType": "null",
        "errCode": "0",
        "message": "ok",
        "success": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_turns_are_read() {
        assert_eq!(
            customer_turns("##客服##:您好\n##客户##:我忘记还款了\n##客服##:好"),
            "我忘记还款了 "
        );
    }
}
