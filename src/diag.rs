//! Problems found in user input, with the file, line and column they come from.
//!
//! One type serves the catalogue checks, the renderer and the linter, so every tool prints the
//! same `file:line:col: error[CODE]: message` shape and the same miette report.

use miette::{Diagnostic, LabeledSpan, Severity as MietteSeverity, SourceSpan};
use std::fmt;
use std::sync::Arc;

/// A file the user wrote, kept whole so diagnostics can show a snippet.
#[derive(Debug)]
pub struct SourceFile {
    /// Display name: the path as the user would type it.
    pub name: String,
    pub text: String,
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Where something was written.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub line: u64,
    pub column: u64,
    pub offset: usize,
    pub len: usize,
}

impl Loc {
    /// `file:line`, as reports name a catalogue place.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file.name, self.line)
    }

    pub fn from_saphyr(file: &Arc<SourceFile>, loc: &serde_saphyr::Location) -> Loc {
        let span = loc.span();
        let offset = span
            .byte_offset()
            .map(|o| o as usize)
            .unwrap_or_else(|| line_col_to_offset(&file.text, loc.line(), loc.column()));
        let len = span.byte_len().map(|l| l as usize).unwrap_or(0);
        Loc {
            file: file.clone(),
            line: loc.line(),
            column: loc.column(),
            offset,
            len,
        }
    }

    /// The start of a file, for problems that belong to the file as a whole.
    pub fn file_start(file: &Arc<SourceFile>) -> Loc {
        Loc {
            file: file.clone(),
            line: 1,
            column: 1,
            offset: 0,
            len: 0,
        }
    }

    /// The place of a byte offset (clamped to the text, and to a character boundary).
    pub fn at_offset(file: &Arc<SourceFile>, offset: usize, len: usize) -> Loc {
        let mut offset = offset.min(file.text.len());
        while !file.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &file.text[..offset];
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() as u64 + 1;
        Loc {
            file: file.clone(),
            line,
            column,
            offset,
            len: len.min(file.text.len() - offset),
        }
    }

    pub fn at_line(file: &Arc<SourceFile>, line: u64, column: u64) -> Loc {
        Loc {
            file: file.clone(),
            line,
            column,
            offset: line_col_to_offset(&file.text, line, column),
            len: 0,
        }
    }
}

fn line_col_to_offset(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = column.saturating_sub(1) as usize;
            return offset + l.char_indices().nth(col).map(|(b, _)| b).unwrap_or(l.len());
        }
        offset += l.len();
    }
    text.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem, located in the user's input.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub loc: Option<Loc>,
    /// Further places that explain the problem (the other duplicate, the rest of a cycle).
    pub related: Vec<(Loc, String)>,
}

