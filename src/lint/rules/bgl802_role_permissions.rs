//! BGL802: a domain role's permissions are exactly its row of seed 000.
use super::prelude::*;
use crate::lint::policies::Glob;
use crate::model::Permission;

pub static RULE: Rule = Rule {
    code: "BGL802",
    name: "role-permissions",
    title: "Domain roles grant exactly their catalogue permissions",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_iam_role"],
    doc: r#"## What it checks
For every `aws_iam_role` whose literal `name` is a catalogue `iam_roles` entry (optionally with
`-<env>`), compared with that entry's `permissions` (seed 000's "Key permissions" column),
through the action patterns of `policies/iam.yaml`:
- every action its Allow statements grant belongs to a permission of its row (or the baseline:
  logging and tracing); `secrets_read` is `secretsmanager:GetSecretValue` and
  `DescribeSecret`, `events_put` is `events:PutEvents`, ...;
- every permission of its row is granted, on resources that name what the row names (the
  secret prefix, bus, bucket, stream or pool; the KMS classifications are BGL202's concern).

## Why
Seed 000 lists each domain role's permissions; anything more is privilege the design did not
grant, anything less breaks the domain's functions.

## Example
```hcl
# BankCoreRole: secrets_read [bank-core/neon], events_put [bank-core], kms_decrypt [financial]
Statement = [{ Effect = "Allow", Action = ["s3:PutObject"], Resource = ["arn:aws:s3:::bank-documents-dev/*"] }]
```

## Fix
Render the role again from the catalogue, or change its `permissions` row in the catalogue.
"#,
    terraform: Some(check),
    catalogue: None,
};

fn names(v: &[crate::kinds::Sp<String>]) -> Vec<&str> {
    v.iter().map(|s| s.value.as_str()).collect()
}

fn category(p: &Permission) -> (&'static str, Vec<&str>) {
    match p {
        Permission::SecretsRead(v) => ("secrets_read", names(v)),
        Permission::EventsPut(v) => ("events_put", names(v)),
        Permission::EventsRead(v) => ("events_read", names(v)),
        Permission::S3Put(v) => ("s3_put", names(v)),
        Permission::S3ReadWrite(v) => ("s3_read_write", names(v)),
        Permission::FirehosePut(v) => ("firehose_put", names(v)),
        Permission::KmsDecrypt(_) => ("kms_decrypt", Vec::new()),
        Permission::CognitoAdmin(v) => ("cognito_admin", names(v)),
        Permission::KinesisRead(v) => ("kinesis_read", names(v)),
        Permission::SqsConsume(v) => ("sqs_consume", names(v)),
        Permission::SqsSend(v) => ("sqs_send", names(v)),
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    let Some(cat) = cx.cat else { return };
    let iam = &cx.p.iam;
    let empty: Vec<Glob> = Vec::new();
    for role in cx.m.of_type("aws_iam_role") {
        let Some(name) = role.get("name").and_then(Val::as_str) else {
            continue;
        };
        let Some(row) = cat
            .modules
            .iter()
            .flat_map(|m| m.resources.iam_roles.iter())
            .find(|r| {
                let n = &r.name.value;
                name == n
                    || name
                        .strip_prefix(n.as_str())
                        .is_some_and(|rest| rest.starts_with('-'))
            })
        else {
            continue;
        };
        let statements = facts::role_statements(cx, role);
        let allows: Vec<_> = statements.iter().filter(|h| h.statement.allow).collect();
        let cats: Vec<(&str, Vec<&str>)> = row.permissions.iter().map(category).collect();
        for held in &allows {
            let s = &held.statement;
            for a in &s.actions {
                let ok = iam.baseline.iter().any(|g| g.matches(a))
                    || cats.iter().any(|(c, _)| {
                        iam.permissions
                            .get(*c)
                            .unwrap_or(&empty)
                            .iter()
                            .any(|g| g.matches(a))
                    });
                if !ok {
                    out.on_statement(
                        cx.m,
                        held.holder,
                        s,
                        format!("role {name} grants `{a}`, which no permission of its catalogue row ({}) stands for", cats.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")),
                        format!("remove `{a}`, or add the permission to {}'s row in the catalogue", row.name.value),
                    );
                }
            }
        }
        for (c, targets) in &cats {
            let globs = iam.permissions.get(*c).unwrap_or(&empty);
            let granting: Vec<_> = allows
                .iter()
                .filter(|h| {
                    h.statement
                        .actions
                        .iter()
                        .any(|a| globs.iter().any(|g| g.matches(a)))
                })
                .collect();
            if granting.is_empty() {
                out.on(
                    cx.m,
                    role,
                    format!("role {name} does not grant its catalogue permission {c}"),
                    format!(
                        "grant {} (policies/iam.yaml permissions.{c})",
                        globs
                            .iter()
                            .map(|g| g.text.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                continue;
            }
            let texts: Vec<String> = granting
                .iter()
                .flat_map(|h| {
                    h.statement
                        .resources
                        .iter()
                        .map(|r| facts::resolved_text(cx, r))
                })
                .collect();
            for t in targets {
                // A renamed bucket's ARN keeps its old name.
                let named = match *c {
                    "s3_put" | "s3_read_write" => cat.physical_name("buckets", t),
                    _ => t,
                };
                if !texts.iter().any(|x| x.contains(named) || x == "*") {
                    out.on_statement(
                        cx.m,
                        granting[0].holder,
                        &granting[0].statement,
                        format!(
                            "role {name} grants {c} but not on `{t}`, which its catalogue row names"
                        ),
                        format!("add the ARN of {t} to the statement's resources"),
                    );
                }
            }
        }
    }
}
