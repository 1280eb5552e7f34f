//! BGL904: no secret value is written in a Terraform file.
use super::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

pub static RULE: Rule = Rule {
    code: "BGL904",
    name: "no-secret-values",
    title: "No secret values in Terraform",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &["CKV_AWS_41", "CKV_AWS_45"],
    covers: &["aws_secretsmanager_secret_version", "aws_ssm_parameter", "aws_lambda_function"],
    doc: r#"## What it checks
- No `aws_secretsmanager_secret_version` sets `secret_string` or `secret_binary`: a value given
  to Terraform is stored in its state in plain text, whatever produced it; the rotation function
  writes secret values.
- No `aws_ssm_parameter` of type `SecureString` has a literal `value`.
- No Lambda environment variable whose name says it holds a secret (`*SECRET*`, `*PASSWORD*`,
  `*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*`) has a literal value.
- No file contains an AWS access key id (`AKIA...`/`ASIA...`) or a PEM private key.

## Why
DT-001 / seed 004: secrets exist only in Secrets Manager, "never a secret value" in logs or
files; no developer can copy them from the repository or the state.

## Example
```hcl
resource "aws_secretsmanager_secret_version" "neon" {
  secret_id     = aws_secretsmanager_secret.neon.id
  secret_string = "hunter2"
}
```

## Fix
Delete the version: create the secret empty and let MOD-045's rotation function set its value.
"#,
    terraform: Some(check),
    catalogue: None,
};

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(secret|password|passwd|token|api_?key|private_?key)").expect("valid regex")
});
static SECRET_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----")
        .expect("valid regex")
});

fn check(cx: &ModCtx, out: &mut Out) {
    for v in cx.m.of_type("aws_secretsmanager_secret_version") {
        for k in ["secret_string", "secret_binary"] {
            if let Some(val) = v.get(k) {
                let literal = matches!(cx.m.resolve(val).kind, Kind::Str(_) | Kind::Tmpl(_));
                out.on_attr(
                    cx.m,
                    v,
                    &[k],
                    if literal {
                        format!("{} writes a secret value into the Terraform file", v.addr)
                    } else {
                        format!("{} passes a secret value through Terraform (it is stored in the state)", v.addr)
                    },
                    "remove the secret version; the rotation function (MOD-045) sets secret values",
                );
            }
        }
    }
    for p in cx.m.of_type("aws_ssm_parameter") {
        if facts::lit(cx, p, "type") == Some("SecureString")
            && let Some(val) = p.get("value")
            && matches!(cx.m.resolve(val).kind, Kind::Str(_))
        {
            out.on_attr(
                cx.m,
                p,
                &["value"],
                format!("SecureString {} has its value written in the file", p.addr),
                "keep secrets in Secrets Manager; SSM holds non-secret configuration (seed 000)",
            );
        }
    }
    for f in cx.m.of_type("aws_lambda_function") {
        let Some(vars) = f.body().path(&["environment", "variables"]) else {
            continue;
        };
        for (k, v) in cx.m.resolve(&vars.val).as_obj().unwrap_or(&[]) {
            if SECRET_NAME.is_match(k) && v.as_str().is_some_and(|s| !s.is_empty()) {
                out.at(
                    cx.m,
                    f,
                    v.span,
                    format!("environment variable {k} of {} holds a literal secret", f.addr),
                    "read it from Secrets Manager at run time; pass the secret's name, not its value",
                );
            }
        }
    }
    for file in &cx.m.files {
        if let Some(m) = SECRET_TEXT.find(&file.source.text) {
            let span = crate::lint::value::Span {
                start: m.start() as u32,
                end: m.end() as u32,
            };
            out.in_file(
                file,
                span,
                None,
                file.origin(),
                "the file contains a credential (an AWS access key id or a private key)",
                "remove it and revoke it: credentials never go in files",
            );
        }
    }
}
