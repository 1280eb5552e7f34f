//! BGL801: no Allow statement grants `*`, `service:*`, or a sensitive service's actions on
//! Resource `*`.
use super::prelude::*;
use crate::lint::iam::{PolicyDoc, Statement, document};

pub static RULE: Rule = Rule {
    code: "BGL801",
    name: "iam-wildcards",
    title: "No wildcard IAM grants on sensitive services",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"],
    covers: &["aws_iam_role_policy", "aws_iam_policy", "aws_iam_policy_document"],
    doc: r#"## What it checks
In identity policies (`aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
`aws_iam_group_policy`, a role's `inline_policy`, and every `data "aws_iam_policy_document"`
statement without principals), no Allow statement:
- has `Action = "*"`, or `NotAction` (everything but a list);
- has `<service>:*` for a sensitive service (`policies/iam.yaml`: kms, secretsmanager, iam, sts,
  s3, ssm, events, firehose, cognito-idp, sqs, sns, logs);
- grants an action of a sensitive service on `Resource = "*"`, except the actions AWS
  authorises only on `*` (`resource_star_allowed`, e.g. `secretsmanager:GetRandomPassword`).

Resource-based policies (key, bucket, queue, topic and bus policies, whose statements name a
principal) are out of scope: there `*` means the resource itself.

## Why
Least privilege (seed 000: "One IAM role per system domain, following least-privilege"). A
wildcard on keys, secrets or identities gives a function access to every customer's data.

## Example
```hcl
Statement = [{ Effect = "Allow", Action = "secretsmanager:*", Resource = "*" }]
```

## Fix
```hcl
Statement = [{
  Effect   = "Allow"
  Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
  Resource = "arn:aws:secretsmanager:ap-southeast-2:647751526084:secret:bank-core/neon*"
}]
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const IDENTITY_POLICIES: [&str; 4] = [
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

fn service(action: &str) -> &str {
    action.split(':').next().unwrap_or(action)
}

fn problems(cx: &ModCtx, s: &Statement) -> Vec<String> {
    let iam = &cx.p.iam;
    let sensitive = |svc: &str| {
        iam.sensitive_services
            .iter()
            .any(|x| x.eq_ignore_ascii_case(svc))
    };
    let mut out = Vec::new();
    if !s.allow || !s.principals.is_empty() {
        return out;
    }
    if !s.not_actions.is_empty() {
        out.push("allows everything except a NotAction list".to_string());
    }
    let mut on_star = Vec::new();
    let star_resource = s
        .resources
        .iter()
        .any(|r| cx.m.resolve(r).as_str() == Some("*"));
    for a in &s.actions {
        let svc = service(a);
        if a == "*" {
            out.push("allows every action (`*`)".to_string());
        } else if a.ends_with(":*") && sensitive(svc) {
            out.push(format!("allows every {svc} action (`{a}`)"));
        } else if star_resource
            && sensitive(svc)
            && !iam.resource_star_allowed.iter().any(|g| g.matches(a))
        {
            on_star.push(format!("`{a}`"));
        }
    }
    if !on_star.is_empty() {
        out.push(format!(
            "allows {} on every resource (`*`)",
            on_star.join(", ")
        ));
    }
    out
}

fn report(cx: &ModCtx, out: &mut Out, holder: &Resource, doc: &PolicyDoc) {
    for s in &doc.statements {
        let p = problems(cx, s);
        if p.is_empty() {
            continue;
        }
        let sid = s
            .sid
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        out.on_statement(
            cx.m,
            holder,
            s,
            format!("statement{sid} of {} {}", holder.addr, p.join("; ")),
            "name the specific actions and the resources (ARNs) they are needed on",
        );
    }
}

fn is_data_doc(cx: &ModCtx, v: &Val) -> bool {
    cx.m.target_of(v)
        .is_some_and(|(r, _)| r.rtype == "aws_iam_policy_document")
}

fn check(cx: &ModCtx, out: &mut Out) {
    for r in &cx.m.resources {
        if r.mode != crate::lint::index::Mode::Managed {
            continue;
        }
        let mut policies: Vec<&Val> = Vec::new();
        if IDENTITY_POLICIES.contains(&r.rtype.as_str()) {
            policies.extend(r.get("policy"));
        }
        if r.rtype == "aws_iam_role" {
            policies.extend(
                r.body()
                    .blocks("inline_policy")
                    .filter_map(|b| b.body.get("policy")),
            );
        }
        for p in policies {
            if is_data_doc(cx, p) {
                continue;
            }
            if let Some(doc) = document(cx.m, p, r.file) {
                report(cx, out, r, &doc);
            }
        }
    }
    for d in cx.m.data_of_type("aws_iam_policy_document") {
        let v = Val {
            kind: Kind::Ref(vec![
                "data".into(),
                d.rtype.clone(),
                d.name.clone(),
                "json".into(),
            ]),
            span: d.block.span,
        };
        if let Some(doc) = document(cx.m, &v, d.file) {
            report(cx, out, d, &doc);
        }
    }
}
