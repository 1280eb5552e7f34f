//! BGL804 (access-wire) and `bankgen access`: the wires the catalogue implies, evaluated
//! against the rendered policies as AWS would. The shipped trees refuse no wire; each defect
//! issue 19 named (and those the check found), re-introduced as a mutation of the rendered dev
//! tree, is found (support.rs, `KNOWN_ACCESS_DEFECTS`).

use crate::support::{
    Test, catalog, copy_dir, known_access_defect, lines, lint_paths, rendered, repo,
};
use bankgen::lint::Finding;
use std::collections::BTreeMap;
use std::path::Path;

/// The check's findings on an environment folder, before any suppression.
fn access_findings(dir: &Path) -> Vec<Finding> {
    access_findings_with(catalog(), dir)
}

fn access_findings_with(cat: &bankgen::model::Catalog, dir: &Path) -> Vec<Finding> {
    let outcomes = bankgen::lint::access::check_dir(cat, "dev", dir, None).expect("readable");
    bankgen::lint::access::findings("dev", &outcomes)
}

/// The known defects found, with their counts; fails on a BGL804 finding that is none of them.
fn by_defect(findings: &[Finding], base: &Path) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        let name = known_access_defect(f).unwrap_or_else(|| {
            panic!(
                "an unexpected refused wire:\n{}",
                lines(std::slice::from_ref(f), base)
            )
        });
        *out.entry(name).or_default() += 1;
    }
    out
}

#[test]
fn the_shipped_dev_trees_refuse_no_wire() {
    let dir = rendered().join("out").join("dev");
    let found = access_findings(&dir);
    assert!(found.is_empty(), "{}", lines(&found, &dir));
    let src = bankgen::catalog::CatalogSource::Dir(repo().join("examples/global-platform"));
    let cat = bankgen::load_catalog(&src).expect("loads").0;
    let dir = repo().join("tests/golden/global-platform/dev");
    let found = access_findings_with(&cat, &dir);
    assert!(found.is_empty(), "{}", lines(&found, &dir));
}

