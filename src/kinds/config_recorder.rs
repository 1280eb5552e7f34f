//! AWS Config (seed 002, compliance stack: "AWS Config continuously monitors resource
//! configurations and evaluates them against compliance rules ... Configuration history provides
//! a timeline of changes"): a recorder of every supported resource type, global ones included,
//! with its own role (AWS's managed `AWS_ConfigRole` plus delivery to the bucket), a delivery
//! channel to the audit bucket under its prefix, the recorder switched on, and AWS managed Config
//! rules, each the account-side twin of a bankgen lint rule ([`MANAGED_RULES`], the one mapping).

use super::md::{code, esc};
use super::names::ident;
use super::policy::{Stmt, policy, trust};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, known,
    raw, tpl,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// One AWS managed Config rule and the bankgen lint rule that checks the same thing in the
/// Terraform before it is applied (none: the resource's kind has no bankgen rule yet).
pub struct ManagedRule {
    /// The AWS managed rule's source identifier.
    pub identifier: &'static str,
    pub bankgen: Option<&'static str>,
    /// What it evaluates, as the docs say it.
    pub checks: &'static str,
    /// Its input parameters (JSON object text), when the defaults do not fit.
    pub parameters: Option<&'static str>,
}

const fn rule(
    identifier: &'static str,
    bankgen: &'static str,
    checks: &'static str,
) -> ManagedRule {
    ManagedRule {
        identifier,
        bankgen: Some(bankgen),
        checks,
        parameters: None,
    }
}

/// The AWS managed Config rules a recorder may evaluate, each with the bankgen rule it mirrors:
/// bankgen stops a violation before `apply`, Config finds one made afterwards (drift).
pub const MANAGED_RULES: &[ManagedRule] = &[
    rule(
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "BGL101",
        "Bucket policies deny requests without TLS",
    ),
    rule(
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "BGL102",
        "Buckets block public access",
    ),
    rule(
        "S3_BUCKET_VERSIONING_ENABLED",
        "BGL103",
        "Buckets are versioned",
    ),
    rule(
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "BGL104",
        "Buckets encrypt objects by default",
    ),
    rule(
        "S3_LIFECYCLE_POLICY_CHECK",
        "BGL105",
        "Buckets have lifecycle rules",
    ),
    rule(
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "BGL203",
        "Customer-managed keys rotate",
    ),
    rule(
        "SNS_ENCRYPTED_KMS",
        "BGL503",
        "Topics are encrypted with KMS",
    ),
    rule(
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "BGL504",
        "Log groups are encrypted with KMS",
    ),
    rule(
        "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
        "BGL505",
        "Log groups keep their events at least a year",
    ),
    rule(
        "DYNAMODB_PITR_ENABLED",
        "BGL506",
        "Tables have point-in-time recovery",
    ),
    rule(
        "DYNAMODB_TABLE_ENCRYPTED_KMS",
        "BGL506",
        "Tables are encrypted with KMS",
    ),
    rule(
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "BGL601",
        "Trails encrypt their logs with KMS",
    ),
    rule(
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "BGL601",
        "Trails validate their log files",
    ),
    rule(
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        "BGL601",
        "A trail logs every region",
    ),
    rule(
        "COGNITO_USER_POOL_MFA_ENABLED",
        "BGL701",
        "User pools require MFA",
    ),
    rule(
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        "BGL801",
        "No policy grants `*` on `*`",
    ),
    rule(
        "SECRETSMANAGER_USING_CMK",
        "BGL902",
        "Secrets are encrypted with a customer-managed key",
    ),
    rule(
        "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        "BGL903",
        "Secrets rotate",
    ),
    rule(
        "ALB_WAF_ENABLED",
        "BGL320",
        "Application load balancers have a web ACL",
    ),
    rule(
        "API_GW_ASSOCIATED_WITH_WAF",
        "BGL320",
        "API Gateway stages have a web ACL",
    ),
    rule("WAFV2_LOGGING_ENABLED", "BGL320", "Web ACLs log"),
    rule(
        "GUARDDUTY_ENABLED_CENTRALIZED",
        "BGL603",
        "GuardDuty is enabled",
    ),
    ManagedRule {
        identifier: "VPC_FLOW_LOGS_ENABLED",
        bankgen: Some("BGL310"),
        checks: "VPCs log all their traffic",
        parameters: Some(r#"{"trafficType":"ALL"}"#),
    },
    rule(
        "RDS_STORAGE_ENCRYPTED",
        "BGL507",
        "Database storage is encrypted",
    ),
];

/// The mapping's entry for an identifier.
pub fn managed_rule(identifier: &str) -> Option<&'static ManagedRule> {
    MANAGED_RULES.iter().find(|r| r.identifier == identifier)
}

