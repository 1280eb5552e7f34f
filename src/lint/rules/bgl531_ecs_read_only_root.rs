//! BGL531: every container of an ECS task definition has a read-only root filesystem.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL531",
    name: "ecs-read-only-root",
    title: "ECS containers have a read-only root filesystem",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_336"],
    covers: &["aws_ecs_task_definition"],
    doc: r#"## What it checks
Every container of an `aws_ecs_task_definition` says `readonlyRootFilesystem = true`. Scratch
space is a task volume mounted where the container writes (Envoy's `/tmp`).

## Why
Seed 002, security model (defense in depth): a container whose image cannot be changed at run
time keeps an intruder from dropping tools or altering the service's code.

## Example
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1" }])
```

## Fix
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1", readonlyRootFilesystem = true }])
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
            if c.get("readonlyRootFilesystem").map(|v| cx.m.resolve(v)).and_then(Val::as_bool) != Some(true) {
                out.on_attr(
                    cx.m,
                    r,
                    &["container_definitions"],
                    format!("{}: container `{}` has a writable root filesystem", r.addr, facts::container_name(c)),
                    "readonlyRootFilesystem = true; mount a task volume where it must write",
                );
            }
        }
    }
}
