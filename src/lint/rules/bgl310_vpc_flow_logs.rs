//! BGL310: every aws_vpc has an aws_flow_log on it that captures ALL traffic.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL310",
    name: "vpc-flow-logs",
    title: "Every VPC has flow logs of all its traffic",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV2_AWS_11"],
    covers: &["aws_vpc", "aws_flow_log"],
    doc: r#"## What it checks
Every `aws_vpc` of the folder has an `aws_flow_log` whose `vpc_id` refers to it
(`aws_vpc.<name>.id`), and that flow log's `traffic_type` is `"ALL"` (not only `ACCEPT` or
`REJECT`). A flow log whose `vpc_id` is not a reference to a VPC of the folder (a variable, an
SSM parameter) may be the one: then no VPC is reported as missing its flow log.

## Why
Seed 002: "VPC Flow Logs capture all network traffic for security analysis and
troubleshooting", and GuardDuty "analyzes CloudTrail logs, VPC Flow Logs, and DNS logs". A VPC
without flow logs, or with logs of accepted traffic only, leaves no record of what reached (or
tried to reach) the platform's subnets.

## Example
```hcl
resource "aws_vpc" "core" {
  cidr_block = "10.20.0.0/16"
}
```

## Fix
```hcl
resource "aws_vpc" "core" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_flow_log" "core" {
  vpc_id               = aws_vpc.core.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.core_flow_logs.arn
  iam_role_arn         = aws_iam_role.core_flow_logs.arn
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let mut covered: Vec<String> = Vec::new();
    let mut unknown = false;
    for fl in cx.m.of_type("aws_flow_log") {
        let target = fl.get("vpc_id").and_then(|v| cx.m.target_of(v));
        match target {
            Some((vpc, _)) if vpc.rtype == "aws_vpc" => {
                covered.push(vpc.addr.clone());
                match facts::lit(cx, fl, "traffic_type") {
                    Some("ALL") => {}
                    other => out.on_attr(
                        cx.m,
                        fl,
                        &["traffic_type"],
                        format!(
                            "{} logs {} traffic of {}, not ALL",
                            fl.addr,
                            other.map_or("unknown".to_string(), |t| format!("only {t}")),
                            vpc.addr
                        ),
                        "set traffic_type = \"ALL\" (seed 002: flow logs capture all network traffic)",
                    ),
                }
            }
            // `aws_subnet.x.vpc_id` and the like: some VPC of the folder, which one is not known.
            Some((r, _)) if r.mode == crate::lint::index::Mode::Managed => unknown = true,
            // A VPC the folder does not declare (a data source, a literal id), or a flow log
            // on a subnet or an interface.
            Some(_) => {}
            None => {
                unknown |= fl
                    .get("vpc_id")
                    .is_some_and(|v| !cx.m.resolve(v).is_known_literal())
            }
        }
    }
    if unknown {
        return;
    }
    for vpc in cx.m.of_type("aws_vpc") {
        if !covered.contains(&vpc.addr) {
            out.on(
                cx.m,
                vpc,
                format!("{} has no flow log", vpc.addr),
                format!(
                    "add an aws_flow_log with vpc_id = {}.id and traffic_type = \"ALL\", to a KMS-encrypted log group",
                    vpc.addr
                ),
            );
        }
    }
}
