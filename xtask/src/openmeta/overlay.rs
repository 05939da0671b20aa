//! Overlays (`docs/apis/<service>/overlay/`): parsed and applied to an imported table.

use super::*;

/// A hand-written overlay (`docs/apis/<service>/overlay/<Op>.md`).
#[derive(Debug, Clone)]
pub struct Overlay {
    pub(crate) file: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) header: Vec<(String, String)>,
    pub(crate) notes: String,
    pub(crate) sections: Vec<(String, Vec<table::Row>)>,
    pub(crate) extra_sections: Vec<String>,
}

pub(crate) fn read_overlay(root: &Path, relative: &str) -> Result<Option<Overlay>, String> {
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
pub(crate) fn is_descendant(name: &str, parent: &str) -> bool {
    name.strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]."))
}

/// Merges an overlay into an imported table. A row replaces the imported row
/// of the same name cell by cell (an empty cell keeps the imported text); a
/// row the metadata lacks is added after its parent's subtree; the type `-`
/// removes a row and its subtree; a `{ref: Type}` row drops the imported
/// children (the shared type defines them). The service-wide overlay
/// (`all.md`, `specific == false`) only touches rows that exist.
pub(crate) fn apply_overlay(
    table: &mut OpTable,
    overlay: &Overlay,
    specific: bool,
) -> Result<(), String> {
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
