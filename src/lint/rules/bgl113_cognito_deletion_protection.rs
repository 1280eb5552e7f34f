//! BGL113: outside an emulator environment, every Cognito user pool is protected from deletion.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL113",
    name: "cognito-deletion-protection",
    title: "Cognito user pools are protected from deletion",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_cognito_user_pool"],
    doc: r#"## What it checks
Every `aws_cognito_user_pool` sets `deletion_protection = "ACTIVE"` (the provider's default is
`"INACTIVE"`), except in a folder of an emulator environment of the catalogue (`local`), whose
pools go with the environment. The argument came with hashicorp/aws 4.38: the legacy profile
(3.39.0, which the emulator environment uses) cannot set it, so a legacy render of any other
environment is flagged too, rightly: its pools would be unprotected. A value that depends on a
variable without a value is a warning that names the variable.

## Why
A user pool holds the customers' identities, credentials and MFA enrolments; a deleted pool
cannot be restored, and a new one gives every user a new `sub`. With deletion protection AWS
refuses `DeleteUserPool` until someone turns it off on purpose, whatever Terraform planned.

## Example
```hcl
resource "aws_cognito_user_pool" "customers" {
  name              = "bank-customers-prod"
  mfa_configuration = "ON"
}
```

## Fix
```hcl
resource "aws_cognito_user_pool" "customers" {
  name                = "bank-customers-prod"
  mfa_configuration   = "ON"
  deletion_protection = "ACTIVE"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    if facts::emulated(cx) {
        return;
    }
    for p in cx.m.of_type("aws_cognito_user_pool") {
        let attr = p.body().attr("deletion_protection");
        let found = attr.and_then(|a| cx.m.resolve(&a.val).as_str());
        if found == Some("ACTIVE") {
            continue;
        }
        if let Some(a) = attr
            && found.is_none()
            && let Some(what) = facts::depends_on(cx, &a.val)
        {
            out.unknown_at(
                cx.m,
                p,
                a.span,
                format!(
                    "deletion_protection of user pool {} depends on {what}, unknown before a plan",
                    p.addr
                ),
                "give it the value \"ACTIVE\" (a default, a .tfvars file, --var), or set deletion_protection = \"ACTIVE\"",
            );
            continue;
        }
        out.on_attr(
            cx.m,
            p,
            &["deletion_protection"],
            format!(
                "user pool {} is not protected from deletion ({})",
                p.addr,
                match (found, attr) {
                    (Some(v), _) => format!("deletion_protection = \"{v}\""),
                    (None, Some(_)) => "deletion_protection is not \"ACTIVE\"".into(),
                    (None, None) => "deletion_protection is INACTIVE by default".into(),
                }
            ),
            "set deletion_protection = \"ACTIVE\" (hashicorp/aws 4.38 or later)",
        );
    }
}
