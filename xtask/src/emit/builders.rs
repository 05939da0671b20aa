//! Builders: each request struct's builder, its setters and `build()` checks.

use std::fmt::Write as _;

use super::*;

/// How a builder's setter takes a field's value.
pub(super) struct Setter {
    generics: String,
    param: String,
    convert: String,
    bounds: String,
}

impl Emitter<'_> {
    pub(super) fn setter(&mut self, field: &Field) -> Setter {
        let plain = |param: String, convert: &str| Setter {
            generics: String::new(),
            param,
            convert: convert.to_owned(),
            bounds: String::new(),
        };
        match &field.ty {
            Ty::Scalar(Scalar::String, _) => plain("impl Into<String>".into(), "value.into()"),
            Ty::Scalar(Scalar::Integer, _) => plain("i64".into(), "value"),
            Ty::Scalar(Scalar::Double, _) => plain("f64".into(), "value"),
            Ty::Scalar(Scalar::Boolean, _) => plain("bool".into(), "value"),
            Ty::Enum(_)
            | Ty::Json
            | Ty::Any
            | Ty::Id64
            | Ty::OneOrMany
            | Ty::Secret
            | Ty::SignedUrl
            | Ty::Ref {
                enum_like: true, ..
            } => {
                let ty = self.rust_type(&field.ty);
                plain(format!("impl Into<{ty}>"), "value.into()")
            }
            Ty::Ref { .. } => plain(self.rust_type(&field.ty), "value"),
            Ty::Struct(_) | Ty::Fixed(_) => plain(self.rust_type(&field.ty), "value"),
            Ty::Array(item) => Setter {
                generics: "<I>".into(),
                param: "I".into(),
                convert: "value.into_iter().map(Into::into).collect()".into(),
                bounds: format!(
                    " where I: IntoIterator, I::Item: Into<{}>",
                    self.rust_type(item)
                ),
            },
            Ty::Map(value) => {
                let value_ty = match value {
                    Some(value) => self.rust_type(value),
                    None => {
                        self.use_("serde_json::Value");
                        "Value".into()
                    }
                };
                Setter {
                    generics: "<I, K, V>".into(),
                    param: "I".into(),
                    convert: "value.into_iter().map(|(k, v)| (k.into(), v.into())).collect()"
                        .into(),
                    bounds: format!(
                        " where I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<{value_ty}>"
                    ),
                }
            }
        }
    }

    pub(super) fn emit_builder(&mut self, index: usize, name: &str, fields: &[Field]) {
        let context = self.context(index);
        let (_, missing) = self.error_constructors(index);
        let builder = format!("{name}Builder");
        let settable: Vec<&Field> = fields
            .iter()
            .filter(|f| !matches!(f.ty, Ty::Fixed(_)))
            .collect();
        let fallible = fields
            .iter()
            .any(|f| f.requirement == Requirement::Required)
            || self.has_rules(index);
        let mut out = String::new();

        // `new` for small all-required structs.
        let simple_new = !settable.is_empty()
            && settable.len() <= 3
            && settable
                .iter()
                .all(|f| f.requirement == Requirement::Required)
            && fields
                .iter()
                .all(|f| !matches!(f.ty, Ty::Array(_) | Ty::Map(_)))
            // Its only possible rule is "not empty", which `new` leaves to
            // `Operation::validate` (run before anything is sent): a nested
            // struct's fields were checked by its own builder or `new`.
            && fields.iter().all(|f| {
                f.max_items.is_none()
                    && !matches!(
                        f.requirement,
                        Requirement::When { .. } | Requirement::OneOf(_)
                    )
                    && !matches!(f.ty, Ty::Struct(_) | Ty::Ref { enum_like: false, .. })
            });
        let _ = writeln!(out, "impl {name} {{");
        let _ = writeln!(out, "    /// A builder for [`{name}`].");
        let _ = writeln!(
            out,
            "    pub fn builder() -> {builder} {{\n        {builder}::default()\n    }}"
        );
        if simple_new {
            let mut params = Vec::new();
            let mut inits = Vec::new();
            for field in fields {
                if matches!(field.ty, Ty::Fixed(_)) {
                    inits.push(format!("{}: Fixed::new()", field.rust));
                    continue;
                }
                let setter = self.setter(field);
                params.push(format!("{}: {}", field.rust, setter.param));
                let value = setter.convert.replace("value", &field.rust);
                inits.push(if value == field.rust {
                    value
                } else {
                    format!("{}: {value}", field.rust)
                });
            }
            let names: Vec<String> = settable.iter().map(|f| format!("`{}`", f.wire)).collect();
            let _ = writeln!(
                out,
                "\n    /// A value with its required fields {}.",
                names.join(", ")
            );
            let _ = writeln!(
                out,
                "    pub fn new({}) -> Self {{\n        Self {{ {} }}\n    }}",
                params.join(", "),
                inits.join(", ")
            );
        }
        let _ = writeln!(out, "}}\n");

        let _ = writeln!(
            out,
            "/// Builds a [`{name}`]; [`{builder}::build`] checks the required fields."
        );
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, Default)]\n#[must_use]\npub struct {builder} {{"
        );
        for field in &settable {
            let ty = self.rust_type(&field.ty);
            let _ = writeln!(out, "    {}: Option<{ty}>,", field.rust);
        }
        let _ = writeln!(out, "}}\n");
        let _ = writeln!(out, "impl {builder} {{");
        for field in &settable {
            let Setter {
                generics,
                param,
                convert,
                bounds,
            } = self.setter(field);
            let text = doc_text(&field.description);
            let first_line = text.lines().next().unwrap_or("");
            let _ = writeln!(
                out,
                "    /// Sets {} ({}). {}",
                code_span(&field.table_path),
                requirement_text(field, Side::Request),
                first_line.trim()
            );
            let _ = writeln!(
                out,
                "    pub fn {}{generics}(mut self, value: {param}) -> Self{bounds} {{\n        self.{} = Some({convert});\n        self\n    }}\n",
                field.rust, field.rust
            );
        }
        let result_ty = if fallible {
            self.use_("aliyun_ai_core::ValidationError");
            format!("Result<{name}, ValidationError>")
        } else {
            name.to_owned()
        };
        let _ = writeln!(
            out,
            "    /// Builds the value{}.",
            if fallible {
                "; fails, naming the field, when a required field is missing or a rule is broken"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "    pub fn build(self) -> {result_ty} {{");
        let mut inits = Vec::new();
        for field in fields {
            let init = match (&field.ty, &field.requirement) {
                (Ty::Fixed(_), _) => "Fixed::new()".to_owned(),
                (_, Requirement::Required) => format!(
                    "self.{}.ok_or({missing}({context}, {}))?",
                    field.rust,
                    rust_str(&field.table_path)
                ),
                (_, Requirement::Always) => format!("self.{}.unwrap_or_default()", field.rust),
                _ => format!("self.{}", field.rust),
            };
            inits.push(format!("{}: {init}", field.rust));
        }
        let construct = format!("{name} {{ {} }}", inits.join(", "));
        if self.has_rules(index) {
            let _ = writeln!(
                out,
                "        let value = {construct};\n        value.check()?;\n        Ok(value)"
            );
        } else if fallible {
            let _ = writeln!(out, "        Ok({construct})");
        } else {
            let _ = writeln!(out, "        {construct}");
        }
        let _ = writeln!(out, "    }}\n}}\n");
        self.out.push_str(&out);

        if self.has_rules(index) {
            self.emit_check(index);
        }
    }

    pub(super) fn emit_check(&mut self, index: usize) {
        let context = self.context(index);
        let (new, _) = self.error_constructors(index);
        self.use_("aliyun_ai_core::ValidationError");
        let strukt = self.module.structs[index].clone();
        let mut body = String::new();
        let problem = |this: &mut Self| {
            this.use_("aliyun_ai_core::Problem");
        };
        for field in &strukt.fields {
            let path = rust_str(&field.table_path);
            let direct = field.is_direct(Side::Request);
            if is_required_text(field) {
                // Set (the builder refuses it unset), but empty.
                problem(self);
                let _ = writeln!(
                    body,
                    "if self.{}.is_empty() {{\n return Err({new}({context}, {path}, Problem::Empty));\n}}",
                    field.rust
                );
            }
            if let Requirement::When { clauses, negate } = &field.requirement {
                problem(self);
                let mut tests = Vec::new();
                let mut texts = Vec::new();
                for (other, value) in clauses {
                    let condition_field = strukt.fields.iter().find(|f| f.wire == *other).cloned();
                    let Some(condition_field) = condition_field else {
                        continue;
                    };
                    let cdirect = condition_field.is_direct(Side::Request);
                    let op = if *negate { "!=" } else { "==" };
                    let variant = self.enum_def(&condition_field.ty).and_then(|def| {
                        def.variants
                            .iter()
                            .find(|(_, v)| v == value)
                            .map(|(variant, _)| format!("{}::{variant}", def.name))
                    });
                    let is_enum = self.enum_def(&condition_field.ty).is_some();
                    let not = if *negate { "!" } else { "" };
                    let test = match (&condition_field.ty, cdirect, variant) {
                        (_, true, Some(variant)) if is_enum => {
                            format!("{not}matches!(self.{}, {variant})", condition_field.rust)
                        }
                        (_, false, Some(variant)) if is_enum => format!(
                            "{not}matches!(self.{}, Some({variant}))",
                            condition_field.rust
                        ),
                        (_, true, None) if is_enum => format!(
                            "self.{}.as_str() {op} {}",
                            condition_field.rust,
                            rust_str(value)
                        ),
                        (_, false, None) if is_enum => format!(
                            "self.{}.as_ref().map(|v| v.as_str()) {op} Some({})",
                            condition_field.rust,
                            rust_str(value)
                        ),
                        (Ty::Scalar(Scalar::Boolean, _), true, _) => {
                            format!("self.{} {op} {}", condition_field.rust, value == "true")
                        }
                        (Ty::Scalar(Scalar::Boolean, _), false, _) => format!(
                            "self.{} {op} Some({})",
                            condition_field.rust,
                            value == "true"
                        ),
                        (_, true, _) => {
                            format!("self.{} {op} {}", condition_field.rust, rust_str(value))
                        }
                        (_, false, _) => format!(
                            "self.{}.as_deref() {op} Some({})",
                            condition_field.rust,
                            rust_str(value)
                        ),
                    };
                    tests.push(test);
                    texts.push(format!(
                        "`{other}` is {}`{value}`",
                        if *negate { "not " } else { "" }
                    ));
                }
                if tests.is_empty() {
                    continue;
                }
                let test = tests.join(" && ");
                let text = texts.join(" and ");
                let _ = writeln!(
                    body,
                    "if {test} && self.{}.is_none() {{\n return Err({new}({context}, {path}, Problem::MissingWhen({}.to_owned())));\n}}",
                    field.rust,
                    rust_str(&text)
                );
            }
            if let Some(max) = field.max_items {
                problem(self);
                let binding = if direct {
                    format!("Some(&self.{})", field.rust)
                } else {
                    format!("&self.{}", field.rust)
                };
                let _ = writeln!(
                    body,
                    "if let Some(items) = {binding} {{\n if items.len() > {max} {{\n return Err({new}({context}, {path}, Problem::TooManyItems {{ max: {max}, actual: items.len() }}));\n}}\n}}"
                );
            }
            if is_struct_like(&field.ty) {
                let child_rules = match struct_of(&field.ty) {
                    Some(child) => self.has_rules(child),
                    None => self.ref_has_rules(&field.ty),
                };
                if child_rules {
                    let is_array = matches!(field.ty, Ty::Array(_));
                    // A shared type's error names its own fields: relabelled
                    // here with this struct's context and the field's path
                    // (issue 21 #13: "invalid Dialogue request").
                    let check = if struct_of(&field.ty).is_none() {
                        let parent =
                            format!("{}{}", field.table_path, if is_array { "[]" } else { "" });
                        let within = if self.module.structs[index].context.is_some() {
                            "within_type"
                        } else {
                            "within"
                        };
                        format!(
                            "check().map_err(|e| e.{within}({context}, {}))?",
                            rust_str(&parent)
                        )
                    } else {
                        "check()?".to_owned()
                    };
                    let line = match (is_array, direct) {
                        (false, true) => format!("self.{}.{check};", field.rust),
                        (false, false) => format!(
                            "if let Some(value) = &self.{} {{\n value.{check};\n}}",
                            field.rust
                        ),
                        (true, true) => {
                            format!("for item in &self.{} {{\n item.{check};\n}}", field.rust)
                        }
                        (true, false) => format!(
                            "for item in self.{}.iter().flatten() {{\n item.{check};\n}}",
                            field.rust
                        ),
                    };
                    let _ = writeln!(body, "{line}");
                }
            }
        }
        // One-of groups.
        let mut groups: BTreeMap<&str, Vec<&Field>> = BTreeMap::new();
        for field in &strukt.fields {
            if let Requirement::OneOf(group) = &field.requirement {
                groups.entry(group.as_str()).or_default().push(field);
            }
        }
        for members in groups.values() {
            problem(self);
            let paths: Vec<String> = members.iter().map(|f| rust_str(&f.table_path)).collect();
            let set: Vec<String> = members
                .iter()
                .map(|f| format!("self.{}.is_some()", f.rust))
                .collect();
            let _ = writeln!(body, "{{\nconst GROUP: &[&str] = &[{}];", paths.join(", "));
            let _ = writeln!(body, "let set = [{}];", set.join(", "));
            let _ = writeln!(
                body,
                "match set.iter().position(|s| *s) {{\n None => return Err({new}({context}, GROUP[0], Problem::OneOfMissing(GROUP[1..].to_vec()))),\n Some(first) => {{\n if let Some(second) = set.iter().skip(first + 1).position(|s| *s) {{\n return Err({new}({context}, GROUP[first], Problem::ConflictsWith(vec![GROUP[first + 1 + second]])));\n}}\n}}\n}}\n}}"
            );
        }
        let _ = writeln!(
            self.out,
            "impl {} {{\n    /// Checks the rules the builder checks: conditional fields, one-of groups, item limits.\n    pub(crate) fn check(&self) -> Result<(), ValidationError> {{\n{body}Ok(())\n    }}\n}}\n",
            strukt.name
        );
    }
}
