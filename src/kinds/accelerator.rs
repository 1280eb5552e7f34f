//! Global Accelerator: static anycast addresses in front of a load balancer (seed 002: "Global
//! Accelerator improves global application availability and performance by routing traffic
//! through the AWS global network. It provides static IP addresses that act as fixed entry points
//! to the application", and "uses anycast routing to direct users to the nearest healthy endpoint
//! with automatic failover").
//!
//! Each entry: the accelerator (IPv4), a TCP listener on 443 (the load balancer terminates TLS),
//! an endpoint group in the primary region with the catalogue load balancer (by its SSM contract,
//! client addresses preserved) and an endpoint group in the platform's DR region, where the DR
//! stack's load balancer joins. moto serves no Global Accelerator API: the emulator environment
//! lists the kind in `unserved_kinds`.

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: accelerators:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The catalogue load balancer of the primary region's endpoint group.
    pub load_balancer: Sp<String>,
    /// The path the endpoint groups' health checks request over HTTPS.
    pub health_path: Sp<String>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "accelerators"
    }
    fn noun(&self) -> &'static str {
        "accelerator"
    }
    fn family(&self) -> &'static str {
        "globalaccelerator"
    }
    fn template(&self) -> &'static str {
        "accelerator.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::GLOBALACCELERATOR]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_globalaccelerator_accelerator",
            "aws_globalaccelerator_listener",
            "aws_globalaccelerator_endpoint_group",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL545"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.accelerators.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.accelerators
            .iter()
            .map(|x| ("accelerator", &x.name))
            .collect()
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
        for x in &r.accelerators {
            c.name(&x.name, &n.resource);
            if !x.health_path.value.starts_with('/') {
                c.err(
                    "BG001",
                    &x.health_path.referenced,
                    format!(
                        "health check path `{}` does not start with `/`",
                        x.health_path.value
                    ),
                    "e.g. /health",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.accelerators {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let lb = m.import(&format!("load-balancer/{}/arn", x.load_balancer.value));
            let ctx = json!({
                "id": id,
                "name": m.env_name(&x.name.value),
                "purpose": x.purpose,
                "lb": lb,
                "region": m.region,
                "dr_region": m.dr_region,
                "health_path": x.health_path.value,
            });
            m.emit(self, &loc, ctx);
            m.export(
                format!("globalaccelerator/{}/dns-name", x.name.value),
                format!(
                    "DNS name of the {} accelerator: {}",
                    x.name.value, x.purpose
                ),
                raw(format!("aws_globalaccelerator_accelerator.{id}.dns_name")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.accelerators.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Global Accelerator",
            "Each accelerator: static IPv4 anycast addresses, a TCP listener on 443, an endpoint group in the primary region with the load balancer (client addresses preserved, HTTPS health checks) and one in the DR region; not on the emulator (moto has no Global Accelerator).",
            &["Accelerator", "Purpose", "Primary endpoint", "Health check"],
            r.accelerators
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        format!("load balancer {}", code(&x.load_balancer.value)),
                        format!("HTTPS {}", code(&x.health_path.value)),
                    ]
                })
                .collect(),
        ))
    }
}
