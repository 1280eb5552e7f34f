//! Findings for people (miette reports through [`crate::diag::Problem`]), as JSON, and as
//! SARIF 2.1.0 for GitHub code scanning.

use super::rules::{RULES, Rule};
use super::{Finding, Report};
use crate::diag::{Loc, Problem, Severity, SourceFile};
use crate::model::Catalog;
use serde_json::{Value, json};
use std::sync::Arc;

/// The catalogue file a rendered file names, from the loaded catalogue when it has it (so the
/// report can show its line), else a name-only file.
fn catalogue_file(cat: Option<&Catalog>, name: &str) -> Arc<SourceFile> {
    cat.and_then(|c| {
        c.files
            .iter()
            .find(|f| {
                f.name == name
                    || f.name.ends_with(&format!("/{name}"))
                    || name.ends_with(&format!("/{}", f.name))
            })
            .cloned()
    })
    .unwrap_or_else(|| {
        Arc::new(SourceFile {
            name: name.to_string(),
            text: String::new(),
        })
    })
}

/// A finding as the shared diagnostic type: the rule's code, the place, the help, and the
/// catalogue entry it was rendered from as a related place.
pub fn problem(f: &Finding, cat: Option<&Catalog>) -> Problem {
    let mut p = Problem {
        code: f.code,
        severity: f.severity,
        message: f.message.clone(),
        help: f.help.clone(),
        loc: f.loc(),
        related: Vec::new(),
    };
    if let Some(o) = &f.catalogue {
        let file = catalogue_file(cat, &o.file);
        let loc = if file.text.is_empty() {
            Loc {
                file,
                line: o.line,
                column: o.column,
                offset: 0,
                len: 0,
            }
        } else {
            Loc::at_line(&file, o.line, o.column)
        };
        p.related
            .push((loc, "catalogue: rendered from here".to_string()));
    }
    p
}

pub fn summary(r: &Report) -> String {
    let s = &r.stats;
    format!(
        "bankgen lint: {} error{}, {} warning{} ({} file{}, {} module{}, {} resource{}; {} suppressed)",
        r.errors(),
        plural(r.errors()),
        r.warnings(),
        plural(r.warnings()),
        s.files,
        plural(s.files),
        s.modules,
        plural(s.modules),
        s.resources,
        plural(s.resources),
        s.suppressed
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Human output: a miette report per finding (or one line each with `short`), then a summary.
pub fn human(r: &Report, cat: Option<&Catalog>, short: bool) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let p = problem(f, cat);
        if short {
            out.push_str(&p.short());
            out.push('\n');
        } else {
            out.push_str(&p.report());
        }
    }
    out.push_str(&summary(r));
    out.push('\n');
    out
}

fn resource(f: &Finding) -> Value {
    f.resource.as_ref().map(|r| json!(r)).unwrap_or(Value::Null)
}

/// `{"findings": [...], "summary": {...}}`.
pub fn json(r: &Report) -> Value {
    let findings: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut v = json!({
                "code": f.code,
                "severity": f.severity,
                "file": f.file,
                "line": f.line,
                "column": f.column,
                "resource": resource(f),
                "message": f.message,
                "help": f.help,
            });
            if let Some(o) = &f.catalogue {
                v["catalogue"] = json!({"file": o.file, "line": o.line, "column": o.column});
            }
            v
        })
        .collect();
    json!({
        "findings": findings,
        "summary": {
            "errors": r.errors(),
            "warnings": r.warnings(),
            "files": r.stats.files,
            "modules": r.stats.modules,
            "resources": r.stats.resources,
            "suppressed": r.stats.suppressed,
            "rules": r.stats.rules,
        }
    })
}

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the rule documentation lives: the package's homepage or repository, else the
/// generated docs/rules.md of the source tree.
pub fn information_uri() -> String {
    let home = option_env!("CARGO_PKG_HOMEPAGE").unwrap_or("");
    let repo = option_env!("CARGO_PKG_REPOSITORY").unwrap_or("");
    if !home.is_empty() {
        home.to_string()
    } else if !repo.is_empty() {
        repo.to_string()
    } else {
        "https://bankgen.invalid/docs/rules.md".to_string()
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn first_paragraph(doc: &str) -> String {
    doc.split("## ")
        .nth(1)
        .map(|s| {
            s.lines()
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn rule_descriptor(r: &Rule) -> Value {
    let mut tags = vec!["security".to_string()];
    if !r.policy.is_empty() {
        tags.push(r.policy.to_string());
    }
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": first_paragraph(r.doc)},
        "help": {"text": r.doc, "markdown": r.doc},
        "helpUri": format!("{}#{}", information_uri(), r.code.to_lowercase()),
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": match r.severity { Severity::Error => "7.5", Severity::Warning => "4.0" },
        },
    })
}

/// A relative, `/`-separated URI for a path (relative to the current folder when it is inside).
pub fn relative_uri(file: &str) -> String {
    let p = std::path::Path::new(file);
    let rel = if p.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.to_path_buf()))
            .unwrap_or_else(|| p.to_path_buf())
    } else {
        p.to_path_buf()
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    s.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '%' => "%25".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A stable identity for a finding across runs (GitHub matches alerts by it): the rule, the
/// file, the resource and the message, not the line, so an edit above it keeps the alert.
fn fingerprint(f: &Finding) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        f.code,
        &relative_uri(&f.file),
        f.resource.as_deref().unwrap_or(""),
        &f.message,
    ] {
        for b in part.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// SARIF 2.1.0, with the fields GitHub code scanning reads.
pub fn sarif(r: &Report) -> Value {
    let mut rules: Vec<Value> = RULES.iter().map(|r| rule_descriptor(r)).collect();
    let mut ids: Vec<String> = RULES.iter().map(|r| r.code.to_string()).collect();
    // Catalogue validation problems (BGnnn) found while loading are reported too.
    for f in &r.findings {
        if !ids.iter().any(|i| i == f.code) {
            ids.push(f.code.to_string());
            rules.push(json!({
                "id": f.code,
                "name": "catalogue",
                "shortDescription": {"text": "The catalogue is valid"},
                "fullDescription": {"text": "The catalogue loads and every reference in it resolves (bankgen check)."},
                "help": {"text": "Run `bankgen check` for the catalogue's problems.", "markdown": "Run `bankgen check` for the catalogue's problems."},
                "defaultConfiguration": {"level": level(f.severity)},
            }));
        }
    }
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let index = ids.iter().position(|i| i == f.code).unwrap_or(0);
            let mut v = json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": format!("{} Help: {}", f.message, f.help)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative_uri(&f.file), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)}
                    }
                }],
            });
            v["partialFingerprints"] = json!({"bankgenFinding/v1": fingerprint(f)});
            if let Some(res) = &f.resource {
                v["locations"][0]["logicalLocations"] = json!([{"fullyQualifiedName": res, "kind": "resource"}]);
            }
            if let Some(o) = &f.catalogue {
                v["relatedLocations"] = json!([{
                    "id": 1,
                    "message": {"text": "catalogue entry this block was rendered from"},
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative_uri(&o.file), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": o.line.max(1), "startColumn": o.column.max(1)}
                    }
                }]);
            }
            v
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "bankgen",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": information_uri(),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The folder bankgen lint ran in"}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// `bankgen rules`: one line per rule.
pub fn rules_table() -> String {
    let mut out = format!(
        "{:<7} {:<8} {:<8} {}\n",
        "CODE", "SEVERITY", "POLICY", "TITLE"
    );
    for r in RULES {
        out.push_str(&format!(
            "{:<7} {:<8} {:<8} {}\n",
            r.code,
            r.severity.to_string(),
            if r.policy.is_empty() { "-" } else { r.policy },
            r.title
        ));
    }
    out
}

