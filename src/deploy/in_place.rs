//! Updates a provider plans in place that AWS refuses: the resource can only change by being
//! replaced. hashicorp/aws 3.39 plans a changed or removed Cognito custom attribute as an
//! in-place update, and the apply then fails (`cannot modify or remove schema items`): AWS can
//! add a custom attribute to a user pool but never change or remove one. To the plan guard such
//! an update is a replacement of the pool, with every user in it.

use serde_json::Value;

/// What in `before` → `after` AWS cannot apply in place, one line per attribute
/// (`schema: custom attribute jurisdiction changed (max_length 2 → 3)`); empty when none.
pub fn refused(resource_type: &str, before: &Value, after: &Value) -> Vec<String> {
    match resource_type {
        "aws_cognito_user_pool" => user_pool_schema(before, after),
        _ => Vec::new(),
    }
}

/// A user pool's `schema` elements: each one of `before` must be in `after` unchanged.
fn user_pool_schema(before: &Value, after: &Value) -> Vec<String> {
    let elements = |v: &Value| -> Vec<Value> {
        v.get("schema")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (old, new) = (elements(before), elements(after));
    let name = |e: &Value| {
        e.get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let mut out = Vec::new();
    for o in &old {
        if new.contains(o) {
            continue;
        }
        match new.iter().find(|n| name(n) == name(o)) {
            None => out.push(format!("schema: custom attribute {} removed", name(o))),
            Some(n) => {
                let mut what = Vec::new();
                differences("", o, n, &mut what);
                out.push(format!(
                    "schema: custom attribute {} changed ({})",
                    name(o),
                    what.join(", ")
                ));
            }
        }
    }
    out
}

/// The leaves that differ between two JSON values, as `path a → b`.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                differences(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        // A nested block is a list of one object in the plan JSON: its fields are the path.
        (Value::Array(x), Value::Array(y)) if x.len() == 1 && y.len() == 1 => {
            differences(path, &x[0], &y[0], out)
        }
        _ if a != b => {
            let leaf = path.rsplit('.').next().unwrap_or(path);
            out.push(format!("{leaf} {} → {}", show(a), show(b)));
        }
        _ => {}
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "unset".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attr(name: &str, max: &str) -> Value {
        json!({"name": name, "attribute_data_type": "String", "mutable": true,
               "string_attribute_constraints": [{"min_length": "1", "max_length": max}]})
    }

    #[test]
    fn a_changed_or_removed_custom_attribute_is_refused_an_added_one_is_not() {
        let before = json!({"schema": [attr("user_id", "64"), attr("jurisdiction", "2")]});
        let changed = json!({"schema": [attr("user_id", "64"), attr("jurisdiction", "3")]});
        assert_eq!(
            refused("aws_cognito_user_pool", &before, &changed),
            ["schema: custom attribute jurisdiction changed (max_length 2 → 3)"]
        );
        let removed = json!({"schema": [attr("jurisdiction", "2")]});
        assert_eq!(
            refused("aws_cognito_user_pool", &before, &removed),
            ["schema: custom attribute user_id removed"]
        );
        let added = json!({"schema": [attr("user_id", "64"), attr("jurisdiction", "2"), attr("party_id", "64")]});
        assert!(refused("aws_cognito_user_pool", &before, &added).is_empty());
        // the order of a set's elements is not a change
        let reordered = json!({"schema": [attr("jurisdiction", "2"), attr("user_id", "64")]});
        assert!(refused("aws_cognito_user_pool", &before, &reordered).is_empty());
    }

    #[test]
    fn other_types_are_never_refused_here() {
        let before = json!({"schema": [attr("a", "1")]});
        assert!(refused("aws_s3_bucket", &before, &json!({})).is_empty());
    }
}
