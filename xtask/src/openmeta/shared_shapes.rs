//! Shared shapes: the vendor's metadata has no `$ref` for most services (an
//! empty `components.schemas`), so every operation repeats every nested
//! object. Objects of the same shape (the same fields, with the same types and
//! requiredness; descriptions and examples may differ) become one section of
//! the service's `types.md`, which the tables refer to with `{ref: Name}`:
//! one Rust type a user can read from one operation and pass to another.
//!
//! Two leniencies, both decoding what either form allows: a scalar's
//! `{lenient}` (the importer marks response scalars so) does not make a shape
//! different, and neither does a string's `{enum: ...}`, whose values the
//! vendor lists differently from one operation to the next; the shared row
//! then holds every enum value seen (unknown values still decode) and
//! `{lenient}` where any use had it.
//!
//! Names are deterministic: the shortest name the metadata gives the object
//! in any of its uses (singular for array items), then longer ones where a
//! name is taken; an overlay's `{name: X}` wins.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::naming::{RESERVED_TYPE_NAMES, pascal, singular};

/// Annotations that tie a field to an operation's outcome: an object holding
/// one stays in its table.
const OUTCOME_MARKS: [&str; 5] = [
    "{fails-when",
    "{error-code",
    "{error-message",
    "{request-id",
    "{stream-final",
];

/// A section of `types.md` the import writes.
#[derive(Debug, Clone)]
pub(crate) struct SharedType {
    pub(crate) name: String,
    /// Where it is used: `Op` `field path`, in table order.
    pub(crate) uses: Vec<String>,
    pub(crate) description: String,
    pub(crate) rows: Vec<Row>,
}

/// One object row with child rows, in one section of one table.
struct Node {
    table: usize,
    section: usize,
    row: usize,
    /// The rows below it (every depth), as indices into the section.
    descendants: Vec<usize>,
    signature: String,
}

/// Finds the repeated object shapes of `tables` (operation name, table),
/// rewrites their uses as `{ref: Name}` rows without children, and returns
/// the shared types to write, sorted by name. `hand` holds the shapes
/// `types.md` defines by hand (name, rows relative to it): an object of one
/// of those shapes refers to it, even when used once.
pub(crate) fn extract(
    tables: &mut [(String, OpTable)],
    hand: &[(String, Vec<Row>)],
) -> Vec<SharedType> {
    let nodes = object_nodes(tables);
    let mut by_signature: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for node in &nodes {
        by_signature.entry(&node.signature).or_default().push(node);
    }
    let hand_names: BTreeMap<String, String> = hand
        .iter()
        .map(|(name, rows)| (section_signature(rows), name.clone()))
        .collect();
    let taken: BTreeSet<String> = hand.iter().map(|(name, _)| name.clone()).collect();
    // Shapes written by hand, and repeated ones, in the order their first use
    // appears.
    let mut repeated: Vec<(&str, Vec<&Node>)> = by_signature
        .into_iter()
        .filter(|(signature, uses)| uses.len() >= 2 || hand_names.contains_key(*signature))
        .collect();
    repeated.sort_by_key(|(_, uses)| (uses[0].table, uses[0].section, uses[0].row));
    let mut names = choose_names(
        tables,
        &repeated
            .iter()
            .filter(|(signature, _)| !hand_names.contains_key(*signature))
            .cloned()
            .collect::<Vec<_>>(),
        &taken,
    );
    for (signature, _) in &repeated {
        if let Some(name) = hand_names.get(*signature) {
            names.insert(signature, name.clone());
        }
    }

    let mut shared = Vec::new();
    for (signature, uses) in &repeated {
        if hand_names.contains_key(*signature) {
            continue;
        }
        let name = names[*signature].clone();
        let first = uses[0];
        let (_, rows) = &tables[first.table].1.sections[first.section];
        let prefix = child_prefix(&rows[first.row]);
        let mut section_rows = Vec::new();
        for &index in &first.descendants {
            let row = &rows[index];
            let relative = row.name[prefix.len()..].to_owned();
            // A nested shape that is shared itself is referred to; its own
            // rows live in its section.
            if within_nested_shared(&first.descendants, index, rows, &nodes, first, &names) {
                continue;
            }
            let mut merged = row.clone();
            merged.name = relative.clone();
            merged.ty = merged_type(tables, uses, &relative);
            if let Some(child) = nested_name(&nodes, first, index, &names) {
                merged.ty = ref_type(&row.ty, child);
            }
            section_rows.push(merged);
        }
        let description = rows[first.row].description.clone();
        let mut use_names: Vec<String> = uses
            .iter()
            .map(|node| {
                let (op, table) = &tables[node.table];
                format!("{op} `{}`", table.sections[node.section].1[node.row].name)
            })
            .collect();
        use_names.dedup();
        shared.push(SharedType {
            name,
            uses: use_names,
            description,
            rows: section_rows,
        });
    }

    // Rewrite every use: the object row refers to its shared type, and its
    // rows go. Nodes are handled from the last row up so indices stay valid.
    let mut rewrites: Vec<(&Node, &str)> = repeated
        .iter()
        .flat_map(|(signature, uses)| uses.iter().map(|node| (*node, names[*signature].as_str())))
        .collect();
    rewrites.sort_by_key(|(node, _)| std::cmp::Reverse((node.table, node.section, node.row)));
    let mut removed: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    for (node, name) in &rewrites {
        if removed.contains(&(node.table, node.section, node.row)) {
            continue;
        }
        let rows = &mut tables[node.table].1.sections[node.section].1;
        rows[node.row].ty = ref_type(&rows[node.row].ty, name);
        for &index in &node.descendants {
            removed.insert((node.table, node.section, index));
        }
    }
    for (t, (_, table)) in tables.iter_mut().enumerate() {
        for (s, (_, rows)) in table.sections.iter_mut().enumerate() {
            let mut index = 0;
            rows.retain(|_| {
                let keep = !removed.contains(&(t, s, index));
                index += 1;
                keep
            });
        }
    }
    shared.sort_by(|a, b| a.name.cmp(&b.name));
    shared
}

