//! The real-world corpus (`tests/realworld/`, see its SOURCES.md): public Terraform modules and
//! checkov's own fixtures, linted as Terraform the bank did not write (`--preset third-party
//! --no-catalogue`). No rule may panic and the exit code is 0 or 1; what the rules find is
//! snapshotted, as counts per rule and per corpus folder (`realworld__counts`) and as the full
//! finding lines (`realworld__findings`). docs/realworld.md says which findings are right.

use crate::support::Test;
use serde_json::Value;
use std::collections::BTreeMap;

const CORPUS: &str = "tests/realworld";

/// `bankgen lint --preset third-party --no-catalogue --format json tests/realworld`, in the
/// repository's root: the command the e2e comparison with checkov runs.
fn lint_corpus() -> Vec<Value> {
    let run = Test::in_repo().cmd([
        "lint",
        "--preset",
        "third-party",
        "--no-catalogue",
        "--format",
        "json",
        CORPUS,
    ]);
    let stderr = run.stderr();
    assert!(
        !stderr.contains("panicked"),
        "a rule panicked on the corpus:\n{stderr}"
    );
    assert!(
        matches!(run.code(), 0 | 1),
        "exit {} (0 or 1 expected)\nstderr:\n{stderr}",
        run.code()
    );
    let report: Value = serde_json::from_str(&run.stdout()).expect("JSON on stdout");
    report["findings"]
        .as_array()
        .expect("a findings array")
        .clone()
}

fn str_of<'a>(f: &'a Value, key: &str) -> &'a str {
    f[key].as_str().unwrap_or("")
}

/// The corpus folder a finding is in (`s3-bucket`, `checkov-fixtures`, …).
fn folder(file: &str) -> &str {
    let rel = file
        .strip_prefix(CORPUS)
        .unwrap_or(file)
        .trim_start_matches('/');
    rel.split('/').next().unwrap_or(rel)
}

fn assert_snapshot(name: &str, value: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("realworld__{name}"), value));
}

#[test]
fn the_corpus_lints_without_a_panic_and_its_findings_are_as_reviewed() {
    let findings = lint_corpus();
    assert!(!findings.is_empty(), "no finding at all on the corpus");

    // Per rule, then per corpus folder and rule.
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_folder: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for f in &findings {
        let code = str_of(f, "code");
        *per_rule.entry(code).or_default() += 1;
        *per_folder
            .entry(folder(str_of(f, "file")))
            .or_default()
            .entry(code)
            .or_default() += 1;
    }
    let mut counts = format!("{} findings\n\nper rule:\n", findings.len());
    for (code, n) in &per_rule {
        counts.push_str(&format!("  {code} {n}\n"));
    }
    counts.push_str("\nper corpus folder:\n");
    for (dir, codes) in &per_folder {
        let total: usize = codes.values().sum();
        let list: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        counts.push_str(&format!("  {dir} ({total}): {}\n", list.join(", ")));
    }
    assert_snapshot("counts", counts);

    let lines: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}[{}] {}: {}",
                str_of(f, "file")
                    .strip_prefix(&format!("{CORPUS}/"))
                    .unwrap_or(str_of(f, "file")),
                f["line"],
                f["column"],
                str_of(f, "severity"),
                str_of(f, "code"),
                f["resource"].as_str().unwrap_or("-"),
                str_of(f, "message")
            )
        })
        .collect();
    assert_snapshot("findings", lines.join("\n"));
}

#[test]
fn every_corpus_folder_has_its_licence_and_a_row_in_sources_md() {
    let root = crate::support::repo().join(CORPUS);
    let sources = std::fs::read_to_string(root.join("SOURCES.md")).expect("SOURCES.md");
    for e in std::fs::read_dir(&root).expect("the corpus") {
        let e = e.expect("entry");
        if !e.file_type().expect("type").is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            e.path().join("LICENSE").is_file(),
            "{CORPUS}/{name} has no LICENSE"
        );
        assert!(
            sources.contains(&format!("| `{name}` |")),
            "{CORPUS}/SOURCES.md has no row for {name}"
        );
    }
}
