//! The SSM contract as the rendered Terraform has it: the parameters each module writes
//! (`ssm.tf`) and reads (`data.tf`). `bankgen docs` lists them; `bankgen verify` checks that a
//! phase's are there.

use crate::diag::{Loc, Problem};
use crate::model::Catalog;
use std::collections::BTreeMap;

/// A module's SSM contract: the parameters it writes and the ones it reads, as
/// `/bank/{env}/…` paths.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Contracts {
    pub exports: Vec<(String, String)>,
    pub imports: Vec<String>,
}

/// The SSM parameters every module's Terraform writes (`ssm.tf`) and reads (`data.tf`), with
/// `{env}` for the environment's name, as the render of `env` hands them over; without `env`,
/// the first environment that is not an emulator's (an emulator's tree may leave kinds out).
pub fn ssm_contracts(
    cat: &Catalog,
    env: Option<&str>,
) -> Result<BTreeMap<String, Contracts>, Vec<Problem>> {
    let envs = &cat.platform.environments;
    let chosen = match env {
        Some(e) => envs.iter().find(|x| x.name == e),
        None => envs.iter().find(|x| x.emulator.is_none()).or(envs.first()),
    };
    let Some(env) = chosen else {
        return Ok(BTreeMap::new());
    };
    Ok(super::render_env(cat, &env.name, &super::Options::default())?.contracts)
}

/// Every parameter a module reads must be written by a module deployed before it (or by
/// itself): otherwise its first plan fails on a missing parameter (`ParameterNotFound`), and
/// the catalogue, not the deploy, is what has to change. BG050: nobody writes it; BG051: the
/// writer is not ordered before the reader.
pub fn order_problems(cat: &Catalog, contracts: &BTreeMap<String, Contracts>) -> Vec<Problem> {
    let mut writer: BTreeMap<&str, &str> = BTreeMap::new();
    for (module, c) in contracts {
        for (path, _) in &c.exports {
            writer.insert(path, module);
        }
    }
    let order = crate::model::graph::Precedence::build(cat);
    // What each writer that is read is deployed before: one walk per writer.
    let mut after = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for m in &cat.modules {
        let Some(c) = contracts.get(&m.id) else {
            continue;
        };
        for path in &c.imports {
            let at = Some(Loc::file_start(&m.file));
            match writer.get(path.as_str()) {
                None => problems.push(Problem::error(
                    "BG050",
                    at,
                    format!("{} reads the SSM parameter `{path}`, which no module writes", m.id),
                    "add the resource that exports it to a module this one depends on, or remove the reference",
                )),
                Some(&w) if w != m.id => {
                    let Some(mi) = order.node(&m.id) else {
                        continue;
                    };
                    let later = after.entry(w).or_insert_with(|| order.after(w));
                    if !later.as_ref().is_some_and(|set| set.contains(mi)) {
                        problems.push(Problem::error(
                            "BG051",
                            at,
                            format!(
                                "{} reads the SSM parameter `{path}`, which {w} writes, but {w} is not deployed before {}",
                                m.id, m.id
                            ),
                            format!(
                                "add `- module: {w}` to {}'s depends_on (or move the resource into a module it depends on)",
                                m.id
                            ),
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
    problems
}
