//! S3: every bucket SSL-only, public access blocked, versioned, encrypted (KMS key of its
//! classification, or SSE-S3 where the seed says so), with its lifecycle rules.

use super::{Stmt, policy};
use crate::model::{Encryption, names::ident};
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::{raw, tpl};
use serde_json::{Value, json};

pub fn render(m: &mut ModuleCtx) {
    for b in &m.module.resources.buckets {
        let id = ident(&b.name.value);
        let loc = m.loc(&b.name.referenced);
        let arn = raw(format!("aws_s3_bucket.{id}.arn"));
        let objects = tpl(vec![raw(format!("aws_s3_bucket.{id}.arn")), json!("/*")]);
        let mut statements = vec![
            Stmt::deny("DenyInsecureTransport")
                .any_principal()
                .action(&["s3:*"])
                .resource(vec![arn.clone(), objects])
                .condition("Bool", "aws:SecureTransport", json!("false"))
                .build(),
        ];
        let trails: Vec<_> = m
            .module
            .resources
            .trails
            .iter()
            .filter(|t| t.bucket.value == b.name.value)
            .collect();
        for t in &trails {
            let trail_arn = format!(
                "arn:aws:cloudtrail:{}:{}:trail/{}",
                m.cat.platform.region,
                m.env.account_id,
                m.env_name(&t.name.value)
            );
            statements.push(
                Stmt::allow("CloudTrailAclCheck")
                    .principal("Service", json!("cloudtrail.amazonaws.com"))
                    .action(&["s3:GetBucketAcl"])
                    .resource(vec![arn.clone()])
                    .condition("StringEquals", "aws:SourceArn", json!(trail_arn))
                    .build(),
            );
            statements.push(
                Stmt::allow("CloudTrailWrite")
                    .principal("Service", json!("cloudtrail.amazonaws.com"))
                    .action(&["s3:PutObject"])
                    .resource(vec![tpl(vec![
                        raw(format!("aws_s3_bucket.{id}.arn")),
                        json!(format!("/{}/AWSLogs/{}/*", t.prefix, m.env.account_id)),
                    ])])
                    .condition(
                        "StringEquals",
                        "s3:x-amz-acl",
                        json!("bucket-owner-full-control"),
                    )
                    .condition("StringEquals", "aws:SourceArn", json!(trail_arn))
                    .build(),
            );
        }
        let kms = match b.encryption.value {
            Encryption::Kms => m.key_arn(&b.classification.value),
            Encryption::SseS3 => Value::Null,
        };
        let rules: Vec<Value> = b
            .lifecycle
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "prefix": r.prefix,
                    "transitions": r.transitions,
                    "expiration_days": r.expiration_days.value,
                    // Old versions of an object follow it out after the same time.
                    "noncurrent_days": r.expiration_days.value,
                })
            })
            .collect();
        let name = m.env_name(&b.name.value);
        let ctx = json!({
            "id": id,
            "name": name,
            "purpose": b.purpose,
            "kms_key": kms,
            "sse_s3": b.encryption.value == Encryption::SseS3,
            "rules": rules,
            // Incomplete multipart uploads are cleaned up everywhere, also outside the rules' prefixes.
            "abort_rule": b.lifecycle.iter().all(|r| r.prefix.is_some()),
            "policy": policy(statements),
            "tags": m.class_tags(&b.classification.value),
            "force_destroy": m.env.emulator.is_some(),
        });
        m.emit("s3", "bucket.tf.j2", &loc, ctx);
        m.export(
            format!("s3/{}/name", b.name.value),
            format!("Name of the {} bucket: {}", b.name.value, b.purpose),
            raw(format!("aws_s3_bucket.{id}.id")),
            &loc,
        );
        m.export(
            format!("s3/{}/arn", b.name.value),
            format!("ARN of the {} bucket", b.name.value),
            raw(format!("aws_s3_bucket.{id}.arn")),
            &loc,
        );
    }
}
