//! Resource kinds: everything bankgen knows about one kind of catalogue resource, in one file.
//!
//! A kind owns its YAML shape (an entry under a module's `resources:`), its validation, its
//! names, its SSM exports, the template that renders one entry and the family file it goes to,
//! the AWS APIs the emulator must serve for it, its section of the module's docs page, the lint
//! rules that cover it, and the facts lint needs. [`KINDS`] lists them; the model, render, docs,
//! the compliance report and lint iterate it.
//!
//! Adding a kind: `scripts/new-kind NAME KEY` writes `src/kinds/NAME.rs`, `templates/NAME.tf.j2`
//! and its two lines here (the `pub mod`, the registry entry in `kinds!`). Nothing else.

mod check;
pub mod exports;
pub mod fleet;
pub mod guard;
pub mod md;
pub mod names;
pub mod policy;
mod scope;

// The kinds (declared here, not by the registry macro, so that rustfmt sees their files).
pub mod accelerator;
pub mod aurora_cluster;
pub mod bucket;
pub mod budget;
pub mod cache_cluster;
pub mod cdn_distribution;
pub mod config_recorder;
pub mod container_service;
pub mod dns_failover;
pub mod dynamodb_table;
pub mod ecs_cluster;
pub mod event_bus;
pub mod event_source;
pub mod firehose;
pub mod function;
pub mod guardduty_detector;
pub mod iam_policy;
pub mod iam_role;
pub mod kinesis_stream;
pub mod kms_key;
pub mod load_balancer;
pub mod log_group;
pub mod network;
pub mod observability;
pub mod queue;
pub mod recovery;
pub mod rest_api;
pub mod secret;
pub mod service_mesh;
pub mod sns_topic;
pub mod tracing;
pub mod trail;
pub mod user_pool;
pub mod web_acl;

pub use check::{Checker, ClassFacts, known};
pub use fleet::{Fleet, Holdings};
pub use md::{DocSection, Docs};
pub use scope::{
    Artefact, ArtefactRaw, Block, DomainFacts, EnvFacts, Export, Features, ModuleFacts, Renamed,
    RuntimeSettings, Scope, Stateful, source_comment,
};

use serde_json::{Value, json};

pub type Sp<T> = serde_saphyr::Spanned<T>;

/// An AWS API as the provider's `endpoints` block names it, per provider profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub v6: &'static str,
    pub legacy: &'static str,
}

impl Endpoint {
    const fn same(name: &'static str) -> Endpoint {
        Endpoint {
            v6: name,
            legacy: name,
        }
    }
}

/// The provider endpoints (emulator) every kind may need: the APIs its resources call.
pub mod api {
    use super::Endpoint;
    pub const ACM: Endpoint = Endpoint::same("acm");
    pub const APIGATEWAY: Endpoint = Endpoint::same("apigateway");
    pub const APPLICATION_AUTOSCALING: Endpoint = Endpoint::same("applicationautoscaling");
    pub const APPMESH: Endpoint = Endpoint::same("appmesh");
    pub const BUDGETS: Endpoint = Endpoint::same("budgets");
    pub const CLOUDFRONT: Endpoint = Endpoint::same("cloudfront");
    pub const CLOUDTRAIL: Endpoint = Endpoint::same("cloudtrail");
    pub const CLOUDWATCH: Endpoint = Endpoint::same("cloudwatch");
    pub const COGNITO_IDP: Endpoint = Endpoint::same("cognitoidp");
    pub const CONFIG: Endpoint = Endpoint::same("configservice");
    pub const DYNAMODB: Endpoint = Endpoint::same("dynamodb");
    pub const EC2: Endpoint = Endpoint::same("ec2");
    /// hashicorp/aws 3.x calls ELBv2 through the `elb` endpoint (it has no `elbv2` key).
    pub const ELBV2: Endpoint = Endpoint {
        v6: "elbv2",
        legacy: "elb",
    };
    pub const ECS: Endpoint = Endpoint::same("ecs");
    pub const ELASTICACHE: Endpoint = Endpoint::same("elasticache");
    pub const EVENTS: Endpoint = Endpoint {
        v6: "events",
        legacy: "cloudwatchevents",
    };
    pub const FIREHOSE: Endpoint = Endpoint::same("firehose");
    pub const GLOBALACCELERATOR: Endpoint = Endpoint::same("globalaccelerator");
    pub const GUARDDUTY: Endpoint = Endpoint::same("guardduty");
    pub const IAM: Endpoint = Endpoint::same("iam");
    pub const KINESIS: Endpoint = Endpoint::same("kinesis");
    pub const KMS: Endpoint = Endpoint::same("kms");
    pub const LAMBDA: Endpoint = Endpoint::same("lambda");
    pub const LOGS: Endpoint = Endpoint {
        v6: "logs",
        legacy: "cloudwatchlogs",
    };
    pub const RDS: Endpoint = Endpoint::same("rds");
    pub const ROUTE53: Endpoint = Endpoint::same("route53");
    pub const S3: Endpoint = Endpoint::same("s3");
    pub const SECRETS_MANAGER: Endpoint = Endpoint::same("secretsmanager");
    pub const SNS: Endpoint = Endpoint::same("sns");
    pub const SQS: Endpoint = Endpoint::same("sqs");
    pub const SSM: Endpoint = Endpoint::same("ssm");
    pub const STS: Endpoint = Endpoint::same("sts");
    pub const WAFV2: Endpoint = Endpoint::same("wafv2");
    pub const XRAY: Endpoint = Endpoint::same("xray");
}

