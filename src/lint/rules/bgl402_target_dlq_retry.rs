//! BGL402: every EventBridge rule target, and every Lambda mapping of a stream, retries and then
//! dead-letters.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL402",
    name: "target-dlq-retry",
    title: "Rule targets have a DLQ and a retry policy",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_cloudwatch_event_target", "aws_lambda_event_source_mapping"],
    doc: r#"## What it checks
Every `aws_cloudwatch_event_target` has `dead_letter_config { arn = ... }` and
`retry_policy { maximum_retry_attempts = ..., maximum_event_age_in_seconds = ... }`, with
values within what EventBridge accepts (0–185 attempts, 60–86400 seconds).

Every `aws_lambda_event_source_mapping` of a stream (one with `starting_position`: Kinesis,
DynamoDB streams) has `destination_config { on_failure { destination_arn = ... } }`,
`bisect_batch_on_function_error = true` and a `maximum_retry_attempts` other than -1 (the
default, forever: one bad record blocks its shard until it expires). A queue's mapping needs none:
the queue's redrive policy dead-letters its failed messages (BGL510 for FIFO queues).

## Why
The event catalogue's contract: events that cannot be delivered are retried and then kept in a
dead-letter queue, never dropped silently.

## Example
```hcl
resource "aws_cloudwatch_event_target" "aml" {
  rule = aws_cloudwatch_event_rule.aml.name
  arn  = aws_lambda_alias.screener.arn
}
```

## Fix
```hcl
  retry_policy {
    maximum_retry_attempts       = 185
    maximum_event_age_in_seconds = 86400
  }
  dead_letter_config {
    arn = aws_sqs_queue.aml_dlq.arn
  }
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    stream_mappings(cx, out);
    for t in cx.m.of_type("aws_cloudwatch_event_target") {
        if t.body().path(&["dead_letter_config", "arn"]).is_none() {
            out.on_attr(
                cx.m,
                t,
                &["dead_letter_config"],
                format!("event target {} has no dead-letter queue", t.addr),
                "add dead_letter_config { arn = <an SQS queue>.arn }",
            );
        }
        let Some(rp) = t.body().block("retry_policy") else {
            out.on(
                cx.m,
                t,
                format!("event target {} has no retry policy", t.addr),
                "add retry_policy { maximum_retry_attempts = ..., maximum_event_age_in_seconds = ... } (platform.yaml event_delivery)",
            );
            continue;
        };
        for (k, lo, hi) in [
            ("maximum_retry_attempts", 0.0, 185.0),
            ("maximum_event_age_in_seconds", 60.0, 86400.0),
        ] {
            match rp.body.attr(k) {
                None => out.at(
                    cx.m,
                    t,
                    rp.span,
                    format!(
                        "the retry policy of event target {} does not set {k}",
                        t.addr
                    ),
                    format!("set {k} (between {lo} and {hi})"),
                ),
                Some(a) => {
                    if let Some(n) = cx.m.resolve(&a.val).as_num()
                        && !(lo..=hi).contains(&n)
                    {
                        out.at(
                            cx.m,
                            t,
                            a.span,
                            format!("{k} = {n} in event target {} is outside {lo}–{hi}", t.addr),
                            format!("set {k} between {lo} and {hi}"),
                        );
                    }
                }
            }
        }
    }
}

/// A stream's mapping: failing batches are split, retried a bounded number of times, then sent on.
fn stream_mappings(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_lambda_event_source_mapping") {
        if r.get("starting_position").is_none() {
            continue;
        }
        if r
            .body()
            .path(&["destination_config", "on_failure", "destination_arn"])
            .is_none()
        {
            out.on_attr(
                cx.m,
                r,
                &["destination_config"],
                format!("{} has no on-failure destination: failed records are dropped", r.addr),
                "destination_config { on_failure { destination_arn = <a queue> } }",
            );
        }
        if facts::flag(cx, r, &["bisect_batch_on_function_error"]) != Some(true) {
            out.on_attr(
                cx.m,
                r,
                &["bisect_batch_on_function_error"],
                format!("{} does not bisect a failing batch", r.addr),
                "bisect_batch_on_function_error = true",
            );
        }
        let retries = facts::num(cx, r.body(), &["maximum_retry_attempts"]);
        if retries.is_none_or(|n| n < 0.0) {
            out.on_attr(
                cx.m,
                r,
                &["maximum_retry_attempts"],
                format!("{} retries a failing batch until its records expire", r.addr),
                "maximum_retry_attempts = 3 (or another bound up to 10000)",
            );
        }
    }
}
