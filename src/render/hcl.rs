//! Catalogue values → HCL text, escaped for the context they land in.
//!
//! Template contexts are JSON. A JSON string is always a *literal*: it comes out as a quoted HCL
//! string with `"`, `\`, control characters, `${` and `%{` escaped, so no catalogue value can
//! become HCL syntax. Expressions that the renderer itself builds (references such as
//! `aws_kms_key.pii.arn`) travel as `{"$raw": "..."}`, and strings mixing literal text with
//! references as `{"$tpl": ["literal", {"$raw": "..."}, ...]}`; only Rust code creates those
//! ([`crate::kinds::raw`], [`crate::kinds::tpl`]).

use serde_json::{Map, Value};

/// Append the body of a quoted HCL string for a literal value.
fn push_escaped(s: &str, out: &mut String) {
    // Most catalogue text needs no escape at all.
    let plain = |b: u8| (0x20..0x7f).contains(&b) && !matches!(b, b'\\' | b'"' | b'$' | b'%');
    if s.bytes().all(plain) {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                // `${` and `%{` start interpolations and directives; doubling the sigil escapes them.
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
}

pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(s, &mut out);
    out
}

fn push_quoted(s: &str, out: &mut String) {
    out.push('"');
    push_escaped(s, out);
    out.push('"');
}

/// An object key: bare when it is an identifier, quoted otherwise (`"aws:SecureTransport"`).
pub fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { quote(k) }
}

/// An HCL expression for a context value. Multi-line constructs put one bracket per line; the
/// formatter then indents and aligns them as `terraform fmt` does.
pub fn expr(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_expr(v, &mut out)?;
    Ok(out)
}

fn write_expr(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => push_quoted(s, out),
        Value::Array(items) => {
            if items.iter().all(is_inline) && inline_len(v) <= 100 {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_expr(item, out)?;
                }
                out.push(']');
            } else {
                out.push_str("[\n");
                for item in items {
                    write_expr(item, out)?;
                    out.push_str(",\n");
                }
                out.push(']');
            }
        }
        Value::Object(map) => {
            if let Some(r) = map.get("$raw") {
                out.push_str(r.as_str().ok_or("$raw must be a string")?);
            } else if let Some(parts) = map.get("$tpl") {
                write_template(parts, out)?;
            } else if map.is_empty() {
                out.push_str("{}");
            } else if map.len() == 1
                && inline_len(v) <= 80
                && map.values().all(|x| is_inline(x) || is_single_entry(x))
            {
                let (k, val) = map.iter().next().expect("one entry");
                out.push_str("{ ");
                out.push_str(&key(k));
                out.push_str(" = ");
                write_expr(val, out)?;
                out.push_str(" }");
            } else {
                write_object_lines(map, out)?;
            }
        }
    }
    Ok(())
}

fn write_object_lines(map: &Map<String, Value>, out: &mut String) -> Result<(), String> {
    out.push_str("{\n");
    for (k, val) in map {
        out.push_str(&key(k));
        out.push_str(" = ");
        write_expr(val, out)?;
        out.push('\n');
    }
    out.push('}');
    Ok(())
}

fn write_template(parts: &Value, out: &mut String) -> Result<(), String> {
    let parts = parts.as_array().ok_or("$tpl must be a list")?;
    out.push('"');
    for p in parts {
        match p {
            Value::String(s) => push_escaped(s, out),
            Value::Object(m) if m.contains_key("$raw") => {
                out.push_str("${");
                out.push_str(m["$raw"].as_str().ok_or("$raw must be a string")?);
                out.push('}');
            }
            other => {
                return Err(format!(
                    "a template part must be a string or $raw, not {other}"
                ));
            }
        }
    }
    out.push('"');
    Ok(())
}

/// `{ Bool = { "aws:SecureTransport" = "false" } }`: nested one-entry objects stay on one line.
fn is_single_entry(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.len() == 1 && m.values().all(|x| is_inline(x) || is_single_entry(x)),
        _ => false,
    }
}

fn is_inline(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.contains_key("$raw") || m.contains_key("$tpl") || m.is_empty(),
        _ => true,
    }
}

fn inline_len(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        Value::Array(a) => a.iter().map(|x| inline_len(x) + 2).sum::<usize>() + 2,
        Value::Object(m) => {
            m.iter()
                .map(|(k, x)| k.len() + inline_len(x) + 4)
                .sum::<usize>()
                + 4
        }
        other => other.to_string().len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{raw, tpl};
    use serde_json::json;

    #[test]
    fn literals_never_become_syntax() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("${var.x} %{if}"), r#""$${var.x} %%{if}""#);
        assert_eq!(quote("line1\nEOT\n"), r#""line1\nEOT\n""#);
        assert_eq!(quote("$5 and 100%"), r#""$5 and 100%""#);
        assert_eq!(quote("\u{7}"), r#""\u0007""#);
    }

    #[test]
    fn raw_and_templates_interpolate() {
        let v = tpl(vec![
            json!("${x}/"),
            raw("aws_s3_bucket.a.arn"),
            json!("/*"),
        ]);
        assert_eq!(expr(&v).unwrap(), r#""$${x}/${aws_s3_bucket.a.arn}/*""#);
    }

    #[test]
    fn objects_lay_out_one_bracket_per_line() {
        let v = json!({"Version": "2012-10-17", "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        assert_eq!(
            expr(&v).unwrap(),
            "{\nVersion = \"2012-10-17\"\nCondition = { Bool = { \"aws:SecureTransport\" = \"false\" } }\n}"
        );
    }
}
