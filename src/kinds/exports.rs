//! `exports:`: SSM contract parameters beyond the ones the kinds export by convention, each a
//! resource attribute (`function/NAME.arn`) or a fixed literal.

use super::names::ident;
use super::{Checker, KINDS, ResourceKind, Resources, Scope, Sp, raw};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportEntry {
    /// `{service}/{parameter}` below the environment's SSM prefix.
    pub path: Sp<String>,
    pub description: String,
    /// `<kind>/<name>.<attribute>`, e.g. `function/bank-secrets-rotation.arn`.
    #[serde(default)]
    pub value: Option<Sp<String>>,
    /// A fixed configuration value instead of a resource attribute.
    #[serde(default)]
    pub literal: Option<String>,
}

/// `function/bank-secrets-rotation.arn` → the kind, `bank-secrets-rotation`, `arn`.
pub fn target(value: &str) -> Option<(&'static dyn ResourceKind, &str, &str)> {
    let (word, rest) = value.split_once('/')?;
    let (name, attr) = rest.rsplit_once('.')?;
    let kind = KINDS
        .iter()
        .copied()
        .find(|k| k.export_ref().is_some_and(|r| r.word == word))?;
    (!name.is_empty() && !attr.is_empty()).then_some((kind, name, attr))
}

pub fn check(r: &Resources, c: &mut Checker) {
    let n = c.naming;
    for e in &r.exports {
        c.name(&e.path, &n.ssm_path);
        match (&e.value, &e.literal) {
            (Some(v), None) if target(&v.value).is_none() => c.err(
                "BG001",
                &v.referenced,
                format!("export value `{}` is not `<kind>/<name>.<attribute>`", v.value),
                "e.g. function/bank-secrets-rotation.arn, policy/bank-secrets-namespace.arn, log_group//aws/x.arn",
            ),
            (Some(_), None) | (None, Some(_)) => {}
            _ => c.err(
                "BG001",
                &e.path.referenced,
                format!(
                    "export `{}` needs exactly one of `value` and `literal`",
                    e.path.value
                ),
                "value: refers to a resource attribute; literal: is fixed configuration",
            ),
        }
    }
}

/// The exports the catalogue lists itself, after the kinds' own.
pub fn render(m: &mut Scope) {
    for e in &m.module.resources.exports {
        let loc = m.loc(&e.path.referenced);
        let value = match (&e.value, &e.literal) {
            (Some(v), _) => {
                let Some((kind, name, attr)) = target(&v.value) else {
                    continue;
                };
                let Some(export_ref) = kind.export_ref() else {
                    continue;
                };
                let declared = kind
                    .names(m.module.resources)
                    .iter()
                    .any(|(_, n)| n.value == name);
                if !declared {
                    let problem = crate::diag::Problem::error(
                        "BGR003",
                        Some(m.loc(&v.referenced)),
                        format!(
                            "export `{}` refers to {} `{name}`, which {} does not declare",
                            v.value, export_ref.word, m.module.id
                        ),
                        "export an attribute of a resource of this module",
                    );
                    m.problems.push(problem);
                    continue;
                }
                raw(format!(
                    "{}.{}.{attr}",
                    export_ref.resource_type,
                    (export_ref.label)(name)
                ))
            }
            (None, Some(l)) => json!(m.subst(l)),
            (None, None) => continue,
        };
        let path = m.subst(&e.path.value);
        m.export(path, e.description.clone(), value, &loc);
    }
}

/// The usual label: the name as a Terraform identifier.
pub fn label(name: &str) -> String {
    ident(name)
}
