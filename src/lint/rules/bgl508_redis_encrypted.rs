//! BGL508: every aws_elasticache_replication_group encrypts in transit and at rest (with a CMK),
//! requires an AUTH token that is not written in the file, and fails over across zones.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL508",
    name: "redis-encrypted",
    title: "Redis replication groups are encrypted, require AUTH and are Multi-AZ",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[
        "CKV_AWS_29",
        "CKV_AWS_30",
        "CKV_AWS_31",
        "CKV_AWS_191",
        "CKV2_AWS_50",
    ],
    covers: &["aws_elasticache_replication_group"],
    doc: r#"## What it checks
Every `aws_elasticache_replication_group`:
- has `transit_encryption_enabled = true` and `at_rest_encryption_enabled = true`, with a
  `kms_key_id` that is a customer-managed key (an AWS-managed alias does not count);
- requires authentication: an `auth_token` (or RBAC `user_group_ids`), and the token is not a
  literal in the file (read it from Secrets Manager with a data source);
- has `multi_az_enabled = true` and `automatic_failover_enabled = true`, and, when its node count
  (`num_cache_clusters`, `number_cache_clusters` before provider 4) is a literal, at least 2
  nodes.

## Why
Seed 002: "The Redis cluster uses encryption in transit and at rest for security" and "All
stored data is encrypted with KMS keys under organizational control"; cached balances and
sessions are as sensitive as the tables they come from. Without AUTH anything that reaches the
port reads the cache; a token in the file is in the repository. A single node, or two without
failover, takes the cache down with its availability zone.

## Example
```hcl
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "gbp-cache-dev"
  description          = "Cache"
  node_type            = "cache.r7g.large"
  num_cache_clusters   = 1
  auth_token           = "correct-horse-battery-staple"
}
```

## Fix
```hcl
resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "gbp-cache-dev"
  description                = "Cache"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  at_rest_encryption_enabled = true
  kms_key_id                 = data.aws_ssm_parameter.kms_confidential_arn.value
  transit_encryption_enabled = true
  auth_token                 = data.aws_secretsmanager_secret_version.cache_auth.secret_string
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_elasticache_replication_group") {
        if facts::flag(cx, r, &["transit_encryption_enabled"]) != Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["transit_encryption_enabled"],
                format!("{} does not encrypt in transit", r.addr),
                "set transit_encryption_enabled = true",
            );
        }
        if facts::flag(cx, r, &["at_rest_encryption_enabled"]) != Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["at_rest_encryption_enabled"],
                format!("{} does not encrypt at rest", r.addr),
                "set at_rest_encryption_enabled = true and kms_key_id to the CMK of its classification",
            );
        } else {
            match r.get("kms_key_id") {
                None => out.on(
                    cx.m,
                    r,
                    format!("{} is not encrypted with a customer-managed key", r.addr),
                    "set kms_key_id to the CMK of its classification",
                ),
                Some(k) => {
                    if let KeyClass::Other(name) = facts::key_class(cx, k)
                        && name.starts_with("alias/aws/")
                    {
                        out.on_attr(
                            cx.m,
                            r,
                            &["kms_key_id"],
                            format!("{} is encrypted with the AWS-managed key {name}", r.addr),
                            "set kms_key_id to the CMK of its classification",
                        );
                    }
                }
            }
        }
        match r.get("auth_token").map(|v| cx.m.resolve(v)) {
            Some(v) if matches!(v.kind, Kind::Str(_) | Kind::Tmpl(_)) => out.on_attr(
                cx.m,
                r,
                &["auth_token"],
                format!("{}'s AUTH token is written in the file", r.addr),
                "read it from its Secrets Manager secret (data \"aws_secretsmanager_secret_version\")",
            ),
            Some(_) => {}
            None if r.get("user_group_ids").is_some() => {}
            None => out.on(
                cx.m,
                r,
                format!("{} accepts connections without an AUTH token", r.addr),
                "set auth_token from its Secrets Manager secret (with transit encryption on)",
            ),
        }
        for (flag, what) in [
            ("multi_az_enabled", "is not Multi-AZ"),
            ("automatic_failover_enabled", "has no automatic failover"),
        ] {
            if facts::flag(cx, r, &[flag]) != Some(true) {
                out.on_attr(
                    cx.m,
                    r,
                    &[flag],
                    format!("{} {what}", r.addr),
                    format!("set {flag} = true (with at least 2 nodes)"),
                );
            }
        }
        for key in ["num_cache_clusters", "number_cache_clusters"] {
            if let Some(n) = facts::num(cx, r.body(), &[key])
                && n < 2.0
            {
                out.on_attr(
                    cx.m,
                    r,
                    &[key],
                    format!("{} has {n} node(s): nothing to fail over to", r.addr),
                    format!("set {key} = 2 or more"),
                );
            }
        }
    }
}
