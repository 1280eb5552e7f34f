//! serde-saphyr's errors → problems a catalogue author can act on: the stable code, a message
//! in the catalogue's own words (no Rust type names, no parser internals, no duplicated
//! "at line X" suffix), the place, and what to do.

use super::source::{MAX_ALIASES, MAX_DEPTH};
use crate::diag::{Loc, Problem, SourceFile};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Error, MessageFormatter};
use std::sync::Arc;

/// Which catalogue file is being read, for messages about the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Platform,
    Domains,
    Module,
    Events,
}

impl FileKind {
    fn shape(self) -> &'static str {
        match self {
            FileKind::Platform => {
                "platform.yaml is one mapping: tenant, region, provider, environments, required_tags, ssm_convention, classifications, runtime_defaults, event_delivery"
            }
            FileKind::Domains => "domains.yaml is one mapping: phases and domains",
            FileKind::Module => {
                "a module file is one mapping: id, title, system, kind, and optionally repo, purpose, depends_on, policies, runtime, resources"
            }
            FileKind::Events => "an events file is one mapping: bus, events and subscriptions",
        }
    }
}

const HELP_LIMITS: &str = "catalogue files are small and plain: write the values out instead of nesting deeply or repeating aliases";

/// The problem for one file that did not parse.
pub fn yaml_problem(file: &Arc<SourceFile>, err: &Error, kind: FileKind) -> Problem {
    let err = err.without_snippet();
    let (inner, alias) = match err {
        Error::AliasError {
            error, locations, ..
        } => (error.without_snippet(), Some(*locations)),
        other => (other, None),
    };
    let here = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Loc::from_saphyr(file, &l))
        .unwrap_or_else(|| Loc::file_start(file));
    let found = || quote_found(file, &here);
    let mut loc = here.clone();
    let mut related = Vec::new();
    let (code, message, help): (&'static str, String, String) = match inner {
        Error::SerdeUnknownField {
            field, expected, ..
        } => (
            "BG002",
            format!("unknown field `{field}`"),
            match closest(field, expected) {
                Some(best) => format!(
                    "did you mean `{best}`? the fields here are {}",
                    expected.join(", ")
                ),
                None if expected.is_empty() => "remove the field".to_string(),
                None => format!(
                    "remove it or fix its spelling; the fields here are {}",
                    expected.join(", ")
                ),
            },
        ),
        Error::SerdeMissingField { field, .. } => {
            // serde-saphyr points at the mapping's last key; the mapping starts further up.
            loc = mapping_start(file, &here);
            let help = match misplaced(file, &loc, field) {
                Some(line) => format!(
                    "`{field}:` on line {line} is not in line with the other keys of this mapping; indent it like them"
                ),
                None => format!("add `{field}:` to this mapping; the catalogue format is in the README"),
            };
            ("BG005", format!("missing field `{field}`"), help)
        }
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            "BG001",
            format!("unknown value `{variant}`"),
            match closest(variant, expected) {
                Some(best) => format!(
                    "did you mean `{best}`? the values here are {}",
                    expected.join(", ")
                ),
                None => format!("the values here are {}", expected.join(", ")),
            },
        ),
        Error::InvalidScalar { ty, .. } => {
            let (what, help) = scalar_type(ty);
            (
                "BG001",
                match found() {
                    Some(v) => format!("{v} is not {what}"),
                    None => format!("expected {what}"),
                },
                help.to_string(),
            )
        }
        Error::InvalidBooleanStrict { .. } => (
            "BG001",
            match found() {
                Some(v) => format!("{v} is not true or false"),
                None => "expected true or false".to_string(),
            },
            "write true or false".to_string(),
        ),
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Error::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            "BG001",
            format!("expected {expected}, found {unexpected}"),
            "fix the value; the catalogue format is in the README".to_string(),
        ),
        Error::SerdeInvalidLength { len, expected, .. } => (
            "BG001",
            format!("expected {expected}, found {len} entries"),
            "fix the value; the catalogue format is in the README".to_string(),
        ),
        Error::Unexpected { expected, .. }
            if *expected == "mapping start"
                && file.text.get(..here.offset).is_some_and(is_blank) =>
        {
            let what = match file.text.trim_start().chars().next() {
                Some('-') | Some('[') => "a list",
                _ => "a single value",
            };
            (
                "BG001",
                format!("the file is {what}, not a mapping of fields"),
                kind.shape().to_string(),
            )
        }
        Error::Unexpected { expected, .. } => {
            let (want, example) = shape(expected);
            let got = found_shape(file, &here);
            (
                "BG001",
                match got {
                    Some(g) => format!("expected {want}, found {g}"),
                    None => format!("expected {want}"),
                },
                format!("write {example}; the catalogue format is in the README"),
            )
        }
        Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
        | Error::ExpectedStringKeyForExternallyTaggedEnum { .. }
        | Error::UnexpectedValueForUnitEnumVariant { .. } => (
            "BG001",
            "expected a single keyword here, not a list or a mapping".to_string(),
            "write one of the allowed words, e.g. `kind: runtime`; the catalogue format is in the README"
                .to_string(),
        ),
        Error::NullIntoString { .. } => (
            "BG001",
            "expected a value, found nothing".to_string(),
            "write the value after the colon, or remove the field if it is optional".to_string(),
        ),
        Error::Eof { .. } if is_blank(&file.text) => (
            {
                loc = Loc::file_start(file);
                "BG001"
            },
            "the file is empty".to_string(),
            kind.shape().to_string(),
        ),
        Error::Eof { .. } => (
            "BG001",
            "the file ends in the middle of a value".to_string(),
            "close every quote, `[` and `{`".to_string(),
        ),
        Error::MultipleDocuments { .. }
        | Error::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => (
            "BG001",
            "a second YAML document starts here".to_string(),
            "a catalogue file holds one document: remove the `---` line, or give the second document a file of its own"
                .to_string(),
        ),
        Error::Budget { breach, .. } => ("BG003", budget_message(breach), HELP_LIMITS.into()),
        Error::AliasReplayCounterOverflow { .. }
        | Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayStackDepthExceeded { .. } => (
            "BG003",
            "aliases expand to more data than a catalogue file may hold".to_string(),
            HELP_LIMITS.into(),
        ),
        Error::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_default();
            if let Some(first) = earlier_key(file, &here, &key) {
                related.push((first, "first written here".to_string()));
            }
            (
                "BG001",
                format!("`{key}` appears twice in this mapping"),
                "a mapping holds each key once: remove one of them".to_string(),
            )
        }
        Error::UnknownAnchor { .. } => (
            "BG001",
            "this alias names no anchor defined before it".to_string(),
            "define `&name` before using `*name`, or write the value out".to_string(),
        ),
        Error::IndentationError { actual, .. } => (
            "BG001",
            format!("incorrect indentation ({actual} spaces)"),
            "indent nested values with spaces, consistently".to_string(),
        ),
        Error::Message { msg, .. } | Error::ExternalMessage { msg, .. } => {
            let first = msg.lines().next().unwrap_or("invalid YAML").trim();
            if first.contains("found a tab") {
                // The scanner reports where the token began; the tab may be further on.
                if let Some(i) = file.text.get(here.offset..).and_then(|t| t.find('\t')) {
                    loc = Loc::at_offset(file, here.offset + i, 1);
                }
            }
            ("BG001", first.to_string(), syntax_help(first).to_string())
        }
        other => {
            let text = serde_saphyr::UserMessageFormatter
                .format_message(other)
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim()
                .to_string();
            let help = syntax_help(&text).to_string();
            ("BG001", text, help)
        }
    };
    let mut p = Problem::error(code, Some(loc), message, help);
    if let Some(a) = alias
        && a.defined_location != a.reference_location
        && a.defined_location.line() > 0
    {
        p = p.with_related(
            Loc::from_saphyr(file, &a.defined_location),
            "the anchor this alias repeats",
        );
    }
    for (l, label) in related {
        p = p.with_related(l, label);
    }
    p
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// The scalar written at `loc`, quoted for a message (at most 40 characters).
fn quote_found(file: &SourceFile, loc: &Loc) -> Option<String> {
    let end = (loc.offset + loc.len).min(file.text.len());
    let raw = file.text.get(loc.offset..end)?.trim();
    let raw = if raw.is_empty() {
        // No span: take the rest of the token on the line.
        let rest = file.text.get(loc.offset..)?;
        rest.split(['\n', ',', '}', ']', '#'])
            .next()
            .unwrap_or("")
            .trim()
    } else {
        raw
    };
    if raw.is_empty() {
        return None;
    }
    let short: String = raw.chars().take(40).collect();
    let ellipsis = if short.len() < raw.len() { "…" } else { "" };
    Some(format!("`{}{ellipsis}`", short.escape_debug()))
}

