//! `bankgen report compliance`: for each bank policy the catalogue cites (and each one a lint
//! rule enforces), the lint rules that enforce it, the resources those rules cover in the
//! rendered Terraform of one environment and in the catalogue, and the findings — so an auditor
//! reads where each policy is enforced, and where only the catalogue's word stands for it.
//!
//! The rules and their policies come from the lint engine's rule table; the findings from
//! running it on a fresh render of the environment plus the catalogue-level rules.

use crate::diag::{Problem, Severity};
use crate::kinds::md::{code, esc, table};
use crate::lint::{self, Policies, rules};
use crate::model::Catalog;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Serialize)]
pub struct Report {
    /// The environment whose rendered Terraform was linted.
    pub environment: String,
    pub policies: Vec<PolicyEntry>,
    /// Findings of rules that enforce no policy (not part of any entry above).
    pub other_findings: usize,
}

#[derive(Debug, Serialize)]
pub struct PolicyEntry {
    pub id: String,
    pub title: Option<String>,
    /// `enforced` (rules, no findings), `findings`, `not-enforced` (no rule: only the
    /// catalogue's statement), `not-cited` (rules enforce it, no module cites it).
    pub status: &'static str,
    pub cited_by: Vec<Citation>,
    pub rules: Vec<RuleEntry>,
}

#[derive(Debug, Serialize)]
pub struct Citation {
    pub module: String,
    pub title: String,
    pub mode: String,
    pub how: String,
}

#[derive(Debug, Serialize)]
pub struct RuleEntry {
    pub code: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// `terraform`, `catalogue`, or both.
    pub checks: Vec<&'static str>,
    pub covers: Vec<Coverage>,
    pub findings: Vec<FindingEntry>,
}

