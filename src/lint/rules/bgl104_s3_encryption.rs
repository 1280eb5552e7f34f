//! BGL104: every bucket has default encryption at rest configured.
use super::prelude::*;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL104",
    name: "s3-encryption",
    title: "S3 buckets are encrypted at rest",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_19"],
    covers: &["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"],
    doc: r#"## What it checks
Every `aws_s3_bucket` has a default encryption rule: an
`aws_s3_bucket_server_side_encryption_configuration` (provider 4+) or the inline
`server_side_encryption_configuration` block (provider 3), whose
`apply_server_side_encryption_by_default` sets `sse_algorithm` to `aws:kms`, `aws:kms:dsse` or
`AES256`. Which key it must be is BGL201's concern.

## Why
DT-002: "unencrypted data storage is not permitted"; the configuration must be explicit in
code, not left to the account default.

## Example
```hcl
resource "aws_s3_bucket" "docs" {
  bucket = "bank-documents-dev"
}
```

## Fix
```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "docs" {
  bucket = aws_s3_bucket.docs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = data.aws_ssm_parameter.kms_pii_arn.value
    }
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const ALGORITHMS: [&str; 3] = ["aws:kms", "aws:kms:dsse", "AES256"];

fn check(cx: &ModCtx, out: &mut Out) {
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some(sse) = s3::sse(cx, b) else {
            out.on(
                cx.m,
                b,
                format!("bucket {} has no default encryption configuration", b.addr),
                "add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = \"aws:kms\" and the CMK of the bucket's classification",
            );
            continue;
        };
        match sse.algorithm().map(|v| cx.m.resolve(v)) {
            Some(v) if v.as_str().is_some_and(|a| ALGORITHMS.contains(&a)) => {}
            Some(v) if !v.is_known_literal() => {}
            _ => out.at(
                cx.m,
                sse.holder,
                sse.algorithm().map(|v| v.span).unwrap_or(sse.span()),
                format!("the encryption rule of bucket {} sets no valid sse_algorithm", b.addr),
                "set apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" } (or \"AES256\" where the catalogue says SSE-S3)",
            ),
        }
    }
}
