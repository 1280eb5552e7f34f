//! S3: every bucket SSL-only, public access blocked, versioned, encrypted (KMS key of its
//! classification, or SSE-S3 where the seed says so), with its lifecycle rules.

use super::md::{code, days, esc, title_case};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw, tpl};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    pub encryption: Sp<Encryption>,
    pub lifecycle: Vec<LifecycleRule>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encryption {
    #[serde(rename = "kms")]
    Kms,
    #[serde(rename = "sse-s3")]
    SseS3,
}

#[derive(Debug, Deserialize, Clone, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    pub expiration_days: Sp<u32>,
}

#[derive(Debug, Deserialize, Clone, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub days: u32,
    pub storage_class: String,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "buckets"
    }
    fn noun(&self) -> &'static str {
        "bucket"
    }
    fn family(&self) -> &'static str {
        "s3"
    }
    fn template(&self) -> &'static str {
        "bucket.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::S3, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_s3_bucket",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_notification",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL101", "BGL102", "BGL103", "BGL104", "BGL105", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.buckets.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.buckets.iter().map(|x| ("bucket", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.buckets
            .iter()
            .map(|b| (format!("bucket {}", b.name.value), &b.classification))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "bucket",
            resource_type: "aws_s3_bucket",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for bucket in &r.buckets {
            c.name(&bucket.name, &n.resource);
            c.classification(&bucket.classification);
            if bucket.lifecycle.is_empty() {
                c.err(
                    "BG040",
                    &bucket.name.referenced,
                    format!("bucket `{}` has no lifecycle rule", bucket.name.value),
                    "seed 000 gives every bucket a lifecycle; add at least one rule",
                );
            }
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
                m.region,
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
        statements.extend(super::config_recorder::bucket_statements(m, &b.name.value));
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
            "force_destroy": m.env.emulator,
        });
        m.emit(kind, &loc, ctx);
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

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.buckets;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|b| {
            let enc = match b.encryption.value {
                Encryption::Kms => format!(
                    "KMS ({} key, {})",
                    esc(&b.classification.value),
                    code(&d.key_alias(&b.classification.value))
                ),
                Encryption::SseS3 => "SSE-S3".to_string(),
            };
            let life: Vec<String> = b
                .lifecycle
                .iter()
                .map(|l| {
                    let mut parts: Vec<String> = l
                        .transitions
                        .iter()
                        .map(|t| {
                            format!(
                                "{} after {}",
                                esc(&title_case(&t.storage_class)),
                                days(t.days)
                            )
                        })
                        .collect();
                    parts.push(format!("delete after {}", days(l.expiration_days.value)));
                    let scope = match &l.prefix {
                        Some(p) => format!("{}: ", code(p)),
                        None => String::new(),
                    };
                    format!("{scope}{}", parts.join(", "))
                })
                .collect();
            vec![
                code(&format!("{}-{{env}}", b.name.value)),
                esc(&b.purpose),
                enc,
                life.join("; "),
            ]
        })
        .collect();
    Some(DocSection::new(
        "S3 buckets",
        "All buckets: SSL-only access enforced, public access blocked, versioning enabled; the name gets `-{env}` appended.",
        &["Bucket", "Purpose", "Encryption", "Lifecycle"],
        rows,
    ))
}
