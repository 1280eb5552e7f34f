//! `bankgen plan`, `bankgen apply`, `bankgen destroy`.

use crate::catalog::CatalogSource;

#[derive(Debug, Clone, Copy)]
pub enum Action {
    Plan,
    Apply,
    Destroy,
}

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_source: &CatalogSource, _short: bool, action: Action, _args: Args) -> u8 {
    super::not_yet(match action {
        Action::Plan => "plan",
        Action::Apply => "apply",
        Action::Destroy => "destroy",
    })
}
