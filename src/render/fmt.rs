//! Indentation and `=` alignment exactly as `terraform fmt` writes them.
//!
//! The renderer emits HCL with canonical spacing inside each line and at most one bracket
//! opened or closed per line; this pass adds what hcl-rs's formatter does not do: two spaces per
//! open bracket, and the alignment of `=` across consecutive single-line attributes. hclwrite's
//! rule: a line takes part in an alignment run when its first `=` (not at the start) is followed
//! by an expression that closes all its brackets on that line; any other line (blank, comment,
//! block header, closing bracket, multi-line value) ends the run.

pub fn format(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + src.len() / 4);
    format_into(src, &mut out);
    out
}

/// [`format`], appending to `out` (the caller's header stays in the same buffer). Lines are
/// borrowed from `src` and padded while writing: no string per line.
pub fn format_into(src: &str, out: &mut String) {
    let mut lines: Vec<Line> = Vec::new();
    // hclwrite's indent stack: a line with a net opening pushes one level (however many
    // brackets it opens); closings pop what they match.
    let mut indents: Vec<isize> = Vec::new();
    let mut blank_run = false;
    for raw in src.lines() {
        let text = raw.trim();
        if text.is_empty() {
            // Never two blank lines in a row, and none right after an opening bracket.
            if !blank_run && !lines.is_empty() && !lines.last().is_some_and(|l| l.opens) {
                lines.push(Line::blank());
            }
            blank_run = true;
            continue;
        }
        blank_run = false;
        let scan = scan(text);
        if scan.leading_close && lines.last().is_some_and(|l| l.text.is_empty()) {
            lines.pop();
        }
        let indent = if scan.net > 0 {
            let at = indents.len();
            indents.push(scan.net);
            at
        } else {
            let mut closed = -scan.net;
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    indents.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
            indents.len()
        };
        lines.push(Line {
            indent,
            assign: scan.assign.map(|at| Assign {
                lead: text[..at].trim_end().len(),
                at,
                width: 0,
            }),
            opens: scan.net > 0,
            text,
        });
    }
    while lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }
    align(&mut lines);
    for l in &lines {
        if !l.text.is_empty() {
            for _ in 0..l.indent {
                out.push_str("  ");
            }
            match &l.assign {
                Some(a) => {
                    let lead = &l.text[..a.lead];
                    out.push_str(lead);
                    for _ in lead.chars().count()..=a.width {
                        out.push(' ');
                    }
                    out.push_str(&l.text[a.at..]);
                }
                None => out.push_str(l.text),
            }
        }
        out.push('\n');
    }
}

struct Line<'a> {
    indent: usize,
    /// Set when the line joins an alignment run.
    assign: Option<Assign>,
    opens: bool,
    text: &'a str,
}

/// Where a line's aligned `=` is, and how wide its run's names are.
struct Assign {
    /// Byte length of the name before the `=`, trailing spaces trimmed.
    lead: usize,
    /// Byte offset of the `=`.
    at: usize,
    /// Width in characters of the longest name of the run.
    width: usize,
}

impl Line<'_> {
    fn blank() -> Self {
        Line {
            indent: 0,
            assign: None,
            opens: false,
            text: "",
        }
    }
}

fn align(lines: &mut [Line]) {
    let mut start = 0;
    while start < lines.len() {
        if lines[start].assign.is_none() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < lines.len() && lines[end].assign.is_some() {
            end += 1;
        }
        let lead_width = |l: &Line| {
            l.assign
                .as_ref()
                .map_or(0, |a| l.text[..a.lead].chars().count())
        };
        let width = lines[start..end].iter().map(lead_width).max().unwrap_or(0);
        for l in &mut lines[start..end] {
            if let Some(a) = &mut l.assign {
                a.width = width;
            }
        }
        start = end;
    }
}

struct Scan {
    net: isize,
    leading_close: bool,
    assign: Option<usize>,
}

/// Brackets and the first `=` outside strings and comments.
fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut net: isize = 0;
    let mut first_eq = None;
    let mut net_after_eq: isize = 0;
    let mut in_str = false;
    let mut i = 0;
    let comment = text.starts_with('#') || text.starts_with("//");
    while i < bytes.len() && !comment {
        let b = bytes[i];
        if in_str {
            match b {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'#' => break,
                b'{' | b'[' | b'(' => {
                    net += 1;
                    if first_eq.is_some() {
                        net_after_eq += 1;
                    }
                }
                b'}' | b']' | b')' => {
                    net -= 1;
                    if first_eq.is_some() {
                        net_after_eq -= 1;
                    }
                }
                b'=' if first_eq.is_none() && i > 0 => {
                    let next = bytes.get(i + 1).copied();
                    let prev = bytes[i - 1];
                    if next != Some(b'=')
                        && next != Some(b'>')
                        && !matches!(prev, b'!' | b'<' | b'>' | b'=')
                    {
                        first_eq = Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    let leading_close = matches!(bytes.first(), Some(b'}' | b']' | b')'));
    Scan {
        net,
        leading_close,
        assign: first_eq.filter(|_| net_after_eq == 0),
    }
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn aligns_runs_and_indents_blocks() {
        let src = "resource \"a\" \"b\" {\nbucket = \"x\"\nforce_destroy = true\n\npolicy = jsonencode({\nVersion = \"1\"\nStatement = [\n{\nSid = \"s\"\nAction = \"*\"\n},\n]\n})\n}\n";
        let want = "resource \"a\" \"b\" {\n  bucket        = \"x\"\n  force_destroy = true\n\n  policy = jsonencode({\n    Version = \"1\"\n    Statement = [\n      {\n        Sid    = \"s\"\n        Action = \"*\"\n      },\n    ]\n  })\n}\n";
        assert_eq!(format(src), want);
    }

    #[test]
    fn equals_inside_strings_do_not_count() {
        let src = "x {\nname = \"a=b\"\nlonger_name = \"{\"\n}\n";
        assert_eq!(
            format(src),
            "x {\n  name        = \"a=b\"\n  longer_name = \"{\"\n}\n"
        );
    }

    #[test]
    fn comments_break_runs() {
        let src = "x {\na = 1\n# note\nbbb = 2\n}\n";
        assert_eq!(format(src), "x {\n  a = 1\n  # note\n  bbb = 2\n}\n");
    }
}
