//! BGL103: every bucket has versioning enabled.
use super::prelude::*;
use crate::lint::s3::Setting;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL103",
    name: "s3-versioning",
    title: "S3 buckets have versioning enabled",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_21"],
    covers: &["aws_s3_bucket", "aws_s3_bucket_versioning"],
    doc: r#"## What it checks
Every `aws_s3_bucket` has versioning `Enabled`: an `aws_s3_bucket_versioning` with
`versioning_configuration { status = "Enabled" }` (provider 4+), or the inline
`versioning { enabled = true }` block (provider 3).

## Why
Seed 000: "All buckets: ... versioning enabled". Versions protect records against overwrite
and deletion within their retention period.

## Example
```hcl
resource "aws_s3_bucket_versioning" "docs" {
  bucket = aws_s3_bucket.docs.id
  versioning_configuration {
    status = "Suspended"
  }
}
```

## Fix
Set `status = "Enabled"` (or `enabled = true` in the legacy inline block).
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for b in cx.m.of_type("aws_s3_bucket") {
        match s3::versioning(cx, b) {
            Setting::On => {}
            Setting::Absent => out.on(
                cx.m,
                b,
                format!("bucket {} has no versioning configuration", b.addr),
                "add an aws_s3_bucket_versioning with versioning_configuration { status = \"Enabled\" } (legacy provider: versioning { enabled = true })",
            ),
            Setting::Off(holder, span) => out.at(
                cx.m,
                holder,
                span,
                format!("versioning of bucket {} is not enabled", b.addr),
                "set status = \"Enabled\" (legacy provider: enabled = true)",
            ),
            Setting::Unknown(holder, span, what) => out.unknown_at(
                cx.m,
                holder,
                span,
                format!("versioning of bucket {} depends on {what}, unknown before a plan", b.addr),
                "give it a value that enables versioning (a default, a .tfvars file, --var), or set status = \"Enabled\"",
            ),
        }
    }
}
