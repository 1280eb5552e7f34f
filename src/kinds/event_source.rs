//! Lambda event source mappings (seed 002, testing strategy: "Event source mappings allow tests to
//! verify that messages published to streams and queues are actually consumed and processed by
//! Lambda functions"): the module's function (its live alias) consumes a Kinesis stream or an SQS
//! queue of another module, found by its SSM contract. A stream's consumer bisects a failing batch,
//! retries a bounded number of times and sends what still fails to an on-failure SQS destination; a
//! queue's consumer reports partial batch failures and leaves the rest to the queue's redrive
//! policy (its dead-letter queue). The function's role needs the matching `kinesis_read` /
//! `sqs_consume` / `sqs_send` permissions (src/kinds/iam_role.rs).

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: event_sources:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A label for the mapping (unique in the module).
    pub name: Sp<String>,
    pub purpose: String,
    /// The Kinesis stream consumed (its contract `kinesis/<stream>/arn`) …
    #[serde(default)]
    pub kinesis: Option<Sp<String>>,
    /// … or the SQS queue (its contract `sqs/<queue>/arn`).
    #[serde(default)]
    pub queue: Option<Sp<String>>,
    /// Records or messages per invocation (a FIFO queue allows at most 10).
    pub batch_size: Sp<u32>,
    /// Kinesis: where a new mapping starts (`LATEST` or `TRIM_HORIZON`).
    #[serde(default)]
    pub starting_position: Option<String>,
    /// Kinesis: attempts of a failing batch before it goes to `on_failure`.
    #[serde(default)]
    pub maximum_retry_attempts: Option<u32>,
    /// Kinesis: the SQS queue that receives the records of batches that still fail (its contract
    /// `sqs/<queue>/arn`).
    #[serde(default)]
    pub on_failure: Option<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "event_sources"
    }
    fn noun(&self) -> &'static str {
        "event source mapping"
    }
    fn family(&self) -> &'static str {
        "lambda"
    }
    fn template(&self) -> &'static str {
        "event_source.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::LAMBDA, api::KINESIS, api::SQS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_lambda_event_source_mapping"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        // A stream's mapping: bisect, bounded retries, on-failure destination (the consumer role's
        // kinesis_read / sqs_consume / sqs_send grants are BGL802's, on the role).
        &["BGL402"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.event_sources.len()
    }
    fn names<'r>(&self, _: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        // Labels within the module, not names in AWS (a mapping has a UUID).
        Vec::new()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.event_sources {
            match (&x.kinesis, &x.queue) {
                (Some(s), None) => {
                    c.name(s, &n.resource);
                    if x.on_failure.is_none() {
                        c.err(
                            "BG001",
                            &x.name.referenced,
                            format!("event source `{}` reads a stream without an on_failure destination", x.name.value),
                            "on_failure: <queue> (seed 002: dead letter queues capture failed messages)",
                        );
                    }
                }
                (None, Some(q)) => {
                    c.name(q, &n.resource);
                    if x.on_failure.is_some() || x.starting_position.is_some() {
                        c.err(
                            "BG001",
                            &x.name.referenced,
                            format!("event source `{}`: on_failure and starting_position are for streams", x.name.value),
                            "a queue's failed messages go to its own dead-letter queue (its redrive policy)",
                        );
                    }
                }
                _ => c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("event source `{}` names no source, or two", x.name.value),
                    "exactly one of `kinesis:` and `queue:`",
                ),
            }
            if x.batch_size.value == 0 || x.batch_size.value > 10_000 {
                c.err(
                    "BG001",
                    &x.batch_size.referenced,
                    format!(
                        "event source `{}`: batch size {}",
                        x.name.value, x.batch_size.value
                    ),
                    "1 to 10000 (10 for a FIFO queue)",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        if m.module.function.is_none() {
            return;
        }
        for x in &m.module.resources.event_sources {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let (source, stream) = match (&x.kinesis, &x.queue) {
                (Some(s), _) => (m.import(&format!("kinesis/{}/arn", s.value)), true),
                (None, Some(q)) => (m.import(&format!("sqs/{}/arn", q.value)), false),
                (None, None) => continue,
            };
            let on_failure = x
                .on_failure
                .as_ref()
                .map(|q| m.import(&format!("sqs/{}/arn", q.value)));
            let ctx = json!({
                "id": id,
                "purpose": x.purpose,
                "function": raw(format!("aws_lambda_alias.{}.arn", super::function::CONVENTIONAL)),
                "source": source,
                "stream": stream,
                "batch_size": x.batch_size.value,
                "starting_position": x.starting_position.clone().unwrap_or_else(|| "LATEST".into()),
                "retries": x.maximum_retry_attempts.unwrap_or(3),
                "on_failure": on_failure,
            });
            m.emit(self, &loc, ctx);
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.event_sources.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Event sources",
            "The module's function (live alias) consumes each: a stream's failing batches are bisected, retried and sent to the on-failure queue; a queue's failed messages go to its dead-letter queue.",
            &["Mapping", "Purpose", "Source", "Batch", "On failure"],
            r.event_sources
                .iter()
                .map(|x| {
                    let source = match (&x.kinesis, &x.queue) {
                        (Some(s), _) => format!("Kinesis {}", code(&s.value)),
                        (None, Some(q)) => format!("SQS {}", code(&q.value)),
                        _ => String::new(),
                    };
                    vec![
                        code(&x.name.value),
                        esc(&x.purpose),
                        source,
                        x.batch_size.value.to_string(),
                        x.on_failure
                            .as_ref()
                            .map(|q| format!("SQS {}", code(&q.value)))
                            .unwrap_or_else(|| "the queue's dead-letter queue".into()),
                    ]
                })
                .collect(),
        ))
    }
}
