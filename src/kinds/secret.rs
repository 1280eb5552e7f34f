//! Secrets Manager: secrets in the `bank-*` namespace, encrypted with their classification's
//! key, rotated every 90 days by the module's rotation function. Never a secret value.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::names::{env_ident, ident};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    pub name: Sp<String>,
    pub purpose: String,
    pub classification: Sp<String>,
    pub rotation_days: Sp<u32>,
    pub rotation_function: Sp<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
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
        "secrets"
    }
    fn noun(&self) -> &'static str {
        "secret"
    }
    fn family(&self) -> &'static str {
        "secrets"
    }
    fn template(&self) -> &'static str {
        "secret.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::SECRETS_MANAGER]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_secretsmanager_secret",
            "aws_secretsmanager_secret_rotation",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_secretsmanager_secret"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL901", "BGL902", "BGL903", "BGL904", "BGL201"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.secrets.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.secrets.iter().map(|x| ("secret", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.secrets
            .iter()
            .map(|x| (format!("secret {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, r: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        r.secrets
            .iter()
            .filter_map(|x| x.renamed_from.as_ref().map(|f| (&x.name, f)))
            .collect()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "secret",
            resource_type: "aws_secretsmanager_secret",
            label: env_ident,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        let functions = r.functions.iter().map(|f| f.name.value.as_str());
        for s in &r.secrets {
            guard::check_allow(
                s.allow_replace.as_ref(),
                &format!("secret `{}`", s.name.value),
                c,
            );
            guard::check_rename(&s.name, s.renamed_from.as_ref(), "secret", c);
            c.name(&s.name, &n.secret);
            c.classification(&s.classification);
            c.declared(
                "BG011",
                "rotation function",
                "functions of this module",
                &s.rotation_function,
                functions.clone(),
            );
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
    for s in &m.module.resources.secrets {
        // The physical name stays the old one after a rename; the label follows the new name.
        let name = m.subst(guard::physical(&s.name, s.renamed_from.as_ref()));
        let id = env_ident(&s.name.value);
        let loc = m.loc(&s.name.referenced);
        let key = m.key_arn(&s.classification.value);
        let mut tags = m.class_tags(&s.classification.value);
        if let Value::Object(t) = &mut tags {
            for (k, v) in &s.tags {
                t.insert(k.clone(), json!(v));
            }
        }
        let ctx = json!({
            "id": id,
            "name": name,
            "purpose": s.purpose,
            "key": key,
            "rotation_days": s.rotation_days.value,
            "rotation_fn": ident(&s.rotation_function.value),
            // An emulator's secrets are recreated with the environment; real ones keep the
            // 30-day recovery window.
            "recovery_days": if m.env.emulator { 0 } else { 30 },
            "tags": tags,
        });
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_secretsmanager_secret.{id}"),
            format!("secret {}", s.name.value),
            &loc,
            guard::allowance(s.allow_replace.as_ref(), m),
        );
        if let Some(old) = &s.renamed_from {
            let blocks = [
                ("aws_secretsmanager_secret", ""),
                ("aws_secretsmanager_secret_rotation", ""),
            ];
            guard::moved(m, &loc, &env_ident(&old.value), &id, &blocks);
        }
    }
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    let list = &r.secrets;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|x| {
            vec![
                code(guard::physical(&x.name, x.renamed_from.as_ref())),
                esc(&x.purpose),
                code(&d.key_alias(&x.classification.value)),
                format!("every {}", days(x.rotation_days.value)),
                code(&x.rotation_function.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Secrets",
        "",
        &["Secret", "Purpose", "Key", "Rotation", "Rotation function"],
        rows,
    ))
}
