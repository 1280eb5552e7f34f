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

    /// The miette report, with the source snippet, for terminals.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(110)
                .with_links(false);
        if handler.render_report(&mut out, self).is_err() {
            return self.short();
        }
        out
    }
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
