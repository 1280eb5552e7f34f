//! S3: every bucket SSL-only, public access blocked, versioned, encrypted (KMS key of its
//! classification, or SSE-S3 where the seed says so), with its lifecycle rules; where the
//! catalogue asks (seed 002's storage stack): object lock, server access logs to a log bucket,
//! uploads only with SSE-KMS, and a replica in the platform's DR region.

use super::guard::{self, AllowReplace};
use super::md::{DocTable, code, days, esc, title_case};
use super::names::ident;
use super::policy::{Stmt, policy};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw, tpl};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    pub encryption: Sp<Encryption>,
    pub lifecycle: Vec<LifecycleRule>,
    /// Write-once retention of every new object version (seed 002: the archive's immutable
    /// records).
    #[serde(default)]
    pub object_lock: Option<ObjectLock>,
    /// Server access logs go to this bucket (seed 002: "All S3 operations are logged to an
    /// audit bucket").
    #[serde(default)]
    pub access_logs: Option<AccessLogs>,
    /// The bucket is a server access log target: its policy lets the S3 logging service write
    /// for the platform's buckets.
    #[serde(default)]
    pub receives_access_logs: Option<Sp<bool>>,
    /// The bucket is an Elastic Load Balancing access log target: its policy lets the region's
    /// ELB log delivery account write under `AWSLogs/<account>/`. ELB delivers only to SSE-S3
    /// buckets (AWS: "the only server-side encryption option that's supported is Amazon
    /// S3-managed keys"), so such a bucket says `encryption: sse-s3`.
    #[serde(default)]
    pub receives_lb_logs: Option<Sp<bool>>,
    /// A replica in the platform's `dr_region` (seed 002: "cross-region replication for
    /// disaster recovery").
    #[serde(default)]
    pub replication: Option<Replication>,
    /// Its recovery tier (policies/dr.yaml `tiers`), rendered as the `recovery_tier` tag; a tier
    /// the policy marks as DR-protected needs `replication:` (BG040, BGL550).
    #[serde(default)]
    pub recovery_tier: Option<Sp<String>>,
    /// The policy denies `s3:PutObject` without `x-amz-server-side-encryption: aws:kms`
    /// (seed 002: "Bucket policies enforce encryption in transit and at rest").
    #[serde(default)]
    pub deny_unencrypted_uploads: Option<Sp<bool>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// Its previous name: its physical resources and SSM paths keep that one, and render moves
    /// their Terraform state to the labels of the new name (src/kinds/guard.rs).
    #[serde(default)]
    pub renamed_from: Option<Sp<String>>,
}

impl Bucket {
    pub fn receives_access_logs(&self) -> bool {
        self.receives_access_logs.as_ref().is_some_and(|v| v.value)
    }

    pub fn receives_lb_logs(&self) -> bool {
        self.receives_lb_logs.as_ref().is_some_and(|v| v.value)
    }

