//! BGL530: no container of an ECS task definition runs privileged.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL530",
    name: "ecs-no-privileged",
    title: "ECS containers are not privileged",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_334"],
    covers: &["aws_ecs_task_definition"],
    doc: r#"## What it checks
Every container of an `aws_ecs_task_definition` (its `container_definitions`, as `jsonencode([...])`
or a JSON string) has no `privileged = true`. Definitions that cannot be read statically
(`file(...)`, a variable) are not judged.

## Why
Seed 002, security model: "Identity and access management follows the principle of least
privilege." A privileged container has every capability of the host's root; on Fargate the task
fails to start, on EC2 capacity it owns the instance and every other task on it.

## Example
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1", privileged = true }])
```

## Fix
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1", privileged = false }])
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
            if c.get("privileged").map(|v| cx.m.resolve(v)).and_then(Val::as_bool) == Some(true) {
                out.on_attr(
                    cx.m,
                    r,
                    &["container_definitions"],
                    format!("{}: container `{}` is privileged", r.addr, facts::container_name(c)),
                    "privileged = false (or leave it out)",
                );
            }
        }
    }
}
