//! BGL401: every custom event bus has a 30-day archive of all its events and a dead-letter
//! queue.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL401",
    name: "bus-archive-dlq",
    title: "Event buses keep a 30-day archive and a DLQ",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cloudwatch_event_bus", "aws_cloudwatch_event_archive"],
    doc: r#"## What it checks
Every `aws_cloudwatch_event_bus` has:
- an `aws_cloudwatch_event_archive` whose `event_source_arn` is the bus, without an
  `event_pattern` (it archives every event), keeping events at least
  `archive_retention_days` (`policies/eventbridge.yaml`: 30; `0`, forever, also passes);
- a dead-letter queue: the bus's `dead_letter_config { arn }` (provider 6), or, where the
  provider has no such argument (provider 3), an `aws_sqs_queue` named by convention (label
  `<bus label>_dlq` or name `<bus name>-dlq`).

## Why
Seed 000: each bus has "an archive rule retaining all events for 30 days (replay capability)"
and "a dead-letter queue (SQS) for undeliverable events".

## Example
```hcl
resource "aws_cloudwatch_event_archive" "core" {
  name             = "bank-core-archive"
  event_source_arn = aws_cloudwatch_event_bus.core.arn
  retention_days   = 7
}
```

## Fix
Set `retention_days = 30`, and give the bus `dead_letter_config { arn = aws_sqs_queue.core_dlq.arn }`.
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    let days = cx.p.eventbridge.archive_retention_days as f64;
    for bus in cx.m.of_type("aws_cloudwatch_event_bus") {
        let bus_name = bus.get("name").and_then(Val::as_str);
        let archives: Vec<&Resource> =
            cx.m.of_type("aws_cloudwatch_event_archive")
                .filter(|a| match a.get("event_source_arn") {
                    Some(v) => match cx.m.target_of(v) {
                        Some((t, _)) => t.addr == bus.addr,
                        None => bus_name.is_some_and(|n| {
                            v.as_str()
                                .is_some_and(|s| s.ends_with(&format!(":event-bus/{n}")))
                        }),
                    },
                    None => false,
                })
                .collect();
        if archives.is_empty() {
            out.on(
                cx.m,
                bus,
                format!("event bus {} has no archive", bus.addr),
                format!("add an aws_cloudwatch_event_archive with event_source_arn = {}.arn and retention_days = {days}", bus.addr),
            );
        } else if !archives.iter().any(|a| {
            let d = facts::num(cx, a.body(), &["retention_days"]).unwrap_or(0.0);
            (d == 0.0 || d >= days) && a.get("event_pattern").is_none()
        }) {
            let a = archives[0];
            if a.get("event_pattern").is_some() {
                out.on_attr(
                    cx.m,
                    a,
                    &["event_pattern"],
                    format!(
                        "the archive of event bus {} keeps only the events matching a pattern",
                        bus.addr
                    ),
                    "remove event_pattern: the archive keeps every event for replay",
                );
            } else {
                out.on_attr(
                    cx.m,
                    a,
                    &["retention_days"],
                    format!(
                        "the archive of event bus {} keeps events for fewer than {days} days",
                        bus.addr
                    ),
                    format!("set retention_days = {days}"),
                );
            }
        }
        let has_dlq = bus.body().path(&["dead_letter_config", "arn"]).is_some()
            || facts::conventional_dlq(cx, bus).is_some();
        if !has_dlq {
            out.on(
                cx.m,
                bus,
                format!("event bus {} has no dead-letter queue", bus.addr),
                format!(
                    "add dead_letter_config {{ arn = aws_sqs_queue.{}{}.arn }} (provider 3: an aws_sqs_queue named <bus>{})",
                    bus.name, cx.p.eventbridge.dlq_label_suffix, cx.p.eventbridge.dlq_name_suffix
                ),
            );
        }
    }
}
