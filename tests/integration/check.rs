//! `bankgen check`: the shipped catalogue, and one bad catalogue per validation error class.
//!
//! Each bad catalogue is the shipped copy with one edit (or a few, when the test is about
//! several problems); the snapshot is the `--short` stderr: `file:line:col: error[CODE]:
//! message`, the help line and any notes. The one-edit cases are one table, `CASES`, run by
//! one test that names every failing case. Hostile inputs (huge, deep, alias bombs, bytes that
//! are not UTF-8, documents of the wrong shape) must give an error, never a hang or a panic.

use crate::support::{Run, Test};
use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn shipped_catalogue_checks_clean_with_its_counts() {
    Test::new()
        .args(["check"])
        .run()
        .success()
        .stdout_has("the embedded catalogue")
        .stdout_has("modules 142, domains 8, phases 8, events 36, subscriptions 29");
}

#[test]
fn a_catalogue_folder_in_the_current_directory_wins() {
    Test::new()
        .with_catalog()
        .args(["check"])
        .run()
        .success()
        .stdout_has("catalogue OK (catalog)");
}

// ------------------------------------------------------------------ helpers

const M001: &str = "catalog/modules/MOD-001.yaml";
const M104: &str = "catalog/modules/MOD-104.yaml";
const CORE: &str = "catalog/events/bank-core.yaml";
const PLATFORM: &str = "catalog/platform.yaml";
const DOMAINS: &str = "catalog/domains.yaml";

/// Run `bankgen check --short` with a hang guard; the catalogue must be rejected (exit 1).
fn short(t: Test) -> String {
    let run = guarded(t.args(["check", "--short"]));
    run.status(1);
    not_a_crash(&run);
    run.stderr()
}

/// The full miette report of `bankgen check` (exit 1), as a pipe gets it: ASCII lines, no
/// colour (box drawing is for terminals, or `--color always`).
fn report(t: Test) -> String {
    let run = guarded(t.args(["check"]));
    run.status(1);
    not_a_crash(&run);
    run.stderr()
}

fn not_a_crash(run: &Run) {
    let err = run.stderr();
    assert!(!err.contains("panicked"), "bankgen panicked:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "bankgen panicked:\n{err}");
}

/// Run in a thread and fail, rather than hang the suite, when bankgen does not finish within
/// a generous 30 s. This is a hang guard, not a speed test.
fn guarded(t: Test) -> Run {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let run = t.run();
        let _ = tx.send((run, t));
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok((run, _dir)) => run,
        Err(_) => panic!("bankgen did not finish within 30 s: it hangs on this input"),
    }
}

/// Insert lines after the first line that is exactly `after` (with its newline).
fn insert_after(t: Test, rel: &str, after: &str, lines: &str) -> Test {
    let from = format!("{after}\n");
    let to = format!("{after}\n{lines}");
    t.edit(rel, &from, &to)
}

fn count_errors(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.contains(": error[")).count()
}

// ------------------------------------------------------------------ one edit, one diagnostic

/// A bad catalogue of one edit: the shipped copy with the first `from` in `file` replaced by
/// `to`, rejected by `check --short` with the error `code` at `at` (`file:line:column`).
struct Case {
    /// Also the snapshot's name: `snapshots/integration__check__<name>.snap`.
    name: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    code: &'static str,
    at: &'static str,
    /// More text the report must hold.
    has: &'static [&'static str],
    /// How many errors the report holds, where that is the point of the case.
    errors: Option<usize>,
    /// Compare the whole report with the case's snapshot.
    snapshot: bool,
}

const CASE: Case = Case {
    name: "",
    file: "",
    from: "",
    to: "",
    code: "",
    at: "",
    has: &[],
    errors: None,
    snapshot: true,
};

