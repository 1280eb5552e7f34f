//! BGL902: every secret is encrypted with a bank CMK.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL902",
    name: "secret-kms",
    title: "Secrets are encrypted with a bank CMK",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &["CKV_AWS_149"],
    covers: &["aws_secretsmanager_secret"],
    doc: r#"## What it checks
Every `aws_secretsmanager_secret` sets `kms_key_id` to a customer-managed key (not the
AWS-managed `aws/secretsmanager`). Which classification's key is BGL201's concern (AML-007: the
sanctions-list key envelope is under `bank/financial`).

## Why
DT-001: secrets are uncopyable by developers. With the AWS-managed key anyone allowed
`secretsmanager:GetSecretValue` can read the value; a CMK's key policy limits it to the roles
that handle the classification.

## Example
```hcl
resource "aws_secretsmanager_secret" "neon" {
  name = "bank-core/neon"
}
```

## Fix
```hcl
resource "aws_secretsmanager_secret" "neon" {
  name       = "bank-core/neon"
  kms_key_id = data.aws_ssm_parameter.kms_financial_arn.value
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for s in cx.m.of_type("aws_secretsmanager_secret") {
        match facts::key_arg(cx, s, "kms_key_id") {
            None => out.on(
                cx.m,
                s,
                format!(
                    "secret {} is encrypted with the AWS-managed key aws/secretsmanager",
                    s.addr
                ),
                "set kms_key_id to the CMK of the secret's classification",
            ),
            Some(k) => {
                if let KeyClass::Other(name) = facts::key_class(cx, k)
                    && name.starts_with("alias/aws/")
                {
                    out.on_attr(
                        cx.m,
                        s,
                        &["kms_key_id"],
                        format!(
                            "secret {} is encrypted with the AWS-managed key {name}",
                            s.addr
                        ),
                        "set kms_key_id to the CMK of the secret's classification",
                    );
                }
            }
        }
    }
}
