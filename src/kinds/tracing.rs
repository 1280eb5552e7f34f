//! X-Ray tracing configuration (seed 001 MOD-076: "X-Ray tracing config"; seed 002: "X-Ray
//! traces requests across distributed services … highlights errors"): sampling rules and groups.
//! A kind of its own, apart from `observability`, because the emulator serves no X-Ray
//! configuration API (moto 5.2.5: `CreateSamplingRule`, `CreateGroup` are 404): the local
//! environment lists it in `emulator.unserved_kinds`.

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: tracing:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    #[serde(default)]
    pub sampling_rules: Vec<SamplingRule>,
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingRule {
    /// At most 32 characters with the environment appended.
    pub name: Sp<String>,
    pub priority: u32,
    /// The share of requests traced beyond the reservoir, 0 to 1.
    pub fixed_rate: Sp<f64>,
    /// Requests traced per second before the fixed rate applies.
    pub reservoir_size: u32,
    #[serde(default = "any")]
    pub service_name: String,
    #[serde(default = "any")]
    pub url_path: String,
}

fn any() -> String {
    "*".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: Sp<String>,
    /// An X-Ray filter expression (`fault = true OR error = true`).
    pub filter: String,
}

pub struct Kind;
pub const KIND: Kind = Kind;

/// `{name}-{env}` must fit X-Ray's 32 characters for a rule name (with the longest environment).
const RULE_NAME_MAX: usize = 32 - "-staging".len();

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "tracing"
    }
    fn noun(&self) -> &'static str {
        "tracing configuration"
    }
    fn family(&self) -> &'static str {
        "xray"
    }
    fn template(&self) -> &'static str {
        "tracing.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::XRAY]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_xray_sampling_rule", "aws_xray_group"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL521"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.tracing.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.tracing
            .iter()
            .flat_map(|x| {
                x.sampling_rules
                    .iter()
                    .map(|s| ("X-Ray sampling rule", &s.name))
                    .chain(x.groups.iter().map(|g| ("X-Ray group", &g.name)))
            })
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.tracing {
            c.name(&x.name, &n.resource);
            for s in &x.sampling_rules {
                c.name(&s.name, &n.resource);
                if s.name.value.len() > RULE_NAME_MAX {
                    c.err(
                        "BG001",
                        &s.name.referenced,
                        format!("sampling rule name `{}` is too long", s.name.value),
                        format!("at most {RULE_NAME_MAX} characters: X-Ray allows 32 with the environment appended"),
                    );
                }
                if !(1..=9999).contains(&s.priority) {
                    c.err(
                        "BG001",
                        &s.name.referenced,
                        format!(
                            "sampling rule `{}`: priority {} is not between 1 and 9999",
                            s.name.value, s.priority
                        ),
                        "X-Ray evaluates rules by priority, 1 first; 9999 at most",
                    );
                }
                if !(0.0..=1.0).contains(&s.fixed_rate.value) {
                    c.err(
                        "BG001",
                        &s.fixed_rate.referenced,
                        format!("fixed_rate {} is not between 0 and 1", s.fixed_rate.value),
                        "a share of the requests: 0.05 traces 5%",
                    );
                }
            }
            for g in &x.groups {
                c.name(&g.name, &n.resource);
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.tracing {
            for s in &x.sampling_rules {
                let loc = m.loc(&s.name.referenced);
                let ctx = json!({
                    "part": "rule",
                    "id": ident(&s.name.value),
                    "name": m.env_name(&s.name.value),
                    "priority": s.priority,
                    "fixed_rate": s.fixed_rate.value,
                    "reservoir": s.reservoir_size,
                    "service": s.service_name,
                    "url_path": s.url_path,
                });
                m.emit(self, &loc, ctx);
            }
            for g in &x.groups {
                let loc = m.loc(&g.name.referenced);
                let ctx = json!({
                    "part": "group",
                    "id": ident(&g.name.value),
                    "name": m.env_name(&g.name.value),
                    "filter": g.filter,
                });
                m.emit(self, &loc, ctx);
            }
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.tracing.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "X-Ray tracing",
            "Sampling rules (requests per second, then a share of the rest) and groups (filter expressions).",
            &["Entry", "Purpose", "Sampling rules", "Groups"],
            r.tracing
                .iter()
                .map(|x| {
                    vec![
                        code(&x.name.value),
                        esc(&x.purpose),
                        x.sampling_rules
                            .iter()
                            .map(|s| {
                                format!(
                                    "{}: {}/s then {} of {} {}",
                                    code(&s.name.value),
                                    s.reservoir_size,
                                    s.fixed_rate.value,
                                    code(&s.service_name),
                                    code(&s.url_path)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("<br>"),
                        x.groups
                            .iter()
                            .map(|g| format!("{}: {}", code(&g.name.value), code(&g.filter)))
                            .collect::<Vec<_>>()
                            .join("<br>"),
                    ]
                })
                .collect(),
        ))
    }
}
