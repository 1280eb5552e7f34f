//! Per rule: a violating fixture (`tests/fixtures/lint/<CODE>/bad`) makes exactly that rule
//! fire, with a snapshot of its diagnostics; a clean one (`good`) gives no finding at all.
//! The snapshots are `tests/snapshots/lint_rules__<CODE>.snap` (see `snapshot`).

use crate::support::{catalog, lines, lint_paths, lint_paths_with, policies, repo};
use bankgen::lint::{output, rules};
use std::path::Path;

/// Relative to the package root (cargo runs tests there), so that a report's line wrapping does
/// not depend on where the repository is checked out.
fn fixture(code: &str, kind: &str) -> std::path::PathBuf {
    Path::new("tests/fixtures/lint").join(code).join(kind)
}

#[test]
fn every_terraform_rule_has_a_bad_and_a_good_fixture() {
    for r in rules::RULES {
        if r.terraform.is_none() {
            continue; // catalogue-only: lint_catalogue.rs; a whole tree's (BGL804): access.rs
        }
        for kind in ["bad", "good"] {
            assert!(
                fixture(r.code, kind).join("main.tf").is_file(),
                "{} has no {kind} fixture",
                r.code
            );
        }
    }
}

/// The policies a rule's fixtures are linted with: the embedded (bank) ones, with the files of
/// `tests/fixtures/lint/<CODE>/policies/` in their place when the rule's parameters differ
/// there (a rule the bank's policy switches off, as BGL107).
fn fixture_policies(code: &str) -> bankgen::lint::Policies {
    let dir = Path::new("tests/fixtures/lint").join(code).join("policies");
    if dir.is_dir() {
        bankgen::lint::Policies::load(Some(&dir)).unwrap_or_else(|e| panic!("{code}: {e}"))
    } else {
        policies().clone()
    }
}

fn check(code: &str) {
    let base = repo();
    let policies = fixture_policies(code);
    let run = |paths: &[&Path]| lint_paths_with(paths, &policies);
    let bad = run(&[&fixture(code, "bad")]);
    assert!(
        !bad.findings.is_empty(),
        "{code}: the bad fixture gives no finding"
    );
    let others: Vec<_> = bad.findings.iter().filter(|f| f.code != code).collect();
    assert!(
        others.is_empty(),
        "{code}: the bad fixture also fires other rules:\n{}",
        lines(&bad.findings, &base)
    );
    let good = run(&[&fixture(code, "good")]);
    assert!(
        good.findings.is_empty(),
        "{code}: the good fixture is not clean:\n{}",
        lines(&good.findings, &base)
    );
    // The diagnostics as people see them: miette reports with the snippet, and short lines.
    let reports: String = bad
        .findings
        .iter()
        .map(|f| output::problem(f, Some(catalog())).report())
        .collect::<Vec<_>>()
        .join("\n");
    let snapshot = format!("{}\n\n{}", lines(&bad.findings, &base), reports)
        .replace(&format!("{}/", base.display()), "");
    assert_snapshot(code, snapshot);
}

/// Snapshot `value` as `tests/snapshots/lint_rules__<name>.snap`: the names and folder these
/// snapshots had when this file was a test binary of its own, which scripts/new-rule names.
fn assert_snapshot(name: &str, value: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("lint_rules__{name}"), value));
}

/// Every rule with fixtures, from the rule table: a new rule needs no line here. One test for
/// all; each rule runs on its own, so that one failure does not hide the others.
#[test]
fn every_rule_fires_on_its_bad_fixture_only() {
    let codes: Vec<&str> = rules::RULES
        .iter()
        .map(|r| r.code)
        .filter(|code| fixture(code, "bad").is_dir())
        .collect();
    assert!(codes.len() > 1, "no fixtures found");
    let failed: Vec<&str> = codes
        .into_iter()
        .filter(|code| std::panic::catch_unwind(|| check(code)).is_err())
        .collect();
    assert!(failed.is_empty(), "failed (see above): {failed:?}");
}

#[test]
fn every_fixture_folder_is_a_rule() {
    for e in std::fs::read_dir(repo().join("tests/fixtures/lint")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("BGL") {
            assert!(
                rules::RULES.iter().any(|r| r.code == name),
                "fixture {name} is not a rule's code"
            );
        }
    }
}

#[test]
fn docs_rules_md_is_current() {
    let want = output::rules_markdown();
    let path = repo().join("docs/rules.md");
    if std::env::var_os("BANKGEN_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `BANKGEN_UPDATE_DOCS=1 cargo test --test integration lint_rules::docs_rules_md_is_current` (or `bankgen rules --markdown > docs/rules.md`)"
    );
}

#[test]
fn hand_written_legacy_and_policy_document_styles_are_understood() {
    let dir = repo().join("tests/fixtures/lint/handwritten");
    let r = lint_paths(&[Path::new(&dir)]);
    assert_snapshot("handwritten", lines(&r.findings, &repo()));
}
