//! `paged:` in an operation's header: the operation answers a page at a
//! time. The facade then gets a paginator (a stream of pages and one of
//! items), and the model crate an `aliyun_ai_core::Paged` impl saying which
//! request fields choose the page and where the answer says its place.
//!
//! ```text
//! paged: page=page size=pageSize items=data.records current=data.currentPage total=data.totalPages
//! ```
//!
//! `page` and `size` are top-level integer fields of the request (query or
//! body, optional); `items` is an array of the response, `current` (optional)
//! and `total` integers of it, each a dotted path of wire keys that may pass
//! through shared types.

use super::{Field, Module, Scalar, Service, Side, Ty, TypeRef};

/// The parsed `paged:` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagedSpec {
    /// The request's page-number field (wire key).
    pub page: String,
    /// The request's page-size field (wire key).
    pub size: String,
    /// The response path of the page's items.
    pub items: String,
    /// The response path of the page's own number, if the answer has one.
    pub current: Option<String>,
    /// The response path of the number of pages.
    pub total: String,
    /// The header's line, for errors.
    pub line: usize,
}

impl PagedSpec {
    /// Parses the header's value.
    pub(crate) fn parse(value: &str, line: usize) -> Result<Self, String> {
        let mut page = None;
        let mut size = None;
        let mut items = None;
        let mut current = None;
        let mut total = None;
        for pair in value.split_whitespace() {
            let (key, path) = pair
                .split_once('=')
                .ok_or_else(|| format!("paged: `{pair}` is not KEY=PATH"))?;
            let slot = match key {
                "page" => &mut page,
                "size" => &mut size,
                "items" => &mut items,
                "current" => &mut current,
                "total" => &mut total,
                other => {
                    return Err(format!(
                        "paged: unknown key `{other}` (page, size, items, current, total)"
                    ));
                }
            };
            if slot.replace(path.to_owned()).is_some() {
                return Err(format!("paged: `{key}` given twice"));
            }
        }
        let need = |slot: Option<String>, key: &str| {
            slot.ok_or_else(|| format!("paged: `{key}=...` is missing"))
        };
        Ok(Self {
            page: need(page, "page")?,
            size: need(size, "size")?,
            items: need(items, "items")?,
            current,
            total: need(total, "total")?,
            line,
        })
    }
}

/// A response path followed to its last field.
#[derive(Debug, Clone)]
pub struct ResolvedPath {
    /// The Rust field names along the path.
    pub rust: Vec<String>,
    /// The last field.
    pub last: Field,
    /// Whether the last field belongs to the shared types' module.
    pub in_types: bool,
}

/// Follows a dotted path of wire keys from struct `start` of `module`,
/// through inline structs and shared types.
pub fn resolve(
    module: &Module,
    types: Option<&Module>,
    start: usize,
    path: &str,
) -> Result<ResolvedPath, String> {
    let mut current: (&Module, usize, bool) = (module, start, false);
    let mut rust = Vec::new();
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let (owner, index, in_types) = current;
        let field = owner.structs[index]
            .fields
            .iter()
            .find(|f| f.wire == *segment)
            .ok_or_else(|| format!("paged: `{path}`: no field `{segment}`"))?;
        rust.push(field.rust.clone());
        if i + 1 == segments.len() {
            return Ok(ResolvedPath {
                rust,
                last: field.clone(),
                in_types,
            });
        }
        current = match &field.ty {
            Ty::Struct(next) => (owner, *next, in_types),
            Ty::Ref {
                name,
                enum_like: false,
            } => {
                let types = types.ok_or_else(|| format!("paged: `{path}`: no shared types"))?;
                match types.find_type(name) {
                    Some(TypeRef::Struct(next)) => (types, next, true),
                    _ => return Err(format!("paged: `{path}`: `{name}` is no struct")),
                }
            }
            _ => return Err(format!("paged: `{path}`: `{segment}` is no object")),
        };
    }
    Err(format!("paged: `{path}` is empty"))
}

fn is_integer(ty: &Ty) -> bool {
    matches!(ty, Ty::Scalar(Scalar::Integer, _))
}

/// Checks every `paged:` header of the service against its tables.
pub fn check_paged(service: &Service) -> Result<(), String> {
    let types = service
        .modules
        .iter()
        .find(|m| matches!(m.kind, super::ModuleKind::Types));
    for module in &service.modules {
        let super::ModuleKind::Operation(op) = &module.kind else {
            continue;
        };
        let Some(paged) = &op.paged else {
            continue;
        };
        let fail = |message: String| format!("{}:{}: {message}", module.file, paged.line);
        let request = &module.structs[op.request];
        for wire in [&paged.page, &paged.size] {
            let field = request
                .fields
                .iter()
                .find(|f| f.wire == *wire)
                .ok_or_else(|| fail(format!("paged: the request has no field `{wire}`")))?;
            if !is_integer(&field.ty) || field.is_direct(Side::Request) {
                return Err(fail(format!(
                    "paged: `{wire}` is an optional integer of the request"
                )));
            }
        }
        let items = resolve(module, types, op.response, &paged.items).map_err(&fail)?;
        if !matches!(items.last.ty, Ty::Array(_)) {
            return Err(fail(format!("paged: `{}` is no array", paged.items)));
        }
        for path in paged.current.iter().chain([&paged.total]) {
            let resolved = resolve(module, types, op.response, path).map_err(&fail)?;
            if !is_integer(&resolved.last.ty) {
                return Err(fail(format!("paged: `{path}` is no integer")));
            }
        }
    }
    Ok(())
}
