//! `Operation` impls: path, query, body, validation and the outcome methods.

use std::fmt::Write as _;

use super::*;

impl Emitter<'_> {
    pub(super) fn scalar_to_string(ty: &Ty, expr: &str) -> String {
        match ty {
            Ty::Scalar(Scalar::String, _) => format!("{expr}.clone()"),
            Ty::Enum(_)
            | Ty::Ref {
                enum_like: true, ..
            } => format!("{expr}.as_str().to_owned()"),
            _ => format!("{expr}.to_string()"),
        }
    }

    pub(super) fn emit_operation(&mut self, service: &Service, op: &OperationSpec) {
        self.use_("aliyun_ai_core::Operation");
        self.use_("aliyun_ai_core::OperationInfo");
        self.use_("aliyun_ai_core::Method");
        self.use_("aliyun_ai_core::QueryParam");
        self.use_("aliyun_ai_core::RequestBody");
        self.use_("aliyun_ai_core::EncodeError");
        self.use_("aliyun_ai_core::ValidationError");
        let request = self.module.structs[op.request].clone();
        let response = &self.module.structs[op.response].name;
        let method = match op.method.as_str() {
            "GET" => "Get",
            "PUT" => "Put",
            "DELETE" => "Delete",
            _ => "Post",
        };
        let mut out = String::new();
        let _ = writeln!(out, "impl Operation for {} {{", request.name);
        let _ = writeln!(out, "    type Output = {response};\n");
        let _ = writeln!(
            out,
            "    const INFO: &'static OperationInfo = &OperationInfo {{\n        service: &crate::SERVICE,\n        action: {},\n        method: Method::{method},\n        path_template: {},\n        can_stream: {},\n        stream_field: {},\n        idempotent: {},\n        websocket: {},\n        doc_table: {},\n    }};\n",
            rust_str(&op.action),
            rust_str(&op.path),
            op.streams,
            match &op.streaming_field {
                Some(field) => format!("Some({})", rust_str(field)),
                None => "None".to_owned(),
            },
            op.idempotent,
            match &op.websocket {
                Some(protocol) => format!("Some({})", rust_str(protocol)),
                None => "None".to_owned(),
            },
            rust_str(&self.module.file)
        );
        // Path.
        let path_fields: Vec<&Field> = request
            .fields
            .iter()
            .filter(|f| f.location == Location::Path)
            .collect();
        if path_fields.is_empty() {
            let _ = writeln!(
                out,
                "    fn path(&self) -> String {{\n        {}.to_owned()\n    }}\n",
                rust_str(&op.path)
            );
        } else {
            self.use_("aliyun_ai_core::encoding::percent_encode_into");
            // The path is written into one buffer sized for it: each
            // parameter percent-encoded on its own, so a `/` inside it
            // becomes `%2F` (`docs/vendor/apis.md`, AnalyzeConversation).
            let mut template = op.path.clone();
            let mut pieces = Vec::new();
            let mut literal_length = 0;
            let mut field_lengths = Vec::new();
            while let Some(start) = template.find('{') {
                let end = template[start..]
                    .find('}')
                    .map_or(template.len(), |e| start + e);
                let literal = &template[..start];
                if !literal.is_empty() {
                    literal_length += literal.len();
                    pieces.push(push_literal(literal));
                }
                let name = &template[start + 1..end];
                if let Some(field) = path_fields.iter().find(|f| f.wire == name) {
                    pieces.push(format!(
                        "percent_encode_into(&mut path, &self.{});",
                        field.rust
                    ));
                    field_lengths.push(format!(" + self.{}.len()", field.rust));
                }
                template = template[end + 1..].to_owned();
            }
            if !template.is_empty() {
                literal_length += template.len();
                pieces.push(push_literal(&template));
            }
            let _ = writeln!(
                out,
                "    fn path(&self) -> String {{\n        let mut path = String::with_capacity({literal_length}{});\n        {}\n        path\n    }}\n",
                field_lengths.concat(),
                pieces.join("\n        ")
            );
        }
        // Query.
        let query_fields: Vec<&Field> = request
            .fields
            .iter()
            .filter(|f| f.location == Location::Query)
            .collect();
        let _ = writeln!(out, "    fn query(&self) -> Vec<QueryParam> {{");
        if query_fields.is_empty() {
            let _ = writeln!(out, "        Vec::new()");
        } else {
            let mut direct = Vec::new();
            let mut conditional = Vec::new();
            for field in &query_fields {
                let name = rust_str(&field.wire);
                let is_direct = field.is_direct(Side::Request);
                let source = if is_direct {
                    format!("self.{}", field.rust)
                } else {
                    "value".to_owned()
                };
                match &field.ty {
                    Ty::Array(item) => {
                        let each = Self::scalar_to_string(item, "item");
                        let push = if field.repeat_in_query {
                            format!(
                                "for item in {}{} {{\n query.push(QueryParam {{ name: {name}, value: {each} }});\n}}",
                                if is_direct { "&" } else { "" },
                                source
                            )
                        } else {
                            let join = match &**item {
                                Ty::Scalar(Scalar::String, _) => format!("{source}.join(\",\")"),
                                Ty::Enum(_) => format!(
                                    "{source}.iter().map(|item| item.as_str()).collect::<Vec<_>>().join(\",\")"
                                ),
                                _ => format!(
                                    "{source}.iter().map(|item| item.to_string()).collect::<Vec<_>>().join(\",\")"
                                ),
                            };
                            format!("query.push(QueryParam {{ name: {name}, value: {join} }});")
                        };
                        conditional.push(if is_direct {
                            push
                        } else {
                            format!("if let Some(value) = &self.{} {{\n{push}\n}}", field.rust)
                        });
                    }
                    ty => {
                        let value = Self::scalar_to_string(ty, &source);
                        let item = format!("QueryParam {{ name: {name}, value: {value} }}");
                        if is_direct {
                            direct.push(item);
                        } else {
                            conditional.push(format!(
                                "if let Some(value) = &self.{} {{\n query.push({item});\n}}",
                                field.rust
                            ));
                        }
                    }
                }
            }
            if conditional.is_empty() {
                let _ = writeln!(out, "        vec![{}]", direct.join(", "));
            } else {
                if direct.is_empty() {
                    let _ = writeln!(out, "        let mut query = Vec::new();");
                } else {
                    let _ = writeln!(out, "        let mut query = vec![{}];", direct.join(", "));
                }
                for line in conditional {
                    let _ = writeln!(out, "{line}");
                }
                let _ = writeln!(out, "        query");
            }
        }
        let _ = writeln!(out, "    }}\n");
        // Body.
        let _ = writeln!(
            out,
            "    fn body(&self) -> Result<RequestBody, EncodeError> {{"
        );
        if !op.has_body {
            let _ = writeln!(out, "        Ok(RequestBody::Empty)");
        } else if service.style == Style::Rpc {
            let _ = writeln!(
                out,
                "        aliyun_ai_core::form::encode_form_body(self)\n            .map(RequestBody::Form)\n            .map_err(|error| EncodeError::new({OPERATION_CONST}, error))"
            );
        } else {
            let _ = writeln!(
                out,
                "        aliyun_ai_core::json::to_vec(self)\n            .map(RequestBody::Json)\n            .map_err(|error| EncodeError::new({OPERATION_CONST}, error))"
            );
        }
        let _ = writeln!(out, "    }}\n");
        if let Some(field) = &op.streaming_field {
            let field = request.fields.iter().find(|f| f.wire == *field);
            if let Some(field) = field {
                let expr = if field.is_direct(Side::Request) {
                    format!("self.{}", field.rust)
                } else {
                    format!("self.{}.unwrap_or(false)", field.rust)
                };
                let _ = writeln!(
                    out,
                    "    fn wants_stream(&self) -> bool {{\n        {expr}\n    }}\n"
                );
            }
        }
        let mut validate = String::new();
        for field in request
            .fields
            .iter()
            .filter(|f| f.location == Location::Path)
        {
            let _ = writeln!(
                validate,
                "aliyun_ai_core::check_path_param({OPERATION_CONST}, {}, &self.{})?;",
                rust_str(&field.table_path),
                field.rust
            );
        }
        validate.push_str(if self.has_rules(op.request) {
            "self.check()"
        } else {
            "Ok(())"
        });
        let _ = writeln!(
            out,
            "    fn validate(&self) -> Result<(), ValidationError> {{\n        {validate}\n    }}\n"
        );
        out.push_str(&self.outcome_methods(op));
        out.push_str("}\n");
        if let Some(paged) = &op.paged {
            out.push_str(&self.paged_impl(&request, op, paged));
        }
        if let Some(events) = &op.events {
            out.push_str(&self.stream_event_impl(op, events));
        }

        if service.style == Style::Rpc && op.has_body {
            let kinds: Vec<String> = request
                .fields
                .iter()
                .filter(|f| f.location == Location::Body)
                .map(|f| {
                    let kind = match &f.ty {
                        Ty::Scalar(Scalar::Integer, _) => "Integer",
                        Ty::Scalar(Scalar::Double, _) => "Number",
                        Ty::Scalar(Scalar::Boolean, _) => "Boolean",
                        Ty::Struct(_) | Ty::Array(_) | Ty::Map(_) => "Json",
                        Ty::Ref {
                            enum_like: false, ..
                        } => "Json",
                        Ty::Id64 => "Integer",
                        _ => "Text",
                    };
                    format!(
                        "({}, aliyun_ai_core::form::FormFieldKind::{kind})",
                        rust_str(&f.wire)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "#[cfg(feature = \"server\")]\nimpl {} {{\n    /// How each form field's text decodes: complex parameters travel as JSON strings.\n    pub const FORM_FIELDS: &'static [(&'static str, aliyun_ai_core::form::FormFieldKind)] = &[{}];\n\n    /// Decodes a form body as it is sent on the wire (what a server, such as the emulator, receives).\n    pub fn from_form(body: &str) -> Result<Self, aliyun_ai_core::form::FormDecodeError> {{\n        aliyun_ai_core::form::decode_form_body(body, Self::FORM_FIELDS)\n    }}\n}}\n",
                request.name,
                kinds.join(", ")
            );
        }
        out.push_str(&self.server_impl(service, op));
        self.out.push_str(&out);
    }
}

/// it from `output` as an `Option<&T>`.
pub(super) struct Marked<'a> {
    pub(super) field: &'a Field,
    pub(super) access: String,
}

