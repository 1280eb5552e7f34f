//! BGL403: a target that delivers to another event bus uses a role that may only PutEvents on
//! that bus.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL403",
    name: "cross-bus-role",
    title: "Cross-bus targets use a role limited to PutEvents on that bus",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cloudwatch_event_target", "aws_iam_role"],
    doc: r#"## What it checks
An `aws_cloudwatch_event_target` whose `arn` is an event bus (an `aws_cloudwatch_event_bus`
reference, a literal ARN naming an `event-bus/`, or an SSM parameter whose path matches
`bus_arn_ssm_path`, `/bank/<env>/eventbridge/<bus>/arn`) has a `role_arn`, and when that role is in the same folder, every Allow statement of its
policies grants only `events:PutEvents` (`policies/eventbridge.yaml`) on exactly that bus.

## Why
Seed 000: cross-bus subscriptions use EventBridge rules with a cross-bus target; the delivery
role is the only thing allowed to write to another domain's bus, so it must not be able to do
anything else, or to write elsewhere.

## Example
```hcl
resource "aws_iam_role_policy" "to_core" {
  role   = aws_iam_role.to_core.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "events:*", Resource = "*" }] })
}
```

## Fix
```hcl
    Effect = "Allow", Action = "events:PutEvents",
    Resource = data.aws_ssm_parameter.bus_bank_core_arn.value
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn is_bus(cx: &ModCtx, v: &Val) -> bool {
    let v = cx.m.resolve(v);
    if let Some((r, _)) = cx.m.target_of(v) {
        return match r.rtype.as_str() {
            "aws_cloudwatch_event_bus" => true,
            "aws_ssm_parameter" => r
                .get("name")
                .and_then(Val::as_str)
                .is_some_and(|n| cx.p.eventbridge.bus_arn_ssm_path.0.is_match(n)),
            _ => false,
        };
    }
    facts::resolved_text(cx, v).contains(":event-bus/")
}

fn check(cx: &ModCtx, out: &mut Out) {
    let allowed = &cx.p.eventbridge.cross_bus_actions;
    for t in cx.m.of_type("aws_cloudwatch_event_target") {
        let Some(arn) = t.get("arn") else { continue };
        if !is_bus(cx, arn) {
            continue;
        }
        let Some(role_arn) = t.get("role_arn") else {
            out.on(
                cx.m,
                t,
                format!(
                    "event target {} delivers to another bus without a role",
                    t.addr
                ),
                "add role_arn: a role whose only permission is events:PutEvents on the target bus",
            );
            continue;
        };
        let Some((role, _)) = cx.m.target_of(role_arn) else {
            continue;
        };
        if role.rtype != "aws_iam_role" {
            continue;
        }
        let want = facts::resolved_text(cx, arn);
        let statements = facts::role_statements(cx, role);
        if statements.is_empty() {
            continue;
        }
        for held in statements.iter().filter(|h| h.statement.allow) {
            let s = &held.statement;
            let extra: Vec<&String> = s
                .actions
                .iter()
                .filter(|a| !allowed.iter().any(|x| x.eq_ignore_ascii_case(a)))
                .collect();
            let wrong_res: Vec<String> = s
                .resources
                .iter()
                .map(|r| facts::resolved_text(cx, r))
                .filter(|r| *r != want)
                .collect();
            if !extra.is_empty() || !s.not_actions.is_empty() {
                out.on_statement(
                    cx.m,
                    held.holder,
                    s,
                    format!(
                        "cross-bus role {} of event target {} may also {}",
                        role.addr,
                        t.addr,
                        if s.not_actions.is_empty() {
                            extra
                                .iter()
                                .map(|a| a.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        } else {
                            "do everything but its NotAction".to_string()
                        }
                    ),
                    format!("allow only {} on the target bus", allowed.join(", ")),
                );
            } else if !wrong_res.is_empty() || s.resources.is_empty() {
                out.on_statement(
                    cx.m,
                    held.holder,
                    s,
                    format!(
                        "cross-bus role {} of event target {} may put events on {} besides its target bus",
                        role.addr,
                        t.addr,
                        if wrong_res.is_empty() { "anything".to_string() } else { wrong_res.join(", ") }
                    ),
                    format!("limit Resource to the target bus ({want})"),
                );
            }
        }
    }
}
