//! ECS clusters of Fargate services (seed 002, compute stack: "containerized microservices on ECS
//! Fargate ... The cluster uses capacity providers to optimize costs while maintaining
//! availability"): Fargate and Fargate Spot capacity providers with a default strategy (a base of
//! on-demand tasks, the rest weighted towards Spot), Container Insights on, and ECS Exec sessions
//! encrypted with the classification's key and logged to a KMS-encrypted log group.

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: ecs_clusters:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The key of its ECS Exec sessions and their log group.
    pub classification: Sp<String>,
    /// The default capacity provider strategy.
    pub capacity: Capacity,
    /// Retention of the ECS Exec session log group.
    #[serde(default = "default_retention")]
    pub exec_log_retention_days: u32,
}

fn default_retention() -> u32 {
    365
}

/// The cluster's default capacity provider strategy: `fargate_base` tasks always on FARGATE, the
/// rest split FARGATE : FARGATE_SPOT by weight.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub fargate_base: Sp<u32>,
    pub fargate_weight: Sp<u32>,
    pub spot_weight: Sp<u32>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "ecs_clusters"
    }
    fn noun(&self) -> &'static str {
        "ECS cluster"
    }
    fn family(&self) -> &'static str {
        "ecs"
    }
    fn template(&self) -> &'static str {
        "ecs_cluster.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::ECS, api::LOGS, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_log_group",
            "aws_ecs_cluster",
            "aws_ecs_cluster_capacity_providers",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL504", "BGL505"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.ecs_clusters.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.ecs_clusters
            .iter()
            .map(|x| ("ECS cluster", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.ecs_clusters
            .iter()
            .map(|x| (format!("ECS cluster {}", x.name.value), &x.classification))
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
        for x in &r.ecs_clusters {
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            let cap = &x.capacity;
            if cap.fargate_weight.value + cap.spot_weight.value == 0 {
                c.err(
                    "BG001",
                    &cap.fargate_weight.referenced,
                    format!(
                        "ECS cluster `{}` gives both capacity providers weight 0",
                        x.name.value
                    ),
                    "give FARGATE or FARGATE_SPOT a weight above 0",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.ecs_clusters {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let ctx = json!({
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "key": m.key_arn(&x.classification.value),
                "exec_log_group": format!("/aws/ecs/{name}/exec"),
                "exec_log_retention": x.exec_log_retention_days,
                "fargate_base": x.capacity.fargate_base.value,
                "fargate_weight": x.capacity.fargate_weight.value,
                "spot_weight": x.capacity.spot_weight.value,
                "tags": m.class_tags(&x.classification.value),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_cloudwatch_log_group.{id}_exec"),
                format!("ECS cluster {} (exec session logs)", x.name.value),
                &loc,
                None,
            );
            m.export(
                format!("ecs/{}/arn", x.name.value),
                format!("ARN of the {} ECS cluster: {}", x.name.value, x.purpose),
                raw(format!("aws_ecs_cluster.{id}.arn")),
                &loc,
            );
            m.export(
                format!("ecs/{}/name", x.name.value),
                format!("Name of the {} ECS cluster", x.name.value),
                raw(format!("aws_ecs_cluster.{id}.name")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.ecs_clusters.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "ECS clusters",
            "Each cluster: FARGATE and FARGATE_SPOT capacity providers, Container Insights on, ECS Exec sessions encrypted with its classification's key and logged to an encrypted log group.",
            &["Cluster", "Purpose", "Default strategy", "Key"],
            r.ecs_clusters
                .iter()
                .map(|x| {
                    let c = &x.capacity;
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        format!(
                            "FARGATE base {}, weight {}; FARGATE_SPOT weight {}",
                            c.fargate_base.value, c.fargate_weight.value, c.spot_weight.value
                        ),
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}
