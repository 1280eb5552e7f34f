//! DynamoDB: on-demand tables (seed 002: "The table uses on-demand billing to automatically scale
//! with traffic patterns"), point-in-time recovery on ("to protect against accidental data
//! loss"), encrypted with their classification's CMK, items expiring by a TTL attribute, and
//! deletion protection where the provider has it. Where the catalogue asks (seed 002's
//! multi-region DR: "DynamoDB global table replica"), a replica in the platform's DR region
//! (a global table, version 2019.11.21), encrypted with the classification's DR key, fed by the
//! table's stream of new and old images.

use super::guard::{self, AllowReplace};
use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: dynamodb_tables:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// The partition key (a string attribute).
    pub hash_key: Sp<String>,
    /// The attribute holding each item's expiry time, if items expire.
    #[serde(default)]
    pub ttl_attribute: Option<String>,
    /// Its recovery tier (policies/dr.yaml `tiers`), rendered as the `recovery_tier` tag; a tier
    /// the policy marks as DR-protected needs `replication:` (BG040, BGL550).
    #[serde(default)]
    pub recovery_tier: Option<Sp<String>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// Its previous name: its physical resources and SSM paths keep that one, and render moves
    /// their Terraform state to the labels of the new name (src/kinds/guard.rs).
    #[serde(default)]
    pub renamed_from: Option<Sp<String>>,
    /// A replica in the platform's `dr_region`: `replication: {}`, or with
    /// `point_in_time_recovery: false` to leave the replica's own recovery off (default on).
    #[serde(default)]
    pub replication: Option<Replication>,
}

/// `replication:` of a table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    #[serde(default)]
    pub point_in_time_recovery: Option<Sp<bool>>,
}

/// `emulator.unserved_kinds` names it `dynamodb_tables.replication`.
const REPLICATION: &str = "dynamodb_tables.replication";

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "dynamodb_tables"
    }
    fn noun(&self) -> &'static str {
        "DynamoDB table"
    }
    fn family(&self) -> &'static str {
        "dynamodb"
    }
    fn template(&self) -> &'static str {
        "dynamodb_table.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::DYNAMODB, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_dynamodb_table"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_dynamodb_table"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL506", "BGL554"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.dynamodb_tables.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.dynamodb_tables
            .iter()
            .map(|x| ("DynamoDB table", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.dynamodb_tables
            .iter()
            .map(|x| (format!("table {}", x.name.value), &x.classification))
            .collect()
    }
    fn tiered<'r>(&self, r: &'r Resources) -> Vec<super::recovery::Tiered<'r>> {
        r.dynamodb_tables
            .iter()
            .filter_map(|x| {
                Some(super::recovery::Tiered {
                    name: &x.name,
                    tier: x.recovery_tier.as_ref()?,
                    replicated: x.replication.is_some(),
                })
            })
            .collect()
    }
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.dynamodb_tables
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "table",
            resource_type: "aws_dynamodb_table",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.dynamodb_tables {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("DynamoDB table `{}`", x.name.value),
                c,
            );
            guard::check_rename(&x.name, x.renamed_from.as_ref(), "DynamoDB table", c);
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            if x.replication.is_some() {
                c.needs_dr_region(
                    &x.name.referenced,
                    &format!("DynamoDB table `{}`", x.name.value),
                );
            }
            if x.hash_key.value.is_empty() {
                c.err(
                    "BG001",
                    &x.hash_key.referenced,
                    format!("table `{}` has an empty hash_key", x.name.value),
                    "name the partition key attribute",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.dynamodb_tables {
            let id = ident(&x.name.value);
            let physical = guard::physical(&x.name, x.renamed_from.as_ref());
            let loc = m.loc(&x.name.referenced);
            // The replica, unless the environment's emulator cannot serve it (moto has no
            // ReplicaUpdates).
            let replica = match (&x.replication, m.dr_region) {
                (Some(r), Some(dr)) if m.serves(REPLICATION) => Some(json!({
                    "region": dr,
                    "key": m.dr_key_arn(&x.classification.value),
                    "point_in_time_recovery": r.point_in_time_recovery.as_ref().is_none_or(|p| p.value),
                })),
                _ => None,
            };
            let ctx = json!({
                "unserved_replica": m.unserved_dr_copy(x.replication.is_some(), REPLICATION),
                "replica": replica,
                "id": id,
                "name": m.env_name(physical),
                "purpose": x.purpose,
                "hash_key": x.hash_key.value,
                "ttl_attribute": x.ttl_attribute,
                "key": m.key_arn(&x.classification.value),
                // An emulator's tables go with the environment; real ones need protection off first.
                "deletion_protection": !m.env.emulator,
                "tags": m.tier_tags(&x.classification.value, x.recovery_tier.as_ref()),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_dynamodb_table.{id}"),
                format!("DynamoDB table {}", x.name.value),
                &loc,
                guard::allowance(x.allow_replace.as_ref(), m),
            );
            if let Some(old) = &x.renamed_from {
                guard::moved(
                    m,
                    &loc,
                    &ident(&old.value),
                    &id,
                    &[("aws_dynamodb_table", "")],
                );
            }
            m.export(
                format!("dynamodb/{physical}/name"),
                format!("Name of the {} table: {}", physical, x.purpose),
                raw(format!("aws_dynamodb_table.{id}.name")),
                &loc,
            );
            m.export(
                format!("dynamodb/{physical}/arn"),
                format!("ARN of the {physical} table"),
                raw(format!("aws_dynamodb_table.{id}.arn")),
                &loc,
            );
        }
    }
    fn emulator_options(&self) -> &'static [super::EmulatorOption] {
        &[super::EmulatorOption {
            option: "replication",
            renders: "the replica in the DR region (UpdateTable ReplicaUpdates)",
        }]
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.dynamodb_tables.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "DynamoDB tables",
            "Each table: on-demand billing, point-in-time recovery, encrypted with its classification's key, deletion protection outside the emulator; the name gets `-{env}` appended.",
            &[
                "Table",
                "Purpose",
                "Partition key",
                "Expiry",
                "Key",
                "DR replica",
            ],
            r.dynamodb_tables
                .iter()
                .map(|x| {
                    vec![
                        code(&format!(
                            "{}-{{env}}",
                            guard::physical(&x.name, x.renamed_from.as_ref())
                        )),
                        esc(&x.purpose),
                        code(&x.hash_key.value),
                        x.ttl_attribute
                            .as_deref()
                            .map(|t| format!("TTL on {}", code(t)))
                            .unwrap_or_else(|| "none".into()),
                        code(&d.key_alias(&x.classification.value)),
                        if x.replication.is_some() {
                            "in the DR region".into()
                        } else {
                            "none".into()
                        },
                    ]
                })
                .collect(),
        ))
    }
}
