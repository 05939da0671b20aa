//! A table as a module: an operation (request, response, `Operation` facts) or a document.

use super::*;

pub(crate) fn section<'a>(table: &'a RawTable, title: &str) -> Option<&'a crate::table::Section> {
    table
        .sections
        .iter()
        .find(|s| s.title == title && !s.rows.is_empty())
}

pub(crate) fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".md").unwrap_or(name)
}

/// Reads an operation or document table of `service`.
pub fn module(table: &RawTable, service: &Service) -> Result<Module> {
    let kind = table
        .header
        .iter()
        .find(|e| e.key == "kind")
        .ok_or_else(|| table.error(table.header_line, "the header block lacks `kind`"))?;
    if file_stem(&table.file) != table.title {
        return Err(table.error(
            1,
            format!("the title `{}` must match the file name", table.title),
        ));
    }
    match kind.value.as_str() {
        "operation" => operation(table, service),
        "document" => document(table, service),
        other => Err(table.error(
            kind.line,
            format!("kind `{other}` is not operation or document"),
        )),
    }
}

pub(crate) fn operation(table: &RawTable, service: &Service) -> Result<Module> {
    let header = Header::new(
        table,
        &[
            "kind",
            "service",
            "version",
            "style",
            "auth",
            "method",
            "path",
            "action",
            "streaming",
            "idempotent",
            "paged",
            "events",
        ],
    )?;
    check_service(table, &header, service)?;
    let version = header.require("version")?;
    if version_value(&version.value) != service.version {
        return Err(table.error(
            version.line,
            format!(
                "version `{}` differs from the service's `{}` ({})",
                version.value, service.version, service.file
            ),
        ));
    }
    let style_entry = header.require("style")?;
    if parse_style(table, style_entry)? != service.style {
        return Err(table.error(
            style_entry.line,
            format!("style differs from the service's ({})", service.file),
        ));
    }
    let auth_entry = header.require("auth")?;
    if parse_auth(table, auth_entry)? != service.auth {
        return Err(table.error(
            auth_entry.line,
            format!("auth differs from the service's ({})", service.file),
        ));
    }
    let action = header.require("action")?;
    if action.value != table.title {
        return Err(table.error(
            action.line,
            format!(
                "action `{}` must match the title `{}`",
                action.value, table.title
            ),
        ));
    }
    let method_entry = header.require("method")?;
    let method = method_entry.value.clone();
    if !["GET", "POST", "PUT", "DELETE"].contains(&method.as_str()) {
        return Err(table.error(
            method_entry.line,
            format!("method `{method}` is not GET, POST, PUT or DELETE"),
        ));
    }
    let path_entry = header.require("path")?;
    let path = path_entry.value.clone();
    if !path.starts_with('/') {
        return Err(table.error(path_entry.line, "the path starts with `/`"));
    }
    let idempotent = match header.get("idempotent") {
        None => method == "GET",
        Some(entry) => match entry.value.as_str() {
            "yes" => true,
            "no" => false,
            other => {
                return Err(
                    table.error(entry.line, format!("idempotent `{other}` is not yes or no"))
                );
            }
        },
    };

    let mut builder = Builder::new(table);
    let base = pascal(&table.title);
    let request_name = builder.claim(None, &format!("{base}Request"), "", table.header_line)?;
    let request = builder.new_struct(
        request_name,
        "",
        &table.summary,
        Side::Request,
        table.header_line,
    );
    let path_rows = section(table, "Path parameters");
    let query_rows = section(table, "Query parameters");
    let body_rows = section(table, "Request body");
    if let Some(s) = path_rows {
        builder.add_rows(&s.rows, "", Location::Path, Side::Request)?;
    }
    if let Some(s) = query_rows {
        builder.add_rows(&s.rows, "", Location::Query, Side::Request)?;
    }
    if let Some(s) = body_rows {
        if method == "GET" {
            return Err(table.error(s.line, "a GET request has no body"));
        }
        builder.add_rows(&s.rows, "", Location::Body, Side::Request)?;
    }
    // Path placeholders and path parameters must agree.
    let placeholders: BTreeSet<String> = path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    let path_params: BTreeSet<String> = builder.structs[request]
        .fields
        .iter()
        .filter(|f| f.location == Location::Path)
        .map(|f| f.wire.clone())
        .collect();
    if placeholders != path_params {
        return Err(table.error(
            path_entry.line,
            format!(
                "path placeholders {placeholders:?} differ from the path parameters {path_params:?}"
            ),
        ));
    }

    let response_rows = section(table, "Response body").ok_or_else(|| {
        table.error(
            table.header_line,
            "an operation needs a `## Response body` table",
        )
    })?;
    builder.struct_by_path.clear();
    let response_name = builder.claim(None, &format!("{base}Response"), "", response_rows.line)?;
    let response = builder.new_struct(response_name, "", "", Side::Response, response_rows.line);
    builder.marks_allowed = true;
    builder.add_rows(&response_rows.rows, "", Location::Body, Side::Response)?;
    builder.marks_allowed = false;

    let streaming_entry = header.require("streaming")?;
    let websocket = match streaming_entry.value.strip_prefix("websocket") {
        Some(protocol) => {
            let protocol = protocol.trim();
            if protocol.is_empty()
                || !protocol
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(table.error(
                    streaming_entry.line,
                    "streaming `websocket PROTOCOL` names its sub-protocol (`websocket awap`)",
                ));
            }
            if method != "GET" {
                return Err(table.error(
                    streaming_entry.line,
                    "a WebSocket operation's upgrade is a GET",
                ));
            }
            Some(protocol.to_owned())
        }
        None => None,
    };
    let streams = streaming_entry.value != "no" && websocket.is_none();
    let streaming_field = match streaming_entry.value.as_str() {
        "no" | "sse" => None,
        _ if websocket.is_some() => None,
        value => {
            let field = value.strip_prefix("sse when ").ok_or_else(|| {
                table.error(
                    streaming_entry.line,
                    "streaming is `no`, `sse`, `sse when FIELD` or `websocket PROTOCOL`",
                )
            })?;
            let ok = builder.structs[request].fields.iter().any(|f| {
                f.wire == field
                    && f.location == Location::Body
                    && matches!(f.ty, Ty::Scalar(Scalar::Boolean, _))
            });
            if !ok {
                return Err(table.error(
                    streaming_entry.line,
                    format!("`{field}` is not a boolean of the request body"),
                ));
            }
            Some(field.to_owned())
        }
    };
    if !streams {
        let marked = builder
            .structs
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.marks.stream_final);
        if let Some(field) = marked {
            return Err(table.error(
                field.line,
                format!(
                    "`{}`: {{stream-final}} on an operation that does not stream",
                    field.table_path
                ),
            ));
        }
    }
    builder.check_rules()?;
    let has_body = body_rows.is_some();
    let paged = match header.get("paged") {
        Some(entry) => Some(Box::new(
            super::PagedSpec::parse(&entry.value, entry.line)
                .map_err(|message| table.error(entry.line, message))?,
        )),
        None => None,
    };
    let events = match header.get("events") {
        Some(entry) => Some(Box::new(
            super::EventsSpec::parse(&entry.value, entry.line)
                .map_err(|message| table.error(entry.line, message))?,
        )),
        None => None,
    };
    Ok(Module {
        file: table.file.clone(),
        title: table.title.clone(),
        summary: table.summary.clone(),
        name: snake(&table.title),
        kind: ModuleKind::Operation(OperationSpec {
            action: table.title.clone(),
            method,
            path,
            streaming_field,
            streams,
            websocket,
            idempotent,
            paged,
            events,
            request,
            response,
            has_body,
        }),
        structs: builder.structs,
        enums: builder.enums,
        fixed: builder.fixed,
        refs: builder.refs,
    })
}

