//! Kinesis Data Firehose: 128 MB / 300 s buffering into S3, encrypted with the classification's
//! key, delivery errors logged and alarmed in CloudWatch, and an SQS dead-letter queue.

use super::guard::{self, AllowReplace};
use super::md::{code, esc};
use super::names::ident;
use super::policy::{Stmt, policy, trust};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use super::{raw, tpl};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    pub name: Sp<String>,
    pub source: String,
    pub purpose: String,
    pub classification: Sp<String>,
    pub destination_bucket: Sp<String>,
    pub prefix: String,
    pub buffer_size_mb: u32,
    pub buffer_interval_seconds: u32,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "firehose_streams"
    }
    fn noun(&self) -> &'static str {
        "Firehose stream"
    }
    fn family(&self) -> &'static str {
        "firehose"
    }
    fn template(&self) -> &'static str {
        "firehose.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[
            api::FIREHOSE,
            api::IAM,
            api::LOGS,
            api::CLOUDWATCH,
            api::SQS,
        ]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_stream",
            "aws_cloudwatch_metric_alarm",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_kinesis_firehose_delivery_stream",
            "aws_sqs_queue",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group", "aws_sqs_queue"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL501", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.firehose_streams.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.firehose_streams
            .iter()
            .map(|x| ("Firehose stream", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.firehose_streams
            .iter()
            .map(|x| (format!("stream {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for s in &r.firehose_streams {
            guard::check_allow(
                s.allow_replace.as_ref(),
                &format!("Firehose stream `{}`", s.name.value),
                c,
            );
            c.name(&s.name, &n.resource);
            c.classification(&s.classification);
            c.bucket(&s.destination_bucket);
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

fn render(kind: &Kind, m: &mut Scope) {
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
            // The same key encrypts the dead-letter queue: SendMessage needs both actions too.
            Stmt::allow("EncryptWithClassificationKey")
                .action(&["kms:Decrypt", "kms:GenerateDataKey"])
                .resource(vec![key.clone()])
                .build(),
            // Records the stream's producer gives up on go to its dead-letter queue (no queue
            // policy: a same-account identity grant is enough).
            Stmt::allow("SendToDeadLetterQueue")
                .action(&["sqs:SendMessage"])
                .resource(vec![raw(format!("aws_sqs_queue.{id}_dlq.arn"))])
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
        m.emit(kind, &loc, ctx);
        for address in [
            format!("aws_cloudwatch_log_group.{id}"),
            format!("aws_sqs_queue.{id}_dlq"),
        ] {
            m.holds_data(
                address,
                format!("Firehose stream {}", s.name.value),
                &loc,
                guard::allowance(s.allow_replace.as_ref(), m),
            );
        }
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

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.firehose_streams;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|f| {
            vec![
                code(&f.name.value),
                esc(&f.source),
                format!(
                    "S3 {}",
                    code(&format!("{}/{}", f.destination_bucket.value, f.prefix))
                ),
                esc(&f.purpose),
                format!("{} MB / {} s", f.buffer_size_mb, f.buffer_interval_seconds),
                code(&d.key_alias(&f.classification.value)),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Kinesis Data Firehose streams",
        "Each stream: KMS encryption, CloudWatch error metrics, an SQS dead-letter queue.",
        &[
            "Stream",
            "Source",
            "Destination",
            "Purpose",
            "Buffer",
            "Key",
        ],
        rows,
    ))
}