/// Every marked field under struct `index`, in table order, reached through
/// `parent` (an `Option<&Struct>` expression, or `None` at the top).
pub(super) fn marked_fields<'a>(
    module: &'a Module,
    index: usize,
    parent: Option<&str>,
    out: &mut Vec<Marked<'a>>,
) {
    for field in &module.structs[index].fields {
        let access = match parent {
            None => format!("output.{}.as_ref()", field.rust),
            Some(parent) => format!("{parent}.and_then(|v| v.{}.as_ref())", field.rust),
        };
        if field.marks.any() {
            out.push(Marked {
                field,
                access: access.clone(),
            });
        }
        if let Ty::Struct(child) = field.ty {
            marked_fields(module, child, Some(&access), out);
        }
    }
}

/// The test that a marked field has its failing value.
pub(super) fn failing_test(module: &Module, marked: &Marked<'_>, value: &str) -> String {
    let access = &marked.access;
    match &marked.field.ty {
        Ty::Scalar(Scalar::Boolean | Scalar::Integer, _) => format!("{access} == Some(&{value})"),
        Ty::Scalar(Scalar::String, _) if value == "non-empty" => {
            format!("{access}.is_some_and(|v| !v.is_empty())")
        }
        // `{fails-when: not 0}`: a code that names success (Tingwu's `Code: "0"`).
        Ty::Scalar(Scalar::String, _) if value.starts_with("not ") => format!(
            "{access}.is_some_and(|v| !v.is_empty() && v != {})",
            rust_str(&value[4..])
        ),
        Ty::Enum(index) => {
            let def = &module.enums[*index];
            match def.variants.iter().find(|(_, v)| v == value) {
                Some((variant, _)) => format!("matches!({access}, Some({}::{variant}))", def.name),
                None => format!(
                    "{access}.is_some_and(|v| v.as_str() == {})",
                    rust_str(value)
                ),
            }
        }
        _ => format!("{access}.is_some_and(|v| v == {})", rust_str(value)),
    }
}

