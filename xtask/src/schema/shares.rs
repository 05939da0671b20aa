//! `shares: SERVICE DOCUMENT` in a result document's header: the document
//! has the shape of another service's document (the DashScope customer
//! profile's Transcription is the Tingwu OpenAPI's TranscriptionResult), so
//! its model crate re-exports that type instead of defining its own. The
//! document's rows stay, as its documentation and its check: each must
//! name a field of the other document (by wire key or alias) of the same
//! kind, or codegen stops, naming the row.

use super::{Module, ModuleKind, Scalar, Service, Ty, TypeRef};

/// The parsed header, completed by [`resolve_shares`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedDocument {
    /// The other service's key (`tingwu`).
    pub service: String,
    /// The other service's title, once resolved.
    pub title: String,
    /// The other document's title (`TranscriptionResult`).
    pub document: String,
    /// The header's line, for errors.
    pub line: usize,
    /// The other document's module (`transcription_result`).
    pub module: String,
    /// The other document's root struct.
    pub root: String,
    /// The other document's array alias, for an array document.
    pub alias: Option<String>,
}

impl SharedDocument {
    pub(crate) fn parse(value: &str, line: usize) -> Result<Self, String> {
        let mut words = value.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(service), Some(document), None) => Ok(Self {
                service: service.to_owned(),
                title: String::new(),
                document: document.to_owned(),
                line,
                module: String::new(),
                root: String::new(),
                alias: None,
            }),
            _ => {
                Err("shares: `SERVICE DOCUMENT` (`shares: tingwu TranscriptionResult`)".to_owned())
            }
        }
    }
}

/// What a field holds, with shared types followed.
enum Shape<'a> {
    Scalar(Scalar),
    Object(&'a Module, usize),
    Array(Box<Shape<'a>>),
    Any,
    Other(&'a Ty),
}

fn shape<'a>(ty: &'a Ty, owner: &'a Module, types: Option<&'a Module>) -> Shape<'a> {
    match ty {
        Ty::Scalar(scalar, _) => Shape::Scalar(*scalar),
        Ty::Id64 => Shape::Scalar(Scalar::Integer),
        Ty::Struct(index) => Shape::Object(owner, *index),
        Ty::Array(item) => Shape::Array(Box::new(shape(item, owner, types))),
        Ty::Any | Ty::Map(None) | Ty::Json => Shape::Any,
        Ty::Ref {
            name,
            enum_like: false,
        } => match types.and_then(|t| t.find_type(name).map(|r| (t, r))) {
            Some((types, TypeRef::Struct(index))) => Shape::Object(types, index),
            _ => Shape::Other(ty),
        },
        other => Shape::Other(other),
    }
}

/// Whether `mine` fits in `theirs`; the first row that does not, named.
fn agree(
    mine: &Shape<'_>,
    theirs: &Shape<'_>,
    mine_types: Option<&Module>,
    theirs_types: Option<&Module>,
    row: &str,
) -> Result<(), String> {
    match (mine, theirs) {
        (_, Shape::Any) => Ok(()),
        (Shape::Scalar(a), Shape::Scalar(b)) if a == b => Ok(()),
        (Shape::Array(a), Shape::Array(b)) => agree(a, b, mine_types, theirs_types, row),
        (Shape::Object(m, i), Shape::Object(t, j)) => {
            for field in &m.structs[*i].fields {
                let other = t.structs[*j]
                    .fields
                    .iter()
                    .find(|g| {
                        g.wire == field.wire || g.alias.as_deref() == Some(field.wire.as_str())
                    })
                    .ok_or_else(|| format!("`{}` has no counterpart", field.table_path))?;
                agree(
                    &shape(&field.ty, m, mine_types),
                    &shape(&other.ty, t, theirs_types),
                    mine_types,
                    theirs_types,
                    &field.table_path,
                )?;
            }
            Ok(())
        }
        (Shape::Other(a), Shape::Other(b)) if a == b => Ok(()),
        _ => Err(format!("`{row}` is of another kind there")),
    }
}

fn types_of(service: &Service) -> Option<&Module> {
    service
        .modules
        .iter()
        .find(|m| matches!(m.kind, ModuleKind::Types))
}

/// Checks every `shares:` document against the document it names and
/// fills in that document's names.
pub fn resolve_shares(services: &mut [Service]) -> Result<(), String> {
    let mut resolved = Vec::new();
    for (s, service) in services.iter().enumerate() {
        for (m, module) in service.modules.iter().enumerate() {
            let ModuleKind::Document {
                root,
                shares: Some(shared),
                ..
            } = &module.kind
            else {
                continue;
            };
            let fail =
                |message: String| format!("{}:{}: shares: {message}", module.file, shared.line);
            let other_service = services
                .iter()
                .find(|o| o.key == shared.service && o.key != service.key)
                .ok_or_else(|| fail(format!("no other service `{}`", shared.service)))?;
            let other = other_service
                .modules
                .iter()
                .find(|o| o.title == shared.document)
                .ok_or_else(|| {
                    fail(format!(
                        "{} has no document `{}`",
                        shared.service, shared.document
                    ))
                })?;
            let ModuleKind::Document {
                root: other_root,
                array_alias: other_alias,
                shares: None,
            } = &other.kind
            else {
                return Err(fail(format!(
                    "`{}` is no document of its own",
                    shared.document
                )));
            };
            let ModuleKind::Document { array_alias, .. } = &module.kind else {
                unreachable!()
            };
            if array_alias.is_some() != other_alias.is_some() {
                return Err(fail("one document is an array, the other not".to_owned()));
            }
            agree(
                &Shape::Object(module, *root),
                &Shape::Object(other, *other_root),
                types_of(service),
                types_of(other_service),
                "",
            )
            .map_err(|e| fail(format!("{e} in {} {}", shared.service, shared.document)))?;
            resolved.push((
                s,
                m,
                other_service.title.clone(),
                other.name.clone(),
                other.structs[*other_root].name.clone(),
                other_alias.clone(),
            ));
        }
    }
    for (s, m, title, module_name, root_name, alias) in resolved {
        if let ModuleKind::Document {
            shares: Some(shared),
            ..
        } = &mut services[s].modules[m].kind
        {
            shared.title = title;
            shared.module = module_name;
            shared.root = root_name;
            shared.alias = alias;
        }
    }
    Ok(())
}

/// The services whose documents a service's documents share (its model
/// crate depends on theirs).
pub fn shared_services(service: &Service) -> Vec<String> {
    let mut keys: Vec<String> = service
        .modules
        .iter()
        .filter_map(|m| match &m.kind {
            ModuleKind::Document {
                shares: Some(shared),
                ..
            } => Some(shared.service.clone()),
            _ => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
