//! Kinesis Data Firehose: 128 MB / 300 s buffering into S3, encrypted with the classification's
//! key, delivery errors logged and alarmed in CloudWatch, and an SQS dead-letter queue.

use super::{Stmt, policy, trust};
use crate::model::names::ident;
use crate::render::ctx::ModuleCtx;
use crate::render::hcl::{raw, tpl};
use serde_json::json;

pub fn render(m: &mut ModuleCtx) {
    for s in &m.module.resources.firehose_streams {
        let id = ident(&s.name.value);
        let loc = m.loc(&s.name.referenced);
        let key = m.key_arn(&s.classification.value);
        let bucket_id = ident(&s.destination_bucket.value);
        let bucket_arn = raw(format!("aws_s3_bucket.{bucket_id}.arn"));
        let name = m.env_name(&s.name.value);
        let log_group = format!("/aws/kinesisfirehose/{name}");
        let role_policy = policy(vec![
            Stmt::allow("WriteDestination")
                .action(&[
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ])
                .resource(vec![
                    bucket_arn.clone(),
                    tpl(vec![bucket_arn.clone(), json!("/*")]),
                ])
                .build(),
            Stmt::allow("EncryptWithClassificationKey")
                .action(&["kms:Decrypt", "kms:GenerateDataKey"])
                .resource(vec![key.clone()])
                .build(),
            Stmt::allow("LogDeliveryErrors")
                .action(&["logs:PutLogEvents"])
                .resource(vec![tpl(vec![
                    raw(format!("aws_cloudwatch_log_group.{id}.arn")),
                    json!(":*"),
                ])])
                .build(),
        ]);
        let ctx = json!({
            "id": id,
            "name": name,
            "purpose": format!("{} (source: {})", s.purpose, s.source),
            "role_name": format!("{name}-delivery"),
            "trust": trust("firehose.amazonaws.com"),
            "role_policy": role_policy,
            "bucket_arn": bucket_arn,
            "prefix": s.prefix,
            "error_prefix": format!("errors/{}/", s.name.value),
            "buffer_mb": s.buffer_size_mb,
            "buffer_seconds": s.buffer_interval_seconds,
            "key": key,
            "log_group": log_group,
            "dlq_name": format!("{name}-dlq"),
            "alarm_name": format!("{name}-delivery-freshness"),
            "alarm_topic": m.alert_topic(),
            "tags": m.class_tags(&s.classification.value),
        });
        m.emit("firehose", "firehose.tf.j2", &loc, ctx);
        m.export(
            format!("firehose/{}/arn", s.name.value),
            format!("ARN of the {} stream: {}", s.name.value, s.purpose),
            raw(format!("aws_kinesis_firehose_delivery_stream.{id}.arn")),
            &loc,
        );
        m.export(
            format!("firehose/{}/dlq-url", s.name.value),
            format!(
                "Dead-letter queue of the {} stream's producers",
                s.name.value
            ),
            raw(format!("aws_sqs_queue.{id}_dlq.id")),
            &loc,
        );
    }
}
