//! BGL203: every symmetric customer-managed key rotates automatically.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL203",
    name: "kms-rotation",
    title: "KMS keys rotate automatically",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV_AWS_7"],
    covers: &["aws_kms_key"],
    doc: r#"## What it checks
Every `aws_kms_key` with a symmetric key spec sets `enable_key_rotation = true` (asymmetric and
HMAC keys cannot rotate and are skipped).

## Why
Seed 000: "Key rotation is automatic (annual)". AML-007: the sanctions-list key is managed
centrally under bank/financial with rotation.

## Example
```hcl
resource "aws_kms_key" "pii" {
  description = "bank/pii"
}
```

## Fix
```hcl
resource "aws_kms_key" "pii" {
  description         = "bank/pii"
  enable_key_rotation = true
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for k in cx.m.of_type("aws_kms_key") {
        let spec = facts::lit(cx, k, "customer_master_key_spec")
            .or_else(|| facts::lit(cx, k, "key_spec"))
            .unwrap_or("SYMMETRIC_DEFAULT");
        if spec != "SYMMETRIC_DEFAULT" {
            continue;
        }
        match facts::flag(cx, k, &["enable_key_rotation"]) {
            Some(true) => {}
            None if k.get("enable_key_rotation").is_some() => {}
            _ => out.on_attr(
                cx.m,
                k,
                &["enable_key_rotation"],
                format!("key {} does not rotate automatically", k.addr),
                "set enable_key_rotation = true",
            ),
        }
    }
}
