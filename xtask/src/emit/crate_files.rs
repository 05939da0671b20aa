//! A model crate's files: its modules, `lib.rs`, `Cargo.toml` and `README.md`.

use std::fmt::Write as _;

use super::*;

/// The Rust source of one module (before rustfmt).
pub fn module(service: &Service, module: &Module) -> String {
    if let ModuleKind::Document {
        root,
        array_alias,
        shares: Some(shared),
    } = &module.kind
    {
        return shared_document(
            module,
            &module.structs[*root].name,
            array_alias.as_deref(),
            shared,
        );
    }
    let types = service
        .modules
        .iter()
        .find(|m| matches!(m.kind, ModuleKind::Types));
    let mut emitter = Emitter::new(module, types);
    let operation_name = match &module.kind {
        ModuleKind::Operation(op) => Some(op.action.clone()),
        ModuleKind::Document { .. } | ModuleKind::Types => None,
    };
    if let Some(action) = &operation_name {
        let _ = writeln!(
            emitter.out,
            "/// The operation's name, as validation errors report it.\nconst {OPERATION_CONST}: &str = {};\n",
            rust_str(action)
        );
    }
    emitter.emit_fixed();
    for index in 0..module.structs.len() {
        emitter.emit_struct(index);
    }
    if let ModuleKind::Document {
        array_alias: Some(alias),
        root,
        ..
    } = &module.kind
    {
        let _ = writeln!(
            emitter.out,
            "/// The whole document: a JSON array of [`{}`].\npub type {alias} = Vec<{}>;\n",
            module.structs[*root].name, module.structs[*root].name
        );
    }
    for def in &module.enums.clone() {
        emitter.emit_enum(def);
    }
    if let ModuleKind::Operation(op) = &module.kind {
        emitter.emit_operation(service, op);
    }
    // An operation with nothing to validate or encode (no parameters at all)
    // never names itself: its const would be dead code.
    let const_line = format!("const {OPERATION_CONST}: &str");
    if emitter.out.matches(OPERATION_CONST).count() == 1 && emitter.out.contains(&const_line) {
        let start = emitter.out.find("/// The operation's name").unwrap_or(0);
        let end = emitter.out[start..]
            .find(";\n\n")
            .map_or(start, |e| start + e + 3);
        emitter.out.replace_range(start..end, "");
    }

    let mut head = generated_header(&module.file, "//");
    let mut doc = format!("{}: {}", module.title, doc_text(&module.summary));
    match &module.kind {
        ModuleKind::Operation(op) => {
            let _ = write!(
                doc,
                "\n\n`{} {}` ({}{}). Request: [`{}`], response: [`{}`].",
                op.method,
                op.path,
                match service.style {
                    Style::Roa => "ROA",
                    Style::Rpc => "RPC",
                    Style::DashScope => "DashScope",
                },
                if op.streams {
                    ", can stream server-sent events"
                } else {
                    ""
                },
                module.structs[op.request].name,
                module.structs[op.response].name
            );
        }
        ModuleKind::Types => {
            let _ = write!(
                doc,
                "\n\nShapes several operations of this service share: one type a caller can pass to each."
            );
        }
        ModuleKind::Document {
            root, array_alias, ..
        } => {
            let _ = write!(
                doc,
                "\n\nA result document; decode it into [`{}`].",
                array_alias
                    .as_deref()
                    .unwrap_or(&module.structs[*root].name)
            );
        }
    }
    for line in doc.lines() {
        if line.is_empty() {
            head.push_str("//!\n");
        } else {
            let _ = writeln!(head, "//! {line}");
        }
    }
    head.push('\n');
    for path in &emitter.uses {
        let _ = writeln!(head, "use {path};");
    }
    head.push('\n');
    head.push_str(&emitter.out);
    head
}

pub(super) fn style_variant(style: Style) -> &'static str {
    match style {
        Style::Roa => "Roa",
        Style::Rpc => "Rpc",
        Style::DashScope => "DashScope",
    }
}

pub fn crate_name(service: &Service) -> String {
    format!("aliyun-ai-models-{}", service.key)
}