#[derive(Debug, Serialize)]
pub struct Coverage {
    /// A Terraform resource type, `backend`, `*` (every resource), or `catalogue: …`.
    pub what: String,
    /// How many of them the rendered tree (or the catalogue) holds.
    pub count: Option<usize>,
    /// The modules that hold them.
    pub modules: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FindingEntry {
    pub severity: Severity,
    pub file: String,
    pub line: u64,
    pub resource: Option<String>,
    pub message: String,
}

/// Render `env`, lint it with the catalogue, and build the report.
pub fn report(cat: &Catalog, env: &str, policies: &Policies) -> Result<Report, Vec<Problem>> {
    let tree = crate::render::render_env(cat, env, &crate::render::Options::default())?;
    let tmp = tempfile::tempdir().map_err(|e| vec![io_problem(&e)])?;
    crate::render::write_trees(tmp.path(), std::slice::from_ref(&tree))
        .map_err(|e| vec![io_problem(&e)])?;
    let req = lint::Request {
        paths: vec![tmp.path().join(env)],
        catalog: lint::Catalogue::Ready(Some(cat)),
        catalogue_rules: true,
        policies,
        inputs: Default::default(),
    };
    let lint_report = lint::lint(&req).map_err(|lint::Unreadable(e)| {
        vec![Problem::error(
            "BGP001",
            None,
            format!("cannot lint the rendered tree: {e}"),
            "report this: bankgen rendered a tree it cannot read back",
        )]
    })?;
    let prefix = format!("{}/", tmp.path().display());
    // resources per type in the rendered tree: type → modules holding them (with counts)
    let mut by_type: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (path, text) in &tree.files {
        let Some((module, _)) = path.split_once('/') else {
            continue;
        };
        let Ok(body) = hcl::parse(text) else { continue };
        for b in body.blocks() {
            if b.identifier() == "resource"
                && let Some(t) = b.labels().first()
            {
                *by_type
                    .entry(t.as_str().to_string())
                    .or_default()
                    .entry(module.to_string())
                    .or_default() += 1;
                *by_type
                    .entry("*".into())
                    .or_default()
                    .entry(module.to_string())
                    .or_default() += 1;
            }
            if b.identifier() == "terraform"
                && b.body().blocks().any(|x| x.identifier() == "backend")
            {
                *by_type
                    .entry("backend".into())
                    .or_default()
                    .entry(module.to_string())
                    .or_default() += 1;
            }
        }
    }
    let finding = |f: &lint::Finding| FindingEntry {
        severity: f.severity,
        file: match f.file.strip_prefix(&prefix) {
            Some(rest) => format!("(rendered) {rest}"),
            None => super::docs::catalogue_path(&f.file),
        },
        line: f.line,
        resource: f.resource.clone(),
        message: f.message.clone(),
    };
    // every policy: cited by modules, or enforced by a rule
    let mut ids: BTreeSet<String> = cat
        .modules
        .iter()
        .flat_map(|m| m.policies.iter().map(|p| p.id.clone()))
        .collect();
    ids.extend(
        rules::RULES
            .iter()
            .filter(|r| !r.policy.is_empty())
            .map(|r| r.policy.to_string()),
    );
    let mut entries = Vec::new();
    for id in ids {
        let cited_by: Vec<Citation> = cat
            .modules
            .iter()
            .flat_map(|m| {
                m.policies.iter().filter(|p| p.id == id).map(|p| Citation {
                    module: m.id.clone(),
                    title: p.title.clone(),
                    mode: p.mode.clone(),
                    how: p.how.clone(),
                })
            })
            .collect();
        let rule_entries: Vec<RuleEntry> = rules::RULES
            .iter()
            .filter(|r| r.policy == id)
            .map(|r| {
                let mut checks = Vec::new();
                if r.terraform.is_some() {
                    checks.push("terraform");
                }
                if r.catalogue.is_some() {
                    checks.push("catalogue");
                }
                let covers = r
                    .covers
                    .iter()
                    .map(|what| match what.strip_prefix("catalogue: ") {
                        Some(kind) => {
                            let (count, modules) = catalogue_entries(cat, kind);
                            Coverage {
                                what: what.to_string(),
                                count,
                                modules,
                            }
                        }
                        None => {
                            let mods = by_type.get(*what);
                            Coverage {
                                what: what.to_string(),
                                count: Some(mods.map_or(0, |m| m.values().sum())),
                                modules: mods
                                    .map(|m| m.keys().cloned().collect())
                                    .unwrap_or_default(),
                            }
                        }
                    })
                    .collect();
                RuleEntry {
                    code: r.code,
                    name: r.name,
                    title: r.title,
                    severity: r.severity,
                    checks,
                    covers,
                    findings: lint_report
                        .findings
                        .iter()
                        .filter(|f| f.code == r.code)
                        .map(finding)
                        .collect(),
                }
            })
            .collect();
        let status = if rule_entries.is_empty() {
            "not-enforced"
        } else if rule_entries.iter().any(|r| !r.findings.is_empty()) {
            "findings"
        } else if cited_by.is_empty() {
            "not-cited"
        } else {
            "enforced"
        };
        entries.push(PolicyEntry {
            title: cited_by.first().map(|c| c.title.clone()),
            id,
            status,
            cited_by,
            rules: rule_entries,
        });
    }
    let policy_rules: BTreeSet<&str> = rules::RULES
        .iter()
        .filter(|r| !r.policy.is_empty())
        .map(|r| r.code)
        .collect();
    let other_findings = lint_report
        .findings
        .iter()
        .filter(|f| !policy_rules.contains(f.code))
        .count();
    Ok(Report {
        environment: env.to_string(),
        policies: entries,
        other_findings,
    })
}

/// How many catalogue entries of a kind there are, and the modules that declare them
/// (`None` for platform-level entries: domains, classifications).
fn catalogue_entries(cat: &Catalog, kind: &str) -> (Option<usize>, Vec<String>) {
    let per_module = |f: &dyn Fn(&crate::model::Module) -> usize| {
        let mut n = 0;
        let mut mods = Vec::new();
        for m in &cat.modules {
            let k = f(m);
            if k > 0 {
                n += k;
                mods.push(m.id.clone());
            }
        }
        (Some(n), mods)
    };
    match kind {
        "domains" => (Some(cat.domains.len()), Vec::new()),
        "classifications" => (Some(cat.platform.classifications.len()), Vec::new()),
        "modules" => (
            Some(cat.modules.len()),
            cat.modules.iter().map(|m| m.id.clone()).collect(),
        ),
        // `log groups and functions`: the kinds named by their plural nouns.
        _ => {
            let kinds: Option<Vec<&dyn crate::kinds::ResourceKind>> = kind
                .split(" and ")
                .map(|plural| {
                    crate::kinds::KINDS
                        .iter()
                        .copied()
                        .find(|k| format!("{}s", k.noun()) == plural)
                })
                .collect();
            let Some(kinds) = kinds else {
                return (None, Vec::new());
            };
            per_module(&|m| {
                kinds
                    .iter()
                    .map(|k| {
                        // The runtime convention's function is the module's, not a listed entry.
                        let conventional = k.key() == "functions" && m.function.is_some();
                        k.count(&m.resources) + usize::from(conventional)
                    })
                    .sum()
            })
        }
    }
}

fn io_problem(e: &std::io::Error) -> Problem {
    Problem::error(
        "BGP002",
        None,
        format!("cannot render into a temporary folder: {e}"),
        "check that the temporary folder (TMPDIR) is writable",
    )
}

impl Report {
    pub fn error_findings(&self) -> usize {
        self.policies
            .iter()
            .flat_map(|p| &p.rules)
            .flat_map(|r| &r.findings)
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("report serialises");
        s.push('\n');
        s
    }

