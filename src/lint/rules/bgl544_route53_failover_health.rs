//! BGL544: every PRIMARY failover record is evaluated by a health check.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL544",
    name: "route53-failover-health",
    title: "Route 53 PRIMARY failover records have a health check",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_route53_record"],
    doc: r#"## What it checks
Every `aws_route53_record` with `failover_routing_policy { type = "PRIMARY" }` has a
`health_check_id`, or is an `alias` with `evaluate_target_health = true`; and every failover
record name with a PRIMARY has a SECONDARY of the same name and type in the folder.

## Why
Seed 002: "Route 53 health checks monitor regional endpoints and automatically fail over traffic
to healthy regions." Route 53 treats a PRIMARY record without a health check as always healthy:
the SECONDARY is never served, and the failover exists only on paper.

## Example
```hcl
resource "aws_route53_record" "primary" {
  zone_id        = "Z123"
  name           = "api.dev.gbp.example"
  type           = "A"
  set_identifier = "primary"
  failover_routing_policy {
    type = "PRIMARY"
  }
  alias {
    name                   = "gbp-api-dev-1.ap-southeast-2.elb.amazonaws.com"
    zone_id                = "Z1GM3OXH4ZPM65"
    evaluate_target_health = false
  }
}
```

## Fix
```hcl
resource "aws_route53_record" "primary" {
  zone_id         = "Z123"
  name            = "api.dev.gbp.example"
  type            = "A"
  set_identifier  = "primary"
  health_check_id = aws_route53_health_check.api.id
  failover_routing_policy {
    type = "PRIMARY"
  }
  alias {
    name                   = "gbp-api-dev-1.ap-southeast-2.elb.amazonaws.com"
    zone_id                = "Z1GM3OXH4ZPM65"
    evaluate_target_health = true
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn failover<'a>(cx: &'a ModCtx, r: &'a Resource) -> Option<&'a str> {
    r.body()
        .path(&["failover_routing_policy", "type"])
        .and_then(|a| cx.m.resolve(&a.val).as_str())
}

fn key(cx: &ModCtx, r: &Resource) -> (String, String) {
    let text = |k: &str| {
        r.get(k)
            .map(|v| crate::lint::facts::resolved_text(cx, v))
            .unwrap_or_default()
    };
    (text("name"), text("type"))
}

fn check(cx: &ModCtx, out: &mut Out) {
    let records: Vec<&Resource> = cx.m.of_type("aws_route53_record").collect();
    for r in &records {
        if failover(cx, r) != Some("PRIMARY") {
            continue;
        }
        let evaluated = r
            .body()
            .path(&["alias", "evaluate_target_health"])
            .and_then(|a| cx.m.resolve(&a.val).as_bool())
            == Some(true);
        if r.get("health_check_id").is_none() && !evaluated {
            out.on(
                cx.m,
                r,
                format!("{} is a PRIMARY failover record that nothing checks: Route 53 never fails it over", r.addr),
                "set health_check_id = aws_route53_health_check.<primary>.id",
            );
        }
        let k = key(cx, r);
        if !records
            .iter()
            .any(|o| failover(cx, o) == Some("SECONDARY") && key(cx, o) == k)
        {
            out.on(
                cx.m,
                r,
                format!("{} is a PRIMARY failover record without a SECONDARY of the same name and type", r.addr),
                "add the SECONDARY record (failover_routing_policy { type = \"SECONDARY\" }) it fails over to",
            );
        }
    }
}
