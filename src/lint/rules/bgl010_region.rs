//! BGL010: every AWS provider (and every resource-level `region`) is in an allowed region.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL010",
    name: "region",
    title: "Resources stay in the allowed regions (one declared global exception)",
    severity: Severity::Error,
    policy: "ADR-042",
    checkov: &[],
    covers: &["backend", "aws_s3_bucket_replication_configuration"],
    doc: r#"## What it checks
Every `provider "aws"` block sets `region` to a literal from `policies/regions.yaml` `allowed`
(the bank: `ap-southeast-2`; the global platform: its primary region and its DR region in the same
country), no resource overrides it with its own `region` argument (provider 6.x) to another
region, and an S3 backend keeps the state in an allowed region. A provider without `region` takes
it from the environment of whoever runs Terraform, so it is reported too.

The one exception is declared in the same file, `global: {region, resource_types, reason}`: an
*aliased* provider may be in that region (CloudFront's certificate and web ACL must be in
us-east-1), and then only resources of those types may use it; a resource of another type there,
or a default (unaliased) provider there, is a finding.

## Why
ADR-042: NZ and AU data residency is satisfied at the regional level. A DR region of the same
country keeps it; any other region breaks it. CloudFront reads its certificate and web ACL from
us-east-1 only: they hold no customer data, so they are the one declared exception.

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
    let global = cx.p.regions.global.as_ref();
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
                let Some(r) = cx.m.resolve(&a.val).as_str() else {
                    continue;
                };
                let exception = global.is_some_and(|g| g.region == r) && p.alias.is_some();
                if !allowed.iter().any(|x| x == r) && !exception {
                    out.in_file(
                        file,
                        a.span,
                        Some(what.clone()),
                        file.origin(),
                        format!("{what} deploys to `{r}`, outside the allowed regions"),
                        format!(
                            "set region = \"{}\" (ADR-042 data residency){}",
                            allowed.join("\" or \""),
                            match global {
                                Some(g) => format!(
                                    "; only an aliased provider may be in {} ({})",
                                    g.region, g.reason
                                ),
                                None => String::new(),
                            }
                        ),
                    );
                }
            }
        }
    }
    // What uses the declared exception's provider must be one of its types.
    if let Some(g) = global {
        for r in &cx.m.resources {
            let Some(p) = facts::provider_of(cx, r) else {
                continue;
            };
            let region = p.block.body.get("region").and_then(|v| cx.m.resolve(v).as_str());
            if region == Some(g.region.as_str())
                && !allowed.iter().any(|x| x == &g.region)
                && !g.resource_types.iter().any(|t| t == &r.rtype)
            {
                out.on(
                    cx.m,
                    r,
                    format!(
                        "{} is placed in `{}` through provider aws.{}, which only {} may use ({})",
                        r.addr,
                        g.region,
                        p.alias.as_deref().unwrap_or(""),
                        g.resource_types.join(", "),
                        g.reason
                    ),
                    format!(
                        "use the default provider (region {}); the exception is for {}",
                        allowed.join(" or "),
                        g.resource_types.join(", ")
                    ),
                );
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
        let excepted = |region: &str| {
            global.is_some_and(|g| g.region == region && g.resource_types.contains(&r.rtype))
        };
        if let Some(region) = r.get("region").and_then(|v| cx.m.resolve(v).as_str())
            && !allowed.iter().any(|x| x == region)
            && !excepted(region)
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
