//! Server impls (feature `server`): requests decoded as a server receives them, and
//! example answers and requests from the tables' examples.

use std::fmt::Write as _;

use super::*;

impl Emitter<'_> {
    /// `ServerOperation` (feature `server`): the request decoded as a server
    /// receives it, and an answer built from the response table's examples.
    pub(super) fn server_impl(&self, service: &Service, op: &OperationSpec) -> String {
        let request = &self.module.structs[op.request];
        let literal = builds_without_serde(request);
        let mut body = String::new();
        if service.style == Style::Rpc && op.has_body {
            body.push_str("let text = if wire.body.is_empty() {\n aliyun_ai_core::encoding::encode_form(wire.query.iter().map(|(n, v)| (n.as_str(), v.as_str())))\n } else {\n String::from_utf8_lossy(wire.body).into_owned()\n };\n");
            body.push_str("#[allow(unused_mut)]\nlet mut value = Self::from_form(&text).map_err(WireError::body)?;\n");
        } else if literal {
            // No body: the value is built from the path and query alone (a
            // required enum there has no default for serde to start from).
            body.push_str("let _ = wire.json_body();\n");
        } else {
            body.push_str("#[allow(unused_mut)]\nlet mut value: Self = serde_json::from_slice(wire.json_body()).map_err(WireError::body)?;\n");
        }
        let mut members = Vec::new();
        for field in &request.fields {
            let name = rust_str(&field.wire);
            let missing = format!("WireError::Missing({name}.to_owned())");
            let direct = field.is_direct(Side::Request);
            match field.location {
                Location::Path => {
                    members.push(format!("{}: wire.path_param({name})?", field.rust));
                }
                Location::Query => {
                    let read = match &field.ty {
                        Ty::Scalar(Scalar::String, _) => {
                            format!("wire.query_value({name}).map(str::to_owned)")
                        }
                        Ty::Scalar(Scalar::Integer, _) => {
                            format!("wire.query_parsed::<i64>({name})?")
                        }
                        Ty::Scalar(Scalar::Double, _) => {
                            format!("wire.query_parsed::<f64>({name})?")
                        }
                        Ty::Scalar(Scalar::Boolean, _) => {
                            format!("wire.query_parsed::<bool>({name})?")
                        }
                        Ty::Array(item) => match &**item {
                            Ty::Scalar(Scalar::String, _) => format!("wire.query_list({name})"),
                            Ty::Scalar(Scalar::Integer, _) | Ty::Scalar(Scalar::Double, _) => {
                                format!(
                                    "wire.query_list({name}).map(|v| v.iter().filter_map(|s| s.parse().ok()).collect())"
                                )
                            }
                            _ => format!(
                                "wire.query_list({name}).map(|v| v.into_iter().map(Into::into).collect())"
                            ),
                        },
                        _ => format!("wire.query_value({name}).map(Into::into)"),
                    };
                    if direct {
                        members.push(format!("{}: {read}.ok_or_else(|| {missing})?", field.rust));
                    } else {
                        members.push(format!("{}: {read}", field.rust));
                    }
                }
                Location::Body => {}
            }
        }
        if literal {
            let _ = write!(body, "Ok(Self {{ {} }})", members.join(", "));
        } else {
            for member in &members {
                if let Some((field, read)) = member.split_once(": ") {
                    let _ = writeln!(body, "value.{field} = {read};");
                }
            }
            body.push_str("Ok(value)");
        }
        let example = example_json(self.module, self.types, op.response);
        let example_request = if service.style == Style::Rpc {
            // Every parameter of an RPC request can travel in the query (the
            // gateway reads a form from either): each top-level example, a
            // complex one as JSON text, as the vendor's SDKs send them.
            let request_example = example_json(self.module, self.types, op.request);
            let pairs: Vec<String> = crate::json::parse(&request_example)
                .ok()
                .and_then(|json| json.as_object().map(<[_]>::to_vec))
                .unwrap_or_default()
                .iter()
                .map(|(name, value)| {
                    let text = value
                        .scalar_text()
                        .unwrap_or_else(|| crate::json::pretty(value));
                    format!(
                        "({}.to_owned(), {}.to_owned())",
                        rust_str(name),
                        rust_str(&text)
                    )
                })
                .collect();
            format!(
                "\n\n    fn example_request() -> Result<Self, aliyun_ai_core::server::WireError> {{\n        let query = [{}];\n        let request = Self::from_wire(&aliyun_ai_core::server::WireRequest {{ path_params: &[], query: &query, body: b\"\" }})?;\n        aliyun_ai_core::Operation::validate(&request)?;\n        Ok(request)\n    }}",
                pairs.join(", ")
            )
        } else {
            let mut path = Vec::new();
            let mut query = Vec::new();
            for field in &request.fields {
                let value = field.example.trim();
                let pair = format!(
                    "({}.to_owned(), {}.to_owned())",
                    rust_str(&field.wire),
                    rust_str(value)
                );
                match field.location {
                    Location::Path => path.push(pair),
                    Location::Query if !value.is_empty() => query.push(pair),
                    _ => {}
                }
            }
            let body = if op.has_body {
                example_json_where(self.module, self.types, op.request, &|f| {
                    f.location == Location::Body
                })
            } else {
                String::new()
            };
            format!(
                "\n\n    fn example_request() -> Result<Self, aliyun_ai_core::server::WireError> {{\n        let path_params = [{}];\n        let query = [{}];\n        let request = Self::from_wire(&aliyun_ai_core::server::WireRequest {{ path_params: &path_params, query: &query, body: {}.as_bytes() }})?;\n        aliyun_ai_core::Operation::validate(&request)?;\n        Ok(request)\n    }}",
                path.join(", "),
                query.join(", "),
                rust_str(&body)
            )
        };
        format!(
            "#[cfg(feature = \"server\")]\nimpl aliyun_ai_core::server::ServerOperation for {name} {{\n    fn from_wire(wire: &aliyun_ai_core::server::WireRequest<'_>) -> Result<Self, aliyun_ai_core::server::WireError> {{\n        use aliyun_ai_core::server::WireError;\n        {body}\n    }}\n\n    fn example_response() -> serde_json::Value {{\n        serde_json::from_str({example}).unwrap_or_default()\n    }}{example_request}\n}}\n",
            name = request.name,
            example = rust_str(&example),
        )
    }
}

