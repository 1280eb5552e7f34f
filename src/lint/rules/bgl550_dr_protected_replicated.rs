//! BGL550: TODO one line: what holds when this rule passes.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL550",
    name: "dr-protected-replicated",
    title: "TODO short title",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[],
    doc: r#"## What it checks
TODO: which resources and attributes, and what makes a finding.

## Why
TODO: the bank policy (and set `policy` above) or the risk it prevents.

## Example
```hcl
TODO: the smallest Terraform that breaks the rule
```

## Fix
```hcl
TODO: the same, fixed
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    // TODO: the resource type it reads and the condition that makes a finding.
    for r in cx.m.of_type("aws_TODO") {
        if r.get("TODO").is_none() {
            out.on(
                cx.m,
                r,
                format!("{} TODO what is wrong", r.addr),
                "TODO how to fix it",
            );
        }
    }
}