    pub fn markdown(&self) -> String {
        let mut s = String::from("# Compliance report\n\n");
        s.push_str(&format!(
            "Where each bank policy is enforced: the lint rules that check it, what they cover in the rendered Terraform of `{}` and in the catalogue, and their findings.\n\n",
            esc(&self.environment)
        ));
        let rows: Vec<Vec<String>> = self
            .policies
            .iter()
            .map(|p| {
                let findings: usize = p.rules.iter().map(|r| r.findings.len()).sum();
                vec![
                    format!("[{}](#{})", esc(&p.id), p.id.to_lowercase()),
                    p.title.as_deref().map(esc).unwrap_or_else(|| "—".into()),
                    status_text(p.status).to_string(),
                    join(p.cited_by.iter().map(|c| c.module.clone()).collect()),
                    join(p.rules.iter().map(|r| r.code.to_string()).collect()),
                    findings.to_string(),
                ]
            })
            .collect();
        s.push_str(&table(
            &["Policy", "Title", "Status", "Cited by", "Rules", "Findings"],
            &rows,
        ));
        for p in &self.policies {
            s.push_str(&format!(
                "## {}\n\n{}\n\n**Status:** {}\n\n",
                esc(&p.id),
                p.title
                    .as_deref()
                    .map(esc)
                    .unwrap_or_else(|| "Cited by no module; enforced by lint rules.".into()),
                status_text(p.status)
            ));
            if !p.cited_by.is_empty() {
                s.push_str("Cited by:\n\n");
                let rows: Vec<Vec<String>> = p
                    .cited_by
                    .iter()
                    .map(|c| vec![esc(&c.module), code(&c.mode), esc(&c.how)])
                    .collect();
                s.push_str(&table(
                    &["Module", "Mode", "How (the catalogue's statement)"],
                    &rows,
                ));
            }
            if p.rules.is_empty() {
                s.push_str("No lint rule enforces this policy: the catalogue's statement above is the only evidence.\n\n");
                continue;
            }
            s.push_str("Enforced by:\n\n");
            let rows: Vec<Vec<String>> = p
                .rules
                .iter()
                .map(|r| {
                    vec![
                        format!("`{}` {}", r.code, esc(r.title)),
                        r.severity.to_string(),
                        r.checks.join(" + "),
                        r.covers
                            .iter()
                            .map(|c| match c.count {
                                _ if c.what.starts_with("catalogue: ") => {
                                    match (c.count, c.modules.len()) {
                                        (Some(n), 0) => format!("{} × {n}", esc(&c.what)),
                                        (Some(n), k) if k <= 3 => {
                                            format!(
                                                "{} × {n} in {}",
                                                esc(&c.what),
                                                c.modules.join(", ")
                                            )
                                        }
                                        (Some(n), k) => {
                                            format!("{} × {n} in {k} modules", esc(&c.what))
                                        }
                                        (None, _) => esc(&c.what),
                                    }
                                }
                                None => esc(&c.what),
                                Some(0) => format!("{}: none rendered", code(&c.what)),
                                Some(n) if c.modules.len() <= 3 => {
                                    format!("{} × {n} in {}", code(&c.what), c.modules.join(", "))
                                }
                                Some(n) => format!(
                                    "{} × {n} in {} modules",
                                    code(&c.what),
                                    c.modules.len()
                                ),
                            })
                            .collect::<Vec<_>>()
                            .join("<br>"),
                        if r.findings.is_empty() {
                            "none".to_string()
                        } else {
                            r.findings.len().to_string()
                        },
                    ]
                })
                .collect();
            s.push_str(&table(
                &["Rule", "Severity", "Checks", "Covers", "Findings"],
                &rows,
            ));
            let all: Vec<(&RuleEntry, &FindingEntry)> = p
                .rules
                .iter()
                .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
                .collect();
            if !all.is_empty() {
                s.push_str("Findings:\n\n");
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|(r, f)| {
                        vec![
                            r.code.to_string(),
                            f.severity.to_string(),
                            format!("{}:{}", esc(&f.file), f.line),
                            f.resource.as_deref().map(code).unwrap_or_default(),
                            esc(&f.message),
                        ]
                    })
                    .collect();
                s.push_str(&table(
                    &["Rule", "Severity", "Where", "Resource", "Message"],
                    &rows,
                ));
            }
        }
        if self.other_findings > 0 {
            s.push_str(&format!(
                "{} finding(s) of rules that enforce no bank policy are not listed; run `bankgen lint`.\n",
                self.other_findings
            ));
        }
        s
    }
}

fn status_text(s: &str) -> &'static str {
    match s {
        "enforced" => "enforced, no findings",
        "findings" => "enforced, with findings",
        "not-enforced" => "cited, but no lint rule enforces it",
        "not-cited" => "enforced by lint rules; cited by no module",
        _ => "unknown",
    }
}

fn join(v: Vec<String>) -> String {
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_with_a_policy_says_what_it_covers() {
        for r in rules::RULES {
            if !r.policy.is_empty() {
                assert!(
                    !r.covers.is_empty(),
                    "{} ({}) has no covers: the report would show nothing it inspects",
                    r.code,
                    r.policy
                );
            }
            // What the report can count: a typo would show as "none rendered" or no count.
            for what in r.covers {
                let known = match what.strip_prefix("catalogue: ") {
                    Some("domains" | "classifications" | "modules") => true,
                    Some(kinds) => kinds.split(" and ").all(|plural| {
                        crate::kinds::KINDS
                            .iter()
                            .any(|k| format!("{}s", k.noun()) == plural)
                    }),
                    None => ["*", "backend"].contains(what) || what.starts_with("aws_"),
                };
                assert!(
                    known,
                    "{} covers {what:?}, which the report cannot count",
                    r.code
                );
            }
        }
    }
}
