//! ElastiCache for Redis (seed 002: "ElastiCache Redis provides in-memory caching to reduce
//! database load ... The Redis cluster uses encryption in transit and at rest for security. It's
//! deployed in the private subnet and only accessible from application servers"): a replication
//! group (cluster mode off) of at least two nodes in different availability zones with automatic
//! failover, in the private subnets of a VPC of the network stack behind its data security group,
//! encrypted at rest with the classification's CMK and in transit (TLS), AUTH required, daily
//! snapshots kept for the catalogue's days.
//!
//! The AUTH token is the current value of a rotated Secrets Manager secret of another module (the
//! catalogue's `auth_token_secret`, found by its SSM contract), read by a data source: the value
//! comes from the secret's rotation (or the seed's populate step), never from the catalogue or a
//! Terraform literal, and Terraform writes no secret version (BGL904). Where the provider has it,
//! a new value reaches the cluster with `auth_token_update_strategy = "ROTATE"` (the old token
//! stays valid beside it until the next change).

use super::aurora_cluster::{network, secret_arn_path};
use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// ElastiCache keeps automatic snapshots for at most 35 days.
const SNAPSHOT_DAYS_MAX: u32 = 35;
/// A replication group (cluster mode off) has one primary and up to five replicas.
const NODES_MAX: u32 = 6;
const PORT: u16 = 6379;

/// One entry of a module's `resources: redis_clusters:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The replication group id (the environment is appended).
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// The VPC of the network stack whose private subnets and data security group it uses.
    pub network: Sp<String>,
    /// `cache.r7g.large`.
    pub node_type: Sp<String>,
    /// The Redis engine version (`7.1`).
    pub engine_version: Sp<String>,
    /// The primary and its replicas, each in its own availability zone (at least 2).
    pub num_cache_clusters: Sp<u32>,
    pub snapshot_retention_days: Sp<u32>,
    /// The secret whose current value is the AUTH token.
    pub auth_token_secret: Sp<String>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

