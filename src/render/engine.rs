//! The template engine: minijinja with strict undefined, templates embedded in the binary (or
//! read from `--templates DIR`), and filters that are the only way a value reaches the output.

use super::hcl;
use super::view::View;
use crate::diag::Problem;
use include_dir::{Dir, include_dir};
use minijinja::value::merge_maps;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};
use std::path::Path;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

pub struct Engine {
    env: Environment<'static>,
}

impl Engine {
    /// Parse every template once; `dir` replaces the embedded set.
    pub fn new(dir: Option<&Path>) -> Result<Engine, Problem> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("valid syntax config"),
        );
        env.set_formatter(safe_only);
        env.add_filter("q", |v: Value| -> Result<Value, Error> {
            let s = v
                .as_str()
                .ok_or_else(|| invalid(format!("|q needs a string, got {}", v.kind())))?;
            Ok(Value::from_safe_string(hcl::quote(s)))
        });
        env.add_filter("hcl", |v: Value| -> Result<Value, Error> {
            let text = match v.downcast_object_ref::<View>() {
                // The context's own JSON: no round trip through minijinja values.
                Some(view) => hcl::expr(view.json()),
                None => hcl::expr(&serde_json::to_value(&v).map_err(|e| invalid(e.to_string()))?),
            };
            text.map(Value::from_safe_string).map_err(invalid)
        });
        env.add_filter("ident", |v: Value| -> Result<Value, Error> {
            let s = v
                .as_str()
                .ok_or_else(|| invalid(format!("|ident needs a string, got {}", v.kind())))?;
            Ok(Value::from_safe_string(crate::model::names::ident(s)))
        });
        env.add_filter("comment", |v: Value| -> Result<Value, Error> {
            let s = v
                .as_str()
                .ok_or_else(|| invalid("|comment needs a string"))?;
            if !s.starts_with('#') || s.contains(['\n', '\r']) {
                return Err(invalid("|comment takes one line starting with #"));
            }
            Ok(Value::from_safe_string(s.to_string()))
        });
        let mut add = |name: String, source: String| -> Result<(), Problem> {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| template_problem(&name, &e))
        };
        match dir {
            None => {
                for f in EMBEDDED.files() {
                    let name = f.path().to_string_lossy().into_owned();
                    let text = f.contents_utf8().unwrap_or_default().to_string();
                    add(name, text)?;
                }
            }
            Some(dir) => {
                let entries = std::fs::read_dir(dir).map_err(|e| {
                    Problem::error(
                        "BGR002",
                        None,
                        format!("cannot read templates folder {}: {e}", dir.display()),
                        "--templates names a folder of *.tf.j2 files",
                    )
                })?;
                let mut names: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                names.sort();
                for path in names
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|x| x == "j2"))
                {
                    let name = path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        Problem::error(
                            "BGR002",
                            None,
                            format!("cannot read {}: {e}", path.display()),
                            "check the file",
                        )
                    })?;
                    add(name, text)?;
                }
            }
        }
        Ok(Engine { env })
    }

    pub fn render(&self, template: &str, ctx: serde_json::Value) -> Result<String, Problem> {
        self.render_value(template, View::root(ctx))
    }

    /// Render with `shared` (values common to many blocks, built once) in front of `ctx`: a
    /// name in both is `shared`'s.
    pub fn render_shared(
        &self,
        template: &str,
        shared: &Value,
        ctx: serde_json::Value,
    ) -> Result<String, Problem> {
        self.render_value(template, merge_maps([shared.clone(), View::root(ctx)]))
    }

    /// The context of a shared-values map for [`Engine::render_shared`].
    pub fn shared(values: serde_json::Value) -> Value {
        View::root(values)
    }

    fn render_value(&self, template: &str, ctx: Value) -> Result<String, Problem> {
        let t = self
            .env
            .get_template(template)
            .map_err(|e| template_problem(template, &e))?;
        t.render(ctx).map_err(|e| template_problem(template, &e))
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg.into())
}

/// Only filter output, numbers and booleans may be printed: a bare `{{ value }}` of a string
/// would put catalogue text into HCL unescaped, so it is an error, not output.
fn safe_only(
    out: &mut minijinja::Output,
    _state: &mut minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    use minijinja::value::ValueKind;
    let ok = value.is_safe() || matches!(value.kind(), ValueKind::Number | ValueKind::Bool);
    if !ok {
        return Err(invalid(format!(
            "a {} was printed without an escaping filter; use |q, |hcl or |ident",
            value.kind()
        )));
    }
    // minijinja prints booleans the Python way (`True`); HCL spells them in lower case.
    let written = match (value.kind(), value.as_str()) {
        (ValueKind::Bool, _) => out.write_str(if value.is_true() { "true" } else { "false" }),
        (_, Some(s)) => out.write_str(s),
        _ => write!(out, "{value}"),
    };
    written.map_err(|e| invalid(e.to_string()))
}

fn template_problem(name: &str, e: &Error) -> Problem {
    let mut msg = format!("template {name}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    Problem::error(
        "BGR001",
        None,
        msg,
        "fix the template; values reach HCL only through |q, |hcl or |ident",
    )
}
