//! `cargo xtask import-openmeta [--check]`: the vendor's Openmeta metadata
//! (`docs/openmeta/<stem>.zh_cn.json` and `.en_us.json`, checked in) becomes
//! one doc table per operation in `docs/apis/<service>/`, merged with the
//! hand-written overlays of `docs/apis/<service>/overlay/`, and one fixture
//! per operation (`fixtures/<service>/<Op>/response.json`, the metadata's
//! `responseDemo`).
//!
//! A service is imported when its `README.md` header names its metadata
//! (`openmeta: dianjin-2024-06-28`). Overlays are how knowledge the metadata
//! lacks or gets wrong survives a re-import; `docs/ADDING_AN_API.md` documents
//! them. Anything the importer cannot map is an error naming the operation
//! and the field: nothing is skipped silently.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Generated;
use crate::json::{self, Json};
use crate::table::{self, MODEL_SECTIONS};

/// The sentence every imported table carries; it also tells the importer
/// which tables it owns (a table without it is hand-written and left alone).
pub const MARKER: &str =
    "Imported from the vendor's Openmeta metadata by `cargo xtask import-openmeta`.";

/// Where the checked-in metadata lives, relative to the workspace root.
pub const METADATA_DIR: &str = "docs/openmeta";

/// One row of a model table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub ty: String,
    pub required: String,
    pub description: String,
    pub example: String,
}

/// An operation's table before it is written.
#[derive(Debug, Clone)]
struct OpTable {
    title: String,
    summary: String,
    header: Vec<(String, String)>,
    notes: Vec<String>,
    sections: Vec<(String, Vec<Row>)>,
    errors: Vec<(String, String, String)>,
    extra_sections: Vec<String>,
}

/// The service facts an imported table repeats.
struct ServiceHeader {
    key: String,
    version: String,
    style: String,
    auth: String,
    stem: String,
}

/// Every file the import produces, by path relative to `root`.
pub fn import(root: &Path) -> Result<Generated, String> {
    let mut files = Generated::new();
    let apis = root.join("docs/apis");
    for dir in sorted_dirs(&apis)? {
        let key = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let readme = format!("docs/apis/{key}/README.md");
        let text = read(root, &readme)?;
        let raw = table::parse(&readme, &text).map_err(|e| e.to_string())?;
        let header = |name: &str| {
            raw.header
                .iter()
                .find(|e| e.key == name)
                .map(|e| e.value.clone())
        };
        let Some(stem) = header("openmeta") else {
            continue;
        };
        let service = ServiceHeader {
            key: key.clone(),
            version: header("version").unwrap_or_default(),
            style: header("style").unwrap_or_default(),
            auth: header("auth").unwrap_or_default(),
            stem,
        };
        import_service(root, &service, &mut files)?;
    }
    Ok(files)
}

fn read(root: &Path, relative: &str) -> Result<String, String> {
    fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    Ok(entries)
}

fn load_metadata(root: &Path, stem: &str, language: &str) -> Result<Json, String> {
    let relative = format!("{METADATA_DIR}/{stem}.{language}.json");
    json::parse(&read(root, &relative)?).map_err(|e| format!("{relative}: {e}"))
}

