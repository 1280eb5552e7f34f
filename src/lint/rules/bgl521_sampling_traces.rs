//! BGL521: every X-Ray sampling rule traces some requests.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL521",
    name: "sampling-traces",
    title: "X-Ray sampling rules trace some requests",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_xray_sampling_rule"],
    doc: r#"## What it checks
Every `aws_xray_sampling_rule` has a `reservoir_size` above 0 or a `fixed_rate` above 0 (and at
most 1). A rule with both at 0 matches its requests and traces none of them: it hides every rule
of a lower priority.

## Why
Seed 001 (MOD-076): the observability stack is deployed first "so that startup events and errors
are captured from day one"; seed 002: "X-Ray traces requests across distributed services to
identify performance bottlenecks". A sampling rule that samples nothing turns tracing off for the
requests it matches, silently.

## Example
```hcl
resource "aws_xray_sampling_rule" "default" {
  rule_name      = "bank-default-dev"
  priority       = 9000
  version        = 1
  reservoir_size = 0
  fixed_rate     = 0
  url_path       = "*"
  host           = "*"
  http_method    = "*"
  service_type   = "*"
  service_name   = "*"
  resource_arn   = "*"
}
```

## Fix
```hcl
resource "aws_xray_sampling_rule" "default" {
  rule_name      = "bank-default-dev"
  priority       = 9000
  version        = 1
  reservoir_size = 1
  fixed_rate     = 0.05
  url_path       = "*"
  host           = "*"
  http_method    = "*"
  service_type   = "*"
  service_name   = "*"
  resource_arn   = "*"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_xray_sampling_rule") {
        let rate = facts::num(cx, r.body(), &["fixed_rate"]);
        let reservoir = facts::num(cx, r.body(), &["reservoir_size"]);
        if let Some(f) = rate
            && !(0.0..=1.0).contains(&f)
        {
            out.on_attr(
                cx.m,
                r,
                &["fixed_rate"],
                format!("{} has fixed_rate {f}, not a share between 0 and 1", r.addr),
                "a share of the requests: 0.05 traces 5%",
            );
        } else if rate == Some(0.0) && reservoir == Some(0.0) {
            out.on(
                cx.m,
                r,
                format!(
                    "{} traces no request (reservoir_size 0, fixed_rate 0)",
                    r.addr
                ),
                "give it a reservoir_size of 1 or more, or a fixed_rate above 0",
            );
        }
    }
}