    pub fn denies_unencrypted_uploads(&self) -> bool {
        self.deny_unencrypted_uploads
            .as_ref()
            .is_some_and(|v| v.value)
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LockMode {
    #[serde(rename = "COMPLIANCE")]
    Compliance,
    #[serde(rename = "GOVERNANCE")]
    Governance,
}

impl LockMode {
    pub fn name(self) -> &'static str {
        match self {
            LockMode::Compliance => "COMPLIANCE",
            LockMode::Governance => "GOVERNANCE",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    pub mode: Sp<LockMode>,
    pub days: Sp<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLogs {
    /// A catalogue bucket with `receives_access_logs: true`.
    pub bucket: Sp<String>,
    /// Under `s3/` (apart from the trail's files); default `s3/<bucket>/`.
    #[serde(default)]
    pub prefix: Option<Sp<String>>,
}

impl AccessLogs {
    pub fn prefix_for(&self, bucket: &str) -> String {
        match &self.prefix {
            Some(p) => p.value.clone(),
            None => format!("{LOG_PREFIX}{bucket}/"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// The replicas' storage class (default STANDARD).
    #[serde(default)]
    pub storage_class: Option<Sp<String>>,
}

impl Replication {
    pub fn class(&self) -> &str {
        self.storage_class
            .as_ref()
            .map(|s| s.value.as_str())
            .unwrap_or("STANDARD")
    }
}

/// The id of a replicated bucket's replication rule (a dimension of its S3 replication metrics).
pub const REPLICATION_RULE: &str = "dr";

/// Where server access logs land in a log bucket, apart from the trail's files.
pub const LOG_PREFIX: &str = "s3/";

/// The storage classes a replication destination may use.
const REPLICA_CLASSES: &[&str] = &[
    "STANDARD",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
];

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encryption {
    #[serde(rename = "kms")]
    Kms,
    #[serde(rename = "sse-s3")]
    SseS3,
}

#[derive(Debug, Deserialize, Clone, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: String,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    pub expiration_days: Sp<u32>,
}

#[derive(Debug, Deserialize, Clone, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub days: u32,
    pub storage_class: String,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "buckets"
    }
    fn noun(&self) -> &'static str {
        "bucket"
    }
    fn family(&self) -> &'static str {
        "s3"
    }
    fn template(&self) -> &'static str {
        "bucket.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::S3, api::KMS, api::IAM]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_s3_bucket",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_logging",
            "aws_s3_bucket_notification",
            "aws_s3_bucket_object_lock_configuration",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_replication_configuration",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_s3_bucket"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &[
            "BGL101", "BGL102", "BGL103", "BGL104", "BGL105", "BGL106", "BGL107", "BGL108",
            "BGL201",
        ]
    }
    fn count(&self, r: &Resources) -> usize {
        r.buckets.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.buckets.iter().map(|x| ("bucket", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.buckets
            .iter()
            .map(|b| (format!("bucket {}", b.name.value), &b.classification))
            .collect()
    }
    fn tiered<'r>(&self, r: &'r Resources) -> Vec<super::recovery::Tiered<'r>> {
        r.buckets
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
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.buckets
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "bucket",
            resource_type: "aws_s3_bucket",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for bucket in &r.buckets {
            guard::check_allow(
                bucket.allow_replace.as_ref(),
                &format!("bucket `{}`", bucket.name.value),
                c,
            );
            guard::check_rename(&bucket.name, bucket.renamed_from.as_ref(), "bucket", c);
            c.name(&bucket.name, &n.resource);
            c.classification(&bucket.classification);
            if bucket.lifecycle.is_empty() {
                c.err(
                    "BG040",
                    &bucket.name.referenced,
                    format!("bucket `{}` has no lifecycle rule", bucket.name.value),
                    "seed 000 gives every bucket a lifecycle; add at least one rule",
                );
            }
            check_features(bucket, c);
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

/// The catalogue's protections of one bucket that need only its own entry.
fn check_features(b: &Bucket, c: &mut Checker) {
    let name = &b.name.value;
    if let Some(l) = &b.object_lock
        && l.days.value == 0
    {
        c.err(
            "BG040",
            &l.days.referenced,
            format!("the object lock of bucket `{name}` keeps objects 0 days"),
            "give the retention in days (seed 002's archive: 2555, seven years)",
        );
    }
    if let Some(d) = &b.deny_unencrypted_uploads
        && d.value
    {
        if b.encryption.value != Encryption::Kms {
            c.err(
                "BG040",
                &d.referenced,
                format!(
                    "bucket `{name}` denies uploads without SSE-KMS but is encrypted with SSE-S3"
                ),
                "use `encryption: kms`, or drop deny_unencrypted_uploads",
            );
        }
        if b.receives_access_logs() {
            c.err(
                "BG040",
                &d.referenced,
                format!("bucket `{name}` receives server access logs, which S3 delivers without an encryption header"),
                "drop deny_unencrypted_uploads on a log bucket: its default encryption still applies",
            );
        }
    }
    if let Some(a) = &b.access_logs {
        if a.bucket.value == *name {
            c.err(
                "BG040",
                &a.bucket.referenced,
                format!("bucket `{name}` sends its access logs to itself"),
                "log to another bucket: every log delivery would be logged again",
            );
        }
        if let Some(p) = &a.prefix
            && (!p.value.starts_with(LOG_PREFIX) || !p.value.ends_with('/'))
        {
            c.err(
                "BG040",
                &p.referenced,
                format!("access log prefix `{}` is not a folder under `{LOG_PREFIX}`", p.value),
                format!("server access logs go under {LOG_PREFIX}, apart from the trail's files; e.g. `{LOG_PREFIX}{name}/`"),
            );
        }
    }
    if let Some(l) = &b.receives_lb_logs
        && l.value
        && b.encryption.value != Encryption::SseS3
    {
        c.err(
            "BG040",
            &l.referenced,
            format!("bucket `{name}` receives load balancer access logs but is encrypted with KMS"),
            "Elastic Load Balancing delivers access logs only to SSE-S3 buckets: use `encryption: sse-s3`",
        );
    }
    if b.replication.is_some() && b.encryption.value != Encryption::Kms {
        c.err(
            "BG040",
            &b.encryption.referenced,
            format!("bucket `{name}` is replicated but encrypted with SSE-S3"),
            "replicas are encrypted with the DR region's key of the classification: use `encryption: kms`",
        );
    }
    if let Some(r) = &b.replication
        && let Some(sc) = &r.storage_class
        && !REPLICA_CLASSES.contains(&sc.value.as_str())
    {
        c.err(
            "BG040",
            &sc.referenced,
            format!("unknown replica storage class `{}`", sc.value),
            format!("one of {}", REPLICA_CLASSES.join(", ")),
        );
    }
}

/// The protections that need the whole catalogue: the log bucket exists and receives logs (that
/// its stack is deployed first is the SSM contracts' order check, BG051); a replicated bucket has
/// a DR region to go to.
/// `modules`: each module's resources and file.
pub fn check_catalogue(
    modules: &[(&Resources, &std::sync::Arc<crate::diag::SourceFile>)],
    has_dr_region: bool,
    problems: &mut Vec<crate::diag::Problem>,
) {
    use crate::diag::{Loc, Problem};
    for (res, file) in modules {
        for b in &res.buckets {
            if let Some(r) = &b.replication
                && !has_dr_region
            {
                let at = r
                    .storage_class
                    .as_ref()
                    .map(|s| &s.referenced)
                    .unwrap_or(&b.name.referenced);
                problems.push(Problem::error(
                    "BG040",
                    Some(Loc::from_saphyr(file, at)),
                    format!(
                        "bucket `{}` is replicated, but platform.yaml has no dr_region",
                        b.name.value
                    ),
                    "add `dr_region:` (another region of the same jurisdiction) to platform.yaml",
                ));
            }
            let Some(a) = &b.access_logs else { continue };
            let target = a.bucket.value.as_str();
            let found = modules
                .iter()
                .flat_map(|(o, _)| o.buckets.iter())
                .find(|x| x.name.value == target);
            let loc = Loc::from_saphyr(file, &a.bucket.referenced);
            match found {
                None => problems.push(Problem::error(
                    "BG013",
                    Some(loc),
                    format!("unknown bucket `{target}`"),
                    "access logs go to a bucket of the catalogue that has `receives_access_logs: true`",
                )),
                Some(x) if !x.receives_access_logs() => problems.push(Problem::error(
                    "BG040",
                    Some(loc),
                    format!("bucket `{target}` does not receive access logs"),
                    format!("set `receives_access_logs: true` on {target}: its policy then lets the S3 logging service write"),
                )),
                _ => {}
            }
        }
    }
}

fn render(kind: &Kind, m: &mut Scope) {
    // The DR keys this module has rendered, by classification: one per classification.
    for b in &m.module.resources.buckets {
        let id = ident(&b.name.value);
        // The physical names and SSM paths stay those of the old name after a rename.
        let physical = guard::physical(&b.name, b.renamed_from.as_ref());
        let loc = m.loc(&b.name.referenced);
        let name = m.env_name(physical);
        let kms = match b.encryption.value {
            Encryption::Kms => m.key_arn(&b.classification.value),
            Encryption::SseS3 => Value::Null,
        };
        let rules = lifecycle_rules(b);
        let mut statements = base_statements(&id, b.denies_unencrypted_uploads());
        let trails: Vec<_> = m
            .module
            .resources
            .trails
            .iter()
            .filter(|t| t.bucket.value == b.name.value)
            .collect();
        for t in &trails {
            let trail_arn = format!(
                "arn:aws:cloudtrail:{}:{}:trail/{}",
                m.region,
                m.env.account_id,
                m.env_name(&t.name.value)
            );
            statements.push(
                Stmt::allow("CloudTrailAclCheck")
                    .principal("Service", json!("cloudtrail.amazonaws.com"))
                    .action(&["s3:GetBucketAcl"])
                    .resource(vec![raw(format!("aws_s3_bucket.{id}.arn"))])
                    .condition("StringEquals", "aws:SourceArn", json!(trail_arn))
                    .build(),
            );
            statements.push(
                Stmt::allow("CloudTrailWrite")
                    .principal("Service", json!("cloudtrail.amazonaws.com"))
                    .action(&["s3:PutObject"])
                    .resource(vec![tpl(vec![
                        raw(format!("aws_s3_bucket.{id}.arn")),
                        json!(format!("/{}/AWSLogs/{}/*", t.prefix, m.env.account_id)),
                    ])])
                    .condition(
                        "StringEquals",
                        "s3:x-amz-acl",
                        json!("bucket-owner-full-control"),
                    )
                    .condition("StringEquals", "aws:SourceArn", json!(trail_arn))
                    .build(),
            );
        }
        statements.extend(super::config_recorder::bucket_statements(m, &b.name.value));
        statements.extend(super::cdn_distribution::bucket_statements(m, &b.name.value));
        if b.receives_access_logs() {
            // Seed 002: "All S3 operations are logged to an audit bucket": the logging service
            // writes for the platform's own buckets (by name prefix) of this account. On the
            // whole bucket and as the first statement: moto 5.2.5's PutBucketLogging admits only
            // `<bucket>/*` or the exact `<bucket>/<prefix>*`, and stops with an error at a
            // statement whose Principal is "*" before it finds this one.
            statements.insert(
                0,
                Stmt::allow("S3ServerAccessLogs")
                    .principal("Service", json!("logging.s3.amazonaws.com"))
                    .action(&["s3:PutObject"])
                    .resource(vec![tpl(vec![
                        raw(format!("aws_s3_bucket.{id}.arn")),
                        json!("/*"),
                    ])])
                    .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
                    .condition(
                        "ArnLike",
                        "aws:SourceArn",
                        json!(format!("arn:aws:s3:::{}-*", m.name_prefix)),
                    )
                    .build(),
            );
        }
        if b.receives_lb_logs() {
            // The ELB log delivery account of the region writes the load balancers' access logs.
            statements.push(
                Stmt::allow("ElbAccessLogs")
                    .principal(
                        "AWS",
                        json!(format!("arn:aws:iam::{}:root", elb_account(m.region))),
                    )
                    .action(&["s3:PutObject"])
                    .resource(vec![tpl(vec![
                        raw(format!("aws_s3_bucket.{id}.arn")),
                        json!(format!("/AWSLogs/{}/*", m.env.account_id)),
                    ])])
                    .build(),
            );
        }
        let logging = b.access_logs.as_ref().map(|a| {
            json!({
                "target": m.bucket_name(&a.bucket.value),
                "prefix": a.prefix_for(physical),
            })
        });
        let mut skips = Vec::new();
        let replica = match (&b.replication, m.dr_region) {
            (Some(r), Some(dr)) => Some(replica(m, b, r, dr, &rules)),
            _ => None,
        };
        if replica.is_none() {
            skips.push(match m.dr_region {
                Some(dr) => format!(
                    "CKV_AWS_144:Only the buckets with replication: in the catalogue are copied to the DR region {dr}"
                ),
                None => format!(
                    "CKV_AWS_144:ADR-042 keeps data in {}; cross-region replication would move it out",
                    m.region
                ),
            });
        }
        if logging.is_none() {
            skips.push(if b.receives_access_logs() {
                "CKV_AWS_18:This bucket receives the server access logs of the others; logging it to itself would log each delivery again".to_string()
            } else {
                "CKV_AWS_18:Object access is audited by the CloudTrail S3 data events of MOD-104, not server access logs".to_string()
            });
        }
        if b.encryption.value == Encryption::SseS3 {
            skips.push(format!(
                "CKV_AWS_145:{}",
                sse_s3_reason(m, b).unwrap_or("Seed 000 specifies SSE-S3 for this bucket")
            ));
        }
        let main = json!({
            "id": id,
            "name": name,
            "provider": null,
            "skips": skip_lines(&skips),
            "kms_key": kms,
            "sse_s3": b.encryption.value == Encryption::SseS3,
            "sse_s3_reason": sse_s3_reason(m, b),
            "rules": rules,
            // Incomplete multipart uploads are cleaned up everywhere, also outside the rules' prefixes.
            "abort_rule": b.lifecycle.iter().all(|r| r.prefix.is_some()),
            "policy": policy(statements),
            "tags": m.tier_tags(&b.classification.value, b.recovery_tier.as_ref()),
            "force_destroy": m.env.emulator,
            "object_lock": b.object_lock.as_ref().map(|l| json!({
                "mode": l.mode.value.name(),
                "days": l.days.value,
            })),
            "logging": logging,
            "replication": replica.as_ref().map(|r| r["replication"].clone()),
        });
        let mut buckets = vec![main];
        let role = match replica {
            Some(mut r) => {
                buckets.push(r["bucket"].take());
                r["role"].take()
            }
            None => Value::Null,
        };
        // The blocks of this entry that hold data: its bucket and its replica.
        let replicated = buckets.len() > 1;
        let mut held = vec![format!("aws_s3_bucket.{id}")];
        if replicated {
            held.push(format!("aws_s3_bucket.{id}_replica"));
        }
        let ctx = json!({
            "buckets": buckets,
            "role": role,
        });
        m.emit(kind, &loc, ctx);
        let entry = format!("bucket {}", b.name.value);
        for address in held {
            m.holds_data(
                address,
                entry.clone(),
                &loc,
                guard::allowance(b.allow_replace.as_ref(), m),
            );
        }
        if let Some(old) = &b.renamed_from {
            let blocks = renamed_blocks(b, replicated, m.features);
            guard::moved(m, &loc, &ident(&old.value), &id, &blocks);
        }
        m.export(
            format!("s3/{physical}/name"),
            format!("Name of the {} bucket: {}", physical, b.purpose),
            raw(format!("aws_s3_bucket.{id}.id")),
            &loc,
        );
        m.export(
            format!("s3/{physical}/arn"),
            format!("ARN of the {physical} bucket"),
            raw(format!("aws_s3_bucket.{id}.arn")),
            &loc,
        );
        if b.replication.is_some() && m.dr_region.is_some() {
            m.export(
                format!("s3/{physical}/replica/name"),
                format!("Name of the DR replica of the {physical} bucket"),
                raw(format!("aws_s3_bucket.{id}_replica.id")),
                &loc,
            );
            m.export(
                format!("s3/{physical}/replica/arn"),
                format!("ARN of the DR replica of the {physical} bucket"),
                raw(format!("aws_s3_bucket.{id}_replica.arn")),
                &loc,
            );
        }
    }
}

/// Why a bucket of a classification with a CMK is encrypted with SSE-S3, where a service demands
/// it (render writes it as the BGL201 suppression and the checkov skip).
fn sse_s3_reason(m: &Scope, b: &Bucket) -> Option<&'static str> {
    if b.encryption.value != Encryption::SseS3 {
        None
    } else if b.receives_lb_logs() {
        Some("Elastic Load Balancing delivers access logs only to SSE-S3 buckets")
    } else if super::cdn_distribution::is_origin(m.module.resources, &b.name.value) {
        Some(
            "Public static assets read by CloudFront through an origin access control; SSE-KMS would need the CMK's policy to admit CloudFront",
        )
    } else {
        None
    }
}

/// The Elastic Load Balancing account that delivers access logs in a region opened before
/// August 2022 (AWS ELB user guide, "Enable access logs"); the platform's regions are among them.
pub fn elb_account(region: &str) -> &'static str {
    match region {
        "us-east-1" => "127311923021",
        "us-east-2" => "033677994240",
        "us-west-2" => "797873946194",
        "eu-west-1" => "156460612806",
        "eu-central-1" => "054676820928",
        "ap-southeast-1" => "114774131450",
        "ap-northeast-1" => "582318560864",
        // ap-southeast-2, the platform's primary region.
        _ => "783225319266",
    }
}

/// The blocks of bucket `b` labelled after its name (`type`, what follows the name's label), as
/// its template renders them: the bucket and its settings, its replica's and the replication role
/// when it is replicated. The DR key is labelled after its classification's alias.
fn renamed_blocks(
    b: &Bucket,
    replicated: bool,
    f: super::Features,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let suffixes: &[&str] = if replicated { &["", "_replica"] } else { &[""] };
    for &s in suffixes {
        let source = s.is_empty();
        out.push(("aws_s3_bucket", s));
        if f.split_s3 {
            out.push(("aws_s3_bucket_versioning", s));
            out.push(("aws_s3_bucket_server_side_encryption_configuration", s));
            out.push(("aws_s3_bucket_lifecycle_configuration", s));
            if source && b.object_lock.is_some() {
                out.push(("aws_s3_bucket_object_lock_configuration", s));
            }
            if source && b.access_logs.is_some() {
                out.push(("aws_s3_bucket_logging", s));
            }
            out.push(("aws_s3_bucket_ownership_controls", s));
        }
        out.push(("aws_s3_bucket_public_access_block", s));
        out.push(("aws_s3_bucket_policy", s));
        if f.v4_arguments {
            out.push(("aws_s3_bucket_notification", s));
        }
    }
    if replicated {
        if f.split_s3 {
            out.push(("aws_s3_bucket_replication_configuration", ""));
        }
        out.push(("aws_iam_role", "_replication"));
        out.push(("aws_iam_role_policy", "_replication"));
    }
    out
}

fn skip_lines(skips: &[String]) -> Vec<String> {
    skips.iter().map(|s| format!("#checkov:skip={s}")).collect()
}

fn lifecycle_rules(b: &Bucket) -> Vec<Value> {
    b.lifecycle
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "prefix": r.prefix,
                "transitions": r.transitions,
                "expiration_days": r.expiration_days.value,
                // Old versions of an object follow it out after the same time.
                "noncurrent_days": r.expiration_days.value,
            })
        })
        .collect()
}

