//! BGL533: every container of an ECS task definition runs as a named non-root user.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL533",
    name: "ecs-non-root-user",
    title: "ECS containers run as a non-root user",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_ecs_task_definition"],
    doc: r#"## What it checks
Every container of an `aws_ecs_task_definition` has a `user` that is neither empty, `root` nor uid
`0` (`1000`, `1000:1000`, `app`). A container without `user` runs as the image's user, root for
most images.

## Why
Seed 002, security model: least privilege. A process that escapes its application as root owns
the container's filesystem and any mounted volume.

## Example
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1", user = "0" }])
```

## Fix
```hcl
container_definitions = jsonencode([{ name = "app", image = "app:1", user = "1000:1000" }])
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
            let user = c.get("user").map(|v| cx.m.resolve(v));
            let uid = user
                .and_then(Val::as_str)
                .map(|u| u.split(':').next().unwrap_or("").trim().to_string());
            let root = match (&user, &uid) {
                (None, _) => Some("has no user (the image's, root for most)".to_string()),
                (Some(_), Some(u)) if u.is_empty() || u == "0" || u == "root" => {
                    Some(format!("runs as `{u}`"))
                }
                (Some(v), None) if v.as_num() == Some(0.0) => Some("runs as uid 0".to_string()),
                _ => None,
            };
            if let Some(p) = root {
                out.on_attr(
                    cx.m,
                    r,
                    &["container_definitions"],
                    format!("{}: container `{}` {p}", r.addr, facts::container_name(c)),
                    "user = \"1000:1000\" (a non-root uid the image owns its files as)",
                );
            }
        }
    }
}
