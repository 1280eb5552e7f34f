//! BGL804: every wire the catalogue implies is allowed by the rendered policies, as AWS
//! evaluates them. The check reads a whole environment's tree at once (`src/lint/access/`), so
//! it has no per-module or catalogue-only function: `lint` runs it on each environment folder
//! of a rendered tree it is given, with the catalogue loaded.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL804",
    name: "access-wire",
    title: "Every wire the catalogue implies is allowed by the rendered policies",
    severity: Severity::Error,
    policy: "DT-001",
    checkov: &[],
    covers: &[
        "aws_iam_role_policy",
        "aws_iam_policy",
        "aws_kms_key",
        "aws_sns_topic_policy",
        "aws_sqs_queue_policy",
        "aws_cloudwatch_event_bus_policy",
        "aws_s3_bucket_policy",
        "aws_lambda_permission",
        "catalogue: IAM roles",
        "catalogue: secrets",
        "catalogue: functions",
        "catalogue: Firehose streams",
        "catalogue: trails",
    ],
    doc: r#"## What it checks
In each environment folder of a rendered tree (`out/<env>/MOD-*`, with the catalogue), every
wire the catalogue implies, evaluated against the identity policies of the principal
(`aws_iam_role_policy`, attached `aws_iam_policy`), the resource's policy (topic, queue, bus,
bucket, secret policy, Lambda permissions) and the key policy of the key that encrypts it, with
AWS's logic: an explicit deny wins; in one account an identity-based or a resource-based allow
grants; a service principal is granted only by a resource or key policy; a KMS key only when
its key policy allows the principal or delegates to IAM (`arn:aws:iam::ACCOUNT:root` with the
action) and the identity policy allows too. `Action`/`NotAction`, `Resource`/`NotResource` with
`*` and `?`, and the conditions `String*`, `Arn*`, `Bool`, `Null` (with `IfExists`,
`ForAnyValue:`) are evaluated; a condition on a key the request does not set is *unknown*,
reported as a warning. References between modules are followed through the SSM contract; a
resource gets the ARN AWS gives it (a secret's ends in `-` and six random characters).

The wires (`bankgen access` prints them all, allowed or not):
- `secret-read`: a role's `secrets_read` → `GetSecretValue`/`DescribeSecret`, and `kms:Decrypt`
  of the secret's key through Secrets Manager;
- `bus-put`: a role's `events_put` → `events:PutEvents` on the bus;
- `firehose-put`, `firehose-dlq`: a role's `firehose_put` → the stream, and `sqs:SendMessage` on
  the stream's dead-letter queue with its key;
- `key-decrypt`: a role's `kms_decrypt` → `kms:Decrypt` on the classification's key;
- `rule-target`, `rule-dlq`: a subscription's rule → its target (bus, queue, function, stream,
  as its delivery role or `events.amazonaws.com`) and its dead-letter queue, with their keys;
- `alarm-topic`: every alarm → `sns:Publish` on its topic and the topic's key, as
  `cloudwatch.amazonaws.com`;
- `budget-topic`: every budget notification → `sns:Publish` on its topics and their keys, as
  `budgets.amazonaws.com`;
- `function-topic`: a function whose statements publish to a topic → `sns:Publish` and the
  topic's key through SNS;
- `firehose-delivery`: a stream's delivery role → `s3:PutObject` under its prefix and the
  stream's key;
- `trail-bucket`: CloudTrail → `s3:PutObject` and `s3:GetBucketAcl` on its bucket, and its key;
- `log-group-key`: CloudWatch Logs → the key of every encrypted log group;
- `rotation`: Secrets Manager → `lambda:InvokeFunction` on a secret's rotation function, and the
  function's role → the secret and its key;
- `policy-attached`: a catalogue `iam_policies` entry is attached to some principal.

A finding names the wire (principal → actions → resource), the policy that lacks the grant (or
the deny that refuses it) with its file and line, and is placed at the catalogue line of the
wire.

## Why
The emulator the live tests apply to does not evaluate IAM, key or resource policies: a wire
AWS would refuse deploys there and fails only in a real account, at run time (an alarm that
never notifies, a secret a function cannot read).

## Example
```hcl
# BankCoreRole: secrets_read [bank-core/neon]; the secret's ARN is
# arn:aws:secretsmanager:ap-southeast-2:ACCOUNT:secret:bank-core/neon-AbCdEf
Resource = "arn:aws:secretsmanager:ap-southeast-2:ACCOUNT:secret:bank-core/neon/*"
```

## Fix
Add the grant where the finding says it is missing (the role's policy, the topic or queue
policy, the key policy's service principals), or correct the Resource pattern (`name-??????`
for a secret), in the kind or catalogue entry that renders it; attach a policy that grants to
nobody, or remove it.
"#,
    terraform: None,
    catalogue: None,
};
