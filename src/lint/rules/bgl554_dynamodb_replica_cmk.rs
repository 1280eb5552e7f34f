//! BGL554: every DynamoDB global table replica is encrypted with a customer-managed key.
use super::prelude::*;
use crate::lint::value::Attr;
use crate::lint::value::Span;

pub static RULE: Rule = Rule {
    code: "BGL554",
    name: "dynamodb-replica-cmk",
    title: "DynamoDB replicas in other regions are encrypted with a customer-managed key",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_dynamodb_table", "aws_dynamodb_table_replica"],
    doc: r#"## What it checks
Every `replica` block of an `aws_dynamodb_table`, and every `aws_dynamodb_table_replica`, names
a `kms_key_arn` that is a customer-managed key (an AWS-managed alias such as
`alias/aws/dynamodb` does not count). A replica's key is a key of the replica's region: the
table's own `server_side_encryption` key (BGL506) does not carry over.

## Why
Seed 002: "All stored data is encrypted with KMS keys under organizational control", and its
multi-region DR: "DynamoDB global table replica". A replica without `kms_key_arn` is encrypted
with the AWS-owned key in its region, which no key policy can scope: the copy in the DR region
would escape the control the primary table is under. checkov's CKV_AWS_119 looks only at the
table's own `server_side_encryption`.

## Example
```hcl
resource "aws_dynamodb_table" "sessions" {
  name             = "gbp-sessions-dev"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "session_id"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"
  replica {
    region_name = "ap-southeast-4"
  }
}
```

## Fix
```hcl
resource "aws_dynamodb_table" "sessions" {
  name             = "gbp-sessions-dev"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "session_id"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"
  replica {
    region_name = "ap-southeast-4"
    kms_key_arn = data.aws_ssm_parameter.kms_restricted_dr_arn.value
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// A finding unless `key` (the replica's `kms_key_arn`) is a customer-managed key.
fn key_finding(cx: &ModCtx, key: Option<&Attr>, what: &str) -> Option<(Option<Span>, String)> {
    match key {
        None => Some((
            None,
            format!("{what} has no kms_key_arn: AWS's own key encrypts it"),
        )),
        Some(k) => match facts::key_class(cx, &k.val) {
            KeyClass::Other(name) if name.starts_with("alias/aws/") => Some((
                Some(k.span),
                format!("{what} is encrypted with the AWS-managed key {name}"),
            )),
            _ => None,
        },
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    const HELP: &str = "set kms_key_arn to the CMK of its classification in the replica's region (kms/{class}/dr-arn)";
    for r in cx.m.of_type("aws_dynamodb_table") {
        for b in r.body().blocks("replica") {
            let region = b
                .body
                .get("region_name")
                .and_then(|v| cx.m.resolve(v).as_str().map(str::to_string))
                .unwrap_or_else(|| "?".into());
            let what = format!("the replica of {} in {region}", r.addr);
            if let Some((span, message)) = key_finding(cx, b.body.attr("kms_key_arn"), &what) {
                out.at(cx.m, r, span.unwrap_or(b.span), message, HELP);
            }
        }
    }
    for r in cx.m.of_type("aws_dynamodb_table_replica") {
        if let Some((span, message)) = key_finding(cx, r.body().attr("kms_key_arn"), &r.addr) {
            match span {
                Some(s) => out.at(cx.m, r, s, message, HELP),
                None => out.on(cx.m, r, message, HELP),
            }
        }
    }
}
