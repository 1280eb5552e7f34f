//! BGL903: every secret rotates automatically at least every 90 days.
use super::prelude::*;
use crate::lint::index::Mode;

pub static RULE: Rule = Rule {
    code: "BGL903",
    name: "secret-rotation",
    title: "Secrets rotate automatically every 90 days",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &["CKV2_AWS_57"],
    covers: &[
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_rotation",
        "catalogue: secrets",
    ],
    doc: r#"## What it checks
Every `aws_secretsmanager_secret` has an `aws_secretsmanager_secret_rotation` (whose
`secret_id` refers to it), or the legacy inline `rotation_rules`, with
`rotation_rules { automatically_after_days = N }` (or `schedule_expression = "rate(N days)"`)
where N is at most `policies/secrets.yaml`'s `rotation_days` (90). In the catalogue, every
secret's `rotation_days` is at most 90.

## Why
Seed 004 / FR-278 / DT-002: "Rotation automated on a 90-day schedule; no manual schedule".

## Example
```hcl
resource "aws_secretsmanager_secret_rotation" "probe" {
  secret_id           = aws_secretsmanager_secret.probe.id
  rotation_lambda_arn = aws_lambda_function.rotation.arn
  rotation_rules {
    automatically_after_days = 365
  }
}
```

## Fix
Set `automatically_after_days = 90`.
"#,
    terraform: Some(check),
    catalogue: Some(check_catalogue),
};

fn days(cx: &ModCtx, b: &crate::lint::value::Body) -> Option<(f64, crate::lint::value::Span)> {
    let rr = b.block("rotation_rules")?;
    if let Some(a) = rr.body.attr("automatically_after_days") {
        return Some((cx.m.resolve(&a.val).as_num()?, a.span));
    }
    let a = rr.body.attr("schedule_expression")?;
    let s = cx.m.resolve(&a.val).as_str()?;
    let n = s.strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = n.split_once(' ')?;
    let n: f64 = n.parse().ok()?;
    let d = match unit.trim_end_matches('s') {
        "day" => n,
        "hour" => n / 24.0,
        _ => return None,
    };
    Some((d, a.span))
}

fn check(cx: &ModCtx, out: &mut Out) {
    let max = cx.p.secrets.rotation_days as f64;
    check_detached_rotations(cx, out, max);
    for s in cx.m.of_type("aws_secretsmanager_secret") {
        let rotation =
            cx.m.referrers(&s.addr, "aws_secretsmanager_secret_rotation")
                .find(|r| {
                    r.get("secret_id")
                        .and_then(|v| v.ref_target())
                        .is_some_and(|t| t.addr == s.addr)
                });
        let (holder, found) = match rotation {
            Some(r) => (r, days(cx, r.body())),
            None if s.body().block("rotation_rules").is_some() => (s, days(cx, s.body())),
            None => {
                out.on(
                    cx.m,
                    s,
                    format!("secret {} does not rotate automatically", s.addr),
                    format!("add an aws_secretsmanager_secret_rotation with rotation_rules {{ automatically_after_days = {max} }} (MOD-045's rotation function)"),
                );
                continue;
            }
        };
        match found {
            Some((d, _)) if d <= max => {}
            Some((d, span)) => out.at(
                cx.m,
                holder,
                span,
                format!(
                    "secret {} rotates every {d} days, less often than every {max}",
                    s.addr
                ),
                format!("set automatically_after_days = {max}"),
            ),
            None => {
                if holder
                    .body()
                    .path(&["rotation_rules", "automatically_after_days"])
                    .is_none()
                {
                    out.on(
                        cx.m,
                        holder,
                        format!("the rotation of secret {} has no schedule", s.addr),
                        format!("set rotation_rules {{ automatically_after_days = {max} }}"),
                    );
                }
            }
        }
    }
}

/// A rotation whose secret is not a resource of this module (a data source, a variable, an
/// ARN, a secret in another folder) is still held to the schedule.
fn check_detached_rotations(cx: &ModCtx, out: &mut Out, max: f64) {
    for r in cx.m.of_type("aws_secretsmanager_secret_rotation") {
        let own_secret = r
            .get("secret_id")
            .and_then(|v| cx.m.target_of(v))
            .is_some_and(|(t, _)| t.rtype == "aws_secretsmanager_secret" && t.mode == Mode::Managed);
        if own_secret {
            continue;
        }
        let secret = r
            .get("secret_id")
            .map(|v| facts::resolved_text(cx, v))
            .unwrap_or_default();
        match days(cx, r.body()) {
            Some((d, span)) if d > max => out.at(
                cx.m,
                r,
                span,
                format!("{} rotates secret {secret} every {d} days, less often than every {max}", r.addr),
                format!("set automatically_after_days = {max}"),
            ),
            Some(_) => {}
            None => {
                if r.body().path(&["rotation_rules", "automatically_after_days"]).is_none()
                    && r.body().path(&["rotation_rules", "schedule_expression"]).is_none()
                {
                    out.on(
                        cx.m,
                        r,
                        format!("{} (secret {secret}) has no schedule", r.addr),
                        format!("set rotation_rules {{ automatically_after_days = {max} }}"),
                    );
                }
            }
        }
    }
}

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let max = cx.p.secrets.rotation_days;
    for m in &cx.cat.modules {
        for s in &m.resources.secrets {
            if s.rotation_days.value > max {
                out.at_loc(
                    &m.loc_of(&s.rotation_days.referenced),
                    Some(format!("secret {}", s.name.value)),
                    format!(
                        "secret {} rotates every {} days, less often than every {max}",
                        s.name.value, s.rotation_days.value
                    ),
                    format!("set rotation_days: {max}"),
                );
            }
        }
    }
}
