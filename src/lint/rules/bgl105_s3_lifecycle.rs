//! BGL105: every bucket has a lifecycle configuration that keeps objects at least as long as
//! its classification requires, with the catalogue's transitions.
use super::prelude::*;
use crate::lint::s3;

pub static RULE: Rule = Rule {
    code: "BGL105",
    name: "s3-lifecycle",
    title: "S3 lifecycle keeps data for its classification's retention",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV2_AWS_61"],
    covers: &["aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration", "catalogue: buckets"],
    doc: r#"## What it checks
Every `aws_s3_bucket` has a lifecycle configuration (`aws_s3_bucket_lifecycle_configuration`,
or legacy inline `lifecycle_rule` blocks) with at least one enabled rule, and no enabled rule
expires objects sooner than the minimum retention of the bucket's classification
(`policies/retention.yaml`: 2555 days, 7 years, for `pii` and `financial`). The classification
is the bucket's `data_classification` tag, or its name pattern in `policies/kms.yaml`.
When the catalogue declares the bucket, each of its lifecycle rules must be there with the same
transitions and expiration. In the catalogue, a rule that expires sooner than its bucket's
classification allows is reported at its `expiration_days`.

## Why
Seed 000 fixes each bucket's lifecycle ("Glacier after 90d, delete after 7y"); financial and
customer records must be kept 7 years, and deleted after.

## Example
```hcl
resource "aws_s3_bucket_lifecycle_configuration" "iceberg" {
  bucket = aws_s3_bucket.iceberg.id
  rule {
    id     = "archive"
    status = "Enabled"
    filter {}
    expiration {
      days = 365
    }
  }
}
```

## Fix
Set `expiration { days = 2555 }` (or more), with the catalogue's transitions, e.g.
`transition { days = 90, storage_class = "GLACIER" }`.
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn check(cx: &ModCtx, out: &mut Out) {
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some((holder, rules)) = s3::lifecycle(cx, b) else {
            out.on(
                cx.m,
                b,
                format!("bucket {} has no lifecycle configuration", b.addr),
                "add an aws_s3_bucket_lifecycle_configuration with the catalogue's rules (expiry at least the classification's retention)",
            );
            continue;
        };
        // Rules made by a `dynamic "rule"` block come from an expression: not known before a plan.
        let dynamic = holder
            .body()
            .blocks
            .iter()
            .any(|x| x.ident == "dynamic" && x.labels.iter().any(|l| l == "rule" || l == "lifecycle_rule"));
        if dynamic && !rules.iter().any(|r| r.enabled) {
            let span = holder.block.span;
            out.unknown_at(
                cx.m,
                holder,
                crate::lint::finding::header_span(cx.m.file_of(holder), span),
                format!(
                    "the lifecycle rules of bucket {} come from a dynamic block, unknown before a plan",
                    b.addr
                ),
                "give the rules' variable a value (a default, a .tfvars file, --var), or write the rules out",
            );
            continue;
        }
        if !rules.iter().any(|r| r.enabled) {
            out.on(
                cx.m,
                holder,
                format!(
                    "the lifecycle configuration of bucket {} has no enabled rule",
                    b.addr
                ),
                "enable the rules (status = \"Enabled\"; legacy: enabled = true)",
            );
            continue;
        }
        let class = facts::classification(cx, b).map(|(c, _)| c);
        let min = class
            .as_deref()
            .and_then(|c| cx.p.retention.min_retention_days.get(c).copied());
        let mut short = Vec::new();
        if let (Some(class), Some(min)) = (&class, min) {
            for r in rules.iter().filter(|r| r.enabled) {
                if let Some((days, span)) = r.expiration_days
                    && days < min as f64
                {
                    short.push(r.id);
                    out.at(
                            cx.m,
                            holder,
                            span,
                            format!(
                                "lifecycle rule {} of bucket {} expires objects after {days} days, less than the {min} days {class} data must be kept",
                                r.id.unwrap_or("(no id)"),
                                b.addr
                            ),
                            format!("set expiration days to at least {min} (policies/retention.yaml)"),
                        );
                }
            }
        }
        if let Some(cb) = catalogue_bucket(cx, b) {
            for want in &cb.lifecycle {
                if short.contains(&Some(want.id.as_str())) {
                    continue; // already reported: it keeps data too short
                }
                let Some(have) = rules.iter().find(|r| r.id == Some(want.id.as_str())) else {
                    out.on(
                        cx.m,
                        holder,
                        format!(
                            "bucket {} lacks the catalogue's lifecycle rule `{}`",
                            b.addr, want.id
                        ),
                        "render the bucket again from the catalogue, or add the rule",
                    );
                    continue;
                };
                let mut want_t: Vec<(f64, &str)> = want
                    .transitions
                    .iter()
                    .map(|t| (t.days as f64, t.storage_class.as_str()))
                    .collect();
                let mut have_t = have.transitions.clone();
                want_t.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                have_t.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                let exp_ok =
                    have.expiration_days.map(|(d, _)| d) == Some(want.expiration_days.value as f64);
                if want_t != have_t || !exp_ok {
                    let span = have
                        .expiration_days
                        .filter(|_| !exp_ok)
                        .map(|(_, s)| s)
                        .unwrap_or(have.span);
                    out.at(
                        cx.m,
                        holder,
                        span,
                        format!(
                            "lifecycle rule `{}` of bucket {} differs from the catalogue ({}expire after {} days)",
                            want.id,
                            b.addr,
                            want_t
                                .iter()
                                .map(|(d, c)| format!("{c} after {d} days, "))
                                .collect::<String>(),
                            want.expiration_days.value
                        ),
                        "render the bucket again from the catalogue",
                    );
                }
            }
        }
    }
}

/// The catalogue bucket a Terraform bucket renders: its literal name is the catalogue name (the
/// old one of a renamed bucket) or that name with `-<env>` appended.
fn catalogue_bucket<'a>(cx: &'a ModCtx, b: &Resource) -> Option<&'a crate::kinds::bucket::Bucket> {
    let cat = cx.cat?;
    let name = b.get("bucket").and_then(Val::as_str)?;
    cat.modules
        .iter()
        .filter(|m| cx.module_id.as_ref().is_none_or(|id| *id == m.id))
        .flat_map(|m| m.resources.buckets.iter())
        .find(|cb| {
            let n = crate::kinds::guard::physical(&cb.name, cb.renamed_from.as_ref());
            name == n || cx.env.as_ref().is_some_and(|e| name == format!("{n}-{e}"))
        })
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    for m in &cx.cat.modules {
        for b in &m.resources.buckets {
            let class = &b.classification.value;
            let Some(min) = cx.p.retention.min_retention_days.get(class) else {
                continue;
            };
            for r in &b.lifecycle {
                if r.expiration_days.value < *min {
                    out.at_loc(
                        &m.loc_of(&r.expiration_days.referenced),
                        Some(format!("bucket {}", b.name.value)),
                        format!(
                            "lifecycle rule `{}` of bucket {} expires after {} days, less than the {min} days {class} data must be kept",
                            r.id, b.name.value, r.expiration_days.value
                        ),
                        format!("set expiration_days to at least {min}"),
                    );
                }
            }
        }
    }
}
