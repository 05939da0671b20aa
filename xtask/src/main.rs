//! `cargo xtask codegen [--check]` and `cargo xtask snapshots`.

use std::process::{Command, ExitCode};

const USAGE: &str = "usage:
  cargo xtask codegen           regenerate crates/models/* from docs/apis/*
  cargo xtask codegen --check   fail, naming the files, when they differ from what the tables generate
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

fn snapshots() -> Result<(), String> {
    // insta writes `.snap` files directly with INSTA_UPDATE=always; INSTA_FORCE_PASS
    // lets every test run to the end so all snapshots are rewritten in one pass.
    // CI is removed because insta never writes snapshots when it sees CI.
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "--workspace", "--all-targets"])
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
