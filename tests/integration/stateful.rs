//! Resources that hold data: what render records in `Tree.stateful` is exactly the rendered
//! blocks of the types the kinds declare stateful, in every environment and provider profile of
//! both shipped catalogues (the unserved kinds of an emulator included: neither rendered nor
//! recorded).

use super::support::{Test, load_catalog, repo};
use bankgen::kinds;
use bankgen::model::Profile;
use bankgen::render::{Options, Tree, render_env};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// `MOD-ID` → the addresses of its rendered blocks whose type holds data, read from the text.
fn rendered_stateful(tree: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let types = kinds::stateful_types();
    let block = Regex::new(r#"(?m)^resource "([a-z0-9_]+)" "([A-Za-z0-9_-]+)""#).expect("regex");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &tree.files {
        let module = path.split('/').next().expect("MOD/file").to_string();
        for c in block.captures_iter(text) {
            if types.contains(&&c[1]) {
                out.entry(module.clone())
                    .or_default()
                    .insert(format!("{}.{}", &c[1], &c[2]));
            }
        }
    }
    out
}

/// Every way one environment renders: its own profile and the other one.
fn renders(catalog: &str) -> Vec<(String, Tree)> {
    let cat = load_catalog(&repo().join(catalog));
    let mut out = Vec::new();
    for env in cat.environment_names() {
        for profile in [None, Some(Profile::V6), Some(Profile::Legacy)] {
            let opts = Options {
                profile,
                ..Options::default()
            };
            let tree = render_env(&cat, env, &opts)
                .unwrap_or_else(|p| panic!("{catalog} {env} does not render: {p:?}"));
            out.push((format!("{catalog} {env} {profile:?}"), tree));
        }
    }
    out
}

#[test]
fn every_rendered_block_that_holds_data_is_recorded_and_every_record_is_rendered() {
    let mut checked = 0;
    for catalog in ["catalog", "examples/global-platform"] {
        for (what, tree) in renders(catalog) {
            let rendered = rendered_stateful(&tree);
            let mut recorded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (module, list) in &tree.stateful {
                for s in list {
                    assert!(
                        recorded
                            .entry(module.clone())
                            .or_default()
                            .insert(s.address.clone()),
                        "{what}: {module} records {} twice",
                        s.address
                    );
                    assert!(
                        s.entry.contains(' ') && s.loc.line > 0,
                        "{what}: {module} {} has no entry or place: {s:?}",
                        s.address
                    );
                }
            }
            for (module, want) in &rendered {
                let got = recorded.get(module).cloned().unwrap_or_default();
                let missing: Vec<_> = want.difference(&got).collect();
                assert!(
                    missing.is_empty(),
                    "{what}: {module} renders blocks that hold data but does not record them: {missing:?}"
                );
            }
            for (module, got) in &recorded {
                let want = rendered.get(module).cloned().unwrap_or_default();
                let absent: Vec<_> = got.difference(&want).collect();
                assert!(
                    absent.is_empty(),
                    "{what}: {module} records addresses its files do not have: {absent:?}"
                );
            }
            checked += rendered.values().map(BTreeSet::len).sum::<usize>();
        }
    }
    // Both catalogues render hundreds of such blocks: the comparison above is not vacuous.
    assert!(checked > 1000, "only {checked} stateful blocks compared");
}

// ------------------------------------------------------------------ renamed_from

/// One renamed entry: the catalogue file, the text edits that rename it (its entry, and the
/// references to it by catalogue name), and its Terraform label before and after.
struct Rename {
    edits: &'static [(&'static str, &'static str, &'static str)],
    old_label: &'static str,
    new_label: &'static str,
}

