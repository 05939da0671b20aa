//! Types: structs with their serde attributes, enums and fixed values.

use std::fmt::Write as _;

use super::*;

impl Emitter<'_> {
    pub(super) fn emit_struct(&mut self, index: usize) {
        let strukt: &StructDef = &self.module.structs[index];
        let side = strukt.side;
        // Requests send it: a builder, and only body fields are encoded.
        let request_side = side.is_sent();
        let has_required = side == Side::Request
            && strukt
                .fields
                .iter()
                .any(|f| f.requirement == Requirement::Required);

        let mut doc = doc_text(&strukt.description);
        if doc.trim().is_empty() {
            doc = format!(
                "`{}`.",
                if strukt.table_path.is_empty() {
                    &self.module.title
                } else {
                    &strukt.table_path
                }
            );
        }
        if request_side {
            let _ = write!(doc, "\n\nBuild it with [`{}::builder`].", strukt.name);
        }
        let mut out = String::new();
        push_doc(&mut out, "", &doc);
        let default = if has_required { "" } else { ", Default" };
        // Each type derives the direction a client uses: a request type
        // `Serialize` (it is sent), an answer type `Deserialize` (it is
        // read). The other direction, which only a server, a test or a user
        // keeping answers needs, is behind `serde-serialize` and
        // `serde-deserialize` (both on with `server`): serde's derives are
        // most of a model crate's compile time (docs/PERFORMANCE.md).
        let (serialize, deserialize) = match side {
            Side::Request => (Derive::Always, Derive::Feature("serde-deserialize")),
            Side::Response => (Derive::Feature("serde-serialize"), Derive::Always),
            Side::Both => (Derive::Always, Derive::Always),
        };
        // A request decoded field by field on the server (see
        // `builds_without_serde`) cannot derive `Deserialize`.
        let deserialize = if request_side && builds_without_serde(strukt) {
            Derive::Never
        } else {
            deserialize
        };
        let mut always = String::new();
        let mut gated = String::new();
        for (derive, name) in [(serialize, "Serialize"), (deserialize, "Deserialize")] {
            match derive {
                Derive::Always => {
                    self.use_(format!("serde::{name}"));
                    let _ = write!(always, ", {name}");
                }
                Derive::Feature(feature) => {
                    let _ = writeln!(
                        gated,
                        "#[cfg_attr(feature = {}, derive(serde::{name}))]",
                        rust_str(feature)
                    );
                }
                Derive::Never => {}
            }
        }
        let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq{default}{always})]");
        out.push_str(&gated);
        let fields = strukt.fields.clone();
        let name = strukt.name.clone();
        // One `rename_all` where a rule names most fields; the rest keep
        // their own `rename`.
        let serialized: Vec<&Field> = fields
            .iter()
            .filter(|f| !(request_side && f.location != Location::Body))
            .collect();
        let rule = [RenameRule::Camel, RenameRule::Pascal]
            .into_iter()
            .map(|rule| {
                let covered = serialized
                    .iter()
                    .filter(|f| f.wire != f.rust && rule.apply(&f.rust) == f.wire)
                    .count();
                (rule, covered)
            })
            .filter(|(_, covered)| *covered >= 2)
            .max_by_key(|(_, covered)| *covered)
            .map(|(rule, _)| rule);
        if let Some(rule) = rule {
            let _ = writeln!(out, "#[serde(rename_all = {})]", rust_str(rule.name()));
        }
        let _ = writeln!(out, "#[non_exhaustive]");
        let _ = writeln!(out, "pub struct {} {{", strukt.name);
        for field in &fields {
            push_doc(&mut out, "    ", &field_doc(field, side));
            let direct = field.is_direct(side);
            let mut attrs: Vec<String> = Vec::new();
            if field.rest {
                attrs.push("flatten".into());
            } else if request_side && field.location != Location::Body {
                attrs.push("skip".into());
                if !super::skip_has_default(field) {
                    // A required enum of the path or query has no `Default`.
                    attrs.push("default = \"aliyun_ai_core::__private::unset_enum\"".into());
                }
            } else {
                let renamed = rule.map_or(field.rust.clone(), |rule| rule.apply(&field.rust));
                if field.wire != renamed {
                    attrs.push(format!("rename = {}", rust_str(&field.wire)));
                }
                if let Some(alias) = &field.alias {
                    attrs.push(format!("alias = {}", rust_str(alias)));
                }
                if !direct {
                    attrs.push("default".into());
                    attrs.push("skip_serializing_if = \"Option::is_none\"".into());
                } else if field.requirement == Requirement::Always {
                    attrs.push("default".into());
                }
                if let Some(module) = quirk_module(&field.ty) {
                    let module = if direct {
                        module.to_owned()
                    } else {
                        format!("{module}::option")
                    };
                    // A lenient scalar encodes as serde's own (a JSON number or
                    // boolean): only its decoding needs the quirk, and a
                    // `with` would derive a serializing wrapper per field
                    // too (docs/PERFORMANCE.md, "Build cost").
                    if module.contains("::lenient_") {
                        attrs.push(format!(
                            "deserialize_with = {}",
                            rust_str(&format!("{module}::deserialize"))
                        ));
                    } else {
                        attrs.push(format!("with = {}", rust_str(&module)));
                    }
                } else if side != Side::Request && !direct && is_object_array(&field.ty) {
                    attrs.push(
                        "deserialize_with = \"aliyun_ai_core::quirks::null_items::deserialize\""
                            .into(),
                    );
                } else if field.ty == Ty::Json && !direct {
                    // `""` is no JSON document: it reads as no value.
                    attrs.push("with = \"aliyun_ai_core::quirks::json_string_option\"".into());
                }
            }
            if !attrs.is_empty() {
                let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
            }
            let ty = self.rust_type(&field.ty);
            let ty = if direct { ty } else { format!("Option<{ty}>") };
            let _ = writeln!(out, "    pub {}: {ty},", field.rust);
        }
        let _ = writeln!(out, "}}\n");
        self.out.push_str(&out);

        if request_side {
            self.emit_builder(index, &name, &fields);
        }
    }

    pub(super) fn emit_enum(&mut self, def: &EnumDef) {
        let name = &def.name;
        let mut doc = doc_text(&def.description);
        if doc.trim().is_empty() {
            doc = format!("Values of `{name}`.");
        }
        let _ = write!(
            doc,
            "\n\nA value this SDK does not know decodes to [`{name}::Unknown`] and encodes back unchanged."
        );
        let mut out = String::from("aliyun_ai_core::wire_enum! {\n");
        push_doc(&mut out, "    ", &doc);
        let _ = writeln!(out, "    pub enum {name} {{");
        for (variant, value) in &def.variants {
            let _ = writeln!(out, "        /// {}", code_span(value));
            let _ = writeln!(out, "        {variant} = {},", rust_str(value));
        }
        out.push_str("    }\n}\n\n");
        self.out.push_str(&out);
    }

    pub(super) fn emit_fixed(&mut self) {
        for def in &self.module.fixed {
            self.uses
                .insert("aliyun_ai_core::quirks::FixedValue".to_owned());
            let _ = writeln!(
                self.out,
                "/// Marks the value {} that the API fixes.\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub struct {};\n\nimpl FixedValue for {} {{\n    const VALUE: &'static str = {};\n}}\n",
                code_span(&def.value),
                def.name,
                def.name,
                rust_str(&def.value)
            );
        }
    }
}

/// Whether a struct derives one of serde's traits.
#[derive(Clone, Copy)]
enum Derive {
    Always,
    /// Only with this feature of the model crate.
    Feature(&'static str),
    Never,
}
