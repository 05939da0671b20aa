//! Rust names from the vendor's wire names.

/// Splits a wire name into words: at `_`, `-`, `.`, spaces, at a lowercase or
/// digit followed by an uppercase letter, and before the last capital of an
/// acronym followed by a lowercase word (`HTTPServer` -> `HTTP`, `Server`).
/// A plural acronym keeps its `s` (`SceneDTOs` -> `Scene`, `DTOs`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '-' | '.' | ' ' | '[' | ']') {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let plural_acronym_tail =
                next == Some('s') && chars.get(i + 2).is_none_or(|n| !n.is_lowercase());
            let boundary = prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase()
                    && next.is_some_and(|n| n.is_lowercase())
                    && !plural_acronym_tail);
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `snake_case`, with a trailing `_` for Rust keywords (`type` -> `type_`).
pub fn snake(name: &str) -> String {
    let snake = words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// `PascalCase`; acronyms become one capital (`SceneDTO` -> `SceneDto`).
pub fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|word| {
            let lower = word.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The singular of an English plural as used in the vendor's field names
/// (`sentences` -> `sentence`, `intentionList` -> `intention`,
/// `SceneDTOs` -> `SceneDTO`, `Knowledges` -> `Knowledge`).
pub fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("List").filter(|s| !s.is_empty()) {
        return stem.to_owned();
    }
    if let Some(stem) = name.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if name.ends_with("ss") || name.ends_with("us") {
        return name.to_owned();
    }
    if let Some(stem) = name
        .strip_suffix("ches")
        .or_else(|| name.strip_suffix("shes"))
    {
        return format!("{stem}{}", &name[stem.len()..stem.len() + 2]);
    }
    // A short word ending in `s` is no plural (`pos`, a position, is no
    // `po`s).
    match name.strip_suffix('s') {
        Some(stem) if stem.chars().count() > 2 => stem.to_owned(),
        _ => name.to_owned(),
    }
}

/// Names the generated code already uses in every module, which a generated
/// type must not shadow.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "BTreeMap",
    "Deserialize",
    "EncodeError",
    "Fixed",
    "FixedValue",
    "FormDecodeError",
    "FormFieldKind",
    "Id64",
    "JsonString",
    "Method",
    "OneOrMany",
    "Operation",
    "OperationInfo",
    "Option",
    "Problem",
    "QueryParam",
    "RequestBody",
    "Result",
    "Self",
    "Serialize",
    "String",
    "Style",
    "ServiceInfo",
    "ValidationError",
    "Value",
    "Vec",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_rust_names() {
        for (wire, snake_name, pascal_name) in [
            ("requestId", "request_id", "RequestId"),
            ("RequestId", "request_id", "RequestId"),
            ("request_id", "request_id", "RequestId"),
            ("SceneDTOs", "scene_dtos", "SceneDtos"),
            ("contextModule", "context_module", "ContextModule"),
            ("role1Name", "role1_name", "Role1Name"),
            ("asr_result", "asr_result", "AsrResult"),
            ("SEMANTIC_COMPLETE", "semantic_complete", "SemanticComplete"),
            ("HTTPServer", "http_server", "HttpServer"),
            ("tyxmTurbo", "tyxm_turbo", "TyxmTurbo"),
            ("type", "type_", "Type"),
            ("ClientOs", "client_os", "ClientOs"),
        ] {
            assert_eq!(snake(wire), snake_name, "{wire}");
            assert_eq!(pascal(wire), pascal_name, "{wire}");
        }
    }

    #[test]
    fn plurals_become_singular() {
        for (plural, single) in [
            ("sentences", "sentence"),
            ("intentionList", "intention"),
            ("SceneDTOs", "SceneDTO"),
            ("Knowledges", "Knowledge"),
            ("categories", "category"),
            ("asrResult", "asrResult"),
            ("Conditions", "Condition"),
            ("matches", "match"),
            ("status", "status"),
            ("pos", "pos"),
        ] {
            assert_eq!(singular(plural), single, "{plural}");
        }
    }
}
