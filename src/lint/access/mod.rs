//! The access check: every wire the catalogue implies ([`wires`]) evaluated against the
//! identity, resource and key policies of the rendered tree ([`tree`]) with AWS's evaluation
//! logic ([`eval`]). Used by BGL804 (access-wire) and `bankgen access`.

pub mod eval;
pub mod tree;
pub mod wires;

use crate::model::Catalog;
use eval::{Decision, PolicyKind, Tri};
use serde::Serialize;
use std::path::Path;
use tree::Tree;
use wires::Wire;

/// One wire and its answer, one entry per action.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub kind: &'static str,
    pub principal: String,
    pub resource: String,
    pub what: String,
    /// `allowed`, `refused`, `unknown`, `absent` (the tree lacks what the wire needs) or
    /// `external` (the catalogue says its other end is outside the tree).
    pub status: &'static str,
    pub actions: Vec<ActionOutcome>,
    /// The catalogue line of the wire.
    pub catalogue: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    pub loc: crate::diag::Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionOutcome {
    pub action: String,
    pub allowed: Tri,
    pub allowed_by: Vec<String>,
    pub denied_by: Vec<String>,
    /// The policies that lack the grant: `identity policy MOD-104 aws_iam_role_policy.x (file:line)`.
    pub missing: Vec<String>,
    pub unknown: Vec<String>,
}

fn missing_text(kind: PolicyKind, place: &Option<eval::Place>, w: &Wire) -> String {
    match place {
        Some(p) => format!("{} {} ({}:{})", kind.noun(), p.policy, p.file, p.line),
        None => match kind {
            PolicyKind::Identity => format!("an identity policy ({} has none)", w.who_label),
            _ => format!("a {} ({} has none)", kind.noun(), w.what),
        },
    }
}

/// Evaluate one wire.
pub fn evaluate(t: &Tree, w: &Wire) -> Outcome {
    let catalogue = w.loc.place();
    let mut o = Outcome {
        kind: w.kind,
        principal: w.who_label.clone(),
        resource: w.resource.clone(),
        what: w.what.clone(),
        status: "allowed",
        actions: Vec::new(),
        catalogue,
        note: None,
        loc: w.loc.clone(),
    };
    if let Some(who) = &w.external {
        o.status = "external";
        o.note = Some(who.clone());
        return o;
    }
    if let Some(why) = &w.absent {
        o.status = "absent";
        o.note = Some(why.clone());
        return o;
    }
    let empty = Vec::new();
    let (identity, identity_place) = match &w.who {
        eval::Who::Role(arn) => (
            t.identity.get(arn).unwrap_or(&empty),
            t.identity_place.get(arn).cloned(),
        ),
        eval::Who::Service(_) => (&empty, None),
    };
    // An S3 object is governed by its bucket's policy.
    let holder = match w.resource.strip_prefix("arn:aws:s3:::") {
        Some(rest) => format!("arn:aws:s3:::{}", rest.split('/').next().unwrap_or(rest)),
        None => w.resource.clone(),
    };
    let resource = t.resource.get(&holder).unwrap_or(&empty);
    let resource_place = t.resource_place.get(&holder).cloned();
    let mut all = Tri::Yes;
    for a in &w.actions {
        let req = eval::Request {
            who: w.who.clone(),
            action: a.clone(),
            resource: w.resource.clone(),
            account: t.account.clone(),
            context: w.context.clone(),
            complete: w.complete.clone(),
        };
        let d: Decision = eval::evaluate(
            &req,
            &eval::Policies {
                identity,
                identity_place: identity_place.clone(),
                resource,
                resource_place: resource_place.clone(),
                kms: w.kms,
            },
        );
        all = match (all, d.allowed) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::Yes,
        };
        o.actions.push(ActionOutcome {
            action: a.clone(),
            allowed: d.allowed,
            allowed_by: d.allowed_by,
            denied_by: d.denied_by,
            missing: d
                .missing
                .iter()
                .map(|(k, p)| missing_text(*k, p, w))
                .collect(),
            unknown: d.unknown,
        });
    }
    o.status = match all {
        Tri::Yes => "allowed",
        Tri::No => "refused",
        Tri::Unknown => "unknown",
    };
    o
}

