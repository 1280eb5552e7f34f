//! BGL542: load balancer listeners serve HTTPS with a modern TLS policy (HTTP only redirects),
//! and application load balancers drop invalid header fields.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL542",
    name: "alb-https-listeners",
    title: "Load balancers serve HTTPS with TLS 1.2+ and drop invalid headers",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_2", "CKV_AWS_103", "CKV_AWS_131", "CKV2_AWS_20"],
    covers: &["aws_lb_listener", "aws_alb_listener", "aws_lb", "aws_alb"],
    doc: r#"## What it checks
- Every `aws_lb_listener` / `aws_alb_listener` with `protocol = "HTTP"` has a `default_action`
  of `type = "redirect"` whose `redirect` block sends to `protocol = "HTTPS"`: plain HTTP only
  redirects.
- Every listener with `protocol = "HTTPS"` (or `"TLS"`) has an `ssl_policy` of the TLS 1.3/1.2
  families (`ELBSecurityPolicy-TLS13-…`, `ELBSecurityPolicy-TLS-1-2-…`, `ELBSecurityPolicy-FS-1-2-…`)
  and a `certificate_arn`.
- Every application `aws_lb` / `aws_alb` (`load_balancer_type` absent or `"application"`) has
  `drop_invalid_header_fields = true`.

## Why
Seed 002: "The load balancer terminates SSL" and "TLS secures network connections between
services and to external clients." The default ELB policy still admits TLS 1.0; a listener that
serves HTTP sends customers' tokens in the clear; header fields that are not valid HTTP are how
request smuggling against the backends starts.

## Example
```hcl
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
```

## Fix
```hcl
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const MODERN: &[&str] = &[
    "ELBSecurityPolicy-TLS13-",
    "ELBSecurityPolicy-TLS-1-2-",
    "ELBSecurityPolicy-FS-1-2-",
];

fn check(cx: &ModCtx, out: &mut Out) {
    for t in ["aws_lb_listener", "aws_alb_listener"] {
        for r in cx.m.of_type(t) {
            let proto = r.get("protocol").and_then(|v| cx.m.resolve(v).as_str());
            match proto {
                Some("HTTP") => {
                    let redirects = r.body().blocks("default_action").all(|a| {
                        a.body.get("type").and_then(|v| cx.m.resolve(v).as_str()) == Some("redirect")
                            && a.body.path(&["redirect", "protocol"]).and_then(|p| cx.m.resolve(&p.val).as_str())
                                == Some("HTTPS")
                    }) && r.body().block("default_action").is_some();
                    if !redirects {
                        out.on_attr(
                            cx.m,
                            r,
                            &["protocol"],
                            format!("{} serves plain HTTP", r.addr),
                            "make its default_action a redirect to HTTPS (port 443, HTTP_301)",
                        );
                    }
                }
                Some("HTTPS" | "TLS") => {
                    let policy = r.get("ssl_policy").map(|v| cx.m.resolve(v).as_str());
                    match policy {
                        Some(Some(p)) if MODERN.iter().any(|m| p.starts_with(m)) => {}
                        Some(None) => {}
                        Some(Some(p)) => out.on_attr(
                            cx.m,
                            r,
                            &["ssl_policy"],
                            format!("{} uses the TLS policy {p}, which admits TLS before 1.2", r.addr),
                            "use ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
                        ),
                        None => out.on(
                            cx.m,
                            r,
                            format!("{} has no ssl_policy: ELB's default admits TLS 1.0", r.addr),
                            "set ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
                        ),
                    }
                    if r.get("certificate_arn").is_none() {
                        out.on(
                            cx.m,
                            r,
                            format!("{} has no certificate_arn", r.addr),
                            "set certificate_arn to the ACM certificate of its domain",
                        );
                    }
                }
                _ => {}
            }
        }
    }
    for t in ["aws_lb", "aws_alb"] {
        for r in cx.m.of_type(t) {
            let kind = r.get("load_balancer_type").and_then(|v| cx.m.resolve(v).as_str());
            if !matches!(kind, None | Some("application")) {
                continue;
            }
            let drop = r.get("drop_invalid_header_fields").map(|v| cx.m.resolve(v).as_bool());
            if matches!(drop, None | Some(Some(false))) {
                out.on(
                    cx.m,
                    r,
                    format!("{} passes invalid HTTP header fields to its targets", r.addr),
                    "set drop_invalid_header_fields = true",
                );
            }
        }
    }
}
