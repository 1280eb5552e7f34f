//! WAFv2: a regional web ACL for the platform's public entry points (seed 002: "A Web Application
//! Firewall protects public-facing APIs from common attacks like SQL injection and cross-site
//! scripting. The WAF ruleset is customizable and can be updated without changing the underlying
//! infrastructure"): allow by default, the catalogue's AWS managed rule groups in order, metrics
//! and sampled requests on every rule, and its full logs in a KMS-encrypted CloudWatch log group
//! (`aws-waf-logs-…`, the prefix WAF requires) with the `authorization` header redacted. The
//! ACL's ARN is an SSM contract: the modules that own a load balancer or an API stage associate it.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// What WAF requires a logging destination's log group name to start with.
pub const LOG_GROUP_PREFIX: &str = "aws-waf-logs-";

/// One entry of a module's `resources: web_acls:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebAcl {
    pub name: Sp<String>,
    pub purpose: String,
    /// The classification of its logs (their log group's key).
    pub classification: Sp<String>,
    /// AWS managed rule groups (`AWSManagedRulesSQLiRuleSet`), evaluated in this order.
    pub managed_rule_groups: Vec<Sp<String>>,
    pub log_retention_days: Sp<u32>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "web_acls"
    }
    fn noun(&self) -> &'static str {
        "web ACL"
    }
    fn family(&self) -> &'static str {
        "waf"
    }
    fn template(&self) -> &'static str {
        "web_acl.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::WAFV2, api::LOGS, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_log_group",
            "aws_wafv2_web_acl",
            "aws_wafv2_web_acl_logging_configuration",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL320", "BGL504", "BGL505", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.web_acls.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.web_acls.iter().map(|x| ("web ACL", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.web_acls
            .iter()
            .map(|x| (format!("web ACL {}", x.name.value), &x.classification))
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
        for x in &r.web_acls {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("web ACL `{}`", x.name.value),
                c,
            );
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            if x.managed_rule_groups.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("web ACL `{}` has no managed rule group", x.name.value),
                    "list the AWS managed rule groups it evaluates (AWSManagedRulesCommonRuleSet, ...)",
                );
            }
            for (i, g) in x.managed_rule_groups.iter().enumerate() {
                if !g.value.starts_with("AWSManagedRules")
                    || !g.value.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    c.err(
                        "BG001",
                        &g.referenced,
                        format!("`{}` is not an AWS managed rule group name", g.value),
                        "name one of AWS's managed rule groups, e.g. AWSManagedRulesSQLiRuleSet",
                    );
                } else if x.managed_rule_groups[..i]
                    .iter()
                    .any(|o| o.value == g.value)
                {
                    c.err(
                        "BG001",
                        &g.referenced,
                        format!("web ACL `{}` lists `{}` twice", x.name.value, g.value),
                        "list each rule group once",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.web_acls {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
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
                "groups": groups,
                "log_group": format!("{LOG_GROUP_PREFIX}{name}"),
                "retention": x.log_retention_days.value,
                "key": m.key_arn(&x.classification.value),
                "tags": m.class_tags(&x.classification.value),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_cloudwatch_log_group.{id}"),
                format!("web ACL {}", x.name.value),
                &loc,
                guard::allowance(x.allow_replace.as_ref(), m),
            );
            m.export(
                format!("waf/{}/arn", x.name.value),
                format!(
                    "ARN of the {} web ACL (associate it with public entry points): {}",
                    x.name.value, x.purpose
                ),
                raw(format!("aws_wafv2_web_acl.{id}.arn")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.web_acls.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "WAF web ACLs",
            "Each web ACL: regional, allows what no rule blocks, evaluates its AWS managed rule groups in order with CloudWatch metrics and sampled requests, and logs every request to a KMS-encrypted log group (`aws-waf-logs-{name}-{env}`) with the `authorization` header redacted; its ARN is the contract `waf/{name}/arn`, which load balancers and API stages associate (BGL320).",
            &[
                "Web ACL",
                "Purpose",
                "Managed rule groups",
                "Logs kept",
                "Key",
            ],
            r.web_acls
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        x.managed_rule_groups
                            .iter()
                            .map(|g| code(&g.value))
                            .collect::<Vec<_>>()
                            .join(", "),
                        days(x.log_retention_days.value),
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}
