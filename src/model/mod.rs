//! The validated catalogue: platform, phases, domains, modules, events and subscriptions, with
//! every reference resolved. Built from [`crate::catalog::RawCatalog`] by [`build`]; everything
//! downstream (render, lint, deploy) reads only this.

mod build;
pub mod graph;

pub use crate::catalog::raw::{Contract, ModuleKind, TargetKind};
pub use crate::kinds::bucket::Encryption;
pub use crate::kinds::iam_role::Permission;
pub use crate::kinds::policy::Statement;
pub use crate::kinds::user_pool::ClientType;
pub use crate::kinds::{Resources, RuntimeSettings, names};
pub use build::build;

use crate::diag::{Loc, SourceFile};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug)]
pub struct Catalog {
    pub platform: Platform,
    pub phases: Vec<Phase>,
    pub domains: Vec<Domain>,
    /// Sorted by id.
    pub modules: Vec<Module>,
    pub events: Vec<Event>,
    pub subscriptions: Vec<Subscription>,
    /// Every file the catalogue was read from.
    pub files: Vec<Arc<SourceFile>>,
    /// The catalogue's own `policies/` folder, when it has one (lint parameters).
    pub policies_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// hashicorp/aws 4 and later: split `aws_s3_bucket_*` resources, `aws_cloudwatch_event_bus_policy`.
    V6,
    /// hashicorp/aws before 4: inline S3 blocks, `aws_cloudwatch_event_permission`.
    Legacy,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "v6" => Some(Profile::V6),
            "legacy" => Some(Profile::Legacy),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::V6 => "v6",
            Profile::Legacy => "legacy",
        }
    }
}

#[derive(Debug)]
pub struct Platform {
    pub tenant: String,
    pub region: String,
    /// The disaster-recovery region (`dr_region`), when the platform has one.
    pub dr_region: Option<String>,
    /// Where a CloudFront distribution's certificate and web ACL live (`global_region`).
    pub global_region: Option<String>,
    pub terraform_version: String,
    pub profile: Profile,
    pub provider_versions: BTreeMap<Profile, String>,
    pub environments: Vec<Environment>,
    pub required_tags: Vec<String>,
    pub ssm_convention: String,
    /// The SSM convention's part before `/{env}/`: `/bank`.
    pub ssm_root: String,
    pub naming: crate::kinds::names::Naming,
    pub classifications: Vec<Classification>,
    pub operational_classification: String,
    pub runtime_defaults: RuntimeSettings,
    pub delivery: Delivery,
    pub file: Arc<SourceFile>,
}

impl Platform {
    pub fn classification(&self, name: &str) -> Option<&Classification> {
        self.classifications.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    pub account_id: String,
    pub backend: Backend,
    /// An AWS emulator endpoint (the `local` environment).
    pub emulator: Option<String>,
    /// The kinds the emulator cannot serve (`redis_clusters`): not rendered here.
    pub unserved_kinds: Vec<String>,
    /// The completion-check probes the emulator cannot serve (`emulator.unserved_probes`).
    pub unserved_probes: Vec<ProbeKind>,
    pub profile: Profile,
    /// Its resources that hold data carry `lifecycle { prevent_destroy = true }` (platform.yaml's
    /// `protected:`, default true for `prod`); never an emulator environment.
    pub protected: bool,
}

#[derive(Debug, Clone)]
pub enum Backend {
    S3 {
        bucket: String,
        key_prefix: String,
        region: String,
    },
    Local {
        path: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub name: String,
    pub key_alias: String,
    pub description: String,
    pub min_retention_days: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub maximum_retry_attempts: u32,
    pub maximum_event_age_seconds: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub id: u32,
    pub name: String,
    pub domains: Vec<String>,
    pub kinds: Option<Vec<ModuleKind>>,
    /// The modules the phase names (seed 001's Phase 0), in its documented sequence; `None`:
    /// every module of its `domains` (and `kinds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<Vec<String>>,
    #[serde(skip)]
    pub module_locs: Vec<Loc>,
    pub gate: Vec<u32>,
    pub gate_text: String,
    pub completion_signal: String,
    pub check: Option<PhaseCheck>,
}

/// A phase's completion check: `run` with the environment and the phase's SSM outputs as
/// environment variables, up to `1 + retries` times, each attempt within `timeout`.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseCheck {
    pub run: Vec<String>,
    pub timeout: std::time::Duration,
    pub retries: u32,
    pub retry_delay: std::time::Duration,
    /// What `bankgen verify` does on the phase's resources (seed 002's integration tests).
    pub probes: Vec<Probe>,
    #[serde(skip)]
    pub loc: Loc,
}

/// A probe of a completion check: the kind and the catalogue entry it works on.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub kind: ProbeKind,
    pub target: String,
    #[serde(skip)]
    pub loc: Loc,
}

