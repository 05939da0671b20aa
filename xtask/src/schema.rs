//! Gives meaning to a parsed doc table: services, operations, documents,
//! structs, enums and their fields, with Rust names chosen and every rule of
//! `docs/apis/README.md` checked (errors name the file and line).

use std::collections::{BTreeMap, BTreeSet};

use crate::naming::{RESERVED_TYPE_NAMES, pascal, singular, snake};
use crate::table::{HeaderEntry, RawTable, Row, TableError};

type Result<T> = std::result::Result<T, TableError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Roa,
    Rpc,
    DashScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Acs3,
    Bearer,
}

/// A service, from `docs/apis/<service>/README.md`.
#[derive(Debug, Clone)]
pub struct Service {
    pub key: String,
    pub file: String,
    pub title: String,
    pub summary: String,
    pub product: String,
    pub version: String,
    pub style: Style,
    pub auth: Auth,
    pub endpoint: Option<String>,
    /// The facade's per-service client (`DianJin`), when the generator writes
    /// its methods (`facade:` in the service header).
    pub facade: Option<(String, String)>,
    pub modules: Vec<Module>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Double,
    Boolean,
}

/// How a boolean or integer is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    /// Native JSON; decoded strictly.
    None,
    /// Native JSON; also decoded from a string.
    Lenient,
    /// Written as a string (`"True"`, `"12"`); decoded leniently.
    AsString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Scalar(Scalar, Quirk),
    /// `string{secret}`: a credential in an answer, kept out of Debug.
    Secret,
    /// `string{signed-url}`: a presigned URL, its query kept out of Debug.
    SignedUrl,
    Enum(usize),
    Fixed(usize),
    Struct(usize),
    /// `BTreeMap<String, V>`; `None` holds any JSON value.
    Map(Option<Box<Ty>>),
    Array(Box<Ty>),
    Json,
    /// Any JSON value: `serde_json::Value`.
    Any,
    Id64,
    OneOrMany,
    /// A shared type of the service's `types.md` (`{ref: Name}`): a struct,
    /// or an enum when `enum_like` (the row is a string).
    Ref {
        name: String,
        enum_like: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
    /// Optional for the caller, always sent (an empty object when unset).
    Always,
    /// Required when every clause holds: sibling `field` has `value` (`when
    /// A = x and B = y`), or, with `negate`, none does (`unless A = x or B = y`).
    When {
        clauses: Vec<(String, String)>,
        negate: bool,
    },
    /// Exactly one field of the named group must be set.
    OneOf(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Response,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Ty,
    pub requirement: Requirement,
    pub location: Location,
    pub description: String,
    pub example: String,
    /// The dotted path in the doc table, e.g. `dialogue.sentences[].role`.
    pub table_path: String,
    pub line: usize,
    pub max_items: Option<usize>,
    /// For query arrays: joined with commas (`simple`) or repeated.
    pub repeat_in_query: bool,
    /// Another wire name accepted when decoding (`{alias: Name}`).
    pub alias: Option<String>,
    /// What a response field says about the call's outcome.
    pub marks: Marks,
}

/// Marks on a response field that tell the facade how a successful answer
/// reports a failure or the end of a stream (`docs/apis/README.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// `{fails-when: VALUE}`: the call failed when the field has this value
    /// (`non-empty` for any non-empty string).
    pub fails_when: Option<String>,
    /// `{error-code}`: the failure's code.
    pub error_code: bool,
    /// `{error-message}`: the failure's message.
    pub error_message: bool,
    /// `{request-id}`: the request id in the body.
    pub request_id: bool,
    /// `{stream-final}`: a streamed event is the last when this string is
    /// non-empty (or this boolean is true).
    pub stream_final: bool,
}

impl Marks {
    pub fn any(&self) -> bool {
        *self != Marks::default()
    }
}

