//! Text helpers the emulated answers share: overlaps, cuts, token counts.

use std::collections::BTreeSet;

pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Pairs of consecutive word characters: a cheap, language-agnostic overlap measure.
pub(crate) fn bigrams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().filter(|c| is_word_char(*c)).collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// How many bigrams `a` and `b` share.
pub(crate) fn similarity(a: &str, b: &str) -> usize {
    bigrams(a).intersection(&bigrams(b)).count()
}

/// At most `n` characters of `text`, with `…` when cut.
pub(crate) fn truncate(text: &str, n: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(n).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Splits `text` into `parts` cumulative prefixes (for streamed answers).
pub(crate) fn cumulative_parts(text: &str, parts: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let parts = parts.clamp(1, chars.len().max(1));
    (1..=parts)
        .map(|i| chars[..chars.len() * i / parts].iter().collect())
        .collect()
}

/// A rough token count: one per two characters.
pub(crate) fn tokens(text: &str) -> i64 {
    (text.chars().count() as i64 + 1) / 2
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
    }
}
