//! BGL502: every aws_sqs_queue is encrypted with a customer-managed KMS key.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL502",
    name: "sqs-encryption",
    title: "SQS queues are encrypted with a CMK",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_27"],
    covers: &["aws_sqs_queue"],
    doc: r#"## What it checks
Every `aws_sqs_queue` sets `kms_master_key_id` to a customer-managed key (an AWS-managed alias such as
`alias/aws/...` does not count). Which classification's key it must be is BGL201's concern.

## Why
DT-002: KMS CMKs per data classification; unencrypted data storage is not permitted, and
AWS-managed keys cannot be scoped by key policy to the roles that handle the data.

## Example
```hcl
resource "aws_sqs_queue" "x" {
  name = "bank-example-dev"
}
```

## Fix
```hcl
resource "aws_sqs_queue" "x" {
  name = "bank-example-dev"
  kms_master_key_id = data.aws_ssm_parameter.kms_operational_arn.value
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_sqs_queue") {
        match facts::key_arg(cx, r, "kms_master_key_id") {
            None => out.on(
                cx.m,
                r,
                format!("{} is not encrypted with a customer-managed key", r.addr),
                "set kms_master_key_id to the CMK of its classification",
            ),
            Some(k) => {
                if let KeyClass::Other(name) = facts::key_class(cx, k)
                    && name.starts_with("alias/aws/")
                {
                    out.on_attr(
                        cx.m,
                        r,
                        &["kms_master_key_id"],
                        format!("{} is encrypted with the AWS-managed key {name}", r.addr),
                        "set kms_master_key_id to the CMK of its classification",
                    );
                }
            }
        }
    }
}