/// Every object row with children, with its shape's signature.
fn object_nodes(tables: &[(String, OpTable)]) -> Vec<Node> {
    let mut nodes = Vec::new();
    for (t, (_, table)) in tables.iter().enumerate() {
        for (s, (_, rows)) in table.sections.iter().enumerate() {
            for (r, row) in rows.iter().enumerate() {
                if !is_plain_object(&row.ty) {
                    continue;
                }
                let prefix = child_prefix(row);
                let descendants: Vec<usize> = (r + 1..rows.len())
                    .take_while(|&i| rows[i].name.starts_with(&prefix))
                    .collect();
                if descendants.is_empty()
                    || descendants
                        .iter()
                        .any(|&i| OUTCOME_MARKS.iter().any(|m| rows[i].ty.contains(m)))
                {
                    continue;
                }
                nodes.push(Node {
                    table: t,
                    section: s,
                    row: r,
                    signature: signature(rows, r),
                    descendants,
                });
            }
        }
    }
    nodes
}

/// An object (or array of objects) row that names no shared type yet.
fn is_plain_object(ty: &str) -> bool {
    let base = ty.split(" {").next().unwrap_or_default();
    matches!(base, "object" | "array<object>") && !ty.contains("{ref:") && !ty.contains("{map")
}

/// The prefix of a row's children: `a.` for an object, `a[].` for an array.
fn child_prefix(row: &Row) -> String {
    if row.ty.starts_with("array<") {
        format!("{}[].", row.name)
    } else {
        format!("{}.", row.name)
    }
}

/// The shape of a `types.md` section, whose rows are relative to it.
fn section_signature(rows: &[Row]) -> String {
    let root = Row {
        name: "_".into(),
        ty: "object".into(),
        required: "no".into(),
        description: String::new(),
        example: String::new(),
    };
    let mut all = vec![root];
    all.extend(rows.iter().map(|r| Row {
        name: format!("_.{}", r.name),
        ..r.clone()
    }));
    signature(&all, 0)
}

