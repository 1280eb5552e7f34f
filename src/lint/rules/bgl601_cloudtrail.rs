//! BGL601: CloudTrail is on, multi-region, validated, KMS-encrypted, delivering to
//! bank-artefacts/cloudtrail/.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL601",
    name: "cloudtrail",
    title: "CloudTrail logs every region to bank-artefacts/cloudtrail, validated and encrypted",
    severity: Severity::Error,
    policy: "GOV-006",
    checkov: &["CKV_AWS_36", "CKV_AWS_67", "CKV_AWS_35"],
    covers: &["aws_cloudtrail", "catalogue: trails"],
    doc: r#"## What it checks
Every `aws_cloudtrail`:
- is logging (`enable_logging` is not `false`);
- `is_multi_region_trail = true`;
- `enable_log_file_validation = true`;
- has `kms_key_id`;
- delivers to the artefacts bucket (`s3_bucket_name` is, or refers to, a bucket named
  `bank-artefacts*`) with `s3_key_prefix = "cloudtrail"`.

In the catalogue, at least one module declares a trail, and every trail is multi-region and
delivers to `bank-artefacts` with prefix `cloudtrail`.

## Why
GOV-006 (Internal Audit): "CloudTrail is enabled across all accounts from bootstrap — every AWS
API call is logged from day one". Seed 000: logged to `bank-artefacts/cloudtrail/`.

## Example
```hcl
resource "aws_cloudtrail" "bank" {
  name                       = "bank-trail-dev"
  s3_bucket_name             = aws_s3_bucket.artefacts.id
  is_multi_region_trail      = false
  enable_log_file_validation = true
}
```

## Fix
Set `is_multi_region_trail = true`, `kms_key_id = <operational CMK>`,
`s3_key_prefix = "cloudtrail"`.
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn check(cx: &ModCtx, out: &mut Out) {
    let (bucket, prefix_want) = (&cx.p.cloudtrail.bucket, &cx.p.cloudtrail.key_prefix);
    for t in cx.m.of_type("aws_cloudtrail") {
        if facts::flag(cx, t, &["enable_logging"]) == Some(false) {
            out.on_attr(
                cx.m,
                t,
                &["enable_logging"],
                format!("trail {} is not logging", t.addr),
                "set enable_logging = true (GOV-006)",
            );
        }
        for (k, what) in [
            ("is_multi_region_trail", "does not log every region"),
            (
                "enable_log_file_validation",
                "does not validate its log files",
            ),
        ] {
            if facts::flag(cx, t, &[k]) != Some(true)
                && t.get(k).is_none_or(|v| cx.m.resolve(v).is_known_literal())
            {
                out.on_attr(
                    cx.m,
                    t,
                    &[k],
                    format!("trail {} {what}", t.addr),
                    format!("set {k} = true"),
                );
            }
        }
        if facts::key_arg(cx, t, "kms_key_id").is_none() {
            out.on(
                cx.m,
                t,
                format!("trail {} does not encrypt its logs with KMS", t.addr),
                "set kms_key_id to the operational CMK",
            );
        }
        if let Some(b) = t.get("s3_bucket_name") {
            let name = facts::resolved_text(cx, b);
            let known = !name.starts_with("${");
            if known && !name.starts_with(bucket.as_str()) && !name.contains(&format!("/{bucket}"))
            {
                out.on_attr(
                    cx.m,
                    t,
                    &["s3_bucket_name"],
                    format!(
                        "trail {} delivers to `{name}`, not the {bucket} bucket",
                        t.addr
                    ),
                    format!("deliver to the {bucket} bucket (seed 000: {bucket}/{prefix_want}/)"),
                );
            }
        }
        let prefix = facts::lit(cx, t, "s3_key_prefix");
        if prefix.map(|p| p.trim_matches('/')) != Some(prefix_want.as_str())
            && t.get("s3_key_prefix")
                .is_none_or(|v| cx.m.resolve(v).is_known_literal())
        {
            out.on_attr(
                cx.m,
                t,
                &["s3_key_prefix"],
                format!(
                    "trail {} does not deliver under the {prefix_want}/ prefix",
                    t.addr
                ),
                format!("set s3_key_prefix = \"{prefix_want}\""),
            );
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let (bucket, prefix) = (&cx.p.cloudtrail.bucket, &cx.p.cloudtrail.key_prefix);
    let mut any = false;
    for m in &cx.cat.modules {
        for t in &m.resources.trails {
            any = true;
            let loc = m.loc_of(&t.name.referenced);
            if !t.multi_region {
                out.at_loc(
                    &loc,
                    Some(format!("trail {}", t.name.value)),
                    format!("trail {} is not multi-region", t.name.value),
                    "set multi_region: true",
                );
            }
            // The policy names the bucket in AWS: a renamed bucket's old name.
            if cx.cat.physical_name("buckets", &t.bucket.value) != bucket.as_str() {
                out.at_loc(
                    &m.loc_of(&t.bucket.referenced),
                    Some(format!("trail {}", t.name.value)),
                    format!(
                        "trail {} delivers to {}, not {bucket}",
                        t.name.value, t.bucket.value
                    ),
                    format!("set bucket: {bucket}"),
                );
            }
            if t.prefix.trim_matches('/') != prefix.as_str() {
                out.at_loc(
                    &loc,
                    Some(format!("trail {}", t.name.value)),
                    format!(
                        "trail {} delivers under `{}`, not {prefix}/",
                        t.name.value, t.prefix
                    ),
                    format!("set prefix: {prefix}"),
                );
            }
        }
    }
    if !any {
        out.at_loc(
            &crate::diag::Loc::file_start(&cx.cat.platform.file),
            None,
            "no module of the catalogue declares a CloudTrail trail",
            "declare the platform's trail in a module's resources.trails (GOV-006)",
        );
    }
}
