//! A JSON template context as minijinja sees it, without copying it into minijinja values.
//!
//! Converting every block's context into minijinja values, and each `|hcl` argument back into
//! JSON, was most of the render time. A [`View`] looks values up only when a template reads
//! them, and `|hcl` takes the original JSON back from it ([`View::json`]).

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use serde_json::Value as Json;
use std::sync::Arc;

/// A list or object inside a shared context: the root, and the positions leading to it.
#[derive(Debug)]
pub struct View {
    root: Arc<Json>,
    path: Vec<usize>,
}

impl View {
    /// The template value for a whole context.
    pub fn root(ctx: Json) -> Value {
        View::value(&Arc::new(ctx), &[], None)
    }

    /// The JSON this view stands for.
    pub fn json(&self) -> &Json {
        let mut at = &*self.root;
        for &i in &self.path {
            at = match at {
                Json::Array(items) => &items[i],
                Json::Object(map) => map.values().nth(i).expect("a position in this tree"),
                _ => unreachable!("a view's path only goes through lists and objects"),
            };
        }
        at
    }

    /// Primitives become minijinja values the way its serde conversion makes them; lists and
    /// objects become views. `at` is the child's position below `path`.
    fn value(root: &Arc<Json>, path: &[usize], at: Option<(usize, &Json)>) -> Value {
        let json = at.map_or(&**root, |(_, j)| j);
        match json {
            Json::Null => Value::from(()),
            Json::Bool(b) => Value::from(*b),
            Json::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Value::from(u),
                (None, Some(i)) => Value::from(i),
                _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::from(s.as_str()),
            Json::Array(_) | Json::Object(_) => {
                let mut p = Vec::with_capacity(path.len() + 1);
                p.extend_from_slice(path);
                p.extend(at.map(|(i, _)| i));
                Value::from_object(View {
                    root: root.clone(),
                    path: p,
                })
            }
        }
    }

    fn field(&self, key: &str) -> Option<Value> {
        let Json::Object(map) = self.json() else {
            return None;
        };
        let (i, (_, v)) = map.iter().enumerate().find(|(_, (k, _))| *k == key)?;
        Some(View::value(&self.root, &self.path, Some((i, v))))
    }
}

impl Object for View {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.json() {
            Json::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match self.json() {
            Json::Array(items) => {
                let i = key.as_usize()?;
                let v = items.get(i)?;
                Some(View::value(&self.root, &self.path, Some((i, v))))
            }
            _ => self.field(key.as_str()?),
        }
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.field(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.json() {
            Json::Array(items) => Enumerator::Seq(items.len()),
            Json::Object(map) => {
                Enumerator::Values(map.keys().map(|k| Value::from(k.as_str())).collect())
            }
            _ => Enumerator::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_like_the_converted_context() {
        let ctx = json!({"a": {"b": [1, "x", null, {"c": true}]}, "n": -3, "f": 1.5});
        let direct = Value::from(minijinja::value::Serde(&ctx));
        let view = View::root(ctx);
        let env = minijinja::Environment::new();
        let expr =
            "[a.b[0], a.b[1], a.b[2], a.b[3].c, n, f, a.b|length, a|list, a.b[3] is mapping]";
        let run = |v: &Value| {
            env.compile_expression(expr)
                .unwrap()
                .eval(v.clone())
                .unwrap()
                .to_string()
        };
        assert_eq!(run(&view), run(&direct));
    }

    #[test]
    fn gives_the_json_back() {
        let view = View::root(json!({"p": {"Version": "1", "S": [{"x": 1}]}}));
        let p = view.get_attr("p").unwrap();
        let s = p.get_attr("S").unwrap().get_item(&Value::from(0)).unwrap();
        assert_eq!(
            s.downcast_object_ref::<View>().unwrap().json(),
            &json!({"x": 1})
        );
    }
}