/// The shape of the object at `index`: its direct fields (sorted), each with
/// its type (without `{lenient}` and `{enum}`), requiredness and own shape.
fn signature(rows: &[Row], index: usize) -> String {
    let prefix = child_prefix(&rows[index]);
    let mut fields: Vec<String> = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(index + 1) {
        let Some(local) = row.name.strip_prefix(&prefix) else {
            break;
        };
        if local.contains('.') {
            continue;
        }
        let nested = if is_plain_object(&row.ty)
            && rows
                .get(i + 1)
                .is_some_and(|next| next.name.starts_with(&child_prefix(row)))
        {
            signature(rows, i)
        } else {
            String::new()
        };
        // An object without child rows holds any keys, as a `map` does.
        let ty = match comparable_type(&row.ty) {
            ty if ty == "object" && nested.is_empty() => "map".to_owned(),
            ty => ty,
        };
        fields.push(format!("{local}:{ty}:{}:{nested}", row.required));
    }
    fields.sort();
    format!("{{{}}}", fields.join(","))
}

/// A type cell as shapes compare it: without `{lenient}` or `{enum: ...}`,
/// and without `{name: ...}` (a name is no part of a shape).
fn comparable_type(ty: &str) -> String {
    annotations_of(ty)
        .into_iter()
        .filter(|a| !is_lenient(a) && !a.starts_with("{enum:") && !a.starts_with("{name:"))
        .fold(base_of(ty).to_owned(), |acc, a| format!("{acc} {a}"))
}

fn base_of(ty: &str) -> &str {
    ty.split(" {").next().unwrap_or_default()
}

/// The `{...}` annotations of a type cell, in order.
fn annotations_of(ty: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = &ty[base_of(ty).len()..];
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start..start + end + 1].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

fn is_lenient(annotation: &str) -> bool {
    annotation == "{lenient}"
}

/// The type cell of the shared row at `relative`: the first use's cell, with
/// every enum value any use lists and `{lenient}` where any use has it.
fn merged_type(tables: &[(String, OpTable)], uses: &[&Node], relative: &str) -> String {
    let cells: Vec<&str> = uses
        .iter()
        .filter_map(|node| {
            let rows = &tables[node.table].1.sections[node.section].1;
            let prefix = child_prefix(&rows[node.row]);
            node.descendants
                .iter()
                .map(|&i| &rows[i])
                .find(|row| row.name.strip_prefix(&prefix) == Some(relative))
                .map(|row| row.ty.as_str())
        })
        .collect();
    let mut values: Vec<String> = Vec::new();
    for cell in &cells {
        for annotation in annotations_of(cell) {
            if let Some(list) = annotation
                .strip_prefix("{enum:")
                .and_then(|l| l.strip_suffix('}'))
            {
                for value in list.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    if !values.iter().any(|v| v == value) {
                        values.push(value.to_owned());
                    }
                }
            }
        }
    }
    let lenient = cells
        .iter()
        .any(|c| annotations_of(c).iter().any(|a| is_lenient(a)));
    let first = cells.first().copied().unwrap_or_default();
    let mut out = base_of(first).to_owned();
    for annotation in annotations_of(first) {
        if is_lenient(&annotation)
            || annotation.starts_with("{enum:")
            || annotation.starts_with("{name:")
        {
            continue;
        }
        out = format!("{out} {annotation}");
    }
    if !values.is_empty() {
        out = format!("{out} {{enum: {}}}", values.join(", "));
    }
    if lenient {
        out.push_str(" {lenient}");
    }
    out
}

/// `object {ref: Name}` or `array<object> {ref: Name}` for an object row.
fn ref_type(ty: &str, name: &str) -> String {
    format!("{} {{ref: {name}}}", base_of(ty))
}

/// The shared name of the object row `index` below `parent`, when it is a
/// shared shape of its own.
fn nested_name<'a>(
    nodes: &[Node],
    parent: &Node,
    index: usize,
    names: &'a BTreeMap<&str, String>,
) -> Option<&'a str> {
    nodes
        .iter()
        .find(|n| n.table == parent.table && n.section == parent.section && n.row == index)
        .and_then(|n| names.get(n.signature.as_str()))
        .map(String::as_str)
}