fn import_service(
    root: &Path,
    service: &ServiceHeader,
    files: &mut Generated,
) -> Result<(), String> {
    let zh = load_metadata(root, &service.stem, "zh_cn")?;
    let en = load_metadata(root, &service.stem, "en_us")?;
    let source = format!("{METADATA_DIR}/{}.zh_cn.json", service.stem);
    let apis = zh
        .get("apis")
        .and_then(Json::as_object)
        .ok_or_else(|| format!("{source}: no `apis` object"))?;
    let schemas = zh.get("components").and_then(|c| c.get("schemas"));
    let en_schemas = en.get("components").and_then(|c| c.get("schemas"));
    let overlay_dir = format!("docs/apis/{}/overlay", service.key);
    let common = read_overlay(root, &format!("{overlay_dir}/all.md"))?;
    for (name, api) in apis {
        let en_api = en.get("apis").and_then(|a| a.get(name));
        let context = Context {
            op: name,
            schemas,
            en_schemas,
        };
        let mut table = operation(&context, service, api, en_api)?;
        if let Some(common) = &common {
            apply_overlay(&mut table, common, false)?;
        }
        let overlay_file = format!("{overlay_dir}/{name}.md");
        if let Some(overlay) = read_overlay(root, &overlay_file)? {
            if overlay.title != *name {
                return Err(format!(
                    "{overlay_file}: the title `{}` is not the operation `{name}`",
                    overlay.title
                ));
            }
            apply_overlay(&mut table, &overlay, true)?;
        }
        files.insert(
            PathBuf::from(format!("docs/apis/{}/{name}.md", service.key)),
            render(&table, &service.stem, name),
        );
        let fixture = response_demo(name, api, root, &overlay_dir)?;
        files.insert(
            PathBuf::from(format!("fixtures/{}/{name}/response.json", service.key)),
            fixture,
        );
    }
    // An overlay for an operation the metadata no longer has would rot unseen.
    if let Ok(entries) = fs::read_dir(root.join(&overlay_dir)) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(op) = file
                .strip_suffix(".md")
                .or(file.strip_suffix(".response.json"))
            else {
                continue;
            };
            if op != "all" && !apis.iter().any(|(name, _)| name == op) {
                return Err(format!(
                    "{overlay_dir}/{file}: the metadata has no operation `{op}`"
                ));
            }
        }
    }
    Ok(())
}

/// What resolving a schema needs: the operation (for errors) and the
/// `components.schemas` a `$ref` points into.
struct Context<'a> {
    op: &'a str,
    schemas: Option<&'a Json>,
    en_schemas: Option<&'a Json>,
}

impl<'a> Context<'a> {
    fn error(&self, field: &str, message: impl std::fmt::Display) -> String {
        format!("{}: `{field}`: {message}", self.op)
    }

