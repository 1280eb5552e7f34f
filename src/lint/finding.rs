//! What a rule reports, and the context it reads.

use super::index::{Origin, Resource, TfFile, TfModule};
use super::policies::Policies;
use super::value::Span;
use crate::diag::{Loc, Severity, SourceFile};
use crate::model::Catalog;
use serde::Serialize;
use std::sync::Arc;

/// One finding: a rule that does not hold, at a file and line.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// `aws_s3_bucket.iceberg`, or the catalogue entry (`bucket bank-iceberg`).
    pub resource: Option<String>,
    pub message: String,
    pub help: String,
    /// For rendered files: the catalogue place the block came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<Origin>,
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
    #[serde(skip)]
    pub offset: usize,
    #[serde(skip)]
    pub len: usize,
}

impl Finding {
    pub fn loc(&self) -> Option<Loc> {
        let file = self.source.clone()?;
        Some(Loc {
            file,
            line: self.line,
            column: self.column,
            offset: self.offset,
            len: self.len,
        })
    }
}

/// Where one rule's findings go; knows the rule's code and severity.
pub struct Out {
    pub code: &'static str,
    pub severity: Severity,
    pub findings: Vec<Finding>,
}

impl Out {
    pub fn new(code: &'static str, severity: Severity) -> Out {
        Out {
            code,
            severity,
            findings: Vec::new(),
        }
    }

    /// A finding at `span` of `r`'s file.
    pub fn at(
        &mut self,
        m: &TfModule,
        r: &Resource,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let file = m.file_of(r);
        let origin = r.origin.clone().or_else(|| file.origin());
        self.in_file(file, span, Some(r.addr.clone()), origin, message, help);
    }

    /// A finding on an IAM statement held by `holder`'s policy (which may be a policy document
    /// data source in another file).
    pub fn on_statement(
        &mut self,
        m: &TfModule,
        holder: &Resource,
        s: &super::iam::Statement,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let file = &m.files[s.file];
        let origin = holder.origin.clone().or_else(|| file.origin());
        let span = if s.span == Span::default() {
            header_span(m.file_of(holder), holder.block.span)
        } else {
            header_span(file, s.span)
        };
        let file = if s.span == Span::default() {
            m.file_of(holder)
        } else {
            file
        };
        self.in_file(file, span, Some(holder.addr.clone()), origin, message, help);
    }

    /// A value the rule needs cannot be known before a plan (it depends on a variable without a
    /// value, a data source, ...): said as such, at warning level, never as "has no X".
    pub fn unknown_at(
        &mut self,
        m: &TfModule,
        r: &Resource,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let severity = std::mem::replace(&mut self.severity, crate::diag::Severity::Warning);
        self.at(m, r, span, message, help);
        self.severity = severity;
    }

    /// A finding on a resource's header line.
    pub fn on(
        &mut self,
        m: &TfModule,
        r: &Resource,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let span = header_span(m.file_of(r), r.block.span);
        self.at(m, r, span, message, help);
    }

    /// A finding on argument `key` of `r` (`a.b` for nested blocks), or on its header when
    /// the argument is absent.
    pub fn on_attr(
        &mut self,
        m: &TfModule,
        r: &Resource,
        path: &[&str],
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        match r.body().path(path) {
            Some(a) => self.at(m, r, a.span, message, help),
            None => self.on(m, r, message, help),
        }
    }

    pub fn in_file(
        &mut self,
        file: &TfFile,
        span: Span,
        resource: Option<String>,
        catalogue: Option<Origin>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let (line, column) = file.line_col(span.start);
        self.findings.push(Finding {
            code: self.code,
            severity: self.severity,
            file: file.source.name.clone(),
            line,
            column,
            resource,
            message: message.into(),
            help: help.into(),
            catalogue,
            source: Some(file.source.clone()),
            offset: span.start as usize,
            len: (span.end - span.start) as usize,
        });
    }

    /// A finding in a catalogue file.
    pub fn at_loc(
        &mut self,
        loc: &Loc,
        resource: Option<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.findings.push(Finding {
            code: self.code,
            severity: self.severity,
            file: loc.file.name.clone(),
            line: loc.line,
            column: loc.column,
            resource,
            message: message.into(),
            help: help.into(),
            catalogue: None,
            source: Some(loc.file.clone()),
            offset: loc.offset,
            len: loc.len,
        });
    }
}

/// The span of a block's first line (`resource "aws_s3_bucket" "x" {`).
pub fn header_span(file: &TfFile, block: Span) -> Span {
    let text = file.text(block);
    let len = text.find('\n').unwrap_or(text.len()) as u32;
    Span {
        start: block.start,
        end: block.start + len,
    }
}

/// What a Terraform rule reads: one module, the parameters, and the catalogue if loaded.
pub struct ModCtx<'a> {
    pub m: &'a TfModule,
    pub p: &'a Policies,
    pub cat: Option<&'a Catalog>,
    /// The environment the folder belongs to (`out/<env>/...`), if known.
    pub env: Option<String>,
    /// The catalogue module the folder renders (`.../MOD-104`), if known.
    pub module_id: Option<String>,
}

/// What a catalogue rule reads.
pub struct CatCtx<'a> {
    pub cat: &'a Catalog,
    pub p: &'a Policies,
}