impl Emitter<'_> {
    /// `business_failure` and `is_final_event`, when the response marks them.
    pub(super) fn outcome_methods(&mut self, op: &OperationSpec) -> String {
        let module = self.module;
        let mut marked = Vec::new();
        marked_fields(module, op.response, None, &mut marked);
        let mut out = String::new();
        let conditions: Vec<String> = marked
            .iter()
            .filter_map(|m| {
                let value = m.field.marks.fails_when.as_deref()?;
                Some(failing_test(module, m, value))
            })
            .collect();
        if !conditions.is_empty() {
            self.use_("aliyun_ai_core::BusinessFailure");
            let first_text = |pick: fn(&Field) -> bool| {
                let candidates: Vec<String> = marked
                    .iter()
                    .filter(|m| pick(m.field))
                    .map(|m| format!("{}.filter(|v| !v.is_empty())", m.access))
                    .collect();
                match candidates.split_first() {
                    None => "None".to_owned(),
                    Some((first, rest)) => {
                        let mut expr = first.clone();
                        for other in rest {
                            expr = format!("{expr}.or({other})");
                        }
                        format!("{expr}.cloned()")
                    }
                }
            };
            let code = first_text(|f| f.marks.error_code);
            let message = first_text(|f| f.marks.error_message);
            let request_id = first_text(|f| f.marks.request_id);
            let _ = writeln!(
                out,
                "    fn business_failure(output: &Self::Output) -> Option<BusinessFailure> {{\n        let failed = {};\n        failed.then(|| BusinessFailure::new({code}, {message}, {request_id}))\n    }}\n",
                conditions.join(" || ")
            );
        }
        let finals: Vec<String> = marked
            .iter()
            .filter(|m| m.field.marks.stream_final)
            .map(|m| match m.field.ty {
                Ty::Scalar(Scalar::Boolean, _) => format!("{} == Some(&true)", m.access),
                _ => format!("{}.is_some_and(|v| !v.is_empty())", m.access),
            })
            .collect();
        let mut finals = finals;
        if let Some(last) = op.events.as_ref().and_then(|e| e.last.as_deref()) {
            finals.push(crate::schema::last_test(
                "output",
                &self.event_path(op, last),
            ));
        }
        if !finals.is_empty() {
            let _ = writeln!(
                out,
                "    fn is_final_event(output: &Self::Output) -> Option<bool> {{\n        Some({})\n    }}\n",
                finals.join(" || ")
            );
        }
        out
    }
}