    /// The schema itself, or the one its `$ref` names.
    fn resolve(&self, field: &str, schema: &'a Json, en: bool) -> Result<&'a Json, String> {
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
fn describe(zh: &Json, en: Option<&Json>) -> String {
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
fn cell(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("<br>").replace('|', "\\|")
}

/// An example made fit for one cell: trimmed, whitespace runs folded to one space.
fn example(schema: &Json) -> String {
    let Some(text) = schema.get("example").and_then(Json::scalar_text) else {
        return String::new();
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// `Name=value` where the value is not a name the generator can use.
fn enum_value(value: &str) -> String {
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
enum Side {
    Request,
    Response,
}

/// Adds the rows of `schema` (named `name`) and of everything under it.
fn walk(
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

fn append(description: &mut String, note: &str) {
    if !description.is_empty() {
        description.push(' ');
    }
    description.push_str(note);
}

fn walk_properties(
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
fn map_type(context: &Context<'_>, name: &str, values: &Json) -> Result<String, String> {
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
fn scalar_type(
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

fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("Id")
}

fn operation(
    context: &Context<'_>,
    service: &ServiceHeader,
    api: &Json,
    en_api: Option<&Json>,
) -> Result<OpTable, String> {
    let op = context.op;
    let string = |key: &str| {
        api.get(key)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let methods = api
        .get("methods")
        .and_then(Json::as_array)
        .unwrap_or_default();
    let [method] = methods else {
        return Err(format!(
            "{op}: expected exactly one method, found {}",
            methods.len()
        ));
    };
    let method = method
        .as_str()
        .ok_or_else(|| format!("{op}: a method that is not a string"))?
        .to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "DELETE") {
        return Err(format!("{op}: method `{method}` is not mapped"));
    }
    let path = string("path");
    if !path.starts_with('/') {
        return Err(format!("{op}: path `{path}` does not start with `/`"));
    }
    let schemes: Vec<&str> = api
        .get("schemes")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    for scheme in &schemes {
        if !matches!(*scheme, "http" | "https" | "sse" | "websocket") {
            return Err(format!("{op}: scheme `{scheme}` is not mapped"));
        }
    }

    let mut path_rows = Vec::new();
    let mut query_rows = Vec::new();
    let mut body_rows = Vec::new();
    let en_params = en_api
        .and_then(|a| a.get("parameters"))
        .and_then(Json::as_array);
    for parameter in api
        .get("parameters")
        .and_then(Json::as_array)
        .unwrap_or_default()
    {
        let name = parameter
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{op}: a parameter without a name"))?;
        let location = parameter
            .get("in")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let schema = parameter
            .get("schema")
            .ok_or_else(|| context.error(name, "a parameter without a schema"))?;
        let en_schema = en_params
            .and_then(|ps| {
                ps.iter()
                    .find(|p| p.get("name").and_then(Json::as_str) == Some(name))
            })
            .and_then(|p| p.get("schema"));
        let style = parameter.get("style").and_then(Json::as_str);
        let required = schema.get("required").and_then(Json::as_bool) == Some(true);
        match location {
            "path" => {
                // A path parameter is always required: the path cannot be built without it.
                walk(
                    context,
                    Side::Request,
                    name,
                    "yes".into(),
                    schema,
                    en_schema,
                    &mut path_rows,
                )?;
            }
            "query" => {
                let mut rows = Vec::new();
                walk(
                    context,
                    Side::Request,
                    name,
                    if required { "yes" } else { "no" }.into(),
                    schema,
                    en_schema,
                    &mut rows,
                )?;
                if rows.len() != 1 {
                    return Err(context.error(name, "an object in the query has no doc-table form"));
                }
                match style {
                    None | Some("form") => {}
                    Some("simple") => rows[0].ty.push_str(" {style: simple}"),
                    Some("repeatList" | "flat") => rows[0].ty.push_str(" {style: repeat}"),
                    Some(other) => {
                        return Err(
                            context.error(name, format!("query style `{other}` is not mapped"))
                        );
                    }
                }
                query_rows.extend(rows);
            }
            "body" => {
                match style {
                    Some("json") | None => {}
                    Some(other) => {
                        return Err(
                            context.error(name, format!("body style `{other}` is not mapped"))
                        );
                    }
                }
                let schema = context.resolve(name, schema, false)?;
                if schema.get("type").and_then(Json::as_str) != Some("object") {
                    return Err(context.error(name, "a body that is not a JSON object"));
                }
                let en_schema = match en_schema {
                    Some(e) => Some(context.resolve(name, e, true)?),
                    None => None,
                };
                walk_properties(
                    context,
                    Side::Request,
                    "",
                    "",
                    schema,
                    en_schema,
                    &mut body_rows,
                )?;
            }
            other => {
                return Err(context.error(
                    name,
                    format!("parameters `in: {other}` have no doc-table section"),
                ));
            }
        }
    }

    let response = api
        .get("responses")
        .and_then(|r| r.get("200"))
        .and_then(|r| r.get("schema"))
        .ok_or_else(|| format!("{op}: no 200 response schema"))?;
    let en_response = en_api
        .and_then(|a| a.get("responses"))
        .and_then(|r| r.get("200"))
        .and_then(|r| r.get("schema"));
    let response = context.resolve("200", response, false)?;
    let mut response_rows = Vec::new();
    walk_properties(
        context,
        Side::Response,
        "",
        "",
        response,
        en_response,
        &mut response_rows,
    )?;

    let streaming = if schemes.contains(&"sse") {
        // The boolean body field that asks for the stream, when there is one.
        match body_rows
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case("stream") && r.ty.starts_with("boolean"))
        {
            Some(row) => format!("sse when {}", row.name),
            None => "sse".into(),
        }
    } else {
        "no".into()
    };
    let mut header = vec![
        ("kind".to_owned(), "operation".to_owned()),
        ("service".to_owned(), service.key.clone()),
        ("version".to_owned(), service.version.clone()),
        ("style".to_owned(), service.style.clone()),
        ("auth".to_owned(), service.auth.clone()),
        ("method".to_owned(), method.clone()),
        ("path".to_owned(), path),
        ("action".to_owned(), op.to_owned()),
        ("streaming".to_owned(), streaming),
    ];
    // `operationType: read` marks a POST that only reads: safe to retry.
    if method != "GET" && api.get("operationType").and_then(Json::as_str) == Some("read") {
        header.push(("idempotent".to_owned(), "yes".to_owned()));
    }

    let mut notes = Vec::new();
    if schemes.contains(&"websocket") {
        notes.push(
            "The vendor serves this path over WebSocket (`schemes` lists `websocket`). The doc-table \
             format has no WebSocket operations: the SDK sends the plain HTTPS request the \
             vendor's own SDKs send, and the answer is decoded as JSON."
                .to_owned(),
        );
    }
    let summary_of = |api: &Json| {
        let text = |key: &str| {
            api.get(key)
                .and_then(Json::as_str)
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty())
        };
        text("summary")
            .or_else(|| text("title"))
            .unwrap_or_default()
    };
    let zh_summary = summary_of(api);
    let en_summary = en_api.map(summary_of).unwrap_or_default();
    let summary = match (zh_summary.is_empty(), en_summary.is_empty()) {
        (true, true) => return Err(format!("{op}: no summary or title")),
        (_, true) => zh_summary,
        (true, false) => en_summary,
        (false, false) if zh_summary == en_summary => zh_summary,
        (false, false) => format!("{zh_summary} {en_summary}"),
    };

    let mut errors = Vec::new();
    if let Some(codes) = api.get("errorCodes").and_then(Json::as_object) {
        for (status, list) in codes {
            for entry in list.as_array().unwrap_or_default() {
                let code = entry
                    .get("errorCode")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                let message = entry
                    .get("errorMessage")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                errors.push((status.clone(), cell(code), cell(message)));
            }
        }
    }

    let mut sections = Vec::new();
    for (title, rows) in [
        ("Path parameters", path_rows),
        ("Query parameters", query_rows),
        ("Request body", body_rows),
        ("Response body", response_rows),
    ] {
        if !rows.is_empty() || title == "Response body" {
            sections.push((title.to_owned(), rows));
        }
    }
    Ok(OpTable {
        title: op.to_owned(),
        summary,
        header,
        notes,
        sections,
        errors,
        extra_sections: Vec::new(),
    })
}

/// The fixture: the metadata's example answer, or the overlay's corrected one
/// (`overlay/<Op>.response.json`) when the metadata's is not JSON.
fn response_demo(op: &str, api: &Json, root: &Path, overlay_dir: &str) -> Result<String, String> {
    let corrected = format!("{overlay_dir}/{op}.response.json");
    if root.join(&corrected).exists() {
        let text = read(root, &corrected)?;
        json::parse(&text).map_err(|e| format!("{corrected}: {e}"))?;
        return Ok(text);
    }
    let demo = api
        .get("responseDemo")
        .and_then(Json::as_str)
        .ok_or_else(|| format!("{op}: no `responseDemo` (write {corrected})"))?;
    let demos = json::parse(demo).map_err(|e| format!("{op}: `responseDemo`: {e}"))?;
    let example = demos
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter(|d| d.get("type").and_then(Json::as_str) == Some("json"))
        .find_map(|d| {
            d.get("example")
                .and_then(Json::as_str)
                .filter(|e| !e.trim().is_empty())
        })
        .ok_or_else(|| format!("{op}: `responseDemo` has no JSON example (write {corrected})"))?;
    let value = json::parse(example).map_err(|e| {
        format!("{op}: the `responseDemo` example is not JSON ({e}); write the corrected one to {corrected}")
    })?;
    Ok(json::pretty(&value))
}

// ---------------------------------------------------------------------------
// Overlays

/// A hand-written overlay (`docs/apis/<service>/overlay/<Op>.md`).
#[derive(Debug, Clone)]
pub struct Overlay {
    file: String,
    title: String,
    summary: String,
    header: Vec<(String, String)>,
    notes: String,
    sections: Vec<(String, Vec<table::Row>)>,
    extra_sections: Vec<String>,
}

fn read_overlay(root: &Path, relative: &str) -> Result<Option<Overlay>, String> {
    if !root.join(relative).exists() {
        return Ok(None);
    }
    let text = read(root, relative)?;
    parse_overlay(relative, &text).map(Some)
}

/// Parses an overlay: a doc-table file with `kind: overlay`.
pub fn parse_overlay(file: &str, text: &str) -> Result<Overlay, String> {
    let raw = table::parse(file, text).map_err(|e| e.to_string())?;
    let kind = raw.header.iter().find(|e| e.key == "kind");
    if kind.map(|e| e.value.as_str()) != Some("overlay") {
        return Err(format!(
            "{file}:{}: an overlay's header says `kind: overlay`",
            raw.header_line
        ));
    }
    // The prose after the header block, and every `##` section that is not a
    // model table, are carried over verbatim.
    let mut notes = Vec::new();
    let mut extra: Vec<String> = Vec::new();
    let mut fence = false;
    let mut seen_header = false;
    let mut in_model = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            let was = fence;
            fence = !fence;
            if was && !seen_header {
                seen_header = true;
                continue;
            }
            if !seen_header {
                continue;
            }
        } else if !seen_header {
            continue;
        }
        let heading = if fence {
            None
        } else {
            trimmed.strip_prefix("## ")
        };
        if let Some(heading) = heading {
            in_model = MODEL_SECTIONS.contains(&heading.trim());
            if !in_model {
                extra.push(String::new());
            }
        }
        if in_model {
            continue;
        }
        match extra.last_mut() {
            Some(section) => {
                section.push_str(line);
                section.push('\n');
            }
            None => notes.push(line),
        }
    }
    Ok(Overlay {
        file: file.to_owned(),
        title: raw.title.clone(),
        summary: raw.summary.clone(),
        header: raw
            .header
            .iter()
            .filter(|e| e.key != "kind")
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect(),
        notes: notes.join("\n").trim().to_owned(),
        sections: raw
            .sections
            .iter()
            .filter(|s| MODEL_SECTIONS.contains(&s.title.as_str()))
            .map(|s| (s.title.clone(), s.rows.clone()))
            .collect(),
        extra_sections: extra.iter().map(|s| s.trim().to_owned()).collect(),
    })
}

/// Whether `name` is inside the subtree of `parent`.
fn is_descendant(name: &str, parent: &str) -> bool {
    name.strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]."))
}

/// Merges an overlay into an imported table. A row replaces the imported row
/// of the same name cell by cell (an empty cell keeps the imported text); a
/// row the metadata lacks is added after its parent's subtree; the type `-`
/// removes a row and its subtree; a `{ref: Type}` row drops the imported
/// children (the shared type defines them). The service-wide overlay
/// (`all.md`, `specific == false`) only touches rows that exist.
fn apply_overlay(table: &mut OpTable, overlay: &Overlay, specific: bool) -> Result<(), String> {
    for (key, value) in &overlay.header {
        match table.header.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.clone(),
            None => table.header.push((key.clone(), value.clone())),
        }
    }
    if specific {
        if !overlay.summary.is_empty() {
            table.summary = overlay.summary.clone();
        }
        if !overlay.notes.is_empty() {
            table.notes.push(overlay.notes.clone());
        }
        table
            .extra_sections
            .extend(overlay.extra_sections.iter().cloned());
    }
    for (title, rows) in &overlay.sections {
        let index = match table.sections.iter().position(|(t, _)| t == title) {
            Some(index) => index,
            None if specific => {
                let order = MODEL_SECTIONS.iter().position(|t| t == title).unwrap_or(0);
                let at = table
                    .sections
                    .iter()
                    .position(|(t, _)| {
                        MODEL_SECTIONS.iter().position(|m| m == t).unwrap_or(0) > order
                    })
                    .unwrap_or(table.sections.len());
                table.sections.insert(at, (title.clone(), Vec::new()));
                at
            }
            None => continue,
        };
        let imported = &mut table.sections[index].1;
        for row in rows {
            let error =
                |message: &str| format!("{}:{}: `{}`: {message}", overlay.file, row.line, row.name);
            match imported.iter().position(|r| r.name == row.name) {
                Some(at) => {
                    if row.ty == "-" {
                        imported
                            .retain(|r| r.name != row.name && !is_descendant(&r.name, &row.name));
                        continue;
                    }
                    if row.ty.contains("{ref:") {
                        imported.retain(|r| !is_descendant(&r.name, &row.name));
                    }
                    let at = imported
                        .iter()
                        .position(|r| r.name == row.name)
                        .unwrap_or(at);
                    let target = &mut imported[at];
                    for (cell, value) in [
                        (&mut target.ty, &row.ty),
                        (&mut target.required, &row.required),
                        (&mut target.description, &row.description),
                        (&mut target.example, &row.example),
                    ] {
                        if !value.is_empty() {
                            *cell = value.clone();
                        }
                    }
                }
                None if !specific => {}
                None => {
                    if row.ty == "-" {
                        return Err(error("removes a row the metadata does not have"));
                    }
                    if row.ty.is_empty() || row.required.is_empty() {
                        return Err(error(
                            "adds a row: its type and required cells cannot be empty",
                        ));
                    }
                    let parent = row
                        .name
                        .rfind('.')
                        .map(|i| row.name[..i].trim_end_matches("[]").to_owned());
                    let at = match parent {
                        Some(parent) => {
                            let start = imported.iter().position(|r| r.name == parent).ok_or_else(
                                || error(&format!("its parent `{parent}` is not a row")),
                            )?;
                            let mut end = start + 1;
                            while end < imported.len()
                                && is_descendant(&imported[end].name, &parent)
                            {
                                end += 1;
                            }
                            end
                        }
                        None => imported.len(),
                    };
                    imported.insert(
                        at,
                        Row {
                            name: row.name.clone(),
                            ty: row.ty.clone(),
                            required: row.required.clone(),
                            description: row.description.clone(),
                            example: row.example.clone(),
                        },
                    );
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Output

fn render(table: &OpTable, stem: &str, op: &str) -> String {
    let mut out = format!("# {}\n\n{}\n\n```api\n", table.title, table.summary);
    for (key, value) in &table.header {
        out.push_str(&format!("{key}: {value}\n"));
    }
    out.push_str("```\n\n");
    out.push_str(&format!(
        "{MARKER} Source: `{METADATA_DIR}/{stem}.zh_cn.json` (and `.en_us.json` for the English \
         glosses), `apis.{op}`. Do not edit this file: change the overlay \
         `overlay/{op}.md` (or `overlay/all.md`) and re-import (docs/ADDING_AN_API.md).\n"
    ));
    for note in &table.notes {
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    for (title, rows) in &table.sections {
        out.push_str(&format!(
            "\n## {title}\n\n| name | type | required | description | example |\n|---|---|---|---|---|\n"
        ));
        for row in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                row.name, row.ty, row.required, row.description, row.example
            ));
        }
    }
    if !table.errors.is_empty() {
        out.push_str("\n## Errors\n\n| HTTP status | code | message |\n|---|---|---|\n");
        for (status, code, message) in &table.errors {
            out.push_str(&format!("| {status} | {code} | {message} |\n"));
        }
    }
    for section in &table.extra_sections {
        out.push('\n');
        out.push_str(section);
        out.push('\n');
    }
    out
}

/// Imported tables (they carry [`MARKER`]) that the metadata no longer produces.
pub fn stale_tables(root: &Path, files: &Generated) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    let Ok(dirs) = sorted_dirs(&root.join("docs/apis")) else {
        return stale;
    };
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            if path.extension().is_some_and(|e| e == "md")
                && !files.contains_key(relative)
                && fs::read_to_string(&path).is_ok_and(|t| t.contains(MARKER))
            {
                stale.push(relative.to_path_buf());
            }
        }
    }
    stale
}

/// The number of imported operations per service (for the summary line).
pub fn count(files: &Generated) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for path in files.keys() {
        if let (Some("md"), Some(service)) = (
            path.extension().and_then(|e| e.to_str()),
            path.parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str()),
        ) {
            *counts.entry(service.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> ServiceHeader {
        ServiceHeader {
            key: "sample".into(),
            version: "2024-01-01".into(),
            style: "ROA".into(),
            auth: "ACS3-HMAC-SHA256".into(),
            stem: "sample".into(),
        }
    }

    fn import_one(api: &str, schemas: &str) -> Result<OpTable, String> {
        let api = json::parse(api).unwrap();
        let schemas = json::parse(schemas).unwrap();
        let context = Context {
            op: "Op",
            schemas: Some(&schemas),
            en_schemas: None,
        };
        operation(&context, &service(), &api, None)
    }

    const RESPONSE: &str = r#""responses": {"200": {"schema": {"type": "object", "properties": {"requestId": {"type": "string"}}}}}"#;

    #[test]
    fn refs_into_components_schemas_become_dotted_rows() {
        let api = format!(
            r##"{{"summary": "s", "path": "/{{ws}}/x", "methods": ["post"], "schemes": ["https"],
            "parameters": [{{"name": "ws", "in": "path", "schema": {{"type": "string"}}}},
              {{"name": "ids", "in": "query", "style": "simple", "schema": {{"type": "array", "items": {{"type": "integer", "format": "int64", "example": "7"}}}}}},
              {{"name": "body", "in": "body", "style": "json", "schema": {{"type": "object", "properties": {{"doc": {{"$ref": "#/components/schemas/Doc"}}}}}}}}],
            {RESPONSE}}}"##
        );
        let table = import_one(&api, r##"{"Doc": {"type": "object", "properties": {"name": {"type": "string", "required": true, "enum": ["a", "1x"]}}}}"##).unwrap();
        let body = &table
            .sections
            .iter()
            .find(|(t, _)| t == "Request body")
            .unwrap()
            .1;
        let rows: Vec<(&str, &str, &str)> = body
            .iter()
            .map(|r| (r.name.as_str(), r.ty.as_str(), r.required.as_str()))
            .collect();
        // An enum value that is not a name gets one (`V1x=1x`).
        assert_eq!(
            rows,
            [
                ("doc", "object", "no"),
                ("doc.name", "string {enum: a, V1x=1x}", "yes")
            ]
        );
        let query = &table
            .sections
            .iter()
            .find(|(t, _)| t == "Query parameters")
            .unwrap()
            .1;
        assert_eq!(query[0].ty, "array<long> {style: simple}");
        assert_eq!(query[0].example, "7");
    }

    #[test]
    fn what_cannot_be_mapped_is_an_error_naming_the_operation_and_field() {
        let header = format!(
            r##"{{"summary": "s", "path": "/x", "methods": ["get"], "schemes": ["https"],
            "parameters": [{{"name": "x-token", "in": "header", "schema": {{"type": "string"}}}}], {RESPONSE}}}"##
        );
        let error = import_one(&header, "{}").unwrap_err();
        assert!(
            error.starts_with("Op: `x-token`: parameters `in: header`"),
            "{error}"
        );
        let nested = format!(
            r##"{{"summary": "s", "path": "/x", "methods": ["get"], "schemes": ["https"],
            "parameters": [{{"name": "m", "in": "query", "schema": {{"type": "array", "items": {{"type": "array", "items": {{"type": "string"}}}}}}}}], {RESPONSE}}}"##
        );
        let error = import_one(&nested, "{}").unwrap_err();
        assert!(error.starts_with("Op: `m`: an array of arrays"), "{error}");
        let dangling = format!(
            r##"{{"summary": "s", "path": "/x", "methods": ["get"], "schemes": ["https"],
            "parameters": [{{"name": "q", "in": "query", "schema": {{"$ref": "#/components/schemas/Gone"}}}}], {RESPONSE}}}"##
        );
        let error = import_one(&dangling, "{}").unwrap_err();
        assert!(
            error.contains("`q`") && error.contains("no such schema"),
            "{error}"
        );
    }
}
