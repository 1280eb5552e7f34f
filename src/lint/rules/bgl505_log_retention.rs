//! BGL505: every log group keeps its events at least as long as the policy says.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL505",
    name: "log-group-retention",
    title: "Log groups keep events for their minimum retention",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_338"],
    covers: &["aws_cloudwatch_log_group", "catalogue: log groups and functions"],
    doc: r#"## What it checks
Every `aws_cloudwatch_log_group` sets `retention_in_days` (`0` or absent means forever, which is
reported: nothing is kept without a decision) to at least its minimum from
`policies/retention.yaml`: 3653 days for the FR-280 secret access log
(`/aws/secretsmanager/bank-access*`) and CloudTrail's log group, 365 days otherwise, and, in a
rendered folder, at least what the catalogue declares for it (a `log_groups` entry, or a
function's `log_retention_days`). In the
catalogue, a `log_groups` entry or a function's `log_retention_days` below its minimum is
reported at the YAML line.

## Why
Seed 004 / FR-280: the secret access log is immutable for at least 7 years; 3653 days is the
smallest CloudWatch retention that satisfies it. Other logs are kept one year.

## Example
```hcl
resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/secretsmanager/bank-access-dev"
  retention_in_days = 365
}
```

## Fix
Set `retention_in_days = 3653`.
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

/// The retention the catalogue gives a log group of this name in this folder's environment: a
/// `log_groups` entry (`{env}` substituted), or the log group of a function
/// (`/aws/lambda/<function>-<env>`).
fn catalogue_days(cx: &ModCtx, name: &str) -> Option<u32> {
    let (cat, env) = (cx.cat?, cx.env.as_deref()?);
    let default = cat.platform.runtime_defaults.log_retention_days;
    cat.modules
        .iter()
        .filter(|m| cx.module_id.as_ref().is_none_or(|id| *id == m.id))
        .find_map(|m| {
            let lg = m
                .resources
                .log_groups
                .iter()
                .find(|lg| lg.name.value.replace("{env}", env) == name)
                .map(|lg| lg.retention_days.value);
            let f = m
                .resources
                .functions
                .iter()
                .find(|f| format!("/aws/lambda/{}-{env}", f.name.value) == name)
                .map(|f| {
                    f.log_retention_days
                        .as_ref()
                        .map(|d| d.value)
                        .unwrap_or(default)
                });
            let conventional = m
                .function
                .as_ref()
                .filter(|_| format!("/aws/lambda/{}-{env}", m.function_base_name()) == name)
                .map(|f| f.log_retention_days);
            lg.or(f).or(conventional)
        })
}

fn check(cx: &ModCtx, out: &mut Out) {
    for lg in cx.m.of_type("aws_cloudwatch_log_group") {
        let name = facts::resolved_text(
            cx,
            lg.get("name").unwrap_or(&Val {
                kind: Kind::Str(String::new()),
                span: Default::default(),
            }),
        );
        let policy_min = cx.p.retention.log_minimum(&name);
        let declared = catalogue_days(cx, &name);
        let min = declared.unwrap_or(0).max(policy_min);
        let days = facts::num(cx, lg.body(), &["retention_in_days"]);
        match (lg.get("retention_in_days"), days) {
            (Some(_), None) => {}
            (_, Some(d)) if d >= min as f64 => {}
            _ => out.on_attr(
                cx.m,
                lg,
                &["retention_in_days"],
                format!(
                    "log group {}{} keeps events {}, not the {min} days it needs",
                    lg.addr,
                    if name.is_empty() {
                        String::new()
                    } else {
                        format!(" ({name})")
                    },
                    match days {
                        Some(1.0) => "1 day".to_string(),
                        Some(d) if d > 0.0 => format!("{d} days"),
                        _ => "without a retention decision (forever)".to_string(),
                    }
                ),
                if declared.is_some_and(|d| d >= policy_min) {
                    format!("set retention_in_days = {min} (the catalogue's retention for it)")
                } else {
                    format!("set retention_in_days = {min} (policies/retention.yaml)")
                },
            ),
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    for m in &cx.cat.modules {
        for lg in &m.resources.log_groups {
            // The policies' patterns are of physical names: a renamed group keeps its old one.
            let physical = crate::kinds::guard::physical(&lg.name, lg.renamed_from.as_ref());
            let min = cx.p.retention.log_minimum(physical);
            if lg.retention_days.value < min {
                out.at_loc(
                    &m.loc_of(&lg.retention_days.referenced),
                    Some(format!("log group {}", lg.name.value)),
                    format!(
                        "log group {} keeps events {} days, less than its minimum {min}",
                        lg.name.value, lg.retention_days.value
                    ),
                    format!("set retention_days to at least {min}"),
                );
            }
        }
        for f in &m.resources.functions {
            if let Some(d) = &f.log_retention_days {
                let min = cx.p.retention.log_groups.default_min_days;
                if d.value < min {
                    out.at_loc(
                        &m.loc_of(&d.referenced),
                        Some(format!("function {}", f.name.value)),
                        format!(
                            "function {} keeps its logs {} days, less than the minimum {min}",
                            f.name.value, d.value
                        ),
                        format!("set log_retention_days to at least {min}"),
                    );
                }
            }
        }
    }
}
