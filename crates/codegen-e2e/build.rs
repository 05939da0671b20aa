//! Generates the model crate of the synthetic service `sampleroa` from its
//! doc tables (`xtask/tests/features/docs/apis/sampleroa/`) with the real
//! generator, flattened into one file that `src/lib.rs` includes.

use std::path::PathBuf;
use std::process::ExitCode;

const SERVICE: &str = "sampleroa";

fn main() -> ExitCode {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../xtask/tests/features");
    println!(
        "cargo:rerun-if-changed={}",
        root.join("docs/apis").join(SERVICE).display()
    );
    let files = match xtask::generate(&root) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("the synthetic tables do not generate: {error}");
            return ExitCode::FAILURE;
        }
    };
    let dir = PathBuf::from("crates/models").join(SERVICE).join("src");
    let Some(lib) = files.get(&dir.join("lib.rs")) else {
        eprintln!("no lib.rs was generated for {SERVICE}");
        return ExitCode::FAILURE;
    };
    // `include!` takes items only: inner doc comments go, and each
    // `pub mod x;` becomes the module's code inline.
    let mut out = String::new();
    for line in lib.lines() {
        if line.starts_with("//!") {
            continue;
        }
        match line
            .strip_prefix("pub mod ")
            .and_then(|rest| rest.strip_suffix(';'))
        {
            Some(module) => {
                let Some(code) = files.get(&dir.join(format!("{module}.rs"))) else {
                    eprintln!("module {module} was not generated");
                    return ExitCode::FAILURE;
                };
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
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("sampleroa.rs");
    if let Err(error) = std::fs::write(&target, out) {
        eprintln!("{}: {error}", target.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
