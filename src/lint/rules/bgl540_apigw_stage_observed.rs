//! BGL540: every API Gateway stage writes access logs and traces requests with X-Ray.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL540",
    name: "apigw-stage-observed",
    title: "API Gateway stages have access logs and X-Ray tracing",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_76", "CKV_AWS_73"],
    covers: &["aws_api_gateway_stage"],
    doc: r#"## What it checks
Every `aws_api_gateway_stage` has an `access_log_settings` block with a `destination_arn` and a
`format`, and `xray_tracing_enabled = true`. A value that is not a literal is not guessed.

## Why
Seed 002: "X-Ray traces requests across distributed services to identify performance
bottlenecks", and the access logs are the only record of who called the public API (the
Cognito subject, the source address, the WAF's verdict) when an incident is investigated.

## Example
```hcl
resource "aws_api_gateway_stage" "v1" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "v1"
}
```

## Fix
```hcl
resource "aws_api_gateway_stage" "v1" {
  rest_api_id          = aws_api_gateway_rest_api.api.id
  deployment_id        = aws_api_gateway_deployment.api.id
  stage_name           = "v1"
  xray_tracing_enabled = true
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = jsonencode({ requestId = "$context.requestId" })
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_api_gateway_stage") {
        let logs = r.body().block("access_log_settings");
        if !logs.is_some_and(|b| b.body.attr("destination_arn").is_some() && b.body.attr("format").is_some()) {
            out.on(
                cx.m,
                r,
                format!("{} writes no access logs", r.addr),
                "add access_log_settings { destination_arn = <a KMS-encrypted log group>, format = jsonencode({...}) }",
            );
        }
        let xray = r.get("xray_tracing_enabled").map(|v| cx.m.resolve(v).as_bool());
        if matches!(xray, None | Some(Some(false))) {
            out.on(
                cx.m,
                r,
                format!("{} does not trace requests with X-Ray", r.addr),
                "set xray_tracing_enabled = true",
            );
        }
    }
}
