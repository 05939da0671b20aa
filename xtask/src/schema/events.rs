//! `events:` in a streaming operation's header: what each event of its
//! streamed answer carries. The model crate then implements
//! `aliyun_ai_core::StreamEvent` for the output (the facade's
//! `text_deltas()`), and the server entry carries the shape the emulator
//! plays the answer in.
//!
//! ```text
//! events: cumulative text
//! events: increment data.message, cumulative data.text, last data.finish, steps dataType copilotStep queryResult then message
//! events: increment content, steps messageType ToolDiscovery FunctionCall then Answer
//! events: snapshots data.list[].status=pending
//! ```
//!
//! Clauses, separated by commas: `increment PATH` (each event's new piece of
//! text), `cumulative PATH` (the text so far), `last PATH` (where the last
//! event says so, when no field of the table is marked `{stream-final}`),
//! `steps FIELD KIND... then ANSWER` (events of the named kinds come before
//! the answer's), `whole PATH` (where a non-streamed answer holds the
//! whole text, when the events carry it in fields of their own), or
//! `snapshots PATH=VALUE` alone (every event is the whole
//! answer so far, holding VALUE at PATH until the last). A path is dotted
//! wire keys; `[]` after a key takes an array's first item; a path may go on
//! into a field of type `any`.

use super::{Module, ModuleKind, Scalar, Service, Ty, TypeRef};

/// The parsed `events:` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventsSpec {
    pub increment: Option<String>,
    pub cumulative: Option<String>,
    pub last: Option<String>,
    pub steps: Option<StepsSpec>,
    pub snapshots: Option<(String, String)>,
    pub whole: Option<String>,
    pub line: usize,
}

/// `steps FIELD KIND... then ANSWER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepsSpec {
    pub field: String,
    pub kinds: Vec<String>,
    pub answer: String,
}

impl EventsSpec {
    /// Parses the header's value.
    pub(crate) fn parse(value: &str, line: usize) -> Result<Self, String> {
        let mut spec = EventsSpec {
            line,
            ..EventsSpec::default()
        };
        for clause in value.split(',') {
            let words: Vec<&str> = clause.split_whitespace().collect();
            let (first, rest) = words
                .split_first()
                .ok_or_else(|| "events: an empty clause".to_owned())?;
            let one_path = |what: &str| match rest {
                [path] => Ok((*path).to_owned()),
                _ => Err(format!("events: `{what}` takes one path")),
            };
            let twice = |what: &str| format!("events: `{what}` given twice");
            match *first {
                "increment" => {
                    if spec.increment.replace(one_path("increment")?).is_some() {
                        return Err(twice("increment"));
                    }
                }
                "cumulative" => {
                    if spec.cumulative.replace(one_path("cumulative")?).is_some() {
                        return Err(twice("cumulative"));
                    }
                }
                "last" => {
                    if spec.last.replace(one_path("last")?).is_some() {
                        return Err(twice("last"));
                    }
                }
                "whole" => {
                    if spec.whole.replace(one_path("whole")?).is_some() {
                        return Err(twice("whole"));
                    }
                }
                "snapshots" => {
                    let pair = one_path("snapshots")?;
                    let (path, value) = pair
                        .split_once('=')
                        .ok_or_else(|| "events: `snapshots PATH=VALUE`".to_owned())?;
                    if spec
                        .snapshots
                        .replace((path.to_owned(), value.to_owned()))
                        .is_some()
                    {
                        return Err(twice("snapshots"));
                    }
                }
                "steps" => {
                    let shape = "events: `steps FIELD KIND... then ANSWER`";
                    let then = rest.iter().position(|w| *w == "then").ok_or(shape)?;
                    let (field, kinds) = rest[..then].split_first().ok_or(shape)?;
                    let [answer] = &rest[then + 1..] else {
                        return Err(shape.to_owned());
                    };
                    if kinds.is_empty() {
                        return Err(shape.to_owned());
                    }
                    let steps = StepsSpec {
                        field: (*field).to_owned(),
                        kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
                        answer: (*answer).to_owned(),
                    };
                    if spec.steps.replace(steps).is_some() {
                        return Err(twice("steps"));
                    }
                }
                other => {
                    return Err(format!(
                        "events: unknown clause `{other}` (increment, cumulative, last, whole, steps, snapshots)"
                    ));
                }
            }
        }
        let text = spec.increment.is_some() || spec.cumulative.is_some();
        if spec.snapshots.is_some() && (text || spec.steps.is_some()) {
            return Err("events: `snapshots` stands alone".to_owned());
        }
        if !text && spec.snapshots.is_none() {
            return Err(
                "events: say where the text grows (`increment PATH` or `cumulative PATH`) or `snapshots PATH=VALUE`"
                    .to_owned(),
            );
        }
        Ok(spec)
    }
}

/// One step of a resolved path, for the generated accessor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hop {
    /// A typed field (its Rust name).
    Field(String),
    /// An array's first item.
    First,
    /// A key of an `any` value.
    Key(String),
    /// The first item of an `any` array.
    KeyFirst,
}

/// What a resolved path ends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Text,
    Boolean,
    /// Inside (or at) an `any` field: a JSON value.
    Json,
    /// Any other value (an enum, a number): only a snapshot's status.
    Other,
}

