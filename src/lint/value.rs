//! A small, spanned value model of HCL expressions, built from hcl-edit's syntax tree (or
//! straight from the text by [`super::subset`], for the HCL bankgen renders).
//!
//! Why not `hcl::Body`: hcl-rs's value types carry no source positions, and every finding must
//! name a file and a line. hcl-rs re-exports hcl-edit (the parser it is built on), whose tree keeps
//! the byte span of every block, attribute and expression, so each file is parsed exactly once
//! and nothing has to be recovered by scanning the text again.
//! The model keeps only what policy checks read: literals, lists, objects, references, templates
//! and function calls; anything else (conditionals, `for`, operators) is `Other` and rules treat it
//! as "unknown" rather than guessing.

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::{BlockLabel, Body as EditBody, Structure};
use hcl::edit::template::{Element, Template};

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    fn of(r: Option<std::ops::Range<usize>>) -> Span {
        r.map(|r| Span {
            start: r.start as u32,
            end: r.end as u32,
        })
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Obj(Vec<(String, Val)>),
    /// `aws_s3_bucket.x.id`, `data.aws_ssm_parameter.y.value`, `var.name`: the root and the
    /// attribute names; index and splat operators are left out (`x[0].arn` → `x.arn`).
    Ref(Vec<String>),
    /// A string with interpolations: its parts in order.
    Tmpl(Vec<Part>),
    Call(String, Vec<Val>),
    /// `cond ? yes : no`: evaluated when the condition is known (see `TfModule::resolve`).
    Cond(Box<[Val; 3]>),
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Interp(Val),
    Directive,
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTarget<'a> {
    /// `aws_s3_bucket.x`, `data.aws_ssm_parameter.y`, `local.x`, `var.x`.
    pub addr: String,
    /// The first attribute after the address (`id`, `arn`, `value`), if any.
    pub attr: Option<&'a str>,
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str(s) if s == "true" => Some(true),
            Kind::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match &self.kind {
            Kind::Num(n) => Some(*n),
            Kind::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Val]> {
        match &self.kind {
            Kind::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_obj(&self) -> Option<&[(String, Val)]> {
        match &self.kind {
            Kind::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// An object's member.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.as_obj()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// A list, or a single value as a list of one (IAM's `"Action": "x"` / `["x"]`).
    pub fn items(&self) -> Vec<&Val> {
        match &self.kind {
            Kind::List(l) => l.iter().collect(),
            Kind::Null => Vec::new(),
            _ => vec![self],
        }
    }

    pub fn is_known_literal(&self) -> bool {
        matches!(
            self.kind,
            Kind::Null | Kind::Bool(_) | Kind::Num(_) | Kind::Str(_)
        )
    }

    pub fn ref_path(&self) -> Option<&[String]> {
        match &self.kind {
            Kind::Ref(p) => Some(p),
            _ => None,
        }
    }

    /// The resource, data source, local or variable a reference names.
    pub fn ref_target(&self) -> Option<RefTarget<'_>> {
        let p = self.ref_path()?;
        ref_target(p)
    }

    /// Every reference anywhere inside this value (templates, lists, calls, objects).
    pub fn refs(&self) -> Vec<&[String]> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<&'a [String]>) {
        match &self.kind {
            Kind::Ref(p) => out.push(p),
            Kind::List(l) => l.iter().for_each(|v| v.collect_refs(out)),
            Kind::Obj(o) => o.iter().for_each(|(_, v)| v.collect_refs(out)),
            Kind::Tmpl(parts) => parts.iter().for_each(|p| {
                if let Part::Interp(v) = p {
                    v.collect_refs(out)
                }
            }),
            Kind::Call(_, args) => args.iter().for_each(|v| v.collect_refs(out)),
            Kind::Cond(c) => c.iter().for_each(|v| v.collect_refs(out)),
            _ => {}
        }
    }

    /// A canonical text for comparisons: literals as themselves, references as `${a.b.c}`,
    /// templates as their literal parts with `${...}` for interpolations.
    pub fn canonical(&self) -> String {
        match &self.kind {
            Kind::Str(s) => s.clone(),
            Kind::Num(n) => format!("{n}"),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "null".into(),
            Kind::Ref(p) => format!("${{{}}}", p.join(".")),
            Kind::Tmpl(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.clone(),
                    Part::Interp(v) => match &v.kind {
                        Kind::Str(s) => s.clone(),
                        _ => {
                            let c = v.canonical();
                            if c.starts_with("${") {
                                c
                            } else {
                                format!("${{{c}}}")
                            }
                        }
                    },
                    Part::Directive => "%{}".into(),
                })
                .collect(),
            Kind::List(l) => format!(
                "[{}]",
                l.iter()
                    .map(|v| v.canonical())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Kind::Obj(_) => "{...}".into(),
            Kind::Call(name, args) => format!(
                "{name}({})",
                args.iter()
                    .map(|v| v.canonical())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Kind::Cond(c) => format!(
                "{} ? {} : {}",
                c[0].canonical(),
                c[1].canonical(),
                c[2].canonical()
            ),
            Kind::Other => "?".into(),
        }
    }
}

pub fn ref_target(p: &[String]) -> Option<RefTarget<'_>> {
    match p.first().map(String::as_str) {
        Some("data") if p.len() >= 3 => Some(RefTarget {
            addr: format!("data.{}.{}", p[1], p[2]),
            attr: p.get(3).map(String::as_str),
        }),
        Some("local" | "var" | "module" | "each" | "count" | "path" | "self" | "terraform")
            if p.len() >= 2 =>
        {
            Some(RefTarget {
                addr: format!("{}.{}", p[0], p[1]),
                attr: p.get(2).map(String::as_str),
            })
        }
        Some(_) if p.len() >= 2 => Some(RefTarget {
            addr: format!("{}.{}", p[0], p[1]),
            attr: p.get(2).map(String::as_str),
        }),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub key: String,
    pub val: Val,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        self.attr(key).map(|a| &a.val)
    }

    /// Nested blocks named `ident`, including the `content` of `dynamic "ident"` blocks.
    pub fn blocks<'a, 'b>(
        &'a self,
        ident: &'b str,
    ) -> impl Iterator<Item = &'a Block> + use<'a, 'b> {
        self.blocks.iter().filter_map(move |b| {
            if b.ident == ident {
                Some(b)
            } else if b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == ident) {
                b.body.blocks.iter().find(|c| c.ident == "content")
            } else {
                None
            }
        })
    }

    pub fn block(&self, ident: &str) -> Option<&Block> {
        self.blocks(ident).next()
    }

    /// `a.b.c`: attribute `c` of the first `b` block of the first `a` block.
    pub fn path(&self, path: &[&str]) -> Option<&Attr> {
        let (last, blocks) = path.split_last()?;
        let mut body = self;
        for b in blocks {
            body = &body.block(b)?.body;
        }
        body.attr(last)
    }
}

