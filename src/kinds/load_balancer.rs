//! Elastic Load Balancing: a public application load balancer in front of the ECS services (seed
//! 002: "An Application Load Balancer distributes traffic to ECS services with health checks and
//! connection draining. The load balancer terminates SSL and forwards requests over HTTP to backend
//! services. Target groups automatically register and deregister containers as they scale").
//!
//! Each entry: the ALB in the VPC's public subnets behind its `alb` security group, invalid
//! header fields dropped, access logs to an SSE-S3 log bucket, deletion protection outside the
//! emulator, the platform's regional web ACL associated; an HTTPS listener with an ACM
//! certificate (DNS validation in the catalogue's public zone) and a TLS 1.3/1.2 policy, path rules
//! to the target groups and a 404 otherwise; an HTTP listener that only redirects to HTTPS; one
//! `ip` target group per service (health check, deregistration delay). The target groups' ARNs are
//! the contracts `load-balancer/<name>/target-groups/<group>/arn` the ECS services register with.

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// The listener's TLS policy unless the entry names another: TLS 1.3 and 1.2 only.
pub const DEFAULT_TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// One entry of a module's `resources: load_balancers:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The catalogue VPC (`gbp-core`): its public subnets and `alb` security group.
    pub network: Sp<String>,
    pub certificate: Certificate,
    pub access_logs: LbLogs,
    /// The catalogue web ACL associated with it (contract `waf/<name>/arn`).
    pub web_acl: Sp<String>,
    #[serde(default)]
    pub tls_policy: Option<Sp<String>>,
    pub target_groups: Vec<TargetGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The name clients use (`api.{env}.gbp.example`).
    pub domain: Sp<String>,
    /// The public hosted zone that holds the DNS validation records (`gbp.example`).
    pub zone: Sp<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbLogs {
    /// A catalogue bucket with `receives_lb_logs: true`.
    pub bucket: Sp<String>,
    pub prefix: Sp<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub name: Sp<String>,
    pub port: Sp<u16>,
    /// The listener rule's path patterns (`/transactions*`).
    pub paths: Vec<Sp<String>>,
    pub health_path: Sp<String>,
    #[serde(default = "default_delay")]
    pub deregistration_delay_seconds: u32,
}

fn default_delay() -> u32 {
    30
}

