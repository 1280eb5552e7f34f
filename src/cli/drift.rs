//! `bankgen drift --env ENV`: what changed outside Terraform. Renders the environment as `plan`
//! does, then runs `plan -refresh-only` in every module, in deployment order, and reports each
//! resource changed outside Terraform with the attributes that differ from the state
//! ([`crate::deploy::drift`]). Exit 1 when anything drifted or a module could not be read.

use super::deploy::{Console, Pass, RunFlags, known_env, usage};
use super::load_or_report;
use crate::catalog::CatalogSource;
use crate::deploy::Action;
use crate::deploy::drift::{Drifted, cell};
use crate::deploy::report::{RunReport, Status};
use crate::deploy::ui::Ui;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment to read (from platform.yaml)
    #[arg(long, value_name = "ENV")]
    pub env: String,

    /// Only these modules (space or comma separated)
    #[arg(long, value_name = "MOD", num_args = 1.., value_delimiter = ',')]
    pub only: Vec<String>,

    /// human: a table per module with drift; json: one document (see README, "Drift")
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    #[command(flatten)]
    pub run: RunFlags,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// `--format json`.
#[derive(Debug, Serialize)]
pub struct DriftReport<'a> {
    pub env: &'a str,
    /// Something drifted.
    pub drift: bool,
    pub exit_code: u8,
    pub duration_s: f64,
    pub summary: DriftSummary,
    /// In deployment order.
    pub modules: Vec<ModuleDrift<'a>>,
}

#[derive(Debug, Default, Serialize)]
pub struct DriftSummary {
    pub modules: usize,
    pub drifted: usize,
    pub clean: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: usize,
    pub not_started: usize,
    /// Resources changed outside Terraform, in all modules.
    pub resources: usize,
}

#[derive(Debug, Serialize)]
pub struct ModuleDrift<'a> {
    pub id: &'a str,
    /// `drifted`, `clean`, `failed`, `skipped`, `interrupted` or `not-started`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'a str>,
    pub log: &'a str,
    pub resources: &'a [Drifted],
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    if args.format == Format::Json && args.run.json {
        return usage(
            "--json streams events on stdout, where --format json writes the report: use one",
        );
    }
    let cat = match load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = known_env(&cat, &args.env) {
        return code;
    }
    let mut selected: BTreeSet<String> = cat.modules.iter().map(|m| m.id.clone()).collect();
    if !args.only.is_empty() {
        let mut only = BTreeSet::new();
        for id in &args.only {
            let id = id.trim();
            if cat.module(id).is_none() {
                return usage(format!("--only: unknown module `{id}`"));
            }
            only.insert(id.to_string());
        }
        selected = only;
    }
    let console = match Console::open(&args.run, Vec::new(), &args.env, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let pass = Pass {
        source,
        cat: &cat,
        action: Action::Drift,
        modules: &selected,
        keep_plans: None,
        saved_plans: None,
        report: args.run.report.as_deref(),
    };
    let mut ui = Ui::new(args.run.json);
    let report = match console.execute(&pass, &mut ui) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let doc = document(&report);
    match args.format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&doc).expect("the drift report serialises");
            text.push('\n');
            out!("{text}");
        }
        Format::Human => out!("{}", human(&doc)),
    }
    report.exit_code
}

/// The `--format json` document of a drift run.
pub fn document(report: &RunReport) -> DriftReport<'_> {
    let mut s = DriftSummary {
        modules: report.modules.len(),
        ..DriftSummary::default()
    };
    let modules = report
        .modules
        .iter()
        .map(|m| {
            let resources = m.drift.as_deref().unwrap_or(&[]);
            let status = match m.status {
                Status::Ok if !resources.is_empty() => {
                    s.drifted += 1;
                    "drifted"
                }
                Status::Ok => {
                    s.clean += 1;
                    "clean"
                }
                Status::Failed => {
                    s.failed += 1;
                    "failed"
                }
                Status::Skipped => {
                    s.skipped += 1;
                    "skipped"
                }
                Status::Interrupted => {
                    s.interrupted += 1;
                    "interrupted"
                }
                Status::NotStarted => {
                    s.not_started += 1;
                    "not-started"
                }
            };
            s.resources += resources.len();
            ModuleDrift {
                id: &m.id,
                status,
                cause: m.cause.as_deref(),
                log: &m.log,
                resources,
            }
        })
        .collect();
    DriftReport {
        env: &report.env,
        drift: s.drifted > 0,
        exit_code: report.exit_code,
        duration_s: report.duration_s,
        summary: s,
        modules,
    }
}

/// A table per module with drift (resource, attribute, state, now), the modules that could not
/// be read, and a summary line.
pub fn human(doc: &DriftReport) -> String {
    const CELL: usize = 40;
    let mut out = String::new();
    for m in doc.modules.iter().filter(|m| m.status == "drifted") {
        out.push_str(&format!(
            "{}: {} resource(s) changed outside Terraform\n",
            m.id,
            m.resources.len()
        ));
        let mut rows: Vec<[String; 4]> = vec![[
            "RESOURCE".into(),
            "ATTRIBUTE".into(),
            "STATE".into(),
            "NOW".into(),
        ]];
        for r in m.resources {
            if r.action == "delete" {
                rows.push([
                    r.address.clone(),
                    "(deleted outside Terraform)".into(),
                    String::new(),
                    String::new(),
                ]);
                continue;
            }
            for (i, a) in r.attributes.iter().enumerate() {
                let (before, after) = if a.sensitive {
                    ("(sensitive)".into(), "(sensitive)".into())
                } else {
                    (cell(&a.before, CELL), cell(&a.after, CELL))
                };
                let address = if i == 0 {
                    r.address.clone()
                } else {
                    String::new()
                };
                rows.push([address, a.path.clone(), before, after]);
            }
        }
        let w: Vec<usize> = (0..3)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line = format!(
                "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2]
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    for m in doc
        .modules
        .iter()
        .filter(|m| !matches!(m.status, "drifted" | "clean"))
    {
        out.push_str(&format!(
            "{}: {}{}; log {}\n",
            m.id,
            m.status,
            m.cause.map(|c| format!(": {c}")).unwrap_or_default(),
            m.log
        ));
    }
    let s = &doc.summary;
    out.push_str(&format!(
        "drift {}: {} modules: {} with drift ({} resources), {} without, {} failed, {} skipped, {} interrupted, {} not started in {:.1} s\n",
        doc.env,
        s.modules,
        s.drifted,
        s.resources,
        s.clean,
        s.failed,
        s.skipped,
        s.interrupted,
        s.not_started,
        doc.duration_s
    ));
    out
}