#[test]
fn each_fixed_defect_reintroduced_is_found() {
    // (name, module, file, the fix as rendered, the defect)
    let cases = [
        (
            "alarm",
            "MOD-104",
            "kms.tf",
            "            \"cloudwatch.amazonaws.com\",\n",
            "",
        ),
        (
            "anomaly",
            "MOD-045",
            "lambda.tf",
            "Action   = [\"kms:GenerateDataKey*\", \"kms:Decrypt\"]\n        Resource = data.aws_ssm_parameter.kms_operational_arn.value",
            "Action   = [\"kms:DescribeKey\"]\n        Resource = data.aws_ssm_parameter.kms_operational_arn.value",
        ),
        (
            "namespace",
            "MOD-045",
            "lambda.tf",
            "resource \"aws_iam_role_policy_attachment\" \"bank_secrets_rotation_bank_secrets_namespace\" {",
            "locals {",
        ),
        (
            "neon",
            "MOD-104",
            "iam.tf",
            "secret:bank-core/neon-??????",
            "secret:bank-core/neon/*",
        ),
        (
            "firehose-dlq",
            "MOD-104",
            "iam.tf",
            "Action = \"sqs:SendMessage\"\n        Resource = [\n          aws_sqs_queue.bank_cdc_stream_dlq.arn,",
            "Action = \"sqs:ReceiveMessage\"\n        Resource = [\n          aws_sqs_queue.bank_cdc_stream_dlq.arn,",
        ),
        (
            "unattached",
            "MOD-076",
            "iam.tf",
            "resource \"aws_iam_role_policy_attachment\" \"bank_observability_write_",
            "resource \"removed_attachment\" \"bank_observability_write_",
        ),
        (
            "log-routing",
            "MOD-076",
            "observability.tf",
            "Action   = [\"kinesis:PutRecord\", \"kinesis:PutRecords\"]",
            "Action   = [\"kinesis:DescribeStream\"]",
        ),
        (
            "trace",
            "MOD-045",
            "lambda.tf",
            "Action   = [\"xray:PutTraceSegments\", \"xray:PutTelemetryRecords\"]",
            "Action   = [\"xray:GetSamplingRules\"]",
        ),
    ];
    let alarms = alarms_in(&rendered().join("out").join("dev"));
    let routed = count_in(
        &rendered().join("out").join("dev"),
        "resource \"aws_cloudwatch_log_subscription_filter\"",
    );
    assert!(
        routed > 100,
        "the functions' log groups are routed ({routed})"
    );
    assert!(alarms > 2, "MOD-076's alarms are in the tree");
    for (name, module, file, fix, defect) in cases {
        let t = mutated(name, module, file, fix, defect);
        let dir = dev_of(&t, name);
        let found = access_findings(&dir);
        let errors: Vec<&Finding> = found
            .iter()
            .filter(|f| {
                f.severity == bankgen::diag::Severity::Error && known_access_defect(f) == Some(name)
            })
            .collect();
        // Every alarm of the tree routes to the alerts topic, whose key lost the grant (MOD-104's
        // two Firehose alarms and MOD-076's, generated from the whole catalogue); both queues'
        // statement (the other queue's key grant stays).
        let want = match name {
            "alarm" => alarms,
            "log-routing" => routed,
            "firehose-dlq" => 2,
            _ => 1,
        };
        assert_eq!(errors.len(), want, "{name}: {}", lines(&found, t.path()));
        // Nothing else is found.
        assert_eq!(
            by_defect(&found, &dir),
            BTreeMap::from([(name, want)]),
            "{name}"
        );
    }
    // A finding names the wire, the policy that lacks the grant (file and line) and sits on the
    // catalogue line of the wire.
    let t = mutated(
        "alarm",
        "MOD-104",
        "kms.tf",
        "            \"cloudwatch.amazonaws.com\",\n",
        "",
    );
    let found = access_findings(&dev_of(&t, "alarm"));
    let alarm = found
        .iter()
        .find(|f| known_access_defect(f) == Some("alarm") && f.file.ends_with("MOD-104.yaml"))
        .unwrap();
    assert_eq!(alarm.file, "catalog/modules/MOD-104.yaml");
    assert!(
        alarm
            .message
            .contains("→ kms:GenerateDataKey*, kms:Decrypt → key of topic")
            && alarm
                .message
                .contains("no grant in key policy MOD-104 aws_kms_key.bank_operational (")
            && alarm.message.contains("MOD-104/kms.tf:"),
        "{}",
        alarm.message
    );
}

/// How many CloudWatch alarms an environment folder declares (each one's wire to its topic).
fn alarms_in(dir: &Path) -> usize {
    count_in(dir, "resource \"aws_cloudwatch_metric_alarm\"")
}

/// How often `text` occurs in the `.tf` files of an environment folder.
fn count_in(dir: &Path, text: &str) -> usize {
    let mut n = 0;
    for m in std::fs::read_dir(dir).unwrap() {
        let m = m.unwrap().path();
        if !m.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&m).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|x| x == "tf") {
                n += std::fs::read_to_string(&f).unwrap().matches(text).count();
            }
        }
    }
    n
}

/// A copy of the rendered dev tree with `find` replaced by `replace` in `module/file`.
fn mutated(name: &str, module: &str, file: &str, find: &str, replace: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name).join("dev");
    copy_dir(&rendered().join("out").join("dev"), &dir);
    let path = dir.join(module).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(find),
        "{name}: `{find}` not in {module}/{file}"
    );
    // Every attachment of a policy goes at once; any other defect is one place.
    let times = if name == "unattached" { usize::MAX } else { 1 };
    std::fs::write(&path, text.replacen(find, replace, times)).unwrap();
    tmp
}

fn dev_of(tmp: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    tmp.path().join(name).join("dev")
}