const CASES: &[Case] = &[
    // BG001: malformed YAML
    Case {
        name: "unclosed_quote_is_bg001_at_the_quote",
        file: M001,
        from: "title: \"Double-entry posting engine\"",
        to: "title: \"Double-entry posting engine",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:3:8",
        ..CASE
    },
    Case {
        name: "a_key_indented_too_deep_is_bg001_at_its_line",
        file: M001,
        from: "  - module: MOD-103\n    contract: hard",
        to: "  - module: MOD-103\n        contract: hard",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:10:17",
        ..CASE
    },
    Case {
        name: "a_key_indented_too_little_is_bg005_with_a_hint_at_the_key",
        file: M001,
        from: "  - module: MOD-103\n    contract: hard",
        to: "  - module: MOD-103\n   contract: hard",
        code: "BG005",
        at: "catalog/modules/MOD-001.yaml:9:5",
        ..CASE
    },
    Case {
        name: "a_tab_in_the_indentation_is_bg001_at_the_tab",
        file: M001,
        from: "\nkind: runtime\n",
        to: "\nkind: runtime\n\tpurpose: x\n",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:6:1",
        ..CASE
    },
    Case {
        name: "a_key_written_twice_is_bg001_with_a_note_at_the_first",
        file: M001,
        from: "\nkind: runtime\n",
        to: "\nkind: runtime\ntitle: Again\n",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:6:1",
        ..CASE
    },
    // BG002 / BG005: fields
    Case {
        name: "a_misspelt_field_is_bg002_naming_it_and_the_right_one",
        file: M001,
        from: "depends_on:",
        to: "dependson:",
        code: "BG002",
        at: "catalog/modules/MOD-001.yaml:6:1",
        ..CASE
    },
    Case {
        name: "a_misspelt_field_in_a_nested_mapping_is_bg002_at_its_line",
        file: M104,
        from: "      classification: operational\n      encryption: sse-s3",
        to: "      clasification: operational\n      encryption: sse-s3",
        code: "BG002",
        at: "catalog/modules/MOD-104.yaml:66:7",
        ..CASE
    },
    Case {
        name: "a_missing_top_level_field_is_bg005_at_the_mapping",
        file: M001,
        from: "kind: runtime\n",
        to: "",
        code: "BG005",
        at: "catalog/modules/MOD-001.yaml:2:1",
        ..CASE
    },
    Case {
        name: "a_missing_field_of_a_list_item_is_bg005_at_that_item",
        file: M104,
        from: "      purpose: Kinesis Firehose landing zone\n",
        to: "",
        code: "BG005",
        at: "catalog/modules/MOD-104.yaml:49:7",
        ..CASE
    },
    // BG001: wrong type or shape
    Case {
        name: "a_word_where_a_number_goes_is_bg001_quoting_it",
        file: M104,
        from: "{name: bank-core, owner: SD01, archive_retention_days: 30,",
        to: "{name: bank-core, owner: SD01, archive_retention_days: thirty,",
        code: "BG001",
        at: "catalog/modules/MOD-104.yaml:29:62",
        ..CASE
    },
    Case {
        name: "a_negative_number_of_days_is_bg001",
        file: M104,
        from: "{name: bank-core, owner: SD01, archive_retention_days: 30,",
        to: "{name: bank-core, owner: SD01, archive_retention_days: -30,",
        code: "BG001",
        at: "catalog/modules/MOD-104.yaml:29:62",
        ..CASE
    },
    Case {
        name: "a_value_where_a_list_goes_is_bg001",
        file: "catalog/modules/MOD-103.yaml",
        from: "depends_on:\n  - module: MOD-104\n    contract: hard\n",
        to: "depends_on: MOD-104\n",
        code: "BG001",
        at: "catalog/modules/MOD-103.yaml:12:13",
        ..CASE
    },
    Case {
        name: "a_list_where_a_value_goes_is_bg001",
        file: M001,
        from: "system: SD01",
        to: "system: [SD01]",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:4:9",
        ..CASE
    },
    Case {
        name: "an_unknown_keyword_is_bg001_with_the_allowed_ones",
        file: M001,
        from: "kind: runtime",
        to: "kind: lambda",
        code: "BG001",
        at: "catalog/modules/MOD-001.yaml:5:7",
        ..CASE
    },
    Case {
        name: "a_misspelt_permission_is_bg001_with_the_right_one",
        file: M104,
        from: "        - events_put: [bank-core]",
        to: "        - events_write: [bank-core]",
        code: "BG001",
        at: "catalog/modules/MOD-104.yaml:176:11",
        ..CASE
    },
    Case {
        name: "a_word_where_true_or_false_goes_is_bg001",
        file: M104,
        from: "        required: true",
        to: "        required: maybe",
        code: "BG001",
        at: "catalog/modules/MOD-104.yaml:132:19",
        ..CASE
    },
    // BG011..BG016: references
    Case {
        name: "a_dependency_on_an_unknown_module_is_bg011",
        file: M001,
        from: "module: MOD-007",
        to: "module: MOD-777",
        code: "BG011",
        at: "catalog/modules/MOD-001.yaml:16:13",
        ..CASE
    },
    // MOD-001 is referenced by other modules and by events: those references are not
    // reported as unknown modules on top of the one real problem.
    Case {
        name: "an_unknown_system_domain_is_bg012_and_nothing_else",
        file: M001,
        from: "system: SD01",
        to: "system: SD09",
        code: "BG012",
        at: "catalog/modules/MOD-001.yaml:4:9",
        ..CASE
    },
    Case {
        name: "an_events_file_for_an_unknown_bus_is_bg013",
        file: CORE,
        from: "bus: bank-core",
        to: "bus: bank-coer",
        code: "BG013",
        at: "catalog/events/bank-core.yaml:9:6",
        ..CASE
    },
    Case {
        name: "a_role_permission_on_an_unknown_bus_is_bg013",
        file: M104,
        from: "        - events_put: [bank-core]",
        to: "        - events_put: [bank-cor]",
        code: "BG013",
        at: "catalog/modules/MOD-104.yaml:176:24",
        ..CASE
    },
    Case {
        name: "a_policy_attached_to_an_unknown_role_is_bg013",
        file: "catalog/modules/MOD-076.yaml",
        from: "attach_to: [BankCoreRole,",
        to: "attach_to: [BankCoerRole,",
        code: "BG013",
        at: "catalog/modules/MOD-076.yaml:18:19",
        has: &["which no module declares"],
        ..CASE
    },
    Case {
        name: "a_policy_attached_to_a_role_of_a_module_not_depended_on_is_bg013",
        file: "catalog/modules/MOD-076.yaml",
        from: "  - module: MOD-104\n    contract: hard\n",
        to: "  - module: MOD-103\n    contract: hard\n",
        code: "BG013",
        at: "catalog/modules/MOD-076.yaml:18:19",
        has: &[
            "which MOD-076 does not depend on",
            "add `- module: MOD-104` to depends_on",
        ],
        ..CASE
    },
    Case {
        name: "a_probe_of_a_queue_outside_the_phase_is_bg013",
        file: DOMAINS,
        from: "      retry_delay_seconds: 10\n  - id: 1",
        to: "      retry_delay_seconds: 10\n      probes:\n        - fifo_in_order: mod-017-scoring\n  - id: 1",
        code: "BG013",
        at: "catalog/domains.yaml:22:26",
        has: &[
            "the check of phase 0 probes `mod-017-scoring`, which is not a FIFO queue (`fifo: true`) of a module of the phase",
        ],
        ..CASE
    },
    Case {
        name: "an_unknown_probe_is_bg001_with_the_right_one",
        file: DOMAINS,
        from: "      retry_delay_seconds: 10\n  - id: 1",
        to: "      retry_delay_seconds: 10\n      probes:\n        - fifo_in_ordre: bank-x\n  - id: 1",
        code: "BG001",
        at: "catalog/domains.yaml:22:11",
        has: &["did you mean `fifo_in_order`?"],
        ..CASE
    },
    Case {
        name: "a_firehose_stream_into_an_unknown_bucket_is_bg013",
        file: M104,
        from: "      destination_bucket: bank-iceberg",
        to: "      destination_bucket: bank-icebreg",
        code: "BG013",
        at: "catalog/modules/MOD-104.yaml:112:27",
        ..CASE
    },
    Case {
        name: "a_bucket_of_an_unknown_classification_is_bg014",
        file: M104,
        from: "      classification: financial\n      encryption: kms",
        to: "      classification: secret\n      encryption: kms",
        code: "BG014",
        at: "catalog/modules/MOD-104.yaml:43:23",
        ..CASE
    },
    Case {
        name: "an_unknown_consumer_is_bg015",
        file: CORE,
        from: "consumer: MOD-016",
        to: "consumer: MOD-916",
        code: "BG015",
        at: "catalog/events/bank-core.yaml:38:15",
        ..CASE
    },
    Case {
        name: "a_producer_on_another_domains_bus_is_bg015",
        file: CORE,
        from: "producer: MOD-007",
        to: "producer: MOD-009",
        code: "BG015",
        at: "catalog/events/bank-core.yaml:12:15",
        ..CASE
    },
    Case {
        name: "a_subscription_to_an_event_nobody_produces_is_bg016",
        file: "catalog/events/bank-platform.yaml",
        from: "    consumer: MOD-098\n    events: [usage.recorded]",
        to: "    consumer: MOD-098\n    events: [usage.record]",
        code: "BG016",
        at: "catalog/events/bank-platform.yaml:37:14",
        ..CASE
    },
    Case {
        name: "a_subscription_routing_a_bus_to_itself_is_bg016",
        file: CORE,
        from: "      name: bank-aml",
        to: "      name: bank-core",
        code: "BG016",
        at: "catalog/events/bank-core.yaml:42:13",
        ..CASE
    },
    // BG020 / BG021: order
    Case {
        name: "a_two_module_cycle_is_bg020_printing_the_whole_cycle",
        file: M001,
        from: "depends_on:\n",
        to: "depends_on:\n  - module: MOD-002\n    contract: hard\n",
        code: "BG020",
        at: "catalog/modules/MOD-002.yaml:16:13",
        has: &["MOD-001 → MOD-002 → MOD-001"],
        ..CASE
    },
    // MOD-002 depends on MOD-001, MOD-001 on MOD-007: MOD-007 depending on MOD-002 closes it.
    Case {
        name: "a_three_module_cycle_is_bg020_printing_the_whole_cycle",
        file: "catalog/modules/MOD-007.yaml",
        from: "depends_on:\n",
        to: "depends_on:\n  - module: MOD-002\n    contract: hard\n",
        code: "BG020",
        at: "catalog/modules/MOD-002.yaml:16:13",
        has: &["MOD-001 → MOD-002 → MOD-007 → MOD-001"],
        ..CASE
    },
    // MOD-001 is SD01 (phase 1); MOD-013 is SD03 (phase 3).
    Case {
        name: "a_dependency_on_a_later_phase_is_bg021",
        file: M001,
        from: "depends_on:\n",
        to: "depends_on:\n  - module: MOD-013\n    contract: hard\n",
        code: "BG021",
        at: "catalog/modules/MOD-001.yaml:7:13",
        has: &["error[BG021]: MOD-001 (phase 1) depends on MOD-013 (phase 3)"],
        ..CASE
    },
    // MOD-020 is SD04 (phase 4, gated on phase 1 only); MOD-009 is SD02 (phase 2): phase 2 is
    // earlier, but nothing makes it finish before phase 4 starts.
    Case {
        name: "a_dependency_on_a_phase_outside_the_gate_is_bg021",
        file: "catalog/modules/MOD-020.yaml",
        from: "depends_on:\n",
        to: "depends_on:\n  - module: MOD-009\n    contract: hard\n",
        code: "BG021",
        at: "catalog/modules/MOD-020.yaml:7:13",
        ..CASE
    },
    // BG060: Phase 0's `modules` (seed 001's sequence). MOD-046 depends on MOD-045.
    Case {
        name: "a_phase_naming_a_module_before_its_dependency_is_bg060",
        file: DOMAINS,
        from: "MOD-045, MOD-076, MOD-046]",
        to: "MOD-046, MOD-045, MOD-076]",
        code: "BG060",
        at: "catalog/domains.yaml:11:42",
        has: &["phase 0 names `MOD-046` before `MOD-045`, which it depends on"],
        errors: Some(1),
        snapshot: false,
    },
    Case {
        name: "a_phase_naming_a_runtime_module_is_bg060",
        file: DOMAINS,
        from: "MOD-076, MOD-046]",
        to: "MOD-076, MOD-046, MOD-038]",
        code: "BG060",
        at: "catalog/domains.yaml:11:69",
        has: &["not of its domains and kinds"],
        errors: Some(1),
        snapshot: false,
    },
    Case {
        name: "a_phase_naming_no_module_is_bg060",
        file: DOMAINS,
        from: "MOD-076, MOD-046]",
        to: "MOD-076, MOD-046, MOD-999]",
        code: "BG060",
        at: "catalog/domains.yaml:11:69",
        has: &["phase 0 names `MOD-999`, which is no module"],
        errors: Some(1),
        snapshot: false,
    },
    // MOD-156 is in no phase and gates nothing: a phase's module may not count on it.
    Case {
        name: "a_dependency_on_the_unphased_mod_156_is_bg021",
        file: M001,
        from: "depends_on:\n",
        to: "depends_on:\n  - module: MOD-156\n    contract: hard\n",
        code: "BG021",
        at: "catalog/modules/MOD-001.yaml:7:13",
        has: &["MOD-001 (phase 1) depends on MOD-156 (no phase)"],
        snapshot: false,
        ..CASE
    },
    // BG030: naming conventions
    Case {
        name: "a_bucket_name_against_the_convention_is_bg030",
        file: M104,
        from: "- name: bank-reports",
        to: "- name: Bank_Docs",
        code: "BG030",
        at: "catalog/modules/MOD-104.yaml:81:13",
        ..CASE
    },
    Case {
        name: "a_role_name_against_the_convention_is_bg030",
        file: M104,
        from: "- name: BankAmlRole",
        to: "- name: coreRole",
        code: "BG030",
        at: "catalog/modules/MOD-104.yaml:186:13",
        ..CASE
    },
    Case {
        name: "an_event_name_against_the_convention_is_bg030",
        file: CORE,
        from: "  - name: statement.generated",
        to: "  - name: StatementGenerated",
        code: "BG030",
        at: "catalog/events/bank-core.yaml:31:11",
        ..CASE
    },
    Case {
        name: "an_environment_name_against_the_convention_is_bg030",
        file: PLATFORM,
        from: "  - name: uat",
        to: "  - name: UAT_env",
        code: "BG030",
        at: "catalog/platform.yaml:35:11",
        ..CASE
    },
    Case {
        name: "a_key_alias_against_the_convention_is_bg030",
        file: PLATFORM,
        from: "    key_alias: bank/operational",
        to: "    key_alias: alias/bank-ops",
        code: "BG030",
        at: "catalog/platform.yaml:69:16",
        ..CASE
    },
    // BG040 / BG041
    Case {
        name: "a_bucket_without_lifecycle_is_bg040",
        file: M104,
        from: "      lifecycle:\n        - id: expire-24h\n          expiration_days: 1\n",
        to: "      lifecycle: []\n",
        code: "BG040",
        at: "catalog/modules/MOD-104.yaml:49:13",
        ..CASE
    },
    Case {
        name: "a_key_alias_unlike_its_classifications_is_bg041",
        file: M104,
        from: "    - alias: bank/pii",
        to: "    - alias: bank/financial",
        code: "BG041",
        at: "catalog/modules/MOD-104.yaml:93:14",
        ..CASE
    },
    // BG042: phase checks
    Case {
        name: "a_phase_check_with_an_unknown_key_is_reported_at_its_line",
        file: DOMAINS,
        from: "      retries: 2\n",
        to: "      retries: 2\n      retry: 3\n",
        code: "BG002",
        at: "catalog/domains.yaml:20:7",
        has: &["unknown field `retry`"],
        snapshot: false,
        ..CASE
    },
    // every problem at once
    // MOD-104 declares every bus and is depended on by every module: before, one typo in it
    // also printed ~300 "unknown module" / "unknown bus" errors that buried the real one.
    Case {
        name: "one_broken_shared_module_is_one_problem_not_hundreds",
        file: M104,
        from: "{name: bank-core, owner: SD01, archive_retention_days: 30,",
        to: "{name: bank-core, owner: SD01, archive_retention_days: thirty,",
        code: "BG001",
        at: "catalog/modules/MOD-104.yaml:29:62",
        errors: Some(1),
        snapshot: false,
        ..CASE
    },
    // names declared twice
    // Before: passed, and rendered two aws_s3_bucket resources for one bucket name.
    Case {
        name: "a_bucket_declared_twice_is_bg010_with_a_note_at_the_first",
        file: M104,
        from: "- name: bank-reports",
        to: "- name: bank-documents",
        code: "BG010",
        at: "catalog/modules/MOD-104.yaml:81:13",
        ..CASE
    },
    Case {
        name: "a_role_declared_twice_is_bg010",
        file: M104,
        from: "- name: BankAmlRole",
        to: "- name: BankCoreRole",
        code: "BG010",
        at: "catalog/modules/MOD-104.yaml:186:13",
        ..CASE
    },
    Case {
        name: "a_bus_declared_twice_is_bg010",
        file: M104,
        from: "- {name: bank-kyc, owner: SD02",
        to: "- {name: bank-core, owner: SD02",
        code: "BG010",
        at: "catalog/modules/MOD-104.yaml:30:14",
        has: &["error[BG010]: event bus `bank-core` is declared twice"],
        snapshot: false,
        ..CASE
    },
];

