//! Lint on Terraform as people write it: each folder of `tests/fixtures/lint-eval/` links the
//! split S3 resources to their bucket, or gives a setting its value, in one form (a local, a
//! conditional, `try()`, the same variable on both sides, `for_each` + `each.value`, variable
//! defaults, `terraform.tfvars`, a local module call, and a value nobody gives). Each has a
//! bucket `good` that is compliant and a bucket `bad` that is not: `good` gets no finding,
//! `bad` gets one (a warning that says what it depends on, when its value cannot be known).

use crate::support::Test;
use serde_json::Value;

struct Form {
    folder: &'static str,
    /// The rule that fires on `bad`, and at which level.
    code: &'static str,
    level: &'static str,
    /// Extra arguments (command-line variable values).
    args: &'static [&'static str],
    /// With these arguments, `bad` is compliant too.
    fixed_by: &'static [&'static str],
}

const F: Form = Form {
    folder: "",
    code: "BGL103",
    level: "error",
    args: &[],
    fixed_by: &[],
};

const FORMS: &[Form] = &[
    Form {
        folder: "local",
        ..F
    },
    Form {
        folder: "conditional",
        ..F
    },
    Form { folder: "try", ..F },
    Form {
        folder: "same-variable",
        ..F
    },
    Form {
        folder: "for-each",
        ..F
    },
    Form {
        folder: "variable-default",
        code: "BGL102",
        fixed_by: &["--var", "block_public_bad=true"],
        ..F
    },
    Form {
        folder: "tfvars",
        fixed_by: &["--var", "bad_status=Enabled"],
        ..F
    },
    Form {
        folder: "module-call",
        ..F
    },
    Form {
        folder: "unknown",
        level: "warning",
        fixed_by: &["--var", "bad_status=Enabled"],
        ..F
    },
];

/// (code, severity, message) of every finding.
fn findings(folder: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let dir = format!("tests/fixtures/lint-eval/{folder}");
    let mut args = vec![
        "lint",
        "--no-catalogue",
        "--format",
        "json",
        "--select",
        "BGL102,BGL103",
        dir.as_str(),
    ];
    args.extend_from_slice(extra);
    let run = Test::in_repo().cmd(args);
    assert!(
        matches!(run.code(), 0 | 1),
        "{folder}: exit {}: {}",
        run.code(),
        run.stderr()
    );
    let v: Value = serde_json::from_str(&run.stdout()).expect("JSON");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("severity"), s("message"))
        })
        .collect()
}

#[test]
fn every_form_links_the_good_bucket_and_judges_the_bad_one() {
    let mut failed = Vec::new();
    for form in FORMS {
        let found = findings(form.folder, form.args);
        let good: Vec<_> = found
            .iter()
            .filter(|f| f.2.contains("aws_s3_bucket.good"))
            .collect();
        let bad: Vec<_> = found
            .iter()
            .filter(|f| f.2.contains("aws_s3_bucket.bad"))
            .collect();
        if !good.is_empty() {
            failed.push(format!(
                "{}: the compliant bucket has findings: {good:?}",
                form.folder
            ));
        }
        if bad.is_empty() || bad.iter().any(|f| f.0 != form.code || f.1 != form.level) {
            failed.push(format!(
                "{}: the bad bucket should have {} {} findings, has {bad:?}",
                form.folder, form.level, form.code
            ));
        }
        if form.level == "warning" && !bad.iter().all(|f| f.2.contains("depends on var.")) {
            failed.push(format!(
                "{}: an unknown value must say what it depends on: {bad:?}",
                form.folder
            ));
        }
        if !form.fixed_by.is_empty() {
            let fixed = findings(form.folder, form.fixed_by);
            if !fixed.is_empty() {
                failed.push(format!(
                    "{}: with {:?} it should be clean: {fixed:?}",
                    form.folder, form.fixed_by
                ));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// `--var-file` reads a variables file as Terraform does; a later `--var` wins over it.
#[test]
fn var_files_and_vars_apply_in_order() {
    let good = &[
        "--var-file",
        "tests/fixtures/lint-eval/tfvars/terraform.tfvars",
    ];
    let found = findings("unknown", good);
    assert!(
        found
            .iter()
            .any(|f| f.1 == "error" && f.2.contains("aws_s3_bucket.bad")),
        "{found:?}"
    );
    let found = findings(
        "unknown",
        &[
            "--var-file",
            "tests/fixtures/lint-eval/tfvars/terraform.tfvars",
            "--var",
            "bad_status=Enabled",
        ],
    );
    assert!(found.is_empty(), "{found:?}");
    let run = Test::in_repo().cmd([
        "lint",
        "--var",
        "no-equals-sign",
        "tests/fixtures/lint-eval/unknown",
    ]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("NAME=VALUE"), "{}", run.stderr());
}

#[test]
fn the_region_rule_accepts_the_declared_regions_and_the_one_global_exception() {
    let run = Test::in_repo().cmd([
        "lint",
        "--policies",
        "examples/global-platform/policies",
        "--select",
        "BGL010",
        "--short",
        "tests/fixtures/lint-region",
    ]);
    let out = run.stdout();
    let findings: Vec<&str> = out.lines().filter(|l| l.contains("[BGL010]")).collect();
    // The eu-west-1 provider, and the queue on the us-east-1 provider; not the certificate, the
    // web ACL (the exception's types) nor the DR queue.
    assert_eq!(findings.len(), 2, "{out}");
    assert!(
        findings
            .iter()
            .any(|l| l.contains("provider aws.elsewhere deploys to `eu-west-1`")),
        "{out}"
    );
    assert!(
        findings.iter().any(|l| l.contains(
            "aws_sqs_queue.misplaced is placed in `us-east-1` through provider aws.global"
        )),
        "{out}"
    );
    // The bank's policy has no exception: us-east-1 is refused outright.
    let run = Test::in_repo().cmd([
        "lint",
        "--select",
        "BGL010",
        "--short",
        "tests/fixtures/lint-region",
    ]);
    let bank = run.stdout();
    assert!(
        bank.contains("provider aws.global deploys to `us-east-1`"),
        "{bank}"
    );
}
