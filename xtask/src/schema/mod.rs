//! Gives meaning to a parsed doc table: services, operations, documents,
//! structs, enums and their fields, with Rust names chosen and every rule of
//! `docs/apis/README.md` checked (errors name the file and line).

mod builder;
mod cells;
mod errors;
mod events;
mod header;
mod modules;
mod paged;
mod shared;
mod shares;

pub use errors::{ErrorClass, ErrorCodeDef, service_errors};
pub use events::{End, EventsSpec, Hop, check_events, last_test, resolve_event_path, text_access};
pub use header::service;
pub use modules::module;
pub use paged::{PagedSpec, ResolvedPath, check_paged, resolve};
pub use shared::{check_refs, ref_of, shared_sides, type_references, types};
pub use shares::{SharedDocument, resolve_shares, shared_services};

use builder::*;
use cells::*;
use header::*;

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
    /// The facade feature that compiles it in (`feature:`, or its key when it
    /// has a `facade:` client); `None` when the facade does not build it.
    pub feature: Option<String>,
    /// Its error vocabulary (`## Errors` of its README).
    pub errors: Vec<ErrorCodeDef>,
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
    /// A shared type that requests send and responses return: built like a
    /// request's (builder, plain encoding), read like a response's (every
    /// field optional and lenient).
    Both,
}

impl Side {
    /// Whether requests send values of this side (a builder is generated).
    pub fn is_sent(self) -> bool {
        matches!(self, Side::Request | Side::Both)
    }
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
    /// `{rest}`: a response's catch-all map of every key no other row
    /// names (`#[serde(flatten)]`), for answers whose shape no source gives.
    pub rest: bool,
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
            || self.rest
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
    /// `streaming: websocket PROTOCOL`: a WebSocket session with this
    /// sub-protocol (the request is the signed upgrade).
    pub websocket: Option<String>,
    pub idempotent: bool,
    /// `paged:`: answered a page at a time.
    pub paged: Option<Box<PagedSpec>>,
    /// `events:`: what the events of a streamed answer carry.
    pub events: Option<Box<EventsSpec>>,
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
        /// `shares:`: the other service's document this one is.
        shares: Option<Box<SharedDocument>>,
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
