//! SQS queues (seed 002, messaging stack: "SQS queues handle asynchronous task processing with
//! FIFO guarantees where ordering matters. Dead letter queues capture failed messages for later
//! analysis. All queues are encrypted and have configurable retention periods").
//!
//! One kind for both queue types, `fifo: true` where ordering matters: everything else (the
//! classification's CMK, the dead-letter queue and its redrive, the TLS-only queue policy) is
//! the same, and a FIFO queue's dead-letter queue must itself be FIFO. A FIFO queue gets the
//! `.fifo` suffix, content-based deduplication and, where the provider has the arguments,
//! deduplication and throughput per message group (high-throughput FIFO). The dead-letter queue
//! keeps messages 14 days (SQS's maximum). The redrive is the separate
//! `aws_sqs_queue_redrive_policy` (with an `aws_sqs_queue_redrive_allow_policy` on the
//! dead-letter queue, which accepts only its own source); hashicorp/aws 3.39.0 (the legacy
//! profile, `v4_arguments` off) has neither resource nor the FIFO throughput arguments, so there
//! the queue's own `redrive_policy` argument carries it (on the emulator with changes to it
//! ignored: moto re-serialises the policy, and 3.39.0 would plan a whitespace change forever).

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: queues:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// First-in-first-out delivery and exactly-once processing per message group.
    #[serde(default)]
    pub fifo: bool,
    /// How long an unconsumed message stays, in days (1 to 14).
    pub retention_days: Sp<u32>,
    /// Receives before a message moves to the dead-letter queue (1 to 1000).
    pub max_receive_count: Sp<u32>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// Its previous name: its physical resources and SSM paths keep that one, and render moves
    /// their Terraform state to the labels of the new name (src/kinds/guard.rs).
    #[serde(default)]
    pub renamed_from: Option<Sp<String>>,
}

/// SQS's longest retention: what every dead-letter queue keeps.
pub const DLQ_RETENTION_SECONDS: u32 = 14 * 86_400;

