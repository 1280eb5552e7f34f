//! BGL550: every data store tagged with a DR-protected recovery tier replicates to another
//! region.
use super::prelude::*;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL550",
    name: "dr-protected-replicated",
    title: "Data stores of a DR-protected recovery tier replicate",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[
        "aws_s3_bucket",
        "aws_dynamodb_table",
        "aws_rds_cluster",
        "aws_s3_bucket_replication_configuration",
        "aws_dynamodb_table_replica",
        "aws_rds_global_cluster",
    ],
    doc: r#"## What it checks
With a `policies/dr.yaml` (optional: without one the rule has nothing to check), every resource
whose tag `tier_tag` (`recovery_tier`, its own tags over the provider's `default_tags`) is a tier
of `protected` (`critical`) replicates:

- an `aws_s3_bucket` has an `aws_s3_bucket_replication_configuration` whose `bucket` refers to it
  (or the legacy inline `replication_configuration` block); a bucket that is itself the
  destination of a replication rule (the replica) is not checked. Whether the replication's rule
  is enabled and its replica in another region is BGL108's concern;
- an `aws_dynamodb_table` has a `replica` block, or an `aws_dynamodb_table_replica` whose
  `global_table_arn` refers to it;
- an `aws_rds_cluster` sets `global_cluster_identifier`, or is the `source_db_cluster_identifier`
  of an `aws_rds_global_cluster`, or the `replication_source_identifier` of another
  `aws_rds_cluster`.

The rule reads the tag, not the catalogue: it checks hand-written Terraform too.

## Why
Seed 002: "Cross-region replication keeps data synchronized between regions. S3 replicates
objects automatically, Aurora Global Database replicates with low latency", and "replica regions
stand ready to take over in case of regional failure". A store the recovery plan counts on that
has no copy in another region is lost with its region.

## Example
```hcl
resource "aws_dynamodb_table" "sessions" {
  name         = "gbp-sessions-dev"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"
  attribute {
    name = "session_id"
    type = "S"
  }
  tags = { recovery_tier = "critical" }
}
```

## Fix
```hcl
resource "aws_dynamodb_table_replica" "sessions" {
  provider         = aws.dr
  global_table_arn = aws_dynamodb_table.sessions.arn
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// Some resource of `rtype` refers to `target` from its argument `attr`.
fn referred_by(cx: &ModCtx, target: &Resource, rtype: &str, attr: &str) -> bool {
    cx.m.referrers(&target.addr, rtype).any(|r| {
        r.addr != target.addr
            && r
                .get(attr)
                .is_some_and(|v| cx.m.ref_addrs(v).contains(&target.addr))
    })
}

/// The attribute is set to something other than an empty string or null.
fn set(cx: &ModCtx, r: &Resource, attr: &str) -> bool {
    r.get(attr).is_some_and(|v| {
        let v = cx.m.resolve(v);
        !(v.as_str().is_some_and(str::is_empty) || matches!(v.kind, Kind::Null))
    })
}

/// How a protected resource of this type replicates, if it does; `None` for another type.
fn replicated(cx: &ModCtx, r: &Resource, replicas: &[&Resource]) -> Option<(bool, &'static str)> {
    Some(match r.rtype.as_str() {
        "aws_s3_bucket" => {
            if replicas.iter().any(|x| x.addr == r.addr) {
                return None;
            }
            (
                s3::replication(cx, r).is_some(),
                "add an aws_s3_bucket_replication_configuration (legacy provider: replication_configuration) to a bucket in the DR region",
            )
        }
        "aws_dynamodb_table" => (
            r.body().blocks("replica").next().is_some()
                || referred_by(cx, r, "aws_dynamodb_table_replica", "global_table_arn"),
            "add a replica { region_name = <the DR region> } block, or an aws_dynamodb_table_replica whose global_table_arn is this table's ARN",
        ),
        "aws_rds_cluster" => (
            set(cx, r, "global_cluster_identifier")
                || referred_by(cx, r, "aws_rds_global_cluster", "source_db_cluster_identifier")
                || referred_by(cx, r, "aws_rds_cluster", "replication_source_identifier"),
            "make it part of an Aurora Global Database: an aws_rds_global_cluster with source_db_cluster_identifier = its ARN, or set global_cluster_identifier",
        ),
        _ => return None,
    })
}

fn check(cx: &ModCtx, out: &mut Out) {
    let Some(dr) = &cx.p.dr else {
        return;
    };
    let replicas = s3::replicas(cx);
    for ty in ["aws_s3_bucket", "aws_dynamodb_table", "aws_rds_cluster"] {
        for r in cx.m.of_type(ty) {
            let Some(tags) = facts::tags(cx, r) else {
                continue;
            };
            let Some(tier) = tags.get(dr.tier_tag.as_str()).and_then(|t| t.value) else {
                continue;
            };
            if !dr.protects(tier) {
                continue;
            }
            let Some((ok, fix)) = replicated(cx, r, &replicas) else {
                continue;
            };
            if !ok {
                out.on(
                    cx.m,
                    r,
                    format!(
                        "{} is in the DR-protected recovery tier {tier} but does not replicate to another region",
                        r.addr
                    ),
                    fix,
                );
            }
        }
    }
}
