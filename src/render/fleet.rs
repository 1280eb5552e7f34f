//! The catalogue's [`Fleet`]: every module's holdings by physical name in one environment,
//! computed once per render. The names follow the kinds' own (`Scope::env_name`, the queue's
//! `-dlq` and `.fifo`, the subscription rule's `-dlq`, the entry's `renamed_from:`).

use crate::kinds::{Fleet, Holdings};
use crate::model::{Catalog, Environment};

pub fn fleet(cat: &Catalog, env: &Environment) -> Fleet {
    let e = &env.name;
    let prefix = &cat.platform.naming.prefix;
    let named = |base: &str| crate::kinds::names::env_name(base, e);
    let modules = cat
        .modules
        .iter()
        .map(|m| {
            let r = &m.resources;
            let mut h = Holdings {
                id: m.id.clone(),
                domain: m.domain.clone(),
                title: m.title.clone(),
                phase: m.phase,
                ..Holdings::default()
            };
            if m.function.is_some() {
                h.functions.push(named(&m.function_base_name()));
            }
            h.functions
                .extend(r.functions.iter().map(|f| named(&f.name.value)));
            for q in &r.queues {
                let physical = cat.physical_name("queues", &q.name.value);
                let suffix = if q.fifo { ".fifo" } else { "" };
                h.queues.push(format!("{}{suffix}", named(physical)));
                h.dlqs
                    .push(format!("{}{suffix}", named(&format!("{physical}-dlq"))));
            }
            for s in &r.firehose_streams {
                let name = named(&s.name.value);
                h.dlqs.push(format!("{name}-dlq"));
                h.firehose_streams.push(name);
            }
            for s in cat.subscriptions.iter().filter(|s| s.consumer == m.id) {
                h.dlqs
                    .push(format!("{}-dlq", named(&format!("{prefix}-{}", s.name))));
            }
            h.kinesis_streams.extend(
                r.kinesis_streams
                    .iter()
                    .map(|x| named(cat.physical_name("kinesis_streams", &x.name.value))),
            );
            h.tables.extend(
                r.dynamodb_tables
                    .iter()
                    .map(|x| named(cat.physical_name("dynamodb_tables", &x.name.value))),
            );
            // The replicas this environment renders (an emulator may leave them out), and the
            // buckets whose replication rule publishes metrics (only the split S3 resources
            // have `metrics`: hashicorp/aws 3.39's inline rule does not).
            if let Some(dr) = &cat.platform.dr_region {
                if !env
                    .unserved_kinds
                    .iter()
                    .any(|k| k == "dynamodb_tables.replication")
                {
                    h.replicated_tables.extend(
                        r.dynamodb_tables
                            .iter()
                            .filter(|x| x.replication.is_some())
                            .map(|x| {
                                let name =
                                    named(cat.physical_name("dynamodb_tables", &x.name.value));
                                (name, dr.clone())
                            }),
                    );
                }
                if crate::render::profile::features(env.profile).split_s3 {
                    h.replicated_buckets.extend(
                        r.buckets
                            .iter()
                            .filter(|b| b.replication.is_some())
                            .map(|b| {
                                let physical = cat.physical_name("buckets", &b.name.value);
                                (named(physical), named(&format!("{physical}-replica")))
                            }),
                    );
                }
            }
            h.aurora_clusters
                .extend(r.aurora_clusters.iter().map(|x| named(&x.name.value)));
            h.redis_clusters
                .extend(r.redis_clusters.iter().map(|x| named(&x.name.value)));
            h.topics.extend(
                r.sns_topics
                    .iter()
                    .map(|t| (t.name.value.clone(), t.classification.value.clone())),
            );
            h
        })
        .collect();
    let log_routing = cat
        .modules
        .iter()
        .find(|m| {
            m.resources
                .observability
                .iter()
                .any(|o| o.log_routing.is_some())
        })
        .map(|m| crate::kinds::fleet::LogRoute {
            module: m.id.clone(),
            phase: m.phase,
        });
    let mut budget_topics: Vec<String> = Vec::new();
    if !env.unserved_kinds.iter().any(|k| k == "budgets") {
        for m in &cat.modules {
            for b in &m.resources.budgets {
                for t in b.notifications.iter().filter_map(|n| n.topic.as_ref()) {
                    if !budget_topics.contains(&t.value) {
                        budget_topics.push(t.value.clone());
                    }
                }
            }
        }
    }
    Fleet {
        modules,
        log_routing,
        budget_topics,
    }
}
