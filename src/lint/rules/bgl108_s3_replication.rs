//! BGL108: every bucket the policy marks for DR replicates to a bucket in another region.
use super::prelude::*;
use crate::lint::{facts, s3};

pub static RULE: Rule = Rule {
    code: "BGL108",
    name: "s3-replication",
    title: "Buckets marked for DR replicate to another region",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_144"],
    covers: &["aws_s3_bucket", "aws_s3_bucket_replication_configuration"],
    doc: r#"## What it checks
Every `aws_s3_bucket` whose literal name matches a pattern of `policies/s3.yaml`
`replication.buckets` (`gbp-transactions-*`), and that is not itself the destination of a
replication rule (its replica), has a replication configuration
(`aws_s3_bucket_replication_configuration`, or the legacy inline `replication_configuration`)
with a `role` and an enabled rule whose `destination` names a bucket. When that destination is a
bucket of the same folder, its provider (`provider = aws.dr`) must be in another region than the
source's.

The marking is data, not a tag of the tree: removing the replication (or a tag) cannot remove the
requirement. The bank's policy marks no bucket (ADR-042 keeps its data in one region).

## Why
Seed 002: "The transaction bucket stores active data with encryption and cross-region
replication for disaster recovery", and "S3 replicates objects automatically" to the replica
region that takes over in case of regional failure. A replica in the same region does not
survive the failure of that region.

## Example
```hcl
resource "aws_s3_bucket" "transactions" {
  bucket = "gbp-transactions-dev"
}
```

## Fix
```hcl
resource "aws_s3_bucket_replication_configuration" "transactions" {
  role   = aws_iam_role.transactions_replication.arn
  bucket = aws_s3_bucket.transactions.id
  rule {
    id     = "dr"
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Enabled"
    }
    destination {
      bucket = aws_s3_bucket.transactions_replica.arn
    }
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn region<'a>(cx: &'a ModCtx, r: &Resource) -> Option<&'a str> {
    facts::provider_of(cx, r)
        .and_then(|p| p.block.body.get("region"))
        .and_then(|v| cx.m.resolve(v).as_str())
}

fn check(cx: &ModCtx, out: &mut Out) {
    let patterns = &cx.p.s3.replication.buckets;
    if patterns.is_empty() {
        return;
    }
    let replicas = s3::replicas(cx);
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some(name) = facts::lit(cx, b, "bucket") else {
            continue;
        };
        if !patterns.iter().any(|p| p.matches(name))
            || replicas.iter().any(|r| r.addr == b.addr)
        {
            continue;
        }
        let Some(rep) = s3::replication(cx, b) else {
            out.on(
                cx.m,
                b,
                format!("bucket {} is marked for DR replication but has no replication configuration", b.addr),
                "add an aws_s3_bucket_replication_configuration (legacy provider: replication_configuration) with a role and an enabled rule to a bucket in the DR region",
            );
            continue;
        };
        let role_set = rep
            .role
            .is_some_and(|v| !cx.m.resolve(v).as_str().is_some_and(str::is_empty));
        if !role_set {
            let span = crate::lint::finding::header_span(cx.m.file_of(rep.holder), rep.span);
            out.at(
                cx.m,
                rep.holder,
                span,
                format!("the replication of bucket {} has no role", b.addr),
                "set role to the ARN of a role that s3.amazonaws.com assumes",
            );
        }
        let live: Vec<_> = rep
            .rules
            .iter()
            .filter(|r| r.enabled && r.destination.is_some())
            .collect();
        if live.is_empty() {
            let span = crate::lint::finding::header_span(cx.m.file_of(rep.holder), rep.span);
            out.at(
                cx.m,
                rep.holder,
                span,
                format!("the replication of bucket {} has no enabled rule with a destination bucket", b.addr),
                "add a rule { status = \"Enabled\", destination { bucket = <the replica's ARN> } }",
            );
            continue;
        }
        let here = region(cx, b);
        for r in live {
            let Some(dest) = r.destination.and_then(|d| s3::bucket_of(cx, d)) else {
                continue;
            };
            if here.is_some() && region(cx, dest) == here {
                let file = cx.m.file_of(rep.holder);
                out.at(
                    cx.m,
                    rep.holder,
                    crate::lint::finding::header_span(file, r.span),
                    format!(
                        "bucket {} replicates to {} in its own region {}",
                        b.addr,
                        dest.addr,
                        here.unwrap_or("?")
                    ),
                    "put the replica in the DR region: provider = aws.dr (platform.yaml dr_region)",
                );
            }
        }
    }
}
