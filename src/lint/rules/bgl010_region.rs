//! BGL010: every AWS provider (and every resource-level `region`) is in an allowed region.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL010",
    name: "region",
    title: "Resources stay in ap-southeast-2",
    severity: Severity::Error,
    policy: "ADR-042",
    checkov: &[],
    covers: &["backend", "aws_s3_bucket_replication_configuration"],
    doc: r#"## What it checks
Every `provider "aws"` block sets `region` to a literal from `policies/regions.yaml`
(`ap-southeast-2`), and no resource overrides it with its own `region` argument (provider 6.x)
to another region, and an S3 backend keeps the state in an allowed region. A provider without `region` takes it from the environment of whoever runs
Terraform, so it is reported too.

## Why
ADR-042: NZ and AU data residency is satisfied at the regional level; the bank's whole stack
runs in ap-southeast-2.

## Example
```hcl
provider "aws" {
  region = "us-east-1"
}
```

## Fix
```hcl
provider "aws" {
  region = "ap-southeast-2"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let allowed = &cx.p.regions.allowed;
    for p in cx.m.providers.iter().filter(|p| p.name == "aws") {
        let file = &cx.m.files[p.file];
        let what = match &p.alias {
            Some(a) => format!("provider aws.{a}"),
            None => "provider aws".to_string(),
        };
        match p.block.body.attr("region") {
            None => out.in_file(
                file,
                crate::lint::finding::header_span(file, p.block.span),
                Some(what.clone()),
                file.origin(),
                format!("{what} has no region: it would use whatever region the environment sets"),
                format!("set region = \"{}\" (ADR-042)", allowed.join("\" or \"")),
            ),
            Some(a) => {
                if let Some(r) = cx.m.resolve(&a.val).as_str()
                    && !allowed.iter().any(|x| x == r)
                {
                    out.in_file(
                        file,
                        a.span,
                        Some(what.clone()),
                        file.origin(),
                        format!("{what} deploys to `{r}`, outside the bank's region"),
                        format!(
                            "set region = \"{}\" (ADR-042 data residency)",
                            allowed.join("\" or \"")
                        ),
                    );
                }
            }
        }
    }
    for (b, fi) in &cx.m.backends {
        if b.labels.first().map(String::as_str) != Some("s3") {
            continue;
        }
        let file = &cx.m.files[*fi];
        if let Some(a) = b.body.attr("region")
            && let Some(r) = cx.m.resolve(&a.val).as_str()
            && !allowed.iter().any(|x| x == r)
        {
            out.in_file(
                file,
                a.span,
                Some("backend s3".into()),
                file.origin(),
                format!("the Terraform state is kept in `{r}`, outside the bank's region"),
                format!("keep the state bucket in {} (ADR-042)", allowed.join(", ")),
            );
        }
    }
    for r in &cx.m.resources {
        if let Some(region) = r.get("region").and_then(|v| cx.m.resolve(v).as_str())
            && !allowed.iter().any(|x| x == region)
            && r.rtype != "aws_s3_bucket_replication_configuration"
        {
            out.on_attr(
                cx.m,
                r,
                &["region"],
                format!(
                    "{} is placed in `{region}`, outside the bank's region",
                    r.addr
                ),
                format!(
                    "remove the region override or set it to {} (ADR-042)",
                    allowed.join(", ")
                ),
            );
        }
    }
}