fn check_case(case: &Case) {
    let err = short(
        Test::new()
            .with_catalog()
            .edit(case.file, case.from, case.to),
    );
    let located = format!("{}: error[{}]", case.at, case.code);
    assert!(err.contains(&located), "no `{located}` in:\n{err}");
    for text in case.has {
        assert!(err.contains(text), "no {text:?} in:\n{err}");
    }
    if let Some(n) = case.errors {
        assert_eq!(count_errors(&err), n, "{err}");
    }
    if case.snapshot {
        insta::assert_snapshot!(case.name, err);
    }
}

/// Every case of the table, each on its own: one failing case does not hide the others, and
/// the failure names them all.
#[test]
fn each_one_edit_bad_catalogue_is_its_diagnostic() {
    let mut names = BTreeSet::new();
    for case in CASES {
        assert!(names.insert(case.name), "two cases named {}", case.name);
    }
    let failed: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            let outcome = std::panic::catch_unwind(|| check_case(case));
            let payload = outcome.err()?;
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Some(format!("{}: {message}", case.name))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failed.len(),
        CASES.len(),
        failed.join("\n\n")
    );
}

// ------------------------------------------------------------------ BG010 / BG031: ids

#[test]
fn two_files_with_one_module_id_are_bg010_with_a_note_at_the_first() {
    let t = Test::new().with_catalog();
    let text = std::fs::read_to_string(t.path(M001)).expect("read");
    let err = short(t.file("catalog/modules/MOD-999.yaml", &text));
    insta::assert_snapshot!(err);
}

