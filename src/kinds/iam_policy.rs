//! IAM managed policies written in the catalogue as statements (seed 004's namespace policy).

use super::md::{code, esc, statements};
use super::names::ident;
use super::policy::Statement;
use super::policy::{catalogue_statements, policy};
use super::raw;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: Sp<String>,
    pub description: String,
    pub statements: Vec<Statement>,
    /// Catalogue roles (`iam_roles:` of this module or of one it depends on) it is attached to.
    #[serde(default)]
    pub attach_to: Vec<Sp<String>>,
    /// Who attaches it outside the tree (a person's permission set, a third party's role): the
    /// access check lists it as external instead of asking for an attachment (BGL805).
    #[serde(default)]
    pub attached_outside: Option<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "iam_policies"
    }
    fn noun(&self) -> &'static str {
        "IAM policy"
    }
    fn family(&self) -> &'static str {
        "iam"
    }
    fn template(&self) -> &'static str {
        "iam_policy.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::IAM]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_iam_policy", "aws_iam_role_policy_attachment"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL801"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.iam_policies.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.iam_policies
            .iter()
            .map(|x| ("IAM policy", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "policy",
            resource_type: "aws_iam_policy",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for p in &r.iam_policies {
            c.name(&p.name, &n.resource);
            if let (Some(outside), Some(role)) = (&p.attached_outside, p.attach_to.first()) {
                c.err(
                    "BG001",
                    &outside.referenced,
                    format!(
                        "policy `{}` is attached to `{}` and said to be attached outside the tree",
                        p.name.value, role.value
                    ),
                    "keep `attach_to:` (roles of the catalogue) or `attached_outside:` (who attaches it elsewhere), not both",
                );
            }
            for st in &p.statements {
                if st.effect.value != "Allow" && st.effect.value != "Deny" {
                    c.err(
                        "BG001",
                        &st.effect.referenced,
                        format!("unknown effect `{}`", st.effect.value),
                        "an IAM statement's effect is Allow or Deny",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

fn render(kind: &Kind, m: &mut Scope) {
    for p in &m.module.resources.iam_policies {
        let id = ident(&p.name.value);
        let loc = m.loc(&p.name.referenced);
        let ctx = json!({
            "id": id,
            "name": m.env_name(&p.name.value),
            "description": p.description,
            "policy": policy(catalogue_statements(m, &p.statements)),
            "attach_to": p.attach_to.iter().map(|r| &r.value).collect::<Vec<_>>(),
        });
        m.emit(kind, &loc, ctx);
        // A module that publishes the policy under its own contract path does not need a second one.
        let published = format!("policy/{}.arn", p.name.value);
        if m.module
            .resources
            .exports
            .iter()
            .any(|e| e.value.as_ref().is_some_and(|v| v.value == published))
        {
            continue;
        }
        m.export(
            format!("iam/{}/arn", p.name.value),
            format!("ARN of the {} policy: {}", p.name.value, p.description),
            raw(format!("aws_iam_policy.{id}.arn")),
            &loc,
        );
    }
}

fn docs(r: &Resources, _: &Docs) -> Option<DocSection> {
    let list = &r.iam_policies;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|p| {
            vec![
                code(&p.name.value),
                esc(&p.description),
                statements(&p.statements),
            ]
        })
        .collect();
    Some(DocSection::new(
        "IAM policies",
        "",
        &["Policy", "Description", "Statements"],
        rows,
    ))
}