impl Entry {
    fn tls_policy(&self) -> &str {
        self.tls_policy
            .as_ref()
            .map(|p| p.value.as_str())
            .unwrap_or(DEFAULT_TLS_POLICY)
    }
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "load_balancers"
    }
    fn noun(&self) -> &'static str {
        "load balancer"
    }
    fn family(&self) -> &'static str {
        "alb"
    }
    fn template(&self) -> &'static str {
        "load_balancer.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::ELBV2, api::ACM, api::ROUTE53, api::WAFV2, api::EC2]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_acm_certificate",
            "aws_acm_certificate_validation",
            "aws_route53_record",
            "aws_lb",
            "aws_lb_target_group",
            "aws_lb_listener",
            "aws_lb_listener_rule",
            "aws_wafv2_web_acl_association",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL542", "BGL320"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.load_balancers.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        let mut out: Vec<_> = r
            .load_balancers
            .iter()
            .map(|x| ("load balancer", &x.name))
            .collect();
        for x in &r.load_balancers {
            out.extend(x.target_groups.iter().map(|t| ("target group", &t.name)));
        }
        out
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
        for x in &r.load_balancers {
            c.name(&x.name, &n.resource);
            // `-staging` is the longest suffix: ELB names have at most 32 characters.
            for (what, name) in std::iter::once(("load balancer", &x.name))
                .chain(x.target_groups.iter().map(|t| ("target group", &t.name)))
            {
                if name.value.len() + "-staging".len() > 32 {
                    c.err(
                        "BG001",
                        &name.referenced,
                        format!("{what} name `{}` is too long for ELB", name.value),
                        "ELB names have at most 32 characters, `-{env}` included",
                    );
                }
            }
            if x.target_groups.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("load balancer `{}` has no target group", x.name.value),
                    "list the services it forwards to under target_groups:",
                );
            }
            for t in &x.target_groups {
                c.name(&t.name, &n.resource);
                if t.paths.is_empty() || t.paths.iter().any(|p| !p.value.starts_with('/')) {
                    c.err(
                        "BG001",
                        &t.name.referenced,
                        format!(
                            "target group `{}` needs path patterns starting with `/`",
                            t.name.value
                        ),
                        "e.g. paths: [/transactions, /transactions/*]",
                    );
                }
                if !t.health_path.value.starts_with('/') {
                    c.err(
                        "BG001",
                        &t.health_path.referenced,
                        format!(
                            "health check path `{}` does not start with `/`",
                            t.health_path.value
                        ),
                        "e.g. /health",
                    );
                }
            }
            if let Some(p) = &x.tls_policy
                && !p.value.starts_with("ELBSecurityPolicy-TLS13-")
                && !p.value.starts_with("ELBSecurityPolicy-TLS-1-2-")
            {
                c.err(
                    "BG001",
                    &p.referenced,
                    format!("TLS policy `{}` admits TLS versions before 1.2", p.value),
                    format!("use {DEFAULT_TLS_POLICY} (TLS 1.3 and 1.2)"),
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.load_balancers {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let net = &x.network.value;
            let subnets = m.import(&format!("network/{net}/public_subnet_ids"));
            let sg = m.import(&format!("network/{net}/sg/alb"));
            let vpc = m.import(&format!("network/{net}/vpc_id"));
            let waf = m.import(&format!("waf/{}/arn", x.web_acl.value));
            let log_bucket = m.bucket_name(&x.access_logs.bucket.value);
            let own_log_bucket = m
                .module
                .resources
                .buckets
                .iter()
                .any(|b| b.name.value == x.access_logs.bucket.value)
                .then(|| ident(&x.access_logs.bucket.value));
            let groups: Vec<_> = x
                .target_groups
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    json!({
                        "id": ident(&t.name.value),
                        "name": m.env_name(&t.name.value),
                        "port": t.port.value,
                        "paths": t.paths.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(),
                        "health_path": t.health_path.value,
                        "delay": t.deregistration_delay_seconds,
                        "priority": (i + 1) * 10,
                    })
                })
                .collect();
            let ctx = json!({
                "id": id,
                "name": m.env_name(&x.name.value),
                "purpose": x.purpose,
                "subnets": subnets,
                "sg": sg,
                "vpc": vpc,
                "waf": waf,
                "log_bucket": log_bucket,
                "own_log_bucket": own_log_bucket,
                "log_prefix": x.access_logs.prefix.value,
                "domain": m.subst(&x.certificate.domain.value),
                "zone": x.certificate.zone.value,
                // An emulator has no public DNS: its certificate is never validated.
                "validate": !m.env.emulator,
                "deletion_protection": !m.env.emulator,
                "tls_policy": x.tls_policy(),
                "groups": groups,
            });
            m.emit(self, &loc, ctx);
            let base = format!("load-balancer/{}", x.name.value);
            m.export(
                format!("{base}/arn"),
                format!("ARN of the {} load balancer: {}", x.name.value, x.purpose),
                raw(format!("aws_lb.{id}.arn")),
                &loc,
            );
            m.export(
                format!("{base}/dns-name"),
                format!("DNS name of the {} load balancer", x.name.value),
                raw(format!("aws_lb.{id}.dns_name")),
                &loc,
            );
            m.export(
                format!("{base}/zone-id"),
                format!(
                    "Route 53 zone id of the {} load balancer (alias records)",
                    x.name.value
                ),
                raw(format!("aws_lb.{id}.zone_id")),
                &loc,
            );
            m.export(
                format!("{base}/https-listener/arn"),
                format!(
                    "ARN of the HTTPS listener of the {} load balancer",
                    x.name.value
                ),
                raw(format!("aws_lb_listener.{id}_https.arn")),
                &loc,
            );
            for t in &x.target_groups {
                m.export(
                    format!("{base}/target-groups/{}/arn", t.name.value),
                    format!(
                        "ARN of the {} target group of the {} load balancer (ECS services register with it)",
                        t.name.value, x.name.value
                    ),
                    raw(format!("aws_lb_target_group.{}.arn", ident(&t.name.value))),
                    &loc,
                );
            }
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.load_balancers.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Load balancers",
            "Each application load balancer: public subnets and the `alb` security group of its VPC, invalid header fields dropped, access logs to an SSE-S3 bucket, deletion protection outside the emulator, the web ACL associated; HTTPS with an ACM certificate (DNS validation) and a TLS 1.3/1.2 policy, HTTP only as a redirect to HTTPS; `ip` target groups with health checks, each exported as `load-balancer/{name}/target-groups/{group}/arn`; names get `-{env}` appended.",
            &[
                "Load balancer",
                "Purpose",
                "Certificate",
                "TLS policy",
                "Target groups",
                "Web ACL",
            ],
            r.load_balancers
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        code(&x.certificate.domain.value),
                        code(x.tls_policy()),
                        x.target_groups
                            .iter()
                            .map(|t| {
                                format!(
                                    "{} (port {}, {})",
                                    code(&t.name.value),
                                    t.port.value,
                                    t.paths
                                        .iter()
                                        .map(|p| code(&p.value))
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        code(&x.web_acl.value),
                    ]
                })
                .collect(),
        ))
    }
}
