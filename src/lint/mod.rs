//! Policy checks on the catalogue and on any Terraform, rendered or hand-written.
//!
//! [`index`] parses every `.tf` file once (in parallel) and indexes each folder as a module;
//! [`rules`] holds one file per rule and the table that registers them; [`policies`] reads the
//! rule parameters (`policies/*.yaml`); [`output`] prints findings for people, JSON and SARIF.

pub mod access;
pub mod facts;
pub mod finding;
pub mod iam;
pub mod index;
pub mod output;
pub mod policies;
pub mod rules;
pub mod s3;
pub mod select;
pub mod subset;
pub mod value;

pub use finding::Finding;
pub use policies::Policies;

use crate::diag::{Severity, SourceFile};
use crate::model::Catalog;
use finding::{CatCtx, ModCtx, Out};
use index::{Ignore, Parsed, TfFile};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use value::Val;

/// Files larger than this are refused (a generated tree's files are a few KiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What to lint.
pub struct Request<'a> {
    /// `.tf` files and folders.
    pub paths: Vec<PathBuf>,
    /// The catalogue, for the rules that read it (domains, rows of seed 000).
    pub catalog: Catalogue<'a>,
    /// Whether to run the catalogue-level rules too.
    pub catalogue_rules: bool,
    pub policies: &'a Policies,
    /// Variable values from the command line (`--var-file`, then `--var`, in order), for the
    /// root folders; `TF_VAR_*`, `terraform.tfvars` and `*.auto.tfvars` are read by lint itself.
    pub inputs: index::Inputs,
}

/// The catalogue the rules read: known, or still loading on another thread (`None` inside:
/// it did not load). While it loads, folders are parsed and held; their rules run once it is
/// there, so the load and the parsing share the cores.
#[derive(Clone, Copy)]
pub enum Catalogue<'a> {
    Ready(Option<&'a Catalog>),
    Loading(&'a OnceLock<Option<Catalog>>),
}

impl<'a> Catalogue<'a> {
    fn ready(self) -> Option<Option<&'a Catalog>> {
        match self {
            Catalogue::Ready(c) => Some(c),
            Catalogue::Loading(cell) => cell.get().map(Option::as_ref),
        }
    }

    fn wait(self) -> Option<&'a Catalog> {
        match self {
            Catalogue::Ready(c) => c,
            Catalogue::Loading(cell) => cell.wait().as_ref(),
        }
    }
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub modules: usize,
    pub resources: usize,
    pub suppressed: usize,
    pub rules: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub stats: Stats,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// Unreadable input: a path that does not exist, a file that cannot be read.
#[derive(Debug)]
pub struct Unreadable(pub String);

fn display_name(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(String::from).unwrap_or(s)
}

/// The file's text, or why it is a finding (message, help), or why the lint cannot go on.
fn read(path: &Path) -> Result<Result<String, (String, &'static str)>, Unreadable> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Unreadable(format!("cannot read {}: {e}", path.display()));
    // A finding for that file, not the end of the lint: the other files are still checked.
    let too_large = || {
        Ok(Err((
            format!("the file is larger than {MAX_FILE_BYTES} bytes, the most bankgen reads"),
            "split it, or leave it out of the paths linted",
        )))
    };
    // Open first and ask the open file its size: one path lookup per file, not two.
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len > MAX_FILE_BYTES {
        return too_large();
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    // `take`: a file that grows while it is read is held to the limit too.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return too_large();
    }
    // Terraform accepts a UTF-8 byte order mark; so does lint (positions are counted after it).
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(String::from_utf8(bytes).map_err(|_| {
        (
            "the file is not UTF-8 text".to_string(),
            "save the file as UTF-8",
        )
    }))
}

