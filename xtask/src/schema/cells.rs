//! Cells: a type cell (base type and annotations) and a required cell.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    Scalar(Scalar),
    Long,
    Object,
    /// Any JSON value (Openmeta's `type: any`).
    Any,
    Map(Option<Box<Base>>),
    Array(Box<Base>),
}

pub(crate) fn parse_base(text: &str) -> std::result::Result<Base, String> {
    let lower = text.trim().to_ascii_lowercase();
    if let Some(inner) = lower
        .strip_prefix("array<")
        .and_then(|s| s.strip_suffix('>'))
    {
        return Ok(Base::Array(Box::new(parse_base(inner)?)));
    }
    if let Some(inner) = lower.strip_prefix("map<").and_then(|s| s.strip_suffix('>')) {
        return Ok(Base::Map(Some(Box::new(parse_base(inner)?))));
    }
    Ok(match lower.as_str() {
        "string" => Base::Scalar(Scalar::String),
        "integer" => Base::Scalar(Scalar::Integer),
        "long" => Base::Long,
        "double" | "float" => Base::Scalar(Scalar::Double),
        "boolean" => Base::Scalar(Scalar::Boolean),
        "object" => Base::Object,
        "map" => Base::Map(None),
        "any" => Base::Any,
        other => return Err(format!("unknown type `{other}`")),
    })
}

/// The annotations of a type cell: `{key}` or `{key: value}`.
pub(crate) type Annotations = BTreeMap<String, String>;

pub(crate) const ANNOTATIONS: &[&str] = &[
    "enum",
    "lenient",
    "as-string",
    "json",
    "one-or-many",
    "id",
    "fixed",
    "name",
    "style",
    "max",
    "alias",
    "fails-when",
    "error-code",
    "error-message",
    "request-id",
    "stream-final",
    "ref",
    "secret",
    "signed-url",
    "rest",
];

pub(crate) fn parse_type_cell(cell: &str) -> std::result::Result<(Base, Annotations), String> {
    let (base, mut rest) = match cell.find('{') {
        Some(index) => (&cell[..index], &cell[index..]),
        None => (cell, ""),
    };
    let base = parse_base(base)?;
    let mut annotations = Annotations::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let inner_end = rest
            .strip_prefix('{')
            .and_then(|r| r.find('}'))
            .ok_or_else(|| {
                format!("malformed annotation in `{cell}`: expected `{{key}}` or `{{key: value}}`")
            })?;
        let inner = &rest[1..=inner_end];
        let (key, value) = match inner.split_once(':') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (inner.trim(), ""),
        };
        if !ANNOTATIONS.contains(&key) {
            return Err(format!(
                "unknown annotation `{{{key}}}` (known: {})",
                ANNOTATIONS.join(", ")
            ));
        }
        if annotations
            .insert(key.to_owned(), value.to_owned())
            .is_some()
        {
            return Err(format!("annotation `{{{key}}}` given twice"));
        }
        rest = &rest[inner_end + 2..];
    }
    Ok((base, annotations))
}

pub(crate) fn parse_requirement(
    cell: &str,
    side: Side,
) -> std::result::Result<Requirement, String> {
    let cell = cell.trim();
    let requirement = if cell == "yes" {
        Requirement::Required
    } else if cell == "no" {
        Requirement::Optional
    } else if cell == "always" {
        Requirement::Always
    } else if let Some(group) = cell.strip_prefix("one of ") {
        Requirement::OneOf(group.trim().to_owned())
    } else if let Some((negate, condition)) = cell
        .strip_prefix("when ")
        .map(|c| (false, c))
        .or_else(|| cell.strip_prefix("unless ").map(|c| (true, c)))
    {
        // `when A = x and B = y`; `unless A = x or B = y`.
        let joint = if negate { " or " } else { " and " };
        let clauses = condition
            .split(joint)
            .map(|clause| {
                clause
                    .split_once('=')
                    .map(|(field, value)| (field.trim().to_owned(), value.trim().to_owned()))
                    .ok_or_else(|| {
                        format!("`{cell}`: expected `when F = V [and G = W]` or `unless F = V [or G = W]`")
                    })
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        Requirement::When { clauses, negate }
    } else {
        return Err(format!(
            "required must be yes, no, always, `when F = V`, `unless F = V` or `one of GROUP`; found `{cell}`"
        ));
    };
    if side == Side::Response
        && !matches!(requirement, Requirement::Required | Requirement::Optional)
    {
        return Err(format!(
            "`{cell}` has no meaning in a response; use yes or no"
        ));
    }
    Ok(requirement)
}
