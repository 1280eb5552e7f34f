//! The pipeline's layering, read from the source: each top-level module of `src/` imports only
//! the layers below it, so there is no import loop; deploy does not reach into publish; no lint
//! rule reads the catalogue's raw YAML shapes. Test code (`#[cfg(test)]` to the end of a file)
//! may reach anywhere.

use super::support::repo;
use std::collections::BTreeMap;
use std::path::Path;

/// Lowest first. `load_catalog` (the crate root's) reads and checks a catalogue: model level.
const LAYERS: &[&[&str]] = &[
    &["diag", "atomic", "base64"],
    &["kinds"],
    &["catalog"],
    &["model", "load_catalog"],
    &["render"],
    &["lint"],
    &["deploy"],
    &["publish"],
    &["cli"],
];

fn layer(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&name))
}

/// The top-level modules a file names as `crate::x`, also inside `use crate::{x, y::z}`.
fn imports(text: &str) -> Vec<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or("")
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    out.push(name.to_string());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|x| x == "rs") {
            files.push(p);
        }
    }
}

#[test]
fn each_stage_imports_only_the_stages_below_it() {
    let src = repo().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("below src");
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        let Some(own) = layer(&top) else {
            continue; // lib.rs, main.rs: the crate root sits on top
        };
        let text = std::fs::read_to_string(&f).expect("read");
        for m in imports(&text) {
            match layer(&m) {
                Some(l) if l > own => wrong
                    .entry(rel.display().to_string().replace('\\', "/"))
                    .or_default()
                    .push(m),
                _ => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports of a higher layer (order: {LAYERS:?}):\n{wrong:#?}"
    );
}

#[test]
fn no_lint_rule_reads_the_raw_catalogue() {
    let mut files = Vec::new();
    walk(&repo().join("src/lint"), &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("read")
                .contains("catalog::raw")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn the_import_reader_sees_groups_and_paths() {
    let text = "//! [`crate::cli`]\nuse crate::{diag::Loc, model};\nfn f() { crate::render::x(); }\n#[cfg(test)]\nuse crate::cli;";
    assert_eq!(imports(text), ["diag", "model", "render"]);
}
