//! The catalogue's YAML shapes, exactly as written on disk.
//!
//! Every struct denies unknown fields so a typo is an error at its line, and every value that
//! other entries refer to is `Spanned` so a broken reference points at the place it was written.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

pub type Sp<T> = Spanned<T>;

/// A function's code addressed by content: the kinds read it too.
pub use crate::kinds::ArtefactRaw;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformFile {
    pub tenant: Sp<String>,
    /// Starts the tenant's resource names (`bank-iceberg`), key aliases, roles, event sources.
    pub name_prefix: Sp<String>,
    pub region: Sp<String>,
    /// The disaster-recovery region: replicas of the buckets marked `replication:` go there.
    #[serde(default)]
    pub dr_region: Option<Sp<String>>,
    /// The region of the resources AWS serves only from us-east-1 for a global service: the
    /// certificate and the CLOUDFRONT-scope web ACL of a CloudFront distribution (provider alias
    /// `aws.global`, only in modules that need it).
    #[serde(default)]
    pub global_region: Option<Sp<String>>,
    pub provider: ProviderRaw,
    pub environments: Vec<EnvironmentRaw>,
    pub required_tags: Vec<Sp<String>>,
    pub ssm_convention: Sp<String>,
    pub classifications: Vec<ClassificationRaw>,
    /// The classification of the platform's own operational data: dead-letter queues, function
    /// logs, delivery errors.
    pub operational_classification: Sp<String>,
    pub runtime_defaults: RuntimeRaw,
    pub event_delivery: EventDeliveryRaw,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderRaw {
    pub terraform_version: Sp<String>,
    pub profile: Sp<String>,
    /// Version constraint per profile, e.g. `v6: "~> 6.0"`.
    pub versions: BTreeMap<String, Sp<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentRaw {
    pub name: Sp<String>,
    pub account_id: Sp<String>,
    pub backend: BackendRaw,
    #[serde(default)]
    pub emulator: Option<EmulatorRaw>,
    /// Overrides the platform's provider profile for this environment.
    #[serde(default)]
    pub provider_profile: Option<Sp<String>>,
    /// Whether its resources that hold data are kept from deletion (`prevent_destroy`); default:
    /// true for `prod`, false otherwise.
    #[serde(default)]
    pub protected: Option<Sp<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendRaw {
    pub kind: Sp<String>,
    #[serde(default)]
    pub bucket: Option<Sp<String>>,
    #[serde(default)]
    pub key_prefix: Option<Sp<String>>,
    #[serde(default)]
    pub region: Option<Sp<String>>,
    #[serde(default)]
    pub path: Option<Sp<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorRaw {
    pub endpoint: Sp<String>,
    /// Resource kinds (their `resources:` key) the emulator cannot serve: left out of this
    /// environment's tree, still covered by every other oracle.
    #[serde(default)]
    pub unserved_kinds: Vec<Sp<String>>,
    /// Completion-check probes the emulator cannot serve: `bankgen verify` reports them as not
    /// run there (they still run in every other environment).
    #[serde(default)]
    pub unserved_probes: Vec<Sp<ProbeKind>>,
}

/// What a completion-check probe does (see [`ProbeRaw`]).
#[derive(Debug, Deserialize, serde::Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    ObjectRoundTrip,
    ItemRoundTrip,
    FifoInOrder,
    RecordRoundTrip,
    EventDelivered,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationRaw {
    pub name: Sp<String>,
    pub key_alias: Sp<String>,
    pub description: String,
    pub min_retention_days: Sp<u32>,
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RuntimeRaw {
    /// Only in a module's override: whether the conventional function exists at all.
    #[serde(default)]
    pub function: Option<bool>,
    #[serde(default)]
    pub runtime: Option<String>,
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub handler: Option<String>,
    #[serde(default)]
    pub memory_mb: Option<u32>,
    #[serde(default)]
    pub timeout_seconds: Option<u32>,
    #[serde(default)]
    pub log_retention_days: Option<Sp<u32>>,
    #[serde(default)]
    pub artefact_key: Option<String>,
    /// The bucket that holds the functions' code (default `<name_prefix>-artefacts`).
    #[serde(default)]
    pub artefact_bucket: Option<String>,
    /// Only in a module's override: the conventional function's code, addressed by content.
    #[serde(default)]
    pub artefact: Option<ArtefactRaw>,
    #[serde(default)]
    pub reserved_concurrency: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDeliveryRaw {
    pub maximum_retry_attempts: u32,
    pub maximum_event_age_seconds: u32,
}

// ------------------------------------------------------------------ domains.yaml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainsFile {
    pub phases: Vec<PhaseRaw>,
    pub domains: Vec<DomainRaw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseRaw {
    pub id: Sp<u32>,
    pub name: String,
    pub domains: Vec<Sp<String>>,
    /// Module kinds that belong to the phase (seed 001: Phase 0 is "infrastructure modules only").
    #[serde(default)]
    pub kinds: Option<Vec<ModuleKind>>,
    /// The modules seed 001 names for the phase, in its sequence: the phase is exactly these.
    #[serde(default)]
    pub modules: Option<Vec<Sp<String>>>,
    pub gate: Vec<Sp<u32>>,
    pub gate_text: String,
    pub completion_signal: String,
    /// A command that tells whether the phase is complete; the phases gated on it wait for it.
    #[serde(default)]
    pub check: Option<Sp<PhaseCheckRaw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseCheckRaw {
    /// argv; a first word `bankgen` is the running bankgen itself.
    pub run: Sp<Vec<String>>,
    pub timeout_seconds: Sp<u32>,
    #[serde(default)]
    pub retries: u32,
    #[serde(default = "default_retry_delay")]
    pub retry_delay_seconds: u32,
    /// What `bankgen verify` does on the phase's resources besides its contracts and buses.
    #[serde(default)]
    pub probes: Vec<Sp<ProbeRaw>>,
}

/// One probe of a completion check, naming the catalogue entry it works on.
#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ProbeRaw {
    /// Put an object on the bucket, read it back, delete it.
    ObjectRoundTrip(Sp<String>),
    /// Put an item in the table, read it back (consistent read), delete it.
    ItemRoundTrip(Sp<String>),
    /// Send three messages in one group to the FIFO queue, receive them in order, delete them.
    FifoInOrder(Sp<String>),
    /// Put a record on the Kinesis stream and read it back by its sequence number.
    RecordRoundTrip(Sp<String>),
    /// Put an event the subscription matches on its bus; see it arrive on its target queue.
    EventDelivered(Sp<String>),
}

fn default_retry_delay() -> u32 {
    5
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainRaw {
    pub id: Sp<String>,
    pub name: String,
    pub repo: Sp<String>,
    pub bus: Sp<String>,
    pub role: Sp<String>,
    /// Data classifications this domain's modules handle (the KMS keys its role may use).
    pub handles: Vec<Sp<String>>,
}

// ------------------------------------------------------------------ modules/MOD-NNN.yaml

#[derive(
    Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ModuleKind {
    Iac,
    Runtime,
    Hybrid,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleRaw {
    pub id: Sp<String>,
    pub title: Sp<String>,
    pub system: Sp<String>,
    #[serde(default)]
    pub repo: Option<Sp<String>>,
    pub kind: Sp<ModuleKind>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<DependencyRaw>,
    #[serde(default)]
    pub policies: Vec<PolicyRaw>,
    /// Overrides of the platform's runtime convention (`function: false` opts out of it).
    #[serde(default)]
    pub runtime: Option<RuntimeRaw>,
    #[serde(default)]
    pub resources: crate::kinds::Resources,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Contract {
    Hard,
    Soft,
    Ssm,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependencyRaw {
    pub module: Sp<String>,
    pub contract: Contract,
}

#[derive(Debug, Deserialize, Clone, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRaw {
    pub id: String,
    pub title: String,
    pub mode: String,
    pub how: String,
}

// ------------------------------------------------------------------ events/<bus>.yaml

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsFile {
    pub bus: Sp<String>,
    #[serde(default)]
    pub events: Vec<EventRaw>,
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionRaw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRaw {
    pub name: Sp<String>,
    pub producer: Sp<String>,
    pub source: Sp<String>,
    pub detail_type: Sp<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRaw {
    pub name: Sp<String>,
    pub consumer: Sp<String>,
    #[serde(default)]
    pub events: Vec<Sp<String>>,
    /// A raw EventBridge pattern, for AWS service events that no module produces.
    #[serde(default)]
    pub pattern: Option<BTreeMap<String, Vec<String>>>,
    pub target: TargetRaw,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRaw {
    pub kind: Sp<TargetKind>,
    #[serde(default)]
    pub name: Option<Sp<String>>,
    /// `dr`: the named bus's copy in the platform's DR region (a bus with `dr: true`).
    #[serde(default)]
    pub region: Option<Sp<TargetRegion>>,
}

/// Where a subscription's target is, when not in the primary region.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TargetRegion {
    Dr,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Bus,
    Queue,
    Function,
    Firehose,
}