#[test]
fn a_wire_is_refused_when_its_grant_goes() {
    // The topic policy without CloudWatch: the alarms may not publish (a resource policy alone
    // grants a service).
    let t = mutated(
        "topic",
        "MOD-104",
        "sns.tf",
        "\"cloudwatch.amazonaws.com\", ",
        "",
    );
    let new: Vec<Finding> = access_findings(&dev_of(&t, "topic"));
    assert_eq!(
        new.len(),
        alarms_in(&rendered().join("out").join("dev")),
        "{}",
        lines(&new, t.path())
    );
    assert!(new.iter().all(|f| f.message.contains(
        "→ sns:Publish → topic bank-platform-alerts-dev (no grant in resource policy MOD-104 aws_sns_topic_policy.bank_platform_alerts"
    )));
    // A rule's Lambda permission removed: EventBridge may not invoke the target.
    let t = mutated(
        "permission",
        "MOD-018",
        "eventbridge.tf",
        "principal     = \"events.amazonaws.com\"",
        "principal     = \"sns.amazonaws.com\"",
    );
    let new: Vec<Finding> = access_findings(&dev_of(&t, "permission"));
    assert_eq!(new.len(), 1, "{}", lines(&new, t.path()));
    assert!(
        new[0]
            .message
            .contains("→ lambda:InvokeFunction → target function:")
            && new[0].file.ends_with("catalog/events/bank-aml.yaml"),
        "{}",
        new[0].message
    );
}

#[test]
fn lint_checks_whole_trees() {
    // The whole dev tree: its wires are evaluated across modules; nothing is found.
    let r = lint_paths(&[&rendered().join("out").join("dev")]);
    assert!(r.findings.is_empty(), "{}", lines(&r.findings, rendered()));
    assert_eq!(r.stats.suppressed, 0);
    // One module folder alone: the other end of its wires is not there to read.
    let r = lint_paths(&[&rendered().join("out").join("dev").join("MOD-104")]);
    assert!(r.findings.is_empty(), "{}", lines(&r.findings, rendered()));
    let (f, _) = bankgen::lint::lint_catalogue(catalog(), crate::support::policies());
    assert!(f.is_empty(), "{}", lines(&f, &repo()));
}

#[test]
fn the_access_matrix_through_the_cli() {
    let run = Test::in_repo().cmd(["access", "--env", "dev", "--format", "json"]);
    assert_eq!(run.code(), 0, "no refused wire: exit 0");
    let v: serde_json::Value = serde_json::from_slice(&run.output.stdout).expect("JSON");
    assert_eq!(v["env"], "dev");
    let matrix = v["matrix"].as_array().unwrap();
    assert_eq!(v["wires"].as_u64().unwrap() as usize, matrix.len());
    assert!(matrix.len() > 200, "{}", matrix.len());
    let refused = v["refused"].as_u64().unwrap() + v["absent"].as_u64().unwrap();
    assert_eq!(refused, 0);
    // Policies the catalogue says are attached outside the tree are listed, not refused.
    let external: Vec<&str> = matrix
        .iter()
        .filter(|o| o["status"] == "external")
        .map(|o| o["what"].as_str().unwrap())
        .collect();
    assert_eq!(external.len(), 4, "{external:?}");
    assert_eq!(v["external"], 4);
    // An allowed wire says by which statements: a rule's DLQ by the queue policy and the key
    // policy's service statement.
    let dlq = matrix
        .iter()
        .find(|o| o["kind"] == "rule-dlq" && o["what"].as_str().unwrap().starts_with("key of"))
        .unwrap();
    assert_eq!(dlq["status"], "allowed");
    assert!(
        dlq["actions"][0]["allowed_by"][0]
            .as_str()
            .unwrap()
            .starts_with("AwsServicesUse (dev/MOD-104/kms.tf:"),
        "{dlq:#}"
    );
    let human = Test::in_repo().cmd(["access", "--env", "dev"]);
    assert!(
        human.stdout().starts_with("access matrix of dev: "),
        "{}",
        human.stdout()
    );
    let bad = Test::in_repo().cmd(["access", "--env", "nowhere"]);
    assert_eq!(bad.code(), 2);
}