/// Lint Terraform paths (and the catalogue): every finding, suppressions applied, sorted by
/// file and line.
pub fn lint(req: &Request) -> Result<Report, Unreadable> {
    let set = index::collect(&req.paths).map_err(Unreadable)?;
    let parse_rule = rules::find(rules::PARSE_ERROR).expect("BGL001 is registered");
    // One module folder at a time per thread: read and parse its files once, index them, run
    // the rules, keep only the findings. Memory stays that of the modules in flight, however
    // large the tree.
    let mut by_dir: BTreeMap<PathBuf, Vec<(PathBuf, bool)>> = BTreeMap::new();
    for (path, reported) in &set.files {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        by_dir
            .entry(dir)
            .or_default()
            .push((path.clone(), *reported));
    }
    let files = set.files.len();
    let env_inputs = env_inputs();
    // A root folder's variables: the environment, its tfvars files, then the command line.
    let root_inputs = |dir: &Path| -> index::Inputs {
        let mut inputs = env_inputs.clone();
        for f in tfvars_files(dir) {
            if let Some(body) = read_tfvars(&f) {
                inputs.add_body(body);
            }
        }
        for (k, v) in &req.inputs.values {
            inputs.add(k, v.clone());
        }
        inputs
    };
    let read_folder =
        |paths: &[(PathBuf, bool)]| -> Result<(Vec<Parsed>, Vec<Finding>), Unreadable> {
            let mut parsed = Vec::new();
            let mut broken = Vec::new();
            for (path, reported) in paths {
                match parse_one(path, *reported, parse_rule)? {
                    Ok(p) => parsed.push(p),
                    Err(f) => broken.push(f),
                }
            }
            Ok((parsed, broken))
        };
    let folders: Vec<(PathBuf, Vec<(PathBuf, bool)>)> = by_dir.into_iter().collect();
    let waiting = Mutex::new(Vec::new());
    // Each folder with its own inputs, and the local modules it calls with literal arguments.
    type Done = (usize, Option<Linted>, Vec<(PathBuf, index::Inputs)>);
    let parsed: Vec<Result<Done, Unreadable>> = folders
        .par_iter()
        .enumerate()
        .map(|(k, (dir, paths))| {
            let (parsed, broken) = read_folder(paths)?;
            let calls = module_calls(dir, &parsed);
            let inputs = root_inputs(dir);
            Ok(match req.catalog.ready() {
                Some(cat) => {
                    let linted =
                        lint_module(req.policies, cat, dir.clone(), parsed, broken, &inputs);
                    (k, Some(linted), calls)
                }
                None => {
                    waiting
                        .lock()
                        .expect("no panic while holding it")
                        .push((k, parsed, broken, inputs));
                    (k, None, calls)
                }
            })
        })
        .collect();
    let cat = req.catalog.wait();
    let late: Vec<(usize, Linted)> = waiting
        .into_inner()
        .expect("no panic while holding it")
        .into_par_iter()
        .map(|(k, parsed, broken, inputs)| {
            let dir = folders[k].0.clone();
            (
                k,
                lint_module(req.policies, cat, dir, parsed, broken, &inputs),
            )
        })
        .collect();
    let mut results: Vec<Option<Linted>> = (0..folders.len()).map(|_| None).collect();
    let mut called: HashMap<PathBuf, Option<index::Inputs>> = HashMap::new();
    for r in parsed {
        let (k, linted, calls) = r?;
        results[k] = linted;
        for (child, inputs) in calls {
            match called.get_mut(&child) {
                None => {
                    called.insert(child, Some(inputs));
                }
                // Called with different values by different callers: left unknown.
                Some(seen) if seen.as_ref().is_some_and(|s| s.values != inputs.values) => {
                    *seen = Some(index::Inputs::default());
                }
                Some(_) => {}
            }
        }
    }
    for (k, linted) in late {
        results[k] = Some(linted);
    }
    // A called folder again, with its caller's arguments instead of a root's inputs (rare:
    // rendered trees call no modules, so this costs nothing there).
    for (k, (dir, paths)) in folders.iter().enumerate() {
        if let Some(Some(inputs)) = called.get(dir) {
            let (parsed, broken) = read_folder(paths)?;
            results[k] = Some(lint_module(
                req.policies,
                cat,
                dir.clone(),
                parsed,
                broken,
                inputs,
            ));
        }
    }
    let results: Vec<Linted> = results.into_iter().flatten().collect();
    let mut findings = Vec::new();
    let mut stats = Stats {
        files,
        modules: results.len(),
        rules: rules::RULES.len(),
        ..Default::default()
    };
    for (mut f, resources, suppressed) in results {
        findings.append(&mut f);
        stats.resources += resources;
        stats.suppressed += suppressed;
    }
    let mut access_found: Option<Vec<Finding>> = None;
    // The access check reads a whole environment at once: once per environment folder of a
    // rendered tree among the folders linted, when every catalogue module's folder is there (a
    // wire spans modules; part of a tree would lack the other end).
    if let Some(cat) = cat {
        let envs = cat.environment_names();
        let mut roots: BTreeMap<(PathBuf, String), usize> = BTreeMap::new();
        for (dir, _) in &folders {
            let Some(id) = facts::module_of(dir) else {
                continue;
            };
            let Some(parent) = dir.parent() else { continue };
            let Some(env) = parent.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if envs.contains(&env) && cat.module(&id).is_some() {
                *roots
                    .entry((parent.to_path_buf(), env.to_string()))
                    .or_default() += 1;
            }
        }
        for ((dir, env), n) in roots {
            if n < cat.modules.len() {
                continue;
            }
            if let Ok(outcomes) = access::check_dir(cat, &env, &dir, None) {
                access_found
                    .get_or_insert_with(Vec::new)
                    .extend(access::findings(&env, &outcomes));
            }
        }
    }
    // Its findings are on catalogue lines: the catalogue's suppressions apply to them.
    if let Some(cat) = cat {
        if req.catalogue_rules {
            let (mut f, suppressed) = lint_catalogue_with(cat, req.policies, access_found);
            findings.append(&mut f);
            stats.suppressed += suppressed;
        } else if let Some(found) = access_found {
            let (mut f, suppressed) = suppress_access(cat, found);
            findings.append(&mut f);
            stats.suppressed += suppressed;
        }
    }
    sort(&mut findings);
    Ok(Report { findings, stats })
}

