//! Catalogue-level rules: the shipped catalogue is clean; one edit to a copy of it makes
//! exactly the expected rule fire, at the YAML line of the edit; a YAML suppression works.

use crate::support::{Test, catalog, line_of, lines, load_catalog, policies, repo};
use bankgen::lint::lint_catalogue;
use std::path::Path;

#[test]
fn the_shipped_catalogue_is_clean() {
    let (findings, suppressed) = lint_catalogue(catalog(), policies());
    assert!(findings.is_empty(), "{}", lines(&findings, &repo()));
    assert_eq!(suppressed, 0);
}

struct Edit {
    file: &'static str,
    find: &'static str,
    replace: &'static str,
}

/// A copy of the catalogue with the edits applied; the line of the first edit.
fn edited(edits: &[Edit]) -> (Test, u64) {
    let mut t = Test::new().with_catalog();
    let mut line = 0;
    for (i, e) in edits.iter().enumerate() {
        let rel = format!("catalog/{}", e.file);
        if i == 0 {
            let text = std::fs::read_to_string(t.path(&rel)).unwrap();
            let at = text
                .find(e.find)
                .unwrap_or_else(|| panic!("`{}` not in {}", e.find, e.file));
            line = line_of(&text, at);
        }
        t = t.edit(&rel, e.find, e.replace);
    }
    (t, line)
}

fn fires(code: &str, file: &str, edits: &[Edit]) {
    let (t, line) = edited(edits);
    let cat = load_catalog(&t.path("catalog"));
    let (findings, _) = lint_catalogue(&cat, policies());
    let text = lines(&findings, t.dir.path());
    assert_eq!(
        findings.len(),
        1,
        "{code}: want exactly one finding, got:\n{text}"
    );
    let f = &findings[0];
    assert_eq!(f.code, code, "{text}");
    assert!(
        f.file.ends_with(file),
        "{code}: finding in {}, want {file}",
        f.file
    );
    assert_eq!(
        f.line, line,
        "{code}: finding at line {}, want {line}: {text}",
        f.line
    );
}

#[test]
fn bgl105_a_lifecycle_shorter_than_the_classification_keeps() {
    fires(
        "BGL105",
        "modules/MOD-104.yaml",
        &[Edit {
            file: "modules/MOD-104.yaml",
            find: "expiration_days: 2555",
            replace: "expiration_days: 365",
        }],
    );
}

#[test]
fn bgl202_a_role_decrypting_what_its_domain_does_not_handle() {
    fires(
        "BGL202",
        "modules/MOD-104.yaml",
        &[Edit {
            file: "modules/MOD-104.yaml",
            find: "- kms_decrypt: [financial]",
            replace: "- kms_decrypt: [financial, pii]",
        }],
    );
}

#[test]
fn bgl205_a_classification_without_a_key() {
    fires(
        "BGL205",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "classification: financial\n      encryption: kms\n      lifecycle:\n        - id: archive\n          transitions: [{days: 365",
                replace: "classification: restricted\n      encryption: kms\n      lifecycle:\n        - id: archive\n          transitions: [{days: 365",
            },
            Edit {
                file: "platform.yaml",
                find: "  - name: operational\n",
                replace: "  - name: restricted\n    key_alias: bank/restricted\n    description: Restricted\n    min_retention_days: 1\n  - name: operational\n",
            },
        ],
    );
}

#[test]
fn bgl505_an_access_log_kept_less_than_ten_years() {
    fires(
        "BGL505",
        "modules/MOD-045.yaml",
        &[Edit {
            file: "modules/MOD-045.yaml",
            find: "retention_days: 3653",
            replace: "retention_days: 365",
        }],
    );
}

#[test]
fn bgl601_a_single_region_trail() {
    fires(
        "BGL601",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-trail",
                replace: "- name: bank-trail",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "multi_region: true",
                replace: "multi_region: false",
            },
        ],
    );
}

#[test]
fn bgl701_a_pool_without_mfa() {
    fires(
        "BGL701",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-customers",
                replace: "- name: bank-customers",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "required: true",
                replace: "required: false",
            },
        ],
    );
}

#[test]
fn bgl702_a_refresh_token_living_longer_than_30_days() {
    fires(
        "BGL702",
        "modules/MOD-104.yaml",
        &[Edit {
            file: "modules/MOD-104.yaml",
            find: "refresh_token_days: 30",
            replace: "refresh_token_days: 90",
        }],
    );
}

#[test]
fn bgl903_a_secret_rotating_once_a_year() {
    fires(
        "BGL903",
        "modules/MOD-045.yaml",
        &[Edit {
            file: "modules/MOD-045.yaml",
            find: "rotation_days: 90",
            replace: "rotation_days: 365",
        }],
    );
}

#[test]
fn a_yaml_suppression_with_a_reason_suppresses_and_one_without_is_reported() {
    let (t, _) = edited(&[Edit {
        file: "modules/MOD-045.yaml",
        find: "      retention_days: 3653",
        replace: "      # bankgen:ignore[BGL505] archived to S3 Object Lock instead (CHG-42)\n      retention_days: 365",
    }]);
    let cat = load_catalog(&t.path("catalog"));
    let (findings, suppressed) = lint_catalogue(&cat, policies());
    assert!(findings.is_empty(), "{}", lines(&findings, t.dir.path()));
    assert_eq!(suppressed, 1);

    let (t, _) = edited(&[Edit {
        file: "modules/MOD-045.yaml",
        find: "      retention_days: 3653",
        replace: "      retention_days: 365 # bankgen:ignore[BGL505]",
    }]);
    let cat = load_catalog(&t.path("catalog"));
    let (findings, suppressed) = lint_catalogue(&cat, policies());
    assert_eq!(suppressed, 1);
    let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["BGL002"], "{}", lines(&findings, Path::new("/")));
}
