//! BGL901: every secret is named under the bank-* namespace.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL901",
    name: "secret-namespace",
    title: "Secrets live in the bank-* namespace",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &[],
    covers: &["aws_secretsmanager_secret"],
    doc: r#"## What it checks
Every `aws_secretsmanager_secret` has a `name` (or `name_prefix`) that matches
`policies/secrets.yaml`'s `name_pattern`: `bank-<domain>/<path>`, e.g. `bank-core/neon` or
`bank-aml/sanctions/decryption-key`.

## Why
Seed 004 / FR-277: MOD-045 reserves the `bank-*` namespace and its IAM policy scopes every
secret mutation to it; a secret outside it escapes rotation, the anomaly detector and the access
log.

## Example
```hcl
resource "aws_secretsmanager_secret" "neon" {
  name = "core-neon-password"
}
```

## Fix
```hcl
resource "aws_secretsmanager_secret" "neon" {
  name = "bank-core/neon"
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let re = &cx.p.secrets.name_pattern.0;
    for s in cx.m.of_type("aws_secretsmanager_secret") {
        let (key, v) = match (s.get("name"), s.get("name_prefix")) {
            (Some(v), _) => ("name", v),
            (None, Some(v)) => ("name_prefix", v),
            (None, None) => {
                out.on(
                    cx.m,
                    s,
                    format!(
                        "secret {} has no name: Terraform would generate one outside bank-*",
                        s.addr
                    ),
                    "set name = \"bank-<domain>/<path>\"",
                );
                continue;
            }
        };
        let text = cx.m.resolve(v).canonical();
        let ok = if key == "name" {
            re.is_match(&text)
        } else {
            text.starts_with("bank-")
        };
        if !ok {
            out.on_attr(
                cx.m,
                s,
                &[key],
                format!("secret {} is named `{text}`, outside the bank-* namespace", s.addr),
                "name it bank-<domain>/<path> (DT-001; MOD-045's namespace policy covers only bank-*)",
            );
        }
    }
}
