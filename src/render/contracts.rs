//! The SSM contract as the rendered Terraform has it: the parameters each module writes
//! (`ssm.tf`) and reads (`data.tf`). `bankgen docs` lists them; `bankgen verify` checks that a
//! phase's are there.

use crate::diag::Problem;
use crate::model::Catalog;
use std::collections::BTreeMap;

/// A module's SSM contract: the parameters it writes and the ones it reads, as
/// `/bank/{env}/…` paths.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Contracts {
    pub exports: Vec<(String, String)>,
    pub imports: Vec<String>,
}

/// The SSM parameters every module's Terraform writes (`ssm.tf`) and reads (`data.tf`), as the
/// render of the first environment hands them over, with `{env}` for its name.
pub fn ssm_contracts(cat: &Catalog) -> Result<BTreeMap<String, Contracts>, Vec<Problem>> {
    let Some(env) = cat.platform.environments.first() else {
        return Ok(BTreeMap::new());
    };
    Ok(super::render_env(cat, &env.name, &super::Options::default())?.contracts)
}
