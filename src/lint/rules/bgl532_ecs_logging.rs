//! BGL532: every container of an ECS task definition sends its logs somewhere (awslogs or FireLens).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL532",
    name: "ecs-logging",
    title: "ECS containers have a log configuration",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_ecs_task_definition"],
    doc: r#"## What it checks
Every container of an `aws_ecs_task_definition` has a `logConfiguration` whose `logDriver` is
`awslogs` (with an `awslogs-group` option) or `awsfirelens`.

## Why
Seed 002, compute stack: "CloudWatch Logs capture container output for debugging and monitoring."
A container without a log driver writes to nowhere on Fargate: its output is lost.

## Example
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1" }])
```

## Fix
```hcl
container_definitions = jsonencode([{
  name = "app"
  image = "app:1"
  logConfiguration = {
    logDriver = "awslogs"
    options = { awslogs-group = aws_cloudwatch_log_group.app.name, awslogs-region = "ap-southeast-2", awslogs-stream-prefix = "app" }
  }
}])
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_ecs_task_definition") {
        let Some(containers) = facts::containers(cx, r) else {
            continue;
        };
        for c in &containers {
            let lc = c.get("logConfiguration").map(|v| cx.m.resolve(v));
            let driver = lc
                .and_then(|l| l.get("logDriver"))
                .map(|v| cx.m.resolve(v))
                .and_then(Val::as_str);
            let problem = match driver {
                None => Some("has no logConfiguration"),
                Some("awsfirelens") => None,
                Some("awslogs") => {
                    let group = lc
                        .and_then(|l| l.get("options"))
                        .map(|v| cx.m.resolve(v))
                        .and_then(|o| o.get("awslogs-group"));
                    group.is_none().then_some("uses awslogs without an awslogs-group")
                }
                Some(_) => Some("logs through a driver other than awslogs or awsfirelens"),
            };
            if let Some(p) = problem {
                out.on_attr(
                    cx.m,
                    r,
                    &["container_definitions"],
                    format!("{}: container `{}` {p}", r.addr, facts::container_name(c)),
                    "logConfiguration = { logDriver = \"awslogs\", options = { awslogs-group = …, awslogs-region = …, awslogs-stream-prefix = … } }",
                );
            }
        }
    }
}
