//! The header block of a table: service, operation and document keys.

use super::*;

pub(crate) struct Header<'a> {
    table: &'a RawTable,
    entries: BTreeMap<&'a str, &'a HeaderEntry>,
}

impl<'a> Header<'a> {
    pub(crate) fn new(table: &'a RawTable, allowed: &[&str]) -> Result<Self> {
        let mut entries = BTreeMap::new();
        for entry in &table.header {
            if !allowed.contains(&entry.key.as_str()) {
                return Err(table.error(
                    entry.line,
                    format!(
                        "unknown header key `{}` (expected one of: {})",
                        entry.key,
                        allowed.join(", ")
                    ),
                ));
            }
            if entries.insert(entry.key.as_str(), entry).is_some() {
                return Err(table.error(
                    entry.line,
                    format!("header key `{}` given twice", entry.key),
                ));
            }
        }
        Ok(Self { table, entries })
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a HeaderEntry> {
        self.entries.get(key).copied()
    }

    pub(crate) fn require(&self, key: &str) -> Result<&'a HeaderEntry> {
        self.get(key).ok_or_else(|| {
            self.table.error(
                self.table.header_line,
                format!("the header block lacks `{key}`"),
            )
        })
    }
}

pub(crate) fn parse_style(table: &RawTable, entry: &HeaderEntry) -> Result<Style> {
    match entry.value.as_str() {
        "ROA" => Ok(Style::Roa),
        "RPC" => Ok(Style::Rpc),
        "DashScope" => Ok(Style::DashScope),
        other => Err(table.error(
            entry.line,
            format!("style `{other}` is not ROA, RPC or DashScope"),
        )),
    }
}

pub(crate) fn parse_auth(table: &RawTable, entry: &HeaderEntry) -> Result<Auth> {
    match entry.value.as_str() {
        "ACS3-HMAC-SHA256" => Ok(Auth::Acs3),
        "Bearer" => Ok(Auth::Bearer),
        other => Err(table.error(
            entry.line,
            format!("auth `{other}` is not ACS3-HMAC-SHA256 or Bearer"),
        )),
    }
}

/// `-` means "no version" (DashScope).
pub(crate) fn version_value(text: &str) -> String {
    if text == "-" {
        String::new()
    } else {
        text.to_owned()
    }
}

/// A table's `service` must be its folder's.
pub(crate) fn check_service(
    table: &RawTable,
    header: &Header<'_>,
    service: &Service,
) -> Result<()> {
    let entry = header.require("service")?;
    if entry.value != service.key {
        return Err(table.error(
            entry.line,
            format!(
                "service `{}` does not match the folder `{}`",
                entry.value, service.key
            ),
        ));
    }
    Ok(())
}

pub(crate) fn expect_kind(table: &RawTable, header: &Header<'_>, kind: &str) -> Result<()> {
    let entry = header.require("kind")?;
    if entry.value != kind {
        return Err(table.error(
            entry.line,
            format!("expected `kind: {kind}`, found `{}`", entry.value),
        ));
    }
    Ok(())
}

/// Reads a service file (`docs/apis/<service>/README.md`).
pub fn service(table: &RawTable, key: &str) -> Result<Service> {
    let header = Header::new(
        table,
        &[
            "kind", "service", "product", "version", "style", "auth", "endpoint", "openmeta",
            "facade", "feature",
        ],
    )?;
    expect_kind(table, &header, "service")?;
    let service = header.require("service")?;
    if service.value != key {
        return Err(table.error(
            service.line,
            format!(
                "service `{}` does not match its folder `{key}`",
                service.value
            ),
        ));
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(table.error(
            service.line,
            "a service key is lowercase letters and digits",
        ));
    }
    let endpoint = header.require("endpoint")?;
    Ok(Service {
        key: key.to_owned(),
        file: table.file.clone(),
        title: table.title.clone(),
        summary: table.summary.clone(),
        product: header.require("product")?.value.clone(),
        version: version_value(&header.require("version")?.value),
        style: parse_style(table, header.require("style")?)?,
        auth: parse_auth(table, header.require("auth")?)?,
        endpoint: (endpoint.value != "-").then(|| endpoint.value.clone()),
        facade: match header.get("facade") {
            Some(entry) => {
                let parts: Vec<&str> = entry.value.split_whitespace().collect();
                let valid = matches!(parts.as_slice(), [ty, accessor]
                    if ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && ty.chars().all(|c| c.is_ascii_alphanumeric())
                        && accessor.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
                if !valid {
                    return Err(table.error(
                        entry.line,
                        "facade is the client type and its accessor (`DianJin dianjin`)",
                    ));
                }
                Some((parts[0].to_owned(), parts[1].to_owned()))
            }
            None => None,
        },
        feature: match (header.get("feature"), header.get("facade")) {
            (Some(entry), _) => Some(entry.value.clone()),
            (None, Some(_)) => Some(key.to_owned()),
            (None, None) => None,
        },
        errors: Vec::new(),
        modules: Vec::new(),
    })
}
