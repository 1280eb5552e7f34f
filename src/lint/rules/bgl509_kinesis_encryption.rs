//! BGL509: every aws_kinesis_stream is encrypted server-side with a customer-managed KMS key.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL509",
    name: "kinesis-encryption",
    title: "Kinesis streams are encrypted with a CMK",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_43", "CKV_AWS_185"],
    covers: &["aws_kinesis_stream"],
    doc: r#"## What it checks
Every `aws_kinesis_stream` sets `encryption_type = "KMS"` and a `kms_key_id` that is a
customer-managed key (the AWS-managed `alias/aws/kinesis`, or any `alias/aws/...`, does not
count). Without `encryption_type` a stream is not encrypted at all. Which classification's key
it must be is BGL201's concern.

## Why
Seed 002, messaging stack: "Kinesis Data Streams capture real-time transaction events ... and
are encrypted with KMS keys", and "All stored data is encrypted with KMS keys under
organizational control". The AWS-managed key's policy cannot be scoped to the roles that
handle the classification, so any principal of the account with Kinesis read access reads the
records.

## Example
```hcl
resource "aws_kinesis_stream" "events" {
  name             = "gbp-transaction-events-dev"
  shard_count      = 2
  retention_period = 168
  encryption_type  = "KMS"
  kms_key_id       = "alias/aws/kinesis"
}
```

## Fix
```hcl
resource "aws_kinesis_stream" "events" {
  name             = "gbp-transaction-events-dev"
  shard_count      = 2
  retention_period = 168
  encryption_type  = "KMS"
  kms_key_id       = data.aws_ssm_parameter.kms_confidential_arn.value
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_kinesis_stream") {
        if facts::lit(cx, r, "encryption_type") != Some("KMS") {
            out.on_attr(
                cx.m,
                r,
                &["encryption_type"],
                format!("{} is not encrypted with KMS", r.addr),
                "set encryption_type = \"KMS\" and kms_key_id to the CMK of its classification",
            );
            continue;
        }
        match r.get("kms_key_id") {
            None => out.on(
                cx.m,
                r,
                format!("{} has encryption_type KMS but no key", r.addr),
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
}
