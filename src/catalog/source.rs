use super::RawCatalog;
use super::explain::{FileKind, yaml_problem};
use super::raw::{DomainsFile, EventsFile, ModuleRaw, PlatformFile};
use crate::diag::{Loc, Problem, SourceFile};
use include_dir::{Dir, include_dir};
use rayon::prelude::*;
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
    /// `--catalog DIR`, else `./catalog` when that folder exists, else the embedded copy.
    pub fn resolve(flag: Option<PathBuf>) -> CatalogSource {
        match flag {
            Some(dir) => CatalogSource::Dir(dir),
            // A `./catalog` folder is the user's catalogue even when it is broken (say,
            // platform.yaml deleted): checking the embedded copy instead would pass silently.
            None if Path::new("catalog").is_dir() => CatalogSource::Dir(PathBuf::from("catalog")),
            None => CatalogSource::Embedded,
        }
    }

    /// The catalogue's own lint parameters: a `policies/` folder beside its `modules/`, whose
    /// files replace the embedded ones (a catalogue with other names needs other key aliases).
    pub fn policies_dir(&self) -> Option<PathBuf> {
        match self {
            CatalogSource::Dir(d) => Some(d.join("policies")).filter(|p| p.is_dir()),
            CatalogSource::Embedded => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            CatalogSource::Embedded => "the embedded catalogue".to_string(),
            CatalogSource::Dir(d) => d.display().to_string(),
        }
    }

    /// Which catalogue this is, for the first line of `render`: `embedded`, or the folder as a
    /// path a shell takes (`./catalog`, `../x/catalog`, `/abs/catalog`).
    pub fn label(&self) -> String {
        match self {
            CatalogSource::Embedded => "embedded".to_string(),
            CatalogSource::Dir(d) => {
                let shown = d.display().to_string();
                match d.components().next() {
                    Some(std::path::Component::Normal(_)) => format!("./{shown}"),
                    _ => shown,
                }
            }
        }
    }

    /// Whether the catalogue has the folder `sub` (the embedded one has them all).
    fn has_dir(&self, sub: &str) -> bool {
        match self {
            CatalogSource::Embedded => EMBEDDED.get_dir(sub).is_some(),
            CatalogSource::Dir(root) => root.join(sub).is_dir(),
        }
    }

    /// `(display name, relative path, bytes)` of every YAML file, sorted, per folder. A YAML
    /// name that cannot be opened (a dangling or looping link) goes to `broken`.
    #[allow(clippy::type_complexity)]
    fn list(
        &self,
        sub: &str,
        broken: &mut Vec<Problem>,
    ) -> Result<Vec<(String, String, Vec<u8>)>, Problem> {
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
                let shown = display_root(root);
                let dir = root.join(sub);
                if !dir.is_dir() {
                    return Ok(out);
                }
                let entries = std::fs::read_dir(&dir).map_err(|e| io_problem(&dir, &e))?;
                for entry in entries {
                    let entry = entry.map_err(|e| io_problem(&dir, &e))?;
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !is_yaml(&name) {
                        continue;
                    }
                    let rel = if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    };
                    // A link that leads nowhere is a file the user meant to be read: skipping
                    // it would drop a module without a word.
                    if let Err(e) = std::fs::metadata(&path) {
                        broken.push(broken_link(&format!("{shown}/{rel}"), &path, &e));
                        continue;
                    }
                    if !path.is_file() {
                        continue;
                    }
                    let bytes = read_capped(&path)?;
                    out.push((format!("{shown}/{rel}"), rel, bytes));
                }
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }
}

/// The name a catalogue folder's files are shown under: the folder's own name, however its
/// path was spelled (`catalog`, `./catalog`, an absolute path, `../catalog` from a subfolder),
/// so that rendered headers, `# bankgen:source` comments and diagnostics do not depend on the
/// current folder. Names are always written with `/`.
fn display_root(root: &Path) -> String {
    use std::path::Component;
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut parts = Vec::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts
        .iter()
        .collect::<PathBuf>()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "catalog".to_string())
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The code of input that could not be read (a missing or unreadable folder or file): a usage
/// error (exit 2), where the other codes are problems found in the catalogue (exit 1).
pub const UNREADABLE: &str = "BG007";

