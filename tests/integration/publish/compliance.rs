//! `bankgen report compliance`: each cited policy, the rules that enforce it, what they cover,
//! the findings.

use crate::support::Test;
use serde_json::Value;

fn json(t: &Test, code: i32) -> Value {
    let run = t.cmd(["report", "compliance", "--format", "json"]);
    run.status(code);
    serde_json::from_str(&run.stdout()).expect("JSON report")
}

fn policy<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn every_cited_policy_with_its_rules_coverage_and_no_findings() {
    let t = Test::new().with_catalog();
    let doc = json(&t, 0);
    assert_eq!(doc["environment"], "dev");
    for (id, status) in [
        ("GOV-005", "enforced"),
        ("GOV-006", "enforced"),
        ("DT-001", "enforced"),
        ("DT-002", "enforced"),
        ("AML-007", "not-enforced"),
        ("ADR-042", "not-cited"),
    ] {
        assert_eq!(policy(&doc, id)["status"], status, "{id}");
    }
    let gov006 = policy(&doc, "GOV-006");
    assert_eq!(gov006["cited_by"][0]["module"], "MOD-104");
    let rule = &gov006["rules"][0];
    assert_eq!(rule["code"], "BGL601");
    assert_eq!(rule["covers"][0]["what"], "aws_cloudtrail");
    assert_eq!(rule["covers"][0]["count"], 1);
    assert_eq!(rule["covers"][0]["modules"], serde_json::json!(["MOD-104"]));
    assert_eq!(rule["findings"], serde_json::json!([]));
    // GOV-005 (tags) covers every rendered resource of every module
    let tags = &policy(&doc, "GOV-005")["rules"][0]["covers"][0];
    assert_eq!(tags["what"], "*");
    // (every module but the ones that render no resource)
    assert!(
        tags["modules"].as_array().expect("modules").len() > 130,
        "{tags}"
    );
    let dt002: Vec<&str> = policy(&doc, "DT-002")["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    for code in ["BGL101", "BGL104", "BGL203", "BGL903"] {
        assert!(dt002.contains(&code), "{dt002:?}");
    }
    let md = t.cmd(["report", "compliance"]);
    md.success()
        .stdout_has("# Compliance report")
        .stdout_has("| [AML-007](#aml-007) | Sanctions-list key management | cited, but no lint rule enforces it | MOD-045 | — | 0 |")
        .stdout_has("`aws_s3_bucket` × 5 in MOD-104")
        .stdout_has("No lint rule enforces this policy");
}

#[test]
fn a_broken_policy_shows_its_findings_in_the_rendered_tree_and_the_catalogue() {
    let t = Test::new().with_catalog().edit(
        "catalog/modules/MOD-104.yaml",
        "      multi_region: true",
        "      multi_region: false",
    );
    let doc = json(&t, 1);
    let gov006 = policy(&doc, "GOV-006");
    assert_eq!(gov006["status"], "findings");
    let files: Vec<&str> = gov006["rules"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["file"].as_str().expect("file"))
        .collect();
    assert!(
        files.contains(&"(rendered) dev/MOD-104/cloudtrail.tf"),
        "{files:?}"
    );
    assert!(files.contains(&"catalog/modules/MOD-104.yaml"), "{files:?}");
    assert_eq!(policy(&doc, "DT-002")["status"], "enforced");
    // the Markdown lists them; --out writes the file
    t.cmd(["report", "compliance", "--out", "compliance.md"])
        .status(1);
    let md = std::fs::read_to_string(t.path("compliance.md")).expect("report");
    assert!(
        md.contains("| BGL601 | error | (rendered) dev/MOD-104/cloudtrail.tf:"),
        "{md}"
    );
}

#[test]
fn unknown_environment_is_a_usage_error() {
    Test::new()
        .with_catalog()
        .args(["report", "compliance", "--env", "staging"])
        .run()
        .status(2)
        .stderr_has("unknown environment");
}