/// `TF_VAR_name` values of the environment, as strings (Terraform reads them as strings for
/// string variables; `true`/`false` and numbers compare as such).
fn env_inputs() -> index::Inputs {
    let mut inputs = index::Inputs::default();
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("TF_VAR_") {
            inputs.add(
                name,
                Val {
                    kind: value::Kind::Str(v),
                    span: Default::default(),
                },
            );
        }
    }
    inputs
}

/// The files Terraform loads by itself in a root folder: `terraform.tfvars`, then
/// `*.auto.tfvars` in name order.
fn tfvars_files(dir: &Path) -> Vec<PathBuf> {
    let mut auto: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .into_iter()
    .flatten()
    .flatten()
    .map(|e| e.path())
    .filter(|p| p.to_str().is_some_and(|n| n.ends_with(".auto.tfvars")))
    .collect();
    auto.sort();
    let main = dir.join("terraform.tfvars");
    let mut out = Vec::new();
    if main.is_file() {
        out.push(main);
    }
    out.extend(auto);
    out
}

/// A `.tfvars` file's attributes; one that cannot be read or parsed adds nothing (Terraform
/// would stop on it; lint leaves those variables unknown).
pub fn read_tfvars(path: &Path) -> Option<value::Body> {
    let text = std::fs::read_to_string(path).ok()?;
    let body: hcl::edit::structure::Body = text.parse().ok()?;
    Some(value::convert_body(&body))
}

