//! KMS: one CMK per data classification, rotation on, usage only for the roles of domains that
//! handle the classification, ARN exported at `/bank/{env}/kms/{classification}/arn`.

use super::guard::{self, AllowReplace};
use super::iam_role::Permission;
use super::md::{code, esc};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::raw;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub alias: Sp<String>,
    pub classification: Sp<String>,
    pub description: String,
    pub used_by: String,
    /// A copy of the key in the platform's DR region (same alias, its own key material: KMS keys
    /// do not leave their region), for the replicas and DR resources of this classification.
    /// Exported as `kms/{classification}/dr-arn`.
    #[serde(default)]
    pub dr: Option<Sp<bool>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "kms_keys"
    }
    fn noun(&self) -> &'static str {
        "KMS key"
    }
    fn family(&self) -> &'static str {
        "kms"
    }
    fn template(&self) -> &'static str {
        "kms_key.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_kms_alias", "aws_kms_key"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_kms_key"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL202", "BGL203", "BGL204"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.kms_keys.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.kms_keys
            .iter()
            .map(|x| ("KMS key alias", &x.alias))
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
        for key in &r.kms_keys {
            guard::check_allow(
                key.allow_replace.as_ref(),
                &format!("KMS key `{}`", key.alias.value),
                c,
            );
            c.name(&key.alias, &n.key_alias);
            if let Some(dr) = key.dr.as_ref().filter(|d| d.value) {
                c.needs_dr_region(&dr.referenced, &format!("KMS key `{}`", key.alias.value));
            }
            c.classification(&key.classification);
            if let Some(alias) = c.key_alias(&key.classification.value)
                && alias != key.alias.value
            {
                let message = format!(
                    "key `{}` is declared for classification `{}`, whose key alias is `{alias}`",
                    key.alias.value, key.classification.value
                );
                c.err(
                    "BG041",
                    &key.alias.referenced,
                    message,
                    "platform.yaml maps each classification to one key alias; use that alias",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

/// AWS services that encrypt with the platform's keys on the platform's behalf.
const SERVICES: &[&str] = &[
    "events.amazonaws.com",
    "sns.amazonaws.com",
    "cloudtrail.amazonaws.com",
];

fn render(kind: &Kind, m: &mut Scope) {
    for key in &m.module.resources.kms_keys {
        let class = key.classification.value.clone();
        let id = ident(&key.alias.value);
        let loc = m.loc(&key.alias.referenced);
        let users: Vec<serde_json::Value> = m
            .module
            .resources
            .iam_roles
            .iter()
            .filter(|r| {
                r.permissions.iter().any(|p| matches!(p, Permission::KmsDecrypt(cs) if cs.iter().any(|c| c.value == class)))
            })
            .map(|r| raw(format!("aws_iam_role.{}.arn", ident(&r.name.value))))
            .collect();
        let root = format!("arn:aws:iam::{}:root", m.env.account_id);
        let mut statements = vec![
            Stmt::allow("EnableRootAccount")
                .principal("AWS", json!(root))
                .action(&["kms:*"])
                .resource(vec![json!("*")])
                .build(),
        ];
        if !users.is_empty() {
            statements.push(
                Stmt::allow("DomainRolesUse")
                    .principal(
                        "AWS",
                        if users.len() == 1 {
                            users[0].clone()
                        } else {
                            json!(users)
                        },
                    )
                    .action(&["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"])
                    .resource(vec![json!("*")])
                    .build(),
            );
        }
        let primary = m.region.to_string();
        let dr = m
            .dr_region
            .filter(|_| key.dr.as_ref().is_some_and(|d| d.value));
        let for_region = |region: &str, m: &Scope| {
            let mut all = statements.clone();
            all.push(services_use(m, &class, region));
            policy(all)
        };
        let dr_copy = dr.map(|region| json!({ "policy": for_region(region, m) }));
        let ctx = json!({
            "id": id,
            "description": format!("{} ({})", key.description, key.used_by),
            "alias": format!("alias/{}", key.alias.value),
            "policy": for_region(&primary, m),
            "deletion_window": if m.env.emulator { 7 } else { 30 },
            "dr": dr_copy,
        });
        if dr.is_some() {
            m.on_alias("dr", format!("aws_kms_key.{id}_dr"));
            m.on_alias("dr", format!("aws_kms_alias.{id}_dr"));
        }
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_kms_key.{id}"),
            format!("KMS key {}", key.alias.value),
            &loc,
            guard::allowance(key.allow_replace.as_ref(), m),
        );
        let value = raw(format!("aws_kms_key.{id}.arn"));
        m.export(
            format!("kms/{class}/arn"),
            format!("ARN of the {} CMK", key.alias.value),
            value,
            &loc,
        );
        if dr.is_some() {
            m.holds_data(
                format!("aws_kms_key.{id}_dr"),
                format!("KMS key {} (DR region)", key.alias.value),
                &loc,
                guard::allowance(key.allow_replace.as_ref(), m),
            );
            m.export(
                format!("kms/{class}/dr-arn"),
                format!("ARN of the {} CMK in the DR region", key.alias.value),
                raw(format!("aws_kms_key.{id}_dr.arn")),
                &loc,
            );
        }
    }
}

/// The AWS services that encrypt with a key of `class` in `region` on the platform's behalf. The
/// platform's topics are all in the primary region: only its key gets their publishers.
fn services_use(m: &Scope, class: &str, region: &str) -> serde_json::Value {
    let logs = format!("logs.{region}.amazonaws.com");
    let mut services: Vec<serde_json::Value> = SERVICES.iter().map(|s| json!(s)).collect();
    services.insert(0, json!(logs));
    let primary = region == m.region;
    // A topic encrypted with this key (in this module or another: the key is the
    // classification's): whoever may publish to it (a CloudWatch alarm) has to generate a
    // data key with it, or AWS drops the message.
    let topics = &m.module.resources.sns_topics;
    if primary
        && (topics.iter().any(|t| t.classification.value == class)
            || m.fleet.topic_classes().any(|c| c == class))
    {
        for p in super::sns_topic::PUBLISHERS {
            if !services.contains(&json!(p)) {
                services.push(json!(p));
            }
        }
    }
    // AWS Budgets encrypts its notifications with the key of the topics budgets notify.
    if primary && m.fleet.budget_topic_classes().any(|c| c == class) {
        services.push(json!(super::sns_topic::BUDGETS));
    }
    Stmt::allow("AwsServicesUse")
        .principal("Service", json!(services))
        .action(&[
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey",
        ])
        .resource(vec![json!("*")])
        .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
        .build()
}

fn docs(r: &Resources, _: &Docs) -> Option<DocSection> {
    let list = &r.kms_keys;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|k| {
            vec![
                code(&k.alias.value),
                format!(
                    "{} — {}",
                    code(&k.classification.value),
                    esc(&k.description)
                ),
                esc(&k.used_by),
            ]
        })
        .collect();
    Some(DocSection::new(
        "KMS keys",
        "One customer-managed key per data classification; automatic annual rotation; usage granted only to the roles of domains that handle the classification.",
        &["Key alias", "Classification", "Used by"],
        rows,
    ))
}
