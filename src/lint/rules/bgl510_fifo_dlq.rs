//! BGL510: every SQS FIFO queue that is not itself a dead-letter queue redrives to a FIFO
//! dead-letter queue.
use super::prelude::*;
use crate::lint::index::{Mode, TfModule};
use crate::lint::value::from_json;

pub static RULE: Rule = Rule {
    code: "BGL510",
    name: "fifo-dlq",
    title: "FIFO queues redrive to a FIFO dead-letter queue",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &["aws_sqs_queue", "aws_sqs_queue_redrive_policy"],
    doc: r#"## What it checks
Every FIFO `aws_sqs_queue` (`fifo_queue = true`, or a literal name ending `.fifo`) has a redrive
policy whose `deadLetterTargetArn` is a FIFO queue, in either form: the queue's own
`redrive_policy` argument (hashicorp/aws 3.x) or an `aws_sqs_queue_redrive_policy` whose
`queue_url` refers to it (4.x and later). A queue that some redrive policy of the module
targets is a dead-letter queue and needs none itself. The target is resolved through a
reference (`aws_sqs_queue.X.arn`) or a literal ARN (by the queue name at its end); a policy that
cannot be read statically (a variable) is not judged.

## Why
Seed 002, messaging stack: "SQS queues handle asynchronous task processing with FIFO guarantees
where ordering matters. Dead letter queues capture failed messages for later analysis."
Without a redrive policy a message that always fails is received again and again until its
retention ends and is then lost; in a FIFO queue it also blocks every later message of its
message group meanwhile. SQS rejects a standard queue as the dead-letter queue of a FIFO
queue, at apply time.

## Example
```hcl
resource "aws_sqs_queue" "payments" {
  name                        = "gbp-payments-dev.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  kms_master_key_id           = data.aws_ssm_parameter.kms_confidential_arn.value
}
```

## Fix
```hcl
resource "aws_sqs_queue" "payments_dlq" {
  name                      = "gbp-payments-dlq-dev.fifo"
  fifo_queue                = true
  kms_master_key_id         = data.aws_ssm_parameter.kms_confidential_arn.value
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue_redrive_policy" "payments" {
  queue_url = aws_sqs_queue.payments.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.payments_dlq.arn
    maxReceiveCount     = 5
  })
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

/// One redrive policy: the queue it belongs to, the resource that holds it, its argument.
struct Redrive<'a> {
    source: &'a str,
    holder: &'a Resource,
    arg: &'static str,
    /// The dead-letter queue it names: `Some(None)` when it names none at all.
    target: Option<Option<Target<'a>>>,
}

enum Target<'a> {
    Queue(&'a Resource),
    /// A literal ARN: the queue name at its end.
    Name(String),
}

fn is_fifo(cx: &ModCtx, q: &Resource) -> bool {
    facts::flag(cx, q, &["fifo_queue"]) == Some(true)
        || q.literal_name().is_some_and(|n| n.ends_with(".fifo"))
}

/// The redrive document of an argument, when it can be read statically.
fn document(m: &TfModule, v: &Val) -> Option<Val> {
    let v = m.resolve(v);
    match &v.kind {
        Kind::Call(name, args) if name == "jsonencode" && args.len() == 1 => {
            Some(m.resolve(&args[0]).clone())
        }
        Kind::Obj(_) => Some(v.clone()),
        Kind::Str(s) => serde_json::from_str(s).ok().map(|j| from_json(&j, v.span)),
        _ => None,
    }
}

fn target<'a>(m: &'a TfModule, doc: &Val) -> Option<Option<Target<'a>>> {
    let Some(arn) = doc.get("deadLetterTargetArn") else {
        return Some(None);
    };
    let arn = m.resolve(arn);
    if let Some(s) = arn.as_str() {
        let name = s.rsplit(':').next().unwrap_or(s);
        return Some(Some(Target::Name(name.to_string())));
    }
    let addr = arn.ref_target()?.addr;
    match m.resource(&addr) {
        Some(q) if q.rtype == "aws_sqs_queue" && q.mode == Mode::Managed => {
            Some(Some(Target::Queue(q)))
        }
        _ => None,
    }
}

fn redrives<'a>(cx: &ModCtx<'a>) -> Vec<Redrive<'a>> {
    let m = cx.m;
    let mut out = Vec::new();
    for q in m.of_type("aws_sqs_queue") {
        if let Some(v) = q.get("redrive_policy") {
            out.push(Redrive {
                source: &q.addr,
                holder: q,
                arg: "redrive_policy",
                target: document(m, v).and_then(|d| target(m, &d)),
            });
        }
    }
    for rp in m.of_type("aws_sqs_queue_redrive_policy") {
        let source = rp
            .get("queue_url")
            .and_then(|u| m.target_of(u))
            .filter(|(q, _)| q.rtype == "aws_sqs_queue")
            .map(|(q, _)| q.addr.as_str());
        let (Some(source), Some(v)) = (source, rp.get("redrive_policy")) else {
            continue;
        };
        out.push(Redrive {
            source,
            holder: rp,
            arg: "redrive_policy",
            target: document(m, v).and_then(|d| target(m, &d)),
        });
    }
    out
}

fn check(cx: &ModCtx, out: &mut Out) {
    let all = redrives(cx);
    let is_dlq = |q: &Resource| {
        all.iter().any(|r| match &r.target {
            Some(Some(Target::Queue(t))) => t.addr == q.addr,
            Some(Some(Target::Name(n))) => q.literal_name() == Some(n.as_str()),
            _ => false,
        })
    };
    for q in cx.m.of_type("aws_sqs_queue") {
        if q.mode != Mode::Managed || !is_fifo(cx, q) || is_dlq(q) {
            continue;
        }
        let own: Vec<&Redrive> = all.iter().filter(|r| r.source == q.addr).collect();
        if own.is_empty() {
            out.on(
                cx.m,
                q,
                format!("FIFO queue {} has no dead-letter queue", q.addr),
                "add an aws_sqs_queue_redrive_policy (provider 3: the redrive_policy argument) whose deadLetterTargetArn is a FIFO queue",
            );
            continue;
        }
        for r in own {
            let fifo_target = match &r.target {
                None => continue,
                Some(None) => None,
                Some(Some(Target::Queue(t))) => Some(is_fifo(cx, t)),
                Some(Some(Target::Name(n))) => Some(n.ends_with(".fifo")),
            };
            match fifo_target {
                Some(true) => {}
                Some(false) => out.on_attr(
                    cx.m,
                    r.holder,
                    &[r.arg],
                    format!(
                        "FIFO queue {} redrives to a standard queue",
                        q.addr
                    ),
                    "a FIFO queue's dead-letter queue is a FIFO queue (fifo_queue = true, a name ending .fifo)",
                ),
                None => out.on_attr(
                    cx.m,
                    r.holder,
                    &[r.arg],
                    format!(
                        "the redrive policy of FIFO queue {} names no dead-letter queue",
                        q.addr
                    ),
                    "set deadLetterTargetArn to a FIFO queue's ARN and maxReceiveCount",
                ),
            }
        }
    }
}