/// Whether row `index` sits inside a nested object (below `parent`) that is
/// a shared shape of its own: its section holds it.
fn within_nested_shared(
    descendants: &[usize],
    index: usize,
    rows: &[Row],
    nodes: &[Node],
    parent: &Node,
    names: &BTreeMap<&str, String>,
) -> bool {
    descendants.iter().any(|&other| {
        other < index
            && rows[index].name.starts_with(&child_prefix(&rows[other]))
            && nested_name(nodes, parent, other, names).is_some()
    })
}

/// A name for every repeated shape: its uses' names, shortest first; an
/// overlay's `{name: X}` first of all. A name two shapes want goes to the
/// one used more often (then the one seen first); the other takes its next.
fn choose_names<'a>(
    tables: &[(String, OpTable)],
    repeated: &[(&'a str, Vec<&Node>)],
    taken: &BTreeSet<String>,
) -> BTreeMap<&'a str, String> {
    let mut taken: BTreeSet<String> = taken.clone();
    taken.extend(RESERVED_TYPE_NAMES.iter().map(|n| (*n).to_owned()));
    let mut order: Vec<usize> = (0..repeated.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(repeated[i].1.len()));
    let mut names = BTreeMap::new();
    for i in order {
        let (signature, uses) = &repeated[i];
        let mut candidates: Vec<String> = Vec::new();
        let mut explicit: Vec<String> = Vec::new();
        for node in uses {
            let row = &tables[node.table].1.sections[node.section].1[node.row];
            for annotation in annotations_of(&row.ty) {
                if let Some(name) = annotation
                    .strip_prefix("{name:")
                    .and_then(|n| n.strip_suffix('}'))
                {
                    explicit.push(name.trim().to_owned());
                }
            }
            let local = row
                .name
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .trim_end_matches("[]");
            let array = row.ty.starts_with("array<");
            // A generic field name (`data`, `records`) says less than the
            // operation: GetLibrary's `data` is a `Library`.
            let named = if GENERIC_NAMES.contains(&local.to_ascii_lowercase().as_str()) {
                operation_noun(&tables[node.table].0)
            } else {
                local.to_owned()
            };
            candidates.push(if array {
                pascal(&singular(&named))
            } else {
                pascal(&named)
            });
        }
        // Then each name with its operation's noun before it
        // (`VocabWordWeight`), for a name another shape has.
        let mut qualified: Vec<String> = Vec::new();
        for (node, name) in uses.iter().zip(candidates.clone()) {
            let noun = pascal(&singular(&operation_noun(&tables[node.table].0)));
            if !name.starts_with(&noun) {
                qualified.push(format!("{noun}{name}"));
            }
        }
        for list in [&mut candidates, &mut qualified] {
            list.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
            list.dedup();
        }
        explicit.extend(candidates);
        explicit.extend(qualified);
        let chosen = explicit
            .iter()
            .find(|n| !taken.contains(*n))
            .cloned()
            .unwrap_or_else(|| {
                let base = &explicit[0];
                (2..)
                    .map(|n| format!("{base}{n}"))
                    .find(|n| !taken.contains(n))
                    .unwrap_or_default()
            });
        taken.insert(chosen.clone());
        names.insert(*signature, chosen);
    }
    names
}

/// Field names that say nothing of what they hold.
const GENERIC_NAMES: [&str; 12] = [
    "data", "result", "results", "record", "records", "item", "items", "list", "info", "detail",
    "value", "content",
];

/// Verbs an operation name starts with, before its noun.
const VERBS: [&str; 12] = [
    "Get", "List", "Create", "Update", "Delete", "Query", "Run", "Submit", "Describe", "Add",
    "Remove", "Set",
];

/// An operation's noun: its name without the leading verb (`GetLibraryList`
/// -> `LibraryList`).
fn operation_noun(operation: &str) -> String {
    VERBS
        .iter()
        .find_map(|verb| {
            operation
                .strip_prefix(verb)
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
        .unwrap_or(operation)
        .to_owned()
}
