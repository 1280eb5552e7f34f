//! Which rules a lint run reports, as ruff chooses them: `select` (default: every rule), then
//! `extend-select`, minus `ignore`, minus `per-file-ignores` for the files they name. A code
//! stands for itself; a prefix (`BGL1`, `BGL50`) for every rule it starts; `ALL` for all. Read
//! from `[lint]` in the nearest `bankgen.toml` above the linted path, then the command line.

use super::policies::Glob;
use super::rules::RULES;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The rules that enforce one organisation's own conventions rather than AWS good practice:
/// the `third-party` preset leaves them out, for Terraform the organisation did not write.
pub const ORGANISATION_RULES: &[(&str, &str)] = &[
    ("BGL010", "the regions the organisation deploys to"),
    (
        "BGL201",
        "the organisation's key alias per data classification",
    ),
    ("BGL205", "the catalogue's classification of each resource"),
    ("BGL301", "the organisation's required tags"),
    ("BGL901", "the organisation's secret naming convention"),
];

pub const CONFIG_FILE: &str = "bankgen.toml";

/// `[lint]` of `bankgen.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub extend_select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// File glob (relative to the folder of `bankgen.toml`, `*` also crosses folders) → codes.
    #[serde(default)]
    pub per_file_ignores: std::collections::BTreeMap<String, Vec<String>>,
    pub preset: Option<Preset>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// Every rule (the default).
    All,
    /// Every rule but the organisation's own conventions (listed in docs/rules.md).
    ThirdParty,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    lint: Option<LintConfig>,
}

/// The command line's part: replaces (`select`, `preset`) or extends the file's.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub preset: Option<Preset>,
}

#[derive(Debug, Default)]
pub struct Selection {
    /// Codes reported anywhere (sorted).
    enabled: Vec<&'static str>,
    /// (glob on the path relative to `base`, codes ignored there)
    per_file: Vec<(Glob, Vec<&'static str>)>,
    base: PathBuf,
    /// The config file used, for messages.
    pub config: Option<PathBuf>,
}

impl Selection {
    /// Whether a finding of `code` in `file` (as the finding names it) is reported.
    pub fn allows(&self, code: &str, file: &str) -> bool {
        if !self.enabled.contains(&code) {
            return false;
        }
        if self.per_file.is_empty() {
            return true;
        }
        let path = Path::new(file);
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(path)
        };
        let rel = abs.strip_prefix(&self.base).unwrap_or(path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        !self
            .per_file
            .iter()
            .any(|(g, codes)| codes.contains(&code) && (g.matches(&rel) || g.matches(file)))
    }

    pub fn is_everything(&self) -> bool {
        self.per_file.is_empty() && self.enabled.len() == RULES.len()
    }
}

/// The nearest `bankgen.toml` at or above `start` (a file's folder, or the folder itself).
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let abs = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(start)
    };
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

/// Reads `[lint]` of a config file; a missing table is the default.
pub fn read_config(path: &Path) -> Result<LintConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|l| format!(":{l}")).unwrap_or_default();
        format!(
            "{}{at}: {} (the `[lint]` keys are select, extend-select, ignore, per-file-ignores, preset)",
            path.display(),
            e.message()
        )
    })?;
    Ok(file.lint.unwrap_or_default())
}

/// The codes a selector names: a code, a prefix of codes, or `ALL`; an error names the
/// closest code when it names none.
fn expand(selector: &str, origin: &str) -> Result<Vec<&'static str>, String> {
    let s = selector.trim().to_ascii_uppercase();
    if s == "ALL" {
        return Ok(RULES.iter().map(|r| r.code).collect());
    }
    let codes: Vec<&'static str> = RULES
        .iter()
        .filter(|r| !s.is_empty() && r.code.starts_with(&s))
        .map(|r| r.code)
        .collect();
    if codes.is_empty() {
        let all: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        let hint = crate::catalog::closest(&s, &all)
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        return Err(format!(
            "{origin}: `{selector}` is no rule code or prefix of one{hint}; `bankgen rules` lists them"
        ));
    }
    Ok(codes)
}

fn expand_all(selectors: &[String], origin: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for s in selectors.iter().flat_map(|s| s.split(',')) {
        if !s.trim().is_empty() {
            out.extend(expand(s, origin)?);
        }
    }
    Ok(out)
}

