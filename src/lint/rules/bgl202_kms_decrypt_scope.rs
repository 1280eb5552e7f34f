//! BGL202: a domain role may decrypt only with the keys of the classifications its domain
//! handles, in role policies, key policies and the catalogue.
use super::prelude::*;
use crate::lint::iam::Statement;
use crate::lint::value::Part;

pub static RULE: Rule = Rule {
    code: "BGL202",
    name: "kms-decrypt-scope",
    title: "Roles decrypt only their domain's classifications",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_iam_role", "aws_iam_role_policy", "aws_kms_key", "catalogue: domains"],
    doc: r#"## What it checks
A domain's Lambda execution role (the `role` of a domain in `catalog/domains.yaml`, e.g.
`BankCoreRole`, matched by the role's literal `name`, optionally with `-<env>`) is granted
`kms:Decrypt` only on the CMKs of the classifications in its domain's `handles`:
- in the role's identity policies (`aws_iam_role_policy`, `inline_policy`, attached
  `aws_iam_policy`): every `Resource` of an Allow statement that covers `kms:Decrypt` must
  resolve to a handled classification's key; `*` or `key/*` is every key;
- in key policies (`aws_kms_key.policy`): a statement that lets the role's ARN decrypt a key
  must be for a handled classification;
- in the catalogue: a role's `kms_decrypt` lists only classifications its domain handles
  (reported at the YAML line).

## Why
Seed 000: "Key policies: usage rights granted only to the Lambda execution roles of modules that
handle that data classification". BankCoreRole reads financial data only; BankPlatformRole no
KMS at all.

## Example
```hcl
resource "aws_iam_role_policy" "core" {
  role   = aws_iam_role.core.id          # name = "BankCoreRole-dev", domain SD01 handles [financial]
  policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = ["kms:Decrypt"],
    Resource = [data.aws_ssm_parameter.kms_pii_arn.value] }] })
}
```

## Fix
Grant decrypt only on the handled classifications' keys
(`data.aws_ssm_parameter.kms_financial_arn.value`), or change the domain's `handles` in the
catalogue if the domain really handles that data.
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

/// The domain whose role has this name (`BankCoreRole` or `BankCoreRole-dev`).
fn domain_of<'a>(cx: &'a ModCtx, name: &str) -> Option<&'a crate::model::Domain> {
    cx.cat?.domains.iter().find(|d| {
        name == d.role
            || name
                .strip_prefix(d.role.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

fn decrypts(s: &Statement) -> bool {
    s.allow && s.covers_action("kms:Decrypt")
}

fn all_keys(v: &Val) -> bool {
    let t = v.canonical();
    t == "*" || t.ends_with(":key/*") || t.ends_with(":alias/*")
}

/// A role name from a principal: `aws_iam_role.x.arn`, `arn:aws:iam::1:role/Name`.
fn principal_role<'a>(cx: &'a ModCtx, v: &'a Val) -> Option<String> {
    let v = cx.m.resolve(v);
    match &v.kind {
        Kind::Ref(_) => {
            let (r, _) = cx.m.target_of(v)?;
            (r.rtype == "aws_iam_role")
                .then(|| r.get("name").and_then(Val::as_str).map(String::from))?
        }
        Kind::Str(s) => s
            .rsplit_once(":role/")
            .map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_string()),
        Kind::Tmpl(parts) => match parts.last() {
            Some(Part::Lit(s)) => s.rsplit_once(":role/").map(|(_, n)| n.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    if cx.cat.is_none() {
        return;
    }
    let classes: Vec<&String> = cx.p.kms.classifications.keys().collect();
    for role in cx.m.of_type("aws_iam_role") {
        let Some(name) = role.get("name").and_then(Val::as_str) else {
            continue;
        };
        let Some(domain) = domain_of(cx, name) else {
            continue;
        };
        let handles_all = classes.iter().all(|c| domain.handles.contains(c));
        for held in facts::role_statements(cx, role) {
            let s = &held.statement;
            if !decrypts(s) {
                continue;
            }
            for res in &s.resources {
                let bad = if all_keys(cx.m.resolve(res)) {
                    (!handles_all).then(|| "every KMS key".to_string())
                } else {
                    match facts::key_class(cx, res) {
                        KeyClass::Class(c) if !domain.handles.contains(&c) => {
                            Some(format!("the {c} CMK"))
                        }
                        _ => None,
                    }
                };
                if let Some(what) = bad {
                    out.on_statement(
                        cx.m,
                        held.holder,
                        s,
                        format!(
                            "role {name} ({}, handles [{}]) may decrypt with {what}",
                            domain.id,
                            domain.handles.join(", ")
                        ),
                        format!(
                            "grant kms:Decrypt only on the CMKs of [{}] (domains.yaml `handles`)",
                            domain.handles.join(", ")
                        ),
                    );
                }
            }
        }
    }
    for key in cx.m.of_type("aws_kms_key") {
        let KeyClass::Class(class) = facts::resource_key(cx, key) else {
            continue;
        };
        let Some(doc) = key
            .get("policy")
            .and_then(|v| crate::lint::iam::document(cx.m, v, key.file))
        else {
            continue;
        };
        for s in doc.statements.iter().filter(|s| decrypts(s)) {
            for p in s.principals.iter().filter(|p| p.kind == "AWS") {
                let Some(name) = principal_role(cx, &p.id) else {
                    continue;
                };
                let Some(domain) = domain_of(cx, &name) else {
                    continue;
                };
                if !domain.handles.contains(&class) {
                    out.on_statement(
                        cx.m,
                        key,
                        s,
                        format!(
                            "the {class} key policy lets role {name} ({}, handles [{}]) decrypt",
                            domain.id,
                            domain.handles.join(", ")
                        ),
                        format!("remove {name} from the {class} key policy, or add {class} to its domain's `handles`"),
                    );
                }
            }
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    for m in &cx.cat.modules {
        for role in &m.resources.iam_roles {
            let Some(domain) = cx.cat.domain(&role.domain.value) else {
                continue;
            };
            for p in &role.permissions {
                if let crate::model::Permission::KmsDecrypt(classes) = p {
                    for c in classes {
                        if !domain.handles.contains(&c.value) {
                            out.at_loc(
                                &m.loc_of(&c.referenced),
                                Some(format!("role {}", role.name.value)),
                                format!(
                                    "role {} may decrypt {} data, but its domain {} handles only [{}]",
                                    role.name.value,
                                    c.value,
                                    domain.id,
                                    domain.handles.join(", ")
                                ),
                                format!("remove `{}` from kms_decrypt, or add it to {}'s `handles` in domains.yaml", c.value, domain.id),
                            );
                        }
                    }
                }
            }
        }
    }
}