/// Every wire of one environment's tree, evaluated.
pub fn check(cat: &Catalog, t: &Tree) -> Vec<Outcome> {
    wires::wires(cat, t)
        .iter()
        .map(|w| evaluate(t, w))
        .collect()
}

/// Load an environment's folder and check it.
/// File names are shown relative to `strip` when given (a temporary folder).
pub fn check_dir(
    cat: &Catalog,
    env: &str,
    dir: &Path,
    strip: Option<&Path>,
) -> Result<Vec<Outcome>, String> {
    let e = cat
        .environment(env)
        .ok_or_else(|| format!("unknown environment {env}"))?;
    let t = Tree::load(dir, strip, env, &e.account_id, &cat.platform.region)?;
    Ok(check(cat, &t))
}

impl Outcome {
    /// `BankCoreRole → secretsmanager:GetSecretValue → secret bank-core/neon`.
    pub fn wire_text(&self) -> String {
        let refused: Vec<&str> = self
            .actions
            .iter()
            .filter(|a| a.allowed != Tri::Yes)
            .map(|a| a.action.as_str())
            .collect();
        let actions = if refused.is_empty() {
            self.actions
                .iter()
                .map(|a| a.action.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            refused.join(", ")
        };
        format!("{} → {} → {}", self.principal, actions, self.what)
    }

    /// The policies that lack the grant, for a finding's message.
    pub fn missing_text(&self) -> String {
        let mut m: Vec<&str> = self
            .actions
            .iter()
            .flat_map(|a| a.missing.iter().map(String::as_str))
            .collect();
        m.sort();
        m.dedup();
        let mut d: Vec<&str> = self
            .actions
            .iter()
            .flat_map(|a| a.denied_by.iter().map(String::as_str))
            .collect();
        d.sort();
        d.dedup();
        let mut out = Vec::new();
        if !m.is_empty() {
            out.push(format!("no grant in {}", m.join("; ")));
        }
        if !d.is_empty() {
            out.push(format!("denied by {}", d.join("; ")));
        }
        out.join("; ")
    }
}

/// The findings of BGL804 for one environment's outcomes: an error for a refused wire or one
/// the tree cannot carry, a warning for one that cannot be decided before a plan.
pub fn findings(env: &str, outcomes: &[Outcome]) -> Vec<crate::lint::Finding> {
    use crate::diag::Severity;
    let mut out = crate::lint::finding::Out::new(CODE, Severity::Error);
    for o in outcomes {
        match o.status {
            "refused" => out.at_loc(
                &o.loc,
                Some(format!("{} wire", o.kind)),
                format!(
                    "{env}: AWS would refuse the wire {} ({})",
                    o.wire_text(),
                    o.missing_text()
                ),
                "add the grant to the policy named (or correct its Resource pattern), in the catalogue entry that renders it",
            ),
            "absent" => out.at_loc(
                &o.loc,
                Some(format!("{} wire", o.kind)),
                format!(
                    "{env}: {}: {}",
                    o.what,
                    o.note.as_deref().unwrap_or("")
                ),
                "attach it to the principal the catalogue means it for, or remove it",
            ),
            "unknown" => {
                let why: Vec<&str> = o
                    .actions
                    .iter()
                    .flat_map(|a| a.unknown.iter().map(String::as_str))
                    .collect();
                out.severity = Severity::Warning;
                out.at_loc(
                    &o.loc,
                    Some(format!("{} wire", o.kind)),
                    format!(
                        "{env}: whether AWS allows the wire {} cannot be known before a plan: {}",
                        o.wire_text(),
                        why.join("; ")
                    ),
                    "make the value the policy depends on known (a literal or a resource of the tree)",
                );
                out.severity = Severity::Error;
            }
            _ => {}
        }
    }
    out.findings
}

pub const CODE: &str = "BGL804";