/// The longest base name: `{name}-dlq-{env}.fifo` stays within SQS's 80 characters.
const MAX_NAME: usize = 80 - "-dlq-".len() - 10 - ".fifo".len();

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "queues"
    }
    fn noun(&self) -> &'static str {
        "queue"
    }
    fn family(&self) -> &'static str {
        "sqs"
    }
    fn template(&self) -> &'static str {
        "queue.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::SQS, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_sqs_queue",
            "aws_sqs_queue_policy",
            "aws_sqs_queue_redrive_allow_policy",
            "aws_sqs_queue_redrive_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_sqs_queue"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL510", "BGL502", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.queues.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.queues.iter().map(|x| ("queue", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.queues
            .iter()
            .map(|x| (format!("queue {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.queues
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "queue",
            resource_type: "aws_sqs_queue",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.queues {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("queue `{}`", x.name.value),
                c,
            );
            guard::check_rename(&x.name, x.renamed_from.as_ref(), "queue", c);
            if c.name(&x.name, &n.resource) && x.name.value.len() > MAX_NAME {
                c.err(
                    "BG030",
                    &x.name.referenced,
                    format!("queue name `{}` is too long", x.name.value),
                    format!("at most {MAX_NAME} characters: `-dlq-{{env}}.fifo` follows it, and SQS allows 80"),
                );
            }
            c.classification(&x.classification);
            if !(1..=14).contains(&x.retention_days.value) {
                c.err(
                    "BG001",
                    &x.retention_days.referenced,
                    format!(
                        "queue `{}` keeps messages {} days",
                        x.name.value, x.retention_days.value
                    ),
                    "SQS keeps messages 1 to 14 days",
                );
            }
            if !(1..=1000).contains(&x.max_receive_count.value) {
                c.err(
                    "BG001",
                    &x.max_receive_count.referenced,
                    format!(
                        "queue `{}` has max_receive_count {}",
                        x.name.value, x.max_receive_count.value
                    ),
                    "a redrive policy's maxReceiveCount is 1 to 1000",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.queues {
            let id = ident(&x.name.value);
            let physical = guard::physical(&x.name, x.renamed_from.as_ref());
            let loc = m.loc(&x.name.referenced);
            let suffix = if x.fifo { ".fifo" } else { "" };
            let arn = raw(format!("aws_sqs_queue.{id}.arn"));
            let dlq_arn = raw(format!("aws_sqs_queue.{id}_dlq.arn"));
            let tls_only = |sid: &str, arn: serde_json::Value| {
                policy(vec![
                    Stmt::deny(sid)
                        .any_principal()
                        .action(&["sqs:*"])
                        .resource(vec![arn])
                        .condition("Bool", "aws:SecureTransport", json!("false"))
                        .build(),
                ])
            };
            let ctx = json!({
                "id": id,
                "name": format!("{}{suffix}", m.env_name(physical)),
                "dlq_name": format!("{}{suffix}", m.env_name(&format!("{physical}-dlq"))),
                "fifo": x.fifo,
                "retention_seconds": x.retention_days.value * 86_400,
                "dlq_retention_seconds": DLQ_RETENTION_SECONDS,
                "redrive": {
                    "deadLetterTargetArn": dlq_arn.clone(),
                    "maxReceiveCount": x.max_receive_count.value,
                },
                "redrive_allow": {
                    "redrivePermission": "byQueue",
                    "sourceQueueArns": [arn.clone()],
                },
                "policy": tls_only("DenyInsecureTransport", arn),
                "dlq_policy": tls_only("DenyInsecureTransport", dlq_arn),
                "key": m.key_arn(&x.classification.value),
                "tags": m.class_tags(&x.classification.value),
                // moto 5.2.5 answers RedrivePolicy as `json.dumps` writes it (with spaces); the
                // legacy provider compares that with the compact config and never converges.
                "emulator": m.env.emulator,
            });
            m.emit(self, &loc, ctx);
            for address in [
                format!("aws_sqs_queue.{id}"),
                format!("aws_sqs_queue.{id}_dlq"),
            ] {
                m.holds_data(
                    address,
                    format!("queue {}", x.name.value),
                    &loc,
                    guard::allowance(x.allow_replace.as_ref(), m),
                );
            }
            if let Some(old) = &x.renamed_from {
                let mut blocks = vec![
                    ("aws_sqs_queue", ""),
                    ("aws_sqs_queue", "_dlq"),
                    ("aws_sqs_queue_policy", ""),
                    ("aws_sqs_queue_policy", "_dlq"),
                ];
                if m.features.v4_arguments {
                    blocks.push(("aws_sqs_queue_redrive_policy", ""));
                    blocks.push(("aws_sqs_queue_redrive_allow_policy", "_dlq"));
                }
                guard::moved(m, &loc, &ident(&old.value), &id, &blocks);
            }
            m.export(
                format!("sqs/{physical}/url"),
                format!("URL of the {} queue: {}", physical, x.purpose),
                raw(format!("aws_sqs_queue.{id}.id")),
                &loc,
            );
            m.export(
                format!("sqs/{physical}/arn"),
                format!("ARN of the {physical} queue"),
                raw(format!("aws_sqs_queue.{id}.arn")),
                &loc,
            );
            m.export(
                format!("sqs/{physical}/dlq-arn"),
                format!("Dead-letter queue of the {physical} queue"),
                raw(format!("aws_sqs_queue.{id}_dlq.arn")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.queues.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "SQS queues",
            "Each queue: encrypted with its classification's key, TLS-only, a dead-letter queue of the same type that keeps messages 14 days; the name gets `-{env}` (and `.fifo`) appended. FIFO queues deduplicate by content, per message group.",
            &[
                "Queue",
                "Purpose",
                "Type",
                "Retention",
                "Dead-letter after",
                "Key",
            ],
            r.queues
                .iter()
                .map(|x| {
                    let suffix = if x.fifo { ".fifo" } else { "" };
                    vec![
                        code(&format!(
                            "{}-{{env}}{suffix}",
                            guard::physical(&x.name, x.renamed_from.as_ref())
                        )),
                        esc(&x.purpose),
                        if x.fifo { "FIFO" } else { "standard" }.to_string(),
                        days(x.retention_days.value),
                        format!("{} receives", x.max_receive_count.value),
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}
