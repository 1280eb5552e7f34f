//! Aurora MySQL clusters (seed 002: "Aurora Serverless with MySQL compatibility serves as the
//! primary relational database for transactional data. It automatically scales compute capacity
//! based on load and supports read replicas"): Serverless v2 (a `db.serverless` writer and
//! reader between the catalogue's ACU bounds) in the private subnets of a VPC of the network
//! stack, behind its data security group; storage and Performance Insights encrypted with the
//! classification's CMK, IAM database authentication, TLS required, automated backups of at
//! least a week (seed 002: "Aurora and DynamoDB have automated backups with point-in-time
//! recovery"), the audit, error and slow-query logs in CloudWatch, deletion protection and a
//! final snapshot outside the emulator. RDS keeps the master password in a secret of its own,
//! encrypted with the same key and rotated by RDS (`manage_master_user_password`).
//!
//! Where the provider predates Serverless v2 and managed master passwords (the legacy profile,
//! hashicorp/aws 3.39), the same cluster is provisioned with two `db.r6g.large` instances and
//! its master password is read from the catalogue's `master_secret` (a rotated Secrets Manager
//! secret of another module, by its SSM contract): the value comes from that secret's rotation
//! (or the seed's populate step), never from the catalogue or a Terraform literal.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::ident;
use super::policy::{Stmt, policy, trust};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Serverless v2's capacity range, in Aurora capacity units.
const ACU_MIN: f64 = 0.5;
const ACU_MAX: f64 = 256.0;
/// RDS keeps automated backups for 1 to 35 days.
const BACKUP_DAYS_MAX: u32 = 35;
/// `emulator.unserved_kinds` names the global database `aurora_clusters.replication`.
const REPLICATION: &str = "aurora_clusters.replication";
/// The instance class of the legacy form (provisioned; Performance Insights supports it).
const LEGACY_INSTANCE_CLASS: &str = "db.r6g.large";

/// One entry of a module's `resources: aurora_clusters:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The cluster identifier (the environment is appended).
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    /// The VPC of the network stack whose private subnets and data security group it uses.
    pub network: Sp<String>,
    /// An aurora-mysql engine version (`8.0.mysql_aurora.3.08.0`).
    pub engine_version: Sp<String>,
    /// The database created with the cluster.
    pub database: Sp<String>,
    pub master_username: Sp<String>,
    /// Serverless v2 capacity bounds, in ACUs.
    pub min_capacity_acu: Sp<f64>,
    pub max_capacity_acu: Sp<f64>,
    pub backup_retention_days: Sp<u32>,
    /// The daily backup window, `hh:mm-hh:mm` UTC.
    pub backup_window: Sp<String>,
    /// The secret that holds the master password where RDS cannot manage it (legacy profile).
    pub master_secret: Sp<String>,
    /// Its recovery tier (policies/dr.yaml `tiers`), rendered as the `recovery_tier` tag; a tier
    /// the policy marks as DR-protected needs `replication:` (BG040, BGL550).
    #[serde(default)]
    pub recovery_tier: Option<Sp<String>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// An Aurora global database with a secondary cluster in the platform's `dr_region` (seed
    /// 002: "Aurora Global Database replicates with low latency").
    #[serde(default)]
    pub replication: Option<Replication>,
}

/// `replication:` of an Aurora cluster.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// The network stack's VPC in the DR region: the secondary's private subnets and data
    /// security group.
    pub network: Sp<String>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

/// The cluster parameter group's family for the engine version.
fn family(engine_version: &str) -> String {
    let major = engine_version
        .split(".mysql_aurora")
        .next()
        .unwrap_or("8.0");
    format!("aurora-mysql{major}")
}