/// A file of the catalogue that is a link leading nowhere (dangling, looping, to itself): a
/// problem found in a catalogue that could be read (exit 1).
pub const BROKEN_LINK: &str = "BG009";

/// A catalogue file that is a link leading nowhere, named as the catalogue's other files are.
fn broken_link(shown: &str, path: &Path, e: &std::io::Error) -> Problem {
    let target = std::fs::read_link(path).ok();
    let to_itself = target
        .as_ref()
        .is_some_and(|t| path.parent().map(|p| p.join(t)).as_deref() == Some(path));
    let what = match &target {
        Some(_) if to_itself => "is a symbolic link to itself".to_string(),
        Some(t) if e.raw_os_error() == Some(libc::ELOOP) => {
            format!("is a symbolic link that loops (through {})", t.display())
        }
        Some(t) if e.kind() == std::io::ErrorKind::NotFound => format!(
            "is a dangling symbolic link: {} does not exist",
            t.display()
        ),
        _ => format!("cannot be read: {e}"),
    };
    let file = Arc::new(SourceFile {
        name: shown.to_string(),
        text: String::new(),
    });
    Problem::error(
        BROKEN_LINK,
        Some(Loc::file_start(&file)),
        format!("{shown} {what}"),
        "point the link at the module's file, or remove it",
    )
}

fn io_problem(path: &Path, e: &std::io::Error) -> Problem {
    Problem::error(
        UNREADABLE,
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

/// The deepest nesting of lists and mappings a YAML file may have (the README's figure).
pub const MAX_DEPTH: usize = 32;
/// The most aliases, and the most anchors, a YAML file may use.
pub const MAX_ALIASES: usize = 256;

/// Limits that turn hostile YAML (alias bombs, deep nesting, huge documents) into an error:
/// for every YAML file bankgen reads (the catalogue's and the lint policies').
/// The optional policy file of the recovery tiers.
pub const DR_FILE: &str = "dr.yaml";

/// `dr.yaml` of a policies folder, if it has one (kinds/recovery.rs).
pub fn read_dr_policy(
    dir: Option<&Path>,
) -> Result<Option<crate::kinds::recovery::DrPolicy>, String> {
    let Some(p) = dir.map(|d| d.join(DR_FILE)).filter(|p| p.is_file()) else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    if text.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{}: larger than {} KiB, the limit for a YAML file",
            p.display(),
            MAX_FILE_BYTES / 1024
        ));
    }
    serde_saphyr::from_str_with_options(&text, options())
        .map(Some)
        .map_err(|e| format!("{}: {e}", p.display()))
}

pub fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_events = 200_000;
    budget.max_nodes = 100_000;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    options
}

/// Parse one file; a problem names the file, line and column.
fn parse<T: DeserializeOwned>(file: &Arc<SourceFile>, kind: FileKind) -> Result<T, Problem> {
    serde_saphyr::from_str_with_options::<T>(&file.text, options())
        .map_err(|e| yaml_problem(file, &e, kind))
}

