//! The lists of services other crates keep: generated, so that a new service
//! (its tables) reaches the facade's configuration, the emulator's router,
//! the load run and the fuzz targets with no hand edit.

use std::fmt::Write as _;

use super::*;

/// `crates/aliyun-ai/src/services.rs`: the services the facade is built
/// with, each behind its feature.
pub fn facade_services(services: &[Service]) -> String {
    let mut out = generated_header("docs/apis/", "//");
    out.push_str("//! The services this build of the facade knows, each behind its feature.\n\nuse aliyun_ai_core::ServiceInfo;\n\n/// Every service compiled in (endpoints, credentials and error codes are looked up here).\npub(crate) fn compiled_services() -> &'static [&'static ServiceInfo] {\n    &[\n");
    for service in services {
        if let Some(feature) = &service.feature {
            let _ = writeln!(
                out,
                "        #[cfg(feature = {})]\n        &{}::SERVICE,",
                rust_str(feature),
                crate_name(service).replace('-', "_")
            );
        }
    }
    out.push_str("    ]\n}\n");
    out
}

/// `crates/aliyun-ai-emulator/src/models.rs`: every service the emulator
/// serves, with its operations as a server decodes and answers them.
pub fn emulator_models(services: &[Service]) -> String {
    let mut out = generated_header("docs/apis/", "//");
    out.push_str("//! The services the emulator serves, from their generated model crates.\n\nuse aliyun_ai_core::server::ServerEntry;\n\n/// Every operation of every service, with its server side.\npub(crate) fn server_operations() -> impl Iterator<Item = &'static ServerEntry> {\n    let all: [&'static [ServerEntry]; ");
    let _ = writeln!(out, "{}] = [", services.len());
    for service in services {
        let _ = writeln!(
            out,
            "        {}::SERVER_OPERATIONS,",
            crate_name(service).replace('-', "_")
        );
    }
    out.push_str("    ];\n    all.into_iter().flatten()\n}\n");
    out
}

/// `crates/load/src/every_operation.rs`: a macro calling `$add!(Request)`
/// for the request type of every operation of every service.
pub fn load_operations(services: &[Service]) -> String {
    let mut out = generated_header("docs/apis/", "//");
    out.push_str("//! Every operation of every service, for the load run.\n\n/// Invokes `$add!(RequestType)` for every operation of every service.\nmacro_rules! every_operation {\n    ($add:ident) => {\n");
    for service in services {
        let _ = writeln!(
            out,
            "        {}::for_each_operation!($add);",
            crate_name(service).replace('-', "_")
        );
    }
    out.push_str("    };\n}\n\npub(crate) use every_operation;\n");
    out
}

/// `fuzz/src/answers.rs`: one target per service decoding answers (and
/// result documents) through its generated types.
pub fn fuzz_answers(services: &[Service]) -> String {
    let mut out = generated_header("docs/apis/", "//");
    out.push_str("//! One fuzz target per service: the first byte picks an operation, the rest is an\n//! answer decoded into its generated output type (and into each result document).\n\nuse crate::{Target, answers_of};\n\n/// The answer targets, by name (`answers_<service>`).\npub const ANSWER_TARGETS: &[(&str, Target)] = &[\n");
    for service in services {
        let _ = writeln!(out, "    (\"answers_{0}\", answers_{0}),", service.key);
    }
    out.push_str("];\n");
    for service in services {
        let models = crate_name(service).replace('-', "_");
        let documents: Vec<String> = service
            .modules
            .iter()
            .filter_map(|m| match &m.kind {
                ModuleKind::Document {
                    root, array_alias, ..
                } => Some(
                    array_alias
                        .clone()
                        .unwrap_or_else(|| m.structs[*root].name.clone()),
                ),
                _ => None,
            })
            .collect();
        let _ = writeln!(
            out,
            "\n/// {} answers{}, through the generated types.\npub fn answers_{}(data: &[u8]) {{\n    answers_of({models}::SERVER_OPERATIONS, data);",
            service.title,
            if documents.is_empty() {
                ""
            } else {
                " and result documents"
            },
            service.key
        );
        for document in documents {
            let _ = writeln!(
                out,
                "    let _ = serde_json::from_slice::<{models}::{document}>(data);"
            );
        }
        out.push_str("}\n");
    }
    out
}

/// `fuzz/fuzz_targets/answers_<service>.rs`.
pub fn fuzz_target(service: &Service) -> String {
    format!(
        "{header}//! `cargo fuzz run answers_{key}`: see `aliyun_ai_fuzz::answers_{key}`.\n#![no_main]\n\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| aliyun_ai_fuzz::answers_{key}(data));\n",
        header = generated_header(&format!("docs/apis/{}/", service.key), "//"),
        key = service.key
    )
}

/// The markers of the answer targets' `[[bin]]` entries in `fuzz/Cargo.toml`.
pub const FUZZ_BINS: (&str, &str) = (
    "# answer targets: generated by `cargo xtask codegen` from docs/apis/; do not edit",
    "# end of answer targets",
);

/// The answer targets' `[[bin]]` entries.
pub fn fuzz_bins(services: &[Service]) -> String {
    let mut out = String::new();
    for service in services {
        let _ = writeln!(
            out,
            "[[bin]]\nname = \"answers_{0}\"\npath = \"fuzz_targets/answers_{0}.rs\"\ntest = false\ndoc = false\nbench = false\n",
            service.key
        );
    }
    out
}
