//! Shared by the lint tests: the repository's catalogue, the embedded policies, and lint runs
//! on folders.
#![allow(dead_code)]

use bankgen::catalog::CatalogSource;
use bankgen::lint::{self, Finding, Policies, Report, Request};
use bankgen::model::Catalog;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| {
        let src = CatalogSource::Dir(root().join("catalog"));
        match bankgen::load_catalog(&src) {
            Ok((c, _)) => c,
            Err(p) => panic!("the repository's catalogue does not load: {p:?}"),
        }
    })
}

pub fn policies() -> &'static Policies {
    static P: OnceLock<Policies> = OnceLock::new();
    P.get_or_init(Policies::embedded)
}

/// Lint Terraform paths with the repository's catalogue as context (no catalogue rules).
pub fn lint_paths(paths: &[&Path]) -> Report {
    let req = Request {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        catalog: lint::Catalogue::Ready(Some(catalog())),
        catalogue_rules: false,
        policies: policies(),
    };
    lint::lint(&req).unwrap_or_else(|e| panic!("lint: {}", e.0))
}

/// `file:line: CODE message` per finding, paths relative to `base`.
pub fn lines(findings: &[Finding], base: &Path) -> String {
    let base = format!("{}/", base.display());
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}[{}] {}",
                f.file.strip_prefix(&base).unwrap_or(&f.file),
                f.line,
                f.column,
                f.severity,
                f.code,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rendered trees of every environment, rendered once per test binary by the real
/// `bankgen render`.
pub fn rendered() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_bankgen"))
            .current_dir(root())
            .args(["render", "--all-envs", "--out"])
            .arg(&out)
            .output()
            .expect("run bankgen render");
        assert!(
            status.status.success(),
            "bankgen render failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        dir
    })
    .path()
}

/// Copy a folder (one level of files) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
