//! BGL106: every archive bucket keeps its object versions under object lock in COMPLIANCE mode.
use super::prelude::*;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL106",
    name: "s3-object-lock",
    title: "Archive buckets have object lock in COMPLIANCE mode",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_143"],
    covers: &[
        "aws_s3_bucket",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_lifecycle_configuration",
    ],
    doc: r#"## What it checks
A bucket is an *archive* when one of its enabled lifecycle rules moves objects to a storage
class of `policies/s3.yaml` `object_lock.archive_storage_classes` (`DEEP_ARCHIVE`) and keeps
them at least `min_expiration_days` (2555, seven years; no expiration counts as forever). The
tree itself says so: no tag or name to forget. Every archive bucket has
- object lock enabled on the bucket: `object_lock_enabled = true` (provider 4+), or the inline
  `object_lock_configuration { object_lock_enabled = "Enabled" }` (provider 3);
- a default retention (`aws_s3_bucket_object_lock_configuration`, or the inline block's `rule`)
  in `object_lock.mode` (`COMPLIANCE`: nobody, the root user included, can shorten it or delete
  a locked version) of at least `min_retention_days` (`years` count 365 days).

Buckets that go to `GLACIER`, as the bank's and seed 002's transaction and audit buckets do, are
not archives in this sense; versioning itself is BGL103's concern.

## Why
Seed 002: "The archive bucket uses versioning and object lock to maintain immutable records for
compliance requirements". Lifecycle rules and versioning do not stop a privileged user from
deleting a version; a COMPLIANCE-mode retention does.

## Example
```hcl
resource "aws_s3_bucket" "archive" {
  bucket = "gbp-archive-dev"
}

resource "aws_s3_bucket_lifecycle_configuration" "archive" {
  bucket = aws_s3_bucket.archive.id
  rule {
    id     = "deep-archive"
    status = "Enabled"
    filter {}
    transition {
      days          = 30
      storage_class = "DEEP_ARCHIVE"
    }
    expiration {
      days = 3650
    }
  }
}
```

## Fix
```hcl
resource "aws_s3_bucket" "archive" {
  bucket              = "gbp-archive-dev"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "archive" {
  bucket = aws_s3_bucket.archive.id
  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = 2555
    }
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let p = &cx.p.s3.object_lock;
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some((_, rules)) = s3::lifecycle(cx, b) else {
            continue;
        };
        let archive = rules.iter().find(|r| {
            r.enabled
                && r.transitions.iter().any(|(_, class)| {
                    p.archive_storage_classes
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(class))
                })
                && r.expiration_days
                    .is_none_or(|(d, _)| d >= p.min_expiration_days as f64)
        });
        let Some(archive) = archive else { continue };
        let why = format!(
            "bucket {} is an archive (lifecycle rule {} moves objects to {} and keeps them {})",
            b.addr,
            archive.id.unwrap_or("(no id)"),
            p.archive_storage_classes.join("/"),
            match archive.expiration_days {
                Some((d, _)) => format!("{d} days"),
                None => "forever".into(),
            }
        );
        let lock = s3::object_lock(cx, b);
        let fix = format!(
            "enable object lock with a default retention {{ mode = \"{}\", days = {} }} (legacy provider: the inline object_lock_configuration block)",
            p.mode, p.min_retention_days
        );
        if !lock.enabled {
            out.on(
                cx.m,
                b,
                format!("{why}, but object lock is not enabled"),
                format!("set object_lock_enabled = true and {fix}"),
            );
            continue;
        }
        let Some((holder, block)) = lock.retention else {
            out.on(
                cx.m,
                b,
                format!("{why}, but it has no default retention"),
                fix,
            );
            continue;
        };
        let mode = lock.mode(cx);
        if !mode.is_some_and(|m| m.eq_ignore_ascii_case(&p.mode)) {
            let span = block
                .body
                .attr("mode")
                .map(|a| a.span)
                .unwrap_or(block.span);
            out.at(
                cx.m,
                holder,
                span,
                format!(
                    "the object lock of archive bucket {} is in {} mode, not {}",
                    b.addr,
                    mode.unwrap_or("no"),
                    p.mode
                ),
                format!(
                    "set mode = \"{}\": a GOVERNANCE retention can be lifted by anyone with s3:BypassGovernanceRetention",
                    p.mode
                ),
            );
        }
        match lock.days(cx) {
            Some(d) if d >= p.min_retention_days as f64 => {}
            d => {
                let span = ["days", "years"]
                    .iter()
                    .find_map(|k| block.body.attr(k))
                    .map(|a| a.span)
                    .unwrap_or(block.span);
                out.at(
                    cx.m,
                    holder,
                    span,
                    format!(
                        "the object lock of archive bucket {} retains versions {}, less than {} days",
                        b.addr,
                        d.map(|d| format!("{d} days")).unwrap_or_else(|| "for no set time".into()),
                        p.min_retention_days
                    ),
                    format!(
                        "set days = {} or more (policies/s3.yaml min_retention_days)",
                        p.min_retention_days
                    ),
                );
            }
        }
    }
}