/// Entries of each kind that offers `renamed_from:`, renamed with the references to them:
/// plain, replicated with access logs, object-locked and cross-module log buckets, FIFO and
/// standard queues, a stream, a table, a secret (exported, and the cluster's master secret) and a
/// log group named with `{env}`.
const GBP_RENAMES: &[Rename] = &[
    Rename {
        edits: &[
            (
                "modules/MOD-202.yaml",
                "    - name: gbp-transactions\n",
                "    - name: gbp-payments-ledger\n      renamed_from: gbp-transactions\n",
            ),
            (
                "domains.yaml",
                "object_round_trip: gbp-transactions\n",
                "object_round_trip: gbp-payments-ledger\n",
            ),
        ],
        old_label: "gbp_transactions",
        new_label: "gbp_payments_ledger",
    },
    Rename {
        edits: &[(
            "modules/MOD-202.yaml",
            "    - name: gbp-archive\n",
            "    - name: gbp-records-vault\n      renamed_from: gbp-archive\n",
        )],
        old_label: "gbp_archive",
        new_label: "gbp_records_vault",
    },
    Rename {
        edits: &[
            (
                "modules/MOD-203.yaml",
                "    - name: gbp-audit\n",
                "    - name: gbp-access-trail\n      renamed_from: gbp-audit\n",
            ),
            (
                "modules/MOD-203.yaml",
                "      bucket: gbp-audit\n",
                "      bucket: gbp-access-trail\n",
            ),
            (
                "modules/MOD-203.yaml",
                "      bucket: gbp-audit\n",
                "      bucket: gbp-access-trail\n",
            ),
            (
                "modules/MOD-202.yaml",
                "{bucket: gbp-audit,",
                "{bucket: gbp-access-trail,",
            ),
            (
                "modules/MOD-202.yaml",
                "{bucket: gbp-audit,",
                "{bucket: gbp-access-trail,",
            ),
            (
                "modules/MOD-233.yaml",
                "{bucket: gbp-audit,",
                "{bucket: gbp-access-trail,",
            ),
            (
                "modules/MOD-235.yaml",
                "{bucket: gbp-audit,",
                "{bucket: gbp-access-trail,",
            ),
        ],
        old_label: "gbp_audit",
        new_label: "gbp_access_trail",
    },
    Rename {
        edits: &[(
            "modules/MOD-220.yaml",
            "    - name: gbp-payment-instructions\n",
            "    - name: gbp-instruction-queue\n      renamed_from: gbp-payment-instructions\n",
        )],
        old_label: "gbp_payment_instructions",
        new_label: "gbp_instruction_queue",
    },
    Rename {
        edits: &[(
            "modules/MOD-220.yaml",
            "    - name: gbp-statement-jobs\n",
            "    - name: gbp-statement-work\n      renamed_from: gbp-statement-jobs\n",
        )],
        old_label: "gbp_statement_jobs",
        new_label: "gbp_statement_work",
    },
    Rename {
        edits: &[
            (
                "modules/MOD-220.yaml",
                "    - name: gbp-transaction-events\n",
                "    - name: gbp-ledger-events\n      renamed_from: gbp-transaction-events\n",
            ),
            (
                "domains.yaml",
                "record_round_trip: gbp-transaction-events\n",
                "record_round_trip: gbp-ledger-events\n",
            ),
        ],
        old_label: "gbp_transaction_events",
        new_label: "gbp_ledger_events",
    },
    Rename {
        edits: &[
            (
                "modules/MOD-210.yaml",
                "    - name: gbp-sessions\n",
                "    - name: gbp-web-sessions\n      renamed_from: gbp-sessions\n",
            ),
            (
                "domains.yaml",
                "item_round_trip: gbp-sessions\n",
                "item_round_trip: gbp-web-sessions\n",
            ),
        ],
        old_label: "gbp_sessions",
        new_label: "gbp_web_sessions",
    },
    Rename {
        edits: &[
            (
                "modules/MOD-201.yaml",
                "    - name: gbp-data/aurora/master\n",
                "    - name: gbp-data/ledger/master\n      renamed_from: gbp-data/aurora/master\n",
            ),
            (
                "modules/MOD-201.yaml",
                "value: secret/gbp-data/aurora/master.arn",
                "value: secret/gbp-data/ledger/master.arn",
            ),
            (
                "modules/MOD-210.yaml",
                "master_secret: gbp-data/aurora/master",
                "master_secret: gbp-data/ledger/master",
            ),
        ],
        old_label: "gbp_data_aurora_master",
        new_label: "gbp_data_ledger_master",
    },
    Rename {
        edits: &[(
            "modules/MOD-240.yaml",
            "    - name: /gbp/{env}/operations/insights\n",
            "    - name: /gbp/{env}/operations/analysis\n      renamed_from: /gbp/{env}/operations/insights\n",
        )],
        old_label: "gbp_operations_insights",
        new_label: "gbp_operations_analysis",
    },
];

