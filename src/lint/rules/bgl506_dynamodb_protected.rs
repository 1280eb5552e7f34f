//! BGL506: every aws_dynamodb_table keeps point-in-time recovery, is encrypted with a CMK and,
//! outside an emulator environment, is protected from deletion.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL506",
    name: "dynamodb-protected",
    title: "DynamoDB tables have point-in-time recovery, a CMK and deletion protection",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_28", "CKV_AWS_119"],
    covers: &["aws_dynamodb_table"],
    doc: r#"## What it checks
Every `aws_dynamodb_table` has `point_in_time_recovery { enabled = true }` and
`server_side_encryption { enabled = true, kms_key_arn = <a customer-managed key> }` (an
AWS-managed alias such as `alias/aws/dynamodb` does not count). Which classification's key it must
be is BGL201's concern. Except in a folder of an emulator environment of the catalogue (`local`),
whose tables go with the environment, it also has `deletion_protection_enabled = true` (an
argument of hashicorp/aws 4.x and later; a value that depends on a variable without a value is a
warning that names the variable).

## Why
Seed 002: "Point-in-time recovery is enabled to protect against accidental data loss" and "All
stored data is encrypted with KMS keys under organizational control". Without a CMK the table is
encrypted with an AWS-owned key that no key policy can scope. Point-in-time recovery does not
survive the table: a deleted table keeps no restore points, so deletion protection makes AWS
refuse `DeleteTable` until someone turns it off on purpose.

## Example
```hcl
resource "aws_dynamodb_table" "sessions" {
  name         = "gbp-sessions-dev"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"
  attribute {
    name = "session_id"
    type = "S"
  }
}
```

## Fix
```hcl
resource "aws_dynamodb_table" "sessions" {
  name                        = "gbp-sessions-dev"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "session_id"
  deletion_protection_enabled = true
  attribute {
    name = "session_id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = data.aws_ssm_parameter.kms_restricted_arn.value
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_dynamodb_table") {
        if facts::flag(cx, r, &["point_in_time_recovery", "enabled"]) != Some(true) {
            out.on(
                cx.m,
                r,
                format!("{} has no point-in-time recovery", r.addr),
                "add point_in_time_recovery { enabled = true }",
            );
        }
        let encrypted = facts::flag(cx, r, &["server_side_encryption", "enabled"]) == Some(true);
        let key = r.body().path(&["server_side_encryption", "kms_key_arn"]);
        match key {
            Some(k) if encrypted => {
                if let KeyClass::Other(name) = facts::key_class(cx, &k.val)
                    && name.starts_with("alias/aws/")
                {
                    out.on_attr(
                        cx.m,
                        r,
                        &["server_side_encryption", "kms_key_arn"],
                        format!("{} is encrypted with the AWS-managed key {name}", r.addr),
                        "set kms_key_arn to the CMK of its classification",
                    );
                }
            }
            _ => out.on(
                cx.m,
                r,
                format!("{} is not encrypted with a customer-managed key", r.addr),
                "add server_side_encryption { enabled = true, kms_key_arn = <the CMK of its classification> }",
            ),
        }
        if !facts::emulated(cx) {
            deletion_protection(cx, r, out);
        }
    }
}

fn deletion_protection(cx: &ModCtx, r: &Resource, out: &mut Out) {
    let attr = r.body().attr("deletion_protection_enabled");
    match attr.map(|a| cx.m.resolve(&a.val).as_bool()) {
        Some(Some(true)) => {}
        Some(None) if let Some(a) = attr
            && let Some(what) = facts::depends_on(cx, &a.val) =>
        {
            out.unknown_at(
                cx.m,
                r,
                a.span,
                format!(
                    "deletion_protection_enabled of {} depends on {what}, unknown before a plan",
                    r.addr
                ),
                "give it the value true (a default, a .tfvars file, --var), or set deletion_protection_enabled = true",
            );
        }
        _ => out.on_attr(
            cx.m,
            r,
            &["deletion_protection_enabled"],
            format!("{} is not protected from deletion", r.addr),
            "set deletion_protection_enabled = true (hashicorp/aws 4.x or later)",
        ),
    }
}
