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

/// The flags not known to be on, each with what it depends on when it is not known at all.
fn all_on(cx: &ModCtx, r: &Resource) -> Vec<(&'static str, Option<String>)> {
    FLAGS
        .iter()
        .copied()
        .filter(|f| facts::flag(cx, r, &[f]) != Some(true))
        .map(|f| (f, r.get(f).and_then(|v| facts::depends_on(cx, v))))
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
                for (f, unknown) in all_on(cx, pab) {
                    match unknown {
                        Some(what) => {
                            // The flag is written (its value is what is unknown): point at it.
                            let span = pab.body().attr(f).map_or(pab.block.span, |a| a.span);
                            out.unknown_at(
                                cx.m,
                                pab,
                                span,
                                format!("{f} of the public access block of bucket {} depends on {what}, unknown before a plan", b.addr),
                                format!("give it the value true (a default, a .tfvars file, --var), or set {f} = true"),
                            )
                        }
                        None => out.on_attr(
                            cx.m,
                            pab,
                            &[f],
                            format!("the public access block of bucket {} does not set {f} = true", b.addr),
                            format!("set {f} = true (all four flags must be on)"),
                        ),
                    }
                }
            }
        }
    }
}
