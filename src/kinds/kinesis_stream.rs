//! Kinesis Data Streams (seed 002, messaging stack: "Kinesis Data Streams capture real-time
//! transaction events for analytics and processing. The streams use multiple shards for high
//! throughput and are encrypted with KMS keys"): provisioned shards and a retention period from
//! the catalogue, server-side encryption with the classification's CMK, shard-level metrics.
//! The legacy profile (hashicorp/aws 3.39.0) has no `stream_mode_details`; there a stream is
//! provisioned anyway (the only mode it knows).

use super::guard::{self, AllowReplace};
use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: kinesis_streams:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// Provisioned shards (1 MB/s or 1,000 records/s of writes each).
    pub shard_count: Sp<u32>,
    /// How long records stay readable, in hours (24 to 8,760).
    pub retention_hours: Sp<u32>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// Its previous name: its physical resources and SSM paths keep that one, and render moves
    /// their Terraform state to the labels of the new name (src/kinds/guard.rs).
    #[serde(default)]
    pub renamed_from: Option<Sp<String>>,
}

/// The shard-level metrics every stream publishes: throughput in and out, throttling, and how
/// far consumers lag behind.
pub const SHARD_METRICS: &[&str] = &[
    "IncomingBytes",
    "IncomingRecords",
    "IteratorAgeMilliseconds",
    "OutgoingBytes",
    "OutgoingRecords",
    "ReadProvisionedThroughputExceeded",
    "WriteProvisionedThroughputExceeded",
];

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "kinesis_streams"
    }
    fn noun(&self) -> &'static str {
        "Kinesis stream"
    }
    fn family(&self) -> &'static str {
        "kinesis"
    }
    fn template(&self) -> &'static str {
        "kinesis_stream.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::KINESIS, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_kinesis_stream"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_kinesis_stream"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL509", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.kinesis_streams.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.kinesis_streams
            .iter()
            .map(|x| ("Kinesis stream", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.kinesis_streams
            .iter()
            .map(|x| (format!("stream {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.kinesis_streams
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "kinesis",
            resource_type: "aws_kinesis_stream",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.kinesis_streams {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("Kinesis stream `{}`", x.name.value),
                c,
            );
            guard::check_rename(&x.name, x.renamed_from.as_ref(), "Kinesis stream", c);
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            if !(1..=500).contains(&x.shard_count.value) {
                c.err(
                    "BG001",
                    &x.shard_count.referenced,
                    format!(
                        "stream `{}` has {} shards",
                        x.name.value, x.shard_count.value
                    ),
                    "a provisioned stream has 1 to 500 shards (the account's default quota)",
                );
            }
            if !(24..=8760).contains(&x.retention_hours.value) {
                c.err(
                    "BG001",
                    &x.retention_hours.referenced,
                    format!(
                        "stream `{}` keeps records {} hours",
                        x.name.value, x.retention_hours.value
                    ),
                    "Kinesis keeps records 24 to 8760 hours (365 days)",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.kinesis_streams {
            let id = ident(&x.name.value);
            let physical = guard::physical(&x.name, x.renamed_from.as_ref());
            let loc = m.loc(&x.name.referenced);
            let ctx = json!({
                "id": id,
                "name": m.env_name(physical),
                "shard_count": x.shard_count.value,
                "retention_hours": x.retention_hours.value,
                "metrics": SHARD_METRICS,
                "key": m.key_arn(&x.classification.value),
                "tags": m.class_tags(&x.classification.value),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_kinesis_stream.{id}"),
                format!("Kinesis stream {}", x.name.value),
                &loc,
                guard::allowance(x.allow_replace.as_ref(), m),
            );
            if let Some(old) = &x.renamed_from {
                guard::moved(
                    m,
                    &loc,
                    &ident(&old.value),
                    &id,
                    &[("aws_kinesis_stream", "")],
                );
            }
            m.export(
                format!("kinesis/{physical}/arn"),
                format!("ARN of the {} stream: {}", physical, x.purpose),
                raw(format!("aws_kinesis_stream.{id}.arn")),
                &loc,
            );
            m.export(
                format!("kinesis/{physical}/name"),
                format!("Name of the {physical} stream"),
                raw(format!("aws_kinesis_stream.{id}.name")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.kinesis_streams.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Kinesis Data Streams",
            "Each stream: provisioned shards, encrypted with its classification's key, shard-level metrics; the name gets `-{env}` appended.",
            &["Stream", "Purpose", "Shards", "Retention", "Key"],
            r.kinesis_streams
                .iter()
                .map(|x| {
                    vec![
                        code(&format!(
                            "{}-{{env}}",
                            guard::physical(&x.name, x.renamed_from.as_ref())
                        )),
                        esc(&x.purpose),
                        x.shard_count.value.to_string(),
                        format!("{} hours", x.retention_hours.value),
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}
