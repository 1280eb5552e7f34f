//! BGL320: every public entry point of a folder is behind a WAFv2 web ACL, and every web ACL logs.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL320",
    name: "waf-public-entry",
    title: "Public entry points are behind a logging WAFv2 web ACL",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV2_AWS_28", "CKV2_AWS_29", "CKV_AWS_68", "CKV2_AWS_31"],
    covers: &[
        "aws_lb",
        "aws_alb",
        "aws_api_gateway_stage",
        "aws_cloudfront_distribution",
        "aws_wafv2_web_acl",
    ],
    doc: r#"## What it checks
In each folder (a Terraform module), every public entry point is associated with a WAFv2 web ACL:
- an `aws_lb` / `aws_alb` that is internet-facing (`internal` absent or `false`) and an
  application load balancer (`load_balancer_type` absent or `"application"`; WAF cannot attach
  to network or gateway load balancers): an `aws_wafv2_web_acl_association` whose
  `resource_arn` refers to it;
- an `aws_api_gateway_stage`, unless its REST API's `endpoint_configuration` is `PRIVATE`: an
  `aws_wafv2_web_acl_association` whose `resource_arn` refers to it;
- an `aws_cloudfront_distribution`: a non-empty `web_acl_id`.

And, in the same rule, every `aws_wafv2_web_acl` has an `aws_wafv2_web_acl_logging_configuration`
whose `resource_arn` refers to it: a firewall whose decisions nobody can read protects half-way.
A value that is not a literal (`internal = var.internal`) is not guessed: the entry point is
checked only when it is known to be public.

## Why
Seed 002: "A Web Application Firewall protects public-facing APIs from common attacks like SQL
injection and cross-site scripting." The security stack owns the web ACL and exports its ARN
(`waf/<name>/arn`); the module that owns the load balancer or the API stage associates it. Its
logs (CloudWatch log group `aws-waf-logs-…`) are what an investigation of a blocked or an
admitted attack reads. The AWS Config rules `ALB_WAF_ENABLED`, `API_GW_ASSOCIATED_WITH_WAF` and
`WAFV2_LOGGING_ENABLED` check the same in the account.

## Example
```hcl
resource "aws_lb" "api" {
  name               = "gbp-api-dev"
  load_balancer_type = "application"
  subnets            = split(",", data.aws_ssm_parameter.network_gbp_core_public_subnet_ids.value)
}
```

## Fix
```hcl
resource "aws_wafv2_web_acl_association" "api" {
  resource_arn = aws_lb.api.arn
  web_acl_arn  = data.aws_ssm_parameter.waf_gbp_public_arn.value
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const ASSOCIATION: &str = "aws_wafv2_web_acl_association";

fn associated(cx: &ModCtx, r: &Resource) -> bool {
    cx.m.referrers(&r.addr, ASSOCIATION).any(|a| {
        a.get("resource_arn")
            .is_some_and(|v| cx.m.resolve(v).refs().iter().any(|p| refers_to(p, r)))
    })
}

/// `aws_lb.api.arn` (a path of a reference) names `r`.
fn refers_to(path: &[String], r: &Resource) -> bool {
    crate::lint::value::ref_target(path).is_some_and(|t| t.addr == r.addr)
}

fn check(cx: &ModCtx, out: &mut Out) {
    for t in ["aws_lb", "aws_alb"] {
        for r in cx.m.of_type(t) {
            let internal = r.get("internal").map(|v| cx.m.resolve(v));
            let public = match internal {
                None => true,
                Some(v) => v.as_bool() == Some(false),
            };
            let application = facts::lit(cx, r, "load_balancer_type")
                .is_none_or(|t| t == "application")
                && r.get("load_balancer_type")
                    .is_none_or(|v| cx.m.resolve(v).is_known_literal());
            if public && application && !associated(cx, r) {
                out.on(
                    cx.m,
                    r,
                    format!("internet-facing load balancer {} has no web ACL", r.addr),
                    format!(
                        "add an {ASSOCIATION} with resource_arn = {}.arn and the web ACL's ARN (the contract waf/<name>/arn)",
                        r.addr
                    ),
                );
            }
        }
    }
    for r in cx.m.of_type("aws_api_gateway_stage") {
        let private = r
            .get("rest_api_id")
            .and_then(|v| cx.m.target_of(v))
            .and_then(|(api, _)| api.body().path(&["endpoint_configuration", "types"]))
            .is_some_and(|a| {
                cx.m.resolve(&a.val)
                    .items()
                    .iter()
                    .any(|t| t.as_str() == Some("PRIVATE"))
            });
        if !private && !associated(cx, r) {
            out.on(
                cx.m,
                r,
                format!("API stage {} has no web ACL", r.addr),
                format!(
                    "add an {ASSOCIATION} with resource_arn = {}.arn and the web ACL's ARN (the contract waf/<name>/arn)",
                    r.addr
                ),
            );
        }
    }
    for r in cx.m.of_type("aws_cloudfront_distribution") {
        let acl = r.get("web_acl_id").map(|v| cx.m.resolve(v));
        if acl.is_none_or(|v| matches!(v.as_str(), Some("")) || v.kind == Kind::Null) {
            out.on_attr(
                cx.m,
                r,
                &["web_acl_id"],
                format!("CloudFront distribution {} has no web ACL", r.addr),
                "set web_acl_id to the ARN of a CLOUDFRONT-scope WAFv2 web ACL",
            );
        }
    }
    for acl in cx.m.of_type("aws_wafv2_web_acl") {
        let logs = cx
            .m
            .referrers(&acl.addr, "aws_wafv2_web_acl_logging_configuration")
            .any(|l| {
                l.get("resource_arn")
                    .is_some_and(|v| cx.m.resolve(v).refs().iter().any(|p| refers_to(p, acl)))
            });
        if !logs {
            out.on(
                cx.m,
                acl,
                format!("web ACL {} does not log", acl.addr),
                format!(
                    "add an aws_wafv2_web_acl_logging_configuration with resource_arn = {}.arn, to a log group named aws-waf-logs-…",
                    acl.addr
                ),
            );
        }
    }
}
