//! BGL507: every aws_rds_cluster is encrypted with a CMK, keeps a week of backups, is protected
//! from deletion and authenticates with IAM.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL507",
    name: "aurora-protected",
    title: "Aurora clusters are encrypted with a CMK, backed up, deletion-protected and use IAM auth",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[
        "CKV_AWS_96",
        "CKV_AWS_327",
        "CKV_AWS_139",
        "CKV_AWS_162",
    ],
    covers: &["aws_rds_cluster", "catalogue: Aurora clusters"],
    doc: r#"## What it checks
Every `aws_rds_cluster`:
- has `storage_encrypted = true` and a `kms_key_id` that is a customer-managed key (an
  AWS-managed alias such as `alias/aws/rds` does not count; which classification's key it must be
  is BGL201's concern);
- keeps its automated backups at least `policies/retention.yaml`'s `database_backup_min_days`
  (7) days (`backup_retention_period`, whose default is 1);
- has `deletion_protection = true`, except in a folder of an emulator environment of the
  catalogue (`local`), whose clusters go with the environment;
- has `iam_database_authentication_enabled = true`.

In the catalogue, every `aurora_clusters` entry's `backup_retention_days` is at least the same
minimum.

## Why
Seed 002: "All stored data is encrypted with KMS keys under organizational control", "Aurora and
DynamoDB have automated backups with point-in-time recovery", and "Service-to-service
authentication uses IAM role assumption rather than long-lived credentials". A cluster without
deletion protection is one `terraform destroy` (or console click) away from losing the ledger.

## Example
```hcl
resource "aws_rds_cluster" "ledger" {
  cluster_identifier = "gbp-ledger-dev"
  engine             = "aurora-mysql"
  storage_encrypted  = true
}
```

## Fix
```hcl
resource "aws_rds_cluster" "ledger" {
  cluster_identifier                  = "gbp-ledger-dev"
  engine                              = "aurora-mysql"
  storage_encrypted                   = true
  kms_key_id                          = data.aws_ssm_parameter.kms_confidential_arn.value
  backup_retention_period             = 35
  deletion_protection                 = true
  iam_database_authentication_enabled = true
}
```
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn check(cx: &ModCtx, out: &mut Out) {
    let min = cx.p.retention.database_backup_min_days;
    for r in cx.m.of_type("aws_rds_cluster") {
        if facts::flag(cx, r, &["storage_encrypted"]) != Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["storage_encrypted"],
                format!("{}'s storage is not encrypted", r.addr),
                "set storage_encrypted = true and kms_key_id to the CMK of its classification",
            );
        } else {
            match r.get("kms_key_id") {
                None => out.on(
                    cx.m,
                    r,
                    format!("{} is not encrypted with a customer-managed key", r.addr),
                    "set kms_key_id to the CMK of its classification",
                ),
                Some(k) => {
                    if let KeyClass::Other(name) = facts::key_class(cx, k)
                        && name.starts_with("alias/aws/")
                    {
                        out.on_attr(
                            cx.m,
                            r,
                            &["kms_key_id"],
                            format!("{} is encrypted with the AWS-managed key {name}", r.addr),
                            "set kms_key_id to the CMK of its classification",
                        );
                    }
                }
            }
        }
        match facts::num(cx, r.body(), &["backup_retention_period"]) {
            Some(d) if d >= f64::from(min) => {}
            found => out.on_attr(
                cx.m,
                r,
                &["backup_retention_period"],
                format!(
                    "{} keeps its backups {}, fewer than {min} days",
                    r.addr,
                    found.map_or_else(|| "1 day (the default)".to_string(), |d| format!("{d} day(s)"))
                ),
                format!("set backup_retention_period = {min} or more (policies/retention.yaml)"),
            ),
        }
        if facts::flag(cx, r, &["deletion_protection"]) != Some(true) && !facts::emulated(cx) {
            out.on_attr(
                cx.m,
                r,
                &["deletion_protection"],
                format!("{} is not protected from deletion", r.addr),
                "set deletion_protection = true",
            );
        }
        if facts::flag(cx, r, &["iam_database_authentication_enabled"]) != Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["iam_database_authentication_enabled"],
                format!("{} does not accept IAM database authentication", r.addr),
                "set iam_database_authentication_enabled = true",
            );
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let min = cx.p.retention.database_backup_min_days;
    for m in &cx.cat.modules {
        for c in &m.resources.aurora_clusters {
            let d = c.backup_retention_days.value;
            if d < min {
                out.at_loc(
                    &m.loc_of(&c.backup_retention_days.referenced),
                    Some(format!("Aurora cluster {}", c.name.value)),
                    format!(
                        "Aurora cluster {} keeps its backups {d} day(s), fewer than {min}",
                        c.name.value
                    ),
                    format!("set backup_retention_days: {min} or more (policies/retention.yaml)"),
                );
            }
        }
    }
}