/// `hh:mm-hh:mm`, each a valid UTC time, at least 30 minutes long (RDS's rule).
fn valid_window(w: &str) -> bool {
    let minutes = |t: &str| -> Option<u32> {
        let (h, m) = t.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let Some((a, b)) = w.split_once('-') else {
        return false;
    };
    match (minutes(a), minutes(b)) {
        (Some(a), Some(b)) => (b + 24 * 60 - a) % (24 * 60) >= 30,
        _ => false,
    }
}

/// A capacity as HCL writes it: `16`, `0.5`.
fn acu(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// What RDS enhanced monitoring writes: the `RDSOSMetrics` log group of the account and region
/// (the statements of the AWS-managed AmazonRDSEnhancedMonitoringRole, scoped to that group; the
/// managed policy itself is not attached because an emulator may not have it).
/// `dr`: the DR region of a global database, whose secondary's instance reports there too.
fn monitoring_policy(m: &Scope, dr: Option<&str>) -> Value {
    let groups: Vec<String> = std::iter::once(m.region)
        .chain(dr)
        .map(|r| {
            format!(
                "arn:aws:logs:{r}:{}:log-group:RDSOSMetrics",
                m.env.account_id
            )
        })
        .collect();
    policy(vec![
        Stmt::allow("CreateMetricsLogGroup")
            .action(&["logs:CreateLogGroup", "logs:PutRetentionPolicy"])
            .resource(groups.iter().map(|g| json!(g)).collect())
            .build(),
        Stmt::allow("WriteMetrics")
            .action(&[
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
            ])
            .resource(
                groups
                    .iter()
                    .map(|g| json!(format!("{g}:log-stream:*")))
                    .collect(),
            )
            .build(),
    ])
}

/// The HCL expression of a reference the scope returned (`data.aws_ssm_parameter.X.value`).
pub fn expr(v: &Value) -> String {
    v.get("$raw")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_default()
}

/// The private subnets and the data security group of a network-stack VPC, by its contract.
pub fn network(m: &mut Scope, vpc: &str) -> (Value, Value) {
    let subnets = m.import(&format!("network/{vpc}/private_subnet_ids"));
    let sg = m.import(&format!("network/{vpc}/sg/data"));
    (
        raw(format!("split(\",\", {})", expr(&subnets))),
        raw(format!("[{}]", expr(&sg))),
    )
}

/// The SSM contract path of a secret's ARN (exported by the module that declares it).
pub fn secret_arn_path(secret: &str) -> String {
    format!("secret/{secret}/arn")
}

/// The secondary cluster of `x`'s global database in the DR region: its subnet group and
/// security group in the DR VPC (by the network stack's contract), encrypted with the
/// classification's DR key; every block with `provider = aws.dr`.
fn secondary(
    m: &mut Scope,
    x: &Entry,
    id: &str,
    name: &str,
    r: &Replication,
    region: &str,
) -> Value {
    let did = format!("{id}_dr");
    let (subnets, security_groups) = network(m, &r.network.value);
    let key = m.dr_key_arn(&x.classification.value);
    let mut provider = String::new();
    for t in [
        "aws_db_subnet_group",
        "aws_rds_cluster_parameter_group",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
    ] {
        provider = m.on_alias("dr", format!("{t}.{did}"));
    }
    json!({
        "id": did,
        "name": m.env_name(&format!("{}-dr", x.name.value)),
        "global_name": name,
        "region": region,
        "network": r.network.value,
        "provider": raw(provider),
        "key": key,
        "subnets": subnets,
        "security_groups": security_groups,
    })
}

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "aurora_clusters"
    }
    fn noun(&self) -> &'static str {
        "Aurora cluster"
    }
    fn family(&self) -> &'static str {
        "rds"
    }
    fn template(&self) -> &'static str {
        "aurora_cluster.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::RDS, api::IAM, api::KMS, api::SECRETS_MANAGER]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_db_subnet_group",
            "aws_rds_cluster_parameter_group",
            "aws_rds_global_cluster",
            "aws_rds_cluster",
            "aws_rds_cluster_instance",
            "aws_iam_role",
            "aws_iam_role_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_rds_cluster"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL507", "BGL553"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.aurora_clusters.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.aurora_clusters
            .iter()
            .map(|x| ("Aurora cluster", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.aurora_clusters
            .iter()
            .map(|x| {
                (
                    format!("Aurora cluster {}", x.name.value),
                    &x.classification,
                )
            })
            .collect()
    }
    fn tiered<'r>(&self, r: &'r Resources) -> Vec<super::recovery::Tiered<'r>> {
        r.aurora_clusters
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
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "aurora",
            resource_type: "aws_rds_cluster",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.aurora_clusters {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("Aurora cluster `{}`", x.name.value),
                c,
            );
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            c.name(&x.network, &n.resource);
            c.name(&x.master_secret, &n.secret);
            let what = format!("Aurora cluster `{}`", x.name.value);
            if let Some(r) = &x.replication {
                c.name(&r.network, &n.resource);
                c.needs_dr_region(&r.network.referenced, &what);
            }
            if !x.engine_version.value.contains(".mysql_aurora.") {
                c.err(
                    "BG001",
                    &x.engine_version.referenced,
                    format!(
                        "{what}: `{}` is not an aurora-mysql engine version",
                        x.engine_version.value
                    ),
                    "e.g. 8.0.mysql_aurora.3.08.0",
                );
            }
            let word = |s: &str| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.len() <= 16
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            for (field, v) in [
                ("database", &x.database),
                ("master_username", &x.master_username),
            ] {
                if !word(&v.value) {
                    c.err(
                        "BG001",
                        &v.referenced,
                        format!("{what}: {field} `{}` is not a MySQL name", v.value),
                        "a letter, then letters, digits or `_`, at most 16 characters",
                    );
                }
            }
            let (lo, hi) = (x.min_capacity_acu.value, x.max_capacity_acu.value);
            for v in [&x.min_capacity_acu, &x.max_capacity_acu] {
                if !(ACU_MIN..=ACU_MAX).contains(&v.value) || (v.value * 2.0).fract() != 0.0 {
                    c.err(
                        "BG001",
                        &v.referenced,
                        format!("{what}: {} ACUs is not a Serverless v2 capacity", v.value),
                        format!("from {ACU_MIN} to {ACU_MAX} ACUs, in steps of 0.5"),
                    );
                }
            }
            if lo > hi {
                c.err(
                    "BG001",
                    &x.max_capacity_acu.referenced,
                    format!("{what}: max_capacity_acu {hi} is below min_capacity_acu {lo}"),
                    "the maximum capacity is at least the minimum",
                );
            }
            let d = x.backup_retention_days.value;
            if !(1..=BACKUP_DAYS_MAX).contains(&d) {
                c.err(
                    "BG001",
                    &x.backup_retention_days.referenced,
                    format!("{what}: RDS keeps backups for 1 to {BACKUP_DAYS_MAX} days, not {d}"),
                    "set backup_retention_days between 7 (BGL507) and 35",
                );
            }
            if !valid_window(&x.backup_window.value) {
                c.err(
                    "BG001",
                    &x.backup_window.referenced,
                    format!(
                        "{what}: backup_window `{}` is not hh:mm-hh:mm (UTC, at least 30 minutes)",
                        x.backup_window.value
                    ),
                    "e.g. 15:00-16:00",
                );
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.aurora_clusters {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let name = m.env_name(&x.name.value);
            let key = m.key_arn(&x.classification.value);
            let (subnets, security_groups) = network(m, &x.network.value);
            // An Aurora global database: RDS cannot manage the master password of a member
            // cluster (Aurora User Guide, "Limitations for Secrets Manager integration": "DB
            // clusters that are part of an Aurora global database"), so a replicated cluster
            // reads it from `master_secret` in every profile, as the legacy profile does.
            // An emulator may not serve it (moto: `aurora_clusters.replication` in unserved_kinds).
            let global = x
                .replication
                .as_ref()
                .zip(m.dr_region)
                .filter(|_| m.serves(REPLICATION));
            let managed_password = m.features.v4_arguments && global.is_none();
            // The master password where RDS does not manage it: the rotated secret's current value.
            let master_secret = (!managed_password).then(|| {
                // A renamed secret's contract path stays the old name's.
                let secret = m.physical_name("secrets", &x.master_secret.value);
                m.import(&secret_arn_path(&secret))
            });
            let deletion_protection = !m.env.emulator;
            let dr = global.map(|(r, region)| secondary(m, x, &id, &name, r, region));
            let ctx = json!({
                "unserved_global": m.unserved_dr_copy(x.replication.is_some(), REPLICATION),
                "id": id,
                "name": name,
                "purpose": x.purpose,
                "engine_version": x.engine_version.value,
                "family": family(&x.engine_version.value),
                "database": x.database.value,
                "master_username": x.master_username.value,
                "master_secret": master_secret,
                "managed_password": managed_password,
                "dr": dr,
                "min_acu": acu(x.min_capacity_acu.value),
                "max_acu": acu(x.max_capacity_acu.value),
                "legacy_instance_class": LEGACY_INSTANCE_CLASS,
                "backup_days": x.backup_retention_days.value,
                "backup_window": x.backup_window.value,
                "key": key,
                "subnets": subnets,
                "security_groups": security_groups,
                // An emulator's clusters go with the environment; real ones need protection off
                // first, and leave a final snapshot.
                "deletion_protection": deletion_protection,
                "final_snapshot": (!m.env.emulator).then(|| format!("{name}-final")),
                "monitoring_trust": trust("monitoring.rds.amazonaws.com"),
                "monitoring_policy": monitoring_policy(m, global.map(|(_, r)| r)),
                "tags": m.tier_tags(&x.classification.value, x.recovery_tier.as_ref()),
            });
            m.emit(self, &loc, ctx);
            m.holds_data(
                format!("aws_rds_cluster.{id}"),
                format!("Aurora cluster {}", x.name.value),
                &loc,
                guard::allowance(x.allow_replace.as_ref(), m),
            );
            // The global database holds no data of its own: its member clusters do.
            if global.is_some() {
                m.holds_data(
                    format!("aws_rds_cluster.{id}_dr"),
                    format!("Aurora cluster {} (DR secondary)", x.name.value),
                    &loc,
                    guard::allowance(x.allow_replace.as_ref(), m),
                );
            }
            let base = format!("aurora/{}", x.name.value);
            m.export(
                format!("{base}/endpoint"),
                format!(
                    "Writer endpoint of the {} cluster: {}",
                    x.name.value, x.purpose
                ),
                raw(format!("aws_rds_cluster.{id}.endpoint")),
                &loc,
            );
            m.export(
                format!("{base}/reader_endpoint"),
                format!("Reader endpoint of the {} cluster", x.name.value),
                raw(format!("aws_rds_cluster.{id}.reader_endpoint")),
                &loc,
            );
            m.export(
                format!("{base}/arn"),
                format!("ARN of the {} cluster", x.name.value),
                raw(format!("aws_rds_cluster.{id}.arn")),
                &loc,
            );
        }
    }
    fn emulator_options(&self) -> &'static [super::EmulatorOption] {
        &[super::EmulatorOption {
            option: "replication",
            renders: "the global database and its secondary in the DR region",
        }]
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.aurora_clusters.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Aurora clusters",
            "Each cluster: Aurora MySQL Serverless v2 with a writer and a reader, in the private subnets of its VPC behind the data security group, storage and Performance Insights encrypted with its classification's key, IAM database authentication, TLS required, audit/error/slow-query logs in CloudWatch, the master password in a secret RDS manages and rotates, deletion protection and a final snapshot outside the emulator; the name gets `-{env}` appended. A replicated cluster is the primary of an Aurora global database whose secondary (`NAME-dr-{env}`, Serverless v2 reader) is in the DR region, in the DR VPC, encrypted with the classification's DR key; its master password then comes from its `master_secret` (RDS-managed passwords are not available to global database members).",
            &[
                "Cluster", "Purpose", "Engine", "Capacity", "Backups", "Network", "Key",
            ],
            r.aurora_clusters
                .iter()
                .map(|x| {
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        format!(
                            "{} (database {})",
                            code(&x.engine_version.value),
                            code(&x.database.value)
                        ),
                        format!(
                            "{}–{} ACUs",
                            x.min_capacity_acu.value, x.max_capacity_acu.value
                        ),
                        format!(
                            "{}, window {} UTC",
                            days(x.backup_retention_days.value),
                            code(&x.backup_window.value)
                        ),
                        match &x.replication {
                            Some(r) => format!(
                                "{} (DR: {})",
                                code(&x.network.value),
                                code(&r.network.value)
                            ),
                            None => code(&x.network.value),
                        },
                        code(&d.key_alias(&x.classification.value)),
                    ]
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_families() {
        assert!(valid_window("15:00-16:00"));
        assert!(valid_window("23:45-00:15"));
        assert!(!valid_window("15:00-15:20"));
        assert!(!valid_window("25:00-26:00"));
        assert!(!valid_window("3:00-4:00"));
        assert!(!valid_window("15:00"));
        assert_eq!(family("8.0.mysql_aurora.3.08.0"), "aurora-mysql8.0");
    }
}
