//! BGL551: every AWS budget notifies someone: a notification with an SNS topic or an e-mail
//! subscriber.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL551",
    name: "budget-notified",
    title: "Budgets have a notification with a subscriber",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_budgets_budget"],
    doc: r#"## What it checks
Every `aws_budgets_budget` has at least one `notification` block whose
`subscriber_sns_topic_arns` or `subscriber_email_addresses` is a non-empty list (or a value not
known before a plan, such as a reference). A budget without notification, or whose notifications
all have empty subscriber lists, is a finding.

## Why
Seed 002: "Cost monitoring uses CloudWatch metrics and billing alarms to track spending. Budget
alerts notify teams when spending exceeds thresholds." A budget nobody is notified of is only a
line in the billing console: the spend goes past its limit unseen.

## Example
```hcl
resource "aws_budgets_budget" "monthly" {
  name         = "gbp-monthly-cost-dev"
  budget_type  = "COST"
  limit_amount = "500"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"
}
```

## Fix
```hcl
resource "aws_budgets_budget" "monthly" {
  name         = "gbp-monthly-cost-dev"
  budget_type  = "COST"
  limit_amount = "500"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"
  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [aws_sns_topic.alerts.arn]
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The subscriber list is non-empty, or not known before a plan.
fn subscribed(cx: &ModCtx, v: Option<&Val>) -> bool {
    let Some(v) = v else { return false };
    match cx.m.resolve(v).as_list() {
        Some(items) => !items.is_empty(),
        None => true,
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_budgets_budget") {
        let notified = r.body().blocks("notification").any(|n| {
            subscribed(cx, n.body.get("subscriber_sns_topic_arns"))
                || subscribed(cx, n.body.get("subscriber_email_addresses"))
        });
        if !notified {
            out.on(
                cx.m,
                r,
                format!("budget {} notifies nobody", r.addr),
                "add a notification block with subscriber_sns_topic_arns (an alert topic) or subscriber_email_addresses",
            );
        }
    }
}
