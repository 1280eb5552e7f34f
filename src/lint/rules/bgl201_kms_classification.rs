//! BGL201: the key that encrypts a classified resource is the CMK of its classification.
use super::prelude::*;
use crate::lint::s3;
use crate::lint::value::Span;

pub static RULE: Rule = Rule {
    code: "BGL201",
    name: "kms-classification",
    title: "Classified data is encrypted with its classification's CMK",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &[
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_kinesis_firehose_delivery_stream",
        "aws_cloudwatch_log_group",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_secretsmanager_secret",
        "aws_cloudtrail",
        "aws_lambda_function",
        "aws_kinesis_stream",
    ],
    doc: r#"## What it checks
For every resource with a data classification (its `data_classification` tag, own or through
`default_tags`, or for hand-written Terraform its name pattern in `policies/kms.yaml`:
`bank-documents*` → pii, `bank-iceberg*` → financial, ...), the KMS key that encrypts it is the
classification's CMK (`alias/bank/pii`, `alias/bank/financial`, `alias/bank/operational`).
Buckets, Firehose streams, SQS queues, SNS topics, log groups, secrets, SSM SecureStrings,
trails, Lambda environments, DynamoDB tables and Kinesis streams are checked. The key is
resolved through `aws_kms_key.X` (the `aws_kms_alias` that targets it),
`aws_kms_alias`/`data.aws_kms_alias`, `data.aws_ssm_parameter` (its path
`/bank/<env>/kms/<classification>/arn`), or a literal alias or alias ARN; a key that cannot be
resolved statically (a variable) is not judged. AWS-managed keys (`alias/aws/s3`, or
`aws:kms` without a key) are never a classification's CMK. SSE-S3 is accepted only for the
classifications in `sse_s3_allowed` (seed 000: bank-artefacts). AML-007: the sanctions-list key
secret is financial, so it must use `bank/financial`.

## Why
Seed 000: one CMK per classification, with key policies that let only the roles handling that
classification decrypt. Data under the wrong key is readable by the wrong roles.

## Example
```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "documents" {
  bucket = aws_s3_bucket.documents.id   # tagged data_classification = "pii"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = data.aws_ssm_parameter.kms_financial_arn.value
    }
  }
}
```

## Fix
Use the classification's key: `data.aws_ssm_parameter.kms_pii_arn.value`
(`/bank/<env>/kms/pii/arn`) or `aws_kms_key.pii.arn`.
"#,
    terraform: Some(check),
    catalogue: None,
};

/// The arguments that name a resource's encryption key, per type.
fn key_args(rtype: &str) -> &'static [&'static [&'static str]] {
    match rtype {
        "aws_kinesis_firehose_delivery_stream" => &[
            &["server_side_encryption", "key_arn"],
            &["extended_s3_configuration", "kms_key_arn"],
        ],
        "aws_sqs_queue" | "aws_sns_topic" => &[&["kms_master_key_id"]],
        "aws_cloudwatch_log_group"
        | "aws_secretsmanager_secret"
        | "aws_cloudtrail"
        | "aws_kinesis_stream" => &[&["kms_key_id"]],
        "aws_ssm_parameter" => &[&["key_id"]],
        "aws_lambda_function" => &[&["kms_key_arn"]],
        "aws_dynamodb_table" => &[&["server_side_encryption", "kms_key_arn"]],
        _ => &[],
    }
}

fn judge(
    cx: &ModCtx,
    out: &mut Out,
    r: &Resource,
    holder: &Resource,
    key: &Val,
    span: Span,
    class: &str,
) {
    let want =
        cx.p.kms
            .classifications
            .get(class)
            .map(String::as_str)
            .unwrap_or("(no CMK in policies/kms.yaml)");
    let got = match facts::key_class(cx, key) {
        KeyClass::Unknown => return,
        KeyClass::Class(c) if c == class => return,
        KeyClass::Class(c) => format!("the {c} CMK"),
        KeyClass::Other(k) => format!("`{k}`, not a classification CMK"),
    };
    out.at(
        cx.m,
        holder,
        span,
        format!("{} holds {class} data but is encrypted with {got}", r.addr),
        format!("encrypt it with {want} (the {class} CMK; seed 000 key per classification)"),
    );
}

fn check(cx: &ModCtx, out: &mut Out) {
    for r in &cx.m.resources {
        if r.mode != crate::lint::index::Mode::Managed {
            continue;
        }
        let is_bucket = r.rtype == "aws_s3_bucket";
        let args = key_args(&r.rtype);
        if !is_bucket && args.is_empty() {
            continue;
        }
        if r.rtype == "aws_ssm_parameter" && facts::lit(cx, r, "type") != Some("SecureString") {
            continue;
        }
        let Some((class, _)) = facts::classification(cx, r) else {
            continue;
        };
        if is_bucket {
            let Some(sse) = s3::sse(cx, r) else { continue };
            let alg = sse
                .algorithm()
                .map(|v| cx.m.resolve(v))
                .and_then(Val::as_str);
            match (alg, sse.key()) {
                (Some("AES256"), _) if !cx.p.kms.sse_s3_allowed.contains(&class) => {
                    out.at(
                            cx.m,
                            sse.holder,
                            sse.algorithm().map(|v| v.span).unwrap_or(sse.span()),
                            format!("{} holds {class} data but is encrypted with SSE-S3, not its CMK", r.addr),
                            format!(
                                "use sse_algorithm = \"aws:kms\" with kms_master_key_id = the {class} CMK ({})",
                                cx.p.kms.classifications.get(&class).map(String::as_str).unwrap_or("?")
                            ),
                        );
                }
                (Some(a), None) if a.starts_with("aws:kms") => out.at(
                    cx.m,
                    sse.holder,
                    sse.span(),
                    format!(
                        "{} holds {class} data but is encrypted with the AWS-managed key aws/s3",
                        r.addr
                    ),
                    format!(
                        "set kms_master_key_id to the {class} CMK ({})",
                        cx.p.kms
                            .classifications
                            .get(&class)
                            .map(String::as_str)
                            .unwrap_or("?")
                    ),
                ),
                (_, Some(k)) => judge(cx, out, r, sse.holder, k, k.span, &class),
                _ => {}
            }
            continue;
        }
        for path in args {
            if let Some(a) = r.body().path(path) {
                judge(cx, out, r, r, &a.val, a.span, &class);
            }
        }
    }
}
