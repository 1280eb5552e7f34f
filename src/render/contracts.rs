//! The SSM contract as the rendered Terraform has it: the parameters each module writes
//! (`ssm.tf`) and reads (`data.tf`). `bankgen docs` lists them; `bankgen verify` checks that a
//! phase's are there.

use crate::diag::Problem;
use crate::model::Catalog;
use std::collections::BTreeMap;

/// A module's SSM contract: the parameters it writes and the ones it reads, as
/// `/bank/{env}/…` paths.
#[derive(Debug, Default, Clone)]
pub struct Contracts {
    pub exports: Vec<(String, String)>,
    pub imports: Vec<String>,
}

/// The SSM parameters every module's Terraform writes (`ssm.tf`) and reads (`data.tf`), from a
/// render of the first environment with its name replaced by `{env}`.
pub fn ssm_contracts(cat: &Catalog) -> Result<BTreeMap<String, Contracts>, Vec<Problem>> {
    let Some(env) = cat.platform.environments.first() else {
        return Ok(BTreeMap::new());
    };
    let tree = super::render_env(cat, &env.name, &super::Options::default())?;
    let prefix = format!("/bank/{}/", env.name);
    let generic = |p: &str| match p.strip_prefix(&prefix) {
        Some(rest) => format!("/bank/{{env}}/{rest}"),
        None => p.to_string(),
    };
    let mut out: BTreeMap<String, Contracts> = BTreeMap::new();
    for (path, text) in &tree.files {
        let Some((module, file)) = path.split_once('/') else {
            continue;
        };
        let (kind, is_export) = match file {
            "ssm.tf" => ("resource", true),
            "data.tf" => ("data", false),
            _ => continue,
        };
        let Ok(body) = hcl::parse(text) else {
            continue;
        };
        let c = out.entry(module.to_string()).or_default();
        for block in body.blocks() {
            let labels = block.labels();
            if block.identifier() != kind
                || labels.first().map(|l| l.as_str()) != Some("aws_ssm_parameter")
            {
                continue;
            }
            let attr = |key: &str| {
                block
                    .body()
                    .attributes()
                    .find(|a| a.key() == key)
                    .and_then(|a| match a.expr() {
                        hcl::Expression::String(s) => Some(s.clone()),
                        _ => None,
                    })
            };
            let Some(name) = attr("name") else { continue };
            if is_export {
                c.exports
                    .push((generic(&name), attr("description").unwrap_or_default()));
            } else {
                c.imports.push(generic(&name));
            }
        }
        c.exports.sort();
        c.imports.sort();
    }
    Ok(out)
}