impl Field {
    /// Whether the generated struct holds the value directly (not in `Option`).
    pub fn is_direct(&self, side: Side) -> bool {
        side == Side::Request
            && matches!(
                self.requirement,
                Requirement::Required | Requirement::Always
            )
            || matches!(self.ty, Ty::Fixed(_))
    }
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: String,
    /// For a shared type: the section it belongs to, which validation
    /// errors name instead of an operation.
    pub context: Option<String>,
    pub table_path: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub side: Side,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    pub description: String,
    /// `(variant, value)` pairs.
    pub variants: Vec<(String, String)>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct FixedDef {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct OperationSpec {
    pub action: String,
    pub method: String,
    pub path: String,
    pub streaming_field: Option<String>,
    /// Whether the operation can answer with server-sent events (`sse` or
    /// `sse when FIELD`).
    pub streams: bool,
    pub idempotent: bool,
    pub request: usize,
    pub response: usize,
    pub has_body: bool,
}

#[derive(Debug, Clone)]
pub enum ModuleKind {
    Operation(OperationSpec),
    /// `types.md`: the service's shared types.
    Types,
    Document {
        root: usize,
        /// For a document whose top level is an array: the alias name.
        array_alias: Option<String>,
    },
}

/// One doc table file, generated as one Rust module.
#[derive(Debug, Clone)]
pub struct Module {
    pub file: String,
    pub title: String,
    pub summary: String,
    pub name: String,
    pub kind: ModuleKind,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    pub fixed: Vec<FixedDef>,
    /// The shared types this module refers to: name, side, line.
    pub refs: Vec<(String, Side, usize)>,
}

impl Module {
    /// The struct or enum of this module named `name`.
    pub fn find_type(&self, name: &str) -> Option<TypeRef> {
        if let Some(index) = self.structs.iter().position(|s| s.name == name) {
            return Some(TypeRef::Struct(index));
        }
        self.enums
            .iter()
            .position(|e| e.name == name)
            .map(TypeRef::Enum)
    }
}

/// A type found by name in a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeRef {
    Struct(usize),
    Enum(usize),
}

struct Header<'a> {
    table: &'a RawTable,
    entries: BTreeMap<&'a str, &'a HeaderEntry>,
}

impl<'a> Header<'a> {
    fn new(table: &'a RawTable, allowed: &[&str]) -> Result<Self> {
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

    fn get(&self, key: &str) -> Option<&'a HeaderEntry> {
        self.entries.get(key).copied()
    }

    fn require(&self, key: &str) -> Result<&'a HeaderEntry> {
        self.get(key).ok_or_else(|| {
            self.table.error(
                self.table.header_line,
                format!("the header block lacks `{key}`"),
            )
        })
    }
}

fn parse_style(table: &RawTable, entry: &HeaderEntry) -> Result<Style> {
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

fn parse_auth(table: &RawTable, entry: &HeaderEntry) -> Result<Auth> {
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
fn version_value(text: &str) -> String {
    if text == "-" {
        String::new()
    } else {
        text.to_owned()
    }
}

/// A table's `service` must be its folder's.
fn check_service(table: &RawTable, header: &Header<'_>, service: &Service) -> Result<()> {
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

fn expect_kind(table: &RawTable, header: &Header<'_>, kind: &str) -> Result<()> {
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
            "facade",
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
        modules: Vec::new(),
    })
}

// ---------------------------------------------------------------------------
// Types

#[derive(Debug, Clone, PartialEq, Eq)]
enum Base {
    Scalar(Scalar),
    Long,
    Object,
    /// Any JSON value (Openmeta's `type: any`).
    Any,
    Map(Option<Box<Base>>),
    Array(Box<Base>),
}

fn parse_base(text: &str) -> std::result::Result<Base, String> {
    let lower = text.trim().to_ascii_lowercase();
    if let Some(inner) = lower
        .strip_prefix("array<")
        .and_then(|s| s.strip_suffix('>'))
    {
        return Ok(Base::Array(Box::new(parse_base(inner)?)));
    }
    if let Some(inner) = lower.strip_prefix("map<").and_then(|s| s.strip_suffix('>')) {
        return Ok(Base::Map(Some(Box::new(parse_base(inner)?))));
    }
    Ok(match lower.as_str() {
        "string" => Base::Scalar(Scalar::String),
        "integer" => Base::Scalar(Scalar::Integer),
        "long" => Base::Long,
        "double" | "float" => Base::Scalar(Scalar::Double),
        "boolean" => Base::Scalar(Scalar::Boolean),
        "object" => Base::Object,
        "map" => Base::Map(None),
        "any" => Base::Any,
        other => return Err(format!("unknown type `{other}`")),
    })
}

/// The annotations of a type cell: `{key}` or `{key: value}`.
type Annotations = BTreeMap<String, String>;

const ANNOTATIONS: &[&str] = &[
    "enum",
    "lenient",
    "as-string",
    "json",
    "one-or-many",
    "id",
    "fixed",
    "name",
    "style",
    "max",
    "alias",
    "fails-when",
    "error-code",
    "error-message",
    "request-id",
    "stream-final",
    "ref",
    "secret",
    "signed-url",
];

fn parse_type_cell(cell: &str) -> std::result::Result<(Base, Annotations), String> {
    let (base, mut rest) = match cell.find('{') {
        Some(index) => (&cell[..index], &cell[index..]),
        None => (cell, ""),
    };
    let base = parse_base(base)?;
    let mut annotations = Annotations::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let inner_end = rest
            .strip_prefix('{')
            .and_then(|r| r.find('}'))
            .ok_or_else(|| {
                format!("malformed annotation in `{cell}`: expected `{{key}}` or `{{key: value}}`")
            })?;
        let inner = &rest[1..=inner_end];
        let (key, value) = match inner.split_once(':') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (inner.trim(), ""),
        };
        if !ANNOTATIONS.contains(&key) {
            return Err(format!(
                "unknown annotation `{{{key}}}` (known: {})",
                ANNOTATIONS.join(", ")
            ));
        }
        if annotations
            .insert(key.to_owned(), value.to_owned())
            .is_some()
        {
            return Err(format!("annotation `{{{key}}}` given twice"));
        }
        rest = &rest[inner_end + 2..];
    }
    Ok((base, annotations))
}