/// The local child modules (`source = "./…"` or `"../…"`) a folder calls, with the literal
/// arguments it gives them (others stay unknown in the child).
fn module_calls(dir: &Path, parsed: &[Parsed]) -> Vec<(PathBuf, index::Inputs)> {
    let mut out = Vec::new();
    for p in parsed {
        for b in p.body.blocks.iter().filter(|b| b.ident == "module") {
            let Some(source) = b.body.get("source").and_then(Val::as_str) else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue;
            }
            let mut inputs = index::Inputs::default();
            let meta = [
                "source",
                "version",
                "count",
                "for_each",
                "providers",
                "depends_on",
            ];
            for a in &b.body.attrs {
                if !meta.contains(&a.key.as_str()) && is_literal(&a.val) {
                    inputs.add(&a.key, a.val.clone());
                }
            }
            out.push((normalize(&dir.join(source)), inputs));
        }
    }
    out
}

fn is_literal(v: &Val) -> bool {
    match &v.kind {
        value::Kind::List(l) => l.iter().all(is_literal),
        value::Kind::Obj(o) => o.iter().all(|(_, x)| is_literal(x)),
        _ => v.is_known_literal(),
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (folders in `by_dir` are as walked).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Read and parse one file: `Ok(Err(finding))` when it is too large, not UTF-8 or does not parse
/// (BGL001).
fn parse_one(
    path: &Path,
    reported: bool,
    parse_rule: &rules::Rule,
) -> Result<Result<Parsed, Finding>, Unreadable> {
    let text = read(path)?;
    let name = display_name(path);
    let text = match text {
        Ok(t) => t,
        Err((msg, help)) => {
            let src = Arc::new(SourceFile {
                name,
                text: String::new(),
            });
            let file = TfFile::new(src, path.to_path_buf());
            let mut out = Out::new(parse_rule.code, parse_rule.severity);
            out.in_file(&file, Default::default(), None, None, msg, help);
            return Ok(Err(out.findings.remove(0)));
        }
    };
    let src = Arc::new(SourceFile { name, text });
    Ok(match index::parse_file(src, path.to_path_buf()) {
        Ok(mut p) => {
            p.file.reported = reported;
            Ok(p)
        }
        Err(e) => {
            let mut out = Out::new(parse_rule.code, parse_rule.severity);
            let offset = e.file.line_col_offset(e.line, e.column);
            out.in_file(
                &e.file,
                value::Span {
                    start: offset,
                    end: offset,
                },
                None,
                e.file.origin(),
                format!("the file does not parse: {}", e.message),
                "fix the syntax at this place",
            );
            Err(out.findings.remove(0))
        }
    })
}

/// One module folder's findings (after suppressions), its resource count and how many findings
/// were suppressed.
type Linted = (Vec<Finding>, usize, usize);

/// Index one module folder and run every Terraform rule on it. A folder with a file that does
/// not parse gets only the parse findings.
fn lint_module(
    policies: &Policies,
    cat: Option<&Catalog>,
    dir: PathBuf,
    parsed: Vec<Parsed>,
    broken: Vec<Finding>,
    inputs: &index::Inputs,
) -> Linted {
    let m = index::build_module_with(dir, parsed, inputs);
    let resources = m.resource_count();
    if !broken.is_empty() {
        return (broken, resources, 0);
    }
    let env = match cat {
        Some(c) => facts::env_of(&m.dir, &c.environment_names()),
        None => facts::env_of(&m.dir, &policies.tags.environments),
    };
    let cx = ModCtx {
        env,
        module_id: facts::module_of(&m.dir),
        m: &m,
        p: policies,
        cat,
    };
    let mut found = Vec::new();
    for r in rules::RULES {
        if let Some(check) = r.terraform {
            let mut out = Out::new(r.code, r.severity);
            check(&cx, &mut out);
            found.append(&mut out.findings);
        }
    }
    let skips = checkov_skips(&m);
    let ignores: Vec<(&TfFile, &Ignore)> = m
        .files
        .iter()
        .flat_map(|f| f.ignores.iter().map(move |i| (f, i)))
        .chain(skips.iter().map(|(fi, i)| (&m.files[*fi], i)))
        .collect();
    let (mut kept, suppressed) = suppress(found, &ignores);
    kept.retain(|f| {
        m.files
            .iter()
            .find(|x| x.source.name == f.file)
            .is_none_or(|x| x.reported)
    });
    (kept, resources, suppressed)
}

pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
}

/// The catalogue-level rules, with `# bankgen:ignore[...]` comments of the YAML applied.
pub fn lint_catalogue(cat: &Catalog, p: &Policies) -> (Vec<Finding>, usize) {
    lint_catalogue_with(cat, p, None)
}

/// [`lint_catalogue`], with the access check's findings (on catalogue lines) when it ran: its
/// suppressions are then used or unused like any other; when it did not run they are neither.
pub fn lint_catalogue_with(
    cat: &Catalog,
    p: &Policies,
    access: Option<Vec<Finding>>,
) -> (Vec<Finding>, usize) {
    let cx = CatCtx { cat, p };
    let mut found = Vec::new();
    for r in rules::RULES {
        if let Some(check) = r.catalogue {
            let mut out = Out::new(r.code, r.severity);
            check(&cx, &mut out);
            found.append(&mut out.findings);
        }
    }
    let ran = access.is_some();
    found.extend(access.unwrap_or_default());
    let mut files: Vec<TfFile> = cat.files.iter().map(|f| yaml_ignores(f.clone())).collect();
    if !ran {
        for f in &mut files {
            f.ignores.retain_mut(|i| {
                let before = i.codes.len();
                i.codes.retain(|c| !c.eq_ignore_ascii_case(access::CODE));
                before == 0 || !i.codes.is_empty()
            });
        }
    }
    let ignores: Vec<(&TfFile, &Ignore)> = files
        .iter()
        .flat_map(|f| f.ignores.iter().map(move |i| (f, i)))
        .collect();
    suppress(found, &ignores)
}

/// The access check's findings with the catalogue's suppressions of BGL804 applied, when the
/// catalogue rules do not run (their suppressions' own findings are theirs to report).
fn suppress_access(cat: &Catalog, found: Vec<Finding>) -> (Vec<Finding>, usize) {
    let mut files: Vec<TfFile> = cat.files.iter().map(|f| yaml_ignores(f.clone())).collect();
    for f in &mut files {
        f.ignores
            .retain(|i| i.codes.iter().any(|c| c.eq_ignore_ascii_case(access::CODE)));
    }
    let ignores: Vec<(&TfFile, &Ignore)> = files
        .iter()
        .flat_map(|f| f.ignores.iter().map(move |i| (f, i)))
        .collect();
    let (mut kept, suppressed) = suppress(found, &ignores);
    kept.retain(|f| f.code == access::CODE);
    (kept, suppressed)
}

/// A catalogue file's suppressions: a `# bankgen:ignore[...]` comment covers its own line when
/// it trails a value, else the next line that is not a comment.
fn yaml_ignores(src: Arc<SourceFile>) -> TfFile {
    let mut f = TfFile::new(src.clone(), PathBuf::from(&src.name));
    let lines: Vec<&str> = src.text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let Some(pos) = l.find("# bankgen:ignore") else {
            continue;
        };
        let Some((codes, reason)) = index::parse_ignore(&l[pos..]) else {
            continue;
        };
        let line = i as u64 + 1;
        let covers = if l[..pos].trim().is_empty() {
            let next = lines[i + 1..]
                .iter()
                .position(|x| !x.trim().is_empty() && !x.trim_start().starts_with('#'))
                .map(|k| line + k as u64 + 1)
                .unwrap_or(line);
            (line, next)
        } else {
            (line, line)
        };
        f.ignores.push(Ignore {
            codes,
            reason,
            line,
            column: pos as u64 + 1,
            covers,
            checkov: false,
        });
    }
    f
}