/// How often Config delivers a snapshot of the configuration (the API's values).
const FREQUENCIES: &[&str] = &[
    "One_Hour",
    "Three_Hours",
    "Six_Hours",
    "Twelve_Hours",
    "TwentyFour_Hours",
];

/// AWS's managed policy for a Config recorder's role.
const CONFIG_ROLE_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole";

/// One entry of a module's `resources: config_recorders:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorder {
    pub name: Sp<String>,
    pub purpose: String,
    /// The module's bucket that receives configuration history and snapshots.
    pub bucket: Sp<String>,
    pub prefix: Sp<String>,
    /// `TwentyFour_Hours`, `Six_Hours`, ...
    pub snapshot_frequency: Sp<String>,
    /// AWS managed Config rules ([`MANAGED_RULES`] identifiers).
    pub rules: Vec<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "config_recorders"
    }
    fn noun(&self) -> &'static str {
        "Config recorder"
    }
    fn family(&self) -> &'static str {
        "config"
    }
    fn template(&self) -> &'static str {
        "config_recorder.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::CONFIG, api::IAM]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_config_config_rule",
            "aws_config_configuration_recorder",
            "aws_config_configuration_recorder_status",
            "aws_config_delivery_channel",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_iam_role_policy_attachment",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL602", "BGL801"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.config_recorders.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.config_recorders
            .iter()
            .map(|x| ("Config recorder", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        // Its data lands in its bucket, encrypted with the bucket's classification's key.
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
        for (i, x) in r.config_recorders.iter().enumerate() {
            c.name(&x.name, &n.resource);
            c.bucket(&x.bucket);
            if i > 0 {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!(
                        "Config recorder `{}` is the module's second: an account has one recorder per region",
                        x.name.value
                    ),
                    "declare one recorder",
                );
            }
            let p = &x.prefix.value;
            if p.is_empty() || p.starts_with('/') || p.ends_with('/') {
                c.err(
                    "BG001",
                    &x.prefix.referenced,
                    format!("Config recorder `{}` has the prefix `{p}`", x.name.value),
                    "a key prefix without leading or trailing `/`, e.g. config",
                );
            }
            if !FREQUENCIES.contains(&x.snapshot_frequency.value.as_str()) {
                c.err(
                    "BG001",
                    &x.snapshot_frequency.referenced,
                    format!(
                        "unknown snapshot frequency `{}`",
                        x.snapshot_frequency.value
                    ),
                    known("frequencies", FREQUENCIES.iter().copied()),
                );
            }
            for (j, id) in x.rules.iter().enumerate() {
                if managed_rule(&id.value).is_none() {
                    c.err(
                        "BG001",
                        &id.referenced,
                        format!("`{}` is not a managed rule bankgen maps", id.value),
                        known("managed rules", MANAGED_RULES.iter().map(|r| r.identifier)),
                    );
                } else if x.rules[..j].iter().any(|o| o.value == id.value) {
                    c.err(
                        "BG001",
                        &id.referenced,
                        format!("`{}` is listed twice", id.value),
                        "list each rule once",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        docs(r)
    }
}

/// `S3_BUCKET_SSL_REQUESTS_ONLY` → `s3-bucket-ssl-requests-only`.
fn kebab(identifier: &str) -> String {
    identifier.to_ascii_lowercase().replace('_', "-")
}

fn render(kind: &Kind, m: &mut Scope) {
    for x in &m.module.resources.config_recorders {
        let id = ident(&x.name.value);
        let loc = m.loc(&x.name.referenced);
        let name = m.env_name(&x.name.value);
        let bucket_id = ident(&x.bucket.value);
        let bucket_arn = raw(format!("aws_s3_bucket.{bucket_id}.arn"));
        let bucket_key = m
            .module
            .resources
            .buckets
            .iter()
            .find(|b| b.name.value == x.bucket.value)
            .filter(|b| b.encryption.value == super::bucket::Encryption::Kms)
            .map(|b| b.classification.value.clone());
        let mut statements = vec![
            Stmt::allow("BucketAcl")
                .action(&["s3:GetBucketAcl"])
                .resource(vec![bucket_arn.clone()])
                .build(),
            Stmt::allow("Deliver")
                .action(&["s3:PutObject"])
                .resource(vec![tpl(vec![
                    bucket_arn,
                    json!(format!(
                        "/{}/AWSLogs/{}/*",
                        x.prefix.value, m.env.account_id
                    )),
                ])])
                .condition(
                    "StringEquals",
                    "s3:x-amz-acl",
                    json!("bucket-owner-full-control"),
                )
                .build(),
        ];
        if let Some(class) = bucket_key {
            let key = m.key_arn(&class);
            statements.push(
                Stmt::allow("EncryptDeliveries")
                    .action(&["kms:GenerateDataKey"])
                    .resource(vec![key])
                    .build(),
            );
        }
        let rules: Vec<Value> = x
            .rules
            .iter()
            .filter_map(|r| managed_rule(&r.value))
            .map(|r| {
                json!({
                    "id": format!("{id}_{}", ident(&kebab(r.identifier))),
                    "name": m.env_name(&format!("{}-{}", m.name_prefix, kebab(r.identifier))),
                    "identifier": r.identifier,
                    "parameters": r.parameters,
                    "description": r.checks.replace('`', ""),
                })
            })
            .collect();
        let ctx = json!({
            "id": id,
            "name": name,
            "role_name": format!("{name}-recorder"),
            "trust": trust("config.amazonaws.com"),
            "managed_policy": CONFIG_ROLE_POLICY,
            "delivery_policy": policy(statements),
            "bucket": raw(format!("aws_s3_bucket.{bucket_id}.id")),
            "bucket_policy": raw(format!("aws_s3_bucket_policy.{bucket_id}")),
            "prefix": x.prefix.value,
            "frequency": x.snapshot_frequency.value,
            "rules": rules,
        });
        m.emit(kind, &loc, ctx);
    }
}

/// The statements a bucket's policy needs for the module's recorders that deliver to it: AWS
/// Config checks the bucket's ACL and existence and writes under `{prefix}/AWSLogs/{account}/`.
pub fn bucket_statements(m: &Scope, bucket: &str) -> Vec<Value> {
    let arn = raw(format!("aws_s3_bucket.{}.arn", ident(bucket)));
    let account = json!(m.env.account_id);
    let mut out = Vec::new();
    for x in m
        .module
        .resources
        .config_recorders
        .iter()
        .filter(|x| x.bucket.value == bucket)
    {
        out.push(
            Stmt::allow("ConfigBucketPermissionsCheck")
                .principal("Service", json!("config.amazonaws.com"))
                .action(&["s3:GetBucketAcl", "s3:ListBucket"])
                .resource(vec![arn.clone()])
                .condition("StringEquals", "aws:SourceAccount", account.clone())
                .build(),
        );
        out.push(
            Stmt::allow("ConfigBucketDelivery")
                .principal("Service", json!("config.amazonaws.com"))
                .action(&["s3:PutObject"])
                .resource(vec![tpl(vec![
                    arn.clone(),
                    json!(format!(
                        "/{}/AWSLogs/{}/Config/*",
                        x.prefix.value, m.env.account_id
                    )),
                ])])
                .condition(
                    "StringEquals",
                    "s3:x-amz-acl",
                    json!("bucket-owner-full-control"),
                )
                .condition("StringEquals", "aws:SourceAccount", account.clone())
                .build(),
        );
    }
    out
}

fn docs(r: &Resources) -> Option<DocSection> {
    let list = &r.config_recorders;
    if list.is_empty() {
        return None;
    }
    let mut section = DocSection::new(
        "AWS Config",
        "Each recorder: every supported resource type, global ones included, switched on; its role has AWS's `AWS_ConfigRole` and may deliver to the bucket, whose policy lets Config write under the prefix. Each AWS managed Config rule is the account-side twin of a bankgen lint rule: bankgen stops the violation before apply, Config finds it in the account afterwards (drift).",
        &["Recorder", "Purpose", "Delivers to", "Snapshots", "Rules"],
        list.iter()
            .map(|x| {
                vec![
                    code(&format!("{}-{{env}}", x.name.value)),
                    esc(&x.purpose),
                    code(&format!("{}/{}/", x.bucket.value, x.prefix.value)),
                    code(&x.snapshot_frequency.value),
                    x.rules.len().to_string(),
                ]
            })
            .collect(),
    );
    for x in list {
        section.more.push(super::md::DocTable {
            lead: format!("Config rules of {}:", code(&x.name.value)),
            head: vec![
                "AWS managed rule".into(),
                "Checks".into(),
                "bankgen rule".into(),
            ],
            rows: x
                .rules
                .iter()
                .filter_map(|r| managed_rule(&r.value))
                .map(|r| {
                    vec![
                        code(r.identifier),
                        esc(r.checks),
                        r.bankgen
                            .map(code)
                            .unwrap_or_else(|| "none yet".to_string()),
                    ]
                })
                .collect(),
        });
    }
    Some(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_names_real_rules_once() {
        for (i, r) in MANAGED_RULES.iter().enumerate() {
            assert!(
                MANAGED_RULES[..i]
                    .iter()
                    .all(|o| o.identifier != r.identifier),
                "{} twice",
                r.identifier
            );
            if let Some(code) = r.bankgen {
                assert!(
                    crate::lint::rules::RULES.iter().any(|x| x.code == code),
                    "{} maps to {code}, which is not a bankgen rule",
                    r.identifier
                );
            }
            if let Some(p) = r.parameters {
                assert!(
                    serde_json::from_str::<serde_json::Value>(p).is_ok_and(|v| v.is_object()),
                    "{}: parameters are not a JSON object",
                    r.identifier
                );
            }
        }
    }
}
