//! The code generator behind `cargo xtask codegen`: doc tables in
//! `docs/apis/<service>/` become the model crates in `crates/models/<service>/`.
//!
//! The tables are the single source of truth; every file of a model crate is
//! generated, formatted with rustfmt and compared byte for byte in `--check` mode.
#![allow(missing_docs)]

pub mod doc_links;
pub mod emit;
pub mod json;
pub mod naming;
pub mod openmeta;
pub mod schema;
pub mod table;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files one codegen run produces, by path relative to the workspace root.
pub type Generated = BTreeMap<PathBuf, String>;

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn read(root: &Path, relative: &str) -> Result<String, String> {
    fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// Reads and checks every doc table under `root/docs/apis`.
pub fn load_services(root: &Path) -> Result<Vec<schema::Service>, String> {
    let apis = root.join("docs/apis");
    let mut services = Vec::new();
    for dir in sorted_entries(&apis)? {
        if !dir.is_dir() {
            continue;
        }
        let key = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let service_file = format!("docs/apis/{key}/README.md");
        let text = read(root, &service_file)?;
        let raw = table::parse(&service_file, &text).map_err(|e| e.to_string())?;
        let mut service = schema::service(&raw, &key).map_err(|e| e.to_string())?;
        service.errors = schema::service_errors(&service_file, &text)?;
        let mut raws = BTreeMap::new();
        let mut types_raw = None;
        for path in sorted_entries(&dir)? {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if !name.ends_with(".md") || name == "README.md" {
                continue;
            }
            let relative = format!("docs/apis/{key}/{name}");
            let raw =
                table::parse(&relative, &read(root, &relative)?).map_err(|e| e.to_string())?;
            if name == "types.md" {
                types_raw = Some(raw);
                continue;
            }
            let module = schema::module(&raw, &service).map_err(|e| e.to_string())?;
            if let Some(other) = service.modules.iter().find(|m| m.name == module.name) {
                return Err(format!(
                    "{relative}: module `{}` is also generated from {}",
                    module.name, other.file
                ));
            }
            service.modules.push(module);
            raws.insert(relative, raw);
        }
        let uses: Vec<(String, schema::Side, String)> = service
            .modules
            .iter()
            .flat_map(|m| {
                m.refs
                    .iter()
                    .map(|(name, side, _)| (name.clone(), *side, m.file.clone()))
            })
            .collect();
        match types_raw {
            Some(raw) => {
                let edges = schema::type_references(&raw).map_err(|e| e.to_string())?;
                let sides = schema::shared_sides(&edges, &uses);
                let types = schema::types(&raw, &service, &sides).map_err(|e| e.to_string())?;
                // First, so that lib.rs lists it first.
                service.modules.insert(0, types);
                raws.insert(raw.file.clone(), raw);
            }
            None => {
                if let Some((name, _, file)) = uses.first() {
                    return Err(format!(
                        "{file}: {{ref: {name}}} but docs/apis/{key}/types.md does not exist"
                    ));
                }
            }
        }
        schema::check_refs(&service, &raws).map_err(|e| e.to_string())?;
        schema::check_paged(&service)?;
        schema::check_events(&service)?;
        if service.modules.is_empty() {
            return Err(format!(
                "{service_file}: the service has no operation or document table"
            ));
        }
        services.push(service);
    }
    if services.is_empty() {
        return Err("docs/apis holds no service folder".into());
    }
    schema::resolve_shares(&mut services)?;
    Ok(services)
}

/// Formats Rust source with the toolchain's rustfmt, as `cargo fmt` would.
pub fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("could not run rustfmt (install it with `rustup component add rustfmt`): {e}")
        })?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked".to_owned())?
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code (a generator bug):\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// The generated, formatted source of one module (used by the snapshot tests).
pub fn generate_module(
    service: &schema::Service,
    module: &schema::Module,
) -> Result<String, String> {
    rustfmt(&emit::module(service, module))
}

