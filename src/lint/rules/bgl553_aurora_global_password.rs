//! BGL553: no member of an Aurora global database asks RDS to manage its master password.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL553",
    name: "aurora-global-password",
    title: "Members of an Aurora global database do not use RDS-managed master passwords",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &[],
    covers: &["aws_rds_cluster"],
    doc: r#"## What it checks
No `aws_rds_cluster` with a `global_cluster_identifier` sets `manage_master_user_password = true`.

## Why
RDS does not manage the master password of a cluster that is part of an Aurora global database
(Aurora User Guide, "Limitations for Secrets Manager integration": "DB clusters that are part of
an Aurora global database"). The plan looks fine; the apply fails when RDS rejects the create or
the join, after the global cluster exists. Seed 002's ledger is such a member: its password
comes from a rotated Secrets Manager secret instead (the catalogue's `master_secret`).

## Example
```hcl
resource "aws_rds_cluster" "ledger" {
  cluster_identifier          = "gbp-ledger-dev"
  global_cluster_identifier   = aws_rds_global_cluster.ledger.id
  master_username             = "gbp_admin"
  manage_master_user_password = true
}
```

## Fix
```hcl
resource "aws_rds_cluster" "ledger" {
  cluster_identifier        = "gbp-ledger-dev"
  global_cluster_identifier = aws_rds_global_cluster.ledger.id
  master_username           = "gbp_admin"
  master_password           = data.aws_secretsmanager_secret_version.ledger_master.secret_string
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_rds_cluster") {
        if r.get("global_cluster_identifier").is_none() {
            continue;
        }
        if facts::flag(cx, r, &["manage_master_user_password"]) == Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["manage_master_user_password"],
                format!(
                    "{} is a member of an Aurora global database, whose master password RDS does not manage",
                    r.addr
                ),
                "read the password from a rotated secret (master_password), or leave the global database",
            );
        }
    }
}