pub fn convert_body(body: &EditBody) -> Body {
    let mut out = Body::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push(Attr {
                key: a.key.as_str().to_string(),
                val: convert(&a.value),
                span: Span::of(a.span()),
            }),
            Structure::Block(b) => out.blocks.push(Block {
                ident: b.ident.as_str().to_string(),
                labels: b
                    .labels
                    .iter()
                    .map(|l| match l {
                        BlockLabel::Ident(i) => i.as_str().to_string(),
                        BlockLabel::String(s) => s.as_str().to_string(),
                    })
                    .collect(),
                body: convert_body(&b.body),
                span: Span::of(b.span()),
            }),
        }
    }
    out
}

pub fn convert(e: &Expression) -> Val {
    let span = Span::of(e.span());
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => n.value().as_f64().map(Kind::Num).unwrap_or(Kind::Other),
        Expression::String(s) => Kind::Str(s.value().clone()),
        Expression::Array(a) => Kind::List(a.iter().map(convert).collect()),
        Expression::Object(o) => Kind::Obj(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(e) => match convert(e).kind {
                            Kind::Str(s) => s,
                            other => Val { kind: other, span }.canonical(),
                        },
                    };
                    (key, convert(v.expr()))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => template(t),
        Expression::HeredocTemplate(h) => template(&h.template),
        Expression::Parenthesis(p) => return convert(p.inner()),
        Expression::Variable(v) => Kind::Ref(vec![v.as_str().to_string()]),
        Expression::Traversal(t) => {
            let root = convert(&t.expr);
            match root.kind {
                Kind::Ref(mut path) => {
                    for op in &t.operators {
                        if let TraversalOperator::GetAttr(id) = op.value() {
                            path.push(id.as_str().to_string());
                        }
                    }
                    Kind::Ref(path)
                }
                _ => Kind::Other,
            }
        }
        Expression::FuncCall(f) => Kind::Call(
            f.name.name.as_str().to_string(),
            f.args.iter().map(convert).collect(),
        ),
        Expression::Conditional(c) => Kind::Cond(Box::new([
            convert(&c.cond_expr),
            convert(&c.true_expr),
            convert(&c.false_expr),
        ])),
        _ => Kind::Other,
    };
    Val { kind, span }
}

fn template(t: &Template) -> Kind {
    let mut parts = Vec::new();
    for el in t.iter() {
        match el {
            Element::Literal(s) => parts.push(Part::Lit(s.value().clone())),
            Element::Interpolation(i) => parts.push(Part::Interp(convert(&i.expr))),
            Element::Directive(_) => parts.push(Part::Directive),
        }
    }
    template_kind(parts)
}

/// A template's parts as a value: a heredoc or template without interpolations is a plain
/// string.
pub fn template_kind(parts: Vec<Part>) -> Kind {
    if parts.iter().all(|p| matches!(p, Part::Lit(_))) {
        return Kind::Str(
            parts
                .into_iter()
                .map(|p| match p {
                    Part::Lit(s) => s,
                    _ => String::new(),
                })
                .collect(),
        );
    }
    Kind::Tmpl(parts)
}

/// A JSON document (a policy written as a heredoc or a string) as a value; spans point at the
/// string that held it.
pub fn from_json(v: &serde_json::Value, span: Span) -> Val {
    let kind = match v {
        serde_json::Value::Null => Kind::Null,
        serde_json::Value::Bool(b) => Kind::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map(Kind::Num).unwrap_or(Kind::Other),
        serde_json::Value::String(s) => Kind::Str(s.clone()),
        serde_json::Value::Array(a) => Kind::List(a.iter().map(|x| from_json(x, span)).collect()),
        serde_json::Value::Object(o) => Kind::Obj(
            o.iter()
                .map(|(k, x)| (k.clone(), from_json(x, span)))
                .collect(),
        ),
    };
    Val { kind, span }
}
