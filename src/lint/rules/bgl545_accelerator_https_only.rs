//! BGL545: Global Accelerator listeners expose only the HTTPS port, and their endpoint groups
//! check health over HTTPS.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL545",
    name: "accelerator-https-only",
    title: "Global Accelerator listens on 443 only and checks health over HTTPS",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[
        "aws_globalaccelerator_listener",
        "aws_globalaccelerator_endpoint_group",
    ],
    doc: r#"## What it checks
Every `aws_globalaccelerator_listener`'s `port_range` blocks cover port 443 only (`from_port` and
`to_port` both 443), and every `aws_globalaccelerator_endpoint_group` has
`health_check_protocol = "HTTPS"` (the default is TCP, which only sees that a port is open).

## Why
Seed 002: "TLS secures network connections between services and to external clients." An
accelerator forwards TCP as it comes: a listener on port 80 (or a range around 443) hands plain
HTTP from anywhere on the Internet to the load balancer, around the redirect policy of BGL542. A TCP
health check keeps sending traffic to a load balancer whose services answer 503.

## Example
```hcl
resource "aws_globalaccelerator_listener" "api" {
  accelerator_arn = aws_globalaccelerator_accelerator.api.id
  protocol        = "TCP"
  port_range {
    from_port = 80
    to_port   = 443
  }
}
```

## Fix
```hcl
resource "aws_globalaccelerator_listener" "api" {
  accelerator_arn = aws_globalaccelerator_accelerator.api.id
  protocol        = "TCP"
  port_range {
    from_port = 443
    to_port   = 443
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_globalaccelerator_listener") {
        for p in r.body().blocks("port_range") {
            let port = |k: &str| p.body.get(k).and_then(|v| cx.m.resolve(v).as_num());
            match (port("from_port"), port("to_port")) {
                (Some(a), Some(b)) if a == 443.0 && b == 443.0 => {}
                (Some(a), Some(b)) => out.on(
                    cx.m,
                    r,
                    format!("{} listens on ports {a}-{b}, not only 443", r.addr),
                    "set port_range { from_port = 443, to_port = 443 }",
                ),
                _ => {}
            }
        }
    }
    for r in cx.m.of_type("aws_globalaccelerator_endpoint_group") {
        let proto = r.get("health_check_protocol").map(|v| cx.m.resolve(v).as_str());
        if matches!(proto, None | Some(Some("TCP" | "HTTP"))) {
            out.on(
                cx.m,
                r,
                format!("{} does not check its endpoints' health over HTTPS", r.addr),
                "set health_check_protocol = \"HTTPS\", health_check_port = 443 and health_check_path",
            );
        }
    }
}