/// Every file the doc tables under `root` generate.
pub fn generate(root: &Path) -> Result<Generated, String> {
    let services = load_services(root)?;
    let mut files = Generated::new();
    if let Ok(readme) = fs::read_to_string(root.join("README.md")) {
        files.insert(
            PathBuf::from("README.md"),
            readme_with_table(&readme, &services)?,
        );
    }
    let mut example_test_modules = Vec::new();
    let mut every_operation_modules = Vec::new();
    for service in &services {
        let dir = PathBuf::from("crates/models").join(&service.key);
        files.insert(dir.join("Cargo.toml"), emit::cargo_toml(service));
        files.insert(dir.join("README.md"), emit::readme(service));
        // Each published crate carries the licence files (`cargo package`
        // takes only what is inside the crate's folder).
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
            if let Ok(text) = fs::read_to_string(root.join(licence)) {
                files.insert(dir.join(licence), text);
            }
        }
        files.insert(dir.join("src/lib.rs"), rustfmt(&emit::lib(service))?);
        for module in &service.modules {
            files.insert(
                dir.join("src").join(format!("{}.rs", module.name)),
                generate_module(service, module)?,
            );
        }
        let has_fixture = |relative: &str| root.join("fixtures").join(relative).is_file();
        if let Some(tests) = emit::example_tests(service, &has_fixture) {
            files.insert(
                PathBuf::from(EXAMPLE_TESTS).join(format!("{}.rs", service.key)),
                rustfmt(&tests)?,
            );
            example_test_modules.push(service.key.as_str());
        }
        if let Some(tests) = emit::emulator_tests(service) {
            files.insert(
                PathBuf::from(EVERY_OPERATION_TESTS).join(format!("{}.rs", service.key)),
                rustfmt(&tests)?,
            );
            every_operation_modules.push(service.key.as_str());
        }
        if let Some(facade) = emit::facade(service) {
            files.insert(
                PathBuf::from("crates/aliyun-ai/src")
                    .join(&service.key)
                    .join("operations.rs"),
                rustfmt(&facade)?,
            );
        }
    }
    // The lists of services other crates keep.
    files.insert(
        PathBuf::from("crates/aliyun-ai/src/services.rs"),
        rustfmt(&emit::facade_services(&services))?,
    );
    files.insert(
        PathBuf::from("crates/aliyun-ai-emulator/src/models.rs"),
        rustfmt(&emit::emulator_models(&services))?,
    );
    files.insert(
        PathBuf::from("crates/load/src/every_operation.rs"),
        rustfmt(&emit::load_operations(&services))?,
    );
    files.insert(
        PathBuf::from("fuzz/src/answers.rs"),
        rustfmt(&emit::fuzz_answers(&services))?,
    );
    for service in &services {
        files.insert(
            PathBuf::from(format!("fuzz/fuzz_targets/answers_{}.rs", service.key)),
            rustfmt(&emit::fuzz_target(service))?,
        );
    }
    if let Ok(manifest) = fs::read_to_string(root.join("fuzz/Cargo.toml")) {
        files.insert(
            PathBuf::from("fuzz/Cargo.toml"),
            between_markers(
                "fuzz/Cargo.toml",
                &manifest,
                emit::FUZZ_BINS,
                &emit::fuzz_bins(&services),
            )?,
        );
    }
    files.insert(
        PathBuf::from(EXAMPLE_TESTS).join("mod.rs"),
        rustfmt(&emit::test_modules(
            "Every service's example answers decode into its response types (one module per service).",
            &example_test_modules,
        ))?,
    );
    files.insert(
        PathBuf::from(EVERY_OPERATION_TESTS).join("mod.rs"),
        rustfmt(&emit::test_modules(
            "Every operation of every service with facade methods, called against the emulator (one module per service).",
            &every_operation_modules,
        ))?,
    );
    Ok(files)
}

/// Where the generated golden tests of the example answers go: one module
/// per service inside the model tests' one integration-test binary.
const EXAMPLE_TESTS: &str = "crates/model-tests/tests/it/examples";

/// Where the generated every-operation tests go: one module per service
/// inside the end-to-end tests' one integration-test binary.
const EVERY_OPERATION_TESTS: &str = "crates/e2e/tests/it/every_operation";

/// `README.md` with its service table (between the markers) regenerated.
fn readme_with_table(readme: &str, services: &[schema::Service]) -> Result<String, String> {
    between_markers(
        "README.md",
        readme,
        emit::README_TABLE,
        &emit::readme_table(services),
    )
}

/// `text` with what lies between its two marker lines replaced by `generated`.
fn between_markers(
    file: &str,
    text: &str,
    (start, end): (&str, &str),
    generated: &str,
) -> Result<String, String> {
    let (Some(from), Some(to)) = (text.find(start), text.find(end)) else {
        return Err(format!(
            "{file}: the generated part's markers are missing (`{start}` ... `{end}`)"
        ));
    };
    if to < from {
        return Err(format!(
            "{file}: the generated part's end marker comes first"
        ));
    }
    Ok(format!(
        "{}{start}\n{generated}{}",
        &text[..from],
        &text[to..]
    ))
}

/// Files under the generated model crates' `src/` that no table generates
/// any more. Only those folders are wholly generated: beside the other
/// generated files (`crates/aliyun-ai/src/services.rs`...) live hand-written
/// ones.
pub fn stale_files(root: &Path, files: &Generated) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    let dirs: std::collections::BTreeSet<PathBuf> = files
        .keys()
        .filter_map(|p| {
            p.parent()
                .filter(|d| d.ends_with("src") && d.starts_with("crates/models"))
                .map(Path::to_path_buf)
        })
        .collect();
    for dir in dirs {
        if let Ok(entries) = sorted_entries(&root.join(&dir)) {
            for path in entries {
                if let Some(name) = path.file_name() {
                    let relative = dir.join(name);
                    if !files.contains_key(&relative) {
                        stale.push(relative);
                    }
                }
            }
        }
    }
    stale
}

/// Compares the generated files with the checked-in ones; returns the paths
/// that differ, are missing or are stale.
pub fn check(root: &Path, files: &Generated) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, content) in files {
        match fs::read_to_string(root.join(path)) {
            Ok(existing) if existing == *content => {}
            Ok(_) => problems.push(format!(
                "{} differs from what the doc tables generate",
                path.display()
            )),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for path in stale_files(root, files) {
        problems.push(format!(
            "{} is not generated by any doc table (stale)",
            path.display()
        ));
    }
    problems
}

/// Writes the generated files and removes stale ones; returns what changed.
pub fn write(root: &Path, files: &Generated) -> Result<Vec<String>, String> {
    let mut changed = write_files(root, files)?;
    for path in stale_files(root, files) {
        fs::remove_file(root.join(&path)).map_err(|e| format!("{}: {e}", path.display()))?;
        changed.push(format!("removed {}", path.display()));
    }
    Ok(changed)
}

/// Writes the files whose content differs; returns what changed.
pub fn write_files(root: &Path, files: &Generated) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for (path, content) in files {
        let full = root.join(path);
        if fs::read_to_string(&full).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&full, content).map_err(|e| format!("{}: {e}", full.display()))?;
        changed.push(format!("wrote {}", path.display()));
    }
    Ok(changed)
}
