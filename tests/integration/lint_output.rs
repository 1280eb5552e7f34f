//! The command line: JSON and SARIF output (with the fields GitHub code scanning requires),
//! exit codes, `--policies`, `rules`, `explain`.

use crate::support::{Test, copy_dir, rendered, repo};
use serde_json::Value;
use std::collections::BTreeSet;

/// Run in the repository's root: (exit code, stdout, stderr).
fn bankgen(args: &[&str]) -> (i32, String, String) {
    let run = Test::in_repo().cmd(args.iter().copied());
    (run.code(), run.stdout(), run.stderr())
}

const BAD: &str = "tests/fixtures/lint/BGL103/bad";
const GOOD: &str = "tests/fixtures/lint/BGL103/good";

#[test]
fn json_has_every_field_of_every_finding_and_a_summary() {
    let (code, out, err) = bankgen(&["lint", BAD, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).expect("one JSON object");
    let f = &v["findings"].as_array().unwrap()[0];
    for k in [
        "code", "severity", "file", "line", "column", "resource", "message", "help",
    ] {
        assert!(!f[k].is_null(), "finding lacks {k}: {f:#}");
    }
    assert_eq!(f["code"], "BGL103");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "tests/fixtures/lint/BGL103/bad/main.tf");
    assert_eq!(f["resource"], "aws_s3_bucket_versioning.docs");
    assert!(f["line"].as_u64().unwrap() > 1);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["files"], 2);
    let (code, out, _) = bankgen(&["lint", GOOD, "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

fn level_ok(l: &Value) -> bool {
    matches!(l.as_str(), Some("none" | "note" | "warning" | "error"))
}

/// The SARIF 2.1.0 properties GitHub code scanning requires or reads.
fn check_sarif(v: &Value) {
    assert!(v["$schema"].as_str().unwrap().starts_with("https://"));
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "bankgen");
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "rule ids are unique");
    for r in rules {
        for k in ["shortDescription", "fullDescription", "help"] {
            assert!(
                !r[k]["text"].as_str().unwrap_or("").is_empty(),
                "rule {} lacks {k}.text",
                r["id"]
            );
        }
        assert!(level_ok(&r["defaultConfiguration"]["level"]), "{}", r["id"]);
    }
    for res in runs[0]["results"].as_array().unwrap() {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[idx], id, "ruleIndex points at the rule");
        assert!(level_ok(&res["level"]));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        assert!(
            res["partialFingerprints"]
                .as_object()
                .is_some_and(|o| !o.is_empty())
        );
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://") && !uri.contains('\\'),
            "relative uri: {uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn sarif_is_what_github_code_scanning_accepts() {
    let (code, out, err) = bankgen(&[
        "lint",
        BAD,
        "tests/fixtures/lint/BGL601/bad",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    check_sarif(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/lint/BGL103/bad/main.tf"
    );
    // A clean run is valid SARIF too, with every rule described.
    let (code, out, _) = bankgen(&["lint", GOOD, "--format", "sarif"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    check_sarif(&v);
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        bankgen::lint::rules::RULES.len()
    );
}

#[test]
fn rendered_findings_carry_the_catalogue_place_in_sarif() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dev/MOD-104");
    copy_dir(&rendered().join("out/dev/MOD-104"), &dir);
    let kms = dir.join("kms.tf");
    let text = std::fs::read_to_string(&kms).unwrap();
    std::fs::write(
        &kms,
        text.replacen(
            "enable_key_rotation     = true",
            "enable_key_rotation     = false",
            1,
        ),
    )
    .unwrap();
    let (code, out, err) = bankgen(&["lint", dir.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let rel = &v["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        rel["artifactLocation"]["uri"],
        "catalog/modules/MOD-104.yaml"
    );
    assert!(rel["region"]["startLine"].as_u64().unwrap() > 1);
    let (_, human, _) = bankgen(&["lint", dir.to_str().unwrap()]);
    assert!(human.contains("catalog/modules/MOD-104.yaml:"), "{human}");
    assert!(
        human.contains("enable_key_rotation"),
        "the report shows the snippet: {human}"
    );
}

#[test]
fn exit_codes() {
    assert_eq!(bankgen(&["lint", GOOD]).0, 0);
    assert_eq!(bankgen(&["lint", BAD]).0, 1);
    let (code, _, err) = bankgen(&["lint", "no/such/dir"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(bankgen(&["lint", GOOD, "--format", "xml"]).0, 2);
    assert_eq!(bankgen(&["lint", GOOD, "--policies", "no/such/dir"]).0, 2);
    // A parse error is a finding (1); the file names its line.
    let (code, out, _) = bankgen(&["lint", "tests/fixtures/lint/BGL001/bad", "--short"]);
    assert_eq!(code, 1);
    assert!(out.contains("main.tf:2:"), "{out}");
}

#[test]
fn a_file_over_the_size_limit_or_not_in_utf8_is_a_finding_and_the_rest_is_linted() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.tf");
    let limit = bankgen::lint::MAX_FILE_BYTES as usize;
    std::fs::write(&big, "#".repeat(limit + 1)).unwrap();
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(
        other.join("main.tf"),
        "resource \"aws_sqs_queue\" \"q\" {\n  name = \"x\"\n}\n",
    )
    .unwrap();
    let (code, out, err) = bankgen(&["lint", tmp.path().to_str().unwrap(), "--short"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("big.tf:1:1: error[BGL001]")
            && out.contains(&format!("larger than {limit} bytes")),
        "{out}"
    );
    // The other file is still linted.
    assert!(out.contains("main.tf:1:1: error[BGL502]"), "{out}");
    std::fs::remove_dir_all(&other).unwrap();
    std::fs::write(&big, b"a = \"\xff\"\n").unwrap();
    let (code, out, _) = bankgen(&["lint", big.to_str().unwrap(), "--short"]);
    assert_eq!(code, 1);
    assert!(out.contains("big.tf") && out.contains("UTF-8"), "{out}");
}

#[test]
fn policies_override_replaces_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("regions.yaml"), "allowed: [us-east-1]\n").unwrap();
    let bad = "tests/fixtures/lint/BGL010/bad";
    assert_eq!(bankgen(&["lint", bad]).0, 1);
    let (code, out, err) = bankgen(&["lint", bad, "--policies", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::write(tmp.path().join("nonsense.yaml"), "x: 1\n").unwrap();
    assert_eq!(
        bankgen(&["lint", bad, "--policies", tmp.path().to_str().unwrap()]).0,
        2
    );
}

#[test]
fn the_catalogue_is_linted_when_named() {
    let (code, out, err) = bankgen(&["lint", "catalog", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, _) = bankgen(&["lint", "catalog/modules/MOD-104.yaml"]);
    assert_eq!(code, 0);
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = bankgen(&["rules"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), bankgen::lint::rules::RULES.len() + 1);
    assert!(out.contains("BGL301  error    GOV-005"), "{out}");
    let (code, out, _) = bankgen(&["explain", "BGL601"]);
    assert_eq!(code, 0);
    assert!(out.contains("GOV-006") && out.contains("## Fix"), "{out}");
    assert_eq!(bankgen(&["explain", "s3-versioning"]).0, 0);
    assert_eq!(bankgen(&["explain", "BGL999"]).0, 2);
    let (_, md, _) = bankgen(&["rules", "--markdown"]);
    assert_eq!(md, bankgen::lint::output::rules_markdown());
}

#[test]
fn pre_commit_hooks_follow_the_conventions() {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Hook {
        id: String,
        name: String,
        description: String,
        entry: String,
        language: String,
        files: String,
        exclude: String,
        pass_filenames: bool,
        require_serial: bool,
    }
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Hook> = serde_saphyr::from_str(&text).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["bankgen-lint", "bankgen-render-check"]);
    for h in &hooks {
        assert!(!h.name.is_empty() && !h.description.is_empty());
        assert!(h.entry.starts_with("bankgen "));
        assert!(["rust", "system"].contains(&h.language.as_str()));
        assert!(!h.pass_filenames && h.require_serial);
        let files = regex::Regex::new(&h.files).unwrap();
        let exclude = regex::Regex::new(&h.exclude).unwrap();
        for p in [
            "out/dev/MOD-104/s3.tf",
            "catalog/modules/MOD-104.yaml",
            "catalog/platform.yml",
        ] {
            assert!(files.is_match(p), "{}: {p}", h.id);
        }
        assert!(!files.is_match("README.md") && !files.is_match("policies/tags.yaml"));
        assert!(exclude.is_match("out/dev/MOD-104/.terraform/modules/x.tf"));
    }
    // The lint entry runs as written.
    let (code, _, err) = bankgen(&[
        &hooks[0].entry["bankgen ".len()..],
        "tests/fixtures/lint/BGL103/good",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn without_paths_it_lints_the_catalogue_and_the_rendered_tree() {
    let t = Test::new().with_catalog();
    let module = t.path("out/dev/MOD-045");
    copy_dir(&rendered().join("out/dev/MOD-045"), &module);
    let run = |t: &Test| {
        let run = t.cmd(["lint", "--format", "json"]);
        let v: Value = serde_json::from_slice(&run.output.stdout).unwrap();
        (run.output.status.code(), v)
    };
    let (code, v) = run(&t);
    assert_eq!(code, Some(0), "{v:#}");
    assert!(v["summary"]["files"].as_u64().unwrap() > 5, "{v:#}");
    // A catalogue finding and a Terraform finding, both reported.
    let yaml = t.path("catalog/modules/MOD-045.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        text.replace("rotation_days: 90", "rotation_days: 365"),
    )
    .unwrap();
    let logs = module.join("logs.tf");
    let text = std::fs::read_to_string(&logs).unwrap();
    std::fs::write(
        &logs,
        text.replace("retention_in_days = 3653", "retention_in_days = 30"),
    )
    .unwrap();
    let (code, v) = run(&t);
    assert_eq!(code, Some(1));
    let got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        got.contains(&("BGL903".into(), "catalog/modules/MOD-045.yaml".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("BGL505".into(), "out/dev/MOD-045/logs.tf".into())),
        "{got:?}"
    );
}

/// Rule selection as ruff has it: `--select`/`--ignore`/`--extend-select` (codes or prefixes),
/// a `[lint]` table in the nearest bankgen.toml, per-file ignores, and the `third-party` preset.
#[test]
fn rules_are_selected_on_the_command_line_and_in_bankgen_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for code in ["BGL010", "BGL301", "BGL103"] {
        let to = dir.join("mods").join(code);
        std::fs::create_dir_all(&to).unwrap();
        let bad = repo().join(format!("tests/fixtures/lint/{code}/bad/main.tf"));
        std::fs::copy(bad, to.join("main.tf")).unwrap();
    }
    let mods = dir.join("mods");
    let mods = mods.to_str().unwrap();
    let codes = |args: &[&str]| -> BTreeSet<String> {
        let mut all = vec!["lint", "--format", "json", "--no-catalogue"];
        all.extend_from_slice(args);
        let (code, out, err) = bankgen(&all);
        assert!(code == 0 || code == 1, "{all:?}: exit {code}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let set = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let all = codes(&[mods]);
    assert!(
        all.is_superset(&set(&["BGL010", "BGL301", "BGL103"])),
        "{all:?}"
    );
    let ignored = codes(&["--ignore", "BGL301,BGL010", mods]);
    assert!(
        ignored.is_disjoint(&set(&["BGL010", "BGL301"])) && ignored.contains("BGL103"),
        "{ignored:?}"
    );
    assert_eq!(codes(&["--select", "BGL1", mods]), set(&["BGL103"]));
    assert_eq!(
        codes(&["--select", "BGL1", "--extend-select", "BGL301", mods]),
        set(&["BGL103", "BGL301"])
    );
    let third = codes(&["--preset", "third-party", mods]);
    assert!(
        third.is_disjoint(&set(&["BGL010", "BGL301"])) && third.contains("BGL103"),
        "{third:?}"
    );

    // The same through bankgen.toml, found upward from the linted path.
    std::fs::write(
        dir.join("bankgen.toml"),
        "[lint]\nignore = [\"BGL301\", \"BGL010\"]\n",
    )
    .unwrap();
    assert_eq!(codes(&[mods]), ignored);
    std::fs::write(
        dir.join("bankgen.toml"),
        "[lint]\nselect = [\"ALL\"]\n\n[lint.per-file-ignores]\n\"mods/*\" = [\"BGL3\"]\n\"elsewhere/*\" = [\"BGL0\"]\n",
    )
    .unwrap();
    let per_file = codes(&[mods]);
    assert!(
        !per_file.contains("BGL301") && per_file.contains("BGL010"),
        "{per_file:?}"
    );
    std::fs::write(
        dir.join("bankgen.toml"),
        "[lint]\npreset = \"third-party\"\n",
    )
    .unwrap();
    assert_eq!(codes(&[mods]), third);

    // Mistakes are usage errors that say where and what.
    std::fs::write(dir.join("bankgen.toml"), "[lint]\nignore = [\"BGL3011\"]\n").unwrap();
    let (code, _, err) = bankgen(&["lint", mods]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bankgen.toml") && err.contains("did you mean BGL301?"),
        "{err}"
    );
    std::fs::write(dir.join("bankgen.toml"), "[lint]\nselct = [\"BGL1\"]\n").unwrap();
    let (code, _, err) = bankgen(&["lint", mods]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bankgen.toml:2") && err.contains("selct"),
        "{err}"
    );
}

/// Terraform reads a file that starts with a UTF-8 byte order mark; lint does too, and a
/// log group with no name and one day of retention reads well.
#[test]
fn a_byte_order_mark_is_read_and_short_retention_reads_well() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("main.tf");
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(
        b"resource \"aws_cloudwatch_log_group\" \"g\" {\n  retention_in_days = 1\n}\n",
    );
    std::fs::write(&f, text).unwrap();
    let (code, out, err) = bankgen(&[
        "lint",
        "--short",
        "--select",
        "BGL001,BGL505",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains("BGL001"), "{out}");
    assert!(
        out.contains("main.tf:2:")
            && out.contains(
                "log group aws_cloudwatch_log_group.g keeps events 1 day, not the 365 days it needs"
            ),
        "{out}"
    );
}