#[test]
fn a_file_named_unlike_its_module_is_bg031() {
    let t = Test::new().with_catalog();
    let text = std::fs::read_to_string(t.path(M001)).expect("read");
    let err = short(t.remove(M001).file("catalog/modules/MOD-1.yaml", &text));
    insta::assert_snapshot!(err);
}

#[test]
fn an_events_file_named_unlike_its_bus_is_bg031() {
    let t = Test::new().with_catalog();
    let text = std::fs::read_to_string(t.path(CORE)).expect("read");
    let err = short(t.remove(CORE).file("catalog/events/core.yaml", &text));
    insta::assert_snapshot!(err);
}

// ------------------------------------------------------------------ BG042: phase checks

#[test]
fn a_phase_check_without_a_command_or_timeout_is_bg042() {
    let err = short(
        Test::new()
            .with_catalog()
            .edit(DOMAINS, "run: [bankgen, verify]", "run: []")
            .edit(DOMAINS, "timeout_seconds: 120", "timeout_seconds: 0"),
    );
    assert_eq!(count_errors(&err), 2, "{err}");
    insta::assert_snapshot!(err);
}

// ------------------------------------------------------------------ BG004 / BG006: files

#[test]
fn an_unexpected_top_level_file_is_bg006() {
    let err = short(
        Test::new()
            .with_catalog()
            .file("catalog/extra.yaml", "x: 1\n"),
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_catalogue_folder_without_platform_yaml_is_bg004_not_the_embedded_copy() {
    // Before: a ./catalog without platform.yaml silently fell back to the embedded catalogue
    // and passed.
    let err = short(Test::new().with_catalog().remove(PLATFORM));
    insta::assert_snapshot!(err);
}

#[test]
fn dangling_looping_and_self_referencing_links_in_modules_are_errors_naming_the_file() {
    // Before: each was skipped without a word, and its module was silently not there.
    for (name, target, message) in [
        (
            "MOD-900.yaml",
            "nowhere/MOD-900.yaml",
            "catalog/modules/MOD-900.yaml is a dangling symbolic link: nowhere/MOD-900.yaml does not exist",
        ),
        (
            "MOD-901.yaml",
            "MOD-902.yaml",
            "catalog/modules/MOD-901.yaml is a symbolic link that loops",
        ),
        (
            "MOD-903.yaml",
            "MOD-903.yaml",
            "catalog/modules/MOD-903.yaml is a symbolic link to itself",
        ),
    ] {
        let t = Test::new().with_catalog();
        std::os::unix::fs::symlink(target, t.path(&format!("catalog/modules/{name}"))).unwrap();
        if name == "MOD-901.yaml" {
            std::os::unix::fs::symlink(name, t.path("catalog/modules/MOD-902.yaml")).unwrap();
        }
        let run = guarded(t.args(["check", "--short"]));
        not_a_crash(&run);
        // A problem found in a catalogue that could be read: exit 1, as an invalid catalogue.
        assert_eq!(run.code(), 1, "{name}: {}", run.stderr());
        let located = format!("catalog/modules/{name}:1:1: error[BG009]: {message}");
        assert!(run.stderr().contains(&located), "{name}:\n{}", run.stderr());
    }
}

// ------------------------------------------------------------------ every problem at once

#[test]
fn three_problems_in_three_files_are_three_diagnostics() {
    let t = Test::new()
        .with_catalog()
        .edit(M001, "module: MOD-007", "module: MOD-777")
        .edit(CORE, "consumer: MOD-016", "consumer: MOD-916")
        .edit(PLATFORM, "  - name: uat", "  - name: UAT_env");
    let err = short(t);
    assert_eq!(count_errors(&err), 3, "{err}");
    assert!(
        err.contains("error[BG011]")
            && err.contains("error[BG015]")
            && err.contains("error[BG030]")
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_broken_file_is_reported_with_the_problems_of_other_files() {
    let t = Test::new()
        .with_catalog()
        .edit(M001, "depends_on:", "dependson:")
        .edit(
            "catalog/modules/MOD-002.yaml",
            "system: SD01",
            "system: SD99",
        )
        .edit(CORE, "consumer: MOD-016", "consumer: MOD-916");
    let err = short(t);
    assert_eq!(count_errors(&err), 3, "{err}");
    insta::assert_snapshot!(err);
}

// ------------------------------------------------------------------ the full report

#[test]
fn the_full_report_shows_the_snippet_of_a_misspelt_field() {
    let err = report(
        Test::new()
            .with_catalog()
            .edit(M001, "depends_on:", "dependson:"),
    );
    insta::assert_snapshot!(err);
}

#[test]
fn the_full_report_labels_both_duplicate_keys() {
    let err = report(Test::new().with_catalog().edit(
        M001,
        "\nkind: runtime\n",
        "\nkind: runtime\ntitle: Again\n",
    ));
    insta::assert_snapshot!(err);
}

#[test]
fn the_full_report_of_a_cycle_names_the_file_and_help() {
    let t = insert_after(
        Test::new().with_catalog(),
        M001,
        "depends_on:",
        "  - module: MOD-002\n    contract: hard\n",
    );
    insta::assert_snapshot!(report(t));
}

// ------------------------------------------------------------------ hostile input

fn hostile(name: &str) -> Vec<u8> {
    match name {
        // 2 MiB: refused before parsing.
        "huge" => {
            let mut s =
                String::from("id: MOD-001\ntitle: big\nsystem: SD01\nkind: runtime\npurpose: ");
            s.push_str(&"x".repeat(2 * 1024 * 1024));
            s.push('\n');
            s.into_bytes()
        }
        // 200 levels of flow sequences where a mapping of fields is expected.
        "deep-flow" => format!(
            "id: MOD-001\nresources: {}{}\n",
            "[".repeat(200),
            "]".repeat(200)
        )
        .into_bytes(),
        // 200 levels of block sequences.
        "deep-block" => {
            let mut s = String::from("id: MOD-001\nresources:\n");
            for i in 0..200 {
                s.push_str(&format!("{}-\n", "  ".repeat(i + 1)));
            }
            s.push_str(&format!("{}x\n", "  ".repeat(202)));
            s.into_bytes()
        }
        // 200 levels of flow mappings, under a key that takes a mapping.
        "deep-map" => format!(
            "id: MOD-001\nruntime: {}1{}\n",
            "{a: ".repeat(200),
            "}".repeat(200)
        )
        .into_bytes(),
        // An unclosed flow sequence a million deep (just under the size limit).
        "deep-open" => format!("id: MOD-001\npurpose: {}\n", "[".repeat(1_000_000)).into_bytes(),
        // Nine levels of nine aliases: 9^9 values if expanded.
        "laughs" => laughs("").into_bytes(),
        // The same bomb where the module expects a mapping of fields.
        "laughs-in-place" => laughs("resources: *i\n").into_bytes(),
        "not-utf8" => b"id: MOD-001\ntitle: \"caf\xe9\"\nsystem: SD01\nkind: runtime\n".to_vec(),
        "utf16" => {
            let mut b = vec![0xFF, 0xFE];
            for u in "id: MOD-001\n".encode_utf16() {
                b.extend(u.to_le_bytes());
            }
            b
        }
        "nul" => b"id: MOD-001\x00\ntitle: x\n".to_vec(),
        "empty" => Vec::new(),
        "comments-only" => b"# nothing here yet\n".to_vec(),
        "list" => b"- id: MOD-001\n- title: x\n".to_vec(),
        "scalar" => b"just some words\n".to_vec(),
        "two-documents" => {
            b"id: MOD-001\ntitle: x\nsystem: SD01\nkind: runtime\n---\nid: MOD-002\n".to_vec()
        }
        "unknown-anchor" => b"id: *nowhere\n".to_vec(),
        "tags" => b"id: !!binary AAAA\ntitle: !custom x\n".to_vec(),
        "long-line" => format!("id: MOD-001\ntitle: {}\n", "\"".repeat(500_000)).into_bytes(),
        other => panic!("no hostile input {other}"),
    }
}

fn laughs(tail: &str) -> String {
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    s.push_str(tail);
    s
}

const HOSTILE: &[&str] = &[
    "huge",
    "deep-flow",
    "deep-block",
    "deep-map",
    "deep-open",
    "laughs",
    "laughs-in-place",
    "not-utf8",
    "utf16",
    "nul",
    "empty",
    "comments-only",
    "list",
    "scalar",
    "two-documents",
    "unknown-anchor",
    "tags",
    "long-line",
];

fn with_module_file(bytes: &[u8]) -> Test {
    let t = Test::new().with_catalog();
    std::fs::write(t.path(M001), bytes).expect("write");
    t
}

#[test]
fn a_2_mib_module_file_is_bg003() {
    let err = short(with_module_file(&hostile("huge")));
    insta::assert_snapshot!(err);
}

#[test]
fn deep_flow_nesting_is_an_error() {
    let err = short(with_module_file(&hostile("deep-flow")));
    insta::assert_snapshot!(err);
}

#[test]
fn deep_block_nesting_is_an_error() {
    let err = short(with_module_file(&hostile("deep-block")));
    insta::assert_snapshot!(err);
}

#[test]
fn deep_flow_mappings_are_an_error() {
    let err = short(with_module_file(&hostile("deep-map")));
    insta::assert_snapshot!(err);
}

#[test]
fn a_million_open_brackets_are_an_error() {
    let err = short(with_module_file(&hostile("deep-open")));
    assert!(err.contains("error[BG00"), "{err}");
}

#[test]
fn billion_laughs_is_an_error() {
    let err = short(with_module_file(&hostile("laughs-in-place")));
    assert!(
        err.contains("catalog/modules/MOD-001.yaml:1:1: error[BG002]"),
        "{err}"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_bg001_at_the_byte() {
    let err = short(with_module_file(&hostile("not-utf8")));
    insta::assert_snapshot!(err);
}

#[test]
fn an_empty_module_file_is_bg001() {
    let err = short(with_module_file(&hostile("empty")));
    insta::assert_snapshot!(err);
}

#[test]
fn a_module_file_of_comments_only_is_bg001() {
    let err = short(with_module_file(&hostile("comments-only")));
    insta::assert_snapshot!(err);
}

#[test]
fn a_module_file_that_is_a_list_is_bg001() {
    let err = short(with_module_file(&hostile("list")));
    insta::assert_snapshot!(err);
}

#[test]
fn a_module_file_with_two_documents_is_bg001_at_the_second() {
    let err = short(with_module_file(&hostile("two-documents")));
    insta::assert_snapshot!(err);
}

#[test]
fn an_empty_events_file_is_bg001() {
    let t = Test::new().with_catalog();
    std::fs::write(t.path(CORE), b"").expect("write");
    insta::assert_snapshot!(short(t));
}

#[test]
fn a_platform_file_that_is_a_list_is_bg001() {
    let t = Test::new().with_catalog();
    std::fs::write(t.path(PLATFORM), b"- tenant: totara-bank\n").expect("write");
    insta::assert_snapshot!(short(t));
}

/// Every hostile input, in every kind of catalogue file: an error (exit 1), never a panic
/// (exit 101) or a hang.
#[test]
fn hostile_input_anywhere_never_panics() {
    let places = [
        M001,
        CORE,
        PLATFORM,
        "catalog/domains.yaml",
        "catalog/modules/MOD-900.yaml",
        "catalog/events/bank-new.yaml",
    ];
    for name in HOSTILE {
        for place in places {
            let t = Test::new().with_catalog();
            std::fs::write(t.path(place), hostile(name)).expect("write");
            let run = guarded(t.args(["check", "--short"]));
            assert!(
                run.code() == 1 || run.code() == 2,
                "{name} in {place}: exit {}\n{}",
                run.code(),
                run.stderr()
            );
            not_a_crash(&run);
            assert!(
                run.stderr().contains(": error[BG"),
                "{name} in {place}: no located error\n{}",
                run.stderr()
            );
            assert!(
                !run.stderr().contains(":0:0:"),
                "{name} in {place}: no location\n{}",
                run.stderr()
            );
        }
    }
}

// ------------------------------------------------------------------ BG050 / BG051: SSM contracts in order

const GP_SECURITY: &str = "catalog/modules/MOD-201.yaml";
const GP_ARTEFACTS: &str = "    - name: gbp-artefacts\n      purpose: Function code and deployment assets\n      classification: internal\n      encryption: kms\n      lifecycle:\n        - id: expire\n          expiration_days: 90\n";

#[test]
fn a_parameter_that_no_module_writes_is_bg050() {
    let err = short(Test::new().with_example("global-platform").edit(
        GP_SECURITY,
        &format!("  buckets:\n{GP_ARTEFACTS}"),
        "",
    ));
    assert!(
        err.contains("catalog/modules/MOD-201.yaml:1:1: error[BG050]: MOD-201 reads the SSM parameter `/gbp/{env}/s3/gbp-artefacts/name`, which no module writes"),
        "{err}"
    );
}

/// The function of the security stack deployed from a bucket of the storage stack, which is
/// deployed after it: its first plan would fail on a missing parameter.
#[test]
fn a_parameter_written_by_a_module_deployed_later_is_bg051() {
    let err = short(
        Test::new()
            .with_example("global-platform")
            .edit(GP_SECURITY, &format!("  buckets:\n{GP_ARTEFACTS}"), "")
            .edit(
                "catalog/modules/MOD-202.yaml",
                "  buckets:\n",
                &format!("  buckets:\n{GP_ARTEFACTS}"),
            ),
    );
    assert!(
        err.contains("error[BG051]: MOD-201 reads the SSM parameter `/gbp/{env}/s3/gbp-artefacts/name`, which MOD-202 writes, but MOD-202 is not deployed before MOD-201"),
        "{err}"
    );
    assert!(
        err.contains("add `- module: MOD-202` to MOD-201's depends_on"),
        "{err}"
    );
}

// ------------------------------------------------------------------ BG040: the storage stack's bucket protections

#[test]
fn a_replicated_bucket_without_a_dr_region_is_bg040() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/platform.yaml",
        "dr_region: ap-southeast-4\n",
        "",
    ));
    assert!(
        err.contains("catalog/modules/MOD-202.yaml:28:") && err.contains("error[BG040]: bucket `gbp-transactions` is replicated, but platform.yaml has no dr_region"),
        "{err}"
    );
    // The three keys and the bus with a DR copy say so too, on their `dr: true`.
    assert!(
        err.contains("catalog/modules/MOD-201.yaml:17:")
            && err.contains("error[BG040]: KMS key `gbp/confidential` asks for a DR copy, but platform.yaml has no dr_region"),
        "{err}"
    );
    assert!(
        err.contains("error[BG040]: event bus `gbp-services` asks for a DR copy, but platform.yaml has no dr_region"),
        "{err}"
    );
    // So does the network in the DR region, on its `region: dr`.
    assert!(
        err.contains("catalog/modules/MOD-205.yaml:")
            && err.contains("error[BG040]: network `gbp-dr` asks for a DR copy, but platform.yaml has no dr_region"),
        "{err}"
    );
    // The Aurora global database and the DynamoDB replica.
    assert!(
        err.contains("error[BG040]: Aurora cluster `gbp-ledger` asks for a DR copy, but platform.yaml has no dr_region"),
        "{err}"
    );
    assert!(
        err.contains("error[BG040]: DynamoDB table `gbp-sessions` asks for a DR copy, but platform.yaml has no dr_region"),
        "{err}"
    );
    assert_eq!(count_errors(&err), 8, "{err}");
}

#[test]
fn a_bucket_of_a_dr_protected_tier_without_replication_is_bg040() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-202.yaml",
        "      replication: {storage_class: STANDARD_IA}\n",
        "",
    ));
    assert!(
        err.contains("error[BG040]: bucket `gbp-transactions` is in the DR-protected tier `critical`, but it has no `replication:`"),
        "{err}"
    );
    assert_eq!(count_errors(&err), 1, "{err}");
}