/// A Rust scalar type in the catalogue's words, and what to write.
fn scalar_type(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => (
            "a whole number",
            "write it in digits, e.g. 30: a whole number from 0 to 4294967295",
        ),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => {
            ("a whole number", "write a whole number in digits, e.g. 30")
        }
        "f32" | "f64" => ("a number", "write a number in digits, e.g. 1.5"),
        "bool" | "boolean" => ("true or false", "write true or false"),
        "char" => ("a single character", "write one character"),
        _ => (
            "a valid value",
            "fix the value; the catalogue format is in the README",
        ),
    }
}

/// serde-saphyr's "expected …" → the catalogue's words and an example.
fn shape(expected: &str) -> (&'static str, &'static str) {
    match expected {
        "string scalar" | "scalar" => (
            "a single value",
            "one value here, e.g. `title: Payments hub`",
        ),
        "mapping start" | "mapping" => (
            "a mapping of fields",
            "`field: value` lines here, indented below the key",
        ),
        "sequence start" | "sequence" => ("a list", "a list here: `[a, b]` or `- item` lines"),
        _ => (
            "another kind of value",
            "the kind of value the catalogue format asks for",
        ),
    }
}

/// What was written at `loc`, when it is clear: a list, a mapping or a single value.
fn found_shape(file: &SourceFile, loc: &Loc) -> Option<&'static str> {
    let text = &file.text;
    let at = text.get(loc.offset..)?.trim_start_matches([' ', '\t']);
    let head = text.get(..loc.offset)?;
    let before = head[head.rfind('\n').map(|i| i + 1).unwrap_or(0)..].trim_end();
    if at.starts_with('[') || at.starts_with("- ") || at.starts_with("-\n") || before.ends_with('-')
    {
        return Some("a list");
    }
    if at.starts_with('{') {
        return Some("a mapping");
    }
    let token = at.lines().next().unwrap_or("");
    if !token.is_empty() && (token.contains(": ") || token.trim_end().ends_with(':')) {
        return Some("a mapping");
    }
    if !token.is_empty() {
        return Some("a single value");
    }
    None
}

