//! What each emulated operation answers: deterministic, and derived from the
//! request (a summary built from the dialogue, the intention whose description
//! best matches the customer's words, a scene chosen from the message...).

use std::collections::{BTreeMap, BTreeSet};

use aliyun_ai_models_contactcenterai::analyze_conversation::AnalyzeConversationRequest;
use aliyun_ai_models_contactcenterai::create_task::CreateTaskRequest as CcaiCreateTask;
use aliyun_ai_models_contactcenterai::{ResultType, Role};
use aliyun_ai_models_dianjin::recognize_intention::{BizType, RecognizeIntentionRequest};
use aliyun_ai_models_retailbot::recognize_message::RecognizeMessageRequest;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Text helpers

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Pairs of consecutive word characters: a cheap, language-agnostic overlap measure.
pub fn bigrams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().filter(|c| is_word_char(*c)).collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// How many bigrams `a` and `b` share.
pub fn similarity(a: &str, b: &str) -> usize {
    bigrams(a).intersection(&bigrams(b)).count()
}

/// At most `n` characters of `text`, with `…` when cut.
pub fn truncate(text: &str, n: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(n).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Splits `text` into `parts` cumulative prefixes (for streamed answers).
pub fn cumulative_parts(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let parts = parts.clamp(1, chars.len().max(1));
    (1..=parts)
        .map(|i| chars[..chars.len() * i / parts].iter().collect())
        .collect()
}

/// A rough token count: one per two characters.
pub fn tokens(text: &str) -> i64 {
    (text.chars().count() as i64 + 1) / 2
}

// ---------------------------------------------------------------------------
// ContactCenterAI

/// One analysed sentence: the role and the text.
pub type Turn = (String, String);

fn turns_of_analyze(request: &AnalyzeConversationRequest) -> Vec<Turn> {
    request
        .dialogue
        .as_ref()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| (s.role.as_str().to_owned(), s.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn turns_of_create_task(request: &CcaiCreateTask) -> Vec<Turn> {
    request
        .dialogue
        .as_ref()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| (s.role.as_str().to_owned(), s.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn said_by<'a>(turns: &'a [Turn], role: &str) -> Vec<&'a str> {
    turns
        .iter()
        .filter(|(r, _)| r == role)
        .map(|(_, t)| t.as_str())
        .collect()
}

/// The most frequent bigrams of the dialogue, as keywords.
fn keywords(turns: &[Turn]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, text) in turns {
        let chars: Vec<char> = text.chars().filter(|c| is_word_char(*c)).collect();
        for pair in chars.windows(2) {
            *counts.entry(pair.iter().collect()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(3).map(|(k, _)| k).collect()
}

/// The answer to one result type, built from the dialogue.
fn result_for(
    result_type: &str,
    turns: &[Turn],
    request: Option<&AnalyzeConversationRequest>,
) -> Value {
    let user = said_by(turns, "user");
    let agent = said_by(turns, "agent");
    let first_user = user.first().copied().unwrap_or("(无客户发言)");
    let first_agent = agent.first().copied().unwrap_or("(无客服发言)");
    match result_type {
        "summary" => json!(format!(
            "客户共发言{}次,主要诉求:{};客服共发言{}次,答复:{}",
            user.len(),
            truncate(&user.join(""), 40),
            agent.len(),
            truncate(first_agent, 40)
        )),
        "title" => json!(truncate(first_user, 20)),
        "keywords" => json!(keywords(turns)),
        "question_solution" => {
            json!({"问题": truncate(first_user, 40), "解决方案": truncate(first_agent, 40)})
        }
        "fields" => {
            let mut fields = serde_json::Map::new();
            let all: String = turns.iter().map(|(_, t)| t.as_str()).collect();
            for field in request
                .and_then(|r| r.fields.as_ref())
                .into_iter()
                .flatten()
            {
                let best = field
                    .enum_values
                    .iter()
                    .flatten()
                    .map(|e| {
                        (
                            similarity(&all, &format!("{}{}", e.enum_value, e.desc)),
                            e.enum_value.clone(),
                        )
                    })
                    .filter(|(score, _)| *score > 0)
                    .max_by_key(|(score, _)| *score)
                    .map_or_else(|| "未提及".to_owned(), |(_, value)| value);
                fields.insert(field.name.clone(), json!(best));
            }
            Value::Object(fields)
        }
        "service_inspection" => {
            let mut verdicts = serde_json::Map::new();
            let agent_text = agent.join("");
            let inspection = request.and_then(|r| r.service_inspection.as_ref());
            for content in inspection
                .map(|i| i.inspection_contents.as_slice())
                .unwrap_or_default()
            {
                let hit = similarity(&agent_text, &content.content) >= 3;
                verdicts.insert(content.title.clone(), json!(if hit { "是" } else { "否" }));
            }
            Value::Object(verdicts)
        }
        "emotion_detection" => {
            let negative = ["不满", "投诉", "生气", "差"]
                .iter()
                .any(|w| user.iter().any(|t| t.contains(w)));
            json!(if negative { "负面" } else { "中性" })
        }
        "satisfaction" => json!(if user.iter().any(|t| t.contains("谢谢")) {
            "满意"
        } else {
            "一般"
        }),
        other => json!(format!("{other}: 已分析{}句对话", turns.len())),
    }
}

/// The text of an analysis: one result as text, several as a JSON object.
pub fn analysis_text(
    result_types: &[String],
    turns: &[Turn],
    request: Option<&AnalyzeConversationRequest>,
) -> String {
    let results: Vec<(String, Value)> = result_types
        .iter()
        .map(|t| (t.clone(), result_for(t, turns, request)))
        .collect();
    match results.as_slice() {
        [(_, Value::String(text))] => text.clone(),
        _ => Value::Object(results.into_iter().collect()).to_string(),
    }
}

/// AnalyzeConversation's answer text.
pub fn analyze_conversation(request: &AnalyzeConversationRequest) -> String {
    let types: Vec<String> = request
        .result_types
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    analysis_text(&types, &turns_of_analyze(request), Some(request))
}

/// The ASR sentences of a text dialogue: 250 ms per character.
pub fn asr_result(turns: &[Turn]) -> Value {
    let mut begin = 0i64;
    let sentences: Vec<Value> = turns
        .iter()
        .map(|(role, text)| {
            let end = begin + 250 * text.chars().count() as i64;
            let (track, name) = if role == Role::Agent.as_str() { ("0", "客服") } else { ("1", "客户") };
            let sentence = json!({"begin": begin, "end": end, "role": track, "roleName": name, "words": text, "emotionValue": 5, "speechRate": 240});
            begin = end + 300;
            sentence
        })
        .collect();
    Value::Array(sentences)
}

/// The result types of a CreateTask (summary when none is given).
pub fn create_task_types(request: &CcaiCreateTask) -> Vec<String> {
    let types: Vec<String> = request
        .result_types
        .iter()
        .flatten()
        .map(|t| t.as_str().to_owned())
        .collect();
    if types.is_empty() {
        vec![ResultType::Summary.as_str().to_owned()]
    } else {
        types
    }
}

// ---------------------------------------------------------------------------
// DianJin

/// What the customer said: the turns marked `##客户##`.
fn customer_turns(conversation: &str) -> String {
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

pub fn recognize_intention(request: &RecognizeIntentionRequest) -> Value {
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

// ---------------------------------------------------------------------------
// RetailBot

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

pub fn recognize_message(request: &RecognizeMessageRequest) -> Value {
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

// ---------------------------------------------------------------------------
// Tingwu

/// Parses `speaker: content` lines (either colon).
pub fn transcript_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() {
                return None;
            }
            match line.split_once([':', ':']) {
                Some((speaker, content)) if !speaker.trim().is_empty() => {
                    Some((speaker.trim().to_owned(), content.trim().to_owned()))
                }
                _ => Some(("说话人".to_owned(), line.to_owned())),
            }
        })
        .collect()
}

/// The distinct speakers in order of appearance, numbered from 1.
fn speaker_ids(lines: &[(String, String)]) -> Vec<String> {
    let mut speakers: Vec<String> = Vec::new();
    for (speaker, _) in lines {
        if !speakers.contains(speaker) {
            speakers.push(speaker.clone());
        }
    }
    speakers
}

fn speaker_id(speakers: &[String], speaker: &str) -> String {
    (speakers.iter().position(|s| s == speaker).unwrap_or(0) + 1).to_string()
}

pub fn transcription(lines: &[(String, String)]) -> Value {
    let speakers = speaker_ids(lines);
    let mut time = 0i64;
    let mut word_id = 0;
    let paragraphs: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(index, (speaker, text))| {
            let words: Vec<Value> = text
                .split([',', ',', '。', '?', '?', '!', '!', ' '])
                .filter(|w| !w.is_empty())
                .map(|word| {
                    word_id += 10;
                    let start = time;
                    time += 250 * word.chars().count() as i64;
                    json!({"id": word_id, "sentenceId": index + 1, "start": start, "end": time, "text": word})
                })
                .collect();
            time += 300;
            json!({"paragraphId": format!("{}", 1_698_742_210_000_i64 + index as i64), "speakerId": speaker_id(&speakers, speaker), "words": words})
        })
        .collect();
    json!({"paragraphs": paragraphs})
}

/// Who each speaker is: a configured identity whose name or description
/// matches the speaker's label or words, else 客户/销售 by label.
pub fn identity_recognition(lines: &[(String, String)], identities: &[(String, String)]) -> Value {
    let speakers = speaker_ids(lines);
    let results: Vec<Value> = speakers
        .iter()
        .map(|speaker| {
            let words: String = lines
                .iter()
                .filter(|(s, _)| s == speaker)
                .map(|(_, t)| t.as_str())
                .collect();
            let identity = identities
                .iter()
                .find(|(name, _)| speaker.contains(name.as_str()))
                .or_else(|| {
                    identities
                        .iter()
                        .max_by_key(|(n, d)| similarity(&words, &format!("{n}{d}")))
                        .filter(|(n, d)| similarity(&words, &format!("{n}{d}")) > 0)
                })
                .map(|(name, _)| name.clone())
                .unwrap_or_else(|| {
                    if speaker.contains("客") {
                        "客户".into()
                    } else {
                        "销售".into()
                    }
                });
            json!({"identity": identity, "speakerId": speaker_id(&speakers, speaker)})
        })
        .collect();
    json!({"identityResults": results})
}

/// Default concerns when the task asked for none.
const DEFAULT_EXTRACTIONS: &[(&str, &str)] = &[
    ("用车成本", "价格 价位 多少钱 油耗 费用 优惠"),
    ("产品配置", "配置 续航 空间 座椅 天窗 外观 内饰"),
    ("试驾意向", "试驾 试一下 开一下 到店"),
];

/// One result per concern: the sentences that match it.
pub fn content_extractions(
    lines: &[(String, String)],
    extractions: &[(String, String, String)],
) -> Value {
    let concerns: Vec<(String, String)> = if extractions.is_empty() {
        DEFAULT_EXTRACTIONS
            .iter()
            .map(|(t, c)| (t.to_string(), c.to_string()))
            .collect()
    } else {
        extractions
            .iter()
            .map(|(t, c, _)| (t.clone(), c.clone()))
            .collect()
    };
    let results: Vec<Value> = concerns
        .iter()
        .map(|(title, content)| {
            let keywords: Vec<&str> = content.split_whitespace().collect();
            let matched: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, (_, text))| keywords.iter().any(|k| text.contains(k)) || similarity(text, content) >= 2)
                .map(|(index, _)| index + 1)
                .collect();
            let result = if matched.is_empty() { "未提及".to_owned() } else { truncate(&lines[matched[0] - 1].1, 20) };
            json!({
                "result": result,
                "matchedSentenceIds": matched,
                "title": title,
                "remarks": if matched.is_empty() { format!("对话中未涉及{title}。") } else { format!("客户在第{}句提到了{title}。", matched[0]) },
            })
        })
        .collect();
    Value::Array(results)
}

pub fn customer_profile(lines: &[(String, String)], extractions: &Value) -> Value {
    let customer: String = lines
        .iter()
        .filter(|(s, _)| s.contains('客'))
        .map(|(_, t)| t.as_str())
        .collect();
    let concerned = extractions.as_array().map_or(0, |items| {
        items.iter().filter(|i| i["result"] != "未提及").count()
    });
    let total = extractions.as_array().map_or(0, Vec::len);
    let wants_drive = ["试驾", "试一下", "到店"]
        .iter()
        .any(|w| customer.contains(w));
    let asks_price = ["价", "多少钱", "优惠"]
        .iter()
        .any(|w| customer.contains(w));
    let (classify, evidence) = match (wants_drive, asks_price) {
        (true, _) => ("A", "客户表达了试驾或到店意愿"),
        (false, true) => ("B", "客户询问价格,但未表达明确购车意愿"),
        _ => ("C", "客户仅了解车型,无明确意向"),
    };
    json!({
        "saleClueClassify": {"classify": classify, "evidence": evidence},
        "customerNotMentioned": total - concerned,
        "tryDriveIntentionEvaluation": {"score": if wants_drive { 80 } else { 0 }, "evidence": if wants_drive { "客户提到试驾或到店" } else { "客户未提及试驾意愿" }},
        "customerConcerned": concerned,
        "oneSentenceSumUp": format!("客户关注点:{}", truncate(&customer, 40)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_helpers() {
        assert_eq!(similarity("客户表示忘记还款", "我忘记还款了"), 3);
        assert_eq!(truncate("一二三四", 2), "一二…");
        assert_eq!(
            cumulative_parts("一二三四五六", 3),
            ["一二", "一二三四", "一二三四五六"]
        );
        assert_eq!(
            transcript_lines("销售: 您好\n客户:我想看SUV\n\n"),
            [
                ("销售".into(), "您好".into()),
                ("客户".into(), "我想看SUV".into())
            ]
        );
        assert_eq!(
            customer_turns("##客服##:您好\n##客户##:我忘记还款了\n##客服##:好"),
            "我忘记还款了 "
        );
    }
}