/// The statement appending a literal piece of a path (`push` for one
/// character, as clippy asks of generated code too).
pub(super) fn push_literal(literal: &str) -> String {
    let mut chars = literal.chars();
    match (chars.next(), chars.next()) {
        (Some(only), None) => format!("path.push({only:?});"),
        _ => format!("path.push_str({});", rust_str(literal)),
    }
}

impl Emitter<'_> {
    /// An `events:` path of the response, resolved (`check_events` let it
    /// through).
    fn event_path(
        &self,
        op: &OperationSpec,
        path: &str,
    ) -> (Vec<crate::schema::Hop>, crate::schema::End) {
        crate::schema::resolve_event_path(self.module, self.types, op.response, path)
            .unwrap_or_else(|e| panic!("{}: {e} (check_events let it through)", self.module.file))
    }

    /// `impl aliyun_ai_core::StreamEvent` for the output of a streaming
    /// operation whose answer is text (`events:` with `increment` or
    /// `cumulative`).
    fn stream_event_impl(&self, op: &OperationSpec, events: &crate::schema::EventsSpec) -> String {
        if events.increment.is_none() && events.cumulative.is_none() {
            return String::new();
        }
        let mut body = String::new();
        let text = |name: &str, path: &Option<String>, body: &mut String| {
            if let Some(path) = path {
                let expr = crate::schema::text_access("self", &self.event_path(op, path));
                let _ = writeln!(
                    body,
                    "    fn {name}(&self) -> Option<&str> {{\n        {expr}\n    }}\n"
                );
            }
        };
        text("increment", &events.increment, &mut body);
        text("cumulative", &events.cumulative, &mut body);
        if let Some(steps) = &events.steps {
            text("kind", &Some(steps.field.clone()), &mut body);
            let _ = writeln!(
                body,
                "    fn is_step(&self) -> bool {{\n        self.kind().is_some_and(|kind| kind != {})\n    }}\n",
                rust_str(&steps.answer)
            );
        }
        format!(
            "\nimpl aliyun_ai_core::StreamEvent for {} {{\n{}}}\n",
            self.module.structs[op.response].name,
            body.trim_end_matches('\n').to_owned() + "\n"
        )
    }

    /// `impl aliyun_ai_core::Paged` of a `paged:` operation (its paths were
    /// checked by `schema::check_paged`).
    fn paged_impl(&mut self, request: &StructDef, op: &OperationSpec, paged: &PagedSpec) -> String {
        let resolve = |path: &str| {
            crate::schema::resolve(self.module, self.types, op.response, path).unwrap_or_else(|e| {
                panic!("{}: {e} (check_paged let it through)", self.module.file)
            })
        };
        let items = resolve(&paged.items);
        let total = resolve(&paged.total);
        let current = paged.current.as_deref().map(resolve);
        let Ty::Array(item) = &items.last.ty else {
            panic!("{}: paged items are no array", self.module.file);
        };
        let item = if items.in_types {
            match &**item {
                Ty::Struct(index) => {
                    let name = self
                        .types
                        .map_or_else(String::new, |t| t.structs[*index].name.clone());
                    self.use_(format!("crate::types::{name}"));
                    name
                }
                other => self.rust_type(other),
            }
        } else {
            self.rust_type(item)
        };
        // Every response field is an `Option`: a borrowed walk for the
        // numbers, an owned one for the items.
        let borrowed = |path: &ResolvedPath| {
            let (last, parents) = path.rust.split_last().unwrap_or((&path.rust[0], &[]));
            match parents.split_first() {
                None => format!("output.{last}"),
                Some((first, rest)) => {
                    let mut expr = format!("output.{first}.as_ref()");
                    for field in rest {
                        expr.push_str(&format!(".and_then(|v| v.{field}.as_ref())"));
                    }
                    format!("{expr}.and_then(|v| v.{last})")
                }
            }
        };
        let owned = {
            let mut fields = items.rust.iter();
            let first = fields.next().cloned().unwrap_or_default();
            let mut expr = format!("output.{first}");
            for field in fields {
                expr.push_str(&format!(".and_then(|v| v.{field})"));
            }
            expr
        };
        let counted = {
            let (last, parents) = items.rust.split_last().unwrap_or((&items.rust[0], &[]));
            match parents.split_first() {
                None => format!("output.{last}.as_ref()"),
                Some((first, rest)) => {
                    let mut expr = format!("output.{first}.as_ref()");
                    for field in rest {
                        expr.push_str(&format!(".and_then(|v| v.{field}.as_ref())"));
                    }
                    format!("{expr}.and_then(|v| v.{last}.as_ref())")
                }
            }
        };
        let field = |wire: &str| {
            request
                .fields
                .iter()
                .find(|f| f.wire == wire)
                .map(|f| f.rust.clone())
                .unwrap_or_default()
        };
        let (page, size) = (field(&paged.page), field(&paged.size));
        let current = current.as_ref().map_or_else(|| "None".to_owned(), borrowed);
        format!(
            "\nimpl aliyun_ai_core::Paged for {req} {{\n    type Item = {item};\n\n    fn page(&self) -> Option<i64> {{\n        self.{page}\n    }}\n\n    fn set_page(&mut self, page: i64) {{\n        self.{page} = Some(page);\n    }}\n\n    fn set_page_size(&mut self, size: i64) {{\n        self.{size} = Some(size);\n    }}\n\n    fn position(output: &Self::Output) -> aliyun_ai_core::PagePosition {{\n        aliyun_ai_core::PagePosition::new({current}, {total})\n    }}\n\n    fn item_count(output: &Self::Output) -> usize {{\n        {counted}.map_or(0, Vec::len)\n    }}\n\n    fn into_items(output: Self::Output) -> Vec<Self::Item> {{\n        {owned}.unwrap_or_default()\n    }}\n}}\n",
            req = request.name,
            total = borrowed(&total),
        )
    }
}
