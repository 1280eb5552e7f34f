//! Rule parameters: `policies/*.yaml`, embedded in the binary; `--policies DIR` replaces any of
//! the files with the file of the same name in DIR. Rules are code; their numbers are data.

use include_dir::{Dir, include_dir};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// A `*` wildcard pattern (`bank-documents*`, `events:Describe*`), matched whole and
/// case-insensitively: IAM actions are, and bank names are lower case anyway. Matched by hand:
/// compiling a regex per pattern was a tenth of a pre-commit lint's time.
#[derive(Debug, Clone)]
pub struct Glob {
    pub text: String,
    /// The lower-cased text between the `*`s.
    parts: Vec<String>,
}

impl Glob {
    pub fn new(text: &str) -> Glob {
        Glob {
            text: text.to_string(),
            parts: text.split('*').map(str::to_lowercase).collect(),
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        let s = s.to_lowercase();
        let (first, rest) = self.parts.split_first().expect("split yields a part");
        let Some((last, middle)) = rest.split_last() else {
            return s == *first;
        };
        if s.len() < first.len() + last.len()
            || !s.starts_with(first.as_str())
            || !s.ends_with(last.as_str())
        {
            return false;
        }
        // Leftmost matches are enough when the only wildcard is `*`.
        let mut between = &s[first.len()..s.len() - last.len()];
        for part in middle {
            match between.find(part.as_str()) {
                Some(at) => between = &between[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Glob, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Glob::new(&s))
    }
}

#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s)
            .map(Pattern)
            .map_err(|e| serde::de::Error::custom(format!("invalid regex `{s}`: {e}")))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tags {
    pub required: Vec<String>,
    pub tenant: String,
    pub classification_tag: String,
    pub environments: Vec<String>,
    pub taggable: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePattern {
    pub pattern: Glob,
    pub classification: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kms {
    /// classification → `alias/bank/...`
    pub classifications: BTreeMap<String, String>,
    pub ssm_key_path: Pattern,
    pub name_patterns: Vec<NamePattern>,
    pub root_principal: Pattern,
    pub sse_s3_allowed: Vec<String>,
}

impl Kms {
    /// The classification whose key has this alias (`alias/bank/pii` or `bank/pii`).
    pub fn class_of_alias(&self, alias: &str) -> Option<&str> {
        let a = alias.strip_prefix("alias/").unwrap_or(alias);
        self.classifications
            .iter()
            .find(|(_, v)| v.strip_prefix("alias/").unwrap_or(v) == a)
            .map(|(k, _)| k.as_str())
    }

    pub fn class_of_name(&self, name: &str) -> Option<&str> {
        self.name_patterns
            .iter()
            .find(|p| p.pattern.matches(name))
            .map(|p| p.classification.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogMinimum {
    pub pattern: Glob,
    pub min_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRetention {
    pub default_min_days: u32,
    pub minimums: Vec<LogMinimum>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub min_retention_days: BTreeMap<String, u32>,
    pub log_groups: LogRetention,
    /// The days a database keeps its automated backups at least (BGL507; 7 when not given).
    #[serde(default = "default_backup_min_days")]
    pub database_backup_min_days: u32,
}

fn default_backup_min_days() -> u32 {
    7
}

impl Retention {
    pub fn log_minimum(&self, name: &str) -> u32 {
        self.log_groups
            .minimums
            .iter()
            .find(|m| m.pattern.matches(name))
            .map(|m| m.min_days)
            .unwrap_or(self.log_groups.default_min_days)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    pub allowed: Vec<String>,
    /// The one exception: the resources AWS serves only from one region (CloudFront's
    /// certificate and web ACL live in us-east-1), through an aliased provider there.
    #[serde(default)]
    pub global: Option<GlobalRegion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalRegion {
    pub region: String,
    /// The resource types that may live there (and only there, of this catalogue's resources).
    pub resource_types: Vec<String>,
    /// Why (quoted in the finding).
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenLimit {
    pub value: f64,
    pub unit: String,
}

impl TokenLimit {
    pub fn seconds(&self) -> f64 {
        self.value * unit_seconds(&self.unit).unwrap_or(1.0)
    }
}

pub fn unit_seconds(unit: &str) -> Option<f64> {
    match unit {
        "seconds" => Some(1.0),
        "minutes" => Some(60.0),
        "hours" => Some(3600.0),
        "days" => Some(86400.0),
        _ => None,
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    pub id_token: TokenLimit,
    pub access_token: TokenLimit,
    pub refresh_token: TokenLimit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cognito {
    pub mfa_configuration: String,
    pub tokens: Tokens,
    pub public_client_flows: Vec<String>,
    /// ADR-042 (BGL704-BGL706); a catalogue without the decision leaves it out.
    #[serde(default)]
    pub single_stack: Option<SingleStack>,
}

/// ADR-042: one stack and one customer pool serve every jurisdiction, which is an attribute.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SingleStack {
    /// The customer pool's custom attribute that carries it (`jurisdiction`).
    pub jurisdiction_attribute: String,
    /// The jurisdictions' codes (`nz`, `au`): a name segment equal to one splits the stack.
    pub jurisdictions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridge {
    pub archive_retention_days: u32,
    pub dlq_label_suffix: String,
    pub dlq_name_suffix: String,
    pub cross_bus_actions: Vec<String>,
    pub bus_arn_ssm_path: Pattern,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    pub name_pattern: Pattern,
    pub rotation_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    pub sensitive_services: Vec<String>,
    pub resource_star_allowed: Vec<Glob>,
    pub baseline: Vec<Glob>,
    pub permissions: BTreeMap<String, Vec<Glob>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudTrail {
    pub bucket: String,
    pub key_prefix: String,
}

/// BGL106: which buckets are archives (a lifecycle rule that moves objects to one of
/// `archive_storage_classes` and keeps them at least `min_expiration_days`), and the object lock
/// they need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLockPolicy {
    pub archive_storage_classes: Vec<String>,
    pub min_expiration_days: u32,
    pub mode: String,
    pub min_retention_days: u32,
}

/// BGL107: whether every bucket (but log targets, replicas and the `exempt` name patterns)
/// sends server access logs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessLoggingPolicy {
    pub required: bool,
    pub exempt: Vec<Glob>,
}

/// BGL108: the buckets (name patterns, the environment appended) that must replicate to
/// another region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationPolicy {
    pub buckets: Vec<Glob>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3 {
    pub object_lock: ObjectLockPolicy,
    pub access_logging: AccessLoggingPolicy,
    pub replication: ReplicationPolicy,
}

/// `policies/dr.yaml` (optional; kinds/recovery.rs defines it: the catalogue check reads it too).
pub use crate::kinds::recovery::DrPolicy as Dr;

/// The optional policy file: neither embedded nor required.
pub use crate::catalog::DR_FILE;

#[derive(Debug, Clone)]
pub struct Policies {
    pub tags: Tags,
    pub kms: Kms,
    pub retention: Retention,
    pub regions: Regions,
    pub cognito: Cognito,
    pub eventbridge: EventBridge,
    pub secrets: Secrets,
    pub iam: Iam,
    pub cloudtrail: CloudTrail,
    pub s3: S3,
    /// `dr.yaml` when the policies folder has one (no embedded default).
    pub dr: Option<Dr>,
}

fn parse<T: serde::de::DeserializeOwned>(
    name: &str,
    override_dir: Option<&Path>,
) -> Result<T, String> {
    let (display, text) = match override_dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        ),
        None => {
            let f = EMBEDDED
                .get_file(name)
                .ok_or_else(|| format!("policies/{name} is missing from the binary"))?;
            (
                format!("policies/{name} (embedded)"),
                f.contents_utf8()
                    .ok_or_else(|| format!("policies/{name} is not UTF-8"))?
                    .to_string(),
            )
        }
    };
    // The limits of the catalogue's files (the README's): a policy file is YAML from the
    // user too.
    if text.len() > crate::catalog::MAX_FILE_BYTES {
        return Err(format!(
            "{display}: larger than {} KiB, the limit for a YAML file",
            crate::catalog::MAX_FILE_BYTES / 1024
        ));
    }
    serde_saphyr::from_str_with_options(&text, crate::catalog::options())
        .map_err(|e| format!("{display}: {e}"))
}

impl Policies {
    /// The embedded policies, with the files of `dir` (when given) in place of theirs.
    pub fn load(dir: Option<&Path>) -> Result<Policies, String> {
        if let Some(d) = dir {
            if !d.is_dir() {
                return Err(format!("--policies {}: not a folder", d.display()));
            }
            let mut known: Vec<&str> = EMBEDDED.files().filter_map(|f| f.path().to_str()).collect();
            known.push(DR_FILE);
            for e in
                std::fs::read_dir(d).map_err(|e| format!("cannot read {}: {e}", d.display()))?
            {
                let e = e.map_err(|e| format!("cannot read {}: {e}", d.display()))?;
                let n = e.file_name().to_string_lossy().into_owned();
                if n.ends_with(".yaml") && !known.contains(&n.as_str()) {
                    return Err(format!(
                        "{}: unknown policy file (known: {})",
                        e.path().display(),
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(Policies {
            tags: parse("tags.yaml", dir)?,
            kms: parse("kms.yaml", dir)?,
            retention: parse("retention.yaml", dir)?,
            regions: parse("regions.yaml", dir)?,
            cognito: parse("cognito.yaml", dir)?,
            eventbridge: parse("eventbridge.yaml", dir)?,
            secrets: parse("secrets.yaml", dir)?,
            iam: parse("iam.yaml", dir)?,
            cloudtrail: parse("cloudtrail.yaml", dir)?,
            s3: parse("s3.yaml", dir)?,
            dr: crate::catalog::read_dr_policy(dir)?,
        })
    }

    pub fn embedded() -> Policies {
        Policies::load(None).expect("the embedded policies parse")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_policies_load() {
        let p = Policies::embedded();
        assert_eq!(p.kms.class_of_alias("alias/bank/pii"), Some("pii"));
        assert_eq!(p.kms.class_of_alias("bank/financial"), Some("financial"));
        assert_eq!(p.kms.class_of_name("bank-documents-dev"), Some("pii"));
        assert_eq!(
            p.retention
                .log_minimum("/aws/secretsmanager/bank-access-dev"),
            3653
        );
        assert!(Glob::new("events:Describe*").matches("events:DescribeRule"));
        assert!(Glob::new("s3:PutObject").matches("S3:putobject"));
    }

    #[test]
    fn globs_match_whole_strings() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("kms:*", "kms:Decrypt", true),
            ("kms:*", "xkms:Decrypt", false),
            ("*:Get*", "s3:GetObject", true),
            ("*:Get*", "s3:PutObject", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "acbc", true),
            ("a*b*c", "acb", false),
            ("bank-*-dev", "bank-documents-dev", true),
            ("bank-*-dev", "bank-dev", false),
            ("x**y", "xy", true),
            ("s3:putobject", "s3:PutObjectAcl", false),
        ];
        for (glob, s, want) in cases {
            assert_eq!(Glob::new(glob).matches(s), want, "{glob} against {s}");
        }
    }
}
