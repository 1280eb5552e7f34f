//! BGL805: every customer-managed IAM policy is attached in its module, or published for
//! another module to attach; one the catalogue attaches is attached.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL805",
    name: "unattached-policy",
    title: "Customer-managed policies are attached (or published for attaching)",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &[],
    covers: &[
        "aws_iam_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_ssm_parameter",
    ],
    doc: r#"## What it checks
Every `aws_iam_policy` of a module is
- attached in the same module: the `policy_arn` of an `aws_iam_role_policy_attachment`,
  `aws_iam_policy_attachment`, `aws_iam_group_policy_attachment` or
  `aws_iam_user_policy_attachment`, or an entry of an `aws_iam_role`'s `managed_policy_arns`
  (a reference to the policy, through locals, or its literal ARN), or
- published for another module to attach: the `value` of an `aws_ssm_parameter` of the module
  (the SSM contract is how a module hands another one an ARN: seed 004 publishes its namespace
  policy at `/bank/{env}/secrets/namespace-policy/arn` for "any service role that is granted
  mutation rights"; the other modules' attachments are theirs to render).

A policy that the catalogue attaches to one of the module's own roles (a function's
`attach_policies`) must be attached in the module whether or not it is published: that it is
published does not put it on the role.

## Why
A policy attached to nothing grants nothing and denies nothing, yet reads as in force. Seed 004's
namespace policy is MOD-045's DT-001 control (no secret mutation outside `bank-*`, no shadow
store in SSM), "designed for attachment to the MOD-045 rotation role (already attached)"; left
unattached, the rotation role runs without those denies and nothing fails to tell. An error,
not a warning: the control the tree documents is not the one AWS enforces, and the deploy gate
stops only on errors.

## Example
```hcl
resource "aws_iam_policy" "namespace" {
  name   = "bank-secrets-namespace-dev"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny",
    Action = "secretsmanager:CreateSecret",
    NotResource = "arn:aws:secretsmanager:*:647751526084:secret:bank-*" }] })
}
```

## Fix
```hcl
resource "aws_iam_role_policy_attachment" "rotation_namespace" {
  role       = aws_iam_role.rotation.name
  policy_arn = aws_iam_policy.namespace.arn
}
```
or, in the catalogue, `attach_policies: [bank-secrets-namespace]` on the function whose role it
is for; a policy meant for other modules gets an `exports:` entry.
"#,
    terraform: Some(check),
    catalogue: None,
};

const ATTACHMENTS: &[&str] = &[
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_user_policy_attachment",
];

fn check(cx: &ModCtx, out: &mut Out) {
    for p in cx.m.of_type("aws_iam_policy") {
        let attached = ATTACHMENTS.iter().any(|t| {
            cx.m.of_type(t)
                .any(|a| a.get("policy_arn").is_some_and(|v| names(cx, v, p)))
        }) || cx.m.of_type("aws_iam_role").any(|r| {
            r.get("managed_policy_arns")
                .is_some_and(|v| v.items().iter().any(|x| names(cx, x, p)))
        });
        if attached {
            continue;
        }
        if let Some(role) = catalogue_attaches(cx, p) {
            out.on(
                cx.m,
                p,
                format!(
                    "policy {} is attached to nothing, though the catalogue attaches it to {role}'s role",
                    p.addr
                ),
                "render the aws_iam_role_policy_attachment the catalogue's attach_policies asks for",
            );
            continue;
        }
        let published = cx
            .m
            .of_type("aws_ssm_parameter")
            .any(|s| s.get("value").is_some_and(|v| names(cx, v, p)));
        if !published {
            out.on(
                cx.m,
                p,
                format!(
                    "policy {} is attached to nothing and published to no module",
                    p.addr
                ),
                "attach it to the role it is for (aws_iam_role_policy_attachment), or publish its ARN in an SSM parameter for the module that attaches it",
            );
        }
    }
}

/// Whether `v` refers to policy `p`: a reference (through locals) or its literal ARN.
fn names(cx: &ModCtx, v: &Val, p: &Resource) -> bool {
    if cx.m.ref_addrs(v).iter().any(|a| a == &p.addr) {
        return true;
    }
    match (cx.m.resolve(v).as_str(), p.literal_name()) {
        (Some(arn), Some(name)) => arn.ends_with(&format!(":policy/{name}")),
        _ => false,
    }
}

/// The function of the folder's catalogue module whose `attach_policies` names `p`.
fn catalogue_attaches(cx: &ModCtx, p: &Resource) -> Option<String> {
    let module = cx.cat?.module(cx.module_id.as_deref()?)?;
    module
        .resources
        .functions
        .iter()
        .find(|f| {
            f.attach_policies
                .iter()
                .any(|a| crate::kinds::names::ident(&a.value) == p.name)
        })
        .map(|f| f.name.value.clone())
}