/// APIs every module calls whatever it declares: SSM contracts, the caller's identity.
pub const BASE_ENDPOINTS: &[Endpoint] = &[api::SSM, api::STS];

/// How `exports:` refers to an entry of a kind: `function/NAME.arn` → `aws_lambda_function.LABEL.arn`.
pub struct ExportRef {
    /// The word before the `/`.
    pub word: &'static str,
    /// The Terraform resource type of the entry's main block.
    pub resource_type: &'static str,
    /// The Terraform label of the entry named NAME.
    pub label: fn(&str) -> String,
}

/// An option of a kind's entries that an emulator may not serve: an environment lists it in
/// `emulator.unserved_kinds` as `KIND.OPTION`, and its entries render without it there.
pub struct EmulatorOption {
    /// The entries' field (`replication`).
    pub option: &'static str,
    /// What it renders that an emulator may lack (for messages).
    pub renders: &'static str,
}

/// One kind of catalogue resource. No method has a default but
/// [`ResourceKind::emulator_options`]: a new kind decides each part.
pub trait ResourceKind: Sync {
    /// Its key under a module's `resources:` (`buckets`), from the registry.
    fn key(&self) -> &'static str;
    /// One entry, as messages name it (`bucket`).
    fn noun(&self) -> &'static str;
    /// The file its blocks go to (`s3` → `s3.tf`).
    fn family(&self) -> &'static str;
    /// The template that renders one entry (`bucket.tf.j2`).
    fn template(&self) -> &'static str;
    /// The AWS APIs the provider calls for it (the emulator must serve them).
    fn endpoints(&self) -> &'static [Endpoint];
    /// The Terraform resource types it renders.
    fn resource_types(&self) -> &'static [&'static str];
    /// The resource types among [`ResourceKind::resource_types`] that hold data (objects, keys,
    /// users, records, messages, log events): deleting or replacing one loses it. Render records
    /// each such block with [`Scope::holds_data`]; the plan guard stops on their replacement.
    fn stateful_types(&self) -> &'static [&'static str];
    /// The lint rules that check it (the compliance report's coverage).
    fn rules(&self) -> &'static [&'static str];
    /// How many entries a module declares.
    fn count(&self, r: &Resources) -> usize;
    /// Names that are unique per account and region, with what they name (`bucket`).
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)>;
    /// Classified entries (`bucket bank-x`, its classification): each needs a CMK (BGL205).
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)>;
    /// How `exports:` may refer to its entries, if it may.
    fn export_ref(&self) -> Option<ExportRef>;
    /// Its entries that say `renamed_from:` (each entry's name, then the old one): render keeps
    /// their physical names and SSM paths and moves their Terraform state (see [`guard`]).
    /// Empty for a kind that does not offer renames.
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)>;
    /// Checks that need only the module's own file, the platform and the domains.
    fn check(&self, r: &Resources, c: &mut Checker);
    /// Every entry of the module as template contexts and SSM exports.
    fn render(&self, m: &mut Scope);
    /// Its section of the module's docs page (none when the module declares no entry).
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection>;
    /// The options of its entries an emulator may not serve (`emulator.unserved_kinds` names
    /// one as `KIND.OPTION`; the kind asks [`Scope::serves`] with that name). None by default.
    fn emulator_options(&self) -> &'static [EmulatorOption] {
        &[]
    }
    /// Its entries that name a `recovery_tier:` (policies/dr.yaml), each with whether it has a
    /// copy in the DR region. None by default: a kind that holds no data has no tier.
    fn tiered<'r>(&self, _: &'r Resources) -> Vec<recovery::Tiered<'r>> {
        Vec::new()
    }
}

