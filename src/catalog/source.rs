use super::RawCatalog;
use super::raw::{DomainsFile, EventsFile, ModuleRaw, PlatformFile};
use crate::diag::{Loc, Problem, SourceFile};
use include_dir::{Dir, include_dir};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::Arc;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/catalog");

/// One file of the embedded catalogue, by its path below `catalog/`.
pub fn embedded_file(rel: &str) -> Option<&'static str> {
    EMBEDDED.get_file(rel).and_then(|f| f.contents_utf8())
}

/// A catalogue file larger than this is refused before parsing: the shipped files are a few KiB.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Where the catalogue is read from.
#[derive(Debug, Clone)]
pub enum CatalogSource {
    /// The catalogue compiled into the binary.
    Embedded,
    Dir(PathBuf),
}

impl CatalogSource {
    /// `--catalog DIR`, else `./catalog` when it exists, else the embedded copy.
    pub fn resolve(flag: Option<PathBuf>) -> CatalogSource {
        match flag {
            Some(dir) => CatalogSource::Dir(dir),
            None if Path::new("catalog/platform.yaml").is_file() => {
                CatalogSource::Dir(PathBuf::from("catalog"))
            }
            None => CatalogSource::Embedded,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            CatalogSource::Embedded => "the embedded catalogue".to_string(),
            CatalogSource::Dir(d) => d.display().to_string(),
        }
    }

    /// `(display name, relative path, bytes)` of every YAML file, sorted, per folder.
    fn list(&self, sub: &str) -> Result<Vec<(String, String, Vec<u8>)>, Problem> {
        let mut out = Vec::new();
        match self {
            CatalogSource::Embedded => {
                let files: Vec<_> = if sub.is_empty() {
                    EMBEDDED.files().collect()
                } else {
                    EMBEDDED
                        .get_dir(sub)
                        .map(|d| d.files().collect())
                        .unwrap_or_default()
                };
                for f in files {
                    let rel = f.path().to_string_lossy().into_owned();
                    if is_yaml(&rel) {
                        out.push((format!("catalog/{rel}"), rel, f.contents().to_vec()));
                    }
                }
            }
            CatalogSource::Dir(root) => {
                let dir = root.join(sub);
                if !dir.is_dir() {
                    return Ok(out);
                }
                let entries = std::fs::read_dir(&dir).map_err(|e| io_problem(&dir, &e))?;
                for entry in entries {
                    let entry = entry.map_err(|e| io_problem(&dir, &e))?;
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !path.is_file() || !is_yaml(&name) {
                        continue;
                    }
                    let rel = if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    };
                    let bytes = read_capped(&path)?;
                    out.push((path.display().to_string(), rel, bytes));
                }
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn io_problem(path: &Path, e: &std::io::Error) -> Problem {
    Problem::error(
        "BG004",
        None,
        format!("cannot read {}: {e}", path.display()),
        "check that the catalogue folder exists and is readable",
    )
}

fn read_capped(path: &Path) -> Result<Vec<u8>, Problem> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| io_problem(path, &e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_problem(path, &e))?;
    Ok(bytes)
}

/// Limits that turn hostile YAML (alias bombs, deep nesting, huge documents) into an error.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 32;
    budget.max_aliases = 256;
    budget.max_anchors = 256;
    budget.max_events = 200_000;
    budget.max_nodes = 100_000;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Parse one file; a problem names the file, line and column.
fn parse<T: DeserializeOwned>(file: &Arc<SourceFile>) -> Result<T, Problem> {
    serde_saphyr::from_str_with_options::<T>(&file.text, options())
        .map_err(|e| yaml_problem(file, &e))
}

fn yaml_problem(file: &Arc<SourceFile>, err: &serde_saphyr::Error) -> Problem {
    let message = err.without_snippet().to_string();
    let first = message
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string();
    let loc = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Loc::from_saphyr(file, &l))
        .or_else(|| Some(Loc::file_start(file)));
    let lower = first.to_lowercase();
    let (code, help) = if lower.contains("unknown field") {
        (
            "BG002",
            "remove the field or fix its spelling; the catalogue format is in the README",
        )
    } else if lower.contains("missing field") {
        (
            "BG005",
            "add the field; the catalogue format is in the README",
        )
    } else if lower.contains("budget") || lower.contains("limit") || lower.contains("depth") {
        (
            "BG003",
            "the file exceeds the parser's safety limits (aliases, nesting, size); write it out plainly",
        )
    } else {
        (
            "BG001",
            "fix the YAML at this place; values must match the catalogue format in the README",
        )
    };
    Problem::error(code, loc, first, help)
}

/// Read every catalogue file. Files that fail to parse are reported and left out; the rest load.
pub fn load(source: &CatalogSource) -> (RawCatalog, Vec<Problem>) {
    let mut cat = RawCatalog::default();
    let mut problems = Vec::new();
    let mut folders = Vec::new();
    for sub in ["", "modules", "events"] {
        match source.list(sub) {
            Ok(files) => folders.push((sub, files)),
            Err(p) => problems.push(p),
        }
    }
    for (sub, files) in folders {
        for (name, rel, bytes) in files {
            let Some(file) = decode(name, bytes, &mut problems) else {
                continue;
            };
            cat.files.push(file.clone());
            match (sub, rel.as_str()) {
                ("", "platform.yaml") => match parse::<PlatformFile>(&file) {
                    Ok(p) => cat.platform = Some((file, p)),
                    Err(p) => problems.push(p),
                },
                ("", "domains.yaml") => match parse::<DomainsFile>(&file) {
                    Ok(d) => cat.domains = Some((file, d)),
                    Err(p) => problems.push(p),
                },
                ("", _) => problems.push(Problem::error(
                    "BG006",
                    Some(Loc::file_start(&file)),
                    format!("unexpected catalogue file {rel}"),
                    "the top level holds platform.yaml and domains.yaml; modules go in modules/, events in events/",
                )),
                ("modules", _) => match parse::<ModuleRaw>(&file) {
                    Ok(m) => cat.modules.push((file, m)),
                    Err(p) => problems.push(p),
                },
                _ => match parse::<EventsFile>(&file) {
                    Ok(e) => cat.events.push((file, e)),
                    Err(p) => problems.push(p),
                },
            }
        }
    }
    for (missing, what) in [
        (cat.platform.is_none(), "platform.yaml"),
        (cat.domains.is_none(), "domains.yaml"),
    ] {
        let already = problems
            .iter()
            .any(|p| p.loc.as_ref().is_some_and(|l| l.file.name.ends_with(what)));
        if missing && !already {
            problems.push(Problem::error(
                "BG004",
                None,
                format!("{what} is missing from {}", source.describe()),
                "a catalogue folder holds platform.yaml, domains.yaml, modules/ and events/",
            ));
        }
    }
    (cat, problems)
}

fn decode(name: String, bytes: Vec<u8>, problems: &mut Vec<Problem>) -> Option<Arc<SourceFile>> {
    if bytes.len() > MAX_FILE_BYTES {
        problems.push(Problem::error(
            "BG003",
            None,
            format!("{name}: file is larger than {} KiB", MAX_FILE_BYTES / 1024),
            "split the file, or check that it is the catalogue file you meant",
        ));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(Arc::new(SourceFile { name, text })),
        Err(e) => {
            problems.push(Problem::error(
                "BG001",
                None,
                format!(
                    "{name}: not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                "save the file as UTF-8",
            ));
            None
        }
    }
}