/// The selection from a config file (if any, with the folder its globs are relative to) and
/// the command line.
pub fn resolve(config: Option<(&Path, LintConfig)>, cli: &Overrides) -> Result<Selection, String> {
    let (file, cfg) = match config {
        Some((p, c)) => (Some(p.to_path_buf()), c),
        None => (None, LintConfig::default()),
    };
    let origin = file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the command line".into());
    let preset = cli.preset.or(cfg.preset).unwrap_or(Preset::All);
    let mut enabled: Vec<&'static str> = match (&cli.select, &cfg.select) {
        (Some(s), _) => expand_all(s, "--select")?,
        (None, Some(s)) => expand_all(s, &origin)?,
        (None, None) => RULES
            .iter()
            .map(|r| r.code)
            .filter(|c| preset == Preset::All || !ORGANISATION_RULES.iter().any(|(o, _)| o == c))
            .collect(),
    };
    enabled.extend(expand_all(&cfg.extend_select, &origin)?);
    enabled.extend(expand_all(&cli.extend_select, "--extend-select")?);
    let mut ignored = expand_all(&cfg.ignore, &origin)?;
    ignored.extend(expand_all(&cli.ignore, "--ignore")?);
    enabled.retain(|c| !ignored.contains(c));
    enabled.sort_unstable();
    enabled.dedup();
    let mut per_file = Vec::new();
    for (glob, codes) in &cfg.per_file_ignores {
        per_file.push((Glob::new(glob), expand_all(codes, &origin)?));
    }
    Ok(Selection {
        enabled,
        per_file,
        base: file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        config: file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(cfg: &str, cli: Overrides) -> Result<Selection, String> {
        let file: ConfigFile = toml::from_str(cfg).map_err(|e| e.to_string())?;
        let base = Path::new("/repo/bankgen.toml");
        resolve(Some((base, file.lint.unwrap_or_default())), &cli)
    }

    #[test]
    fn prefixes_codes_and_all_select_rules() {
        let s = sel("[lint]\nselect = [\"BGL1\"]\n", Overrides::default()).unwrap();
        assert!(s.allows("BGL101", "a.tf") && s.allows("BGL105", "a.tf"));
        assert!(!s.allows("BGL201", "a.tf"));
        let s = sel(
            "",
            Overrides {
                select: Some(vec!["ALL".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(s.is_everything());
    }

    #[test]
    fn ignore_wins_over_select_and_the_command_line_adds_to_the_file() {
        let s = sel(
            "[lint]\nignore = [\"BGL301\"]\n",
            Overrides {
                ignore: vec!["BGL010,BGL1".into()],
                ..Default::default()
            },
        )
        .unwrap();
        for c in ["BGL301", "BGL010", "BGL101", "BGL103"] {
            assert!(!s.allows(c, "a.tf"), "{c}");
        }
        assert!(s.allows("BGL201", "a.tf"));
        let s = sel(
            "[lint]\nselect = [\"BGL2\"]\nextend-select = [\"BGL301\"]\n",
            Overrides::default(),
        )
        .unwrap();
        assert!(
            s.allows("BGL301", "a.tf") && s.allows("BGL203", "a.tf") && !s.allows("BGL101", "a.tf")
        );
    }

    #[test]
    fn per_file_ignores_match_paths_below_the_config_folder() {
        let s = sel(
            "[lint.per-file-ignores]\n\"vendor/*\" = [\"BGL3\"]\n",
            Overrides::default(),
        )
        .unwrap();
        assert!(!s.allows("BGL301", "/repo/vendor/x/main.tf"));
        assert!(s.allows("BGL301", "/repo/app/main.tf"));
        assert!(s.allows("BGL101", "/repo/vendor/x/main.tf"));
    }

    #[test]
    fn the_third_party_preset_leaves_out_the_organisation_rules() {
        let s = sel("[lint]\npreset = \"third-party\"\n", Overrides::default()).unwrap();
        for (c, _) in ORGANISATION_RULES {
            assert!(!s.allows(c, "a.tf"), "{c}");
        }
        assert!(s.allows("BGL101", "a.tf"));
    }

    #[test]
    fn an_unknown_selector_is_an_error_with_the_closest_code() {
        let e = sel("[lint]\nignore = [\"BGL3011\"]\n", Overrides::default()).unwrap_err();
        assert!(
            e.contains("`BGL3011` is no rule code") && e.contains("did you mean BGL301?"),
            "{e}"
        );
        let e = sel("[lint]\nselct = []\n", Overrides::default()).unwrap_err();
        assert!(e.contains("selct"), "{e}");
    }

    #[test]
    fn every_organisation_rule_exists() {
        for (c, _) in ORGANISATION_RULES {
            assert!(RULES.iter().any(|r| r.code == *c), "{c}");
        }
    }
}
