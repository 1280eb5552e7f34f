//! Route 53: DNS failover of a public name (seed 002: "Route 53 health checks monitor regional
//! endpoints and automatically fail over traffic to healthy regions").
//!
//! Each entry: an HTTPS health check of the primary endpoint (a catalogue load balancer, by its
//! SSM contracts), and two alias records of the same name in the catalogue's public zone: PRIMARY
//! to the load balancer (with the health check), SECONDARY to a CloudFront distribution of the
//! same module. The zone is the platform's (it exists outside bankgen, like the registrar's
//! delegation); an emulator has none, so there the entry creates it.

use super::cdn_distribution::CLOUDFRONT_ZONE_ID;
use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: dns_failovers:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The public hosted zone (`gbp.example`).
    pub zone: Sp<String>,
    /// The name that fails over (`api.{env}.gbp.example`).
    pub record: Sp<String>,
    /// The catalogue load balancer that serves the name while healthy.
    pub primary_load_balancer: Sp<String>,
    /// The path its health check requests over HTTPS.
    pub health_path: Sp<String>,
    /// The CloudFront distribution of the same module that serves the name otherwise.
    pub secondary_distribution: Sp<String>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "dns_failovers"
    }
    fn noun(&self) -> &'static str {
        "DNS failover"
    }
    fn family(&self) -> &'static str {
        "route53"
    }
    fn template(&self) -> &'static str {
        "dns_failover.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::ROUTE53]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_route53_zone",
            "aws_route53_health_check",
            "aws_route53_record",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL544"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.dns_failovers.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.dns_failovers
            .iter()
            .map(|x| ("DNS failover", &x.name))
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
        for x in &r.dns_failovers {
            c.name(&x.name, &n.resource);
            if !r
                .cdn_distributions
                .iter()
                .any(|d| d.name.value == x.secondary_distribution.value)
            {
                c.err(
                    "BG001",
                    &x.secondary_distribution.referenced,
                    format!(
                        "DNS failover `{}`: no CloudFront distribution `{}` in this module",
                        x.name.value, x.secondary_distribution.value
                    ),
                    "name a distribution of the same module's cdn_distributions: (it must list the record among its domains)",
                );
            } else if !r.cdn_distributions.iter().any(|d| {
                d.name.value == x.secondary_distribution.value
                    && d.domains.iter().any(|n| n.value == x.record.value)
            }) {
                c.err(
                    "BG001",
                    &x.record.referenced,
                    format!(
                        "distribution `{}` does not serve `{}`",
                        x.secondary_distribution.value, x.record.value
                    ),
                    "add the record to the distribution's domains: CloudFront answers only for its aliases",
                );
            }
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
        for x in &m.module.resources.dns_failovers {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let lb = &x.primary_load_balancer.value;
            let lb_dns = m.import(&format!("load-balancer/{lb}/dns-name"));
            let lb_zone = m.import(&format!("load-balancer/{lb}/zone-id"));
            let ctx = json!({
                "id": id,
                "name": m.env_name(&x.name.value),
                "purpose": x.purpose,
                "zone": x.zone.value,
                "create_zone": m.env.emulator,
                "record": m.subst(&x.record.value),
                "lb_dns": lb_dns,
                "lb_zone": lb_zone,
                "health_path": x.health_path.value,
                "cdn": ident(&x.secondary_distribution.value),
                "cdn_zone": CLOUDFRONT_ZONE_ID,
            });
            m.emit(self, &loc, ctx);
            m.export(
                format!("route53/{}/health-check-id", x.name.value),
                format!(
                    "Id of the health check of the primary endpoint of {}",
                    x.name.value
                ),
                raw(format!("aws_route53_health_check.{id}.id")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.dns_failovers.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "DNS failover",
            "Each name: an HTTPS health check of the primary load balancer, a PRIMARY alias record to it (evaluated by the health check) and a SECONDARY alias record to a CloudFront distribution, in the platform's public zone.",
            &["Name", "Purpose", "Primary", "Health check", "Secondary"],
            r.dns_failovers
                .iter()
                .map(|x| {
                    vec![
                        code(&x.record.value),
                        esc(&x.purpose),
                        format!("load balancer {}", code(&x.primary_load_balancer.value)),
                        format!("HTTPS {}", code(&x.health_path.value)),
                        format!("CloudFront {}", code(&x.secondary_distribution.value)),
                    ]
                })
                .collect(),
        ))
    }
}
