//! A check of the published docs: a `docs/….md` named in a public crate's
//! rustdoc or README must be a link, since docs.rs and crates.io show the
//! crate without the repository around it (issue 21 #11).

use std::path::Path;

/// Where the published crates' docs live, relative to the workspace root.
const PUBLISHED: &[&str] = &[
    "crates/aliyun-ai-core",
    "crates/aliyun-ai-transport",
    "crates/aliyun-ai-auth",
    "crates/aliyun-ai",
    "crates/aliyun-ai-emulator",
    "crates/models",
];

/// Each `file:line` whose rustdoc or README names a `docs/….md` without
/// linking it.
pub fn unlinked_doc_references(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in PUBLISHED {
        visit(&root.join(dir), &mut |path, text| {
            let is_rust = path.extension().is_some_and(|e| e == "rs");
            let is_readme = path.file_name().is_some_and(|n| n == "README.md");
            if !is_rust && !is_readme {
                return;
            }
            for (number, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                let is_doc = trimmed.starts_with("///") || trimmed.starts_with("//!");
                if (is_readme || is_doc) && names_unlinked_doc(line) {
                    let shown = path.strip_prefix(root).unwrap_or(path).display();
                    found.push(format!("{shown}:{}", number + 1));
                }
            }
        });
    }
    found
}

/// Whether the line has `` `docs/x.md` `` not written as `` [`docs/x.md`](…) ``.
fn names_unlinked_doc(line: &str) -> bool {
    let mut rest = line;
    while let Some(start) = rest.find("`docs/") {
        let linked = rest[..start].ends_with('[');
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else {
            return false;
        };
        if after[..end].ends_with(".md") && !linked {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

fn visit(dir: &Path, each: &mut dyn FnMut(&Path, &str)) {
    let Ok(entries) = crate::sorted_entries(dir) else {
        return;
    };
    for path in entries {
        if path.is_dir() {
            // Tests and their fixtures are not published docs.
            if !path.ends_with("tests") && !path.ends_with("target") {
                visit(&path, each);
            }
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            each(&path, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_docs_reference_counts_only_when_it_is_no_link() {
        assert!(names_unlinked_doc(
            "/// see `docs/RELIABILITY.md`, \"Retries\""
        ));
        assert!(!names_unlinked_doc(
            "/// see [`docs/RELIABILITY.md`](https://github.com/o/r/blob/main/docs/RELIABILITY.md)"
        ));
        assert!(!names_unlinked_doc(
            "/// the tables in `docs/apis/dianjin/`"
        ));
    }

    #[test]
    fn the_published_docs_link_every_docs_file_they_name() {
        let found = unlinked_doc_references(&crate::workspace_root());
        assert!(
            found.is_empty(),
            "these name a docs/ file docs.rs cannot show; link it (https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/...): {found:#?}"
        );
    }
}