fn parse_requirement(cell: &str, side: Side) -> std::result::Result<Requirement, String> {
    let cell = cell.trim();
    let requirement = if cell == "yes" {
        Requirement::Required
    } else if cell == "no" {
        Requirement::Optional
    } else if cell == "always" {
        Requirement::Always
    } else if let Some(group) = cell.strip_prefix("one of ") {
        Requirement::OneOf(group.trim().to_owned())
    } else if let Some((negate, condition)) = cell
        .strip_prefix("when ")
        .map(|c| (false, c))
        .or_else(|| cell.strip_prefix("unless ").map(|c| (true, c)))
    {
        // `when A = x and B = y`; `unless A = x or B = y`.
        let joint = if negate { " or " } else { " and " };
        let clauses = condition
            .split(joint)
            .map(|clause| {
                clause
                    .split_once('=')
                    .map(|(field, value)| (field.trim().to_owned(), value.trim().to_owned()))
                    .ok_or_else(|| {
                        format!("`{cell}`: expected `when F = V [and G = W]` or `unless F = V [or G = W]`")
                    })
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        Requirement::When { clauses, negate }
    } else {
        return Err(format!(
            "required must be yes, no, always, `when F = V`, `unless F = V` or `one of GROUP`; found `{cell}`"
        ));
    };
    if side == Side::Response
        && !matches!(requirement, Requirement::Required | Requirement::Optional)
    {
        return Err(format!(
            "`{cell}` has no meaning in a response; use yes or no"
        ));
    }
    Ok(requirement)
}

// ---------------------------------------------------------------------------
// Building a module

struct Builder<'a> {
    table: &'a RawTable,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    fixed: Vec<FixedDef>,
    used_names: BTreeSet<String>,
    /// Struct index by the table path of its fields' parent.
    struct_by_path: BTreeMap<String, usize>,
    /// Whether the rows being added may carry outcome marks (an operation's
    /// response, not a document).
    marks_allowed: bool,
    /// The shared type whose rows are being added (in `types.md`).
    context: Option<String>,
    /// `{ref: Name}` uses: name, side, line.
    refs: Vec<(String, Side, usize)>,
}

impl<'a> Builder<'a> {
    fn new(table: &'a RawTable) -> Self {
        Self {
            table,
            structs: Vec::new(),
            enums: Vec::new(),
            fixed: Vec::new(),
            used_names: BTreeSet::new(),
            struct_by_path: BTreeMap::new(),
            marks_allowed: false,
            context: None,
            refs: Vec::new(),
        }
    }

    fn err(&self, line: usize, message: impl Into<String>) -> TableError {
        self.table.error(line, message)
    }

    /// Claims a type name: the preferred one, else prefixed by the parent's.
    fn claim(
        &mut self,
        explicit: Option<&str>,
        preferred: &str,
        parent: &str,
        line: usize,
    ) -> Result<String> {
        let free = |name: &str, used: &BTreeSet<String>| {
            !used.contains(name) && !RESERVED_TYPE_NAMES.contains(&name)
        };
        let name = if let Some(explicit) = explicit {
            if !free(explicit, &self.used_names) {
                return Err(self.err(
                    line,
                    format!("type name `{explicit}` is already used in this table"),
                ));
            }
            explicit.to_owned()
        } else if free(preferred, &self.used_names) {
            preferred.to_owned()
        } else {
            let stem = parent
                .strip_suffix("Request")
                .or_else(|| parent.strip_suffix("Response"))
                .filter(|s| !s.is_empty())
                .unwrap_or(parent);
            let prefixed = format!("{stem}{preferred}");
            if !free(&prefixed, &self.used_names) {
                return Err(self.err(
                    line,
                    format!("type names `{preferred}` and `{prefixed}` are both taken: name it with {{name: ...}}"),
                ));
            }
            prefixed
        };
        self.used_names.insert(name.clone());
        Ok(name)
    }

    fn new_struct(
        &mut self,
        name: String,
        table_path: &str,
        description: &str,
        side: Side,
        line: usize,
    ) -> usize {
        self.structs.push(StructDef {
            name,
            context: self.context.clone(),
            table_path: table_path.to_owned(),
            description: description.to_owned(),
            fields: Vec::new(),
            side,
            line,
        });
        let index = self.structs.len() - 1;
        self.struct_by_path.insert(table_path.to_owned(), index);
        index
    }

    /// Adds the rows of one section as fields of the struct at `root_path`.
    fn add_rows(
        &mut self,
        rows: &[Row],
        root_path: &str,
        location: Location,
        side: Side,
    ) -> Result<()> {
        // Every path that some row sits under: object rows with these paths
        // become structs, the others maps.
        let mut parents = BTreeSet::new();
        for row in rows {
            let mut path = row.name.as_str();
            while let Some(index) = path.rfind('.') {
                path = &path[..index];
                parents.insert(path.to_owned());
            }
        }
        for row in rows {
            self.add_row(row, root_path, location, side, &parents)?;
        }
        Ok(())
    }

    fn add_row(
        &mut self,
        row: &Row,
        root_path: &str,
        location: Location,
        side: Side,
        parents: &BTreeSet<String>,
    ) -> Result<()> {
        let line = row.line;
        let (parent_path, segment) = match row.name.rfind('.') {
            Some(index) => (&row.name[..index], &row.name[index + 1..]),
            None => (root_path, row.name.as_str()),
        };
        if segment.is_empty() || segment.contains('[') || segment.contains(' ') {
            return Err(self.err(
                line,
                format!("`{}`: a name's last segment is a plain key", row.name),
            ));
        }
        let parent = *self.struct_by_path.get(parent_path).ok_or_else(|| {
            self.err(
                line,
                format!(
                    "`{}` sits under `{parent_path}`, which no row above declares as object or array<object>",
                    row.name
                ),
            )
        })?;
        let (base, annotations) =
            parse_type_cell(&row.ty).map_err(|m| self.err(line, format!("`{}`: {m}", row.name)))?;
        let requirement = parse_requirement(&row.required, side)
            .map_err(|m| self.err(line, format!("`{}`: {m}", row.name)))?;
        let parent_name = self.structs[parent].name.clone();
        let ty = self.build_type(row, &base, &annotations, &parent_name, side, parents, false)?;

        let max_items = match annotations.get("max") {
            Some(max) => {
                if !matches!(base, Base::Array(_)) {
                    return Err(self.err(line, "{max: N} applies to arrays"));
                }
                Some(
                    max.parse::<usize>()
                        .map_err(|_| self.err(line, format!("{{max: {max}}} is not a number")))?,
                )
            }
            None => None,
        };
        let repeat_in_query = match annotations.get("style").map(String::as_str) {
            None | Some("simple") => false,
            Some("repeat") => true,
            Some(other) => {
                return Err(self.err(
                    line,
                    format!("{{style: {other}}}: expected simple or repeat"),
                ));
            }
        };
        if annotations.contains_key("style") && location != Location::Query {
            return Err(self.err(line, "{style} applies to query parameters"));
        }
        match location {
            Location::Path => {
                if !matches!(ty, Ty::Scalar(Scalar::String, Quirk::None))
                    || requirement != Requirement::Required
                {
                    return Err(self.err(line, "a path parameter is a required string"));
                }
            }
            Location::Query => {
                let scalar = |t: &Ty| {
                    matches!(
                        t,
                        Ty::Scalar(_, Quirk::None)
                            | Ty::Enum(_)
                            | Ty::Ref {
                                enum_like: true,
                                ..
                            }
                    )
                };
                let ok = match &ty {
                    Ty::Array(inner) => scalar(inner),
                    other => scalar(other),
                };
                if !ok {
                    return Err(self.err(
                        line,
                        "a query parameter is a scalar, an enum or an array of them",
                    ));
                }
            }
            Location::Body => {}
        }
        if requirement == Requirement::Always && !matches!(ty, Ty::Struct(_) | Ty::Map(_)) {
            return Err(self.err(line, "`always` applies to objects"));
        }
        let alias = annotations.get("alias").cloned();
        if alias.as_deref() == Some("") {
            return Err(self.err(line, "{alias: NAME} needs a name"));
        }
        let marks = Marks {
            fails_when: annotations.get("fails-when").cloned(),
            error_code: annotations.contains_key("error-code"),
            error_message: annotations.contains_key("error-message"),
            request_id: annotations.contains_key("request-id"),
            stream_final: annotations.contains_key("stream-final"),
        };
        if marks.any() {
            self.check_marks(row, &ty, &marks, side)?;
        }
        let rust = snake(segment);
        let strukt = &self.structs[parent];
        if let Some(other) = strukt
            .fields
            .iter()
            .find(|f| f.rust == rust || f.wire == segment)
        {
            return Err(self.err(
                line,
                format!(
                    "`{}` clashes with `{}` (line {}) in the same object",
                    row.name, other.table_path, other.line
                ),
            ));
        }
        let table_path = row.name.clone();
        self.structs[parent].fields.push(Field {
            wire: segment.to_owned(),
            rust,
            ty,
            requirement,
            location,
            description: row.description.clone(),
            example: row.example.clone(),
            table_path,
            line,
            max_items,
            repeat_in_query,
            alias,
            marks,
        });
        Ok(())
    }

    /// Outcome marks belong on scalar fields of an operation's response, not
    /// inside arrays, and must fit the field's type.
    fn check_marks(&self, row: &Row, ty: &Ty, marks: &Marks, side: Side) -> Result<()> {
        let line = row.line;
        let name = &row.name;
        if side != Side::Response || !self.marks_allowed {
            return Err(self.err(
                line,
                format!("`{name}`: outcome marks apply to an operation's response fields"),
            ));
        }
        if name.contains("[]") {
            return Err(self.err(
                line,
                format!("`{name}`: outcome marks cannot sit inside an array"),
            ));
        }
        let is_string = matches!(ty, Ty::Scalar(Scalar::String, _));
        if (marks.error_code || marks.error_message || marks.request_id) && !is_string {
            return Err(self.err(
                line,
                format!(
                    "`{name}`: {{error-code}}, {{error-message}} and {{request-id}} mark strings"
                ),
            ));
        }
        if marks.stream_final && !matches!(ty, Ty::Scalar(Scalar::String | Scalar::Boolean, _)) {
            return Err(self.err(
                line,
                format!("`{name}`: {{stream-final}} marks a string or a boolean"),
            ));
        }
        if let Some(value) = &marks.fails_when {
            let fits = match ty {
                Ty::Scalar(Scalar::Boolean, _) => value == "true" || value == "false",
                Ty::Scalar(Scalar::Integer, _) => value.parse::<i64>().is_ok(),
                Ty::Scalar(Scalar::String, _) => !value.is_empty(),
                Ty::Enum(index) => self.enums[*index].variants.iter().any(|(_, v)| v == value),
                _ => false,
            };
            if !fits {
                return Err(self.err(
                    line,
                    format!("`{name}`: {{fails-when: {value}}} does not fit its type (true/false for a boolean, a number, one of an enum's values, a string or `non-empty`)"),
                ));
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn build_type(
        &mut self,
        row: &Row,
        base: &Base,
        annotations: &Annotations,
        parent_name: &str,
        side: Side,
        parents: &BTreeSet<String>,
        in_array: bool,
    ) -> Result<Ty> {
        let line = row.line;
        let segment = row.name.rsplit('.').next().unwrap_or(&row.name);
        let preferred = if in_array {
            pascal(&singular(segment))
        } else {
            pascal(segment)
        };
        let explicit = annotations.get("name").map(String::as_str);
        let quirks: Vec<&str> = [
            "lenient",
            "as-string",
            "json",
            "one-or-many",
            "id",
            "fixed",
            "enum",
            "secret",
            "signed-url",
        ]
        .into_iter()
        .filter(|k| annotations.contains_key(*k))
        .collect();
        if quirks.len() > 1 {
            return Err(self.err(
                line,
                format!("annotations {} cannot be combined", quirks.join(", ")),
            ));
        }
        let quirk = quirks.first().copied();
        if let Some(target) = annotations.get("ref") {
            return self.build_ref(row, base, target, quirk, explicit, side, parents, in_array);
        }
        let scalar_quirk = |q: Option<&str>| match q {
            Some("lenient") => Quirk::Lenient,
            Some("as-string") => Quirk::AsString,
            _ => Quirk::None,
        };
        let misplaced = |this: &Self, what: &str| {
            Err(this.err(
                line,
                format!(
                    "`{}`: {{{}}} does not apply to {what}",
                    row.name,
                    quirk.unwrap_or("")
                ),
            ))
        };
        match base {
            Base::Array(inner) => {
                if in_array {
                    return Err(self.err(line, "arrays of arrays are not supported"));
                }
                let item =
                    self.build_type(row, inner, annotations, parent_name, side, parents, true)?;
                Ok(Ty::Array(Box::new(item)))
            }
            Base::Map(inner) => {
                if quirk.is_some() {
                    return misplaced(self, "maps");
                }
                let value = match inner {
                    None => None,
                    Some(inner) => match **inner {
                        Base::Scalar(scalar) => Some(Box::new(Ty::Scalar(scalar, Quirk::None))),
                        Base::Long => Some(Box::new(Ty::Scalar(Scalar::Integer, Quirk::None))),
                        _ => {
                            return Err(self
                                .err(line, "map values are scalars (or use `map` for any JSON)"));
                        }
                    },
                };
                Ok(Ty::Map(value))
            }
            Base::Any => {
                if quirk.is_some() {
                    return misplaced(self, "any");
                }
                Ok(Ty::Any)
            }
            Base::Object => {
                if quirk.is_some() {
                    return misplaced(self, "objects");
                }
                let path = if in_array {
                    format!("{}[]", row.name)
                } else {
                    row.name.clone()
                };
                if parents.contains(&path) {
                    let name = self.claim(explicit, &preferred, parent_name, line)?;
                    let index = self.new_struct(name, &path, &row.description, side, line);
                    Ok(Ty::Struct(index))
                } else {
                    Ok(Ty::Map(None))
                }
            }
            Base::Long => match quirk {
                Some("id") => Ok(Ty::Id64),
                None | Some("lenient") | Some("as-string") => {
                    Ok(Ty::Scalar(Scalar::Integer, scalar_quirk(quirk)))
                }
                _ => misplaced(self, "long"),
            },
            Base::Scalar(scalar) => match (scalar, quirk) {
                (_, None) => Ok(Ty::Scalar(*scalar, Quirk::None)),
                (Scalar::Boolean | Scalar::Integer, Some("lenient" | "as-string")) => {
                    Ok(Ty::Scalar(*scalar, scalar_quirk(quirk)))
                }
                (Scalar::Integer, Some("id")) => Ok(Ty::Id64),
                (Scalar::String, Some("json")) => Ok(Ty::Json),
                (Scalar::String, Some("one-or-many")) => Ok(Ty::OneOrMany),
                (Scalar::String, Some("secret")) => Ok(Ty::Secret),
                (Scalar::String, Some("signed-url")) => Ok(Ty::SignedUrl),
                (Scalar::String, Some("fixed")) => {
                    let value = annotations.get("fixed").cloned().unwrap_or_default();
                    if value.is_empty() {
                        return Err(self.err(line, "{fixed: VALUE} needs a value"));
                    }
                    let name = self.claim(
                        None,
                        &format!("{parent_name}{}", pascal(segment)),
                        parent_name,
                        line,
                    )?;
                    self.fixed.push(FixedDef { name, value });
                    Ok(Ty::Fixed(self.fixed.len() - 1))
                }
                (Scalar::String, Some("enum")) => {
                    let list = annotations.get("enum").cloned().unwrap_or_default();
                    let variants = self.enum_variants(line, &list)?;
                    let name = self.claim(explicit, &preferred, parent_name, line)?;
                    self.enums.push(EnumDef {
                        name,
                        description: row.description.clone(),
                        variants,
                        line,
                    });
                    Ok(Ty::Enum(self.enums.len() - 1))
                }
                _ => misplaced(self, &format!("{scalar:?}").to_lowercase()),
            },
        }
    }

    /// A `{ref: Name}` row: a shared type of `types.md`, on an object without
    /// child rows, an array of them, a string (an enum) or an array of strings.
    #[allow(clippy::too_many_arguments)]
    fn build_ref(
        &mut self,
        row: &Row,
        base: &Base,
        target: &str,
        quirk: Option<&str>,
        explicit: Option<&str>,
        side: Side,
        parents: &BTreeSet<String>,
        in_array: bool,
    ) -> Result<Ty> {
        let line = row.line;
        let name = &row.name;
        let valid = !target.is_empty()
            && target
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
            && target.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid {
            return Err(self.err(
                line,
                format!("`{name}`: {{ref: {target}}} needs a type name"),
            ));
        }
        if quirk.is_some() || explicit.is_some() {
            return Err(self.err(
                line,
                format!("`{name}`: {{ref}} takes no other type annotation"),
            ));
        }
        let enum_like = match base {
            Base::Array(inner) if !in_array => {
                let item =
                    self.build_ref(row, inner, target, quirk, explicit, side, parents, true)?;
                return Ok(Ty::Array(Box::new(item)));
            }
            Base::Object => {
                let path = if in_array {
                    format!("{name}[]")
                } else {
                    name.clone()
                };
                if parents.contains(&path) {
                    return Err(self.err(
                        line,
                        format!("`{name}`: a {{ref}} row has no child rows (the shared type defines them)"),
                    ));
                }
                false
            }
            Base::Scalar(Scalar::String) => true,
            _ => {
                return Err(self.err(
                    line,
                    format!("`{name}`: {{ref}} applies to object, string or an array of them"),
                ));
            }
        };
        // Inside types.md a {ref} names a sibling section: nothing to reserve.
        if self.context.is_none() {
            if self.used_names.contains(target) && !self.refs.iter().any(|(n, _, _)| n == target) {
                return Err(self.err(
                    line,
                    format!(
                        "`{name}`: {{ref: {target}}} clashes with a type of this table of that name"
                    ),
                ));
            }
            self.used_names.insert(target.to_owned());
        }
        self.refs.push((target.to_owned(), side, line));
        Ok(Ty::Ref {
            name: target.to_owned(),
            enum_like,
        })
    }

    fn enum_variants(&self, line: usize, list: &str) -> Result<Vec<(String, String)>> {
        let mut variants: Vec<(String, String)> = Vec::new();
        for item in list.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(self.err(line, "{enum: ...} lists values separated by commas"));
            }
            let (variant, value) = match item.split_once('=') {
                Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
                None => (pascal(item), item.to_owned()),
            };
            let valid = variant
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && variant.chars().all(|c| c.is_ascii_alphanumeric());
            if !valid {
                return Err(self.err(
                    line,
                    format!("enum value `{item}` needs a name: write `Name={item}`"),
                ));
            }
            if variants.iter().any(|(_, v)| *v == value) {
                return Err(self.err(line, format!("enum value `{value}` is listed twice")));
            }
            if variant == "Unknown" || variants.iter().any(|(v, _)| *v == variant) {
                return Err(self.err(
                    line,
                    format!("enum variant name `{variant}` is taken: write `Name={value}`"),
                ));
            }
            variants.push((variant, value));
        }
        Ok(variants)
    }

    /// Checks what can only be checked once every row is known.
    fn check_rules(&self) -> Result<()> {
        for strukt in &self.structs {
            let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
            for field in &strukt.fields {
                match &field.requirement {
                    Requirement::When { clauses, .. } => {
                        for (other, _) in clauses {
                            let condition = strukt.fields.iter().find(|f| f.wire == *other);
                            let ok = condition.is_some_and(|f| {
                                matches!(
                                    f.ty,
                                    Ty::Enum(_)
                                        | Ty::Ref {
                                            enum_like: true,
                                            ..
                                        }
                                        | Ty::Scalar(Scalar::String | Scalar::Boolean, Quirk::None)
                                )
                            });
                            if !ok {
                                return Err(self.err(
                                field.line,
                                format!("the condition names `{other}`, which is not a string, enum or boolean beside `{}`", field.wire),
                            ));
                            }
                        }
                    }
                    Requirement::OneOf(group) => *groups.entry(group.as_str()).or_default() += 1,
                    Requirement::Always => {
                        if let Ty::Struct(index) = field.ty {
                            if self.structs[index].fields.iter().any(|f| {
                                f.is_direct(Side::Request) && !matches!(f.ty, Ty::Fixed(_))
                            }) {
                                return Err(self.err(
                                    field.line,
                                    "`always` objects must have only optional fields",
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
            if let Some((group, _)) = groups.iter().find(|(_, count)| **count < 2) {
                return Err(self.err(
                    strukt.line,
                    format!("group `one of {group}` has a single field"),
                ));
            }
        }
        Ok(())
    }
}

fn section<'a>(table: &'a RawTable, title: &str) -> Option<&'a crate::table::Section> {
    table
        .sections
        .iter()
        .find(|s| s.title == title && !s.rows.is_empty())
}

fn file_stem(file: &str) -> &str {
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

fn operation(table: &RawTable, service: &Service) -> Result<Module> {
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
    let streams = streaming_entry.value != "no";
    let streaming_field = match streaming_entry.value.as_str() {
        "no" | "sse" => None,
        value => {
            let field = value.strip_prefix("sse when ").ok_or_else(|| {
                table.error(
                    streaming_entry.line,
                    "streaming is `no`, `sse` or `sse when FIELD`",
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
            idempotent,
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

fn document(table: &RawTable, service: &Service) -> Result<Module> {
    let header = Header::new(table, &["kind", "service"])?;
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
        kind: ModuleKind::Document { root, array_alias },
        structs: builder.structs,
        enums: builder.enums,
        fixed: builder.fixed,
        refs: builder.refs,
    })
}

// ---------------------------------------------------------------------------
// Shared types (`types.md`)

/// The `{ref: ...}` targets of each section of a `types.md` (section name ->
/// referenced names), to propagate sides before the types are built.
pub fn type_references(table: &RawTable) -> Result<BTreeMap<String, Vec<String>>> {
    let mut edges = BTreeMap::new();
    for section in table.sections.iter().filter(|s| !s.rows.is_empty()) {
        let mut targets = Vec::new();
        for row in &section.rows {
            let (_, annotations) = parse_type_cell(&row.ty)
                .map_err(|m| table.error(row.line, format!("`{}`: {m}", row.name)))?;
            if let Some(target) = annotations.get("ref") {
                targets.push(target.clone());
            }
        }
        edges.insert(section.title.clone(), targets);
    }
    Ok(edges)
}

/// The side of every shared struct: the side of the tables that refer to it,
/// directly or through another shared type. `uses` are the `{ref}`s of the
/// operation and document tables, with the file that made each.
pub fn shared_sides(
    table: &RawTable,
    edges: &BTreeMap<String, Vec<String>>,
    uses: &[(String, Side, String)],
) -> Result<BTreeMap<String, Side>> {
    let mut sides: BTreeMap<String, (Side, String)> = BTreeMap::new();
    let mut work: Vec<(String, Side, String)> = uses.to_vec();
    while let Some((name, side, by)) = work.pop() {
        match sides.get(&name) {
            Some((known, _)) if *known == side => continue,
            Some((_, other)) => {
                let line = table
                    .sections
                    .iter()
                    .find(|s| s.title == name)
                    .map_or(table.header_line, |s| s.line);
                return Err(table.error(
                    line,
                    format!("shared type `{name}` is used by a request ({}) and a response ({}): give each side its own type", if side == Side::Request { &by } else { other }, if side == Side::Request { other } else { &by }),
                ));
            }
            None => {}
        }
        sides.insert(name.clone(), (side, by.clone()));
        for target in edges.get(&name).into_iter().flatten() {
            work.push((target.clone(), side, format!("{by} via {name}")));
        }
    }
    Ok(sides.into_iter().map(|(n, (s, _))| (n, s)).collect())
}

/// Reads `types.md`: one shared struct per `##` section (its rows relative to
/// it), or one shared enum where the section's single row is named like it.
pub fn types(
    table: &RawTable,
    service: &Service,
    sides: &BTreeMap<String, Side>,
) -> Result<Module> {
    let header = Header::new(table, &["kind", "service"])?;
    expect_kind(table, &header, "types")?;
    check_service(table, &header, service)?;
    if table.title != "types" {
        return Err(table.error(1, "the title of types.md is `# types`"));
    }
    let mut builder = Builder::new(table);
    let mut seen = BTreeSet::new();
    for section in table.sections.iter().filter(|s| !s.rows.is_empty()) {
        let name = section.title.as_str();
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid || pascal(name) != name {
            return Err(table.error(
                section.line,
                format!("a shared type's section is named in PascalCase, found `{name}`"),
            ));
        }
        if !seen.insert(name.to_owned()) {
            return Err(table.error(section.line, format!("a second `## {name}` section")));
        }
        builder.struct_by_path.clear();
        builder.context = Some(name.to_owned());
        if let [row] = section.rows.as_slice() {
            if row.name == name {
                // A standalone enum: `## ModelCode` with one row `ModelCode`.
                let (base, annotations) = parse_type_cell(&row.ty)
                    .map_err(|m| table.error(row.line, format!("`{}`: {m}", row.name)))?;
                if !annotations.contains_key("enum") || annotations.contains_key("name") {
                    return Err(table.error(
                        row.line,
                        format!("`{name}`: a one-row section named like its row defines a shared enum: `string {{enum: ...}}`"),
                    ));
                }
                let ty = builder.build_type(
                    row,
                    &base,
                    &annotations,
                    "",
                    Side::Request,
                    &BTreeSet::new(),
                    false,
                )?;
                let is_named = matches!(ty, Ty::Enum(index) if builder.enums[index].name == name);
                if !is_named {
                    return Err(table.error(row.line, format!("`{name}`: expected a shared enum")));
                }
                if !section.text.is_empty() {
                    if let Ty::Enum(index) = ty {
                        builder.enums[index].description = section.text.clone();
                    }
                }
                continue;
            }
        }
        let side = *sides.get(name).ok_or_else(|| {
            table.error(
                section.line,
                format!("shared type `{name}` is used by no table (refer to it with {{ref: {name}}}, or remove it)"),
            )
        })?;
        let struct_name = builder.claim(Some(name), name, "", section.line)?;
        builder.new_struct(struct_name, "", &section.text, side, section.line);
        builder.add_rows(&section.rows, "", Location::Body, side)?;
    }
    builder.context = None;
    builder.check_rules()?;
    Ok(Module {
        file: table.file.clone(),
        title: table.title.clone(),
        summary: table.summary.clone(),
        name: "types".into(),
        kind: ModuleKind::Types,
        structs: builder.structs,
        enums: builder.enums,
        fixed: builder.fixed,
        refs: builder.refs,
    })
}

/// Checks every `{ref: ...}` of a service: the shared type exists, is a
/// struct on an object row and an enum on a string row.
pub fn check_refs(service: &Service, files: &BTreeMap<String, RawTable>) -> Result<()> {
    let types = service
        .modules
        .iter()
        .find(|m| matches!(m.kind, ModuleKind::Types));
    for module in &service.modules {
        let Some(raw) = files.get(&module.file) else {
            continue;
        };
        for field in module.structs.iter().flat_map(|s| &s.fields) {
            let Some((name, enum_like)) = ref_of(&field.ty) else {
                continue;
            };
            let line = field.line;
            let fits = match types.and_then(|t| t.find_type(name)) {
                Some(TypeRef::Struct(_)) => !enum_like,
                Some(TypeRef::Enum(_)) => enum_like,
                None => {
                    return Err(raw.error(
                        line,
                        format!(
                            "{{ref: {name}}}: no shared type `{name}` in docs/apis/{}/types.md",
                            service.key
                        ),
                    ));
                }
            };
            if !fits {
                return Err(raw.error(
                    line,
                    format!("{{ref: {name}}}: a struct is referred to from an object row, an enum from a string row"),
                ));
            }
        }
    }
    Ok(())
}

/// The shared type a field's type refers to (through arrays): name, enum-like.
pub fn ref_of(ty: &Ty) -> Option<(&str, bool)> {
    match ty {
        Ty::Ref { name, enum_like } => Some((name, *enum_like)),
        Ty::Array(item) => ref_of(item),
        _ => None,
    }
}