/// SSL only (seed 000), and, when the catalogue asks, uploads only with SSE-KMS.
fn base_statements(id: &str, deny_unencrypted: bool) -> Vec<Value> {
    let arn = raw(format!("aws_s3_bucket.{id}.arn"));
    let objects = tpl(vec![arn.clone(), json!("/*")]);
    let mut statements = vec![
        Stmt::deny("DenyInsecureTransport")
            .any_principal()
            .action(&["s3:*"])
            .resource(vec![arn, objects.clone()])
            .condition("Bool", "aws:SecureTransport", json!("false"))
            .build(),
    ];
    if deny_unencrypted {
        // A missing header counts as "not aws:kms" under StringNotEquals: both are denied.
        statements.push(
            Stmt::deny("DenyUnencryptedUploads")
                .any_principal()
                .action(&["s3:PutObject"])
                .resource(vec![objects])
                .condition(
                    "StringNotEquals",
                    "s3:x-amz-server-side-encryption",
                    json!("aws:kms"),
                )
                .build(),
        );
    }
    statements
}

/// The DR replica of bucket `b` in region `dr`: the replica's own bucket context (encrypted with
/// its classification's DR key), the replication role, and the source's replication settings.
fn replica(m: &mut Scope, b: &Bucket, r: &Replication, dr: &str, rules: &[Value]) -> Value {
    let id = ident(&b.name.value);
    let physical = guard::physical(&b.name, b.renamed_from.as_ref());
    let rid = format!("{id}_replica");
    m.on_alias("dr", format!("aws_s3_bucket.{rid}"));
    let class = b.classification.value.as_str();
    // The classification's key in the DR region (MOD-201's `kms_keys` entry with `dr: true`).
    let dr_key_arn = m.dr_key_arn(class);
    let source_key = m.key_arn(class);
    let source_arn = raw(format!("aws_s3_bucket.{id}.arn"));
    let replica_arn = raw(format!("aws_s3_bucket.{rid}.arn"));
    let role_id = format!("{id}_replication");
    let trust = policy(vec![
        Stmt::allow("S3Replication")
            .principal("Service", json!("s3.amazonaws.com"))
            .action(&["sts:AssumeRole"])
            .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
            .build(),
    ]);
    // Least privilege, as the S3 guide's replication role: read the source's configuration and
    // object versions, replicate into the replica, decrypt with the source key and encrypt
    // with the DR key, each only through S3 in its region.
    let role_policy = policy(vec![
        Stmt::allow("SourceBucket")
            .action(&["s3:GetReplicationConfiguration", "s3:ListBucket"])
            .resource(vec![source_arn.clone()])
            .build(),
        Stmt::allow("SourceObjects")
            .action(&[
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ])
            .resource(vec![tpl(vec![source_arn, json!("/*")])])
            .build(),
        Stmt::allow("ReplicaObjects")
            .action(&[
                "s3:ReplicateObject",
                "s3:ReplicateDelete",
                "s3:ReplicateTags",
            ])
            .resource(vec![tpl(vec![replica_arn.clone(), json!("/*")])])
            .build(),
        Stmt::allow("DecryptSource")
            .action(&["kms:Decrypt"])
            .resource(vec![source_key])
            .condition(
                "StringEquals",
                "kms:ViaService",
                json!(format!("s3.{}.amazonaws.com", m.region)),
            )
            .build(),
        Stmt::allow("EncryptReplica")
            .action(&["kms:Encrypt"])
            .resource(vec![dr_key_arn.clone()])
            .condition(
                "StringEquals",
                "kms:ViaService",
                json!(format!("s3.{dr}.amazonaws.com")),
            )
            .build(),
    ]);
    let source_name = m.env_name(physical);
    let skips = vec![
        format!(
            "CKV_AWS_144:This bucket is the DR replica of {source_name}; it is not copied further"
        ),
        format!(
            "CKV_AWS_18:Server access logs stay in their bucket's region, the log bucket is in {}; access to the replica is in the multi-region trail's S3 data events",
            m.region
        ),
    ];
    let bucket = json!({
        "id": rid,
        "name": m.env_name(&format!("{physical}-replica")),
        "provider": raw("aws.dr"),
        "skips": skip_lines(&skips),
        "kms_key": dr_key_arn.clone(),
        "sse_s3": false,
        "sse_s3_reason": null,
        "rules": rules,
        "abort_rule": b.lifecycle.iter().all(|r| r.prefix.is_some()),
        "policy": policy(base_statements(&rid, b.denies_unencrypted_uploads())),
        "tags": m.class_tags(class),
        "force_destroy": m.env.emulator,
        "object_lock": null,
        "logging": null,
        "replication": null,
    });
    json!({
        "bucket": bucket,
        "role": {
            "id": role_id,
            "name": m.env_name(&format!("{physical}-replication")),
            "trust": trust,
            "policy": role_policy,
        },
        "replication": {
            "role": raw(format!("aws_iam_role.{role_id}.arn")),
            "role_policy": raw(format!("aws_iam_role_policy.{role_id}")),
            "destination": replica_arn,
            "replica_id": rid,
            "rule_id": REPLICATION_RULE,
            "storage_class": r.class(),
            "replica_key": dr_key_arn,
        },
    })
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.buckets;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|b| {
            let physical = guard::physical(&b.name, b.renamed_from.as_ref());
            let enc = match b.encryption.value {
                Encryption::Kms => format!(
                    "KMS ({} key, {})",
                    esc(&b.classification.value),
                    code(&d.key_alias(&b.classification.value))
                ),
                Encryption::SseS3 => "SSE-S3".to_string(),
            };
            let life: Vec<String> = b
                .lifecycle
                .iter()
                .map(|l| {
                    let mut parts: Vec<String> = l
                        .transitions
                        .iter()
                        .map(|t| {
                            format!(
                                "{} after {}",
                                esc(&title_case(&t.storage_class)),
                                days(t.days)
                            )
                        })
                        .collect();
                    parts.push(format!("delete after {}", days(l.expiration_days.value)));
                    let scope = match &l.prefix {
                        Some(p) => format!("{}: ", code(p)),
                        None => String::new(),
                    };
                    format!("{scope}{}", parts.join(", "))
                })
                .collect();
            vec![
                code(&format!("{physical}-{{env}}")),
                esc(&b.purpose),
                enc,
                life.join("; "),
            ]
        })
        .collect();
    let mut section = DocSection::new(
        "S3 buckets",
        "All buckets: SSL-only access enforced, public access blocked, versioning enabled; the name gets `-{env}` appended.",
        &["Bucket", "Purpose", "Encryption", "Lifecycle"],
        rows,
    );
    let protected: Vec<Vec<String>> = list
        .iter()
        .filter(|b| {
            b.object_lock.is_some()
                || b.access_logs.is_some()
                || b.receives_access_logs()
                || b.replication.is_some()
                || b.denies_unencrypted_uploads()
        })
        .map(|b| {
            let physical = guard::physical(&b.name, b.renamed_from.as_ref());
            let lock = match &b.object_lock {
                Some(l) => format!("{} {}", l.mode.value.name(), days(l.days.value)),
                None => "—".into(),
            };
            let logs = match (&b.access_logs, b.receives_access_logs()) {
                (Some(a), _) => format!(
                    "to {} {}",
                    code(&format!("{}-{{env}}", a.bucket.value)),
                    code(&a.prefix_for(physical))
                ),
                (None, true) => "the log bucket: receives the other buckets' logs".to_string(),
                (None, false) => "—".into(),
            };
            let replica = match &b.replication {
                Some(r) => format!(
                    "{} in the DR region, {}",
                    code(&format!("{physical}-replica-{{env}}")),
                    code(r.class())
                ),
                None => "—".into(),
            };
            let uploads = if b.denies_unencrypted_uploads() {
                "SSE-KMS only".to_string()
            } else {
                "—".into()
            };
            vec![
                code(&format!("{physical}-{{env}}")),
                lock,
                logs,
                replica,
                uploads,
            ]
        })
        .collect();
    if !protected.is_empty() {
        section.more.push(DocTable {
            lead: "Protections the catalogue adds (seed 002's storage stack):".into(),
            head: [
                "Bucket",
                "Object lock",
                "Server access logs",
                "Replica",
                "Uploads",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows: protected,
        });
    }
    Some(section)
}
