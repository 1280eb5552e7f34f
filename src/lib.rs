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
        (Some(mut cat), problems) => {
            cat.policies_dir = source.policies_dir();
            Ok((cat, problems))
        }
        (None, problems) => Err(problems),
    }
}
