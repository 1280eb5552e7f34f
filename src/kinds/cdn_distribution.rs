//! CloudFront: static content from a catalogue bucket at the edge (seed 002: "CloudFront caches
//! static content at edge locations near users").
//!
//! Each entry: a distribution over one S3 bucket of the same module, read only through an origin
//! access control (hashicorp/aws >= 4; an origin access identity in the legacy profile), HTTPS
//! only (HTTP redirects), TLS 1.2 at least (`TLSv1.2_2021`) with an ACM certificate for its
//! names, and a CLOUDFRONT-scope web ACL of AWS managed rule groups. AWS accepts that certificate
//! and that web ACL only from us-east-1: both are rendered with `provider = aws.global`
//! (platform.yaml `global_region`), recorded with [`Scope::on_alias`]. The bucket's policy lets
//! CloudFront read for this distribution only ([`bucket_statements`]).

use super::md::{code, esc};
use super::names::ident;
use super::policy::Stmt;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
    tpl,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// CloudFront's managed cache policy CachingOptimized.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// CloudFront's managed response headers policy SecurityHeadersPolicy (HSTS, nosniff, frame
/// options, XSS protection, referrer policy).
const SECURITY_HEADERS: &str = "67f7725c-6f97-4210-82d7-5512b31e9d03";
/// The Route 53 hosted zone id of every CloudFront distribution (alias records).
pub const CLOUDFRONT_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// One entry of a module's `resources: cdn_distributions:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The origin: a catalogue bucket of the same module.
    pub bucket: Sp<String>,
    /// Its names (`static.{env}.gbp.example`); the first is the certificate's, the others its
    /// alternative names.
    pub domains: Vec<Sp<String>>,
    /// The public hosted zone of the certificate's DNS validation records.
    pub zone: Sp<String>,
    /// AWS managed rule groups of its CLOUDFRONT-scope web ACL, in order.
    pub managed_rule_groups: Vec<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

/// The statement the policy of bucket `bucket` gets for each distribution of the module that
/// reads it: CloudFront's service principal for that distribution (origin access control), or the
/// origin access identity in the legacy profile.
pub fn bucket_statements(m: &Scope, bucket: &str) -> Vec<Value> {
    let id = ident(bucket);
    m.module
        .resources
        .cdn_distributions
        .iter()
        .filter(|d| d.bucket.value == bucket)
        .map(|d| {
            let did = ident(&d.name.value);
            let s = Stmt::allow("CloudFrontRead")
                .action(&["s3:GetObject"])
                .resource(vec![tpl(vec![
                    raw(format!("aws_s3_bucket.{id}.arn")),
                    json!("/*"),
                ])]);
            if access(m) != Access::Identity {
                s.principal("Service", json!("cloudfront.amazonaws.com"))
                    .condition(
                        "StringEquals",
                        "AWS:SourceArn",
                        raw(format!("aws_cloudfront_distribution.{did}.arn")),
                    )
                    .build()
            } else {
                s.principal(
                    "AWS",
                    raw(format!(
                        "aws_cloudfront_origin_access_identity.{did}.iam_arn"
                    )),
                )
                .build()
            }
        })
        .collect()
}

/// How the distributions of a module read their origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// An origin access control (hashicorp/aws >= 4).
    Control,
    /// An origin access identity (the legacy profile).
    Identity,
    /// Neither: moto 5.2.5 answers CreateCloudFrontOriginAccessIdentity with 404 and the legacy
    /// provider has no origin access control (the emulator's tree only). The bucket policy
    /// keeps the origin-access-control form.
    Emulator,
}

fn access(m: &Scope) -> Access {
    if m.features.v4_arguments {
        Access::Control
    } else if m.env.emulator {
        Access::Emulator
    } else {
        Access::Identity
    }
}

