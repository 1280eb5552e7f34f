//! BGL110: in a protected environment of the catalogue, every resource that holds data carries
//! `lifecycle { prevent_destroy = true }`.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL110",
    name: "prevent-destroy",
    title: "Resources that hold data in a protected environment cannot be destroyed by Terraform",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &[
        "aws_cloudwatch_event_archive",
        "aws_cloudwatch_log_group",
        "aws_cognito_user_pool",
        "aws_dynamodb_table",
        "aws_elasticache_replication_group",
        "aws_kinesis_stream",
        "aws_kms_key",
        "aws_rds_cluster",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_sqs_queue",
    ],
    doc: r#"## What it checks
In a folder of a protected environment of the catalogue (`out/prod/MOD-104`: platform.yaml's
`protected:`, true by default for `prod`), every resource of a type that holds data has
`lifecycle { prevent_destroy = true }`. The types are those the resource kinds declare as
holding data: S3 buckets, KMS keys, Cognito user pools, Secrets Manager secrets, CloudWatch log
groups, EventBridge archives, SQS queues, Kinesis streams, DynamoDB tables, Aurora (RDS)
clusters and ElastiCache replication groups.

Folders of other environments, and hand-written Terraform outside a catalogue environment, are
not checked: whether they are protected is the catalogue's to say.

## Why
A catalogue edit can make Terraform destroy and recreate a resource that holds customer data
(a changed custom attribute replaces a user pool, a renamed bucket is a new bucket). With
`prevent_destroy` Terraform refuses any plan that would delete the resource, whatever the
plan's author intended: the last line of defence behind bankgen's plan guard.

## Example
```hcl
# out/prod/MOD-104/s3.tf
resource "aws_s3_bucket" "bank_iceberg" {
  bucket = "bank-iceberg-prod"
}
```

## Fix
```hcl
resource "aws_s3_bucket" "bank_iceberg" {
  bucket = "bank-iceberg-prod"

  lifecycle {
    prevent_destroy = true
  }
}
```
To replace or remove such a resource on purpose, mark the environment `protected: false` for
that change (a reviewed catalogue edit), or take the resource out of the state first.
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    if !facts::protected(cx) {
        return;
    }
    let env = cx.env.as_deref().unwrap_or_default();
    for t in crate::kinds::stateful_types() {
        for r in cx.m.of_type(t) {
            // Terraform takes only a literal here: anything but `true` does not protect.
            if facts::flag(cx, r, &["lifecycle", "prevent_destroy"]) != Some(true) {
                out.on_attr(
                    cx.m,
                    r,
                    &["lifecycle", "prevent_destroy"],
                    format!(
                        "{} holds data in the protected environment {env} but can be destroyed",
                        r.addr
                    ),
                    "set lifecycle { prevent_destroy = true } (bankgen renders it in protected environments)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The compliance report's coverage is the kinds' list of types that hold data.
    #[test]
    fn it_covers_exactly_the_types_that_hold_data() {
        assert_eq!(super::RULE.covers, crate::kinds::stateful_types().as_slice());
    }
}
