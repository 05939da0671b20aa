//! Walking the metadata's schemas into table rows: descriptions, examples,
//! `$ref`s resolved, types mapped.

use super::*;

/// What resolving a schema needs: the operation (for errors) and the
/// `components.schemas` a `$ref` points into.
pub(crate) struct Context<'a> {
    pub(crate) op: &'a str,
    pub(crate) schemas: Option<&'a Json>,
    pub(crate) en_schemas: Option<&'a Json>,
}

impl<'a> Context<'a> {
    pub(crate) fn error(&self, field: &str, message: impl std::fmt::Display) -> String {
        format!("{}: `{field}`: {message}", self.op)
    }

    /// The schema itself, or the one its `$ref` names.
    pub(crate) fn resolve(
        &self,
        field: &str,
        schema: &'a Json,
        en: bool,
    ) -> Result<&'a Json, String> {
        let Some(reference) = schema.get("$ref").and_then(Json::as_str) else {
            return Ok(schema);
        };
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| {
                self.error(
                    field,
                    format!("`$ref: {reference}` is not into components.schemas"),
                )
            })?;
        let schemas = if en { self.en_schemas } else { self.schemas };
        schemas
            .and_then(|s| s.get(name))
            .ok_or_else(|| self.error(field, format!("`$ref: {reference}`: no such schema")))
    }
}

/// The zh_cn text with the en_us one as a gloss.
pub(crate) fn describe(zh: &Json, en: Option<&Json>) -> String {
    let text = |schema: Option<&Json>| {
        schema
            .and_then(|s| {
                s.get("description")
                    .and_then(Json::as_str)
                    .filter(|d| !d.trim().is_empty())
                    .or_else(|| s.get("title").and_then(Json::as_str))
            })
            .map(|t| t.trim().to_owned())
            .unwrap_or_default()
    };
    let zh_text = text(Some(zh));
    let en_text = text(en);
    let combined = match (zh_text.is_empty(), en_text.is_empty()) {
        (_, true) => zh_text,
        (true, false) => en_text,
        (false, false) if zh_text == en_text => zh_text,
        (false, false) => format!("{zh_text} (en: {en_text})"),
    };
    cell(&combined)
}

/// Text made fit for one table cell: line breaks become `<br>`, a pipe is escaped.
pub(crate) fn cell(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("<br>").replace('|', "\\|")
}

