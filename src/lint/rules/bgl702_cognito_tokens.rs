//! BGL702: Cognito app clients' token lifetimes are at most seed 000's.
use super::prelude::*;
use crate::lint::policies::{TokenLimit, unit_seconds};

pub static RULE: Rule = Rule {
    code: "BGL702",
    name: "cognito-token-lifetimes",
    title: "Cognito tokens live no longer than seed 000 says",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cognito_user_pool_client", "catalogue: user pools"],
    doc: r#"## What it checks
Every `aws_cognito_user_pool_client` sets `id_token_validity`, `access_token_validity` and
`refresh_token_validity` explicitly, and, in the units of its `token_validity_units` block
(Cognito's defaults: hours, hours, days), none is longer than `policies/cognito.yaml`: ID and
access tokens 1 hour, refresh tokens 30 days. In the catalogue, each pool's `tokens` are within
the same limits.

## Why
Seed 000: "Token configuration: ID token 1h, access token 1h, refresh token 30d." A stolen
token is useful for as long as it lives.

## Example
```hcl
resource "aws_cognito_user_pool_client" "web" {
  refresh_token_validity = 3650
}
```

## Fix
```hcl
  id_token_validity      = 1
  access_token_validity  = 1
  refresh_token_validity = 30
  token_validity_units {
    id_token      = "hours"
    access_token  = "hours"
    refresh_token = "days"
  }
```
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn check(cx: &ModCtx, out: &mut Out) {
    let t = &cx.p.cognito.tokens;
    for c in cx.m.of_type("aws_cognito_user_pool_client") {
        for (token, default_unit, limit) in [
            ("id_token", "hours", &t.id_token),
            ("access_token", "hours", &t.access_token),
            ("refresh_token", "days", &t.refresh_token),
        ] {
            let key = format!("{token}_validity");
            let unit = c
                .body()
                .path(&["token_validity_units", token])
                .and_then(|a| a.val.as_str())
                .unwrap_or(default_unit);
            match (c.get(&key), facts::num(cx, c.body(), &[&key])) {
                (None, _) => out.on(
                    cx.m,
                    c,
                    format!("app client {} leaves {key} to Cognito's default", c.addr),
                    format!("set {key} = {} ({})", limit.value, limit.unit),
                ),
                (Some(_), Some(v)) => {
                    let secs = v * unit_seconds(unit).unwrap_or(1.0);
                    if secs > limit.seconds() {
                        out.on_attr(
                            cx.m,
                            c,
                            &[&key],
                            format!(
                                "app client {} issues {token}s valid {v} {unit}, longer than {} {}",
                                c.addr, limit.value, limit.unit
                            ),
                            format!(
                                "set {key} = {} with token_validity_units {{ {token} = \"{}\" }}",
                                limit.value, limit.unit
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn over(limit: &TokenLimit, value: u32, unit: &str) -> bool {
    value as f64 * unit_seconds(unit).unwrap_or(1.0) > limit.seconds()
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let t = &cx.p.cognito.tokens;
    for m in &cx.cat.modules {
        for p in &m.resources.user_pools {
            for (what, v, unit, limit) in [
                (
                    "id_token_hours",
                    &p.tokens.id_token_hours,
                    "hours",
                    &t.id_token,
                ),
                (
                    "access_token_hours",
                    &p.tokens.access_token_hours,
                    "hours",
                    &t.access_token,
                ),
                (
                    "refresh_token_days",
                    &p.tokens.refresh_token_days,
                    "days",
                    &t.refresh_token,
                ),
            ] {
                if over(limit, v.value, unit) {
                    out.at_loc(
                        &m.loc_of(&v.referenced),
                        Some(format!("user pool {}", p.name.value)),
                        format!(
                            "user pool {} sets {what}: {}, longer than {} {}",
                            p.name.value, v.value, limit.value, limit.unit
                        ),
                        format!("set {what} to at most {} {}", limit.value, limit.unit),
                    );
                }
            }
        }
    }
}
