//! bankgen: the bank's architecture catalogue → Terraform → policy checks → ordered deploys.
//!
//! The pipeline, one folder per stage: [`catalog`] reads YAML, [`model`] checks it and resolves
//! references, `render` writes Terraform, `lint` checks Terraform, `deploy` runs it in order.

// Diagnostics carry their source snippet; they are returned on cold error paths only.
#![allow(clippy::result_large_err)]

pub mod atomic;
pub mod base64;
pub mod catalog;
pub mod cli;
pub mod deploy;
pub mod diag;
pub mod kinds;
pub mod lint;
pub mod model;
pub mod publish;
pub mod render;

use catalog::CatalogSource;
use diag::Problem;

/// Read and check a catalogue. `Err` holds every problem found (never only the first).
pub fn load_catalog(
    source: &CatalogSource,
) -> Result<(model::Catalog, Vec<Problem>), Vec<Problem>> {
    let (raw, problems) = catalog::load(source);
    match model::build(raw, problems) {
        (Some(mut cat), mut problems) => {
            cat.policies_dir = source.policies_dir();
            // The recovery tiers need the catalogue's own policies/dr.yaml (optional).
            match catalog::read_dr_policy(cat.policies_dir.as_deref()) {
                Ok(Some(dr)) => {
                    let modules: Vec<_> = cat
                        .modules
                        .iter()
                        .map(|m| (&m.resources, &m.file))
                        .collect();
                    kinds::recovery::check_dr_protected_replication(&modules, &dr, &mut problems);
                }
                Ok(None) => {}
                Err(e) => problems.push(Problem::error("BG040", None, e, "fix policies/dr.yaml")),
            }
            if problems.iter().any(|p| p.severity == diag::Severity::Error) {
                return Err(problems);
            }
            Ok((cat, problems))
        }
        (None, problems) => Err(problems),
    }
}