/// `#checkov:skip=CKV_…:reason` comments inside a resource block, as suppressions of the
/// bankgen rules that test the same thing (each rule's `checkov` list: the mapping table in
/// docs/rules.md), so that a team moving from checkov keeps its reviewed exceptions. Not in
/// files bankgen generated.
fn checkov_skips(m: &index::TfModule) -> Vec<(usize, Ignore)> {
    let mut out = Vec::new();
    for r in &m.resources {
        let file = m.file_of(r);
        // bankgen's own files carry skips for checkov's sake; its rules judge them fully.
        if file.generated_from.is_some() {
            continue;
        }
        let (first, _) = file.line_col(r.block.span.start);
        let (last, _) = file.line_col(r.block.span.end.saturating_sub(1));
        for line in first..=last {
            let text = file.line(line as usize);
            let Some(pos) = text.find("checkov:skip=") else {
                continue;
            };
            if !text[..pos].trim_end().ends_with('#') && !text[..pos].trim_end().ends_with("//") {
                continue;
            }
            let rest = &text[pos + "checkov:skip=".len()..];
            let (id, reason) = rest.split_once(':').unwrap_or((rest, ""));
            let id = id.trim();
            let codes: Vec<String> = rules::RULES
                .iter()
                .filter(|rule| rule.checkov.contains(&id))
                .map(|rule| rule.code.to_string())
                .collect();
            if !codes.is_empty() {
                out.push((
                    r.file,
                    Ignore {
                        codes,
                        reason: reason.trim().to_string(),
                        line,
                        column: pos as u64 + 1,
                        covers: (first, last),
                        checkov: true,
                    },
                ));
            }
        }
    }
    out
}

