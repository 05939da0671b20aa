//! Generates the model crates of the synthetic services (one per style) from
//! their doc tables (`xtask/tests/features/docs/apis/<service>/`) with the
//! real generator, each flattened into one file that `src/lib.rs` includes
//! as a module.

use std::path::PathBuf;
use std::process::ExitCode;

/// The synthetic services, one per style: ROA (path and query parameters,
/// JSON bodies, shared types), RPC (a form body whose complex fields are
/// JSON strings) and DashScope (Bearer, fixed values, an always-sent
/// object, a result document).
const SERVICES: &[&str] = &["sampleroa", "samplerpc", "sampledash"];

fn main() -> ExitCode {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../xtask/tests/features");
    for service in SERVICES {
        println!(
            "cargo:rerun-if-changed={}",
            root.join("docs/apis").join(service).display()
        );
    }
    let files = match xtask::generate(&root) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("the synthetic tables do not generate: {error}");
            return ExitCode::FAILURE;
        }
    };
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    for service in SERVICES {
        let code = match flatten(&files, service) {
            Ok(code) => code,
            Err(error) => {
                eprintln!("{service}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let target = out_dir.join(format!("{service}.rs"));
        if let Err(error) = std::fs::write(&target, code) {
            eprintln!("{}: {error}", target.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// One service's generated crate as the body of a module `service` of this
/// crate: `include!` takes items only, so inner doc comments and attributes go and each
/// `pub mod x;` becomes the module's code inline; paths from the crate root
/// (`crate::`, `$crate::`) gain the module's name; the crate's one
/// `UnknownValue` (which the generated enums name as `crate::UnknownValue`)
/// is declared by `src/lib.rs`, for the three; the `for_each_operation!`
/// macro, exported at the crate root by each generated crate (three here
/// would collide) and used only by the load run, is left out.
fn flatten(files: &xtask::Generated, service: &str) -> Result<String, String> {
    let dir = PathBuf::from("crates/models").join(service).join("src");
    let lib = files
        .get(&dir.join("lib.rs"))
        .ok_or("no lib.rs was generated")?;
    let mut out = String::new();
    let mut lines = lib.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("//!")
            || line.starts_with("#![")
            || line == "aliyun_ai_core::unknown_value!();"
        {
            continue;
        }
        if line.starts_with("/// Invokes `$callback!(RequestType)`") {
            // The macro's docs, attributes and body, up to its closing brace.
            for skipped in lines.by_ref() {
                if skipped == "}" {
                    break;
                }
            }
            continue;
        }
        match line
            .strip_prefix("pub mod ")
            .and_then(|rest| rest.strip_suffix(';'))
        {
            Some(module) => {
                let code = files
                    .get(&dir.join(format!("{module}.rs")))
                    .ok_or_else(|| format!("module {module} was not generated"))?;
                // The module's inner docs become its outer docs.
                for doc in code.lines().filter_map(|l| l.strip_prefix("//!")) {
                    out.push_str(&format!("///{doc}\n"));
                }
                out.push_str(&format!("pub mod {module} {{\n"));
                for line in code.lines().filter(|l| !l.starts_with("//!")) {
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out.replace("crate::", &format!("crate::{service}::")))
}