/// A `shares:` document's module: the other service's document, re-exported
/// under this document's names (`resolve_shares` checked that the shapes
/// agree).
fn shared_document(
    module: &Module,
    root: &str,
    alias: Option<&str>,
    shared: &crate::schema::SharedDocument,
) -> String {
    let other = format!(
        "aliyun_ai_models_{}::{}",
        shared.service.replace('-', "_"),
        shared.module
    );
    let mut out = generated_header(&module.file, "//");
    let _ = writeln!(
        out,
        "//! {}: {}\n//!\n//! A result document with the shape of {}'s `{}` document (crate `aliyun-ai-models-{}`):\n//! this crate re-exports that type (`shares:` in the doc table), so one type reads both\n//! services' files, in PascalCase or camelCase.\n\npub use {other}::*;\n",
        module.title,
        doc_text(&module.summary),
        shared.title,
        shared.document,
        shared.service
    );
    let mut alias_line = |mine: &str, theirs: &str, what: &str| {
        if mine != theirs {
            let _ = writeln!(
                out,
                "/// {what}: {}'s [`{theirs}`], whose shape it shares.\npub type {mine} = {other}::{theirs};\n",
                shared.title
            );
        }
    };
    match (alias, shared.alias.as_deref()) {
        (Some(mine), Some(theirs)) => {
            alias_line(root, &shared.root, "One item of the document");
            alias_line(mine, theirs, "The whole document (a JSON array)");
        }
        _ => alias_line(root, &shared.root, "The whole document"),
    }
    out
}