pub use crate::catalog::raw::ProbeKind;

#[derive(Debug, Clone, Serialize)]
pub struct Domain {
    pub id: String,
    pub name: String,
    pub repo: String,
    pub bus: String,
    pub role: String,
    pub handles: Vec<String>,
    pub phase: Option<u32>,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    pub module: String,
    pub contract: Contract,
    #[serde(skip)]
    pub loc: Loc,
}

pub use crate::catalog::raw::PolicyRaw as PolicyRef;

#[derive(Debug)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub domain: String,
    pub repo: String,
    pub kind: ModuleKind,
    pub purpose: Option<String>,
    /// The phase the module belongs to; `None` for modules outside the phase table (SD07's
    /// runtime modules: seed 001 puts only SD07's infrastructure modules in Phase 0).
    pub phase: Option<u32>,
    /// For modules outside the phase table: the phase they wait for.
    pub after_phase: Option<u32>,
    pub depends_on: Vec<Dependency>,
    pub policies: Vec<PolicyRef>,
    /// The conventional function (runtime modules), with the platform defaults applied.
    pub function: Option<RuntimeSettings>,
    pub resources: Resources,
    pub file: Arc<SourceFile>,
    pub loc: Loc,
}

impl Module {
    /// Where a spanned value of this module's file was written.
    pub fn loc_of(&self, location: &serde_saphyr::Location) -> Loc {
        Loc::from_saphyr(&self.file, location)
    }

    /// `bank-core-mod-001`: the conventional function's base name (the env is appended).
    pub fn function_base_name(&self) -> String {
        format!("{}-{}", self.repo, self.id.to_lowercase())
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub bus: String,
    pub producer: String,
    pub source: String,
    pub detail_type: String,
    pub description: String,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub name: String,
    /// The bus the rule listens on (`default` for AWS service events).
    pub bus: String,
    pub consumer: String,
    pub events: Vec<String>,
    /// The EventBridge pattern, derived from the events or given raw.
    pub pattern: serde_json::Value,
    pub target: Target,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub kind: TargetKind,
    pub name: Option<String>,
    /// The target is the bus's copy in the DR region.
    pub dr: bool,
}

impl Catalog {
    /// The name under which the entry of kind `key` (`buckets`) called `name` exists in AWS: its
    /// `renamed_from:` when it says one, else `name` itself.
    pub fn physical_name<'n>(&'n self, key: &str, name: &'n str) -> &'n str {
        crate::kinds::KINDS
            .iter()
            .filter(|k| k.key() == key)
            .flat_map(|k| self.modules.iter().flat_map(|m| k.renames(&m.resources)))
            .find(|(n, _)| n.value == name)
            .map_or(name, |(_, old)| old.value.as_str())
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules
            .binary_search_by(|m| m.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.modules[i])
    }

    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    /// The domains as the resource kinds see them.
    pub fn domain_facts(&self) -> Vec<crate::kinds::DomainFacts> {
        self.domains
            .iter()
            .map(|d| crate::kinds::DomainFacts {
                id: d.id.clone(),
                name: d.name.clone(),
                repo: d.repo.clone(),
                bus: d.bus.clone(),
                role: d.role.clone(),
            })
            .collect()
    }

    /// The environments' names, in platform.yaml's order (for "unknown environment" messages).
    pub fn environment_names(&self) -> Vec<&str> {
        self.platform
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.platform.environments.iter().find(|e| e.name == name)
    }

    pub fn phase(&self, id: u32) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    /// Phases that are guaranteed to finish before `phase` starts (its gates, transitively).
    pub fn phases_before(&self, phase: u32) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut stack: Vec<u32> = self
            .phase(phase)
            .map(|p| p.gate.clone())
            .unwrap_or_default();
        while let Some(p) = stack.pop() {
            if !seen.contains(&p) {
                seen.push(p);
                stack.extend(self.phase(p).map(|ph| ph.gate.clone()).unwrap_or_default());
            }
        }
        seen.sort_unstable();
        seen
    }

    pub fn event(&self, bus: &str, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.bus == bus && e.name == name)
    }

    /// The module that owns a bus (the one that declares it among its resources).
    pub fn bus_owner_module(&self, bus: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.resources.event_buses.iter().any(|b| b.name.value == bus))
    }

    pub fn subscriptions_of(&self, module: &str) -> impl Iterator<Item = &Subscription> {
        self.subscriptions
            .iter()
            .filter(move |s| s.consumer == module)
    }

    pub fn counts(&self) -> Counts {
        Counts {
            modules: self.modules.len(),
            domains: self.domains.len(),
            phases: self.phases.len(),
            events: self.events.len(),
            subscriptions: self.subscriptions.len(),
        }
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub modules: usize,
    pub domains: usize,
    pub phases: usize,
    pub events: usize,
    pub subscriptions: usize,
}