/// Read every catalogue file. Files that fail to parse are reported and left out; the rest load.
pub fn load(source: &CatalogSource) -> (RawCatalog, Vec<Problem>) {
    let mut cat = RawCatalog::default();
    let mut problems = Vec::new();
    // A folder that is not there is input bankgen cannot read, not a catalogue missing every
    // file.
    if let CatalogSource::Dir(root) = source
        && let Err(e) = std::fs::read_dir(root)
    {
        problems.push(Problem::error(
            UNREADABLE,
            None,
            format!("cannot read the catalogue folder {}: {e}", root.display()),
            "check --catalog (or BANKGEN_CATALOG): it names a folder holding platform.yaml, domains.yaml, modules/ and events/",
        ));
        return (cat, problems);
    }
    let mut folders = Vec::new();
    let mut module_files = 0;
    for sub in ["", "modules", "events"] {
        match source.list(sub, &mut problems) {
            Ok(files) => {
                if sub == "modules" {
                    module_files = files.len();
                }
                folders.push((sub, files));
            }
            Err(p) => problems.push(p),
        }
    }
    // Files parse in parallel (YAML parsing is most of a catalogue load); they are taken in
    // listing order, so problems and modules keep their order.
    let listed: Vec<(&str, String, String, Vec<u8>)> = folders
        .into_iter()
        .flat_map(|(sub, files)| files.into_iter().map(move |(n, r, b)| (sub, n, r, b)))
        .collect();
    let read: Vec<_> = listed
        .into_par_iter()
        .map(|(sub, name, rel, bytes)| (sub, read_file(sub, &rel, name, bytes)))
        .collect();
    for (sub, read) in read {
        // A file that is not text is left out of `files`; its problem is reported like a
        // parse error.
        let (file, parsed) = match read {
            Ok((file, parsed)) => {
                cat.files.push(file.clone());
                (file, parsed)
            }
            Err((file, p)) => (file, Err(p)),
        };
        match parsed {
            Ok(Parsed::Platform(p)) => cat.platform = Some((file, *p)),
            Ok(Parsed::Domains(d)) => cat.domains = Some((file, d)),
            Ok(Parsed::Module(m)) => cat.modules.push((file, *m)),
            Ok(Parsed::Events(e)) => cat.events.push((file, e)),
            Err(p) => {
                problems.push(p);
                if sub == "modules" {
                    cat.unparsed_modules.push(file);
                }
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
                "a catalogue folder holds platform.yaml, domains.yaml, modules/ and events/; bankgen reads ./catalog when it exists, or the folder given with --catalog",
            ));
        }
    }
    // A catalogue of no modules is a mistake (a wrong --catalog, a folder not checked out),
    // never an intent: rendering it would remove every generated module.
    let modules_listed = module_files > 0
        || problems.iter().any(|p| {
            p.loc
                .as_ref()
                .is_some_and(|l| l.file.name.contains("/modules/"))
        });
    if !modules_listed {
        let why = if source.has_dir("modules") {
            "its modules/ folder holds no module files (*.yaml)"
        } else {
            "it has no modules/ folder"
        };
        problems.push(Problem::error(
            "BG008",
            None,
            format!("the catalogue ({}) has no modules: {why}", source.describe()),
            "a catalogue folder holds platform.yaml, domains.yaml, modules/ and events/; check that --catalog (or BANKGEN_CATALOG) names the right folder",
        ));
    }
    (cat, problems)
}

/// What one catalogue file parsed to.
enum Parsed {
    Platform(Box<PlatformFile>),
    Domains(DomainsFile),
    Module(Box<ModuleRaw>),
    Events(EventsFile),
}

/// Decode and parse one listed file: `Err` when it cannot be read as text (with a stand-in
/// file), else the file and what it parsed to or its problem.
#[allow(clippy::type_complexity)]
fn read_file(
    sub: &str,
    rel: &str,
    name: String,
    bytes: Vec<u8>,
) -> Result<(Arc<SourceFile>, Result<Parsed, Problem>), (Arc<SourceFile>, Problem)> {
    let file = decode(name, bytes)?;
    let parsed = match (sub, rel) {
        ("", "platform.yaml") => {
            parse(&file, FileKind::Platform).map(|p| Parsed::Platform(Box::new(p)))
        }
        ("", "domains.yaml") => parse(&file, FileKind::Domains).map(Parsed::Domains),
        ("", _) => Err(Problem::error(
            "BG006",
            Some(Loc::file_start(&file)),
            format!("unexpected catalogue file {rel}"),
            "the top level holds platform.yaml and domains.yaml; modules go in modules/, events in events/",
        )),
        ("modules", _) => parse(&file, FileKind::Module).map(|m| Parsed::Module(Box::new(m))),
        _ => parse(&file, FileKind::Events).map(Parsed::Events),
    };
    Ok((file, parsed))
}

