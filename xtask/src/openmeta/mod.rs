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

mod operation;
mod overlay;
mod shared_shapes;
mod walk;

pub use overlay::{Overlay, parse_overlay};

use operation::*;
use overlay::*;
use walk::*;

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
    let mut tables = Vec::new();
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
        tables.push((name.clone(), table));
        let fixture = response_demo(name, api, root, &overlay_dir)?;
        files.insert(
            PathBuf::from(format!("fixtures/{}/{name}/response.json", service.key)),
            fixture,
        );
    }
    let types_file = format!("docs/apis/{}/types.md", service.key);
    let hand_types = hand_written_types(root, &types_file, &service.key)?;
    let shared = shared_shapes::extract(&mut tables, &hand_sections(&types_file, &hand_types)?);
    for (name, table) in &tables {
        files.insert(
            PathBuf::from(format!("docs/apis/{}/{name}.md", service.key)),
            render(table, &service.stem, name),
        );
    }
    if !shared.is_empty() {
        files.insert(
            PathBuf::from(&types_file),
            render_types(&hand_types, &shared, &service.stem),
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

// ---------------------------------------------------------------------------
// Output

/// The line after which `types.md` holds the shapes the import found shared;
/// what comes before it is written by hand and kept.
pub const TYPES_MARKER: &str = "<!-- Below: the shapes several imported operations share, found by `cargo xtask import-openmeta` (docs/ADDING_AN_API.md). Do not edit below this line: re-import. -->";

/// The hand-written part of a service's `types.md` (a new one's header when
/// there is none).
fn hand_written_types(root: &Path, relative: &str, key: &str) -> Result<String, String> {
    match fs::read_to_string(root.join(relative)) {
        Ok(text) => Ok(match text.find(TYPES_MARKER) {
            Some(at) => text[..at].trim_end().to_owned(),
            None => text.trim_end().to_owned(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(format!(
            "# types\n\nShapes several {key} tables share.\n\n```api\nkind: types\nservice: {key}\n```"
        )),
        Err(e) => Err(format!("{relative}: {e}")),
    }
}

/// The sections of the hand-written part of a `types.md`: name and rows.
fn hand_sections(file: &str, text: &str) -> Result<Vec<(String, Vec<Row>)>, String> {
    let raw = table::parse(file, text).map_err(|e| e.to_string())?;
    Ok(raw
        .sections
        .into_iter()
        .map(|section| {
            let rows = section
                .rows
                .into_iter()
                .map(|r| Row {
                    name: r.name,
                    ty: r.ty,
                    required: r.required,
                    description: r.description,
                    example: r.example,
                })
                .collect();
            (section.title, rows)
        })
        .collect())
}

/// `types.md`: the hand-written part, the marker, then one section per
/// shared shape, saying where it is used.
fn render_types(hand: &str, shared: &[shared_shapes::SharedType], stem: &str) -> String {
    let mut out = format!("{hand}\n\n{TYPES_MARKER}\n");
    for shape in shared {
        out.push_str(&format!("\n## {}\n\n", shape.name));
        if !shape.description.is_empty() {
            out.push_str(&format!("{}\n\n", shape.description));
        }
        out.push_str(&format!(
            "Used by {} (`{METADATA_DIR}/{stem}.zh_cn.json`).\n\n",
            shape.uses.join(", ")
        ));
        out.push_str("| name | type | required | description | example |\n|---|---|---|---|---|\n");
        for row in &shape.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                row.name, row.ty, row.required, row.description, row.example
            ));
        }
    }
    out
}

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
