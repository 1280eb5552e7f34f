//! `bankgen lint`, `bankgen rules`, `bankgen explain`.

use crate::catalog::CatalogSource;

#[derive(clap::Args, Debug)]
pub struct Args {}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code
    pub code: String,
}

pub fn run(_source: &CatalogSource, _short: bool, _args: Args) -> u8 {
    super::not_yet("lint")
}

pub fn rules(_args: RulesArgs) -> u8 {
    super::not_yet("rules")
}

pub fn explain(_args: ExplainArgs) -> u8 {
    super::not_yet("explain")
}
