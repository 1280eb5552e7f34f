//! Recovery tiers (policies/dr.yaml, seed 002: "Cross-region replication keeps data synchronized
//! between regions"): the catalogue's data stores name their tier with `recovery_tier:`
//! (rendered as the `recovery_tier` tag, which BGL550 reads on the Terraform); an entry whose tier
//! the policy marks as DR-protected must say `replication:`.

use super::Resources;
use super::Sp;
use super::scope::RECOVERY_TIER_TAG;
use crate::diag::{Loc, Problem, SourceFile};
use serde::Deserialize;
use std::sync::Arc;

/// Which data must survive the loss of its region (`policies/dr.yaml`, optional: a catalogue
/// without a DR region has none, and then BGL550 and the catalogue check have nothing to check).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrPolicy {
    /// The tag that names a resource's recovery tier (`recovery_tier`).
    pub tier_tag: String,
    /// Every tier a catalogue entry may name.
    pub tiers: Vec<String>,
    /// The tiers whose data stores replicate to another region.
    pub protected: Vec<String>,
}

impl DrPolicy {
    pub fn protects(&self, tier: &str) -> bool {
        self.protected.iter().any(|t| t == tier)
    }
}

/// One data store of the catalogue with its tier and whether it replicates
/// ([`super::ResourceKind::tiered`]).
pub struct Tiered<'r> {
    pub name: &'r Sp<String>,
    pub tier: &'r Sp<String>,
    pub replicated: bool,
}

/// The catalogue check of the recovery tiers against the catalogue's `dr.yaml`: every tier is
/// one the policy knows (BG001), and an entry of a DR-protected tier replicates (BG040). `dr.yaml`
/// names the tag render writes (`recovery_tier`), or BGL550 would look for another.
pub fn check_dr_protected_replication(
    modules: &[(&Resources, &Arc<SourceFile>)],
    dr: &DrPolicy,
    problems: &mut Vec<Problem>,
) {
    if dr.tier_tag != RECOVERY_TIER_TAG {
        problems.push(Problem::error(
            "BG040",
            None,
            format!(
                "policies/dr.yaml: tier_tag is `{}`, but render writes the tier as the `{RECOVERY_TIER_TAG}` tag",
                dr.tier_tag
            ),
            format!("set `tier_tag: {RECOVERY_TIER_TAG}`"),
        ));
    }
    for (res, file) in modules {
        for (kind, e) in super::KINDS
            .iter()
            .flat_map(|k| k.tiered(res).into_iter().map(move |e| (k, e)))
        {
            let at = Loc::from_saphyr(file, &e.tier.referenced);
            if !dr.tiers.contains(&e.tier.value) {
                problems.push(Problem::error(
                    "BG001",
                    Some(at),
                    format!("unknown recovery tier `{}`", e.tier.value),
                    format!("one of {} (policies/dr.yaml)", dr.tiers.join(", ")),
                ));
            } else if dr.protects(&e.tier.value) && !e.replicated {
                problems.push(Problem::error(
                    "BG040",
                    Some(at),
                    format!(
                        "{} `{}` is in the DR-protected tier `{}`, but it has no `replication:`",
                        kind.noun(),
                        e.name.value,
                        e.tier.value
                    ),
                    "add `replication:` (a replica in the platform's dr_region), or name a tier that policies/dr.yaml does not protect",
                ));
            }
        }
    }
}
