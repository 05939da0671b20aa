//! The emulator's modules form a tree of imports: no module imports one
//! that imports it back (directly or through others). Read from the sources
//! (`crate::a::b` and `super::x` paths, and the root's own `a::` paths),
//! with each file's `#[cfg(test)]` part left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `handlers/dianjin/tasks.rs` -> `handlers::dianjin::tasks`; `lib.rs` -> ``.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

fn sources(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap();
            if relative == Path::new("main.rs") {
                continue; // the binary, a crate of its own
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match text.find("#[cfg(test)]") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            out.insert(module_of(relative), text);
        }
    }
}

/// The longest module of `modules` that `path` (segments) starts with.
fn resolve(modules: &BTreeSet<String>, path: &[&str]) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// Every module each module imports.
fn imports(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in files {
        let parent: Vec<&str> = module
            .rsplit_once("::")
            .map_or(Vec::new(), |(p, _)| p.split("::").collect());
        let own: Vec<&str> = if module.is_empty() {
            Vec::new()
        } else {
            module.split("::").collect()
        };
        let targets = edges.entry(module.clone()).or_default();
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .filter(|w| w.contains("::"))
            .collect();
        for word in words {
            let segments: Vec<&str> = word.split("::").filter(|s| !s.is_empty()).collect();
            let absolute: Vec<&str> = match segments.first() {
                Some(&"crate") => segments[1..].to_vec(),
                Some(&"super") => parent
                    .iter()
                    .copied()
                    .chain(segments[1..].iter().copied())
                    .collect(),
                Some(&"self") => own
                    .iter()
                    .copied()
                    .chain(segments[1..].iter().copied())
                    .collect(),
                // A path from the module itself: its own child modules.
                Some(_) => own
                    .iter()
                    .copied()
                    .chain(segments.iter().copied())
                    .collect(),
                None => continue,
            };
            let target = match resolve(&modules, &absolute) {
                Some(target) => target,
                // `crate::Item`: an item of the root.
                None if segments.first() == Some(&"crate")
                    || segments.first() == Some(&"super") && parent.is_empty() =>
                {
                    String::new()
                }
                None => continue,
            };
            // A module's own children are its to declare and use.
            let descends = target.starts_with(&format!("{module}::"))
                || module.is_empty() && !target.is_empty();
            if target != *module && !descends {
                targets.insert(target);
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 20, "{} modules read", files.len());
    let edges = imports(&files);
    // Depth-first search for a cycle.
    fn visit<'a>(
        module: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            return Some(path[at..].iter().map(|m| format!("`{m}`")).collect());
        }
        if done.contains(module) {
            return None;
        }
        path.push(module);
        for target in edges.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(target, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module);
        None
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        if let Some(cycle) = visit(module, &edges, &mut Vec::new(), &mut done) {
            panic!("an import cycle: {} (and back)", cycle.join(" -> "));
        }
    }
    // The check sees imports: the pipeline reaches the handlers, which reach
    // the call below them, never the pipeline.
    assert!(
        edges["server"].contains("handlers"),
        "{:?}",
        edges["server"]
    );
    assert!(
        edges["handlers::dianjin"].contains("call"),
        "{:?}",
        edges["handlers::dianjin"]
    );
}
