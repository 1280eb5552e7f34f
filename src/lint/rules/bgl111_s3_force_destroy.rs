//! BGL111: outside an emulator environment, no bucket is destroyed with its objects.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL111",
    name: "s3-force-destroy",
    title: "S3 buckets are not force-destroyed with their objects",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_s3_bucket"],
    doc: r#"## What it checks
No `aws_s3_bucket` sets `force_destroy = true` (unset is false), except in a folder of an emulator
environment of the catalogue (`local`), whose buckets go with the environment. A value that
depends on a variable without a value is a warning that names the variable.

## Why
With `force_destroy = true` a destroy, or a replacement forced by a catalogue edit, empties the
bucket first: every object and every version is deleted with it, which neither versioning nor
a lifecycle rule can undo. Without it, AWS refuses to delete a bucket that holds objects, and
the data outlives the mistake.

## Example
```hcl
resource "aws_s3_bucket" "iceberg" {
  bucket        = "bank-iceberg-prod"
  force_destroy = true
}
```

## Fix
```hcl
resource "aws_s3_bucket" "iceberg" {
  bucket        = "bank-iceberg-prod"
  force_destroy = false
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    if facts::emulated(cx) {
        return;
    }
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some(a) = b.body().attr("force_destroy") else {
            continue;
        };
        match cx.m.resolve(&a.val).as_bool() {
            Some(false) => {}
            Some(true) => out.at(
                cx.m,
                b,
                a.span,
                format!(
                    "bucket {} sets force_destroy = true: destroying it deletes every object in it",
                    b.addr
                ),
                "set force_destroy = false (or remove it: false is the default)",
            ),
            None => {
                if let Some(what) = facts::depends_on(cx, &a.val) {
                    out.unknown_at(
                        cx.m,
                        b,
                        a.span,
                        format!(
                            "force_destroy of bucket {} depends on {what}, unknown before a plan",
                            b.addr
                        ),
                        "give it the value false (a default, a .tfvars file, --var), or set force_destroy = false",
                    );
                }
            }
        }
    }
}