/// The first key of the block mapping whose key is at `loc` (or the `{` of a flow mapping).
fn mapping_start(file: &Arc<SourceFile>, loc: &Loc) -> Loc {
    let lines: Vec<&str> = file.text.split('\n').collect();
    let Some(cur) = lines.get(loc.line.saturating_sub(1) as usize) else {
        return loc.clone();
    };
    let col = loc.column.saturating_sub(1) as usize;
    let before: String = cur.chars().take(col).collect();
    if before.contains('-') && before.trim_matches([' ', '-']).is_empty() {
        return with_key_len(file, loc.clone()); // already the first key of a list item
    }
    if let Some(b) = before.rfind('{') {
        let c = before[..b].chars().count() as u64 + 1;
        return with_key_len(file, Loc::at_line(file, loc.line, c));
    }
    let mut start = loc.line;
    for (i, l) in lines
        .iter()
        .enumerate()
        .take(start.saturating_sub(1) as usize)
        .rev()
    {
        let trimmed = l.trim_start_matches(' ');
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = l.len() - trimmed.len();
        if indent > col {
            continue; // the nested value of a key above
        }
        // Strip `- ` markers: `  - name: x` has its key at the column after them.
        let mut key_col = indent;
        let mut rest = trimmed;
        while let Some(r) = rest.strip_prefix('-') {
            let r2 = r.trim_start_matches(' ');
            if r2.len() == r.len() && !r.is_empty() {
                break;
            }
            key_col += rest.len() - r2.len();
            rest = r2;
        }
        if key_col == col && !rest.is_empty() {
            start = i as u64 + 1;
            if rest.len() != trimmed.len() {
                break; // the list item's first key
            }
            continue;
        }
        if indent < col {
            break;
        }
    }
    if start == loc.line {
        return loc.clone();
    }
    with_key_len(file, Loc::at_line(file, start, loc.column))
}