#[test]
fn a_recovery_tier_that_dr_yaml_does_not_know_is_bg001() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-202.yaml",
        "recovery_tier: standard",
        "recovery_tier: gold",
    ));
    assert!(
        err.contains("error[BG001]: unknown recovery tier `gold`")
            && err.contains("critical, standard"),
        "{err}"
    );
}

#[test]
fn access_logs_to_a_bucket_that_does_not_receive_them_is_bg040() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-203.yaml",
        "      receives_access_logs: true\n",
        "",
    ));
    assert!(
        err.contains("error[BG040]: bucket `gbp-audit` does not receive access logs"),
        "{err}"
    );
    assert!(
        err.contains("set `receives_access_logs: true` on gbp-audit"),
        "{err}"
    );
}

#[test]
fn a_log_bucket_that_denies_uploads_without_sse_kms_is_bg040() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-203.yaml",
        "      receives_access_logs: true\n",
        "      receives_access_logs: true\n      deny_unencrypted_uploads: true\n",
    ));
    assert!(
        err.contains("error[BG040]: bucket `gbp-audit` receives server access logs, which S3 delivers without an encryption header"),
        "{err}"
    );
}

// ------------------------------------------------------------------ BG005: protected environments

#[test]
fn a_protected_emulator_environment_is_bg005_at_its_protected_line() {
    let err = short(Test::new().with_catalog().edit(
        "catalog/platform.yaml",
        "    provider_profile: legacy\n",
        "    provider_profile: legacy\n    protected: true\n",
    ));
    assert!(
        err.contains("catalog/platform.yaml:28:16: error[BG005]: environment `local` is protected and runs on an emulator"),
        "{err}"
    );
}

