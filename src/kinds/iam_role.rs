//! IAM: one Lambda execution role per domain with exactly the permissions of its row in seed
//! 000, plus the guard every role carries (no calls outside the platform region; no secret
//! without a module_id tag).

use super::md::{code, esc, title_case};
use super::names::ident;
use super::policy::{Stmt, policy, trust, write_traces};
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use super::{raw, tpl};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: Sp<String>,
    pub domain: Sp<String>,
    pub trust: Sp<String>,
    pub permissions: Vec<Permission>,
}

/// One row of seed 000's "Key permissions" column.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Permission {
    SecretsRead(Vec<Sp<String>>),
    EventsPut(Vec<Sp<String>>),
    EventsRead(Vec<Sp<String>>),
    S3Put(Vec<Sp<String>>),
    S3ReadWrite(Vec<Sp<String>>),
    FirehosePut(Vec<Sp<String>>),
    KmsDecrypt(Vec<Sp<String>>),
    CognitoAdmin(Vec<Sp<String>>),
    /// Read Kinesis streams (a Lambda event source mapping's consumer), by catalogue name.
    KinesisRead(Vec<Sp<String>>),
    /// Receive and delete the messages of SQS queues (a Lambda event source mapping's consumer).
    SqsConsume(Vec<Sp<String>>),
    /// Send to SQS queues (an event source mapping's on-failure destination).
    SqsSend(Vec<Sp<String>>),
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "iam_roles"
    }
    fn noun(&self) -> &'static str {
        "IAM role"
    }
    fn family(&self) -> &'static str {
        "iam"
    }
    fn template(&self) -> &'static str {
        "iam_role.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::IAM]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_iam_role", "aws_iam_role_policy"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL202", "BGL801", "BGL802"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.iam_roles.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.iam_roles.iter().map(|x| ("IAM role", &x.name)).collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "role",
            resource_type: "aws_iam_role",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for role in &r.iam_roles {
            c.name(&role.name, &n.role);
            c.domain(&role.domain);
            if role.trust.value != "lambda" {
                c.err(
                    "BG001",
                    &role.trust.referenced,
                    format!("unknown trust `{}`", role.trust.value),
                    "domain roles are Lambda execution roles: trust: lambda",
                );
            }
            for p in &role.permissions {
                match p {
                    Permission::KmsDecrypt(cs) => cs.iter().for_each(|x| c.classification(x)),
                    Permission::SecretsRead(ps) => {
                        for s in ps {
                            // `NAME/` grants the secrets below NAME; the name is checked without it.
                            let mut bare = s.clone();
                            bare.value = s.value.trim_end_matches('/').to_string();
                            c.name(&bare, &n.secret_prefix);
                        }
                    }
                    Permission::S3Put(bs) | Permission::S3ReadWrite(bs) => {
                        bs.iter().for_each(|b| c.bucket(b));
                    }
                    Permission::EventsPut(buses) | Permission::EventsRead(buses) => {
                        let known = r.event_buses.iter().map(|b| b.name.value.as_str());
                        for bus in buses {
                            c.declared("BG013", "event bus", "buses", bus, known.clone());
                        }
                    }
                    Permission::FirehosePut(ss) => {
                        let known = r.firehose_streams.iter().map(|s| s.name.value.as_str());
                        for s in ss {
                            c.declared("BG013", "Firehose stream", "streams", s, known.clone());
                        }
                    }
                    Permission::CognitoAdmin(ps) => {
                        let known = r.user_pools.iter().map(|p| p.name.value.as_str());
                        for p in ps {
                            c.declared("BG013", "user pool", "pools", p, known.clone());
                        }
                    }
                    // Streams and queues of other modules: named by their catalogue names.
                    Permission::KinesisRead(xs)
                    | Permission::SqsConsume(xs)
                    | Permission::SqsSend(xs) => xs.iter().for_each(|x| {
                        c.name(x, &n.resource);
                    }),
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

/// Global services whose calls are signed for us-east-1 whatever the caller's region.
const GLOBAL_SERVICES: &[&str] = &[
    "iam:*",
    "sts:*",
    "organizations:*",
    "support:*",
    "cloudfront:*",
    "route53:*",
];

fn render(kind: &Kind, m: &mut Scope) {
    for role in &m.module.resources.iam_roles {
        let id = ident(&role.name.value);
        let loc = m.loc(&role.name.referenced);
        let repo = m
            .domain(&role.domain.value)
            .map(|d| d.repo.clone())
            .unwrap_or_default();
        let (region, account) = (m.region.to_string(), m.env.account_id.to_string());
        let mut statements = vec![
            Stmt::allow("WriteOwnLogs")
                .action(&["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(vec![json!(format!(
                    "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{repo}-*"
                ))])
                .build(),
            write_traces(),
        ];
        for (i, p) in role.permissions.iter().enumerate() {
            statements.push(permission(m, p, i));
            if let Permission::FirehosePut(streams) = p {
                statements.extend(firehose_dead_letters(m, streams, i));
            }
            if let Permission::SqsSend(_) = p {
                statements.extend(send_keys(m, &role.permissions, i));
            }
        }
        let guard = policy(vec![
            Stmt::deny("DenyOutsidePlatformRegion")
                .not_actions(GLOBAL_SERVICES.iter().map(|s| json!(s)).collect())
                .resource(vec![json!("*")])
                .condition("StringNotEquals", "aws:RequestedRegion", json!(region))
                .build(),
            Stmt::deny("DenyUntaggedSecrets")
                .action(&["secretsmanager:GetSecretValue"])
                .resource(vec![json!("*")])
                .condition("Null", "aws:ResourceTag/module_id", json!("true"))
                .build(),
        ]);
        let ctx = json!({
            "id": id,
            "name": role.name.value,
            "domain": role.domain.value,
            "trust": trust("lambda.amazonaws.com"),
            "policy": policy(statements),
            "guard": guard,
        });
        m.emit(kind, &loc, ctx);
        m.export(
            format!("iam/{}/arn", role.name.value.to_lowercase()),
            format!(
                "ARN of {}, the Lambda execution role of {}",
                role.name.value, role.domain.value
            ),
            raw(format!("aws_iam_role.{id}.arn")),
            &loc,
        );
    }
}

/// What a `firehose_put` producer also needs: records the stream refuses go to the stream's
/// dead-letter queue, encrypted with the stream's classification key, so the producer sends there
/// and uses that key, only through SQS.
fn firehose_dead_letters(m: &mut Scope, streams: &[Sp<String>], i: usize) -> Vec<Value> {
    let own = &m.module.resources.firehose_streams;
    let declared: Vec<(String, String)> = streams
        .iter()
        .filter_map(|s| own.iter().find(|d| d.name.value == s.value))
        .map(|d| (ident(&d.name.value), d.classification.value.clone()))
        .collect();
    if declared.is_empty() {
        return Vec::new();
    }
    let queues = declared
        .iter()
        .map(|(id, _)| raw(format!("aws_sqs_queue.{id}_dlq.arn")))
        .collect();
    let mut keys: Vec<Value> = Vec::new();
    for (_, class) in &declared {
        let key = m.key_arn(class);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    vec![
        Stmt::allow(&format!("FirehoseDeadLetters{i}"))
            .action(&["sqs:SendMessage"])
            .resource(queues)
            .build(),
        keys_through_sqs(&format!("FirehoseDeadLetterKey{i}"), keys, m.region),
    ]
}

/// Data keys for sending to encrypted queues, usable only through SQS.
fn keys_through_sqs(sid: &str, keys: Vec<Value>, region: &str) -> Value {
    Stmt::allow(sid)
        .action(&["kms:GenerateDataKey", "kms:Decrypt"])
        .resource(keys)
        .condition(
            "StringEquals",
            "kms:ViaService",
            json!(format!("sqs.{region}.amazonaws.com")),
        )
        .build()
}

/// A sender to an encrypted queue needs a data key: the keys of the classifications the role
/// may decrypt, used only through SQS.
fn send_keys(m: &mut Scope, permissions: &[Permission], i: usize) -> Option<Value> {
    let classes: Vec<String> = permissions
        .iter()
        .filter_map(|p| match p {
            Permission::KmsDecrypt(cs) => Some(cs.iter().map(|c| c.value.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    if classes.is_empty() {
        return None;
    }
    let keys = classes.iter().map(|c| m.key_arn(c)).collect();
    Some(keys_through_sqs(&format!("SqsSendKeys{i}"), keys, m.region))
}

/// The ARN pattern a `secrets_read` entry grants. A secret's ARN is its name and a dash and six
/// random characters (`secret:bank-core/neon-AbCdEf`), so an exact name matches
/// `NAME-??????`; an entry ending in `/` is a path prefix and matches every secret below it.
pub fn secret_arn_pattern(region: &str, account: &str, entry: &str) -> String {
    match entry.strip_suffix('/') {
        Some(prefix) => format!("arn:aws:secretsmanager:{region}:{account}:secret:{prefix}/*"),
        None => format!("arn:aws:secretsmanager:{region}:{account}:secret:{entry}-??????"),
    }
}

fn permission(m: &mut Scope, p: &Permission, i: usize) -> Value {
    let (region, account) = (m.region.to_string(), m.env.account_id.to_string());
    let env = m.env.name.to_string();
    let sid = |name: &str| format!("{name}{i}");
    match p {
        Permission::SecretsRead(prefixes) => Stmt::allow(&sid("SecretsRead"))
            .action(&[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ])
            .resource(
                prefixes
                    .iter()
                    .map(|p| json!(secret_arn_pattern(&region, &account, &p.value)))
                    .collect(),
            )
            .build(),
        Permission::EventsPut(buses) => {
            let arns = buses.iter().map(|b| m.bus_arn(&b.value)).collect();
            Stmt::allow(&sid("EventsPut"))
                .action(&["events:PutEvents"])
                .resource(arns)
                .build()
        }
        Permission::EventsRead(buses) => {
            let mut arns: Vec<Value> = Vec::new();
            for b in buses {
                arns.push(m.bus_arn(&b.value));
                arns.push(json!(format!(
                    "arn:aws:events:{region}:{account}:rule/{}/*",
                    b.value
                )));
            }
            Stmt::allow(&sid("EventsRead"))
                .action(&[
                    "events:DescribeEventBus",
                    "events:ListRules",
                    "events:DescribeRule",
                    "events:ListTargetsByRule",
                ])
                .resource(arns)
                .build()
        }
        Permission::S3Put(buckets) => Stmt::allow(&sid("S3Put"))
            .action(&["s3:PutObject"])
            .resource(buckets.iter().map(|b| objects(&b.value)).collect())
            .build(),
        Permission::S3ReadWrite(buckets) => {
            let mut arns = Vec::new();
            for b in buckets {
                arns.push(raw(format!("aws_s3_bucket.{}.arn", ident(&b.value))));
                arns.push(objects(&b.value));
            }
            Stmt::allow(&sid("S3ReadWrite"))
                .action(&[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:ListBucket",
                ])
                .resource(arns)
                .build()
        }
        Permission::FirehosePut(streams) => {
            let arns = streams.iter().map(|s| m.firehose_arn(&s.value)).collect();
            Stmt::allow(&sid("FirehosePut"))
                .action(&["firehose:PutRecord", "firehose:PutRecordBatch"])
                .resource(arns)
                .build()
        }
        Permission::KmsDecrypt(classes) => {
            let arns = classes.iter().map(|c| m.key_arn(&c.value)).collect();
            Stmt::allow(&sid("KmsDecrypt"))
                .action(&["kms:Decrypt", "kms:DescribeKey"])
                .resource(arns)
                .build()
        }
        Permission::CognitoAdmin(pools) => Stmt::allow(&sid("CognitoAdmin"))
            .action(&[
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminUserGlobalSignOut",
            ])
            .resource(
                pools
                    .iter()
                    .map(|p| raw(format!("aws_cognito_user_pool.{}.arn", ident(&p.value))))
                    .collect(),
            )
            .build(),
        Permission::KinesisRead(streams) => Stmt::allow(&sid("KinesisRead"))
            .action(&[
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
                "kinesis:SubscribeToShard",
            ])
            .resource(
                streams
                    .iter()
                    .map(|x| {
                        json!(format!(
                            "arn:aws:kinesis:{region}:{account}:stream/{}-{env}",
                            x.value
                        ))
                    })
                    .collect(),
            )
            .build(),
        Permission::SqsConsume(queues) => Stmt::allow(&sid("SqsConsume"))
            .action(&[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ])
            .resource(queue_arns(&region, &account, &env, queues))
            .build(),
        Permission::SqsSend(queues) => Stmt::allow(&sid("SqsSend"))
            .action(&["sqs:SendMessage", "sqs:GetQueueAttributes"])
            .resource(queue_arns(&region, &account, &env, queues))
            .build(),
    }
}

/// A queue by catalogue name, standard or FIFO (its kind knows which; the role's module does not).
fn queue_arns(region: &str, account: &str, env: &str, queues: &[Sp<String>]) -> Vec<Value> {
    queues
        .iter()
        .flat_map(|q| {
            let base = format!("arn:aws:sqs:{region}:{account}:{}-{env}", q.value);
            [json!(base.clone()), json!(format!("{base}.fifo"))]
        })
        .collect()
}

fn objects(bucket: &str) -> Value {
    tpl(vec![
        raw(format!("aws_s3_bucket.{}.arn", ident(bucket))),
        json!("/*"),
    ])
}

fn docs(r: &Resources, d: &Docs) -> Option<DocSection> {
    fn permission(p: &Permission) -> String {
        let list = |v: &Vec<Sp<String>>, sep: &str| {
            v.iter()
                .map(|x| esc(&x.value))
                .collect::<Vec<_>>()
                .join(sep)
        };
        match p {
            Permission::SecretsRead(v) => format!("Secrets read ({})", list(v, ", ")),
            Permission::EventsPut(v) => format!("EventBridge put ({} bus)", list(v, ", ")),
            Permission::EventsRead(v) => format!("Event buses read ({})", list(v, ", ")),
            Permission::S3Put(v) => format!("S3 put ({})", list(v, ", ")),
            Permission::S3ReadWrite(v) => format!("S3 read/write ({})", list(v, " + ")),
            Permission::FirehosePut(v) => format!("Firehose put ({})", list(v, ", ")),
            Permission::KmsDecrypt(v) => format!("KMS decrypt ({})", list(v, " + ")),
            Permission::CognitoAdmin(v) => format!("Cognito admin ({})", list(v, ", ")),
            Permission::KinesisRead(v) => format!("Kinesis read ({})", list(v, ", ")),
            Permission::SqsConsume(v) => format!("SQS consume ({})", list(v, ", ")),
            Permission::SqsSend(v) => format!("SQS send ({})", list(v, ", ")),
        }
    }
    let list = &r.iam_roles;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|role| {
            let repo = d
                .domain(&role.domain.value)
                .map(|x| x.repo.clone())
                .unwrap_or_else(|| role.domain.value.clone());
            vec![
                code(&role.name.value),
                format!("{} ({})", esc(&title_case(&role.trust.value)), esc(&repo)),
                role.permissions
                    .iter()
                    .map(permission)
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    Some(DocSection::new(
        "IAM Lambda execution roles",
        "All roles: requests outside the platform region are denied (`aws:RequestedRegion`), tagging enforced.",
        &["Role", "Trust", "Key permissions"],
        rows,
    ))
}
