//! BGL112: outside an emulator environment, a deleted KMS key can be recovered for 30 days.
use super::prelude::*;

/// AWS's longest waiting period, and its default.
const DAYS: f64 = 30.0;

pub static RULE: Rule = Rule {
    code: "BGL112",
    name: "kms-deletion-window",
    title: "KMS keys wait 30 days before deletion",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["aws_kms_key", "aws_kms_replica_key"],
    doc: r#"## What it checks
Every `aws_kms_key` and `aws_kms_replica_key` either leaves `deletion_window_in_days` unset (AWS
then waits 30 days) or sets it to 30, except in a folder of an emulator environment of the
catalogue (`local`), whose keys go with the environment (7 days there). A value that depends on a
variable without a value is a warning that names the variable.

## Why
Deleting a key makes everything encrypted under it unreadable: the buckets, tables, queues, logs
and secrets of its classification. A key is deleted only after its waiting period, during which
the deletion can be cancelled; AWS allows 7 to 30 days. The longest window gives a month to
notice a destroy or replacement that should not have happened.

## Example
```hcl
resource "aws_kms_key" "pii" {
  description             = "bank/pii"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}
```

## Fix
```hcl
resource "aws_kms_key" "pii" {
  description             = "bank/pii"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    if facts::emulated(cx) {
        return;
    }
    let keys = cx
        .m
        .of_type("aws_kms_key")
        .chain(cx.m.of_type("aws_kms_replica_key"));
    for k in keys {
        let Some(a) = k.body().attr("deletion_window_in_days") else {
            continue;
        };
        match cx.m.resolve(&a.val).as_num() {
            Some(d) if d >= DAYS => {}
            Some(d) => out.at(
                cx.m,
                k,
                a.span,
                format!(
                    "key {} is deleted {d} days after a destroy, not {DAYS}",
                    k.addr
                ),
                "set deletion_window_in_days = 30 (or remove it: 30 is the default)",
            ),
            None => {
                if let Some(what) = facts::depends_on(cx, &a.val) {
                    out.unknown_at(
                        cx.m,
                        k,
                        a.span,
                        format!(
                            "deletion_window_in_days of key {} depends on {what}, unknown before a plan",
                            k.addr
                        ),
                        "give it the value 30 (a default, a .tfvars file, --var), or set deletion_window_in_days = 30",
                    );
                }
            }
        }
    }
}