#[test]
fn an_emulator_environment_named_prod_must_say_it_is_not_protected() {
    let t = Test::new().with_catalog().edit(
        "catalog/platform.yaml",
        "  - name: local\n",
        "  - name: prod\n",
    );
    let t = t.edit(
        "catalog/platform.yaml",
        "  - name: prod\n    account_id: \"647751526086\"",
        "  - name: live\n    account_id: \"647751526086\"",
    );
    let t = t.edit("catalog/platform.yaml", "    protected: true\n", "");
    let err = short(t);
    assert!(
        err.contains("error[BG005]: environment `prod` is protected (the default for `prod`) and runs on an emulator"),
        "{err}"
    );
}

#[test]
fn a_fifo_probe_of_a_queue_a_function_consumes_is_bg013() {
    // The global platform probes its canary queue; MOD-230's event source consumes the payment
    // instructions, so a probe there would have its messages taken (and executed).
    let tmp = tempfile::tempdir().unwrap();
    let cat = tmp.path().join("gbp");
    crate::support::copy_dir(
        &crate::support::repo().join("examples/global-platform"),
        &cat,
    );
    let domains = cat.join("domains.yaml");
    let text = std::fs::read_to_string(&domains).unwrap();
    assert!(text.contains("fifo_in_order: gbp-canary"));
    std::fs::write(
        &domains,
        text.replace(
            "fifo_in_order: gbp-canary",
            "fifo_in_order: gbp-payment-instructions",
        ),
    )
    .unwrap();
    let run = Test::in_repo().cmd(["--catalog", cat.to_str().unwrap(), "check", "--short"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains(
            "probes queue `gbp-payment-instructions`, which MOD-230's event source consumes"
        ),
        "{}",
        run.stderr()
    );
}

// ------------------------------------------------------------------ BG013: a route to a bus's DR copy

#[test]
fn a_route_to_the_dr_copy_of_a_bus_without_one_is_bg013() {
    let err = short(Test::new().with_example("global-platform").edit(
        GP_SECURITY,
        r#"purpose: "Transaction and fraud events", dr: true}"#,
        r#"purpose: "Transaction and fraud events"}"#,
    ));
    assert!(
        err.contains("catalog/events/gbp-services.yaml:32:13: error[BG013]: subscription `services-to-dr` routes to gbp-services's copy in the DR region, but that bus has none"),
        "{err}"
    );
    assert_eq!(count_errors(&err), 1, "{err}");
}

#[test]
fn a_region_on_a_queue_target_is_bg001() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/events/gbp-services.yaml",
        "      name: gbp-posted-transactions\n",
        "      name: gbp-posted-transactions\n      region: dr\n",
    ));
    assert!(
        err.contains(
            "error[BG001]: subscription `statement-requests`: only a bus target has a `region`"
        ),
        "{err}"
    );
    assert_eq!(count_errors(&err), 1, "{err}");
}

