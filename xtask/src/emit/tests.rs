//! Generated tests: the golden example answers and every operation against the emulator.

use std::fmt::Write as _;

use super::*;

/// `crates/model-tests/tests/it/examples/<service>.rs`: one test per operation
/// whose fixture `fixtures/<service>/<Op>/response.json` exists, decoding it
/// without losing a field and snapshotting the result.
pub fn example_tests(service: &Service, has_fixture: &dyn Fn(&str) -> bool) -> Option<String> {
    let models = crate_name(service).replace('-', "_");
    let mut tests = String::new();
    for module in &service.modules {
        let ModuleKind::Operation(op) = &module.kind else {
            continue;
        };
        let fixture = format!("{}/{}/response.json", service.key, op.action);
        if !has_fixture(&fixture) {
            continue;
        }
        let response = &module.structs[op.response].name;
        let _ = writeln!(
            tests,
            "\n#[test]\nfn {name}() {{\n    let decoded: models::{response} = decode_example({fixture});\n    insta::assert_debug_snapshot!(decoded);\n}}",
            name = module.name,
            fixture = rust_str(&fixture),
        );
    }
    if tests.is_empty() {
        return None;
    }
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "//");
    let _ = writeln!(
        out,
        "//! Every {} operation's example answer (`fixtures/{}/<Op>/response.json`) decodes\n//! into its generated response type without losing a field; the snapshots are the golden output.\n\nuse aliyun_ai_model_tests::decode_example;\nuse {models} as models;{tests}",
        service.product, service.key
    );
    Some(out)
}

// ---------------------------------------------------------------------------
// Every operation through the facade against the emulator

/// `crates/e2e/tests/it/every_operation/<service>.rs` for a
/// service with facade methods: each operation's example request (from its
/// table) through its facade method against the emulator; each streaming
/// operation also through its `_stream` variant, its events checked against
/// the table's `events:` mark.
pub fn emulator_tests(service: &Service) -> Option<String> {
    let (_, accessor) = service.facade.as_ref()?;
    let mut tests = String::new();
    for module in &service.modules {
        let ModuleKind::Operation(op) = &module.kind else {
            continue;
        };
        let request = &module.structs[op.request];
        let variants: &[(&str, &str)] = if op.streams {
            &[("", "assert_answered"), ("_stream", "assert_streamed")]
        } else {
            &[("", "assert_answered")]
        };
        if op.websocket.is_some() {
            let _ = writeln!(
                tests,
                "\n#[tokio::test]\nasync fn {name}() {{\n    let (emulator, client) = support::setup().await;\n    let request = models::{req}::example_request().expect(\"the table's example request\");\n    support::assert_session_opened({action}, &emulator, client.{accessor}().{name}(request).await);\n}}",
                name = module.name,
                req = request.name,
                action = rust_str(&op.action),
            );
            continue;
        }
        for (suffix, check) in variants {
            let call = format!(
                "client.{accessor}().{name}{suffix}(request).await",
                name = module.name,
            );
            let check = if *check == "assert_streamed" {
                // How the events must grow: the table's `events:` mark.
                let check = match op.events.as_deref() {
                    Some(events) if events.snapshots.is_some() => "assert_snapshots",
                    Some(_) => "assert_grows",
                    None => "assert_streamed",
                };
                let typed = if check == "assert_streamed" {
                    String::new()
                } else {
                    format!("::<models::{}>", request.name)
                };
                format!(
                    "support::{check}{typed}({action}, {call}.unwrap_or_else(|e| panic!(\"{{}}: {{e}}\", {action}))).await;",
                    action = rust_str(&op.action)
                )
            } else {
                format!(
                    "support::assert_called({}, {}, {call});",
                    rust_str(&service.key),
                    rust_str(&op.action)
                )
            };
            let _ = writeln!(
                tests,
                "\n#[tokio::test]\nasync fn {name}{suffix}() {{\n    let (_emulator, client) = support::setup().await;\n    let request = models::{req}::example_request().expect(\"the table's example request\");\n    {check}\n}}",
                name = module.name,
                req = request.name,
            );
        }
    }
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "//");
    let _ = writeln!(
        out,
        "//! Every {} operation called through its facade method against the emulator\n//! (real HTTP on loopback, real signatures checked), with the example request of\n//! its doc table; every streaming operation also streamed.\n\nuse crate::support;\n\nuse aliyun_ai::{} as models;\nuse aliyun_ai_core::server::ServerOperation;{tests}",
        service.title, service.key
    );
    Some(out)
}

/// The `mod.rs` of a folder of generated test modules: one `mod` per service.
pub fn test_modules(doc: &str, modules: &[&str]) -> String {
    let mut out = generated_header("docs/apis/", "//");
    let _ = writeln!(out, "//! {doc}\n");
    for module in modules {
        let _ = writeln!(out, "mod {module};");
    }
    out
}
