//! BGL301: every taggable resource carries tenant_id, module_id and environment, with the
//! values of its module and environment.
use super::prelude::*;
use crate::lint::facts::TagSource;

pub static RULE: Rule = Rule {
    code: "BGL301",
    name: "required-tags",
    title: "Resources carry tenant_id, module_id and environment",
    severity: Severity::Error,
    policy: "GOV-005",
    checkov: &[],
    covers: &["*"],
    doc: r#"## What it checks
Every resource of a taggable type (`policies/tags.yaml`), and every resource that sets `tags`,
carries each required tag (`tenant_id`, `module_id`, `environment`) in its own `tags` or through
its provider's `default_tags`. Values must be right: `tenant_id` is the platform tenant
(`totara-bank`); `module_id` is the module the folder renders (a folder named `MOD-NNN`);
`environment` is the environment folder in the path (`out/<env>/MOD-NNN/`). A wrong value in
`default_tags` is reported once, at the provider. Tags that are not literal (a variable,
`merge(var.tags, ...)`) are not judged.

## Why
GOV-005 (FAR): "All AWS resources are tagged with tenant_id, module_id, and environment at IaC
synthesis time — untagged resources are blocked from deployment by SCP".

## Example
```hcl
provider "aws" {
  region = "ap-southeast-2"
  default_tags {
    tags = { tenant_id = "totara-bank", environment = "dev" }
  }
}
```

## Fix
```hcl
  default_tags {
    tags = { tenant_id = "totara-bank", module_id = "MOD-104", environment = "dev" }
  }
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn expected<'a>(cx: &'a ModCtx, tag: &str) -> Option<&'a str> {
    match tag {
        "tenant_id" => Some(
            cx.cat
                .map(|c| c.platform.tenant.as_str())
                .unwrap_or(cx.p.tags.tenant.as_str()),
        ),
        "module_id" => cx.module_id.as_deref(),
        "environment" => cx.env.as_deref(),
        _ => None,
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    let required = &cx.p.tags.required;
    // Wrong values in default_tags: once, at the provider.
    for p in cx.m.providers.iter().filter(|p| p.name == "aws") {
        let Some(a) = p.block.body.path(&["default_tags", "tags"]) else {
            continue;
        };
        let Some(obj) = cx.m.resolve(&a.val).as_obj() else {
            continue;
        };
        let file = &cx.m.files[p.file];
        for (k, v) in obj {
            if let (Some(want), Some(have)) = (expected(cx, k), v.as_str())
                && required.contains(k)
                && want != have
            {
                out.in_file(
                    file,
                    v.span,
                    Some("provider aws".into()),
                    file.origin(),
                    format!("default tag {k} = \"{have}\", but this folder is {k} \"{want}\""),
                    format!("set {k} = \"{want}\" in default_tags"),
                );
            }
        }
    }
    for r in &cx.m.resources {
        if r.mode != crate::lint::index::Mode::Managed {
            continue;
        }
        if !cx.p.tags.taggable.contains(&r.rtype) && r.get("tags").is_none() {
            continue;
        }
        let Some(tags) = facts::tags(cx, r) else {
            continue;
        };
        let missing: Vec<&str> = required
            .iter()
            .map(String::as_str)
            .filter(|t| !tags.contains_key(t))
            .collect();
        if !missing.is_empty() {
            out.on_attr(
                cx.m,
                r,
                &["tags"],
                format!(
                    "{} lacks the tag{} {}",
                    r.addr,
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", ")
                ),
                "add them to the provider's default_tags (or the resource's tags)",
            );
        }
        for t in required {
            let Some(tag) = tags.get(t.as_str()) else {
                continue;
            };
            if tag.source != TagSource::Resource {
                continue;
            }
            if let (Some(want), Some(have)) = (expected(cx, t), tag.value)
                && want != have
            {
                out.at(
                    cx.m,
                    r,
                    tag.val.span,
                    format!(
                        "{} has {t} = \"{have}\", but this folder is {t} \"{want}\"",
                        r.addr
                    ),
                    format!("set {t} = \"{want}\" (or drop it and let default_tags set it)"),
                );
            }
        }
    }
}
