//! AWS Budgets: a cost budget per environment with its billing alerts (seed 002: "Cost monitoring
//! uses CloudWatch metrics and billing alarms to track spending. Budget alerts notify teams when
//! spending exceeds thresholds."). The amount is catalogue data (one default, per-environment
//! overrides); each notification fires on the actual or the forecasted spend at a percentage of
//! it and goes to an SNS topic of the catalogue (whose policy then lets `budgets.amazonaws.com`
//! publish, sns_topic.rs) and/or to e-mail subscribers. The spend may be narrowed to the platform's
//! own resources by their `tenant_id` tag (a cost allocation tag).

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// One entry of a module's `resources: budgets:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The monthly cost limit in USD, in every environment not named in `limit_usd_by_env`.
    pub limit_usd: Sp<u32>,
    /// Environment → its own monthly limit in USD.
    #[serde(default)]
    pub limit_usd_by_env: BTreeMap<String, Sp<u32>>,
    /// Count only the cost of resources tagged `tenant_id` = the platform's tenant (the tag is a
    /// cost allocation tag of the account).
    #[serde(default)]
    pub tenant_only: bool,
    pub notifications: Vec<Notification>,
}

/// One alert of a budget.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// `ACTUAL` (spent) or `FORECASTED` (expected by the end of the month).
    pub spend: Sp<String>,
    /// Percentage of the limit at which it fires.
    pub threshold_percent: Sp<u32>,
    /// An SNS topic of the catalogue (its module's own, else by SSM contract).
    #[serde(default)]
    pub topic: Option<Sp<String>>,
    /// E-mail subscribers; `{env}` is filled in.
    #[serde(default)]
    pub emails: Vec<Sp<String>>,
}

/// The kinds of spend a notification may watch.
pub const SPEND: &[&str] = &["ACTUAL", "FORECASTED"];

impl Entry {
    /// The monthly limit in environment `env`.
    pub fn limit_in(&self, env: &str) -> u32 {
        self.limit_usd_by_env
            .get(env)
            .map(|v| v.value)
            .unwrap_or(self.limit_usd.value)
    }
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "budgets"
    }
    fn noun(&self) -> &'static str {
        "budget"
    }
    fn family(&self) -> &'static str {
        "budgets"
    }
    fn template(&self) -> &'static str {
        "budget.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::BUDGETS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_budgets_budget"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL551"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.budgets.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.budgets.iter().map(|x| ("budget", &x.name)).collect()
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
        for x in &r.budgets {
            c.name(&x.name, &n.resource);
            for limit in std::iter::once(&x.limit_usd).chain(x.limit_usd_by_env.values()) {
                if limit.value == 0 {
                    c.err(
                        "BG001",
                        &limit.referenced,
                        format!("budget `{}` has a limit of 0 USD", x.name.value),
                        "a monthly limit in USD above 0",
                    );
                }
            }
            if x.notifications.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("budget `{}` has no notification", x.name.value),
                    "seed 002: budget alerts notify teams: add a notification with a topic or e-mails",
                );
            }
            for nt in &x.notifications {
                if !SPEND.contains(&nt.spend.value.as_str()) {
                    c.err(
                        "BG001",
                        &nt.spend.referenced,
                        format!("unknown spend `{}`", nt.spend.value),
                        format!("one of {}", SPEND.join(", ")),
                    );
                }
                if nt.threshold_percent.value == 0 {
                    c.err(
                        "BG001",
                        &nt.threshold_percent.referenced,
                        format!("budget `{}`: a threshold of 0 %", x.name.value),
                        "a percentage of the limit above 0",
                    );
                }
                if nt.topic.is_none() && nt.emails.is_empty() {
                    c.err(
                        "BG001",
                        &nt.spend.referenced,
                        format!(
                            "budget `{}`: a notification without subscriber",
                            x.name.value
                        ),
                        "name a `topic:` of the catalogue or `emails:`",
                    );
                }
                for e in &nt.emails {
                    if !e.value.contains('@') {
                        c.err(
                            "BG001",
                            &e.referenced,
                            format!("`{}` is not an e-mail address", e.value),
                            "an e-mail address",
                        );
                    }
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.budgets {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let notifications: Vec<_> = x
                .notifications
                .iter()
                .map(|nt| {
                    let topics: Vec<_> = nt.topic.iter().map(|t| m.topic_arn(&t.value)).collect();
                    let emails: Vec<_> = nt.emails.iter().map(|e| m.subst(&e.value)).collect();
                    json!({
                        "spend": nt.spend.value,
                        "threshold": nt.threshold_percent.value,
                        "topics": topics,
                        "emails": emails,
                    })
                })
                .collect();
            let tenant_filter = x
                .tenant_only
                .then(|| format!("user:tenant_id${}", m.tenant));
            let ctx = json!({
                "id": id,
                "name": m.env_name(&x.name.value),
                "purpose": x.purpose,
                "limit": format!("{}", x.limit_in(m.env.name)),
                "tenant_filter": tenant_filter,
                "notifications": notifications,
            });
            m.emit(self, &loc, ctx);
            m.export(
                format!("budget/{}/name", x.name.value),
                format!("Name of the {} budget: {}", x.name.value, x.purpose),
                raw(format!("aws_budgets_budget.{id}.name")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.budgets.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Budgets",
            "Each budget: a monthly COST budget in USD, its name with `-{env}` appended; each notification fires at a percentage of the limit on the actual or the forecasted spend.",
            &[
                "Budget",
                "Purpose",
                "Limit (USD / month)",
                "Scope",
                "Notifications",
            ],
            r.budgets
                .iter()
                .map(|x| {
                    let mut limit = x.limit_usd.value.to_string();
                    for (env, v) in &x.limit_usd_by_env {
                        limit.push_str(&format!("<br>{}: {}", esc(env), v.value));
                    }
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        limit,
                        if x.tenant_only {
                            format!("resources tagged {}", code("tenant_id"))
                        } else {
                            "the account".into()
                        },
                        x.notifications
                            .iter()
                            .map(|nt| {
                                let mut to: Vec<String> =
                                    nt.topic.iter().map(|t| code(&t.value)).collect();
                                to.extend(nt.emails.iter().map(|e| code(&e.value)));
                                format!(
                                    "{} {} % → {}",
                                    esc(&nt.spend.value),
                                    nt.threshold_percent.value,
                                    to.join(", ")
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("<br>"),
                    ]
                })
                .collect(),
        ))
    }
}