/// docs/rules.md: the table and every rule's documentation.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# bankgen lint rules\n\n<!-- Generated by `bankgen rules --markdown`; a test keeps it current. Do not edit. -->\n\n\
         Parameters live in `policies/*.yaml` (embedded; `bankgen lint --policies DIR` overrides a file).\n\
         Suppress a finding with `# bankgen:ignore[CODE] reason` on or just above the block.\n\n\
         As a pre-commit hook (`.pre-commit-hooks.yaml`), in a team's `.pre-commit-config.yaml`:\n\n\
         ```yaml\nrepos:\n  - repo: <the bankgen repository>\n    rev: <a tag>\n    hooks:\n      - id: bankgen-lint\n      - id: bankgen-render-check\n```\n\n\
         With bankgen already installed, add `language: system` to each hook to skip the build.\n\n\
         Choose the rules like ruff: `--select`, `--extend-select`, `--ignore` (codes or prefixes, comma-separated; \
         `ALL`), or the `[lint]` table of the nearest `bankgen.toml` at or above the linted path:\n\n\
         ```toml\n[lint]\nselect = [\"ALL\"]          # the default\nignore = [\"BGL9\"]\npreset = \"third-party\"   # or --preset third-party\n\n\
         [lint.per-file-ignores]\n\"vendor/*\" = [\"BGL301\"]\n```\n\n\
         The `third-party` preset leaves out the rules that check one organisation's own conventions, for \
         Terraform it did not write:\n\n",
    );
    for (code, what) in crate::lint::select::ORGANISATION_RULES {
        out.push_str(&format!("- [{code}](#{}): {what}\n", code.to_lowercase()));
    }
    out.push_str(
        "\n| Code | Name | Severity | Policy | Checks | checkov |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let scope = match (r.terraform.is_some(), r.catalogue.is_some()) {
            (true, true) => "Terraform, catalogue",
            (true, false) => "Terraform",
            (false, true) => "catalogue",
            (false, false) => "input",
        };
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity,
            if r.policy.is_empty() { "" } else { r.policy },
            scope,
            r.checkov.join(", ")
        ));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**{}** — `{}`, {}",
            r.code, r.title, r.name, r.severity
        ));
        if !r.policy.is_empty() {
            out.push_str(&format!(", enforces {}", r.policy));
        }
        out.push_str(".\n\n");
        out.push_str(
            &r.doc
                .replace("\n## ", "\n### ")
                .replace("## What", "### What"),
        );
    }
    out
}

/// `bankgen explain CODE`.
pub fn explain(r: &Rule) -> String {
    let mut out = format!(
        "{} {} ({}): {}\nseverity: {}",
        r.code,
        r.name,
        if r.policy.is_empty() { "-" } else { r.policy },
        r.title,
        r.severity
    );
    if !r.checkov.is_empty() {
        out.push_str(&format!("\ncheckov: {}", r.checkov.join(", ")));
    }
    out.push_str("\n\n");
    out.push_str(r.doc);
    out
}
