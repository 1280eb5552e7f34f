//! Markdown text for the published pages: escaping, and the cell texts that several pages or
//! resource kinds share. Every function returns Markdown ready to print.

use super::policy::Statement;
use super::{DomainFacts, RuntimeSettings};
use serde::Serialize;
use std::fmt::Write as _;

/// Text for a table cell or a line: no HTML, no table breaks, one line.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inline code, or escaped text when the value holds a backtick.
pub fn code(s: &str) -> String {
    if s.contains('`') || s.contains('\n') || s.contains('|') {
        esc(s)
    } else {
        format!("`{s}`")
    }
}

/// A Markdown table followed by a blank line; cells are already escaped. (The docs templates
/// lay out their tables themselves; this is for pages still written in Rust.)
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| {} |", head.join(" | "));
    let _ = writeln!(s, "|{}", head.iter().map(|_| " --- |").collect::<String>());
    for r in rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    s.push('\n');
    s
}

/// `2555` → `7y`, `90` → `90d`.
pub fn days(d: u32) -> String {
    if d >= 365 && d.is_multiple_of(365) {
        format!("{}y", d / 365)
    } else {
        format!("{d}d")
    }
}

/// `GLACIER` → `Glacier`, `lambda` → `Lambda`.
pub fn title_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a kind's docs section may look up beyond its own entries.
pub struct Docs<'a> {
    /// Classification → the alias of its key.
    pub key_aliases: &'a [(String, String)],
    pub domains: &'a [DomainFacts],
    pub runtime_defaults: &'a RuntimeSettings,
    /// The platform's primary region.
    pub region: &'a str,
    /// The platform's DR region (`dr_region`), if it has one.
    pub dr_region: Option<&'a str>,
}

impl Docs<'_> {
    /// The alias of a classification's KMS key (the classification itself when the platform
    /// does not know it), as plain text.
    pub fn key_alias(&self, classification: &str) -> String {
        self.key_aliases
            .iter()
            .find(|(c, _)| c == classification)
            .map(|(_, alias)| alias.clone())
            .unwrap_or_else(|| classification.to_string())
    }

    /// `SD01 Core Banking`, or the id alone when the catalogue has no such domain.
    pub fn domain_label(&self, id: &str) -> String {
        match self.domain(id) {
            Some(d) => format!("{} {}", d.id, esc(&d.name)),
            None => esc(id),
        }
    }

    pub fn domain(&self, id: &str) -> Option<&DomainFacts> {
        self.domains.iter().find(|d| d.id == id)
    }
}

/// One `##` section of a module's page: a heading, an optional paragraph, a table, and any
/// further tables. Every string is Markdown (cells already escaped).
#[derive(Debug, Serialize)]
pub struct DocSection {
    pub title: String,
    /// Printed as a paragraph between the heading and the table when not empty.
    pub intro: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Tables after the first one, each under a line of its own (a user pool's app clients).
    pub more: Vec<DocTable>,
}

/// A table under a line of text, inside a [`DocSection`].
#[derive(Debug, Serialize)]
pub struct DocTable {
    pub lead: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DocSection {
    /// A section with one table.
    pub fn new(title: &str, intro: &str, head: &[&str], rows: Vec<Vec<String>>) -> DocSection {
        DocSection {
            title: title.to_string(),
            intro: intro.to_string(),
            head: head.iter().map(|h| h.to_string()).collect(),
            rows,
            more: Vec::new(),
        }
    }
}

/// IAM statements, one per line of a cell: `Allow Sid: `actions` on `resources``.
pub fn statements(list: &[Statement]) -> String {
    list.iter()
        .map(|st| {
            let actions = if st.actions.is_empty() {
                format!("not {}", st.not_actions.join(", "))
            } else {
                st.actions.join(", ")
            };
            let res = if st.resources.is_empty() {
                format!("not {}", st.not_resources.join(", "))
            } else {
                st.resources.join(", ")
            };
            format!(
                "{} {}: {} on {}",
                esc(&st.effect.value),
                esc(&st.sid),
                code(&actions),
                code(&res)
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(days(2555), "7y");
        assert_eq!(days(90), "90d");
        assert_eq!(esc("a|b<c>\nd&"), "a\\|b&lt;c&gt; d&");
        assert_eq!(code("x`y"), "x`y");
        assert_eq!(code("bank-core"), "`bank-core`");
        assert_eq!(title_case("GLACIER"), "Glacier");
        assert_eq!(
            table(&["a", "b"], &[vec!["1".into(), "2".into()]]),
            "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        );
    }
}
