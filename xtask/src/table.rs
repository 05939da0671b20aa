//! Reads a doc table file (`docs/apis/<service>/<Name>.md`) into its raw parts:
//! the `api` header block, the summary paragraph and the `##` tables. Meaning
//! is given to them in `schema.rs`. The format is defined in `docs/apis/README.md`.

use std::fmt;

/// An error at a place in a doc table file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for TableError {}

/// One `key: value` line of the header block.
#[derive(Debug, Clone)]
pub struct HeaderEntry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// One row of a table with the columns `name | type | required | description | example`.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub ty: String,
    pub required: String,
    pub description: String,
    pub example: String,
}

/// A `##` section holding a table.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub line: usize,
    pub rows: Vec<Row>,
    /// The prose between the heading and the table (a shared type's docs).
    pub text: String,
}

/// A parsed doc table file.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub file: String,
    pub title: String,
    pub summary: String,
    pub header: Vec<HeaderEntry>,
    pub header_line: usize,
    pub sections: Vec<Section>,
}

impl RawTable {
    pub fn error(&self, line: usize, message: impl Into<String>) -> TableError {
        TableError {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }
}

pub const COLUMNS: [&str; 5] = ["name", "type", "required", "description", "example"];

/// The `##` sections whose table defines a model. Other sections are prose
/// (notes, error codes) and may hold tables of any shape.
pub const MODEL_SECTIONS: [&str; 5] = [
    "Path parameters",
    "Query parameters",
    "Request body",
    "Response body",
    "Document",
];

/// Splits a markdown table line into trimmed cells; `\|` is a literal pipe.
pub fn split_cells(line: &str) -> Vec<String> {
    let trimmed = line.trim();
    let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
    let inner = inner
        .strip_suffix('|')
        .filter(|s| !s.ends_with('\\'))
        .unwrap_or(inner);
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                current.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut current).trim().to_owned()),
            other => current.push(other),
        }
    }
    cells.push(current.trim().to_owned());
    cells
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// Parses the text of a doc table file.
pub fn parse(file: &str, text: &str) -> Result<RawTable, TableError> {
    let err = |line: usize, message: String| TableError {
        file: file.to_owned(),
        line,
        message,
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut title = None;
    let mut summary = String::new();
    let mut header = Vec::new();
    let mut header_line = 0;
    let mut sections: Vec<Section> = Vec::new();
    let mut index = 0;
    let mut in_table = false;
    while index < lines.len() {
        let line_no = index + 1;
        let line = lines[index];
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            let info = trimmed.trim_start_matches('`').trim();
            let start = index;
            index += 1;
            while index < lines.len() && !lines[index].trim().starts_with("```") {
                if info == "api" {
                    let entry = lines[index].trim();
                    if !entry.is_empty() && !entry.starts_with('#') {
                        let (key, value) = entry.split_once(':').ok_or_else(|| {
                            err(
                                index + 1,
                                format!("header line `{entry}` is not `key: value`"),
                            )
                        })?;
                        header.push(HeaderEntry {
                            key: key.trim().to_owned(),
                            value: value.trim().to_owned(),
                            line: index + 1,
                        });
                    }
                }
                index += 1;
            }
            if index == lines.len() {
                return Err(err(start + 1, "unterminated code block".into()));
            }
            if info == "api" {
                if header_line != 0 {
                    return Err(err(start + 1, "a second `api` header block".into()));
                }
                header_line = start + 1;
            }
            index += 1;
            in_table = false;
            continue;
        }
        if let Some(heading) = trimmed.strip_prefix("# ") {
            if title.is_some() {
                return Err(err(line_no, "a second `# ` title".into()));
            }
            title = Some(heading.trim().to_owned());
        } else if let Some(heading) = trimmed.strip_prefix("## ") {
            if sections.iter().any(|s| s.title == heading.trim())
                && MODEL_SECTIONS.contains(&heading.trim())
            {
                return Err(err(
                    line_no,
                    format!("a second `## {}` section", heading.trim()),
                ));
            }
            sections.push(Section {
                title: heading.trim().to_owned(),
                line: line_no,
                rows: Vec::new(),
                text: String::new(),
            });
            in_table = false;
        } else if trimmed.starts_with('|') {
            let Some(section) = sections.last_mut() else {
                return Err(err(line_no, "a table outside any `##` section".into()));
            };
            // In a `kind: types` file every section is one shared type's table.
            let is_types = header.iter().any(|e| e.key == "kind" && e.value == "types");
            if !is_types && !MODEL_SECTIONS.contains(&section.title.as_str()) {
                index += 1;
                continue;
            }
            let cells = split_cells(trimmed);
            if !in_table {
                // The column header, then the separator.
                let names: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
                if names != COLUMNS {
                    return Err(err(
                        line_no,
                        format!(
                            "table columns must be `{}`, found `{}`",
                            COLUMNS.join(" | "),
                            cells.join(" | ")
                        ),
                    ));
                }
                if !section.rows.is_empty() {
                    return Err(err(line_no, "a second table in one section".into()));
                }
                let separator = lines
                    .get(index + 1)
                    .map(|l| split_cells(l))
                    .unwrap_or_default();
                if separator.len() != COLUMNS.len() || !is_separator(&separator) {
                    return Err(err(
                        line_no + 1,
                        "expected the `|---|` separator row".into(),
                    ));
                }
                index += 2;
                in_table = true;
                continue;
            }
            if cells.len() != COLUMNS.len() {
                return Err(err(
                    line_no,
                    format!("expected {} cells, found {}", COLUMNS.len(), cells.len()),
                ));
            }
            let mut cells = cells.into_iter();
            let mut next = || cells.next().unwrap_or_default();
            section.rows.push(Row {
                line: line_no,
                name: next(),
                ty: next(),
                required: next(),
                description: next(),
                example: next(),
            });
        } else {
            in_table = false;
            if let Some(section) = sections.last_mut().filter(|s| s.rows.is_empty()) {
                if !trimmed.is_empty() {
                    if !section.text.is_empty() {
                        section.text.push(' ');
                    }
                    section.text.push_str(trimmed);
                }
            }
            if title.is_some() && sections.is_empty() && header_line == 0 && !trimmed.is_empty() {
                if !summary.is_empty() {
                    summary.push(' ');
                }
                summary.push_str(trimmed);
            }
        }
        index += 1;
    }
    let title = title.ok_or_else(|| err(1, "missing the `# Name` title".into()))?;
    if header_line == 0 {
        return Err(err(1, "missing the ```api header block".into()));
    }
    Ok(RawTable {
        file: file.to_owned(),
        title,
        summary,
        header,
        header_line,
        sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_on_unescaped_pipes() {
        assert_eq!(split_cells("| a | b \\| c | d |"), ["a", "b | c", "d"]);
        assert_eq!(split_cells("|a||b|"), ["a", "", "b"]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "# X\n\n```api\nkind: document\n```\n\n## Errors\n\n| code | status |\n|---|---|\n\n## Document\n\n| name | type |\n|---|---|\n";
        let error = parse("docs/apis/x/X.md", text).unwrap_err();
        assert_eq!(error.line, 14);
        assert!(
            error
                .to_string()
                .starts_with("docs/apis/x/X.md:14: table columns must be")
        );

        let text = "# X\n\n```api\nkind\n```\n";
        let error = parse("f.md", text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "f.md:4: header line `kind` is not `key: value`"
        );
    }

    #[test]
    fn rows_keep_their_line_numbers() {
        let text = "# X\n\nSummary text.\n\n```api\nkind: document\n```\n\n## Document\n\n| name | type | required | description | example |\n|---|---|---|---|---|\n| a | string | no | A \\| B | x |\n";
        let table = parse("f.md", text).unwrap();
        assert_eq!(table.summary, "Summary text.");
        let row = &table.sections[0].rows[0];
        assert_eq!((row.line, row.description.as_str()), (13, "A | B"));
    }
}
