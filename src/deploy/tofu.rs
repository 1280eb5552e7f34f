//! The `tofu` (or `terraform`) binary, and what its `show -json` says: what a plan changes, what
//! a state holds. The commands themselves run in [`super::worker`].

use serde::Serialize;
use std::path::{Path, PathBuf};

/// `--tofu BIN`, else `BANKGEN_TOFU`, else `tofu` on PATH. A value with a `/` is a path; a bare
/// name is looked up on PATH.
pub fn resolve(flag: Option<&str>) -> Result<PathBuf, String> {
    let (value, from) = match flag {
        Some(f) => (f.to_string(), "--tofu"),
        None => match std::env::var("BANKGEN_TOFU") {
            Ok(v) if !v.is_empty() => (v, "BANKGEN_TOFU"),
            _ => ("tofu".to_string(), "the default"),
        },
    };
    let found = if value.contains('/') {
        // Absolute: each module runs in its own working directory.
        let p = PathBuf::from(&value);
        let p = std::path::absolute(&p).unwrap_or(p);
        is_executable(&p).then_some(p)
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join(&value))
                .find(|p| is_executable(p))
        })
    };
    found.ok_or_else(|| {
        format!(
            "cannot find the Terraform CLI `{value}` ({from}): install OpenTofu (`tofu`) or Terraform, \
             or name the binary with --tofu BIN or BANKGEN_TOFU (e.g. --tofu terraform)"
        )
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Terraform's plugin cache is not safe for concurrent `init`: when one is configured
/// (`TF_PLUGIN_CACHE_DIR`, or `plugin_cache_dir` in the CLI configuration), bankgen runs one
/// `init` at a time. Without a cache (the toolchain's filesystem mirror) inits run in parallel:
/// each module unpacks its own copy from the read-only mirror.
pub fn plugin_cache_in_use() -> Option<String> {
    if let Ok(v) = std::env::var("TF_PLUGIN_CACHE_DIR")
        && !v.is_empty()
    {
        return Some(format!("TF_PLUGIN_CACHE_DIR={v}"));
    }
    let config = std::env::var_os("TF_CLI_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraformrc")))?;
    let text = std::fs::read_to_string(&config).ok()?;
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .any(|l| l.starts_with("plugin_cache_dir"))
        .then(|| format!("plugin_cache_dir in {}", config.display()))
}

/// What a saved plan does: Terraform's own counting (a replacement is one add and one destroy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub adds: u32,
    pub changes: u32,
    pub destroys: u32,
}

impl Changes {
    pub fn any(&self) -> bool {
        self.adds + self.changes + self.destroys > 0
    }

    pub fn text(&self) -> String {
        format!("+{} ~{} -{}", self.adds, self.changes, self.destroys)
    }

    /// From `show -json PLAN`: `resource_changes[].change.actions`.
    pub fn from_plan_json(text: &str) -> Result<Changes, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("`show -json` is not JSON: {e}"))?;
        Ok(Changes::from_plan(&v))
    }

    /// From a parsed `show -json PLAN`.
    pub fn from_plan(v: &serde_json::Value) -> Changes {
        let mut c = Changes::default();
        for rc in v["resource_changes"].as_array().into_iter().flatten() {
            let actions: Vec<&str> = rc["change"]["actions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str())
                .collect();
            match actions.as_slice() {
                ["create"] => c.adds += 1,
                ["update"] => c.changes += 1,
                ["delete"] => c.destroys += 1,
                ["delete", "create"] | ["create", "delete"] => {
                    c.adds += 1;
                    c.destroys += 1;
                }
                _ => {} // no-op, read
            }
        }
        c
    }
}

/// Managed resources in `show -json` of a state (`None`: not such a document).
pub fn managed_resources(text: &str) -> Option<usize> {
    fn count(m: &serde_json::Value) -> usize {
        let own = m["resources"]
            .as_array()
            .map(|r| r.iter().filter(|x| x["mode"] == "managed").count())
            .unwrap_or(0);
        own + m["child_modules"]
            .as_array()
            .map(|c| c.iter().map(count).sum())
            .unwrap_or(0)
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("format_version")?;
    Some(count(&v["values"]["root_module"]))
}

/// Where a saved plan of `module` lives in a plans folder.
pub fn plan_file(dir: &Path, module: &str) -> PathBuf {
    dir.join(format!("{module}.tfplan"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_terraform() {
        let j = r#"{"resource_changes":[
            {"change":{"actions":["create"]}},
            {"change":{"actions":["update"]}},
            {"change":{"actions":["delete","create"]}},
            {"change":{"actions":["no-op"]}},
            {"change":{"actions":["read"]}},
            {"change":{"actions":["delete"]}}]}"#;
        assert_eq!(
            Changes::from_plan_json(j).unwrap(),
            Changes {
                adds: 2,
                changes: 1,
                destroys: 2
            }
        );
        assert!(!Changes::from_plan_json("{}").unwrap().any());
        assert!(Changes::from_plan_json("nope").is_err());
    }

    #[test]
    fn counts_managed_resources_of_a_state() {
        assert_eq!(managed_resources(r#"{"format_version":"1.0"}"#), Some(0));
        let state = r#"{"format_version":"1.0","values":{"root_module":{
            "resources":[{"mode":"managed"},{"mode":"data"}],
            "child_modules":[{"resources":[{"mode":"managed"}]}]}}}"#;
        assert_eq!(managed_resources(state), Some(2));
        assert_eq!(managed_resources("not json"), None);
    }
}
