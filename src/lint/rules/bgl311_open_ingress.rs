//! BGL311: no security group admits the whole internet, except HTTPS to the load balancer's tier.
use super::prelude::*;
use crate::lint::index::Mode;
use crate::lint::value::{Body, Span};

pub static RULE: Rule = Rule {
    code: "BGL311",
    name: "open-ingress",
    title: "Only the load balancer's HTTPS port is open to the internet",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    covers: &[
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
    ],
    doc: r#"## What it checks
Ingress from anywhere (`0.0.0.0/0` or `::/0`) in the `ingress` blocks of an
`aws_security_group`, in an `aws_security_group_rule` of `type = "ingress"` (`cidr_blocks`,
`ipv6_cidr_blocks`) and in an `aws_vpc_security_group_ingress_rule` (`cidr_ipv4`, `cidr_ipv6`).
One case is allowed: TCP port 443 alone (`from_port = 443`, `to_port = 443`) on the load
balancer's security group, which says so with the tag `network_tier = "alb"` (bankgen's
network kind tags it), or which a rule reaches through the SSM contract of that group
(`data.aws_ssm_parameter` named `…/sg/alb`). Anything else open to the internet is a finding: other
ports, port ranges, all protocols, and 443 on a group of another tier.

## Why
Seed 002: "public-facing resources sit in public subnets behind load balancers, while application
and data layers reside in private subnets with no direct internet access", and "the load balancer
terminates SSL". The load balancer's listener is the platform's only door; the application and
data tiers are reached from the security group in front of them, never from an address range
that includes the internet.

## Example
```hcl
resource "aws_security_group_rule" "app_in" {
  type              = "ingress"
  description       = "From anywhere"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_blocks       = ["0.0.0.0/0"]
}
```

## Fix
```hcl
resource "aws_security_group_rule" "app_in" {
  type                     = "ingress"
  description              = "From the load balancer tier"
  security_group_id        = aws_security_group.app.id
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.alb.id
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The tag that marks the load balancer's security group, and its value.
const TIER_TAG: (&str, &str) = ("network_tier", "alb");
/// The SSM contract path suffix of the load balancer's security group id.
const ALB_CONTRACT: &str = "/sg/alb";
const HTTPS: f64 = 443.0;

/// One ingress permission open to the internet.
struct Open {
    span: Span,
    cidr: String,
    https_only: bool,
    /// `tcp 80`, `tcp 0-65535`, `all protocols`.
    what: String,
}

/// The internet-wide sources among `keys` of `body`, with whether the permission is TCP 443 only.
fn open_in(cx: &ModCtx, body: &Body, keys: &[&str], protocol_key: &str) -> Vec<Open> {
    let mut out = Vec::new();
    for key in keys {
        let Some(a) = body.attr(key) else { continue };
        let v = cx.m.resolve(&a.val);
        for item in v.items() {
            let Some(c) = cx.m.resolve(item).as_str() else {
                continue;
            };
            if c == "0.0.0.0/0" || c == "::/0" {
                out.push(Open {
                    span: a.span,
                    cidr: c.to_string(),
                    https_only: https_only(cx, body, protocol_key),
                    what: permission(cx, body, protocol_key),
                });
            }
        }
    }
    out
}

fn https_only(cx: &ModCtx, body: &Body, protocol_key: &str) -> bool {
    let tcp = body
        .get(protocol_key)
        .map(|v| cx.m.resolve(v))
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .is_some_and(|p| p == "tcp" || p == "6");
    let port = |k: &str| facts::num(cx, body, &[k]);
    tcp && port("from_port") == Some(HTTPS) && port("to_port") == Some(HTTPS)
}

fn permission(cx: &ModCtx, body: &Body, protocol_key: &str) -> String {
    let proto = body
        .get(protocol_key)
        .map(|v| cx.m.resolve(v).canonical().to_ascii_lowercase())
        .unwrap_or_else(|| "?".into());
    if proto == "-1" || proto == "all" {
        return "all protocols".into();
    }
    let port = |k: &str| {
        facts::num(cx, body, &[k]).map_or_else(|| "?".to_string(), |n| format!("{n}"))
    };
    let (from, to) = (port("from_port"), port("to_port"));
    if from == to {
        format!("{proto} {from}")
    } else {
        format!("{proto} {from}-{to}")
    }
}

/// Whether a security group resource is the load balancer's tier.
fn alb_group(cx: &ModCtx, sg: &Resource) -> bool {
    match (sg.mode, sg.rtype.as_str()) {
        (Mode::Managed, "aws_security_group") => facts::tags(cx, sg)
            .and_then(|t| t.get(TIER_TAG.0).and_then(|t| t.value))
            .is_some_and(|v| v == TIER_TAG.1),
        (Mode::Data, "aws_ssm_parameter") => facts::lit(cx, sg, "name")
            .is_some_and(|n| n.ends_with(ALB_CONTRACT)),
        _ => false,
    }
}

fn report(cx: &ModCtx, out: &mut Out, r: &Resource, sg: Option<&Resource>, open: Vec<Open>) {
    let alb = sg.is_some_and(|g| alb_group(cx, g));
    for o in open {
        if o.https_only && alb {
            continue;
        }
        let (message, help) = if o.https_only {
            (
                format!(
                    "{} opens 443 to {} on a security group that is not the load balancer's",
                    r.addr, o.cidr
                ),
                format!(
                    "only the load balancer's group (tagged {} = \"{}\") takes HTTPS from anywhere; reach this tier from the group in front of it (source_security_group_id)",
                    TIER_TAG.0, TIER_TAG.1
                ),
            )
        } else {
            (
                format!("{} admits {} from {}", r.addr, o.what, o.cidr),
                "open only TCP 443 on the load balancer's group to the internet; reach the other tiers from the security group in front of them (source_security_group_id)".to_string(),
            )
        };
        out.at(cx.m, r, o.span, message, help);
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    const CIDRS: &[&str] = &["cidr_blocks", "ipv6_cidr_blocks"];
    for sg in cx.m.of_type("aws_security_group") {
        let mut open = Vec::new();
        for b in sg.body().blocks("ingress") {
            open.extend(open_in(cx, &b.body, CIDRS, "protocol"));
        }
        report(cx, out, sg, Some(sg), open);
    }
    for rule in cx.m.of_type("aws_security_group_rule") {
        if facts::lit(cx, rule, "type") != Some("ingress") {
            continue;
        }
        let open = open_in(cx, rule.body(), CIDRS, "protocol");
        let sg = rule
            .get("security_group_id")
            .and_then(|v| cx.m.target_of(v))
            .map(|(r, _)| r);
        report(cx, out, rule, sg, open);
    }
    for rule in cx.m.of_type("aws_vpc_security_group_ingress_rule") {
        let open = open_in(cx, rule.body(), &["cidr_ipv4", "cidr_ipv6"], "ip_protocol");
        let sg = rule
            .get("security_group_id")
            .and_then(|v| cx.m.target_of(v))
            .map(|(r, _)| r);
        report(cx, out, rule, sg, open);
    }
}