/// Whether bucket `bucket` is the origin of a distribution of the module.
pub fn is_origin(r: &Resources, bucket: &str) -> bool {
    r.cdn_distributions.iter().any(|d| d.bucket.value == bucket)
}

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "cdn_distributions"
    }
    fn noun(&self) -> &'static str {
        "CloudFront distribution"
    }
    fn family(&self) -> &'static str {
        "cloudfront"
    }
    fn template(&self) -> &'static str {
        "cdn_distribution.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::CLOUDFRONT, api::ACM, api::ROUTE53, api::WAFV2]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_acm_certificate",
            "aws_acm_certificate_validation",
            "aws_route53_record",
            "aws_wafv2_web_acl",
            "aws_cloudfront_origin_access_control",
            "aws_cloudfront_origin_access_identity",
            "aws_cloudfront_distribution",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL543", "BGL320"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.cdn_distributions.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.cdn_distributions
            .iter()
            .map(|x| ("CloudFront distribution", &x.name))
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
        for x in &r.cdn_distributions {
            c.name(&x.name, &n.resource);
            if !r.buckets.iter().any(|b| b.name.value == x.bucket.value) {
                c.err(
                    "BG001",
                    &x.bucket.referenced,
                    format!(
                        "distribution `{}`: no bucket `{}` in this module",
                        x.name.value, x.bucket.value
                    ),
                    "name a bucket of the same module's buckets: (its policy grants CloudFront the reads)",
                );
            }
            if x.domains.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("distribution `{}` has no domain", x.name.value),
                    "list its names under domains: (the certificate's)",
                );
            }
            if x.managed_rule_groups.is_empty()
                || x.managed_rule_groups
                    .iter()
                    .any(|g| !g.value.starts_with("AWSManagedRules"))
            {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!(
                        "distribution `{}` needs AWS managed rule groups for its web ACL",
                        x.name.value
                    ),
                    "e.g. managed_rule_groups: [AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet]",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.cdn_distributions {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let global = m.on_alias("global", format!("aws_acm_certificate.{id}"));
            m.on_alias("global", format!("aws_wafv2_web_acl.{id}"));
            let validate = !m.env.emulator;
            if validate {
                m.on_alias("global", format!("aws_acm_certificate_validation.{id}"));
            }
            let domains: Vec<String> = x.domains.iter().map(|d| m.subst(&d.value)).collect();
            let groups: Vec<_> = x
                .managed_rule_groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    json!({
                        "name": g.value,
                        "priority": (i + 1) * 10,
                        "metric": format!("{name}-{}", g.value),
                    })
                })
                .collect();
            let ctx = json!({
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "provider": raw(global),
                "bucket": ident(&x.bucket.value),
                "domains": domains,
                "zone": x.zone.value,
                "validate": validate,
                "groups": groups,
                "access": match access(m) {
                    Access::Control => "control",
                    Access::Identity => "identity",
                    Access::Emulator => "none",
                },
                "cache_policy": CACHING_OPTIMIZED,
                "headers_policy": SECURITY_HEADERS,
            });
            m.emit(self, &loc, ctx);
            let base = format!("cloudfront/{}", x.name.value);
            m.export(
                format!("{base}/domain-name"),
                format!(
                    "Domain name of the {} distribution: {}",
                    x.name.value, x.purpose
                ),
                raw(format!("aws_cloudfront_distribution.{id}.domain_name")),
                &loc,
            );
            m.export(
                format!("{base}/id"),
                format!("Id of the {} distribution (invalidations)", x.name.value),
                raw(format!("aws_cloudfront_distribution.{id}.id")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.cdn_distributions.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "CloudFront distributions",
            "Each distribution: one S3 origin of the module read through an origin access control (its bucket policy admits this distribution only), HTTPS only with TLS 1.2 at least (`TLSv1.2_2021`), an ACM certificate for its names and a CLOUDFRONT-scope web ACL, both in us-east-1 (provider `aws.global`, platform.yaml `global_region`), the managed CachingOptimized and SecurityHeadersPolicy policies.",
            &[
                "Distribution",
                "Purpose",
                "Origin bucket",
                "Names",
                "Web ACL rule groups",
            ],
            r.cdn_distributions
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        code(&format!("{}-{{env}}", x.bucket.value)),
                        x.domains
                            .iter()
                            .map(|d| code(&d.value))
                            .collect::<Vec<_>>()
                            .join(", "),
                        x.managed_rule_groups
                            .iter()
                            .map(|g| code(&g.value))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        ))
    }
}