/// A JSON string literal.
pub(super) fn json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The JSON of one example value of type `ty`, or `None` when the example
/// does not fit it (the field is then left out).
pub(super) fn example_value(
    module: &Module,
    types: Option<&Module>,
    ty: &Ty,
    example: &str,
) -> Option<String> {
    let example = example.trim();
    match ty {
        Ty::Struct(index) => Some(example_json(module, types, *index)),
        Ty::Ref {
            name,
            enum_like: false,
        } => {
            let types = types?;
            match types.find_type(name)? {
                TypeRef::Struct(index) => Some(example_json(types, Some(types), index)),
                TypeRef::Enum(_) => None,
            }
        }
        Ty::Array(item) => {
            if example.starts_with('[') {
                return None;
            }
            let one = match &**item {
                Ty::Struct(_)
                | Ty::Ref {
                    enum_like: false, ..
                } => example_value(module, types, item, "")?,
                _ if example.is_empty() => return None,
                _ => example_value(module, types, item, example)?,
            };
            Some(format!("[{one}]"))
        }
        _ if example.is_empty() || example == "null" => None,
        Ty::Scalar(Scalar::Integer, Quirk::AsString)
        | Ty::Scalar(Scalar::Boolean, Quirk::AsString) => Some(json_string(example)),
        Ty::Scalar(Scalar::Integer, _) | Ty::Id64 => {
            example.parse::<i64>().ok().map(|n| n.to_string())
        }
        Ty::Scalar(Scalar::Double, _) => example
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| example.to_owned()),
        Ty::Scalar(Scalar::Boolean, _) => match example.to_ascii_lowercase().as_str() {
            "true" => Some("true".into()),
            "false" => Some("false".into()),
            _ => None,
        },
        Ty::Map(_) => (example == "{}").then(|| "{}".to_owned()),
        // Any JSON: the example when it is a JSON document, else as a string.
        Ty::Any => Some(match crate::json::parse(example) {
            Ok(_) => example.to_owned(),
            Err(_) => json_string(example),
        }),
        _ => Some(json_string(example)),
    }
}

/// A JSON object of struct `index` from its fields' examples.
pub(super) fn example_json(module: &Module, types: Option<&Module>, index: usize) -> String {
    example_json_where(module, types, index, &|_| true)
}

/// The same, with only the top-level fields `keep` accepts.
pub(super) fn example_json_where(
    module: &Module,
    types: Option<&Module>,
    index: usize,
    keep: &dyn Fn(&Field) -> bool,
) -> String {
    let fields: Vec<String> = module.structs[index]
        .fields
        .iter()
        .filter(|field| keep(field))
        .filter_map(|field| {
            if field.rest {
                // A catch-all's example is a JSON object: its members are
                // the answer's own.
                let example = field.example.trim();
                crate::json::parse(example).ok()?;
                let inner = example.strip_prefix('{')?.strip_suffix('}')?.trim();
                return (!inner.is_empty()).then(|| inner.to_owned());
            }
            let value = example_value(module, types, &field.ty, &field.example)?;
            Some(format!("{}:{value}", json_string(&field.wire)))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}
