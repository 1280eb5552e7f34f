//! BGL555: every Transit Gateway peering that this account requests is accepted in the same
//! configuration.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL555",
    name: "tgw-peering-accepted",
    title: "Transit Gateway peerings within the account are accepted where they are requested",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[
        "aws_ec2_transit_gateway_peering_attachment",
        "aws_ec2_transit_gateway_peering_attachment_accepter",
    ],
    doc: r#"## What it checks
Every `aws_ec2_transit_gateway_peering_attachment` whose peer is in the same account (no
`peer_account_id`, or the environment's own account in the catalogue) has an
`aws_ec2_transit_gateway_peering_attachment_accepter` in the same module whose
`transit_gateway_attachment_id` refers to it. A peering with a literal `peer_account_id` of
another account (in a folder of a catalogue environment) is accepted by that account and is not
a finding. A peering without
`peer_region` is reported too: the requester's region is then the peer's, which is not a
multi-region link.

## Why
Seed 002's multi-region DR joins the regional VPCs through their Transit Gateways. A requested
peering stays `pendingAcceptance` until the other side accepts it (and AWS deletes it after
7 days): the static routes across it never carry traffic, and the DR region is unreachable on the
day it is needed. Terraform only waits for the request, so nothing fails at apply.

## Example
```hcl
resource "aws_ec2_transit_gateway_peering_attachment" "dr_core" {
  provider                = aws.dr
  transit_gateway_id      = aws_ec2_transit_gateway.dr.id
  peer_transit_gateway_id = aws_ec2_transit_gateway.core.id
  peer_region             = "ap-southeast-2"
}
```

## Fix
```hcl
resource "aws_ec2_transit_gateway_peering_attachment" "dr_core" {
  provider                = aws.dr
  transit_gateway_id      = aws_ec2_transit_gateway.dr.id
  peer_transit_gateway_id = aws_ec2_transit_gateway.core.id
  peer_region             = "ap-southeast-2"
}

resource "aws_ec2_transit_gateway_peering_attachment_accepter" "dr_core" {
  transit_gateway_attachment_id = aws_ec2_transit_gateway_peering_attachment.dr_core.id
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let accepted: Vec<String> = cx
        .m
        .of_type("aws_ec2_transit_gateway_peering_attachment_accepter")
        .filter_map(|a| a.get("transit_gateway_attachment_id"))
        .filter_map(|v| v.ref_target().map(|t| t.addr))
        .collect();
    let account = cx.cat.and_then(|c| {
        c.platform
            .environments
            .iter()
            .find(|e| cx.env.as_deref() == Some(e.name.as_str()))
            .map(|e| e.account_id.as_str())
    });
    for r in cx.m.of_type("aws_ec2_transit_gateway_peering_attachment") {
        if r.get("peer_region").is_none() {
            out.on(
                cx.m,
                r,
                format!("{} has no peer_region: it peers within the requester's region", r.addr),
                "set peer_region to the region of the peer Transit Gateway (the platform's other region)",
            );
        }
        let other_account = r
            .get("peer_account_id")
            .and_then(|v| cx.m.resolve(v).as_str().map(str::to_string))
            .is_some_and(|a| account.is_some_and(|mine| a != mine));
        if !other_account && !accepted.contains(&r.addr) {
            out.on(
                cx.m,
                r,
                format!(
                    "{} is requested but nothing accepts it: it stays pendingAcceptance and carries no traffic",
                    r.addr
                ),
                "add an aws_ec2_transit_gateway_peering_attachment_accepter (with the peer region's provider) whose transit_gateway_attachment_id is this attachment's id",
            );
        }
    }
}
