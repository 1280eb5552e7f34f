//! `bankgen lint`, `bankgen rules`, `bankgen explain`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::catalog::CatalogSource;
use crate::diag::Severity;
use crate::lint::{self, Policies, output};
use crate::model::Catalog;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `.tf` files or folders (walked; `.terraform/` skipped), and/or a catalogue folder or
    /// catalogue YAML files. Default: the catalogue and the rendered tree `out/` if present
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Rule parameters: a folder whose `*.yaml` files replace the embedded `policies/` files
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,

    /// Do not run the catalogue-level rules (only Terraform)
    #[arg(long)]
    pub no_catalogue: bool,

    /// Report only these rules: codes or prefixes, comma-separated (`BGL1,BGL203`; `ALL`).
    /// Replaces `select` of bankgen.toml
    #[arg(long, value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Also report these rules (codes or prefixes, comma-separated)
    #[arg(long, value_name = "CODES")]
    pub extend_select: Vec<String>,

    /// Do not report these rules (codes or prefixes, comma-separated), on top of bankgen.toml's
    #[arg(long, value_name = "CODES")]
    pub ignore: Vec<String>,

    /// A preset rule set: `third-party` leaves out the organisation's own conventions
    /// (required tags, regions, naming), for Terraform it did not write
    #[arg(long, value_enum)]
    pub preset: Option<lint::select::Preset>,

    /// The config file whose `[lint]` table applies (default: the nearest bankgen.toml at or
    /// above the first linted path, or the current folder)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Print docs/rules.md (every rule's documentation, as Markdown)
    #[arg(long, hide = true)]
    pub markdown: bool,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code (`BGL103`) or name (`s3-versioning`)
    pub code: String,
}

fn is_catalogue_dir(p: &Path) -> bool {
    p.is_dir() && p.join("platform.yaml").is_file()
}

fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// The catalogue folder a catalogue YAML file belongs to (`catalog/modules/MOD-1.yaml` → `catalog`).
fn catalogue_of(p: &Path) -> Option<PathBuf> {
    p.ancestors()
        .skip(1)
        .find(|a| is_catalogue_dir(a))
        .map(Path::to_path_buf)
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let policies_dir = args.policies.clone().or_else(|| source.policies_dir());
    let policies = match Policies::load(policies_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let selection = match selection(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut source = source.clone();
    let mut tf_paths = Vec::new();
    let mut catalogue_rules = args.paths.is_empty();
    if args.paths.is_empty() && Path::new("out").is_dir() {
        tf_paths.push(PathBuf::from("out"));
    }
    for p in &args.paths {
        if is_catalogue_dir(p) {
            source = CatalogSource::Dir(p.clone());
            catalogue_rules = true;
        } else if is_yaml(p) {
            if !p.is_file() {
                eprintln!("error: {}: no such file", p.display());
                return EXIT_USAGE;
            }
            if let Some(dir) = catalogue_of(p) {
                source = CatalogSource::Dir(dir);
            }
            catalogue_rules = true;
        } else if p.exists() {
            tf_paths.push(p.clone());
        } else {
            eprintln!("error: {}: no such file or folder", p.display());
            return EXIT_USAGE;
        }
    }
    catalogue_rules &= !args.no_catalogue;
    // The catalogue: linted when asked for, else only context for the rules that read it. It
    // loads on its own thread while the Terraform files parse.
    let loaded: OnceLock<Option<Catalog>> = OnceLock::new();
    let (report, mut load_findings) = std::thread::scope(|s| {
        let loader = s.spawn(|| {
            // Set even if the load panicked, so that no rule waits for it for ever.
            let _unblock = SetOnDrop(&loaded);
            // A pool of its own: in the global one its jobs would queue behind the parsing.
            let load = || load_context(&source, catalogue_rules);
            let (catalog, findings) = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                Ok(pool) => pool.install(load),
                Err(_) => load(),
            };
            let _ = loaded.set(catalog);
            findings
        });
        let req = lint::Request {
            paths: tf_paths,
            catalog: lint::Catalogue::Loading(&loaded),
            catalogue_rules,
            policies: &policies,
            inputs: Default::default(),
        };
        let report = lint::lint(&req);
        let findings = loader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (report, findings)
    });
    let catalog = loaded.into_inner().flatten();
    let mut report = match report {
        Ok(r) => r,
        Err(lint::Unreadable(e)) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // A catalogue that could not be read is a usage error, whatever else was found.
    let unreadable = load_findings
        .iter()
        .any(|f| f.code == crate::catalog::UNREADABLE);
    report.findings.append(&mut load_findings);
    if !selection.is_everything() {
        report
            .findings
            .retain(|f| selection.allows(f.code, &f.file));
    }
    lint::sort(&mut report.findings);
    let text = match args.format {
        Format::Human => output::human(&report, catalog.as_ref(), short),
        Format::Json => format!("{:#}\n", output::json(&report)),
        Format::Sarif => format!("{:#}\n", output::sarif(&report)),
    };
    out!("{text}");
    if unreadable {
        EXIT_USAGE
    } else if report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The rules to report: bankgen.toml's `[lint]` (`--config`, else the nearest one above the
/// first path), then the command line.
fn selection(args: &Args) -> Result<lint::select::Selection, String> {
    use lint::select::{Overrides, find_config, read_config, resolve};
    let file = match &args.config {
        Some(f) if !f.is_file() => return Err(format!("{}: no such file", f.display())),
        Some(f) => Some(f.clone()),
        None => find_config(args.paths.first().map_or(Path::new("."), PathBuf::as_path)),
    };
    let config = match &file {
        Some(f) => Some((f.as_path(), read_config(f)?)),
        None => None,
    };
    resolve(
        config,
        &Overrides {
            select: args.select.clone(),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
            preset: args.preset,
        },
    )
}

/// Load the catalogue: the catalogue and, when its rules run, its load problems as findings.
fn load_context(
    source: &CatalogSource,
    catalogue_rules: bool,
) -> (Option<Catalog>, Vec<lint::Finding>) {
    match crate::load_catalog(source) {
        Ok((cat, warnings)) => {
            let findings = if catalogue_rules {
                warnings.iter().map(from_problem).collect()
            } else {
                Vec::new()
            };
            (Some(cat), findings)
        }
        Err(problems) => {
            if catalogue_rules {
                (None, problems.iter().map(from_problem).collect())
            } else {
                eprintln!(
                    "warning: the catalogue ({}) does not load; rules that read it are skipped (run `bankgen check`)",
                    source.describe()
                );
                (None, Vec::new())
            }
        }
    }
}

/// Fills the cell with `None` when dropped, unless it was filled.
struct SetOnDrop<'a>(&'a OnceLock<Option<Catalog>>);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.set(None);
    }
}

/// A catalogue problem (found while loading it) as a finding.
fn from_problem(p: &crate::diag::Problem) -> lint::Finding {
    let (file, line, column, offset, len, source) = match &p.loc {
        Some(l) => (
            l.file.name.clone(),
            l.line,
            l.column,
            l.offset,
            l.len,
            Some(l.file.clone()),
        ),
        None => (String::new(), 0, 0, 0, 0, None),
    };
    lint::Finding {
        code: p.code,
        severity: p.severity,
        file,
        line,
        column,
        resource: None,
        message: p.message.clone(),
        help: p.help.clone(),
        catalogue: None,
        source,
        offset,
        len,
    }
}

pub fn rules(args: RulesArgs) -> u8 {
    if args.markdown {
        out!("{}", output::rules_markdown());
    } else {
        out!("{}", output::rules_table());
    }
    EXIT_OK
}

pub fn explain(args: ExplainArgs) -> u8 {
    match lint::rules::find(&args.code) {
        Some(r) => {
            out!("{}", output::explain(r));
            EXIT_OK
        }
        None => {
            eprintln!("error: no rule `{}` (run `bankgen rules`)", args.code);
            EXIT_USAGE
        }
    }
}
