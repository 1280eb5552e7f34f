//! BGL703: public Cognito clients have no secret and use the authorization-code flow.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL703",
    name: "cognito-public-client",
    title: "Public Cognito clients: no secret, code flow (PKCE)",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cognito_user_pool_client"],
    doc: r#"## What it checks
Every `aws_cognito_user_pool_client` that is public (no `generate_secret = true`, or declared
`type: public` in the catalogue) allows only the flows in `policies/cognito.yaml`
(`allowed_oauth_flows = ["code"]`, used with PKCE), and a client the catalogue declares public
does not generate a secret. The implicit flow is reported on any client.

## Why
Seed 000: the mobile and web apps are "public client, PKCE". A secret in a mobile or browser
app is not secret; the implicit flow puts tokens in URLs.

## Example
```hcl
resource "aws_cognito_user_pool_client" "web" {
  name                = "web-app"
  generate_secret     = false
  allowed_oauth_flows = ["implicit"]
}
```

## Fix
```hcl
  generate_secret                      = false
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_flows_user_pool_client = true
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The catalogue's type of a client, matched by name (`web-app`, `bank-customers-web-app-dev`).
fn catalogue_public(cx: &ModCtx, name: &str) -> Option<bool> {
    let cat = cx.cat?;
    cat.modules
        .iter()
        .flat_map(|m| m.resources.user_pools.iter())
        .flat_map(|p| p.clients.iter().map(move |c| (p, c)))
        .find(|(p, c)| {
            let n = &c.name.value;
            name == n || name.starts_with(&format!("{}-{n}", p.name.value))
        })
        .map(|(_, c)| c.client_type == crate::model::ClientType::Public)
}

fn check(cx: &ModCtx, out: &mut Out) {
    let allowed = &cx.p.cognito.public_client_flows;
    for c in cx.m.of_type("aws_cognito_user_pool_client") {
        let secret = facts::flag(cx, c, &["generate_secret"]) == Some(true);
        let declared = c
            .get("name")
            .and_then(Val::as_str)
            .and_then(|n| catalogue_public(cx, n));
        if declared == Some(true) && secret {
            out.on_attr(
                cx.m,
                c,
                &["generate_secret"],
                format!("app client {} is a public client in the catalogue but generates a secret", c.addr),
                "set generate_secret = false: an app cannot keep a secret; use the code flow with PKCE",
            );
        }
        let flows: Vec<String> = c
            .get("allowed_oauth_flows")
            .map(|v| {
                v.items()
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let public = declared.unwrap_or(!secret);
        let bad: Vec<&String> = flows
            .iter()
            .filter(|f| *f == "implicit" || (public && !allowed.contains(f)))
            .collect();
        if !bad.is_empty() {
            out.on_attr(
                cx.m,
                c,
                &["allowed_oauth_flows"],
                format!(
                    "{} client {} allows the {} flow",
                    if public { "public" } else { "app" },
                    c.addr,
                    bad.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("allow only {:?} (authorization code with PKCE)", allowed),
            );
        } else if public && flows.is_empty() && c.get("callback_urls").is_some() {
            out.on(
                cx.m,
                c,
                format!("public client {} has callback URLs but no allowed_oauth_flows", c.addr),
                "set allowed_oauth_flows = [\"code\"] and allowed_oauth_flows_user_pool_client = true",
            );
        }
    }
}
