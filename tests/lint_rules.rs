//! Per rule: a violating fixture (`tests/fixtures/lint/<CODE>/bad`) makes exactly that rule
//! fire, with a snapshot of its diagnostics; a clean one (`good`) gives no finding at all.

mod lint_common;

use bankgen::lint::{output, rules};
use lint_common::*;
use std::path::Path;

/// Relative to the package root (cargo runs tests there), so that a report's line wrapping does
/// not depend on where the repository is checked out.
fn fixture(code: &str, kind: &str) -> std::path::PathBuf {
    Path::new("tests/fixtures/lint").join(code).join(kind)
}

#[test]
fn every_terraform_rule_has_a_bad_and_a_good_fixture() {
    for r in rules::RULES {
        if r.terraform.is_none() && r.catalogue.is_some() {
            continue; // catalogue-only: tests/lint_catalogue.rs
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

fn check(code: &str) {
    let base = root();
    let bad = lint_paths(&[&fixture(code, "bad")]);
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
    let good = lint_paths(&[&fixture(code, "good")]);
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
    insta::assert_snapshot!(code, snapshot);
}

macro_rules! rule_tests {
    ($($name:ident => $code:literal),* $(,)?) => {
        $(#[test] fn $name() { check($code); })*

        #[test]
        fn the_list_above_covers_every_fixture() {
            let listed = [$($code),*];
            for e in std::fs::read_dir(root().join("tests/fixtures/lint")).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                if name.starts_with("BGL") {
                    assert!(listed.contains(&name.as_str()), "fixture {name} has no test");
                }
            }
        }
    };
}

rule_tests! {
    bgl001 => "BGL001", bgl002 => "BGL002", bgl003 => "BGL003", bgl010 => "BGL010",
    bgl101 => "BGL101", bgl102 => "BGL102", bgl103 => "BGL103", bgl104 => "BGL104",
    bgl105 => "BGL105", bgl201 => "BGL201", bgl202 => "BGL202", bgl203 => "BGL203",
    bgl204 => "BGL204", bgl301 => "BGL301", bgl401 => "BGL401", bgl402 => "BGL402",
    bgl403 => "BGL403", bgl501 => "BGL501", bgl502 => "BGL502", bgl503 => "BGL503",
    bgl504 => "BGL504", bgl505 => "BGL505", bgl601 => "BGL601", bgl701 => "BGL701",
    bgl702 => "BGL702", bgl703 => "BGL703", bgl801 => "BGL801", bgl802 => "BGL802",
    bgl901 => "BGL901", bgl902 => "BGL902", bgl903 => "BGL903", bgl904 => "BGL904",
}

#[test]
fn docs_rules_md_is_current() {
    let want = output::rules_markdown();
    let path = root().join("docs/rules.md");
    if std::env::var_os("BANKGEN_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `BANKGEN_UPDATE_DOCS=1 cargo test --test lint_rules docs_rules_md_is_current` (or `bankgen rules --markdown > docs/rules.md`)"
    );
}

#[test]
fn hand_written_legacy_and_policy_document_styles_are_understood() {
    let dir = root().join("tests/fixtures/lint/handwritten");
    let r = lint_paths(&[Path::new(&dir)]);
    insta::assert_snapshot!("handwritten", lines(&r.findings, &root()));
}
