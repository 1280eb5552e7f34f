//! What a kind sees while it renders one module in one environment, and what it hands back:
//! template contexts (rendered to text by `render`), the SSM parameters the module imports and
//! exports, and the helpers every kind uses to name and reference things.

use super::names::ident;
use super::raw;
use super::{Fleet, ResourceKind, Resources, Sp};
use crate::diag::{Loc, Problem, SourceFile};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tag that carries a data store's recovery tier (the value of `tier_tag` in
/// policies/dr.yaml).
pub const RECOVERY_TIER_TAG: &str = "recovery_tier";

/// What differs between the provider profiles: templates branch on these flags, never on the
/// profile's name.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Features {
    /// `aws_s3_bucket_versioning` & co. (provider >= 4) instead of inline bucket blocks.
    pub split_s3: bool,
    /// `aws_cloudwatch_event_bus_policy` (a full policy naming the role) instead of
    /// `aws_cloudwatch_event_permission` (an account principal only).
    pub bus_policy: bool,
    /// Arguments that providers < 4 do not have: bus `description` and `dead_letter_config`,
    /// Cognito `deletion_protection`, client `enable_token_revocation`, bucket ownership controls,
    /// S3 notifications to EventBridge, Lambda `architectures`, the `s3_use_path_style` provider flag,
    /// Aurora Serverless v2 (`serverlessv2_scaling_configuration`, `db.serverless`) and
    /// RDS-managed master passwords, ElastiCache's `num_cache_clusters`/`description` (were
    /// `number_cache_clusters`/`replication_group_description`) and `auth_token_update_strategy`,
    /// a budget's `cost_filter` blocks (3.39 has the `cost_filters` map, which 6.x no longer has)
    /// and its optional `time_period_start` (required in 3.39);
    /// `tags` on `aws_rds_global_cluster`, and a DynamoDB `replica`'s `point_in_time_recovery`
    /// and `propagate_tags` (3.39's replica has only `region_name` and `kms_key_arn`).
    pub v4_arguments: bool,
    /// A Lambda runtime to use instead of the catalogue's: hashicorp/aws 3.39 checks runtimes
    /// against its 2021 list, which ends at nodejs14.x.
    pub lambda_runtime: Option<&'static str>,
    /// Firehose's `buffering_size`/`buffering_interval` (provider >= 5) vs `buffer_size`/`buffer_interval`.
    pub firehose_buffering: bool,
    /// `aws_guardduty_detector_feature` (provider >= 5; 3.39 has neither it nor `datasources`).
    pub guardduty_features: bool,
}

/// The runtime convention's settings of a function (platform defaults, module overrides).
#[derive(Debug, Clone, Serialize)]
pub struct RuntimeSettings {
    pub runtime: String,
    pub architecture: String,
    pub handler: String,
    pub memory_mb: u32,
    pub timeout_seconds: u32,
    pub log_retention_days: u32,
    pub artefact_key: String,
    pub artefact_bucket: String,
    pub reserved_concurrency: Option<i32>,
    /// The code pinned by content (a module's `runtime: {artefact:}`); else `artefact_key`.
    pub artefact: Option<Artefact>,
}

/// A function's code by content: the object's key (which contains the hash) and its SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct Artefact {
    pub key: String,
    pub sha256: String,
}

impl From<&ArtefactRaw> for Artefact {
    fn from(a: &ArtefactRaw) -> Artefact {
        Artefact {
            key: a.key.value.clone(),
            sha256: a.sha256.value.clone(),
        }
    }
}

/// The module being rendered.
pub struct ModuleFacts<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub purpose: Option<&'a str>,
    pub repo: &'a str,
    pub domain: &'a str,
    pub loc: &'a Loc,
    pub file: &'a Arc<SourceFile>,
    /// The conventional function (runtime modules), with the platform defaults applied.
    pub function: Option<&'a RuntimeSettings>,
    pub resources: &'a Resources,
}

impl ModuleFacts<'_> {
    /// `bank-core-mod-001`: the conventional function's base name (the env is appended).
    pub fn function_base_name(&self) -> String {
        format!("{}-{}", self.repo, self.id.to_lowercase())
    }
}