/// An example made fit for one cell: trimmed, whitespace runs folded to one space.
pub(crate) fn example(schema: &Json) -> String {
    let Some(text) = schema.get("example").and_then(Json::scalar_text) else {
        return String::new();
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// `Name=value` where the value is not a name the generator can use.
pub(crate) fn enum_value(value: &str) -> String {
    let nameable = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
    if value.eq_ignore_ascii_case("unknown") {
        // `Unknown` is the generated enums' own variant for values they do not know.
        format!("VendorUnknown={value}")
    } else if nameable {
        value.to_owned()
    } else if value.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("V{value}={value}")
    } else {
        String::new()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
}

/// Adds the rows of `schema` (named `name`) and of everything under it.
pub(crate) fn walk(
    context: &Context<'_>,
    side: Side,
    name: &str,
    required: String,
    schema: &Json,
    en: Option<&Json>,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let schema = context.resolve(name, schema, false)?;
    let en = match en {
        Some(en) => Some(context.resolve(name, en, true)?),
        None => None,
    };
    let kind = schema
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| context.error(name, "no `type`"))?;
    let mut description = describe(schema, en);
    let leaf = name.rsplit(['.', ']']).next().unwrap_or(name);
    let ty = match kind {
        "object" => {
            let properties = schema.get("properties").and_then(Json::as_object);
            match (properties, schema.get("additionalProperties")) {
                (Some(properties), _) if !properties.is_empty() => {
                    rows.push(Row {
                        name: name.to_owned(),
                        ty: "object".into(),
                        required,
                        description,
                        example: String::new(),
                    });
                    return walk_properties(context, side, name, ".", schema, en, rows);
                }
                (_, Some(values)) => map_type(context, name, values)?,
                _ => "object".into(),
            }
        }
        "array" => {
            let items = schema
                .get("items")
                .ok_or_else(|| context.error(name, "an array without `items`"))?;
            let items = context.resolve(name, items, false)?;
            let en_items = en.and_then(|e| e.get("items"));
            let item_kind = items
                .get("type")
                .and_then(Json::as_str)
                .ok_or_else(|| context.error(&format!("{name}[]"), "no `type`"))?;
            match item_kind {
                "object" => {
                    let properties = items.get("properties").and_then(Json::as_object);
                    rows.push(Row {
                        name: name.to_owned(),
                        ty: "array<object>".into(),
                        required,
                        description,
                        example: String::new(),
                    });
                    if properties.is_some_and(|p| !p.is_empty()) {
                        let en_items = match en_items {
                            Some(e) => Some(context.resolve(name, e, true)?),
                            None => None,
                        };
                        return walk_properties(context, side, name, "[].", items, en_items, rows);
                    }
                    return Ok(());
                }
                "array" => {
                    return Err(context.error(
                        name,
                        "an array of arrays has no doc-table type (add one to the generator first)",
                    ));
                }
                other => {
                    let (scalar, note) =
                        scalar_type(context, name, other, items, side, leaf, false)?;
                    if let Some(note) = note {
                        append(&mut description, &note);
                    }
                    let item = scalar.split(' ').next().unwrap_or(&scalar).to_owned();
                    let rest = scalar[item.len()..].trim();
                    let mut ty = format!("array<{item}>");
                    if !rest.is_empty() {
                        ty.push(' ');
                        ty.push_str(rest);
                    }
                    ty
                }
            }
        }
        other => {
            let (ty, note) = scalar_type(context, name, other, schema, side, leaf, true)?;
            if let Some(note) = note {
                append(&mut description, &note);
            }
            ty
        }
    };
    // A list of scalars is exemplified by one item: the vendor puts the
    // example on `items`.
    let mut sample = example(schema);
    if sample.is_empty() && kind == "array" {
        if let Some(items) = schema.get("items") {
            sample = example(context.resolve(name, items, false)?);
        }
    }
    rows.push(Row {
        name: name.to_owned(),
        ty,
        required,
        description,
        example: sample,
    });
    Ok(())
}

pub(crate) fn append(description: &mut String, note: &str) {
    if !description.is_empty() {
        description.push(' ');
    }
    description.push_str(note);
}

pub(crate) fn walk_properties(
    context: &Context<'_>,
    side: Side,
    name: &str,
    joint: &str,
    schema: &Json,
    en: Option<&Json>,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let properties = schema
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or_default();
    for (key, child) in properties {
        let child_name = if name.is_empty() {
            key.clone()
        } else {
            format!("{name}{joint}{key}")
        };
        if key.is_empty() || key.contains(['.', '[', ']', '|', ' ']) {
            return Err(context.error(&child_name, "a field name a dotted path cannot hold"));
        }
        let en_child = en
            .and_then(|e| e.get("properties"))
            .and_then(|p| p.get(key));
        let required = match side {
            Side::Request if child.get("required").and_then(Json::as_bool) == Some(true) => "yes",
            _ => "no",
        };
        walk(
            context,
            side,
            &child_name,
            required.into(),
            child,
            en_child,
            rows,
        )?;
    }
    Ok(())
}

/// `map<T>` or `map` for an object with `additionalProperties`.
pub(crate) fn map_type(context: &Context<'_>, name: &str, values: &Json) -> Result<String, String> {
    let values = context.resolve(name, values, false)?;
    Ok(match values.get("type").and_then(Json::as_str) {
        Some("string") => "map<string>".into(),
        Some("boolean") => "map<boolean>".into(),
        Some("integer") => "map<long>".into(),
        Some("number") => "map<double>".into(),
        Some("any" | "object") | None => "map".into(),
        Some(other) => {
            return Err(context.error(name, format!("a map of `{other}` has no doc-table type")));
        }
    })
}

/// The type of a scalar field, and a note for its description (the values
/// of an enum the doc-table vocabulary cannot hold as one).
pub(crate) fn scalar_type(
    context: &Context<'_>,
    name: &str,
    kind: &str,
    schema: &Json,
    side: Side,
    leaf: &str,
    top: bool,
) -> Result<(String, Option<String>), String> {
    let format = schema.get("format").and_then(Json::as_str);
    let values: Vec<String> = match schema.get("enum").and_then(Json::as_array) {
        Some(values) => values.iter().filter_map(Json::scalar_text).collect(),
        None => schema
            .get("enumValueTitles")
            .and_then(Json::as_object)
            .map(|titles| titles.iter().map(|(k, _)| k.clone()).collect())
            .unwrap_or_default(),
    };
    // Lenient decoding where the vendor's own answers are known to vary
    // (`success: "True"`, numbers as strings: docs/vendor/apis.md).
    let lenient = side == Side::Response && top;
    let ty = match kind {
        "string" if !values.is_empty() => {
            let names: Vec<String> = values.iter().map(|v| enum_value(v)).collect();
            if names.iter().any(String::is_empty) {
                return Ok((
                    "string".into(),
                    Some(format!("Values: {}.", values.join(", "))),
                ));
            }
            format!("string {{enum: {}}}", names.join(", "))
        }
        "string" => "string".into(),
        "integer" => {
            let base = match format {
                Some("int64") if side == Side::Response && is_id(leaf) => "long {id}",
                Some("int64") => "long",
                Some("int32") | None => "integer",
                Some(other) => {
                    return Err(
                        context.error(name, format!("integer format `{other}` is not mapped"))
                    );
                }
            };
            let mut ty = base.to_owned();
            if lenient && !ty.contains("{id}") {
                ty.push_str(" {lenient}");
            }
            let note = (!values.is_empty()).then(|| format!("Values: {}.", values.join(", ")));
            return Ok((ty, note));
        }
        "number" => "double".into(),
        "boolean" => {
            if lenient {
                "boolean {lenient}".into()
            } else {
                "boolean".into()
            }
        }
        "any" => "any".into(),
        other => {
            return Err(context.error(name, format!("type `{other}` is not mapped")));
        }
    };
    Ok((ty, None))
}

pub(crate) fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("Id")
}