// ------------------------------------------------------------------ networks: the DR VPC and its peering

#[test]
fn a_peer_network_with_an_overlapping_cidr_is_bg001() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-205.yaml",
        "      cidr: 10.21.0.0/16\n",
        "      cidr: 10.20.128.0/17\n",
    ));
    assert!(
        err.contains("error[BG001]: network `gbp-dr`: cidr 10.20.128.0/17 overlaps 10.20.0.0/16 of its peer `gbp-core`"),
        "{err}"
    );
    assert_eq!(count_errors(&err), 1, "{err}");
}

#[test]
fn a_peer_network_in_the_same_region_or_unknown_is_bg001() {
    let same = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-205.yaml",
        "      region: dr\n",
        "      region: primary\n",
    ));
    assert!(
        same.contains("error[BG001]: network `gbp-dr` peers with `gbp-core` in the same region"),
        "{same}"
    );
    let unknown = short(Test::new().with_example("global-platform").edit(
        "catalog/modules/MOD-205.yaml",
        "      peer: gbp-core\n",
        "      peer: gbp-edge\n",
    ));
    assert!(
        unknown.contains("error[BG001]: network `gbp-dr` peers with `gbp-edge`, which is not a network of this module"),
        "{unknown}"
    );
}

// ------------------------------------------------------------------ emulator.unserved_kinds: KIND.OPTION