/// A system domain, as kinds need it.
#[derive(Debug, Clone)]
pub struct DomainFacts {
    pub id: String,
    pub name: String,
    pub repo: String,
    pub bus: String,
    pub role: String,
}

/// The environment being rendered.
pub struct EnvFacts<'a> {
    pub name: &'a str,
    pub account_id: &'a str,
    /// Rendered for an AWS API emulator (the `local` environment).
    pub emulator: bool,
}

/// One block to render: a kind's template and its context.
pub struct Block {
    pub family: &'static str,
    pub template: &'static str,
    pub loc: Loc,
    pub ctx: Value,
}

pub struct Export {
    /// Below the environment's SSM prefix.
    pub path: String,
    pub description: String,
    pub value: Value,
    pub loc: Loc,
}

/// A rendered resource that holds data: a delete or a replacement loses what it holds.
#[derive(Debug, Clone)]
pub struct Stateful {
    /// Its Terraform address in the module (`aws_s3_bucket.bank_iceberg`).
    pub address: String,
    /// The catalogue entry, as messages name it (`bucket bank-iceberg`).
    pub entry: String,
    /// Where the entry is in the catalogue.
    pub loc: Loc,
    /// The entry's `allow_replace: {reason: …}`: the reason, and where it is written.
    pub allow_replace: Option<(String, Loc)>,
}

impl PartialEq for Stateful {
    fn eq(&self, o: &Self) -> bool {
        let place = |l: &Loc| (l.file.name.clone(), l.offset, l.len);
        self.address == o.address
            && self.entry == o.entry
            && place(&self.loc) == place(&o.loc)
            && self.allow_replace.as_ref().map(|(r, l)| (r, place(l)))
                == o.allow_replace.as_ref().map(|(r, l)| (r, place(l)))
    }
}

impl Eq for Stateful {}

pub struct Scope<'a> {
    pub module: ModuleFacts<'a>,
    pub env: EnvFacts<'a>,
    pub region: &'a str,
    /// The platform's disaster-recovery region (`dr_region`), if it has one.
    pub dr_region: Option<&'a str>,
    /// Set by a kind that renders a block with `provider = aws.dr`: the module's providers then
    /// declare that alias (only where a module needs it).
    pub uses_dr: bool,
    /// The platform's `global_region` (us-east-1), if it declares one.
    pub global_region: Option<&'a str>,
    /// Each block rendered with `provider = aws.<alias>` (`dr`, `global`): its address and the
    /// alias. The module's providers declare exactly these aliases; lint can tell which blocks
    /// are meant to live outside the primary region ([`Scope::on_alias`]).
    pub aliased: Vec<(String, &'static str)>,
    /// Classification → the alias of its key (`gbp/confidential`).
    pub key_aliases: Vec<(&'a str, &'a str)>,
    pub features: Features,
    pub runtime_defaults: &'a RuntimeSettings,
    /// `/bank/dev`: where the environment's SSM contracts live.
    pub ssm_prefix: String,
    /// `/bank`: the SSM convention's root, the same in every environment.
    ssm_root: &'a str,
    /// The tenant's name prefix (`bank`).
    pub name_prefix: &'a str,
    /// The platform's tenant (the `tenant_id` tag's value).
    pub tenant: &'a str,
    /// The classification of the platform's own operational data (DLQs, function logs).
    pub operational: &'a str,
    domains: &'a [DomainFacts],
    pub blocks: Vec<Block>,
    /// label → full SSM path.
    pub imports: BTreeMap<String, String>,
    pub exports: Vec<Export>,
    /// The module's resources that hold data ([`Scope::holds_data`]).
    pub stateful: Vec<Stateful>,
    /// The catalogue's renamed entries: (kind key, name) → `renamed_from`.
    pub renamed: &'a Renamed,
    /// What every module of the catalogue holds, by physical name (read-only, built once per
    /// render): for blocks generated from the whole catalogue.
    pub fleet: &'a Fleet,
    /// The kinds the environment's emulator cannot serve (`emulator.unserved_kinds`): render
    /// leaves them out, and kinds that refer to them render without the reference.
    pub unserved: &'a [String],
    pub problems: Vec<Problem>,
}

