//! BGL107: where the policy requires it, every bucket sends server access logs to a log bucket.
use super::prelude::*;
use crate::lint::{facts, s3};

pub static RULE: Rule = Rule {
    code: "BGL107",
    name: "s3-access-logging",
    title: "S3 buckets send server access logs to a log bucket",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_18"],
    covers: &["aws_s3_bucket", "aws_s3_bucket_logging"],
    doc: r#"## What it checks
When `policies/s3.yaml` says `access_logging: {required: true}`, every `aws_s3_bucket` has
server access logging (an `aws_s3_bucket_logging`, or the legacy inline `logging` block) with a
`target_bucket` that is another bucket, except
- a log bucket: one whose bucket policy allows the S3 logging service
  (`logging.s3.amazonaws.com`) to `s3:PutObject`; logging it would log each delivery again;
- a replica: the destination of a replication rule in the same folder. Server access logs go
  to a bucket in the source bucket's own region, and a replica in the DR region is written only
  by replication; reads of it are in the multi-region trail's S3 data events;
- a bucket whose literal name matches a pattern of `access_logging.exempt`, each with its reason
  in the policy file (seed 002: the functions' code bucket, deployed before the audit bucket).

The bank's policy does not require access logs (seed 000 audits object access with CloudTrail S3
data events, MOD-104); seed 002's global platform does.

## Why
Seed 002: "All S3 operations are logged to an audit bucket, creating a complete trail of data
access and modifications." Server access logs record every request, including the ones refused
by a bucket policy, which CloudTrail data events do not always show.

## Example
```hcl
resource "aws_s3_bucket" "transactions" {
  bucket = "gbp-transactions-dev"
}
```

## Fix
```hcl
resource "aws_s3_bucket_logging" "transactions" {
  bucket        = aws_s3_bucket.transactions.id
  target_bucket = data.aws_ssm_parameter.s3_gbp_audit_name.value
  target_prefix = "s3/gbp-transactions/"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    if !cx.p.s3.access_logging.required {
        return;
    }
    let replicas = s3::replicas(cx);
    let exempt = &cx.p.s3.access_logging.exempt;
    for b in cx.m.of_type("aws_s3_bucket") {
        let excused = facts::lit(cx, b, "bucket").is_some_and(|n| exempt.iter().any(|g| g.matches(n)));
        if excused
            || s3::receives_access_logs(cx, b)
            || replicas.iter().any(|r| r.addr == b.addr)
        {
            continue;
        }
        match s3::logging(cx, b) {
            None => out.on(
                cx.m,
                b,
                format!("bucket {} has no server access logging", b.addr),
                "add an aws_s3_bucket_logging to the log bucket (legacy provider: a logging block), e.g. target_bucket = the audit bucket, target_prefix = \"s3/<bucket>/\"",
            ),
            Some((holder, target)) => {
                let empty = target
                    .map(|v| cx.m.resolve(v))
                    .is_none_or(|v| v.as_str().is_some_and(str::is_empty));
                let itself = target
                    .and_then(|v| s3::bucket_of(cx, v))
                    .is_some_and(|t| t.addr == b.addr);
                if empty || itself {
                    out.on_attr(
                        cx.m,
                        holder,
                        &["target_bucket"],
                        format!(
                            "bucket {} {}",
                            b.addr,
                            if itself {
                                "logs its own access into itself"
                            } else {
                                "has server access logging without a target bucket"
                            }
                        ),
                        "set target_bucket to the log bucket (one whose policy admits logging.s3.amazonaws.com)",
                    );
                }
            }
        }
    }
}
