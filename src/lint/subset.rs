//! A fast parser for the part of HCL that bankgen renders, building the lint's value model
//! ([`Body`]) straight from the text; anything else is hcl-edit's.
//!
//! Why: hcl-edit builds a lossless tree (every space and comment kept as decor) that the linter
//! converts and throws away; on a rendered tree that was over half of `bankgen lint`'s
//! instructions. This parser knows blocks, attributes, literals, lists, objects, references,
//! `${...}` interpolations and function calls, and gives up (`None`) at the first thing it does
//! not know or is not sure of: operators, conditionals, `for`, splats, heredocs, escapes,
//! directives, one-line blocks, CR line endings, non-ASCII outside strings. The caller then
//! parses the file with hcl-edit, so hand-written Terraform and every parse error is handled
//! exactly as before. Spans match hcl-edit's: the tests compare both parsers on every rendered
//! file and on many broken copies of them.

use super::value::{Attr, Block, Body, Kind, Part, Span, Val, template_kind};

/// The file's body, or `None` where hcl-edit must decide.
pub fn parse(text: &str) -> Option<Body> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        return None;
    }
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    let body = p.body(true, 0)?;
    (p.i == p.s.len()).then_some(body)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

/// Deep nesting goes to hcl-edit, which has its own limits; this parser recurses.
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn span(&self, start: usize) -> Span {
        Span {
            start: start as u32,
            end: self.i as u32,
        }
    }

    /// Spaces and tabs.
    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// A `#` or `//` comment up to (not including) its newline.
    fn line_comment(&mut self) -> bool {
        match (self.peek(), self.at(1)) {
            (Some(b'#'), _) | (Some(b'/'), Some(b'/')) => {
                self.i = memchr::memchr(b'\n', &self.s[self.i..])
                    .map(|n| self.i + n)
                    .unwrap_or(self.s.len());
                true
            }
            _ => false,
        }
    }

    /// Spaces, newlines and comments. `None` on an unterminated `/*`.
    fn blank(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.i += 1,
                Some(b'/') if self.at(1) == Some(b'*') => {
                    let end = memchr::memmem::find(&self.s[self.i + 2..], b"*/")?;
                    self.i += 2 + end + 2;
                }
                _ => {
                    if !self.line_comment() {
                        return Some(());
                    }
                }
            }
        }
    }

    /// The end of a line after an attribute or a block: spaces, an optional line comment,
    /// then a newline (consumed) or the end of the file.
    fn end_of_line(&mut self) -> Option<()> {
        self.spaces();
        self.line_comment();
        match self.peek() {
            Some(b'\n') => {
                self.i += 1;
                Some(())
            }
            None => Some(()),
            Some(_) => None,
        }
    }

    fn ident(&mut self) -> Option<&str> {
        let start = self.i;
        match self.peek() {
            Some(b'a'..=b'z' | b'A'..=b'Z' | b'_') => self.i += 1,
            _ => return None,
        }
        while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-') = self.peek() {
            self.i += 1;
        }
        // A non-ASCII letter may continue an identifier in HCL.
        if self.peek().is_some_and(|b| b >= 0x80) {
            return None;
        }
        Some(&self.text[start..self.i])
    }

    /// A file's body (`top`) or a block's, up to its closing brace.
    fn body(&mut self, top: bool, depth: usize) -> Option<Body> {
        let mut body = Body::default();
        loop {
            self.blank()?;
            match self.peek() {
                None if top => return Some(body),
                Some(b'}') if !top => return Some(body),
                None | Some(b'}') => return None,
                _ => {}
            }
            let start = self.i;
            let key = self.ident()?.to_string();
            self.spaces();
            if self.peek() == Some(b'=') {
                if self.at(1) == Some(b'=') {
                    return None;
                }
                self.i += 1;
                self.spaces();
                let val = self.expr(depth + 1)?;
                let span = self.span(start);
                self.end_of_line()?;
                // hcl-edit rejects a body that sets an attribute twice: its error is reported.
                if body.attrs.iter().any(|a| a.key == key) {
                    return None;
                }
                body.attrs.push(Attr { key, val, span });
            } else {
                let block = self.block(start, key, depth + 1)?;
                self.end_of_line()?;
                body.blocks.push(block);
            }
        }
    }

    fn block(&mut self, start: usize, ident: String, depth: usize) -> Option<Block> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut labels = Vec::new();
        loop {
            match self.peek()? {
                b'{' => break,
                b'"' => {
                    let (s, literal) = self.string(depth)?;
                    match (s.kind, literal) {
                        (Kind::Str(s), true) => labels.push(s),
                        _ => return None,
                    }
                }
                _ => labels.push(self.ident()?.to_string()),
            }
            self.spaces();
        }
        self.i += 1;
        self.spaces();
        let body = if self.peek() == Some(b'}') {
            Body::default()
        } else {
            // A one-line block (`x { a = 1 }`) has rules of its own: hcl-edit's.
            self.line_comment();
            if self.peek() != Some(b'\n') {
                return None;
            }
            self.body(false, depth)?
        };
        if self.peek() != Some(b'}') {
            return None;
        }
        self.i += 1;
        Some(Block {
            ident,
            labels,
            body,
            span: self.span(start),
        })
    }

    fn expr(&mut self, depth: usize) -> Option<Val> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.i;
        let kind = match self.peek()? {
            b'"' => return self.string(depth).map(|(v, _)| v),
            b'[' => self.list(depth)?,
            b'{' => self.object(depth)?,
            b'0'..=b'9' => self.number()?,
            _ => {
                let id = self.ident()?;
                let kind = match id {
                    "true" => Kind::Bool(true),
                    "false" => Kind::Bool(false),
                    "null" => Kind::Null,
                    _ => {
                        let name = id.to_string();
                        match self.peek() {
                            Some(b'(') => self.call(name, depth)?,
                            Some(b':') => return None,
                            _ => return self.traversal(start, name),
                        }
                    }
                };
                if matches!(self.peek(), Some(b'.' | b'[' | b'(')) {
                    return None;
                }
                kind
            }
        };
        Some(Val {
            kind,
            span: self.span(start),
        })
    }

    /// `a.b.c`, `a[0].b`, `a["k"]`: the attribute names; indexes are read and left out.
    fn traversal(&mut self, start: usize, root: String) -> Option<Val> {
        let mut path = vec![root];
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.i += 1;
                    path.push(self.ident()?.to_string());
                }
                Some(b'[') => {
                    self.i += 1;
                    match self.peek()? {
                        b'0'..=b'9' => {
                            self.number()?;
                        }
                        b'"' => {
                            let (_, literal) = self.string(0)?;
                            if !literal {
                                return None;
                            }
                        }
                        _ => return None,
                    }
                    if self.peek() != Some(b']') {
                        return None;
                    }
                    self.i += 1;
                }
                _ => break,
            }
        }
        Some(Val {
            kind: Kind::Ref(path),
            span: self.span(start),
        })
    }

    fn call(&mut self, name: String, depth: usize) -> Option<Kind> {
        Some(Kind::Call(name, self.sequence(b')', depth)?))
    }

    fn list(&mut self, depth: usize) -> Option<Kind> {
        Some(Kind::List(self.sequence(b']', depth)?))
    }

    /// The comma-separated values after an opening `(` or `[`, up to `close`.
    fn sequence(&mut self, close: u8, depth: usize) -> Option<Vec<Val>> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.peek()? == close {
                break;
            }
            if self.keyword_for() {
                return None;
            }
            items.push(self.expr(depth + 1)?);
            self.blank()?;
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => break,
                _ => return None,
            }
        }
        self.closed()?;
        Some(items)
    }

    /// Past a closing bracket; `None` when a traversal follows it (`f(x).y`, `[1][0]`), which
    /// the model does not follow.
    fn closed(&mut self) -> Option<()> {
        self.i += 1;
        (!matches!(self.peek(), Some(b'.' | b'['))).then_some(())
    }

    /// `{ key = value }` with keys that are names or plain strings, one per line or
    /// comma-separated.
    fn object(&mut self, depth: usize) -> Option<Kind> {
        self.i += 1;
        let mut members = Vec::new();
        loop {
            self.blank()?;
            if self.peek()? == b'}' {
                break;
            }
            if self.keyword_for() {
                return None;
            }
            let key = match self.peek()? {
                b'"' => match self.string(depth)? {
                    (
                        Val {
                            kind: Kind::Str(s), ..
                        },
                        true,
                    ) => s,
                    _ => return None,
                },
                _ => self.ident()?.to_string(),
            };
            self.spaces();
            match (self.peek()?, self.at(1)) {
                (b'=', Some(b'=')) => return None,
                (b'=' | b':', _) => self.i += 1,
                _ => return None,
            }
            self.spaces();
            // hcl-edit rejects an object with a key twice (however each is written).
            if members.iter().any(|(k, _)| *k == key) {
                return None;
            }
            members.push((key, self.expr(depth + 1)?));
            self.spaces();
            self.line_comment();
            match self.peek()? {
                b',' | b'\n' => self.i += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.closed()?;
        Some(Kind::Obj(members))
    }

    /// Whether a `for` expression starts here (`[for x in ...`, `{for k, v in ...`).
    fn keyword_for(&self) -> bool {
        self.s[self.i..].starts_with(b"for")
            && !matches!(
                self.at(3),
                Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'=' | b':')
            )
    }

    fn number(&mut self) -> Option<Kind> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.i += 1;
            }
            p.i > from
        };
        digits(self);
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        if self.i - start > 15 || self.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        self.text[start..self.i].parse().ok().map(Kind::Num)
    }

    /// A quoted string: its value and whether it was a plain literal (no interpolation).
    fn string(&mut self, depth: usize) -> Option<(Val, bool)> {
        let start = self.i;
        self.i += 1;
        let mut parts = Vec::new();
        let mut lit = self.i;
        loop {
            let rest = &self.s[self.i..];
            let n = memchr::memchr3(b'"', b'\\', b'\n', rest);
            // `$` and `%` may start an interpolation or a directive: look at each.
            let stop = memchr::memchr2(b'$', b'%', &rest[..n.unwrap_or(rest.len())]);
            match stop {
                Some(k) => {
                    self.i += k;
                    match (self.s[self.i], self.at(1)) {
                        (b'$', Some(b'{')) => {
                            if self.i > lit {
                                parts.push(Part::Lit(self.text[lit..self.i].to_string()));
                            }
                            self.i += 2;
                            if self.peek() == Some(b'~') {
                                return None;
                            }
                            self.spaces();
                            let v = self.expr(depth + 1)?;
                            self.spaces();
                            if self.peek() != Some(b'}') {
                                return None;
                            }
                            self.i += 1;
                            parts.push(Part::Interp(v));
                            lit = self.i;
                        }
                        // `$${`, `%%{` escapes and `%{` directives.
                        (b'$', Some(b'$')) | (b'%', Some(b'%' | b'{')) => return None,
                        _ => self.i += 1,
                    }
                }
                None => {
                    self.i += n?;
                    if self.s[self.i] != b'"' {
                        return None;
                    }
                    if self.i > lit || parts.is_empty() {
                        parts.push(Part::Lit(self.text[lit..self.i].to_string()));
                    }
                    self.i += 1;
                    break;
                }
            }
        }
        let span = self.span(start);
        let kind = template_kind(parts);
        let literal = matches!(kind, Kind::Str(_));
        Some((Val { kind, span }, literal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::value::convert_body;

    /// What hcl-edit makes of the text, in the same model (`None`: it does not parse).
    fn reference(text: &str) -> Option<Body> {
        hcl::edit::parser::parse_body(text)
            .ok()
            .map(|b| convert_body(&b))
    }

    /// The one property: whatever this parser accepts, hcl-edit parses to the same body.
    fn agrees(text: &str) -> Result<bool, String> {
        match parse(text) {
            None => Ok(false),
            Some(fast) => match reference(text) {
                Some(slow) if slow == fast => Ok(true),
                Some(slow) => Err(format!(
                    "bodies differ for\n{text}\n--- subset\n{fast:#?}\n--- hcl-edit\n{slow:#?}"
                )),
                None => Err(format!("accepted what hcl-edit rejects:\n{text}")),
            },
        }
    }

    /// Every `.tf` file the shipped catalogue renders to, in all four environments.
    fn rendered_files() -> Vec<String> {
        let (cat, _) = crate::load_catalog(&crate::catalog::CatalogSource::Embedded).unwrap();
        let envs = ["local", "dev", "uat", "prod"].map(String::from);
        let trees = crate::render::render_envs(&cat, &envs, &Default::default()).unwrap();
        trees
            .into_iter()
            .flat_map(|t| t.files.into_iter())
            .filter(|(path, _)| path.ends_with(".tf"))
            .map(|(_, text)| text)
            .collect()
    }

    #[test]
    fn every_rendered_file_takes_the_fast_path_and_parses_as_hcl_edit_does() {
        let files = rendered_files();
        assert!(files.len() > 1000, "{} files", files.len());
        for text in &files {
            assert_eq!(agrees(text), Ok(true), "not accepted:\n{text}");
        }
    }

    #[test]
    fn every_tf_file_under_tests_is_declined_or_parsed_as_hcl_edit_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let (mut accepted, mut declined) = (0, 0);
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let e = e.unwrap();
            if e.path().extension().is_none_or(|x| x != "tf") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            match agrees(&text) {
                Ok(true) => accepted += 1,
                Ok(false) => declined += 1,
                Err(msg) => panic!("{}: {msg}", e.path().display()),
            }
        }
        // The golden trees are rendered: all of them are accepted.
        assert!(accepted > 2000, "{accepted} accepted, {declined} declined");
    }

    #[test]
    fn what_it_accepts_hcl_edit_parses_the_same() {
        let accepted = [
            "",
            "\n\n# only a comment",
            "a = 1",
            "a = 1 # why\nb = \"x\" // and\n/* c */ c = true\n",
            "a = [\n  1, # one\n  2,\n]\n",
            "a = []\nb = {}\nc = \"\"\n",
            "a = { x = 1, \"y\" = 2 }\n",
            "a = { x: 1, \"y\": [null] }\n",
            "a = {\n  x = 1\n  y = { z = \"w\" } # c\n}\n",
            "a = x.y[0].z\nb = x[\"k\"].v\nc = var.v\n",
            "a = \"arn:${aws_s3_bucket.x.arn}/*\"\nb = \"${x}${y}\"\nc = \"${ f(1) }\"\n",
            "a = \"$ and % and $x and 100%\"\n",
            "a = \"é ₹ \u{1F600}\"\n",
            "a = 1.5\nb = 2e3\nc = 0.25E-2\nd = 007\n",
            "a = jsonencode({\n  V = [\n    { S = \"x\" },\n  ]\n})\n",
            "a = f()\nb = g(1, \"x\",)\nc = h(\n  x,\n  y\n)\n",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
            "resource \"t\" \"n\" {}\nx {\n}\ny a \"b\" { # c\n  z {\n    w = 1\n  }\n}",
            "a-b = 1\n_c = 2\n",
            "\tindented\t=\t1\n",
            "a = for_each\nb = { format = 1, fork = 2 }\n",
        ];
        for text in accepted {
            assert_eq!(agrees(text), Ok(true), "not accepted:\n{text}");
        }
    }

    #[test]
    fn edge_cases_agree_whichever_parser_takes_them() {
        let texts = [
            "a = 1\na = 2\n",
            "x {\n  a = 1\n  b = 2\n  a = 3\n}\n",
            "a = 1\na {\n}\n",
            "a {\n}\na = 1\n",
            "a = { x = 1, x = 2 }\n",
            "a = { x = 1, \"x\" = 2 }\n",
            "a = \"\u{1}\"\n",
            "a = \"tab\there\"\n",
            "# \u{0}\na = 1\n",
            "a = \"\u{0}\"\n",
            "true = 1\nnull = 2\nfor = 3\n",
            "a- = 1\n",
            "x \"\" \"\" {\n}\n",
            "a = { true = 1, null = 2, for = 3 }\n",
            "a = {\n  for = 1\n}\n",
            "a = \"${\"}\"}\"\n",
            "a = \"${x}\"\"y\"\n",
            "\u{feff}a = 1\n",
            "a = x.y.z.w[0][1].v\n",
            "a = 1\n/* multi\nline */\nb = 2\n",
            "x {\n  a = 1 }\n",
            "x {\n  a = 1\n} y {\n}\n",
        ];
        for text in texts {
            assert!(agrees(text).is_ok(), "{}", agrees(text).unwrap_err());
        }
    }

    #[test]
    fn it_leaves_to_hcl_edit_what_it_does_not_know() {
        let declined = [
            "a = -1",
            "a = 1 + 2",
            "a = x ? 1 : 2",
            "a = !x",
            "a = (x)",
            "a = x == y",
            "a = x.*.y",
            "a = x[*].y",
            "a = x.0",
            "a = x[y]",
            "a = f(x...)",
            "a = provider::p::f(1)",
            "a = [for x in y : x]",
            "a = {for k, v in m : k => v}",
            "a = <<EOT\nx\nEOT\n",
            "a = \"\\n\"",
            "a = \"$${x}\"",
            "a = \"%{if x}y%{endif}\"",
            "a = \"${~x}\"",
            "a = \"${x ~}\"",
            "a = 1\r\n",
            "é = 1",
            "x { a = 1 }",
            "a = 1 b = 2",
            "a = { x = 1 y = 2 }",
            "a = { (k) = 1 }",
            "a = { \"${k}\" = 1 }",
            "a = { x\n= 1 }",
            "a = true.x",
            "a = f(1).x",
            "a = [1][0]",
            "a = 1.",
            "a = 0x10",
            "a = 1234567890123456789",
            "resource \"${x}\" {\n}\n",
            "a = 1 }",
            "x {\n",
            "a = \"unterminated",
            "a = \"x\ny\"",
            "/* open",
            "a == 1",
        ];
        for text in declined {
            assert_eq!(agrees(text), Ok(false), "accepted:\n{text}");
        }
    }

    /// A small deterministic generator, so a failure names a seed that reproduces it.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn broken_copies_of_rendered_blocks_are_declined_or_parsed_as_hcl_edit_does() {
        // Top-level blocks of the rendered files: short texts, so many copies stay cheap.
        let mut blocks: Vec<String> = rendered_files()
            .iter()
            .flat_map(|f| f.split("\n\n").map(str::to_string).collect::<Vec<_>>())
            .filter(|b| b.len() < 1500)
            .collect();
        blocks.sort();
        blocks.dedup();
        let pieces: [&str; 24] = [
            "{", "}", "[", "]", "(", ")", "\"", "=", ",", ".", "\n", "#", "$", "${", "%{", "\\",
            "~", ":", "*", "-", "?", " ", "a", "1",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut accepted, mut declined) = (0, 0);
        for round in 0..6000 {
            let seed = rng.0;
            let mut text = blocks[rng.below(blocks.len())].clone();
            for _ in 0..1 + rng.below(2) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.below(5) {
                    0 => text.insert_str(at, pieces[rng.below(pieces.len())]),
                    // A line twice: attributes and object keys set twice.
                    1 => {
                        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                        let end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
                        let line = text[start..end].to_string();
                        text.insert_str(end, &line);
                    }
                    // A line gone: blocks and brackets left open.
                    2 => {
                        let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                        let end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
                        text.replace_range(start..end, "");
                    }
                    3 => {
                        if let Some(c) = text[at..].chars().next() {
                            text.replace_range(at..at + c.len_utf8(), "");
                        }
                    }
                    _ => {
                        let piece = pieces[rng.below(pieces.len())];
                        if let Some(c) = text[at..].chars().next() {
                            text.replace_range(at..at + c.len_utf8(), piece);
                        }
                    }
                }
            }
            match agrees(&text) {
                Ok(true) => accepted += 1,
                Ok(false) => declined += 1,
                Err(e) => panic!("round {round} (seed {seed:#x}): {e}"),
            }
        }
        // Both sides of the property were exercised.
        assert!(
            accepted > 1000 && declined > 1000,
            "{accepted} accepted, {declined} declined"
        );
    }
}
