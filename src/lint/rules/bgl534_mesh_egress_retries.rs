//! BGL534: an App Mesh lets no traffic leave it, and its HTTP routes retry failed requests.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL534",
    name: "mesh-egress-retries",
    title: "App Mesh drops egress outside the mesh and its routes retry",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_appmesh_mesh", "aws_appmesh_route"],
    doc: r#"## What it checks
Every `aws_appmesh_mesh` has `spec { egress_filter { type = "DROP_ALL" } }` (App Mesh's default,
`ALLOW_ALL` when the block is absent, lets the Envoy proxies reach any address), and every
`aws_appmesh_route` with an `http_route` (or `http2_route`) has a `retry_policy` with
`max_retries` above 0 and at least one retry event.

## Why
Seed 002: "All inter-service communication occurs over private networks without traversing the
internet", and "The service mesh uses Envoy proxies as sidecars to handle routing, retries, and
circuit breaking." A mesh that allows all egress is a way out for a compromised service; a route
without retries turns every transient error of one task into a failed customer request.

## Example
```hcl
resource "aws_appmesh_mesh" "m" {
  name = "gbp-mesh-dev"
}
```

## Fix
```hcl
resource "aws_appmesh_mesh" "m" {
  name = "gbp-mesh-dev"
  spec {
    egress_filter {
      type = "DROP_ALL"
    }
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_appmesh_mesh") {
        let filter = r
            .body()
            .path(&["spec", "egress_filter", "type"])
            .map(|a| cx.m.resolve(&a.val))
            .and_then(Val::as_str);
        if filter != Some("DROP_ALL") {
            out.on_attr(
                cx.m,
                r,
                &["spec", "egress_filter", "type"],
                format!(
                    "{} lets its proxies reach any address (egress filter {})",
                    r.addr,
                    filter.unwrap_or("ALLOW_ALL, the default")
                ),
                "spec { egress_filter { type = \"DROP_ALL\" } }",
            );
        }
    }
    for r in cx.m.of_type("aws_appmesh_route") {
        for kind in ["http_route", "http2_route"] {
            let Some(spec) = r.body().block("spec") else {
                continue;
            };
            let Some(route) = spec.body.block(kind) else {
                continue;
            };
            let retry = route.body.block("retry_policy");
            let max = retry.and_then(|p| facts::num(cx, &p.body, &["max_retries"]));
            let events = retry
                .map(|p| {
                    ["http_retry_events", "tcp_retry_events"]
                        .iter()
                        .filter_map(|k| p.body.get(k))
                        .map(|v| cx.m.resolve(v).items().len())
                        .sum::<usize>()
                })
                .unwrap_or(0);
            let problem = match (retry, max) {
                (None, _) => Some("has no retry policy".to_string()),
                (Some(_), Some(n)) if n < 1.0 => Some("retries 0 times".to_string()),
                (Some(_), _) if events == 0 => Some("retries on no event".to_string()),
                _ => None,
            };
            if let Some(p) = problem {
                out.on(
                    cx.m,
                    r,
                    format!("{}: its {kind} {p}", r.addr),
                    "retry_policy { max_retries = 3, http_retry_events = [\"server-error\", \"gateway-error\"], per_retry_timeout { unit = \"ms\", value = 2000 } }",
                );
            }
        }
    }
}