/// The catalogue's renamed entries, by kind key and name: the name they had, which their
/// physical resources and SSM paths keep.
pub type Renamed = BTreeMap<(&'static str, String), String>;

static NOTHING_RENAMED: Renamed = BTreeMap::new();
static NO_FLEET: Fleet = Fleet {
    modules: Vec::new(),
    log_routing: None,
    budget_topics: Vec::new(),
};

impl<'a> Scope<'a> {
    pub fn new(
        module: ModuleFacts<'a>,
        env: EnvFacts<'a>,
        region: &'a str,
        features: Features,
        runtime_defaults: &'a RuntimeSettings,
        domains: &'a [DomainFacts],
        (name_prefix, ssm_root, operational): (&'a str, &'a str, &'a str),
    ) -> Self {
        Scope {
            ssm_prefix: format!("{ssm_root}/{}", env.name),
            ssm_root,
            name_prefix,
            tenant: "",
            operational,
            module,
            env,
            region,
            dr_region: None,
            uses_dr: false,
            global_region: None,
            aliased: Vec::new(),
            key_aliases: Vec::new(),
            features,
            runtime_defaults,
            domains,
            blocks: Vec::new(),
            imports: BTreeMap::new(),
            exports: Vec::new(),
            stateful: Vec::new(),
            renamed: &NOTHING_RENAMED,
            fleet: &NO_FLEET,
            unserved: &[],
            problems: Vec::new(),
        }
    }

    /// One block of `kind`, from its template, into its family's file.
    pub fn emit(&mut self, kind: &dyn ResourceKind, loc: &Loc, ctx: Value) {
        self.emit_as(kind.family(), kind.template(), loc, ctx);
    }

    /// A block that is not a catalogue resource kind's (event subscriptions).
    pub fn emit_as(&mut self, family: &'static str, template: &'static str, loc: &Loc, ctx: Value) {
        self.blocks.push(Block {
            family,
            template,
            loc: loc.clone(),
            ctx,
        });
    }

    /// Record that the block at `address` (`aws_acm_certificate.x`) is rendered with
    /// `provider = aws.<alias>`: `"dr"` (platform `dr_region`) or `"global"` (`global_region`).
    /// Returns the provider reference for the template (`aws.global`).
    pub fn on_alias(&mut self, alias: &'static str, address: String) -> String {
        if alias == "dr" {
            self.uses_dr = true;
        }
        self.aliased.push((address, alias));
        format!("aws.{alias}")
    }

    /// Whether some block of the module is rendered with `provider = aws.<alias>`.
    pub fn uses_alias(&self, alias: &str) -> bool {
        self.aliased.iter().any(|(_, a)| *a == alias)
    }

    /// Record that the block at `address` holds the data of the catalogue entry at `loc`.
    pub fn holds_data(
        &mut self,
        address: String,
        entry: String,
        loc: &Loc,
        allow_replace: Option<(String, Loc)>,
    ) {
        self.stateful.push(Stateful {
            address,
            entry,
            loc: loc.clone(),
            allow_replace,
        });
    }

    /// Whether this environment renders the entries of kind `key` (its emulator serves them).
    pub fn serves(&self, key: &str) -> bool {
        !self.unserved.iter().any(|k| k == key)
    }

    /// For an entry that asks for its DR copy where the emulator cannot serve it (`option`, e.g.
    /// `dynamodb_tables.replication`, in `emulator.unserved_kinds`): the suppression of BGL550 the
    /// entry's block carries, with the reason. `None` where the copy is rendered or not asked for.
    pub fn unserved_dr_copy(&self, asked: bool, option: &str) -> Option<String> {
        (asked && self.dr_region.is_some() && !self.serves(option)).then(|| {
            format!(
                "# bankgen:ignore[BGL550] the emulator of {} cannot serve the DR copy (emulator.unserved_kinds: {option}); every other environment has it",
                self.env.name
            )
        })
    }

    pub fn domain(&self, id: &str) -> Option<&'a DomainFacts> {
        self.domains.iter().find(|d| d.id == id)
    }

    /// `bank-iceberg` → `bank-iceberg-dev`: per-environment names of the seeds.
    pub fn env_name(&self, base: &str) -> String {
        super::names::env_name(base, self.env.name)
    }

    /// Fill in `{env}`, `{account}` and `{region}` in a catalogue value.
    pub fn subst(&self, s: &str) -> String {
        s.replace("{env}", self.env.name)
            .replace("{account}", self.env.account_id)
            .replace("{region}", self.region)
    }

    pub fn ssm_path(&self, below_env: &str) -> String {
        format!("{}/{below_env}", self.ssm_prefix)
    }

    /// The path in every environment: `/bank/{env}/kms/pii/arn`.
    pub fn generic_ssm_path(&self, below_env: &str) -> String {
        format!("{}/{{env}}/{below_env}", self.ssm_root)
    }

    /// Look a contract parameter up by SSM path (never a hard-coded ARN): `data.aws_ssm_parameter.X.value`.
    pub fn import(&mut self, below_env: &str) -> Value {
        let label = ident(below_env);
        self.imports.insert(label.clone(), self.ssm_path(below_env));
        raw(format!("data.aws_ssm_parameter.{label}.value"))
    }

    pub fn export(
        &mut self,
        path: String,
        description: impl Into<String>,
        value: Value,
        loc: &Loc,
    ) {
        self.exports.push(Export {
            path,
            description: description.into(),
            value,
            loc: loc.clone(),
        });
    }

    /// The alias of a classification's key (`gbp/confidential`), as platform.yaml maps it.
    pub fn key_alias(&self, classification: &str) -> String {
        self.key_aliases
            .iter()
            .find(|(c, _)| *c == classification)
            .map(|(_, a)| a.to_string())
            .unwrap_or_else(|| format!("{}/{classification}", self.name_prefix))
    }

    /// The ARN of the CMK for a classification: the module's own key, else the SSM contract.
    pub fn key_arn(&mut self, classification: &str) -> Value {
        let own = self
            .module
            .resources
            .kms_keys
            .iter()
            .find(|k| k.classification.value == classification);
        match own {
            Some(k) => raw(format!("aws_kms_key.{}.arn", ident(&k.alias.value))),
            None => self.import(&format!("kms/{classification}/arn")),
        }
    }

    /// The ARN of the classification's key in the DR region (a `kms_keys` entry with `dr: true`):
    /// a local reference in the module that owns it, else by SSM (`kms/{class}/dr-arn`).
    pub fn dr_key_arn(&mut self, classification: &str) -> Value {
        let own = self.module.resources.kms_keys.iter().find(|k| {
            k.classification.value == classification && k.dr.as_ref().is_some_and(|d| d.value)
        });
        match own {
            Some(k) => raw(format!("aws_kms_key.{}_dr.arn", ident(&k.alias.value))),
            None => self.import(&format!("kms/{classification}/dr-arn")),
        }
    }

    /// The ARN of a bus's copy in the DR region (`dr: true`): local in the module that owns the
    /// bus, else by SSM (`eventbridge/{bus}/dr-arn`).
    pub fn dr_bus_arn(&mut self, bus: &str) -> Value {
        if self
            .module
            .resources
            .event_buses
            .iter()
            .any(|b| b.name.value == bus)
        {
            raw(format!("aws_cloudwatch_event_bus.{}_dr.arn", ident(bus)))
        } else {
            self.import(&format!("eventbridge/{bus}/dr-arn"))
        }
    }

    /// The ARN of a domain bus: a local reference in the module that owns it, else by SSM.
    pub fn bus_arn(&mut self, bus: &str) -> Value {
        if self
            .module
            .resources
            .event_buses
            .iter()
            .any(|b| b.name.value == bus)
        {
            raw(format!("aws_cloudwatch_event_bus.{}.arn", ident(bus)))
        } else {
            self.import(&format!("eventbridge/{bus}/arn"))
        }
    }

    /// The ARN of a domain's Lambda execution role.
    pub fn role_arn(&mut self, role: &str) -> Value {
        if self
            .module
            .resources
            .iam_roles
            .iter()
            .any(|r| r.name.value == role)
        {
            raw(format!("aws_iam_role.{}.arn", ident(role)))
        } else {
            self.import(&format!("iam/{}/arn", role.to_lowercase()))
        }
    }

    /// The name under which an entry of kind `key` called `name` in the catalogue exists in AWS
    /// and in the SSM contract: the one it had before a `renamed_from:`, else its own.
    pub fn physical_name(&self, key: &'static str, name: &str) -> String {
        self.renamed
            .get(&(key, name.to_string()))
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    pub fn bucket_name(&mut self, bucket: &str) -> Value {
        if self
            .module
            .resources
            .buckets
            .iter()
            .any(|b| b.name.value == bucket)
        {
            raw(format!("aws_s3_bucket.{}.id", ident(bucket)))
        } else {
            let physical = self.physical_name("buckets", bucket);
            self.import(&format!("s3/{physical}/name"))
        }
    }

    /// The ARN of an SNS topic: a local reference in the module that declares it, else by SSM.
    pub fn topic_arn(&mut self, topic: &str) -> Value {
        if self
            .module
            .resources
            .sns_topics
            .iter()
            .any(|t| t.name.value == topic)
        {
            raw(format!("aws_sns_topic.{}.arn", ident(topic)))
        } else {
            self.import(&format!("sns/{topic}/arn"))
        }
    }

    pub fn firehose_arn(&mut self, stream: &str) -> Value {
        if self
            .module
            .resources
            .firehose_streams
            .iter()
            .any(|s| s.name.value == stream)
        {
            raw(format!(
                "aws_kinesis_firehose_delivery_stream.{}.arn",
                ident(stream)
            ))
        } else {
            self.import(&format!("firehose/{stream}/arn"))
        }
    }

    /// The SNS topic that receives platform alerts, when this module owns one.
    pub fn alert_topic(&self) -> Option<Value> {
        self.module
            .resources
            .sns_topics
            .first()
            .map(|t| raw(format!("aws_sns_topic.{}.arn", ident(&t.name.value))))
    }

    pub fn loc(&self, location: &serde_saphyr::Location) -> Loc {
        Loc::from_saphyr(self.module.file, location)
    }

    /// Extra tags for a classified resource (the required tags come from `default_tags`).
    pub fn class_tags(&self, classification: &str) -> Value {
        json!({ "data_classification": classification })
    }

    /// A data store's tags: its classification and, when the entry names one, its recovery
    /// tier (`recovery_tier`, the tag policies/dr.yaml names; BGL550 reads it).
    pub fn tier_tags(&self, classification: &str, tier: Option<&Sp<String>>) -> Value {
        let mut tags = self.class_tags(classification);
        if let Some(t) = tier {
            tags[RECOVERY_TIER_TAG] = json!(t.value);
        }
        tags
    }
}

/// `# bankgen:source catalog/modules/MOD-104.yaml:57:9`, with the file name kept on one line.
pub fn source_comment(loc: &Loc) -> String {
    let name: String = loc
        .file
        .name
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    format!("# bankgen:source {name}:{}:{}", loc.line, loc.column)
}

/// A function's code addressed by its content, as the CI step that uploads the ZIP writes it:
/// `key` is the object in the artefacts bucket and contains `sha256`, the ZIP's SHA-256 in hex.
/// A catalogue revision so names one build; `rollback --to REV` deploys that build again.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtefactRaw {
    pub key: Sp<String>,
    pub sha256: Sp<String>,
}

impl ArtefactRaw {
    /// What is wrong with it: the value at fault, the message and the help (BG005).
    pub fn problem(&self) -> Option<(&Sp<String>, String, &'static str)> {
        let h = &self.sha256.value;
        if h.len() != 64
            || !h
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Some((
                &self.sha256,
                format!("artefact sha256 `{h}` is not a SHA-256 in lower-case hex"),
                "the 64 hex digits of `sha256sum function.zip`",
            ));
        }
        if !self.key.value.contains(h.as_str()) {
            return Some((
                &self.key,
                format!(
                    "artefact key `{}` does not contain its sha256",
                    self.key.value
                ),
                "name the object by its content (`lambda/MOD-001/<sha256>.zip`): a new build is a new key, and an old catalogue revision still names the old build",
            ));
        }
        None
    }
}
