//! BGL520: every CloudWatch metric alarm routes to an SNS topic.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL520",
    name: "alarm-routes-to-topic",
    title: "CloudWatch alarms route to an SNS topic",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cloudwatch_metric_alarm"],
    doc: r#"## What it checks
Every `aws_cloudwatch_metric_alarm` has `alarm_actions` that name an SNS topic: a reference to an
`aws_sns_topic` of the module, the value of an `aws_ssm_parameter` data source whose name is a
topic's contract (`…/sns/<topic>/arn`), or a literal `arn:aws:sns:` ARN. An alarm without
actions, with `actions_enabled = false`, or whose actions are only something else (an Auto
Scaling policy, an EC2 action) is a finding.

## Why
Seed 002: "SNS topics distribute alerts to operations teams when thresholds are breached"; seed
001 (MOD-076): the alerting configuration captures errors "from day one". An alarm that notifies
no topic changes state in the console and nobody hears of it; the topic is where the
subscriptions by severity are.

## Example
```hcl
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "bank-core-mod-001-dev-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
}
```

## Fix
```hcl
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "bank-core-mod-001-dev-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [data.aws_ssm_parameter.sns_bank_platform_alerts_arn.value]
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The action names an SNS topic.
fn is_topic(cx: &ModCtx, v: &Val) -> bool {
    let v = cx.m.resolve(v);
    if let Some(s) = v.as_str() {
        return s.starts_with("arn:") && s.split(':').nth(2) == Some("sns");
    }
    match cx.m.target_of(v) {
        Some((r, _)) if r.rtype == "aws_sns_topic" => true,
        Some((r, _)) if r.rtype == "aws_ssm_parameter" => {
            let name = facts::lit(cx, r, "name").unwrap_or_default();
            name.contains("/sns/")
        }
        _ => false,
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_cloudwatch_metric_alarm") {
        if facts::flag(cx, r, &["actions_enabled"]) == Some(false) {
            out.on_attr(
                cx.m,
                r,
                &["actions_enabled"],
                format!("{} has its actions disabled: it notifies no one", r.addr),
                "remove actions_enabled = false",
            );
            continue;
        }
        let actions = r.body().attr("alarm_actions");
        let items: Vec<&Val> = actions
            .map(|a| cx.m.resolve(&a.val).items())
            .unwrap_or_default();
        let routed = items.iter().any(|v| is_topic(cx, v));
        // An action that is neither a literal nor a resource: a variable without a value.
        let unknown = actions.filter(|_| !routed).and_then(|a| {
            let open = items.is_empty()
                || items
                    .iter()
                    .any(|v| cx.m.resolve(v).as_str().is_none() && cx.m.target_of(v).is_none());
            if open {
                facts::depends_on(cx, &a.val).map(|w| (a, w))
            } else {
                None
            }
        });
        if let Some((a, what)) = unknown {
            out.unknown_at(
                cx.m,
                r,
                a.span,
                format!(
                    "whether alarm {} notifies an SNS topic depends on {what}, unknown before a plan",
                    r.name
                ),
                "give it a value that names the alerts topic (a default, a .tfvars file, --var)",
            );
        } else if !routed {
            out.on(
                cx.m,
                r,
                format!("{} notifies no SNS topic", r.addr),
                "set alarm_actions to the alerts topic of its severity (the observability entry's `topics:`)",
            );
        }
    }
}
