//! BGL602: a folder's AWS Config recorder records every resource type, is switched on, and delivers.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL602",
    name: "config-recorder",
    title: "AWS Config recorders record everything, are on, and deliver",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV2_AWS_45", "CKV2_AWS_48"],
    covers: &[
        "aws_config_configuration_recorder",
        "aws_config_configuration_recorder_status",
        "aws_config_delivery_channel",
    ],
    doc: r#"## What it checks
For every `aws_config_configuration_recorder` of a folder:
- its `recording_group` records every supported resource type (`all_supported` not `false`) and
  the global ones (`include_global_resource_types = true`; without a `recording_group` AWS
  records no global resource);
- an `aws_config_configuration_recorder_status` names it (a reference to the recorder, or its
  literal name) with `is_enabled = true`: a recorder is created stopped;
- the folder has an `aws_config_delivery_channel`: without one the recorder cannot start.

## Why
Seed 002: "AWS Config continuously monitors resource configurations and evaluates them against
compliance rules ... Configuration history provides a timeline of changes for troubleshooting."
A recorder that is off, that skips resource types, or that has nowhere to deliver leaves gaps in
that timeline, and the Config rules evaluate nothing it did not record.

## Example
```hcl
resource "aws_config_configuration_recorder" "config" {
  name     = "gbp-config-dev"
  role_arn = aws_iam_role.config.arn
}
```

## Fix
```hcl
resource "aws_config_configuration_recorder" "config" {
  name     = "gbp-config-dev"
  role_arn = aws_iam_role.config.arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = true
  }
}

resource "aws_config_delivery_channel" "config" {
  name           = "gbp-config-dev"
  s3_bucket_name = aws_s3_bucket.gbp_audit.id
  s3_key_prefix  = "config"
  depends_on     = [aws_config_configuration_recorder.config]
}

resource "aws_config_configuration_recorder_status" "config" {
  name       = aws_config_configuration_recorder.config.name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.config]
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

const STATUS: &str = "aws_config_configuration_recorder_status";

fn check(cx: &ModCtx, out: &mut Out) {
    let channel = cx.m.of_type("aws_config_delivery_channel").next().is_some();
    for r in cx.m.of_type("aws_config_configuration_recorder") {
        if facts::flag(cx, r, &["recording_group", "all_supported"]) == Some(false) {
            out.on_attr(
                cx.m,
                r,
                &["recording_group", "all_supported"],
                format!("Config recorder {} does not record every resource type", r.addr),
                "set recording_group { all_supported = true }",
            );
        }
        let global = r
            .body()
            .path(&["recording_group", "include_global_resource_types"]);
        if facts::flag(cx, r, &["recording_group", "include_global_resource_types"]) != Some(true)
            && global.is_none_or(|a| cx.m.resolve(&a.val).is_known_literal())
        {
            out.on_attr(
                cx.m,
                r,
                &["recording_group", "include_global_resource_types"],
                format!("Config recorder {} does not record global resources", r.addr),
                "set recording_group { include_global_resource_types = true }",
            );
        }
        let name = facts::lit(cx, r, "name");
        let status = cx.m.of_type(STATUS).find(|s| {
            s.get("name").is_some_and(|v| {
                let v = cx.m.resolve(v);
                v.ref_target().is_some_and(|t| t.addr == r.addr)
                    || (name.is_some() && v.as_str() == name)
            })
        });
        match status {
            None => out.on(
                cx.m,
                r,
                format!("Config recorder {} is never switched on", r.addr),
                format!(
                    "add an {STATUS} with name = {}.name and is_enabled = true",
                    r.addr
                ),
            ),
            Some(s) => {
                let on = facts::flag(cx, s, &["is_enabled"]);
                let unknown = s
                    .get("is_enabled")
                    .is_some_and(|v| !cx.m.resolve(v).is_known_literal());
                if on != Some(true) && !unknown {
                    out.on_attr(
                        cx.m,
                        s,
                        &["is_enabled"],
                        format!("Config recorder {} is switched off by {}", r.addr, s.addr),
                        "set is_enabled = true",
                    );
                }
            }
        }
        if !channel {
            out.on(
                cx.m,
                r,
                format!("Config recorder {} has no delivery channel", r.addr),
                "add an aws_config_delivery_channel to the audit bucket",
            );
        }
    }
}