/// `7.1`, `6.2.6`: numbers, a major version of 6 or later (the ones with AUTH and TLS as used here).
fn redis_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].parse::<u32>().is_ok_and(|m| m >= 6)
}

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "redis_clusters"
    }
    fn noun(&self) -> &'static str {
        "Redis cluster"
    }
    fn family(&self) -> &'static str {
        "elasticache"
    }
    fn template(&self) -> &'static str {
        "cache_cluster.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::ELASTICACHE, api::KMS, api::SECRETS_MANAGER]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_elasticache_subnet_group",
            "aws_elasticache_replication_group",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_elasticache_replication_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL508"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.redis_clusters.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.redis_clusters
            .iter()
            .map(|x| ("Redis cluster", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.redis_clusters
            .iter()
            .map(|x| (format!("Redis cluster {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "redis",
            resource_type: "aws_elasticache_replication_group",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.redis_clusters {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("Redis cluster `{}`", x.name.value),
                c,
            );
            // A replication group id is at most 40 characters; `-{env}` takes some of them.
            if c.name(&x.name, &n.resource) && x.name.value.len() > 30 {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!(
                        "Redis cluster name `{}` is longer than 30 characters",
                        x.name.value
                    ),
                    "a replication group id is at most 40 characters, with `-{env}` appended",
                );
            }
            c.classification(&x.classification);
            c.name(&x.network, &n.resource);
            c.name(&x.auth_token_secret, &n.secret);
            let what = format!("Redis cluster `{}`", x.name.value);
            let v = &x.engine_version.value;
            if !redis_version(v) {
                c.err(
                    "BG001",
                    &x.engine_version.referenced,
                    format!("{what}: `{v}` is not a Redis 6 or later engine version"),
                    "e.g. 7.1 (<major>.<minor>)",
                );
            }
            if !x.node_type.value.starts_with("cache.") {
                c.err(
                    "BG001",
                    &x.node_type.referenced,
                    format!(
                        "{what}: `{}` is not an ElastiCache node type",
                        x.node_type.value
                    ),
                    "e.g. cache.r7g.large",
                );
            }
            let nodes = x.num_cache_clusters.value;
            if !(2..=NODES_MAX).contains(&nodes) {
                c.err(
                    "BG001",
                    &x.num_cache_clusters.referenced,
                    format!("{what} has {nodes} node(s)"),
                    format!(
                        "automatic failover and Multi-AZ need a replica: 2 to {NODES_MAX} nodes"
                    ),
                );
            }
            let d = x.snapshot_retention_days.value;
            if !(1..=SNAPSHOT_DAYS_MAX).contains(&d) {
                c.err(
                    "BG001",
                    &x.snapshot_retention_days.referenced,
                    format!(
                        "{what}: ElastiCache keeps snapshots for 1 to {SNAPSHOT_DAYS_MAX} days, not {d}"
                    ),
                    "set snapshot_retention_days between 1 and 35",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.redis_clusters {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let key = m.key_arn(&x.classification.value);
            let (subnets, security_groups) = network(m, &x.network.value);
            // A renamed secret's contract path stays the old name's.
            let secret = m.physical_name("secrets", &x.auth_token_secret.value);
            let token_secret = m.import(&secret_arn_path(&secret));
            let ctx = json!({
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "node_type": x.node_type.value,
                "engine_version": x.engine_version.value,
                // Providers < 4 take a Redis 6+ version as `<major>.x` only.
                "legacy_engine_version": format!(
                    "{}.x",
                    x.engine_version.value.split('.').next().unwrap_or_default()
                ),
                "nodes": x.num_cache_clusters.value,
                "snapshot_days": x.snapshot_retention_days.value,
                "port": PORT,
                "token_secret": token_secret,
                "key": key,
                "subnets": subnets,
                "security_groups": security_groups,
                "final_snapshot": (!m.env.emulator).then(|| format!("{name}-final")),
                "tags": m.class_tags(&x.classification.value),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_elasticache_replication_group.{id}"),
                format!("Redis cluster {}", x.name.value),
                &loc,
                guard::allowance(x.allow_replace.as_ref(), m),
            );
            let base = format!("redis/{}", x.name.value);
            let group = format!("aws_elasticache_replication_group.{id}");
            m.export(
                format!("{base}/endpoint"),
                format!(
                    "Primary endpoint of the {} Redis cluster: {}",
                    x.name.value, x.purpose
                ),
                raw(format!("{group}.primary_endpoint_address")),
                &loc,
            );
            m.export(
                format!("{base}/reader_endpoint"),
                format!("Reader endpoint of the {} Redis cluster", x.name.value),
                raw(format!("{group}.reader_endpoint_address")),
                &loc,
            );
            m.export(
                format!("{base}/port"),
                format!("Port of the {} Redis cluster (TLS, AUTH)", x.name.value),
                raw(format!("tostring({group}.port)")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.redis_clusters.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Redis clusters",
            "Each cluster: an ElastiCache Redis replication group with automatic failover across availability zones, in the private subnets of its VPC behind the data security group, encrypted at rest with its classification's key and in transit, AUTH token from its secret; the name gets `-{env}` appended.",
            &[
                "Cluster",
                "Purpose",
                "Nodes",
                "Snapshots",
                "AUTH token",
                "Network",
                "Key",
            ],
            r.redis_clusters
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        format!(
                            "{} × {} (Redis {})",
                            x.num_cache_clusters.value,
                            code(&x.node_type.value),
                            esc(&x.engine_version.value)
                        ),
                        format!("kept {}", days(x.snapshot_retention_days.value)),
                        code(&x.auth_token_secret.value),
                        code(&x.network.value),
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::redis_version;

    #[test]
    fn redis_versions() {
        for ok in ["7.1", "6.2", "6.2.6", "7"] {
            assert!(redis_version(ok), "{ok}");
        }
        for bad in ["5.0.6", "7.x", "", "7.1.2.3", "v7", "7..1"] {
            assert!(!redis_version(bad), "{bad}");
        }
    }
}
