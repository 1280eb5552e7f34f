//! CloudWatch log groups declared in the catalogue, encrypted with their classification's key.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names;
use super::names::env_ident;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    pub retention_days: Sp<u32>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
    /// Its previous name: its physical resources and SSM paths keep that one, and render moves
    /// their Terraform state to the labels of the new name (src/kinds/guard.rs).
    #[serde(default)]
    pub renamed_from: Option<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "log_groups"
    }
    fn noun(&self) -> &'static str {
        "log group"
    }
    fn family(&self) -> &'static str {
        "logs"
    }
    fn template(&self) -> &'static str {
        "log_group.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::LOGS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL504", "BGL505", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.log_groups.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.log_groups
            .iter()
            .map(|x| ("log group", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.log_groups
            .iter()
            .map(|x| (format!("log group {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.log_groups
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "log_group",
            resource_type: "aws_cloudwatch_log_group",
            label: env_ident,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        for l in &r.log_groups {
            guard::check_allow(
                l.allow_replace.as_ref(),
                &format!("log group `{}`", l.name.value),
                c,
            );
            guard::check_rename(&l.name, l.renamed_from.as_ref(), "log group", c);
            c.name(&l.name, &names::LOG_GROUP);
            c.classification(&l.classification);
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
    for l in &m.module.resources.log_groups {
        // The physical name stays the old one after a rename; the label follows the new name.
        let name = m.subst(guard::physical(&l.name, l.renamed_from.as_ref()));
        let loc = m.loc(&l.name.referenced);
        let key = m.key_arn(&l.classification.value);
        let id = env_ident(&l.name.value);
        let ctx = json!({
            "id": id,
            "name": name,
            "purpose": l.purpose,
            "retention": l.retention_days.value,
            "key": key,
            "tags": m.class_tags(&l.classification.value),
        });
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_cloudwatch_log_group.{id}"),
            format!("log group {}", l.name.value),
            &loc,
            guard::allowance(l.allow_replace.as_ref(), m),
        );
        if let Some(old) = &l.renamed_from {
            let blocks = [("aws_cloudwatch_log_group", "")];
            guard::moved(m, &loc, &env_ident(&old.value), &id, &blocks);
        }
    }
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.log_groups;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|l| {
            vec![
                code(guard::physical(&l.name, l.renamed_from.as_ref())),
                esc(&l.purpose),
                code(&d.key_alias(&l.classification.value)),
                days(l.retention_days.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Log groups",
        "",
        &["Log group", "Purpose", "Key", "Retention"],
        rows,
    ))
}