impl Problem {
    pub fn error(
        code: &'static str,
        loc: Option<Loc>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Problem {
        Problem {
            code,
            severity: Severity::Error,
            message: message.into(),
            help: help.into(),
            loc,
            related: Vec::new(),
        }
    }

    pub fn with_related(mut self, loc: Loc, label: impl Into<String>) -> Problem {
        self.related.push((loc, label.into()));
        self
    }

    /// `file:line:col: error[CODE]: message` and a help line: stable, for logs and snapshots.
    pub fn short(&self) -> String {
        let place = match &self.loc {
            Some(l) => format!("{}:{}:{}: ", l.file.name, l.line, l.column),
            None => String::new(),
        };
        let mut out = format!(
            "{place}{}[{}]: {}\n  help: {}",
            self.severity, self.code, self.message, self.help
        );
        for (loc, label) in &self.related {
            out.push_str(&format!(
                "\n  note: {}:{}:{}: {label}",
                loc.file.name, loc.line, loc.column
            ));
        }
        out
    }

    /// The miette report, with the source snippet, in the [`Style`] set for the process. A
    /// very long line is shown cut around the place (one line of 800 KB would print 800 KB),
    /// and control characters (the NULs of UTF-16 read as UTF-8) as `?`.
    pub fn report(&self) -> String {
        let style = style();
        let theme = match (style.unicode, style.color) {
            (true, true) => miette::GraphicalTheme::unicode(),
            (true, false) => miette::GraphicalTheme::unicode_nocolor(),
            (false, true) => miette::GraphicalTheme::ascii(),
            (false, false) => miette::GraphicalTheme::none(),
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(110)
            .with_links(false);
        let mut out = String::new();
        let rendered = match self.for_display() {
            // The cut lines' columns are not the file's: the snippet's header names the file
            // only (the line above it gives the place).
            Some((shown, true)) => handler
                .without_primary_span_start()
                .render_report(&mut out, &shown),
            Some((shown, false)) => handler.render_report(&mut out, &shown),
            None => handler.render_report(&mut out, self),
        };
        if rendered.is_err() {
            return self.short();
        }
        out
    }

    /// A copy whose file is fit to print, when this one's is not: its long lines cut to a
    /// window around the places on them, its control characters replaced. `true` when lines
    /// were cut.
    fn for_display(&self) -> Option<(Problem, bool)> {
        let loc = self.loc.as_ref()?;
        let text = &loc.file.text;
        let unfit = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        let long = text.split('\n').any(|l| l.len() > SNIPPET_LINE_MAX);
        if !long && !text.chars().any(unfit) {
            return None;
        }
        let mut places = vec![loc.offset];
        for (other, _) in &self.related {
            if Arc::ptr_eq(&other.file, &loc.file) {
                places.push(other.offset);
            }
        }
        let mut shown = String::with_capacity(text.len().min(1 << 16));
        // Per line of the copy: (start in the file, window start, window end, start of the
        // window in the copy).
        let mut windows = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let (from, to) = if body.len() > SNIPPET_LINE_MAX {
                let centre = places
                    .iter()
                    .find(|&&p| p >= start && p <= start + body.len())
                    .map_or(0, |p| p - start);
                let from = floor_char(body, centre.saturating_sub(SNIPPET_LINE_MAX / 2));
                let to = floor_char(body, (from + SNIPPET_LINE_MAX).min(body.len()));
                (from, to)
            } else {
                (0, body.len())
            };
            if from > 0 {
                shown.push_str("...");
            }
            windows.push((start, from, to, shown.len()));
            shown.extend(
                body[from..to]
                    .chars()
                    .map(|c| if unfit(c) { '?' } else { c }),
            );
            if to < body.len() {
                shown.push_str("...");
            }
            shown.push_str(&line[body.len()..]);
            start += line.len();
        }
        // A place of the file in the copy: clamped to its line's window, and moved by what was
        // cut before it and by the replaced characters (a C1 control is two bytes, `?` one).
        let map = |offset: usize| -> usize {
            let i = windows.partition_point(|w| w.0 <= offset).saturating_sub(1);
            let (line_start, from, to, at) = windows[i];
            let within = offset.saturating_sub(line_start).clamp(from, to) - from;
            let window = &text[line_start + from..line_start + to];
            // Characters replaced by `?` shrink; count the copy's bytes up to the place.
            at + window[..floor_char(window, within)]
                .chars()
                .map(|c| if unfit(c) { 1 } else { c.len_utf8() })
                .sum::<usize>()
        };
        let file = Arc::new(SourceFile {
            name: loc.file.name.clone(),
            text: shown,
        });
        let moved = |l: &Loc| {
            let offset = map(l.offset);
            let end = map(l.offset + l.len).max(offset);
            Loc {
                file: file.clone(),
                offset,
                len: end - offset,
                ..l.clone()
            }
        };
        let mut copy = self.clone();
        copy.loc = Some(moved(loc));
        for (other, _) in &mut copy.related {
            if Arc::ptr_eq(&other.file, &loc.file) {
                *other = moved(other);
            }
        }
        Some((copy, long))
    }
}

/// The longest line (in bytes) a snippet shows whole; a longer one is cut to a window of
/// this size around the place.
pub const SNIPPET_LINE_MAX: usize = 160;

/// The largest character boundary of `s` at or before `i`.
fn floor_char(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How reports are drawn: with colour, and with box-drawing characters (else ASCII).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
}

static STYLE: std::sync::OnceLock<Style> = std::sync::OnceLock::new();

/// Set the style of every report of the process (the CLI does, from `--color` and the
/// terminal); without it reports have box drawing and no colour.
pub fn set_style(style: Style) {
    let _ = STYLE.set(style);
}

fn style() -> Style {
    STYLE.get().copied().unwrap_or(Style {
        color: false,
        unicode: true,
    })
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loc {
            Some(l) => write!(
                f,
                "{}:{}:{}: {}",
                l.file.name, l.line, l.column, self.message
            ),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<MietteSeverity> {
        Some(match self.severity {
            Severity::Warning => MietteSeverity::Warning,
            Severity::Error => MietteSeverity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut help = self.help.clone();
        for (loc, label) in &self.related {
            if self
                .loc
                .as_ref()
                .is_some_and(|l| !Arc::ptr_eq(&l.file, &loc.file))
            {
                help.push_str(&format!(
                    "\nsee {}:{}:{}: {label}",
                    loc.file.name, loc.line, loc.column
                ));
            }
        }
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.loc
            .as_ref()
            .map(|l| l.file.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.loc.as_ref()?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some("here".to_string()),
            SourceSpan::new(loc.offset.into(), loc.len),
        )];
        for (other, label) in &self.related {
            if Arc::ptr_eq(&other.file, &loc.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    SourceSpan::new(other.offset.into(), other.len),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_at(text: String, offset: usize, len: usize) -> Problem {
        let file = Arc::new(SourceFile {
            name: "f.yaml".into(),
            text,
        });
        Problem::error(
            "BG001",
            Some(Loc::at_offset(&file, offset, len)),
            "bad",
            "fix",
        )
    }

    #[test]
    fn a_long_line_of_wide_characters_and_controls_is_cut_on_character_boundaries() {
        let line = format!("{}\u{85}\0bad{}", "é".repeat(5_000), "ü\u{1}".repeat(5_000));
        let at = "a: 1\n".len() + line.find("bad").unwrap();
        let p = problem_at(format!("a: 1\n{line}\nb: 2\n"), at, 3);
        let report = p.report();
        assert!(report.len() < 2_000, "{report}");
        assert!(report.contains("??bad"), "{report}");
        assert!(!report.contains(['\0', '\u{85}', '\u{1}']), "{report}");
        assert!(report.contains("f.yaml:2:"), "{report}");
    }

    #[test]
    fn a_report_of_printable_short_lines_is_unchanged() {
        let p = problem_at("a: 1\nb: x\n".into(), 8, 1);
        assert!(p.for_display().is_none());
    }
}
