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

/// One data store of the catalogue with its tier and whether it replicates.
struct Tiered<'r> {
    noun: &'static str,
    name: &'r Sp<String>,
    tier: &'r Sp<String>,
    replicated: bool,
}

/// Every entry of a module that names a `recovery_tier:`, and whether it has a DR copy.
fn tiered(r: &Resources) -> Vec<Tiered<'_>> {
    let mut out = Vec::new();
    for b in &r.buckets {
        if let Some(tier) = &b.recovery_tier {
            out.push(Tiered {
                noun: "bucket",
                name: &b.name,
                tier,
                replicated: b.replication.is_some(),
            });
        }
    }
    for t in &r.dynamodb_tables {
        if let Some(tier) = &t.recovery_tier {
            out.push(Tiered {
                noun: "DynamoDB table",
                name: &t.name,
                tier,
                replicated: t.replication.is_some(),
            });
        }
    }
    for a in &r.aurora_clusters {
        if let Some(tier) = &a.recovery_tier {
            out.push(Tiered {
                noun: "Aurora cluster",
                name: &a.name,
                tier,
                replicated: a.replication.is_some(),
            });
        }
    }
    out
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
        for e in tiered(res) {
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
                        e.noun, e.name.value, e.tier.value
                    ),
                    "add `replication:` (a replica in the platform's dr_region), or name a tier that policies/dr.yaml does not protect",
                ));
            }
        }
    }
}