fn with_key_len(file: &SourceFile, mut loc: Loc) -> Loc {
    let rest = file.text.get(loc.offset..).unwrap_or("");
    let rest = rest.strip_prefix('{').unwrap_or(rest);
    let key = rest.split([':', '\n', ',', '}']).next().unwrap_or("");
    loc.len = key.trim_end().len() + usize::from(file.text[loc.offset..].starts_with('{'));
    loc
}

/// The line of a `field:` key near the mapping at `start` but at another indentation.
fn misplaced(file: &SourceFile, start: &Loc, field: &str) -> Option<u64> {
    let col = start.column.saturating_sub(1) as usize;
    for (i, l) in file
        .text
        .split('\n')
        .enumerate()
        .skip(start.line as usize - 1)
        .take(200)
    {
        let trimmed = l.trim_start_matches([' ', '-']);
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let key_col = l.len() - trimmed.len();
        if (trimmed.starts_with(&format!("{field}:")) || trimmed == field)
            && key_col != col
            && key_col.abs_diff(col) <= 3
        {
            return Some(i as u64 + 1);
        }
        let indent = l.len() - l.trim_start_matches(' ').len();
        if i as u64 + 1 > start.line && indent < col {
            break; // the end of the mapping, or the next list item
        }
    }
    None
}

/// The earlier `key:` of the same mapping as the duplicate at `dup`.
fn earlier_key(file: &Arc<SourceFile>, dup: &Loc, key: &str) -> Option<Loc> {
    let col = dup.column.saturating_sub(1) as usize;
    let lines: Vec<&str> = file.text.split('\n').collect();
    for i in (0..dup.line.saturating_sub(1) as usize).rev() {
        let l = lines[i];
        let trimmed = l.trim_start_matches([' ', '-']);
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let key_col = l.len() - trimmed.len();
        if key_col == col && trimmed.starts_with(&format!("{key}:")) {
            let mut loc = Loc::at_line(file, i as u64 + 1, dup.column);
            loc.len = key.len();
            return Some(loc);
        }
        let indent = l.len() - l.trim_start_matches(' ').len();
        if indent < col {
            break; // the start of this list item, or the parent key
        }
    }
    None
}

fn budget_message(b: &BudgetBreach) -> String {
    match b {
        BudgetBreach::Depth { .. } => {
            format!("values are nested too deeply (more than {MAX_DEPTH} levels)")
        }
        BudgetBreach::Aliases { .. } => {
            format!("the file uses too many aliases (more than {MAX_ALIASES})")
        }
        BudgetBreach::Anchors { .. } => {
            format!("the file defines too many anchors (more than {MAX_ALIASES})")
        }
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            "the file holds, or its aliases expand to, too many values".into()
        }
        BudgetBreach::ScalarBytes { .. } => {
            "the file's text values, with aliases expanded, exceed 1 MiB".into()
        }
        _ => "the file exceeds the parser's safety limits".into(),
    }
}

fn syntax_help(msg: &str) -> &'static str {
    let m = msg.to_lowercase();
    if m.contains("tab") {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else if m.contains("mapping values are not allowed") {
        "a `key: value` where a plain value was expected: check this line's indentation against the keys above it, or quote a value that contains `: `"
    } else if m.contains("quote") || m.contains("quoted") {
        "close the quote: a quoted value ends with the quote character it starts with"
    } else if m.contains("flow") || m.contains("']'") || m.contains("'}'") {
        "close every `[` with `]` and every `{` with `}`"
    } else if m.contains("indent") || m.contains("block") {
        "check the indentation: nested values are indented with spaces, consistently"
    } else {
        "fix the YAML at this place; the catalogue format is in the README"
    }
}

/// The closest allowed word to a misspelt one, when it is close enough to be a typo.
pub fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace(['-', '_'], "");
    let w = norm(word);
    allowed
        .iter()
        // Optimal string alignment: a swap of two neighbouring letters is one edit (`titel`, `title`).
        .map(|a| (strsim::osa_distance(&w, &norm(a)), *a))
        .filter(|(d, a)| *d <= (a.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_field() {
        let fields = ["id", "title", "system", "depends_on", "resources"];
        assert_eq!(closest("dependson", &fields), Some("depends_on"));
        assert_eq!(closest("depends-on", &fields), Some("depends_on"));
        assert_eq!(closest("titel", &fields), Some("title"));
        assert_eq!(closest("colour", &fields), None);
    }
}
