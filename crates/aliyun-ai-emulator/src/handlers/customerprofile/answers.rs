//! What Tingwu's result files hold, derived from the transcript.

use serde_json::{Value, json};

use crate::text::*;

/// Parses `speaker: content` lines (either colon).
pub(crate) fn transcript_lines(text: &str) -> Vec<(String, String)> {
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
pub(crate) fn speaker_ids(lines: &[(String, String)]) -> Vec<String> {
    let mut speakers: Vec<String> = Vec::new();
    for (speaker, _) in lines {
        if !speakers.contains(speaker) {
            speakers.push(speaker.clone());
        }
    }
    speakers
}

pub(crate) fn speaker_id(speakers: &[String], speaker: &str) -> String {
    (speakers.iter().position(|s| s == speaker).unwrap_or(0) + 1).to_string()
}

pub(crate) fn transcription(lines: &[(String, String)]) -> Value {
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
pub(crate) fn identity_recognition(
    lines: &[(String, String)],
    identities: &[(String, String)],
) -> Value {
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
pub(crate) fn content_extractions(
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

pub(crate) fn customer_profile(lines: &[(String, String)], extractions: &Value) -> Value {
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
    fn transcript_lines_split_at_either_colon() {
        assert_eq!(
            transcript_lines("销售: 您好\n客户:我想看SUV\n\n"),
            [
                ("销售".into(), "您好".into()),
                ("客户".into(), "我想看SUV".into())
            ]
        );
    }
}
