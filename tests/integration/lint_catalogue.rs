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

/// Like [`fires`], but the finding is at the line of `at` in `file` after the edits (an edit
/// that inserts the offending entry).
fn fires_at(code: &str, file: &str, edits: &[Edit], at: &str) {
    let (t, _) = edited(edits);
    let text = std::fs::read_to_string(t.path(&format!("catalog/{file}"))).unwrap();
    let line = line_of(
        &text,
        text.find(at)
            .unwrap_or_else(|| panic!("`{at}` not in {file}")),
    );
    let cat = load_catalog(&t.path("catalog"));
    let (findings, _) = lint_catalogue(&cat, policies());
    let text = lines(&findings, t.dir.path());
    assert_eq!(findings.len(), 1, "{code}: want one finding, got:\n{text}");
    let f = &findings[0];
    assert_eq!(f.code, code, "{text}");
    assert!(f.file.ends_with(file), "{code}: {text}");
    assert_eq!(f.line, line, "{code}: want line {line}: {text}");
}

// ADR-042 (seed 003): one customer pool, jurisdiction as its attribute, one stack.

/// A customer pool of its own for a jurisdiction, in another module: the second customer pool
/// (BGL704) and a pool named for a jurisdiction (BGL706).
const AU_POOL: &str = "  - module: MOD-076\n    contract: soft\nresources:\n  user_pools:\n    - name: bank-customers-au\n      users: Australian retail customers\n      audience: customers\n      classification: pii\n      mfa: {required: true, description: Required}\n      custom_attributes:\n        - {name: jurisdiction, max_length: 2}\n      tokens: {id_token_hours: 1, access_token_hours: 1, refresh_token_days: 30}\n      clients: []\n";

#[test]
fn bgl704_a_second_customer_pool_in_another_module() {
    // Named without a jurisdiction, so that only the second pool is the finding.
    let pool = AU_POOL.replace("bank-customers-au", "bank-customers-business");
    let edits = [Edit {
        file: "modules/MOD-009.yaml",
        find: "  - module: MOD-076\n    contract: soft\n",
        replace: Box::leak(pool.into_boxed_str()),
    }];
    fires_at(
        "BGL704",
        "modules/MOD-009.yaml",
        &edits,
        "- name: bank-customers-business",
    );
}

#[test]
fn bgl704_staff_marked_as_customers_is_a_second_customer_pool() {
    fires(
        "BGL704",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-staff",
                replace: "- name: bank-staff",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "audience: staff",
                replace: "audience: customers",
            },
            // Staff carry no jurisdiction: give it one so that only BGL704 fires.
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- {name: staff_id, max_length: 64}",
                replace: "- {name: staff_id, max_length: 64}\n        - {name: jurisdiction, max_length: 2}",
            },
        ],
    );
}

#[test]
fn bgl704_no_pool_marked_as_the_customer_pool() {
    fires(
        "BGL704",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-customers",
                replace: "- name: bank-customers",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "      audience: customers\n",
                replace: "",
            },
        ],
    );
}

#[test]
fn bgl705_a_customer_pool_without_the_jurisdiction_attribute() {
    fires(
        "BGL705",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-customers",
                replace: "- name: bank-customers",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "        - {name: jurisdiction, max_length: 2}\n",
                replace: "",
            },
        ],
    );
}

#[test]
fn bgl705_a_customer_client_that_cannot_read_the_jurisdiction() {
    fires_at(
        "BGL705",
        "modules/MOD-104.yaml",
        &[Edit {
            file: "modules/MOD-104.yaml",
            find: "          type: public\n          callback_urls: [\"totarabank://auth/callback\"]",
            replace: "          type: public\n          callback_urls: [\"totarabank://auth/callback\"]\n          read_attributes: [email, \"custom:party_id\"]",
        }],
        "read_attributes: [email",
    );
}

#[test]
fn bgl705_a_client_listing_the_jurisdiction_is_clean() {
    let (t, _) = edited(&[Edit {
        file: "modules/MOD-104.yaml",
        find: "          type: public\n          callback_urls: [\"totarabank://auth/callback\"]",
        replace: "          type: public\n          callback_urls: [\"totarabank://auth/callback\"]\n          read_attributes: [email, \"custom:jurisdiction\"]",
    }]);
    let cat = load_catalog(&t.path("catalog"));
    let (findings, _) = lint_catalogue(&cat, policies());
    assert!(findings.is_empty(), "{}", lines(&findings, t.dir.path()));
}

#[test]
fn bgl706_a_pool_renamed_for_a_jurisdiction() {
    fires(
        "BGL706",
        "modules/MOD-104.yaml",
        &[
            Edit {
                file: "modules/MOD-104.yaml",
                find: "- name: bank-customers",
                replace: "- name: bank-customers-nz",
            },
            Edit {
                file: "modules/MOD-104.yaml",
                find: "cognito_admin: [bank-customers]",
                replace: "cognito_admin: [bank-customers-nz]",
            },
        ],
    );
}

#[test]
fn bgl706_a_jurisdiction_stack_of_its_own_is_two_findings() {
    // A second module with the AU customers' pool: a second customer pool, named for AU.
    let (t, _) = edited(&[Edit {
        file: "modules/MOD-009.yaml",
        find: "  - module: MOD-076\n    contract: soft\n",
        replace: AU_POOL,
    }]);
    let cat = load_catalog(&t.path("catalog"));
    let (findings, _) = lint_catalogue(&cat, policies());
    let text = lines(&findings, t.dir.path());
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    codes.sort();
    assert_eq!(codes, ["BGL704", "BGL706"], "{text}");
    let file = std::fs::read_to_string(t.path("catalog/modules/MOD-009.yaml")).unwrap();
    let line = line_of(&file, file.find("- name: bank-customers-au").unwrap());
    assert!(
        findings
            .iter()
            .all(|f| f.file.ends_with("modules/MOD-009.yaml") && f.line == line),
        "{text}"
    );
}

#[test]
fn bgl706_a_repo_per_jurisdiction() {
    fires(
        "BGL706",
        "modules/MOD-009.yaml",
        &[Edit {
            file: "modules/MOD-009.yaml",
            find: "id: MOD-009\n",
            replace: "id: MOD-009\nrepo: bank-kyc-au\n",
        }],
    );
}

#[test]
fn adr_042_checks_are_off_without_the_decision_in_the_policies() {
    // The second catalogue (seed 002) has a customer pool and no ADR-042.
    let src = repo().join("examples/global-platform");
    let cat = load_catalog(&src);
    let p = bankgen::lint::Policies::load(Some(&src.join("policies"))).unwrap();
    assert!(p.cognito.single_stack.is_none());
    let (findings, _) = lint_catalogue(&cat, &p);
    assert!(findings.is_empty(), "{}", lines(&findings, &src));
}
