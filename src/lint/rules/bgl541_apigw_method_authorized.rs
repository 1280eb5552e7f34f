//! BGL541: every API Gateway method requires an authorizer (authorization is never NONE).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL541",
    name: "apigw-method-authorized",
    title: "API Gateway methods require authorization",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_59"],
    covers: &["aws_api_gateway_method"],
    doc: r#"## What it checks
Every `aws_api_gateway_method` has `authorization` other than `NONE`; when it is `CUSTOM` or
`COGNITO_USER_POOLS` it also names its `authorizer_id`. `OPTIONS` methods (CORS preflight, which
browsers send without credentials) are exempt.

## Why
Seed 002: "Cognito authorizers protect endpoints and enforce authentication." A method without an
authorizer is open to anyone who knows the URL; the WAF and the usage plan throttle it but do not
say who the caller is.

## Example
```hcl
resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.accounts.id
  http_method   = "GET"
  authorization = "NONE"
}
```

## Fix
```hcl
resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.accounts.id
  http_method   = "GET"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = aws_api_gateway_authorizer.cognito.id
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_api_gateway_method") {
        let method = r.get("http_method").and_then(|v| cx.m.resolve(v).as_str());
        if method == Some("OPTIONS") {
            continue;
        }
        let auth = r.get("authorization").map(|v| cx.m.resolve(v).as_str());
        match auth {
            Some(Some("NONE")) | None => out.on_attr(
                cx.m,
                r,
                &["authorization"],
                format!("{} is open to anyone: no authorization", r.addr),
                "set authorization = \"COGNITO_USER_POOLS\" and authorizer_id = the API's Cognito authorizer",
            ),
            Some(Some("CUSTOM" | "COGNITO_USER_POOLS")) if r.get("authorizer_id").is_none() => {
                out.on_attr(
                    cx.m,
                    r,
                    &["authorization"],
                    format!("{} names no authorizer_id", r.addr),
                    "set authorizer_id to the API's authorizer",
                )
            }
            _ => {}
        }
    }
}
