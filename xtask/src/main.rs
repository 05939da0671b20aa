//! `cargo xtask codegen [--check]` and `cargo xtask snapshots`.

use std::process::{Command, ExitCode};

const USAGE: &str = "usage:
  cargo xtask codegen           regenerate crates/models/* from docs/apis/*
  cargo xtask codegen --check   fail, naming the files, when they differ from what the tables generate
  cargo xtask import-openmeta            rewrite the imported doc tables and fixtures from docs/openmeta/ and the overlays
  cargo xtask import-openmeta --check    fail, naming the files, when they differ from what the metadata imports
  cargo xtask snapshots         rerun every snapshot test and write the new snapshots for review in git diff";

fn codegen(check: bool) -> Result<(), String> {
    let root = xtask::workspace_root();
    let files = xtask::generate(&root)?;
    if check {
        let problems = xtask::check(&root, &files);
        if !problems.is_empty() {
            return Err(format!(
                "generated code is out of date:\n  {}\nrun `cargo xtask codegen` and review the diff",
                problems.join("\n  ")
            ));
        }
        println!(
            "codegen --check: {} generated files are up to date",
            files.len()
        );
    } else {
        let changed = xtask::write(&root, &files)?;
        for line in &changed {
            println!("{line}");
        }
        println!(
            "codegen: {} files generated, {} changed",
            files.len(),
            changed.len()
        );
    }
    Ok(())
}

fn import_openmeta(check: bool) -> Result<(), String> {
    let root = xtask::workspace_root();
    let files = xtask::openmeta::import(&root)?;
    let stale = xtask::openmeta::stale_tables(&root, &files);
    let counts = xtask::openmeta::count(&files);
    let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    if check {
        let mut problems: Vec<String> = files
            .iter()
            .filter(|(path, content)| {
                std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str())
            })
            .map(|(path, _)| format!("{} differs from what the metadata imports", path.display()))
            .collect();
        problems.extend(stale.iter().map(|p| {
            format!(
                "{} is imported from an operation the metadata no longer has",
                p.display()
            )
        }));
        if !problems.is_empty() {
            return Err(format!(
                "the doc tables drifted from docs/openmeta/:\n  {}\nrun `cargo xtask import-openmeta` and review the diff",
                problems.join("\n  ")
            ));
        }
        println!(
            "import-openmeta --check: up to date ({})",
            summary.join(", ")
        );
    } else {
        let changed = xtask::write_files(&root, &files)?;
        for line in &changed {
            println!("{line}");
        }
        for path in &stale {
            std::fs::remove_file(root.join(path))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            println!("removed {}", path.display());
        }
        println!(
            "import-openmeta: {} ({} files changed)",
            summary.join(", "),
            changed.len()
        );
    }
    Ok(())
}

fn snapshots() -> Result<(), String> {
    // insta writes `.snap` files directly with INSTA_UPDATE=always; INSTA_FORCE_PASS
    // lets every test run to the end so all snapshots are rewritten in one pass.
    // CI is removed because insta never writes snapshots when it sees CI.
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // `cargo run` (the `xtask` alias) gives this process xtask's own
    // CARGO_PKG_* and CARGO_MANIFEST_* variables. Build scripts that rerun
    // when those change (ring's, through `rerun-if-env-changed`) would then
    // rebuild, and everything above them, for a test run the plain
    // `cargo test --workspace` before it has already built.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                name.as_ref(),
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    let status = command
        // Not `--all-targets`: it overrides the fuzz binaries' `test = false`
        // and would start libFuzzer, which never ends (issue 21 #7).
        .args(["test", "--workspace"])
        .current_dir(xtask::workspace_root())
        .env("INSTA_UPDATE", "always")
        .env("INSTA_FORCE_PASS", "1")
        .env_remove("CI")
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo test failed (see above); snapshots may be partly updated".into());
    }
    println!("snapshots rewritten; review them with `git diff -- '*.snap'`");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["import-openmeta"] => import_openmeta(false),
        ["import-openmeta", "--check"] => import_openmeta(true),
        ["snapshots"] => snapshots(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
