//! BGL701: every Cognito user pool requires MFA.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL701",
    name: "cognito-mfa",
    title: "Cognito user pools require MFA",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cognito_user_pool", "catalogue: user pools"],
    doc: r#"## What it checks
Every `aws_cognito_user_pool` sets `mfa_configuration = "ON"` (`policies/cognito.yaml`), and
has an MFA method (`software_token_mfa_configuration { enabled = true }` or an SMS
configuration). In the catalogue, every user pool has `mfa.required: true`.

## Why
Seed 000: bank-customers "Required (biometric app + TOTP fallback)", bank-staff "Required
(TOTP)". `OPTIONAL` lets a user opt out.

## Example
```hcl
resource "aws_cognito_user_pool" "customers" {
  name              = "bank-customers-dev"
  mfa_configuration = "OPTIONAL"
}
```

## Fix
```hcl
  mfa_configuration = "ON"
  software_token_mfa_configuration {
    enabled = true
  }
```
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn check(cx: &ModCtx, out: &mut Out) {
    let want = &cx.p.cognito.mfa_configuration;
    for p in cx.m.of_type("aws_cognito_user_pool") {
        let have = facts::lit(cx, p, "mfa_configuration").unwrap_or("OFF");
        if have != want
            && p.get("mfa_configuration")
                .is_none_or(|v| cx.m.resolve(v).is_known_literal())
        {
            out.on_attr(
                cx.m,
                p,
                &["mfa_configuration"],
                format!(
                    "user pool {} has mfa_configuration = \"{have}\": MFA is not required",
                    p.addr
                ),
                format!("set mfa_configuration = \"{want}\""),
            );
        } else if have == want
            && facts::flag(cx, p, &["software_token_mfa_configuration", "enabled"]) != Some(true)
            && p.body().block("sms_configuration").is_none()
        {
            out.on(
                cx.m,
                p,
                format!(
                    "user pool {} requires MFA but enables no MFA method",
                    p.addr
                ),
                "add software_token_mfa_configuration { enabled = true }",
            );
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    for m in &cx.cat.modules {
        for p in &m.resources.user_pools {
            if !p.mfa.required {
                out.at_loc(
                    &m.loc_of(&p.name.referenced),
                    Some(format!("user pool {}", p.name.value)),
                    format!("user pool {} does not require MFA", p.name.value),
                    "set mfa.required: true (seed 000)",
                );
            }
        }
    }
}
