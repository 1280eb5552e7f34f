//! BGL101: every bucket's policy denies every S3 action over plain HTTP.
use super::prelude::*;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL101",
    name: "s3-ssl-only",
    title: "S3 buckets deny requests without TLS",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_s3_bucket", "aws_s3_bucket_policy"],
    doc: r#"## What it checks
Every `aws_s3_bucket` has a bucket policy (an `aws_s3_bucket_policy`, or the legacy inline
`policy`) with a statement that denies `s3:*` to every principal when `aws:SecureTransport` is
`false`, on the bucket ARN and on its objects (`<arn>/*`). The policy may be written with
`jsonencode({...})`, as JSON text, or as a `data "aws_iam_policy_document"`.

## Why
Seed 000: "All buckets: SSL-only access enforced". DT-002 requires data to be encrypted in
transit as well as at rest.

## Example
```hcl
resource "aws_s3_bucket_policy" "docs" {
  bucket = aws_s3_bucket.docs.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
```

## Fix
```hcl
resource "aws_s3_bucket_policy" "docs" {
  bucket = aws_s3_bucket.docs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.docs.arn, "${aws_s3_bucket.docs.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for b in cx.m.of_type("aws_s3_bucket") {
        let docs = s3::policies(cx, b);
        if docs.is_empty() {
            if !s3::has_policy_resource(cx, b) {
                out.on(
                    cx.m,
                    b,
                    format!("bucket {} has no bucket policy, so requests over plain HTTP are allowed", b.addr),
                    "add an aws_s3_bucket_policy that denies s3:* when aws:SecureTransport is false, on the bucket and its objects",
                );
            }
            continue;
        }
        let ok = docs.iter().any(|(_, d)| {
            d.statements.iter().any(|s| {
                !s.allow
                    && s.any_principal()
                    && s.actions
                        .iter()
                        .any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"))
                    && s.has_condition("Bool", "aws:SecureTransport", "false")
                    && s.resources
                        .iter()
                        .any(|r| s3::names_bucket(cx, b, r, false))
                    && s.resources.iter().any(|r| s3::names_bucket(cx, b, r, true))
            })
        });
        if !ok {
            let (holder, _) = &docs[0];
            out.on_attr(
                cx.m,
                holder,
                &["policy"],
                format!("the policy of bucket {} does not deny requests without TLS on the bucket and its objects", b.addr),
                "add a Deny statement for Principal \"*\", Action \"s3:*\", Resource [<bucket arn>, \"<bucket arn>/*\"], Condition { Bool = { \"aws:SecureTransport\" = \"false\" } }",
            );
        }
    }
}