/// The file's text, or the problem with it (too large, not UTF-8) and a stand-in file that
/// names it, with the text up to the problem.
fn decode(name: String, bytes: Vec<u8>) -> Result<Arc<SourceFile>, (Arc<SourceFile>, Problem)> {
    if bytes.len() > MAX_FILE_BYTES {
        let file = Arc::new(SourceFile {
            name,
            text: String::new(),
        });
        let p = Problem::error(
            "BG003",
            Some(Loc::file_start(&file)),
            format!(
                "the file is larger than {} KiB, the limit for a catalogue file",
                MAX_FILE_BYTES / 1024
            ),
            "catalogue files are a few KiB: check that this is the file you meant, or split it",
        );
        return Err((file, p));
    }
    // UTF-16 (as some Windows editors save): named as such, and shown decoded, not as
    // bytes with a NUL in every other place.
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(unit) = utf16 {
        let units = bytes[2..].chunks_exact(2).map(|c| unit([c[0], c[1]]));
        let file = Arc::new(SourceFile {
            name,
            text: char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect(),
        });
        let p = Problem::error(
            "BG001",
            Some(Loc::file_start(&file)),
            "the file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8",
            "save the file as UTF-8",
        );
        return Err((file, p));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::new(SourceFile { name, text })),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.as_bytes()[at];
            let file = Arc::new(SourceFile {
                name,
                text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            });
            let p = Problem::error(
                "BG001",
                Some(Loc::at_offset(&file, at, '\u{FFFD}'.len_utf8())),
                format!("the file is not UTF-8 text: byte 0x{bad:02X} here is not valid UTF-8"),
                "save the file as UTF-8 (it may be Latin-1 or UTF-16)",
            );
            Err((file, p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_folder_is_shown_by_its_own_name_however_it_is_spelt() {
        let cwd = std::env::current_dir().unwrap();
        for spelling in [
            PathBuf::from("catalog"),
            PathBuf::from("./catalog"),
            PathBuf::from("catalog/"),
            PathBuf::from("./catalog/."),
            PathBuf::from("x/../catalog"),
            cwd.join("catalog"),
        ] {
            assert_eq!(display_root(&spelling), "catalog", "{}", spelling.display());
        }
        let parent = cwd.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(display_root(Path::new(".")), parent);
        assert_eq!(display_root(Path::new("catalog/..")), parent);
    }

    /// Parse into an untyped value, which accepts any nesting and expands every alias: the
    /// budget, not the catalogue's types, has to stop these.
    fn untyped(text: String) -> Problem {
        let file = Arc::new(SourceFile {
            name: "hostile.yaml".into(),
            text,
        });
        parse::<serde_json::Value>(&file, FileKind::Module).expect_err("must be refused")
    }

    #[test]
    fn an_alias_bomb_breaks_the_budget() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(", ");
            s.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let p = untyped(s);
        assert_eq!(p.code, "BG003", "{}", p.short());
        assert!(!p.message.contains('{'), "leaks internals: {}", p.message);
    }

    #[test]
    fn deep_nesting_breaks_the_budget() {
        for text in [
            format!("a: {}{}\n", "[".repeat(200), "]".repeat(200)),
            format!("a: {}1{}\n", "{a: ".repeat(200), "}".repeat(200)),
            (0..200)
                .map(|i| format!("{}-\n", "  ".repeat(i)))
                .collect::<String>()
                + "x\n",
        ] {
            let p = untyped(text);
            assert!(p.code == "BG003" || p.code == "BG001", "{}", p.short());
            assert!(p.loc.as_ref().is_some_and(|l| l.line > 0), "{}", p.short());
        }
    }

    #[test]
    fn nesting_is_capped_at_the_depth_the_readme_gives() {
        let nested = |n: usize| format!("{}1{}\n", "[".repeat(n), "]".repeat(n));
        let parses = |text: String| {
            serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options()).is_ok()
        };
        assert!(parses(nested(MAX_DEPTH)), "{MAX_DEPTH} levels are allowed");
        assert!(!parses(nested(MAX_DEPTH + 1)), "one more is refused");
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        assert!(
            readme.contains(&format!("nesting at {MAX_DEPTH}"))
                && readme.contains(&format!("aliases and anchors at {MAX_ALIASES}")),
            "the README's limits are the loader's"
        );
    }

    #[test]
    fn many_values_break_the_budget() {
        let p = untyped(format!("a: [{}]\n", vec!["1"; 150_000].join(",")));
        assert_eq!(p.code, "BG003", "{}", p.short());
    }
}
