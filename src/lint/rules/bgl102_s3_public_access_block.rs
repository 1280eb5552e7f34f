//! BGL102: every bucket has a public access block with all four flags on.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL102",
    name: "s3-public-access-block",
    title: "S3 buckets block all public access",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[
        "CKV2_AWS_6",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
    ],
    covers: &["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
    doc: r#"## What it checks
Every `aws_s3_bucket` has an `aws_s3_bucket_public_access_block` (by reference or by literal
bucket name) with `block_public_acls`, `block_public_policy`, `ignore_public_acls` and
`restrict_public_buckets` all `true`. An `aws_s3_account_public_access_block` with the four
flags on covers every bucket of the module.

## Why
Seed 000: "All buckets: ... public access blocked". No bank data is ever public.

## Example
```hcl
resource "aws_s3_bucket_public_access_block" "docs" {
  bucket                  = aws_s3_bucket.docs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = false
}
```

## Fix
Set all four flags to `true`.
"#,
    terraform: Some(check),
    catalogue: None,
};

const FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

fn all_on(cx: &ModCtx, r: &Resource) -> Vec<&'static str> {
    FLAGS
        .iter()
        .copied()
        .filter(|f| facts::flag(cx, r, &[f]) != Some(true))
        .collect()
}

fn check(cx: &ModCtx, out: &mut Out) {
    let account_wide =
        cx.m.of_type("aws_s3_account_public_access_block")
            .any(|a| all_on(cx, a).is_empty());
    for b in cx.m.of_type("aws_s3_bucket") {
        match cx.m.bucket_parts(b, "aws_s3_bucket_public_access_block").next() {
            None if !account_wide => out.on(
                cx.m,
                b,
                format!("bucket {} has no public access block", b.addr),
                "add an aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets = true",
            ),
            None => {}
            Some(pab) => {
                for f in all_on(cx, pab) {
                    out.on_attr(
                        cx.m,
                        pab,
                        &[f],
                        format!("the public access block of bucket {} does not set {f} = true", b.addr),
                        format!("set {f} = true (all four flags must be on)"),
                    );
                }
            }
        }
    }
}
