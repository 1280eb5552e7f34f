//! BGL803: every policy document written as JSON text is valid JSON with a `Statement`.
use super::prelude::*;
use crate::lint::value::Part;

/// The resource types whose argument holds a policy document, and that argument.
const POLICY_ARGS: &[(&str, &str)] = &[
    ("aws_iam_policy", "policy"),
    ("aws_iam_role_policy", "policy"),
    ("aws_iam_user_policy", "policy"),
    ("aws_iam_group_policy", "policy"),
    ("aws_iam_role", "assume_role_policy"),
    ("aws_kms_key", "policy"),
    ("aws_s3_bucket_policy", "policy"),
    ("aws_sqs_queue_policy", "policy"),
    ("aws_sqs_queue", "policy"),
    ("aws_sns_topic_policy", "policy"),
    ("aws_sns_topic", "policy"),
    ("aws_cloudwatch_event_bus_policy", "policy"),
    ("aws_secretsmanager_secret_policy", "policy"),
    ("aws_cloudwatch_log_resource_policy", "policy_document"),
];

pub static RULE: Rule = Rule {
    code: "BGL803",
    name: "policy-json",
    title: "Policy documents written as JSON text are valid JSON",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_role",
        "aws_kms_key",
        "aws_s3_bucket_policy",
        "aws_sqs_queue_policy",
        "aws_sns_topic_policy",
        "aws_cloudwatch_event_bus_policy",
    ],
    doc: r#"## What it checks
A policy argument written as literal JSON text (a quoted string or a heredoc without
interpolations) — `policy` of IAM policies, key, bucket, queue, topic, bus and secret policies,
a role's `assume_role_policy` — parses as JSON and is an object with a `Statement`. Text with
`${…}` interpolations, `jsonencode(…)` and `aws_iam_policy_document` are left to Terraform.

## Why
Terraform passes the text through, and AWS refuses it only at apply
(`MalformedPolicyDocument`); meanwhile every other rule that reads the policy (wildcards, key
policy grants, SSL-only buckets) sees nothing to read and says nothing. A broken document is
the one place where silence is wrong.

## Example
```hcl
resource "aws_kms_key" "k" {
  policy = <<EOT
{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", } ] }
EOT
}
```

## Fix
Write the document with `jsonencode({ … })` or a `data "aws_iam_policy_document"`, which
Terraform checks, or correct the JSON.
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The text of a literal string or of a template without interpolations.
fn literal_text(v: &Val) -> Option<String> {
    match &v.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Tmpl(parts) => parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Option<String>>(),
        _ => None,
    }
}

fn check(cx: &ModCtx, out: &mut Out) {
    for (rtype, arg) in POLICY_ARGS {
        for r in cx.m.of_type(rtype) {
            let Some(text) = r.get(arg).map(|v| cx.m.resolve(v)).and_then(literal_text) else {
                continue;
            };
            let problem = match serde_json::from_str::<serde_json::Value>(&text) {
                Err(e) => Some(format!("is not valid JSON ({e} of the document)")),
                Ok(doc) if doc.get("Statement").is_none() => Some("has no `Statement`".to_string()),
                Ok(_) => None,
            };
            if let Some(p) = problem {
                out.on_attr(
                    cx.m,
                    r,
                    &[arg],
                    format!("the {arg} of {} {p}", r.addr),
                    "write it with jsonencode({ … }) or a data \"aws_iam_policy_document\", or correct the JSON",
                );
            }
        }
    }
}