#[test]
fn an_unserved_option_the_kind_does_not_declare_is_bg001_with_the_ones_it_does() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/platform.yaml",
        ", dynamodb_tables.replication]",
        ", dynamodb_tables.stream]",
    ));
    assert!(
        err.contains("error[BG001]: `stream` is not an option of dynamodb_tables that an emulator may leave out")
            && err.contains("`dynamodb_tables.replication` (the replica in the DR region"),
        "{err}"
    );
    assert_eq!(count_errors(&err), 1, "{err}");
}

#[test]
fn an_unserved_option_of_a_kind_without_any_is_bg001() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/platform.yaml",
        ", dynamodb_tables.replication]",
        ", buckets.replication]",
    ));
    assert!(
        err.contains(
            "error[BG001]: `replication` is not an option of buckets that an emulator may leave out"
        ) && err.contains(
            "buckets has no option an emulator may leave out: name the whole kind (`buckets`)"
        ),
        "{err}"
    );
}

#[test]
fn an_unserved_option_of_an_unknown_kind_is_bg001_with_the_closest_kind() {
    let err = short(Test::new().with_example("global-platform").edit(
        "catalog/platform.yaml",
        ", dynamodb_tables.replication]",
        ", dynamodb_table.replication]",
    ));
    assert!(
        err.contains(
            "error[BG001]: unknown resource kind `dynamodb_table` (did you mean `dynamodb_tables`?)"
        ),
        "{err}"
    );
}
