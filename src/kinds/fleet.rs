//! Read-only facts of every module of the catalogue, for the kinds whose blocks are generated
//! from the whole catalogue (observability: an alarm per function, a dashboard per domain) and
//! for the keys that must let CloudWatch publish to a topic of another module. Built once per
//! environment's render (`render::fleet`), never from rendered HCL: names are the physical ones
//! in that environment, whether or not the resource exists yet (MOD-076 runs in Phase 0).

/// What one module holds, by physical name in the environment being rendered.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    pub id: String,
    pub domain: String,
    pub title: String,
    /// The deployment phase its module belongs to (none for a module outside the phases).
    pub phase: Option<u32>,
    /// Lambda functions: the conventional one and the module's own.
    pub functions: Vec<String>,
    /// SQS queues that are not dead-letter queues.
    pub queues: Vec<String>,
    /// Dead-letter queues: of its queues, its Firehose streams' producers, its event subscriptions.
    pub dlqs: Vec<String>,
    pub firehose_streams: Vec<String>,
    pub kinesis_streams: Vec<String>,
    pub tables: Vec<String>,
    /// Tables with a replica in the DR region, rendered in this environment: (table, DR region).
    pub replicated_tables: Vec<(String, String)>,
    /// Buckets whose replication rule publishes S3 replication metrics: (source, replica).
    pub replicated_buckets: Vec<(String, String)>,
    pub aurora_clusters: Vec<String>,
    pub redis_clusters: Vec<String>,
    /// SNS topics: (catalogue name, classification).
    pub topics: Vec<(String, String)>,
}

impl Holdings {
    /// Holds nothing the observability kind watches.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
            && self.queues.is_empty()
            && self.dlqs.is_empty()
            && self.firehose_streams.is_empty()
            && self.kinesis_streams.is_empty()
            && self.tables.is_empty()
            && self.aurora_clusters.is_empty()
            && self.redis_clusters.is_empty()
    }
}

/// Every module's holdings, in the catalogue's order (by id).
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    pub modules: Vec<Holdings>,
    /// The module whose observability routes the functions' logs (`log_routing:`), if one does.
    pub log_routing: Option<LogRoute>,
    /// The SNS topics (catalogue names) a budget of the environment notifies: their policies let
    /// AWS Budgets publish, and their classifications' keys let it encrypt.
    pub budget_topics: Vec<String>,
}

/// Where the functions' logs go: the module that makes the destination and its phase (only
/// functions of later phases can import its contract).
#[derive(Debug, Clone)]
pub struct LogRoute {
    pub module: String,
    pub phase: Option<u32>,
}

impl Fleet {
    /// Whether the functions of module `id` send their logs to the routing destination: it is
    /// made in an earlier phase than theirs.
    pub fn routes_logs_of(&self, id: &str) -> bool {
        let Some(route) = &self.log_routing else {
            return false;
        };
        let phase = self
            .modules
            .iter()
            .find(|h| h.id == id)
            .and_then(|h| h.phase);
        matches!((route.phase, phase), (Some(r), Some(p)) if p > r)
    }

    /// The classifications of every topic in the catalogue (a key of that classification lets
    /// the topics' publishers use it, wherever the topic is declared).
    /// The classifications of the topics a budget notifies.
    pub fn budget_topic_classes(&self) -> impl Iterator<Item = &str> {
        self.modules.iter().flat_map(move |m| {
            m.topics
                .iter()
                .filter(move |(t, _)| self.budget_topics.contains(t))
                .map(|(_, c)| c.as_str())
        })
    }

    pub fn topic_classes(&self) -> impl Iterator<Item = &str> {
        self.modules
            .iter()
            .flat_map(|m| m.topics.iter().map(|(_, c)| c.as_str()))
    }
}