pub(crate) fn document(table: &RawTable, service: &Service) -> Result<Module> {
    let header = Header::new(table, &["kind", "service", "shares"])?;
    check_service(table, &header, service)?;
    let rows = section(table, "Document")
        .ok_or_else(|| table.error(table.header_line, "a document needs a `## Document` table"))?;
    let is_array = rows.rows.iter().all(|r| r.name.starts_with("[]."));
    if !is_array && rows.rows.iter().any(|r| r.name.starts_with("[]")) {
        return Err(table.error(
            rows.line,
            "either every row of an array document starts with `[].` or none does",
        ));
    }
    let mut builder = Builder::new(table);
    let title = pascal(&table.title);
    let (root_name, root_path, array_alias) = if is_array {
        let alias = builder.claim(None, &title, "", table.header_line)?;
        (pascal(&singular(&table.title)), "[]", Some(alias))
    } else {
        (title, "", None)
    };
    let root_name = builder.claim(None, &root_name, "", table.header_line)?;
    let root = builder.new_struct(
        root_name,
        root_path,
        &table.summary,
        Side::Response,
        rows.line,
    );
    builder.add_rows(&rows.rows, root_path, Location::Body, Side::Response)?;
    builder.check_rules()?;
    Ok(Module {
        file: table.file.clone(),
        title: table.title.clone(),
        summary: table.summary.clone(),
        name: snake(&table.title),
        kind: ModuleKind::Document {
            root,
            array_alias,
            shares: match header.get("shares") {
                Some(entry) => Some(Box::new(
                    super::SharedDocument::parse(&entry.value, entry.line)
                        .map_err(|message| table.error(entry.line, message))?,
                )),
                None => None,
            },
        },
        structs: builder.structs,
        enums: builder.enums,
        fixed: builder.fixed,
        refs: builder.refs,
    })
}