/// Drop the findings a suppression covers; report suppressions without a reason (BGL002) and
/// codes that suppressed nothing (BGL003). Returns the findings kept and how many were dropped.
fn suppress(found: Vec<Finding>, ignores: &[(&TfFile, &Ignore)]) -> (Vec<Finding>, usize) {
    let mut used = vec![Vec::<bool>::new(); ignores.len()];
    for (k, (_, ig)) in ignores.iter().enumerate() {
        used[k] = vec![false; ig.codes.len()];
    }
    let mut kept = Vec::new();
    let mut dropped = 0;
    for f in found {
        let mut hit = false;
        for (k, (file, ig)) in ignores.iter().enumerate() {
            if file.source.name != f.file || f.line < ig.covers.0 || f.line > ig.covers.1 {
                continue;
            }
            for (c, code) in ig.codes.iter().enumerate() {
                if code.eq_ignore_ascii_case(f.code) {
                    used[k][c] = true;
                    hit = true;
                }
            }
        }
        if hit {
            dropped += 1;
        } else {
            kept.push(f);
        }
    }
    let reason = rules::find(rules::IGNORE_WITHOUT_REASON).expect("registered");
    let unused = rules::find(rules::IGNORE_UNUSED).expect("registered");
    for (k, (file, ig)) in ignores.iter().enumerate() {
        if ig.checkov {
            continue;
        }
        let offset = file.line_col_offset(ig.line, ig.column);
        let span = value::Span {
            start: offset,
            end: offset
                + file
                    .line(ig.line as usize)
                    .len()
                    .saturating_sub(ig.column as usize - 1) as u32,
        };
        if ig.reason.is_empty() {
            let mut out = Out::new(reason.code, reason.severity);
            out.in_file(
                file,
                span,
                None,
                None,
                format!("suppression of {} gives no reason", ig.codes.join(", ")),
                "write why after the brackets: # bankgen:ignore[CODE] reason",
            );
            kept.append(&mut out.findings);
        }
        let mut out = Out::new(unused.code, unused.severity);
        if ig.codes.is_empty() {
            out.in_file(
                file,
                span,
                None,
                None,
                "suppression names no rule",
                "name the rule codes: # bankgen:ignore[BGL103] reason",
            );
        }
        for (c, code) in ig.codes.iter().enumerate() {
            if used[k][c] {
                continue;
            }
            let msg = if rules::find(code).is_none() {
                format!("suppression names `{code}`, which is not a rule")
            } else {
                format!("suppression of {code} suppresses nothing here")
            };
            out.in_file(
                file,
                span,
                None,
                None,
                msg,
                "remove it (run `bankgen rules` for the codes)",
            );
        }
        kept.append(&mut out.findings);
    }
    (kept, dropped)
}