/// The source of the crate's `lib.rs` (before rustfmt).
pub fn lib(service: &Service) -> String {
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "//");
    let _ = writeln!(
        out,
        "//! Models of {}: {}",
        doc_text(&service.title),
        doc_text(&service.summary)
    );
    let _ = writeln!(
        out,
        "//!\n//! Product `{}`, {}, {} style. Generated from the doc tables in [`docs/apis/{key}/`](https://github.com/aliyun-ai/aliyun-ai-rs/tree/main/docs/apis/{key});",
        service.product,
        if service.version.is_empty() {
            "no API version (DashScope)".to_owned()
        } else {
            format!("API version `{}`", service.version)
        },
        style_variant(service.style)
            .to_uppercase()
            .replace("DASHSCOPE", "DashScope"),
        key = service.key
    );
    let _ = writeln!(
        out,
        "//! this crate has no HTTP stack: it depends on `serde`, `serde_json` and `aliyun-ai-core` only.\n//!"
    );
    let _ = writeln!(
        out,
        "//! | module | what | request | response |\n//! |---|---|---|---|"
    );
    for module in &service.modules {
        match &module.kind {
            ModuleKind::Operation(op) => {
                let _ = writeln!(
                    out,
                    "//! | [`{}`] | operation `{}` | [`{}`] | [`{}`] |",
                    module.name,
                    op.action,
                    module.structs[op.request].name,
                    module.structs[op.response].name
                );
            }
            ModuleKind::Types => {
                let _ = writeln!(out, "//! | [`{}`] | shared types | | |", module.name);
            }
            ModuleKind::Document {
                root, array_alias, ..
            } => {
                let _ = writeln!(
                    out,
                    "//! | [`{}`] | result document | | [`{}`] |",
                    module.name,
                    array_alias
                        .as_deref()
                        .unwrap_or(&module.structs[*root].name)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "// docs.rs (nightly) badges what the `server` feature adds.\n#![cfg_attr(docsrs, feature(doc_cfg))]\n\nuse aliyun_ai_core::{{AuthScheme, ServiceInfo, Style}};\n\n/// What every request of this crate implements: its service, action, path, query and body \
         (execute it with `aliyun_ai::Client::execute`, or read it to send it yourself).\npub use aliyun_ai_core::Operation;\n"
    );
    if service.modules.iter().any(|m| !m.enums.is_empty()) {
        let _ = writeln!(out, "aliyun_ai_core::unknown_value!();\n");
    }
    for module in &service.modules {
        let _ = writeln!(out, "pub mod {};", module.name);
    }
    out.push('\n');
    for module in &service.modules {
        match &module.kind {
            ModuleKind::Operation(op) => {
                let _ = writeln!(
                    out,
                    "pub use {}::{{{}, {}}};",
                    module.name, module.structs[op.request].name, module.structs[op.response].name
                );
            }
            ModuleKind::Document {
                root, array_alias, ..
            } => {
                let mut names = vec![module.structs[*root].name.clone()];
                if let Some(alias) = array_alias {
                    names.push(alias.clone());
                }
                let _ = writeln!(out, "pub use {}::{{{}}};", module.name, names.join(", "));
            }
            ModuleKind::Types => {
                let _ = writeln!(out, "pub use types::*;");
            }
        }
    }
    let errors: String = service
        .errors
        .iter()
        .map(|e| {
            format!(
                "aliyun_ai_core::ErrorCode {{ status: {}, code: {}, class: {}, meaning: {} }},",
                e.status,
                rust_str(&e.code),
                e.class.map_or("None".to_owned(), |c| format!(
                    "Some(aliyun_ai_core::ErrorClass::{})",
                    c.variant()
                )),
                rust_str(&e.meaning)
            )
        })
        .collect();
    let endpoint = match &service.endpoint {
        Some(endpoint) => format!("Some({})", rust_str(endpoint)),
        None => "None".into(),
    };
    let auth = match service.auth {
        Auth::Acs3 => "Acs3HmacSha256",
        Auth::Bearer => "Bearer",
    };
    let operations: Vec<String> = service
        .modules
        .iter()
        .filter_map(|module| match &module.kind {
            ModuleKind::Operation(op) => Some(format!(
                "<{}::{} as aliyun_ai_core::Operation>::INFO",
                module.name, module.structs[op.request].name
            )),
            _ => None,
        })
        .collect();
    if !operations.is_empty() {
        let _ = writeln!(
            out,
            "\n/// Every operation of this crate, in table order: what a router (such as the emulator's) serves.\npub const OPERATIONS: &[&aliyun_ai_core::OperationInfo] = &[{}];",
            operations.join(", ")
        );
        let entries: Vec<String> = service
            .modules
            .iter()
            .filter_map(|module| match &module.kind {
                ModuleKind::Operation(op) => {
                    let request = format!("{}::{}", module.name, module.structs[op.request].name);
                    let mut marked = Vec::new();
                    marked_fields(module, op.response, None, &mut marked);
                    let stream_final = marked
                        .iter()
                        .find(|m| m.field.marks.stream_final)
                        .map(|m| m.field.table_path.clone());
                    let events = op.events.as_deref().map_or("None".to_owned(), |events| {
                        event_shape(events, stream_final.as_deref())
                    });
                    Some(format!(
                        "aliyun_ai_core::server::ServerEntry {{ info: <{request} as aliyun_ai_core::Operation>::INFO, answer: aliyun_ai_core::server::answer_with_example::<{request}>, decode_answer: aliyun_ai_core::server::decode_answer::<{request}>, events: {events} }}"
                    ))
                }
                _ => None,
            })
            .collect();
        let _ = writeln!(
            out,
            "\n/// Every operation, with how a server decodes and answers it (from the tables' examples).\n#[cfg(feature = \"server\")]\npub const SERVER_OPERATIONS: &[aliyun_ai_core::server::ServerEntry] = &[{}];",
            entries.join(", ")
        );
        let requests: Vec<String> = service
            .modules
            .iter()
            .filter_map(|module| match &module.kind {
                ModuleKind::Operation(op) => Some(format!(
                    "$callback!($crate::{}::{});",
                    module.name, module.structs[op.request].name
                )),
                _ => None,
            })
            .collect();
        let _ = writeln!(
            out,
            "\n/// Invokes `$callback!(RequestType)` for the request type of every operation, in\n/// table order: a generic harness (the load run) reaches every operation, and a new\n/// table joins it when generated. Each type implements `ServerOperation` (its\n/// `example_request()`), hence the `server` feature.\n#[cfg(feature = \"server\")]\n#[macro_export]\nmacro_rules! for_each_operation {{\n    ($callback:ident) => {{\n        {}\n    }};\n}}",
            requests.join("\n        ")
        );
    }
    let _ = writeln!(
        out,
        "\n/// Facts about {} shared by its operations.\npub const SERVICE: ServiceInfo = ServiceInfo {{\n    key: {},\n    product: {},\n    version: {},\n    style: Style::{},\n    auth: AuthScheme::{auth},\n    default_endpoint: {endpoint},\n    errors: &[{errors}],\n}};",
        service.product,
        rust_str(&service.key),
        rust_str(&service.product),
        rust_str(&service.version),
        style_variant(service.style)
    );
    out
}

/// The crate's `Cargo.toml`.
pub fn cargo_toml(service: &Service) -> String {
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "#");
    // The service's title ("RetailBot", "Tingwu"), not its product code
    // ("retailbot"); the version only where the API has one.
    let description = if service.version.is_empty() {
        format!(
            "Transport-free models of Alibaba Cloud {}, generated from doc tables.",
            service.title
        )
    } else {
        format!(
            "Transport-free models of Alibaba Cloud {} {}, generated from doc tables.",
            service.title, service.version
        )
    };
    // The services whose documents this one's documents are (`shares:`).
    let shared = crate::schema::shared_services(service);
    let shared_deps: String = shared
        .iter()
        .map(|key| format!("aliyun-ai-models-{key}.workspace = true\n"))
        .collect();
    // The shared documents' other direction comes with this crate's.
    let forward = |feature: &str| -> String {
        shared
            .iter()
            .map(|key| format!("\"aliyun-ai-models-{key}/{feature}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let features = format!(
        "## Decoding requests as a server receives them (RPC form bodies, and\n\
         ## `Deserialize` on request types), and encoding answers: for an emulator or\n\
         ## a test server, not for clients.\n\
         server = [\"serde-serialize\", \"serde-deserialize\"{server_forward}]\n\
         ## `Serialize` on answer types too (to log, store or forward an answer as JSON).\n\
         ## Off by default: a client only reads answers, and serde's derives are most of\n\
         ## this crate's compile time.\n\
         serde-serialize = [{ser}]\n\
         ## `Deserialize` on request types too (to read a request as a server does).\n\
         serde-deserialize = [{de}]\n",
        server_forward = shared
            .iter()
            .map(|key| format!(", \"aliyun-ai-models-{key}/server\""))
            .collect::<String>(),
        ser = forward("serde-serialize"),
        de = forward("serde-deserialize"),
    );
    let _ = write!(
        out,
        "[package]\nname = \"{}\"\ndescription = \"{}\"\nversion.workspace = true\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\nrepository.workspace = true\nhomepage.workspace = true\ndocumentation = \"https://docs.rs/{}\"\nkeywords.workspace = true\ncategories.workspace = true\nreadme = \"README.md\"\n\n[features]\n{features}\n[dependencies]\naliyun-ai-core.workspace = true\nserde.workspace = true\nserde_json.workspace = true\n{shared_deps}\n[package.metadata.docs.rs]\n# docs.rs shows the features too, badged.\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n\n[lints]\nworkspace = true\n",
        crate_name(service),
        description.replace('"', "'"),
        crate_name(service)
    );
    out
}

/// The crate's `README.md`.
pub fn readme(service: &Service) -> String {
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "<!--");
    out = out.trim_end().to_owned() + " -->\n";
    let _ = writeln!(out, "# {}\n", crate_name(service));
    let _ = writeln!(
        out,
        "Models of **{}**: {}\n",
        service.title, service.summary
    );
    let _ = writeln!(
        out,
        "Product `{}`, API version `{}`. Default endpoint: {}.\n",
        service.product,
        if service.version.is_empty() {
            "-"
        } else {
            &service.version
        },
        service
            .endpoint
            .as_deref()
            .map_or("none published (configure one)".to_owned(), |e| format!(
                "`{e}`"
            ))
    );
    let _ = writeln!(
        out,
        "This crate has no HTTP stack: it depends on `serde`, `serde_json` and `aliyun-ai-core` only. Most users add the `aliyun-ai` facade instead, which executes these requests.\n"
    );
    let _ = writeln!(
        out,
        "Request types are `Serialize` and answer types `Deserialize`, the directions a client uses. Features add the others: `serde-serialize` (answers encode too: to log, store or forward them), `serde-deserialize` (requests decode too), and `server` (both, and RPC form bodies decoded as a server receives them).\n"
    );
    let _ = writeln!(
        out,
        "| module | doc table | request | response |\n|---|---|---|---|"
    );
    for module in &service.modules {
        let (request, response) = match &module.kind {
            ModuleKind::Operation(op) => (
                format!("`{}`", module.structs[op.request].name),
                format!("`{}`", module.structs[op.response].name),
            ),
            ModuleKind::Types => ("(shared types)".to_owned(), String::new()),
            ModuleKind::Document {
                root, array_alias, ..
            } => (
                "(result document)".to_owned(),
                format!(
                    "`{}`",
                    array_alias
                        .as_deref()
                        .unwrap_or(&module.structs[*root].name)
                ),
            ),
        };
        let _ = writeln!(
            out,
            "| `{}` | [`{}`](../../../{}) | {request} | {response} |",
            module.name, module.file, module.file
        );
    }
    let _ = writeln!(
        out,
        "\nEvery file here is generated by `cargo xtask codegen` from the doc tables; see [`docs/ADDING_AN_API.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/ADDING_AN_API.md)."
    );
    out
}

// ---------------------------------------------------------------------------
// Facade methods

/// The `aliyun_ai_core::server::EventShape` literal of an `events:` header
/// (`last` from the header, else the `{stream-final}` field).
fn event_shape(events: &crate::schema::EventsSpec, stream_final: Option<&str>) -> String {
    let path =
        |path: Option<&str>| path.map_or("None".to_owned(), |p| format!("Some({})", rust_str(p)));
    let steps = events.steps.as_ref().map_or("None".to_owned(), |steps| {
        let kinds: Vec<String> = steps.kinds.iter().map(|k| rust_str(k)).collect();
        format!(
            "Some(aliyun_ai_core::server::EventSteps {{ field: {}, kinds: &[{}], answer: {} }})",
            rust_str(&steps.field),
            kinds.join(", "),
            rust_str(&steps.answer)
        )
    });
    let snapshots = events
        .snapshots
        .as_ref()
        .map_or("None".to_owned(), |(p, v)| {
            format!("Some(({}, {}))", rust_str(p), rust_str(v))
        });
    format!(
        "Some(aliyun_ai_core::server::EventShape {{ increment: {}, cumulative: {}, steps: {steps}, snapshots: {snapshots}, last: {}, whole: {} }})",
        path(events.increment.as_deref()),
        path(events.cumulative.as_deref()),
        path(events.last.as_deref().or(stream_final)),
        path(events.whole.as_deref()),
    )
}