const BANK_RENAMES: &[Rename] = &[Rename {
    edits: &[
        (
            "modules/MOD-104.yaml",
            "    - name: bank-iceberg\n",
            "    - name: bank-lakehouse\n      renamed_from: bank-iceberg\n",
        ),
        (
            "modules/MOD-104.yaml",
            "destination_bucket: bank-iceberg\n",
            "destination_bucket: bank-lakehouse\n",
        ),
        (
            "modules/MOD-104.yaml",
            "s3_read_write: [bank-iceberg,",
            "s3_read_write: [bank-lakehouse,",
        ),
    ],
    old_label: "bank_iceberg",
    new_label: "bank_lakehouse",
}];

/// A file's text as the comparison sees it: the catalogue lines in source comments dropped (the
/// added `renamed_from:` lines move the entries below them).
fn without_source_lines(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("# bankgen:source ") {
                "# bankgen:source"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (from, to) of every `moved` block in a module's moved.tf.
fn moves(text: &str) -> BTreeSet<(String, String)> {
    let re = Regex::new(r"moved \{\s*from\s*=\s*(\S+)\s*to\s*=\s*(\S+)\s*\}").expect("regex");
    re.captures_iter(text)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

#[test]
fn a_renamed_entry_keeps_its_physical_names_and_moves_every_block_labelled_after_it() {
    let block = Regex::new(r#"(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)""#).expect("regex");
    let mut moved_total = 0;
    for (catalog, renames) in [
        ("catalog", BANK_RENAMES),
        ("examples/global-platform", GBP_RENAMES),
    ] {
        // Both copies in a folder of the same name: the files' headers name it.
        let (a, b) = (
            tempfile::tempdir().expect("temp"),
            tempfile::tempdir().expect("temp"),
        );
        let (before_dir, after_dir) = (a.path().join("cat"), b.path().join("cat"));
        super::support::copy_dir(&repo().join(catalog), &before_dir);
        super::support::copy_dir(&repo().join(catalog), &after_dir);
        for r in renames {
            for (file, from, to) in r.edits {
                let path = after_dir.join(file);
                let text = std::fs::read_to_string(&path).expect("read");
                assert!(text.contains(from), "{catalog}/{file} has no {from:?}");
                std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
            }
        }
        let before_cat = load_catalog(&before_dir);
        let after_cat = load_catalog(&after_dir);
        for env in before_cat.environment_names() {
            for profile in [Some(Profile::V6), Some(Profile::Legacy)] {
                let opts = Options {
                    profile,
                    ..Options::default()
                };
                let what = format!("{catalog} {env} {profile:?}");
                let before = render_env(&before_cat, env, &opts).expect("renders");
                let after = render_env(&after_cat, env, &opts).unwrap_or_else(|p| {
                    panic!("{what}: the renamed catalogue does not render: {p:?}")
                });
                for (path, text) in &before.files {
                    for r in renames {
                        assert!(
                            !text.contains(r.new_label),
                            "{what}: {path} has the new label {} before the rename",
                            r.new_label
                        );
                    }
                }
                // Every file but moved.tf is the same, once the new labels read as the old ones.
                let names = |t: &Tree| -> BTreeSet<String> {
                    t.files
                        .keys()
                        .filter(|k| !k.ends_with("/moved.tf"))
                        .cloned()
                        .collect()
                };
                assert_eq!(names(&before), names(&after), "{what}: the files differ");
                for (path, text) in &before.files {
                    let mut got = after.files[path].clone();
                    for r in renames {
                        got = got.replace(r.new_label, r.old_label);
                    }
                    assert_eq!(
                        without_source_lines(&got),
                        without_source_lines(text),
                        "{what}: {path} changed beyond the labels"
                    );
                }
                // moved.tf moves exactly the blocks labelled after a new name, from the old label.
                let mut want: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
                for (path, text) in &after.files {
                    let module = path.split('/').next().expect("MOD/file");
                    for c in block.captures_iter(text) {
                        let (t, label) = (&c[1], &c[2]);
                        for r in renames {
                            if let Some(rest) = label.strip_prefix(r.new_label)
                                && (rest.is_empty() || rest.starts_with('_'))
                            {
                                want.entry(module.to_string()).or_default().insert((
                                    format!("{t}.{}{rest}", r.old_label),
                                    format!("{t}.{label}"),
                                ));
                            }
                        }
                    }
                }
                assert!(!want.is_empty(), "{what}: nothing was renamed");
                let got: BTreeMap<String, BTreeSet<(String, String)>> = after
                    .files
                    .iter()
                    .filter_map(|(p, t)| {
                        p.strip_suffix("/moved.tf")
                            .map(|m| (m.to_string(), moves(t)))
                    })
                    .collect();
                assert_eq!(got, want, "{what}: the moved blocks");
                moved_total += want.values().map(BTreeSet::len).sum::<usize>();
            }
        }
    }
    assert!(moved_total > 100, "only {moved_total} moves compared");
}

// ------------------------------------------------------------------ the catalogue's checks

/// `bankgen check --short` of a catalogue: its exit code and stderr.
fn check_short(t: Test) -> (i32, String) {
    let run = t.args(["check", "--short"]).run();
    (run.code(), run.stderr())
}

const M104: &str = "catalog/modules/MOD-104.yaml";

#[test]
fn allow_replace_needs_a_reason_and_nothing_else() {
    let (code, err) = check_short(Test::new().with_catalog().edit(
        M104,
        "    - name: bank-iceberg\n",
        "    - name: bank-iceberg\n      allow_replace: {reason: \"  \"}\n",
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("catalog/modules/MOD-104.yaml:42:")
            && err.contains("error[BG043]: allow_replace of bucket `bank-iceberg` gives no reason"),
        "{err}"
    );
    let (code, err) = check_short(Test::new().with_catalog().edit(
        M104,
        "    - name: bank-cdc-stream",
        "    - name: bank-cdc-stream\n      allow_replace: {reason: ok, by: me}",
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("MOD-104.yaml:109:") && err.contains("by"),
        "{err}"
    );
}

#[test]
fn an_allowance_reaches_the_stateful_list_with_its_reason_and_line() {
    let t = Test::new().with_catalog().edit(
        M104,
        "    - name: bank-iceberg\n",
        "    - name: bank-iceberg\n      allow_replace:\n        reason: \" the lake is rebuilt from CDC \"\n",
    );
    let cat = load_catalog(&t.path("catalog"));
    let tree = render_env(&cat, "dev", &Options::default()).expect("renders");
    let list = &tree.stateful["MOD-104"];
    let bucket = list
        .iter()
        .find(|s| s.address == "aws_s3_bucket.bank_iceberg")
        .expect("the bucket is recorded");
    assert_eq!(bucket.entry, "bucket bank-iceberg");
    assert_eq!(bucket.loc.line, 41);
    let (reason, at) = bucket.allow_replace.as_ref().expect("allowed");
    assert_eq!(reason, "the lake is rebuilt from CDC");
    assert_eq!(at.line, 43);
    // The other entries of the module are not allowed anything.
    assert!(
        list.iter()
            .filter(|s| s.entry != "bucket bank-iceberg")
            .all(|s| s.allow_replace.is_none())
    );
}

#[test]
fn renamed_from_is_another_name_that_no_other_entry_of_the_kind_has() {
    // Its own name.
    let (code, err) = check_short(Test::new().with_catalog().edit(
        M104,
        "    - name: bank-iceberg\n",
        "    - name: bank-iceberg\n      renamed_from: bank-iceberg\n",
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("MOD-104.yaml:42:")
            && err.contains("error[BG044]: bucket `bank-iceberg` is renamed from its own name")
            && err.matches("error[").count() == 1,
        "{err}"
    );
    // Another bucket's name, in another module.
    let gbp = "catalog/modules/MOD-202.yaml";
    let (code, err) = check_short(Test::new().with_example("global-platform").edit(
        gbp,
        "    - name: gbp-transactions\n",
        "    - name: gbp-payments\n      renamed_from: gbp-audit\n",
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("catalog/modules/MOD-202.yaml:17:")
            && err.contains("error[BG044]: bucket `gbp-payments` is renamed from `gbp-audit`, which is the name of another bucket"),
        "{err}"
    );
    // Two entries from one old name.
    let (code, err) = check_short(
        Test::new()
            .with_example("global-platform")
            .edit(
                "catalog/modules/MOD-220.yaml",
                "    - name: gbp-payment-instructions\n",
                "    - name: gbp-instructions\n      renamed_from: gbp-payment-jobs\n",
            )
            .edit(
                "catalog/modules/MOD-220.yaml",
                "    - name: gbp-statement-jobs\n",
                "    - name: gbp-statements\n      renamed_from: gbp-payment-jobs\n",
            ),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[BG044]: queues `gbp-instructions` and `gbp-statements` are both renamed from `gbp-payment-jobs`"),
        "{err}"
    );
    // A kind that does not offer it.
    let (code, err) = check_short(Test::new().with_catalog().edit(
        M104,
        "    - name: bank-cdc-stream",
        "    - name: bank-cdc-stream\n      renamed_from: bank-old-stream",
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("renamed_from"), "{err}");
}

#[test]
fn a_renamed_catalogue_renders_and_lints_clean_in_every_environment() {
    for (example, renames) in [(None, BANK_RENAMES), (Some("global-platform"), GBP_RENAMES)] {
        let mut t = match example {
            None => Test::new().with_catalog(),
            Some(e) => Test::new().with_example(e),
        };
        for r in renames {
            for (file, from, to) in r.edits {
                t = t.edit(&format!("catalog/{file}"), from, to);
            }
        }
        t.cmd(["render", "--all-envs", "--out", "out"]).success();
        // The catalogue rules and the Terraform rules, which find catalogue entries by the
        // physical names in the rendered files.
        t.cmd(["lint"])
            .success()
            .stdout_has(" 0 errors, 0 warnings");
    }
}

/// The blocks kinds record as rendered under a provider alias (`Tree::aliased`, what lint reads
/// to know which blocks may live outside the primary region) are rendered with exactly that
/// alias; every block under `aws.global` is recorded.
#[test]
fn blocks_recorded_under_a_provider_alias_are_rendered_with_it() {
    let header = Regex::new(r#"(?m)^(resource|data) "([a-z0-9_]+)" "([a-z0-9_]+)" \{\n((?:  #.*\n)*)  provider += aws\.([a-z]+)"#).unwrap();
    let mut global = 0;
    for (what, tree) in renders("examples/global-platform") {
        for (module, list) in &tree.aliased {
            for (address, alias) in list {
                let (t, n) = address.split_once('.').unwrap();
                let found = tree
                    .files
                    .iter()
                    .filter(|(k, _)| k.starts_with(&format!("{module}/")))
                    .any(|(_, text)| {
                        header.captures_iter(text).any(|c| {
                            c[1] == *"resource" && &c[2] == t && &c[3] == n && &c[5] == *alias
                        })
                    });
                assert!(
                    found,
                    "{what}: {module} records {address} under aws.{alias}, which renders it otherwise"
                );
            }
        }
        for (file, text) in &tree.files {
            let module = file.split('/').next().unwrap();
            for c in header
                .captures_iter(text)
                .filter(|c| &c[5] == "global" && &c[1] == "resource")
            {
                let address = format!("{}.{}", &c[2], &c[3]);
                assert!(
                    tree.aliased
                        .get(module)
                        .is_some_and(|l| l.iter().any(|(a, al)| *a == address && *al == "global")),
                    "{what}: {file}: {address} is rendered under aws.global but not recorded"
                );
                global += 1;
            }
        }
    }
    assert!(
        global > 0,
        "no block of the global platform renders under aws.global"
    );
}

/// A network in the DR region (`region: dr`) records every one of its blocks under `aws.dr`, and
/// renders them there: lint reads the record to know which blocks live in the DR region.
#[test]
fn every_block_of_a_dr_network_is_recorded_under_aws_dr() {
    let header = Regex::new(r#"(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)" \{\n((?:  #.*\n)*)  provider += aws\.([a-z]+)"#).unwrap();
    let mut dr = 0;
    for (what, tree) in renders("examples/global-platform") {
        for (file, text) in tree
            .files
            .iter()
            .filter(|(f, _)| f.ends_with("/network.tf"))
        {
            let module = file.split('/').next().unwrap();
            for c in header.captures_iter(text).filter(|c| &c[4] == "dr") {
                let address = format!("{}.{}", &c[1], &c[2]);
                assert!(
                    tree.aliased
                        .get(module)
                        .is_some_and(|l| l.iter().any(|(a, al)| *a == address && *al == "dr")),
                    "{what}: {file}: {address} is rendered under aws.dr but not recorded"
                );
                dr += 1;
            }
        }
    }
    assert!(
        dr > 0,
        "no network of the global platform renders under aws.dr"
    );
}
