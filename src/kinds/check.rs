//! What a kind's validation sees: its module's file and resources, the platform's
//! classifications and the domains; problems go into the catalogue's list.

use super::Resources;
use super::Sp;
use super::names::{Convention, Naming};
use crate::diag::{Loc, Problem, SourceFile};
use std::collections::HashSet;
use std::sync::Arc;

/// A data classification and the alias of its key.
pub struct ClassFacts<'a> {
    pub name: &'a str,
    pub key_alias: &'a str,
}

pub struct Checker<'a> {
    pub file: &'a Arc<SourceFile>,
    /// The module's own resources (what a reference may point at).
    pub resources: &'a Resources,
    pub classifications: &'a [ClassFacts<'a>],
    pub domains: &'a [&'a str],
    /// The tenant's naming conventions.
    pub naming: &'a Naming,
    /// The platform's DR region (`dr_region`), where entries that ask for a DR copy put it.
    pub dr_region: Option<&'a str>,
    pub problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    /// An entry at `at` asks for a copy in the DR region (`what`): the platform must have one.
    pub fn needs_dr_region(&mut self, at: &serde_saphyr::Location, what: &str) {
        if self.dr_region.is_none() {
            self.err(
                "BG040",
                at,
                format!("{what} asks for a DR copy, but platform.yaml has no dr_region"),
                "add `dr_region:` (another region of the same jurisdiction) to platform.yaml",
            );
        }
    }

    pub fn err(
        &mut self,
        code: &'static str,
        at: &serde_saphyr::Location,
        message: String,
        help: impl Into<String>,
    ) {
        self.problems.push(Problem::error(
            code,
            Some(Loc::from_saphyr(self.file, at)),
            message,
            help,
        ));
    }

    /// BG030 unless `value` follows the naming convention (`{env}` is filled in when rendering).
    pub fn name(&mut self, value: &Sp<String>, conv: &Convention) -> bool {
        if conv.matches(&value.value.replace("{env}", "env")) {
            return true;
        }
        self.err(
            "BG030",
            &value.referenced,
            format!(
                "{} `{}` breaks the naming convention",
                conv.what,
                value.value.escape_debug()
            ),
            conv.help(),
        );
        false
    }

    pub fn classification(&mut self, c: &Sp<String>) {
        if self.classifications.iter().any(|k| k.name == c.value) {
            return;
        }
        let help = known(
            "classifications",
            self.classifications.iter().map(|c| c.name),
        );
        self.err(
            "BG014",
            &c.referenced,
            format!("unknown data classification `{}`", c.value),
            help,
        );
    }

    /// The key alias of a known classification.
    pub fn key_alias(&self, classification: &str) -> Option<&str> {
        self.classifications
            .iter()
            .find(|c| c.name == classification)
            .map(|c| c.key_alias)
    }

    pub fn domain(&mut self, d: &Sp<String>) {
        if self.domains.contains(&d.value.as_str()) {
            return;
        }
        let help = known("domains", self.domains.iter().copied());
        self.err(
            "BG012",
            &d.referenced,
            format!("unknown domain `{}`", d.value),
            help,
        );
    }

    /// BG013 unless the module declares the bucket.
    pub fn bucket(&mut self, b: &Sp<String>) {
        let r = self.resources;
        if r.buckets.iter().any(|x| x.name.value == b.value) {
            return;
        }
        let mut names: Vec<&str> = r.buckets.iter().map(|x| x.name.value.as_str()).collect();
        names.sort_unstable();
        self.err(
            "BG013",
            &b.referenced,
            format!("unknown bucket `{}`", b.value),
            known("buckets of this module", names.into_iter()),
        );
    }

    /// `code` unless the module declares the entry; `what` names it (`Firehose stream`).
    pub fn declared<'n>(
        &mut self,
        code: &'static str,
        what: &str,
        plural: &str,
        x: &Sp<String>,
        names: impl Iterator<Item = &'n str> + Clone,
    ) {
        if names.clone().any(|n| n == x.value) {
            return;
        }
        self.err(
            code,
            &x.referenced,
            format!("unknown {what} `{}`", x.value),
            known(plural, names),
        );
    }
}

/// "known buckets: a, b", or that there are none.
pub fn known<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> String {
    let mut seen = HashSet::new();
    let list: Vec<&str> = names.filter(|n| seen.insert(*n)).collect();
    if list.is_empty() {
        format!("there are no {what} to refer to")
    } else {
        format!("known {what}: {}", list.join(", "))
    }
}
