//! BGL603: a GuardDuty detector is enabled and, where the provider can say so, protects S3.
use super::prelude::*;
use crate::model::Profile;

pub static RULE: Rule = Rule {
    code: "BGL603",
    name: "guardduty-enabled",
    title: "GuardDuty detectors are enabled and protect S3",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_238"],
    covers: &["aws_guardduty_detector", "aws_guardduty_detector_feature"],
    doc: r#"## What it checks
Every `aws_guardduty_detector`:
- is not disabled (`enable = false`);
- in the feature form, has S3 protection: an `aws_guardduty_detector_feature` of the detector
  named `S3_DATA_EVENTS` with `status = "ENABLED"`, or the older
  `datasources { s3_logs { enable = true } }`. The feature form is a detector with any
  `aws_guardduty_detector_feature` or a `datasources` block, or any detector of a folder that the
  catalogue renders with the v6 provider profile. hashicorp/aws 3.39 (the legacy profile) has
  neither: there the detector alone passes.

## Why
Seed 002: "GuardDuty analyzes CloudTrail logs, VPC Flow Logs, and DNS logs to identify potential
security threats." A disabled detector analyses nothing. The platform's transactions and
archives are S3 objects: without S3 protection, GuardDuty does not see who reads or deletes them.

## Example
```hcl
resource "aws_guardduty_detector" "threats" {
  enable = false
}
```

## Fix
```hcl
resource "aws_guardduty_detector" "threats" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

resource "aws_guardduty_detector_feature" "s3" {
  detector_id = aws_guardduty_detector.threats.id
  name        = "S3_DATA_EVENTS"
  status      = "ENABLED"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const FEATURE: &str = "aws_guardduty_detector_feature";

/// The folder is rendered with the v6 provider profile (by the catalogue's environment).
fn v6_profile(cx: &ModCtx) -> bool {
    let (Some(cat), Some(env)) = (cx.cat, cx.env.as_deref()) else {
        return false;
    };
    cat.platform
        .environments
        .iter()
        .any(|e| e.name == env && e.profile == Profile::V6)
}

fn check(cx: &ModCtx, out: &mut Out) {
    let v6 = v6_profile(cx);
    for d in cx.m.of_type("aws_guardduty_detector") {
        if facts::flag(cx, d, &["enable"]) == Some(false) {
            out.on_attr(
                cx.m,
                d,
                &["enable"],
                format!("GuardDuty detector {} is disabled", d.addr),
                "set enable = true",
            );
            continue;
        }
        let features: Vec<&Resource> = cx
            .m
            .referrers(&d.addr, FEATURE)
            .filter(|f| {
                f.get("detector_id")
                    .and_then(|v| cx.m.target_of(v))
                    .is_some_and(|(t, _)| t.addr == d.addr)
            })
            .collect();
        let datasources = d.body().block("datasources").is_some();
        if !(v6 || datasources || !features.is_empty()) {
            continue;
        }
        let s3 = features
            .iter()
            .find(|f| facts::lit(cx, f, "name") == Some("S3_DATA_EVENTS"));
        let s3_logs = facts::flag(cx, d, &["datasources", "s3_logs", "enable"]);
        match s3 {
            Some(f) if facts::lit(cx, f, "status") != Some("ENABLED") => {
                let unknown = f
                    .get("status")
                    .is_some_and(|v| !cx.m.resolve(v).is_known_literal());
                if !unknown {
                    out.on_attr(
                        cx.m,
                        f,
                        &["status"],
                        format!("GuardDuty detector {} has S3 protection off", d.addr),
                        "set status = \"ENABLED\"",
                    );
                }
            }
            Some(_) => {}
            None if s3_logs == Some(true) => {}
            None => out.on(
                cx.m,
                d,
                format!("GuardDuty detector {} does not protect S3", d.addr),
                format!(
                    "add an {FEATURE} with detector_id = {}.id, name = \"S3_DATA_EVENTS\", status = \"ENABLED\"",
                    d.addr
                ),
            ),
        }
    }
}
