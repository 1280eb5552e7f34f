//! BGL506: every aws_dynamodb_table keeps point-in-time recovery and is encrypted with a CMK.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL506",
    name: "dynamodb-protected",
    title: "DynamoDB tables have point-in-time recovery and a CMK",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_28", "CKV_AWS_119"],
    covers: &["aws_dynamodb_table"],
    doc: r#"## What it checks
Every `aws_dynamodb_table` has `point_in_time_recovery { enabled = true }` and
`server_side_encryption { enabled = true, kms_key_arn = <a customer-managed key> }` (an
AWS-managed alias such as `alias/aws/dynamodb` does not count). Which classification's key it must
be is BGL201's concern.

## Why
Seed 002: "Point-in-time recovery is enabled to protect against accidental data loss" and "All
stored data is encrypted with KMS keys under organizational control". Without a CMK the table is
encrypted with an AWS-owned key that no key policy can scope.

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
  name         = "gbp-sessions-dev"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"
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
    }
}
