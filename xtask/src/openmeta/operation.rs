//! One operation of the metadata as a doc table, and its `responseDemo` fixture.

use super::*;

pub(crate) fn operation(
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

    let streaming = if schemes.contains(&"websocket") && method == "GET" {
        // The vendor's SDK (alibabacloud-tea-openapi 0.4.6) opens it with the
        // `awap` sub-protocol; the metadata names no sub-protocol.
        "websocket awap".into()
    } else if schemes.contains(&"sse") {
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
            "The vendor serves this path over WebSocket (`schemes` lists `websocket`); its SDK \
             opens it with the `awap` sub-protocol, which the metadata does not name. The request \
             is the signed upgrade; its messages and events are the session's \
             (`aliyun_ai::dianjin::realtime`). The response table is what the metadata lists."
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
pub(crate) fn response_demo(
    op: &str,
    api: &Json,
    root: &Path,
    overlay_dir: &str,
) -> Result<String, String> {
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