/// Follows an events path through structs, shared types, arrays and `any`.
pub fn resolve_event_path(
    module: &Module,
    types: Option<&Module>,
    start: usize,
    path: &str,
) -> Result<(Vec<Hop>, End), String> {
    let mut hops = Vec::new();
    let mut current: Option<(&Module, usize)> = Some((module, start));
    let mut in_json = false;
    let mut last_ty: Option<Ty> = None;
    for segment in path.split('.') {
        let (key, first) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (segment, false),
        };
        if key.is_empty() {
            return Err(format!("events: `{path}` has an empty key"));
        }
        if in_json {
            hops.push(Hop::Key(key.to_owned()));
            if first {
                hops.push(Hop::KeyFirst);
            }
            continue;
        }
        let (owner, index) =
            current.ok_or_else(|| format!("events: `{path}`: `{key}` is inside no object"))?;
        let field = owner.structs[index]
            .fields
            .iter()
            .find(|f| f.wire == key)
            .ok_or_else(|| format!("events: `{path}`: no field `{key}`"))?;
        hops.push(Hop::Field(field.rust.clone()));
        let mut ty = field.ty.clone();
        if first {
            let Ty::Array(item) = ty else {
                return Err(format!("events: `{path}`: `{key}` is no array"));
            };
            hops.push(Hop::First);
            ty = *item;
        }
        current = match &ty {
            Ty::Struct(next) => Some((owner, *next)),
            Ty::Ref {
                name,
                enum_like: false,
            } => match types.and_then(|t| t.find_type(name).map(|r| (t, r))) {
                Some((types, TypeRef::Struct(next))) => Some((types, next)),
                _ => return Err(format!("events: `{path}`: `{name}` is no shared struct")),
            },
            Ty::Any | Ty::Map(None) => {
                in_json = true;
                None
            }
            _ => None,
        };
        last_ty = Some(ty);
    }
    let end = if in_json {
        End::Json
    } else {
        match last_ty {
            Some(Ty::Scalar(Scalar::String, _)) => End::Text,
            Some(Ty::Scalar(Scalar::Boolean, _)) => End::Boolean,
            _ => End::Other,
        }
    };
    Ok((hops, end))
}

/// The expression reaching a path from `root` (`Option<&T>`).
pub fn access(root: &str, hops: &[Hop]) -> String {
    let mut expr = String::new();
    for (i, hop) in hops.iter().enumerate() {
        match hop {
            Hop::Field(name) if i == 0 => expr = format!("{root}.{name}.as_ref()"),
            Hop::Field(name) => expr.push_str(&format!(".and_then(|v| v.{name}.as_ref())")),
            Hop::First => expr.push_str(".and_then(|v| v.first())"),
            Hop::Key(key) => expr.push_str(&format!(".and_then(|v| v.get({key:?}))")),
            Hop::KeyFirst => expr.push_str(".and_then(|v| v.get(0))"),
        }
    }
    expr
}

/// Checks every `events:` header of the service, and that each operation
/// answering with server-sent events has one.
pub fn check_events(service: &Service) -> Result<(), String> {
    let types = service
        .modules
        .iter()
        .find(|m| matches!(m.kind, ModuleKind::Types));
    for module in &service.modules {
        let ModuleKind::Operation(op) = &module.kind else {
            continue;
        };
        let Some(events) = &op.events else {
            if op.streams {
                return Err(format!(
                    "{}: a streaming operation says what its events carry (`events:`, docs/apis/README.md)",
                    module.file
                ));
            }
            continue;
        };
        let fail = |message: String| format!("{}:{}: {message}", module.file, events.line);
        if !op.streams {
            return Err(fail(
                "events: on an operation that does not stream".to_owned(),
            ));
        }
        let text_paths = events.increment.iter().chain(&events.cumulative);
        let steps_field = events.steps.as_ref().map(|s| &s.field);
        for path in text_paths.chain(steps_field).chain(&events.whole) {
            let (_, end) = resolve_event_path(module, types, op.response, path).map_err(&fail)?;
            if !matches!(end, End::Text | End::Json) {
                return Err(fail(format!("events: `{path}` is no string")));
            }
        }
        if let Some(path) = &events.last {
            let (_, end) = resolve_event_path(module, types, op.response, path).map_err(&fail)?;
            if end == End::Other {
                return Err(fail(format!("events: `{path}` is no string or boolean")));
            }
        }
        if let Some((path, _)) = &events.snapshots {
            resolve_event_path(module, types, op.response, path).map_err(&fail)?;
        }
    }
    Ok(())
}

/// The `Option<&str>` at a text path from `root`.
pub fn text_access(root: &str, (hops, end): &(Vec<Hop>, End)) -> String {
    match (end, hops.split_last()) {
        (End::Json, _) => format!("{}.and_then(serde_json::Value::as_str)", access(root, hops)),
        (_, Some((Hop::Field(name), []))) => format!("{root}.{name}.as_deref()"),
        (_, Some((Hop::Field(name), parents))) => {
            format!(
                "{}.and_then(|v| v.{name}.as_deref())",
                access(root, parents)
            )
        }
        _ => format!("{}.map(String::as_str)", access(root, hops)),
    }
}

/// The test that the value at a `last` path from `root` says "last".
pub fn last_test(root: &str, (hops, end): &(Vec<Hop>, End)) -> String {
    let expr = access(root, hops);
    match end {
        End::Boolean => format!("{expr} == Some(&true)"),
        End::Text | End::Other => format!("{expr}.is_some_and(|v| !v.is_empty())"),
        End::Json => format!(
            "{expr}.is_some_and(|v| v.as_bool() == Some(true) || v.as_str().is_some_and(|s| !s.is_empty()))"
        ),
    }
}
