//! `bankgen graph`.

use crate::catalog::CatalogSource;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_source: &CatalogSource, _short: bool, _args: Args) -> u8 {
    super::not_yet("graph")
}
