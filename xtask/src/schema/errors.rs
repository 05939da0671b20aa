//! A service's error vocabulary: the `## Errors` table of its `README.md`
//! (`| status | code | class | meaning |`), whose class says what a code means
//! for a retry; the retry classifier, the facade's `is_throttling()` and
//! `is_retryable()` and the emulator's throttling answers all read it.

/// What a documented code says about trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Throttling,
    Transient,
    Permanent,
}

impl ErrorClass {
    /// The variant of `aliyun_ai_core::ErrorClass`.
    pub fn variant(self) -> &'static str {
        match self {
            ErrorClass::Throttling => "Throttling",
            ErrorClass::Transient => "Transient",
            ErrorClass::Permanent => "Permanent",
        }
    }
}

/// One row of a service's `## Errors` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCodeDef {
    pub status: u16,
    pub code: String,
    pub class: Option<ErrorClass>,
    pub meaning: String,
}

/// The rows of the `## Errors` table of a service README's text (none when
/// it has no such section). Errors name the file and line.
pub fn service_errors(file: &str, text: &str) -> std::result::Result<Vec<ErrorCodeDef>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == "## Errors") else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        let trimmed = line.trim();
        if trimmed.starts_with("## ") {
            break;
        }
        if !trimmed.starts_with('|') {
            if columns.is_some() && !rows.is_empty() {
                break;
            }
            continue;
        }
        let cells: Vec<String> = trimmed
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        let at = |message: String| format!("{file}:{}: {message}", index + 1);
        let Some(names) = &columns else {
            let names: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
            if names != ["status", "code", "class", "meaning"] {
                return Err(at(format!(
                    "the `## Errors` columns are `status | code | class | meaning`, found `{}`",
                    cells.join(" | ")
                )));
            }
            columns = Some(names);
            continue;
        };
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        if cells.len() != names.len() {
            return Err(at(format!(
                "{} cells, expected {}",
                cells.len(),
                names.len()
            )));
        }
        let status = cells[0]
            .parse::<u16>()
            .map_err(|_| at(format!("`{}`: the status is a number", cells[0])))?;
        let code = cells[1].trim_matches('`').to_owned();
        if code.is_empty() || code.contains([' ', '/', '|']) {
            return Err(at(format!("`{code}`: one code per row")));
        }
        let class = match cells[2].as_str() {
            "" => None,
            "throttling" => Some(ErrorClass::Throttling),
            "transient" => Some(ErrorClass::Transient),
            "permanent" => Some(ErrorClass::Permanent),
            other => {
                return Err(at(format!(
                    "`{other}`: the class is throttling, transient, permanent or empty"
                )));
            }
        };
        if rows.iter().any(|r: &ErrorCodeDef| r.code == code) {
            return Err(at(format!("`{code}` twice")));
        }
        rows.push(ErrorCodeDef {
            status,
            code,
            class,
            meaning: cells[3].clone(),
        });
    }
    Ok(rows)
}
