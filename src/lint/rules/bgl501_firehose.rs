//! BGL501: every Firehose stream is encrypted with a CMK and has a dead-letter queue.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL501",
    name: "firehose-encryption-dlq",
    title: "Firehose streams are encrypted and have a DLQ",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_240", "CKV_AWS_241"],
    covers: &["aws_kinesis_firehose_delivery_stream"],
    doc: r#"## What it checks
Every `aws_kinesis_firehose_delivery_stream`:
- is encrypted at rest with a customer-managed key: `server_side_encryption { enabled = true,
  key_type = "CUSTOMER_MANAGED_CMK", key_arn = ... }` (a stream fed by a Kinesis stream cannot
  use server-side encryption; then `extended_s3_configuration.kms_key_arn` is required instead);
- has an SQS dead-letter queue, named by the convention in `policies/eventbridge.yaml`
  (label `<stream label>_dlq` or name `<stream name>-dlq`).

## Why
Seed 000: "Both streams: 128 MB / 300s buffer, KMS encryption, CloudWatch error metrics, SQS
DLQ." DT-002: encryption at rest is enforced by Kinesis encryption settings.

## Example
```hcl
resource "aws_kinesis_firehose_delivery_stream" "cdc" {
  name        = "bank-cdc-stream-dev"
  destination = "extended_s3"
  extended_s3_configuration { ... }
}
```

## Fix
Add `server_side_encryption { enabled = true, key_type = "CUSTOMER_MANAGED_CMK", key_arn = <the
classification's CMK> }` and an `aws_sqs_queue "cdc_dlq"`.
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for s in cx.m.of_type("aws_kinesis_firehose_delivery_stream") {
        let from_kinesis = s.body().block("kinesis_source_configuration").is_some();
        if from_kinesis {
            if s.body()
                .path(&["extended_s3_configuration", "kms_key_arn"])
                .is_none()
            {
                out.on(
                    cx.m,
                    s,
                    format!(
                        "Firehose stream {} does not encrypt what it delivers",
                        s.addr
                    ),
                    "set extended_s3_configuration { kms_key_arn = <the classification's CMK> }",
                );
            }
        } else {
            match s.body().block("server_side_encryption") {
                None => out.on(
                    cx.m,
                    s,
                    format!("Firehose stream {} is not encrypted at rest", s.addr),
                    "add server_side_encryption { enabled = true, key_type = \"CUSTOMER_MANAGED_CMK\", key_arn = <the classification's CMK> }",
                ),
                Some(b) => {
                    if facts::flag(cx, s, &["server_side_encryption", "enabled"]) != Some(true) {
                        out.on_attr(
                            cx.m,
                            s,
                            &["server_side_encryption", "enabled"],
                            format!("server-side encryption of Firehose stream {} is not enabled", s.addr),
                            "set enabled = true",
                        );
                    } else if b.body.get("key_type").and_then(Val::as_str) != Some("CUSTOMER_MANAGED_CMK")
                        || b.body.get("key_arn").is_none()
                    {
                        out.on_attr(
                            cx.m,
                            s,
                            &["server_side_encryption", "key_type"],
                            format!("Firehose stream {} is not encrypted with a customer-managed key", s.addr),
                            "set key_type = \"CUSTOMER_MANAGED_CMK\" and key_arn = <the classification's CMK>",
                        );
                    }
                }
            }
        }
        if facts::conventional_dlq(cx, s).is_none() {
            out.on(
                cx.m,
                s,
                format!("Firehose stream {} has no dead-letter queue", s.addr),
                format!(
                    "add an aws_sqs_queue \"{}{}\" (named <stream>{}) for undeliverable records",
                    s.name, cx.p.eventbridge.dlq_label_suffix, cx.p.eventbridge.dlq_name_suffix
                ),
            );
        }
    }
}
