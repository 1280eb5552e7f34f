//! Observability (seed 001 MOD-076: "CloudWatch dashboards, X-Ray tracing config, log group
//! routing … and the alerting configuration"; seed 002's monitoring stack: "Alarms monitor CPU
//! utilization, error rates, queue depths … SNS topics distribute alerts … based on severity").
//!
//! One entry says what to generate; the dashboards and alarms are generated from the whole
//! catalogue ([`Scope::fleet`]: every module's functions, queues, DLQs, streams, tables and
//! clusters by physical name), so a new function gets its alarms and its widget without an edit
//! here. Each alarm goes to the topic of its severity (`topics:`), by SSM contract when another
//! module declares it. Alarm dimensions use physical names: the workloads need not exist yet.

use super::md::{DocTable, code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, Holdings, ResourceKind, Resources, Scope, Sp,
    api,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One entry of a module's `resources: observability:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The prefix of its dashboards' names.
    pub name: Sp<String>,
    pub purpose: String,
    /// `per_domain` or `per_module`: one dashboard per domain (module) of the catalogue that
    /// holds something watched, a widget per resource, titled by its physical name.
    pub dashboards: Sp<String>,
    /// Severity → the SNS topic (a catalogue name) its alarms go to.
    pub topics: BTreeMap<String, Sp<String>>,
    /// What to watch on every resource of the catalogue it applies to.
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
    /// Metrics counted from log events.
    #[serde(default)]
    pub metric_filters: Vec<MetricFilter>,
    /// Log routing (seed 001): every function of a later phase subscribes its log group to this
    /// module's Kinesis stream, through a role CloudWatch Logs assumes.
    #[serde(default)]
    pub log_routing: Option<LogRouting>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRouting {
    /// A Kinesis stream of this module (`kinesis_streams:`).
    pub stream: Sp<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    /// One of [`WATCHES`] (`function_errors`, `dlq_not_empty`, …).
    pub watch: Sp<String>,
    /// A key of the entry's `topics:`.
    pub severity: Sp<String>,
    /// Overrides the watch's default threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    pub name: Sp<String>,
    /// The log group's name (`{env}` filled in).
    pub log_group: Sp<String>,
    /// A CloudWatch Logs filter pattern.
    pub pattern: String,
    pub namespace: String,
    pub metric: String,
}

/// A metric alarm generated on every resource of one sort.
pub struct Watch {
    pub key: &'static str,
    /// What it watches, for the docs.
    pub what: &'static str,
    namespace: &'static str,
    metric: &'static str,
    statistic: &'static str,
    comparison: &'static str,
    threshold: f64,
    /// Appended to the resource's name: the alarm's name.
    suffix: &'static str,
    /// The resources it watches in a module: each one's name and the metric's dimensions.
    of: fn(&Holdings) -> Vec<Watched>,
}

/// One resource a watch alarms on: its name and the metric's dimensions.
pub struct Watched {
    pub name: String,
    pub dimensions: Vec<(&'static str, String)>,
}

/// Each resource of `names`, its metric by one dimension (its name).
fn by(dimension: &'static str, names: &[String]) -> Vec<Watched> {
    names
        .iter()
        .map(|n| Watched {
            name: n.clone(),
            dimensions: vec![(dimension, n.clone())],
        })
        .collect()
}

pub const WATCHES: &[Watch] = &[
    Watch {
        key: "function_errors",
        what: "Lambda errors (every function)",
        namespace: "AWS/Lambda",
        metric: "Errors",
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1.0,
        suffix: "errors",
        of: |h| by("FunctionName", &h.functions),
    },
    Watch {
        key: "function_throttles",
        what: "Lambda throttles (every function)",
        namespace: "AWS/Lambda",
        metric: "Throttles",
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1.0,
        suffix: "throttles",
        of: |h| by("FunctionName", &h.functions),
    },
    Watch {
        key: "dlq_not_empty",
        what: "a dead-letter queue holds a message (every DLQ)",
        namespace: "AWS/SQS",
        metric: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1.0,
        suffix: "not-empty",
        of: |h| by("QueueName", &h.dlqs),
    },
    Watch {
        key: "queue_depth",
        what: "messages waiting (every queue)",
        namespace: "AWS/SQS",
        metric: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: 1000.0,
        suffix: "depth",
        of: |h| by("QueueName", &h.queues),
    },
    Watch {
        key: "firehose_delivery_failures",
        what: "Firehose deliveries to S3 that failed (every stream)",
        namespace: "AWS/Firehose",
        metric: "DeliveryToS3.Success",
        statistic: "Minimum",
        comparison: "LessThanThreshold",
        threshold: 1.0,
        suffix: "delivery-failures",
        of: |h| by("DeliveryStreamName", &h.firehose_streams),
    },
    Watch {
        key: "kinesis_iterator_age",
        what: "consumers behind a Kinesis stream, ms (every stream)",
        namespace: "AWS/Kinesis",
        metric: "GetRecords.IteratorAgeMilliseconds",
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: 60000.0,
        suffix: "iterator-age",
        of: |h| by("StreamName", &h.kinesis_streams),
    },
    Watch {
        key: "table_throttles",
        what: "DynamoDB throttled requests (every table)",
        namespace: "AWS/DynamoDB",
        metric: "ThrottledRequests",
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1.0,
        suffix: "throttles",
        of: |h| by("TableName", &h.tables),
    },
    Watch {
        key: "aurora_cpu",
        what: "Aurora CPU utilisation, % (every cluster)",
        namespace: "AWS/RDS",
        metric: "CPUUtilization",
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        threshold: 80.0,
        suffix: "cpu",
        of: |h| by("DBClusterIdentifier", &h.aurora_clusters),
    },
    Watch {
        key: "aurora_replica_lag",
        what: "Aurora replication lag, ms (every cluster)",
        namespace: "AWS/RDS",
        metric: "AuroraReplicaLagMaximum",
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: 1000.0,
        suffix: "replica-lag",
        of: |h| by("DBClusterIdentifier", &h.aurora_clusters),
    },
    Watch {
        key: "table_replication_latency",
        what: "DynamoDB global table replication latency to the DR replica, ms (every replicated table)",
        namespace: "AWS/DynamoDB",
        metric: "ReplicationLatency",
        statistic: "Average",
        comparison: "GreaterThanThreshold",
        threshold: 60000.0,
        suffix: "replication-latency",
        of: |h| {
            h.replicated_tables
                .iter()
                .map(|(table, region)| Watched {
                    name: table.clone(),
                    dimensions: vec![
                        ("TableName", table.clone()),
                        ("ReceivingRegion", region.clone()),
                    ],
                })
                .collect()
        },
    },
    Watch {
        key: "bucket_replication_latency",
        what: "S3 replication latency to the DR replica, s (every replicated bucket, where its replication rule publishes metrics)",
        namespace: "AWS/S3",
        metric: "ReplicationLatency",
        statistic: "Maximum",
        comparison: "GreaterThanThreshold",
        threshold: 900.0,
        suffix: "replication-latency",
        of: |h| {
            h.replicated_buckets
                .iter()
                .map(|(source, replica)| Watched {
                    name: source.clone(),
                    dimensions: vec![
                        ("SourceBucket", source.clone()),
                        ("DestinationBucket", replica.clone()),
                        ("RuleId", super::bucket::REPLICATION_RULE.to_string()),
                    ],
                })
                .collect()
        },
    },
];

fn watch(key: &str) -> Option<&'static Watch> {
    WATCHES.iter().find(|w| w.key == key)
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "observability"
    }
    fn noun(&self) -> &'static str {
        "observability"
    }
    fn family(&self) -> &'static str {
        "observability"
    }
    fn template(&self) -> &'static str {
        "observability.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::CLOUDWATCH, api::LOGS, api::SNS, api::IAM]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_cloudwatch_dashboard",
            "aws_cloudwatch_metric_alarm",
            "aws_cloudwatch_log_metric_filter",
            "aws_iam_role",
            "aws_iam_role_policy",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL520"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.observability.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.observability
            .iter()
            .map(|x| ("observability", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.observability {
            c.name(&x.name, &n.resource);
            if let Some(lr) = &x.log_routing {
                let known = r.kinesis_streams.iter().map(|s| s.name.value.as_str());
                c.declared("BG013", "Kinesis stream", "streams", &lr.stream, known);
            }
            if !["per_domain", "per_module"].contains(&x.dashboards.value.as_str()) {
                c.err(
                    "BG001",
                    &x.dashboards.referenced,
                    format!("dashboards: `{}` is not known", x.dashboards.value),
                    "per_domain or per_module",
                );
            }
            let mut seen = Vec::new();
            for a in &x.alarms {
                if watch(&a.watch.value).is_none() {
                    let known: Vec<&str> = WATCHES.iter().map(|w| w.key).collect();
                    c.err(
                        "BG001",
                        &a.watch.referenced,
                        format!("alarm watch `{}` is not known", a.watch.value),
                        format!("one of {}", known.join(", ")),
                    );
                } else if seen.contains(&a.watch.value.as_str()) {
                    c.err(
                        "BG001",
                        &a.watch.referenced,
                        format!("alarm watch `{}` is given twice", a.watch.value),
                        "one alarm per watch and resource: give it once",
                    );
                }
                seen.push(a.watch.value.as_str());
                if !x.topics.contains_key(&a.severity.value) {
                    c.err(
                        "BG001",
                        &a.severity.referenced,
                        format!("severity `{}` has no topic in `topics:`", a.severity.value),
                        "every alarm routes to a topic: add the severity to `topics:`",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.observability.is_empty() {
            return None;
        }
        let mut section = DocSection::new(
            "Observability",
            "Dashboards and alarms are generated from the whole catalogue: every function, queue, dead-letter queue, stream, table and cluster of every module, by physical name. Each alarm goes to the topic of its severity.",
            &["Entry", "Purpose", "Dashboards", "Topics by severity"],
            r.observability
                .iter()
                .map(|x| {
                    vec![
                        code(&x.name.value),
                        esc(&x.purpose),
                        code(&x.dashboards.value),
                        x.topics
                            .iter()
                            .map(|(s, t)| format!("{} → {}", esc(s), code(&t.value)))
                            .collect::<Vec<_>>()
                            .join("<br>"),
                    ]
                })
                .collect(),
        );
        let mut alarms = Vec::new();
        let mut filters = Vec::new();
        for x in &r.observability {
            for a in &x.alarms {
                let w = watch(&a.watch.value);
                alarms.push(vec![
                    code(&x.name.value),
                    code(&a.watch.value),
                    esc(w.map_or("", |w| w.what)),
                    format!(
                        "{}",
                        a.threshold.or(w.map(|w| w.threshold)).unwrap_or_default()
                    ),
                    esc(&a.severity.value),
                ]);
            }
            for f in &x.metric_filters {
                filters.push(vec![
                    code(&x.name.value),
                    code(&f.name.value),
                    code(&f.log_group.value),
                    code(&f.pattern),
                    code(&format!("{}/{}", f.namespace, f.metric)),
                ]);
            }
        }
        if !alarms.is_empty() {
            section.more.push(DocTable {
                lead: "Alarms, one per resource watched:".to_string(),
                head: ["Entry", "Watch", "On", "Threshold", "Severity"]
                    .map(String::from)
                    .to_vec(),
                rows: alarms,
            });
        }
        if !filters.is_empty() {
            section.more.push(DocTable {
                lead: "Metric filters:".to_string(),
                head: ["Entry", "Filter", "Log group", "Pattern", "Metric"]
                    .map(String::from)
                    .to_vec(),
                rows: filters,
            });
        }
        Some(section)
    }
}

/// Metrics of a widget on a resource of one sort: (namespace, dimension, metric names).
type WidgetSpec = (&'static str, &'static str, &'static [&'static str]);

const FUNCTION_WIDGET: WidgetSpec = (
    "AWS/Lambda",
    "FunctionName",
    &["Invocations", "Errors", "Throttles"],
);
const QUEUE_WIDGET: WidgetSpec = (
    "AWS/SQS",
    "QueueName",
    &[
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
    ],
);
const DLQ_WIDGET: WidgetSpec = (
    "AWS/SQS",
    "QueueName",
    &["ApproximateNumberOfMessagesVisible"],
);
const FIREHOSE_WIDGET: WidgetSpec = (
    "AWS/Firehose",
    "DeliveryStreamName",
    &["IncomingRecords", "DeliveryToS3.Success"],
);
const KINESIS_WIDGET: WidgetSpec = (
    "AWS/Kinesis",
    "StreamName",
    &["IncomingRecords", "GetRecords.IteratorAgeMilliseconds"],
);
const TABLE_WIDGET: WidgetSpec = (
    "AWS/DynamoDB",
    "TableName",
    &[
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
        "ThrottledRequests",
    ],
);
const AURORA_WIDGET: WidgetSpec = (
    "AWS/RDS",
    "DBClusterIdentifier",
    &[
        "CPUUtilization",
        "DatabaseConnections",
        "AuroraReplicaLagMaximum",
    ],
);

/// A widget per resource the modules hold, titled by its physical name, two per row.
fn widgets(mods: &[&Holdings], region: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for h in mods {
        let sorts: [(&[String], WidgetSpec); 7] = [
            (&h.functions, FUNCTION_WIDGET),
            (&h.queues, QUEUE_WIDGET),
            (&h.dlqs, DLQ_WIDGET),
            (&h.firehose_streams, FIREHOSE_WIDGET),
            (&h.kinesis_streams, KINESIS_WIDGET),
            (&h.tables, TABLE_WIDGET),
            (&h.aurora_clusters, AURORA_WIDGET),
        ];
        for (names, (ns, dim, metrics)) in sorts {
            for name in names {
                let i = out.len();
                let lines: Vec<Value> = metrics
                    .iter()
                    .map(|mt| json!([ns, mt, dim, name]))
                    .collect();
                out.push(json!({
                    "type": "metric",
                    "x": (i % 2) * 12,
                    "y": (i / 2) * 6,
                    "width": 12,
                    "height": 6,
                    "properties": {
                        "title": name,
                        "region": region,
                        "view": "timeSeries",
                        "stat": "Sum",
                        "period": 300,
                        "metrics": lines,
                    },
                }));
            }
        }
    }
    out
}

fn render(kind: &Kind, m: &mut Scope) {
    let fleet = m.fleet;
    for x in &m.module.resources.observability {
        let loc = m.loc(&x.name.referenced);
        // Dashboards: per domain (in the domains' order) or per module.
        let mut groups: Vec<(String, String, Vec<&Holdings>)> = Vec::new();
        if x.dashboards.value == "per_module" {
            for h in fleet.modules.iter().filter(|h| !h.is_empty()) {
                groups.push((
                    h.id.to_lowercase(),
                    format!("{} ({})", h.id, h.title),
                    vec![h],
                ));
            }
        } else {
            let mut ids: Vec<&str> = fleet.modules.iter().map(|h| h.domain.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            for d in ids {
                let held: Vec<&Holdings> = fleet
                    .modules
                    .iter()
                    .filter(|h| h.domain == d && !h.is_empty())
                    .collect();
                if !held.is_empty() {
                    let title = m.domain(d).map_or(d.to_string(), |f| f.name.clone());
                    groups.push((d.to_lowercase(), title, held));
                }
            }
        }
        for (suffix, title, held) in groups {
            let name = m.env_name(&format!("{}-{suffix}", x.name.value));
            m.emit(
                kind,
                &loc,
                json!({
                    "part": "dashboard",
                    "id": ident(&name),
                    "name": name,
                    "title": format!("# Dashboard: {title}"),
                    "body": {"widgets": widgets(&held, m.region)},
                }),
            );
        }
        // Alarms: each watch on every resource of its sort, to its severity's topic.
        for a in &x.alarms {
            let (Some(w), Some(topic)) = (watch(&a.watch.value), x.topics.get(&a.severity.value))
            else {
                continue;
            };
            let topic = m.topic_arn(&topic.value);
            let threshold = a.threshold.unwrap_or(w.threshold);
            let alarms: Vec<Value> = fleet
                .modules
                .iter()
                .flat_map(|h| (w.of)(h).into_iter().map(move |r| (h, r)))
                .map(|(h, r)| {
                    let name = format!("{}-{}", r.name, w.suffix);
                    let r_name = &r.name;
                    json!({
                        "id": ident(&name),
                        "name": name,
                        "description": format!("{} {}: {} {} {} ({} severity)", h.id, r_name, w.metric, w.comparison, threshold, a.severity.value),
                        "dimensions": r.dimensions.iter().map(|(d, v)| json!([d, v])).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if alarms.is_empty() {
                continue;
            }
            let aloc = m.loc(&a.watch.referenced);
            m.emit(
                kind,
                &aloc,
                json!({
                    "part": "alarms",
                    "alarms": alarms,
                    "namespace": w.namespace,
                    "metric": w.metric,
                    "statistic": w.statistic,
                    "comparison": w.comparison,
                    "threshold": threshold,
                    "severity": a.severity.value,
                    "topic": topic,
                }),
            );
        }
        for f in &x.metric_filters {
            let floc = m.loc(&f.name.referenced);
            let group = m.subst(&f.log_group.value);
            // The group by its physical name (a renamed group keeps it); in this module, after it.
            let own = m
                .module
                .resources
                .log_groups
                .iter()
                .find(|g| m.physical_name("log_groups", &g.name.value) == f.log_group.value)
                .map(|g| {
                    super::raw(format!(
                        "aws_cloudwatch_log_group.{}",
                        super::names::env_ident(&g.name.value)
                    ))
                });
            m.emit(
                kind,
                &floc,
                json!({
                    "part": "metric_filter",
                    "id": ident(&f.name.value),
                    "name": m.env_name(&f.name.value),
                    "log_group": group,
                    "after": own,
                    "pattern": f.pattern,
                    "namespace": f.namespace,
                    "metric": f.metric,
                }),
            );
        }
        if let Some(lr) = &x.log_routing {
            log_routing(kind, m, x, lr);
        }
    }
}

/// The routing destination's role (CloudWatch Logs puts the functions' log events on the
/// stream, encrypted with its key) and the contracts the functions' subscription filters read.
fn log_routing(kind: &Kind, m: &mut Scope, x: &Entry, lr: &LogRouting) {
    let Some(stream) = m
        .module
        .resources
        .kinesis_streams
        .iter()
        .find(|s| s.name.value == lr.stream.value)
    else {
        return;
    };
    let loc = m.loc(&lr.stream.referenced);
    let stream_arn = super::raw(format!(
        "aws_kinesis_stream.{}.arn",
        ident(&stream.name.value)
    ));
    let key = m.key_arn(&stream.classification.value);
    let (region, account) = (m.region.to_string(), m.env.account_id.to_string());
    let name = m.env_name(&format!("{}-log-routing", x.name.value));
    let id = ident(&name);
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringLike": {"aws:SourceArn": format!("arn:aws:logs:{region}:{account}:*")}},
        }],
    });
    let policy = super::policy::policy(vec![
        super::policy::Stmt::allow("PutLogEventsOnStream")
            .action(&["kinesis:PutRecord", "kinesis:PutRecords"])
            .resource(vec![stream_arn.clone()])
            .build(),
        super::policy::Stmt::allow("EncryptWithStreamKey")
            .action(&["kms:GenerateDataKey"])
            .resource(vec![key])
            .build(),
    ]);
    m.emit(
        kind,
        &loc,
        json!({"part": "log_routing", "id": id, "name": name, "trust": trust, "policy": policy}),
    );
    m.export(
        "observability/log-routing/destination-arn".into(),
        "The Kinesis stream every function's log group is subscribed to",
        stream_arn,
        &loc,
    );
    m.export(
        "observability/log-routing/role-arn".into(),
        "The role CloudWatch Logs assumes to put log events on the routing stream",
        super::raw(format!("aws_iam_role.{id}.arn")),
        &loc,
    );
}