/// The kind registered under `key`.
pub fn kind(key: &str) -> Option<&'static dyn ResourceKind> {
    KINDS.iter().copied().find(|k| k.key() == key)
}

/// The registry: one line per kind, `key: file::Entry`, in the order their blocks and exports are
/// written (`src/kinds/file.rs`, whose `KIND` implements [`ResourceKind`]). It generates
/// [`Resources`] (a module's `resources:` table) and [`KINDS`].
macro_rules! kinds {
    ($($key:ident: $file:ident :: $entry:ident,)*) => {
        /// A module's `resources:` table: one list per kind, and the extra SSM exports.
        #[derive(Debug, serde::Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        pub struct Resources {
            $(
                #[serde(default)]
                pub $key: Vec<$file::$entry>,
            )*
            #[serde(default)]
            pub exports: Vec<exports::ExportEntry>,
        }

        /// Every kind, in the order their blocks and exports are written.
        pub static KINDS: &[&dyn ResourceKind] = &[$(&$file::KIND),*];

        /// The registry's keys, in order (what [`ResourceKind::key`] must answer).
        pub const KEYS: &[&str] = &[$(stringify!($key)),*];
    };
}

kinds! {
    kms_keys: kms_key::Key,
    event_buses: event_bus::Bus,
    buckets: bucket::Bucket,
    firehose_streams: firehose::Stream,
    user_pools: user_pool::Pool,
    iam_roles: iam_role::Role,
    iam_policies: iam_policy::ManagedPolicy,
    trails: trail::Trail,
    sns_topics: sns_topic::Topic,
    log_groups: log_group::LogGroup,
    functions: function::Function,
    secrets: secret::Secret,
    dynamodb_tables: dynamodb_table::Table,
    networks: network::Network,
    aurora_clusters: aurora_cluster::Entry,
    redis_clusters: cache_cluster::Entry,
    web_acls: web_acl::WebAcl,
    config_recorders: config_recorder::Recorder,
    guardduty_detectors: guardduty_detector::Detector,
    kinesis_streams: kinesis_stream::Stream,
    queues: queue::Queue,
    load_balancers: load_balancer::Entry,
    rest_apis: rest_api::Entry,
    cdn_distributions: cdn_distribution::Entry,
    dns_failovers: dns_failover::Entry,
    accelerators: accelerator::Entry,
    observability: observability::Entry,
    tracing: tracing::Entry,
    ecs_clusters: ecs_cluster::Entry,
    container_services: container_service::Entry,
    service_meshes: service_mesh::Entry,
    event_sources: event_source::Entry,
    budgets: budget::Entry,
}

/// Every resource type some kind declares as holding data, sorted, once each.
pub fn stateful_types() -> Vec<&'static str> {
    let mut types: Vec<&'static str> = KINDS
        .iter()
        .flat_map(|k| k.stateful_types())
        .copied()
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// Every provider endpoint the kinds need, once each, sorted by the profile's name for it.
pub fn endpoints(v6: bool) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = BASE_ENDPOINTS
        .iter()
        .chain(KINDS.iter().flat_map(|k| k.endpoints()))
        .map(|e| if v6 { e.v6 } else { e.legacy })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A trusted HCL expression built by a kind (never from catalogue text).
pub fn raw(expr: impl Into<String>) -> Value {
    json!({ "$raw": expr.into() })
}

/// A string template: literal parts (escaped) and `raw` parts (interpolated).
pub fn tpl(parts: Vec<Value>) -> Value {
    json!({ "$tpl": parts })
}
